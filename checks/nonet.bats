#!/usr/bin/env bats
# nonet.bats - code under test gets no network socket, whatever the mode.
#
# A self-check of lab_exec with the launcher built from helpers/nonet.c (not
# graded). Natively the grader also gives each submission a fresh network
# namespace, but inside a default container only this filter stands between
# student code and the container's network. As root the code runs as
# "nobody", as a test account would; otherwise as the current user (the
# filter needs no privilege).

load ../tests/helpers/lab
source "$LAB_TESTS/../tests/helpers/nonet.bash"
# shellcheck source=grader/lab.conf
source "$LAB_TESTS/../grader/lab.conf"

setup_file() {
	NONET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipc-nonet.XXXXXX")
	chmod 0755 "$NONET_DIR"
	export NONET_DIR
	nonet_build "$NONET_DIR" 2>"$NONET_DIR/build.log" || true
}

teardown_file() {
	rm -rf -- "$NONET_DIR"
}

setup() {
	[[ -x $NONET_DIR/nonet ]] || fail "nonet.c does not build: $(cat "$NONET_DIR/build.log")"
	LAB_NONET=$NONET_DIR/nonet
	NONET_USER=$EUID
	if ((EUID == 0)); then
		# By number: lab_exec takes it for the group too (nobody's is nogroup).
		NONET_USER=65534
	fi
}

# as_account PYTHON-CODE: run it as NONET_USER through lab_exec, bounded.
as_account() {
	(cd "$NONET_DIR" && lab_run_bounded "$NONET_USER" python3 -c "$1")
}

# Each call as a C program makes it (through ctypes: Python's own socket
# module adds SOCK_CLOEXEC to the type), then "created" or the errno's name.
SOCKETS='
import ctypes, errno, os, socket as S
libc = ctypes.CDLL(None, use_errno=True)
def attempt(what, ret, fds):
    if ret == -1:
        print(what, errno.errorcode[ctypes.get_errno()])
    else:
        print(what, "created")
        for fd in fds:
            os.close(fd)
def sock(what, domain, type):
    fd = libc.socket(domain, type, 0)
    attempt(what, fd, [fd])
sock("socket(AF_INET, SOCK_STREAM, 0)", S.AF_INET, S.SOCK_STREAM)
sock("socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0)", S.AF_INET, S.SOCK_DGRAM | S.SOCK_CLOEXEC)
sock("socket(AF_INET6, SOCK_STREAM, 0)", S.AF_INET6, S.SOCK_STREAM)
sock("socket(AF_NETLINK, SOCK_RAW, 0)", S.AF_NETLINK, S.SOCK_RAW)
sock("socket(AF_PACKET, SOCK_RAW, 0)", S.AF_PACKET, S.SOCK_RAW)
pair = (ctypes.c_int * 2)()
attempt("socketpair(AF_INET, SOCK_STREAM, 0)", libc.socketpair(S.AF_INET, S.SOCK_STREAM, 0, pair), list(pair))
'

@test "socket() and socketpair() of every family but AF_UNIX fail with EACCES" {
	run -0 as_account "$SOCKETS"
	assert_output "socket(AF_INET, SOCK_STREAM, 0) EACCES
socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0) EACCES
socket(AF_INET6, SOCK_STREAM, 0) EACCES
socket(AF_NETLINK, SOCK_RAW, 0) EACCES
socket(AF_PACKET, SOCK_RAW, 0) EACCES
socketpair(AF_INET, SOCK_STREAM, 0) EACCES"
}

@test "without the launcher the same account opens an AF_INET socket (control: the filter is what refuses)" {
	# shellcheck disable=SC2034 # read by lab_exec
	LAB_NONET=
	run -0 as_account "$SOCKETS"
	assert_line "socket(AF_INET, SOCK_STREAM, 0) created"
}

@test "AF_UNIX still works: a socketpair and a socket bound to a path carry a message" {
	local dir
	dir=$(mktemp -d "$NONET_DIR/unix.XXXXXX")
	chown "$NONET_USER" "$dir"
	run -0 as_account '
import os, socket
a, b = socket.socketpair()
a.sendall(b"meow")
print("socketpair:", b.recv(4).decode())
path = os.path.join("'"$dir"'", "sock")
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(path)
client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
client.sendto(b"purr", path)
print("bound to a path:", server.recv(4).decode())
'
	assert_output "socketpair: meow
bound to a path: purr"
}

@test "io_uring_setup() fails with EPERM: a ring cannot make sockets either" {
	# 425 is io_uring_setup on x86-64 and arm64 alike; a zeroed
	# struct io_uring_params (120 bytes) asks for a plain ring.
	run -0 as_account '
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
fd = libc.syscall(425, 1, params)
print("ring", fd) if fd >= 0 else print(errno.errorcode[ctypes.get_errno()])
'
	assert_output "EPERM"
}

@test "the filter binds every process the command starts, and no_new_privs is set" {
	run -0 as_account '
import subprocess
out = subprocess.run(["sh", "-c", "grep -E \"^(NoNewPrivs|Seccomp):\" /proc/self/status"],
                     capture_output=True, text=True).stdout
print(" ".join(out.split()))
'
	assert_output "NoNewPrivs: 1 Seccomp: 2"
}

@test "a system call of the x32 ABI kills the process, socket() or any other" {
	[[ $(uname -m) == x86_64 ]] || skip "x32 exists on x86-64 only"
	# socket() is call 41, as an x32 call with bit 30 set. Unfiltered, a
	# kernel without x32 answers ENOSYS; the filter kills (SIGSYS: 128 + 31).
	run -159 --separate-stderr as_account '
import ctypes
print(ctypes.CDLL(None).syscall(0x40000000 | 41, 2, 1, 0))
'
	assert_output ""
}

# What code under test sees of how it was started: its IDs, groups and
# capabilities, its limits, its nice value, its environment, and whether it
# leads its session (unbounded) or is in the bound's (bounded).
STARTED='
import os, resource as R
status = dict(l.split(":", 1) for l in open("/proc/self/status"))
for k in ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapAmb"):
    print(k, " ".join(status[k].split()))
for n in ("NPROC", "AS", "FSIZE", "NOFILE", "CORE"):
    print(n, R.getrlimit(getattr(R, "RLIMIT_" + n)))
print("nice", os.nice(0))
print("env", sorted(k for k in os.environ if k != "PWD"), os.environ.get("PATH"), os.environ.get("PROBE"))
print("session leader", os.getsid(0) == os.getpid(), "group leader", os.getpgid(0) == os.getpid())
'

# started_both [--bounded]: STARTED's output through the launcher, and
# through the chain of one program a step (LAB_NONET's directory without
# bound, so lab_exec takes the chain); the filter's own lines aside.
started_both() {
	local chain=$NONET_DIR/chain
	mkdir -p "$chain" && cp "$NONET_DIR/nonet" "$chain/nonet"
	# shellcheck disable=SC2034 # read by lab_exec
	LAUNCHED=$(cd "$NONET_DIR" && LAB_NONET=$NONET_DIR/nonet lab_exec "$@" "$NONET_USER" PROBE=1 python3 -c "$STARTED" 2>&1)
	CHAINED=$(cd "$NONET_DIR" && LAB_NONET=$chain/nonet lab_exec "$@" "$NONET_USER" PROBE=1 python3 -c "$STARTED" 2>&1)
}

@test "the launcher starts code under test as the chain of setsid, prlimit, setpriv, env and nice does" {
	started_both
	[[ $LAUNCHED == *"Uid "* && $LAUNCHED == *"env ['HOME', 'LANG', 'PATH', 'PROBE']"* ]] ||
		fail "the probe did not run: $LAUNCHED"
	[[ $LAUNCHED == *"session leader True"* ]] || fail "not in a session of its own: $LAUNCHED"
	[[ $LAUNCHED == *"CapInh 0000000000000000"* && $LAUNCHED == *"NOFILE (256, 256)"* ]] ||
		fail "a step is missing: $LAUNCHED"
	if ((EUID == 0)); then
		[[ $LAUNCHED == *"Uid 65534 65534 65534 65534"* ]] || fail "not dropped to the account: $LAUNCHED"
	fi
	assert_equal "$LAUNCHED" "$CHAINED"
}

@test "the bounded launcher starts code under test as the chain does, in the bound's session" {
	started_both --bounded
	[[ $LAUNCHED == *"session leader False group leader False"* ]] ||
		fail "not in the bound's group: $LAUNCHED"
	assert_equal "$LAUNCHED" "$CHAINED"
}
