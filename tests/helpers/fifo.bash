# fifo.bash - build, start and watch the FIFO and message queue part's
# programs (fifo.bats; fifo/HANDOUT.md is the contract).
#
# Needs helpers/lab, helpers/listener (wait_until, asleep, exited) and
# helpers/build. Code under test runs as garfield; nermal is the other user.
# Both sides of every exchange have a counterpart of ours (helpers/fifos.c),
# so a student's receiver faces our sender, their sender our receiver, and
# the same on the queues. Every program runs from the build directory,
# through lab_exec, never as root: no IPC step of the suite's runs as root
# either (root may lack CAP_IPC_OWNER, as in a plain container).
#
# Names: each test takes fresh ones. A directory (fifo_dir) like /tmp,
# world-writable and sticky, but nermal's: the kernel's protected_fifos,
# protected_regular and protected_symlinks (which differ from machine to
# machine) then let garfield open what nermal put there, so what the tests
# see is what the program under test checks, not what the kernel does.
# Queues (fifo_queue) with random names. Teardown (fifo_leftovers) kills
# what the test started, removes its directories and every queue it named,
# as their owners, and checks that they are gone.
# The student's programs that print a ready line run line-buffered
# (stdbuf -oL): the line must come at once, and a missing fflush() then
# costs no test.

FIFO_USER=garfield
FIFO_OTHER=nermal

# fifo_build: the student's four programs, and our fixture. Call from setup_file.
fifo_build() {
	FIFO_BUILD=$(build_dir fifo)
	export FIFO_BUILD
	build_student "$FIFO_BUILD" fifo receiver sender mqreceiver mqsender
	build_fixture "$FIFO_BUILD" fifos "$LAB_TESTS/helpers/fifos.c"
	FIFOS=$FIFO_BUILD/fixtures/fifos
	export FIFOS
	build_preload "$FIFO_BUILD" fifohook.so "$LAB_TESTS/helpers/fifohook.c" -shared -fPIC
	FIFOHOOK=$FIFO_BUILD/preload/fifohook.so
	export FIFOHOOK
	# The machine's byte order, for the frames' lengths: 1 on a little-endian one.
	FIFO_LITTLE=$(printf '\001\000' | od -An -tu2 | tr -d ' ')
	export FIFO_LITTLE
}

fifo_clean() {
	rm -rf -- "$FIFO_BUILD"
}

# require_fifo PROG: the student's PROG and our fixture were built.
require_fifo() {
	require_built "$FIFO_BUILD" fifo "$1" fifos fifohook.so
}

# hooked [-oL] PROG [NAME=VALUE...]: the words that start the student's
# PROG (line-buffered with -oL: through stdbuf) with our fifohook.so loaded
# (helpers/fifohook.c), its actions for PROG alone, for start_as, run_as
# and start_ready: LD_PRELOAD=... FIFOHOOK_PROG=PROG NAME=VALUE...
# [stdbuf -oL] PATH. Sets HOOKED (an array).
hooked() {
	local -a wrap=()
	if [[ $1 == -oL ]]; then
		wrap=(stdbuf -oL)
		shift
	fi
	local prog=$1
	shift
	# shellcheck disable=SC2034 # read by the suite
	HOOKED=(LD_PRELOAD="$FIFOHOOK" FIFOHOOK_PROG="$prog" "$@" "${wrap[@]}" "$(student "$prog")")
}

# fifo_hooklog: HOOKLOG, a fresh empty file of garfield's for fifohook's
# FIFOHOOK_LOG, in a directory of its own (0700, removed at teardown). The
# test may empty it (: >"$HOOKLOG") to keep only what comes next.
fifo_hooklog() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/ipc-fifo-log.XXXXXX")
	FIFO_DIRS+=("$dir")
	HOOKLOG=$dir/log
	: >"$HOOKLOG"
	chown "$FIFO_USER" "$dir" "$HOOKLOG"
	chmod 0700 "$dir"
}

# stopped_or_gone PID: PID is stopped (state T: fifohook's SIGSTOP), or ended.
stopped_or_gone() {
	pid_state "$1"
	[[ $PID_STATE == [Tt] ]] || exited "$1"
}

# student PROG: the path of the student's PROG.
student() {
	echo "$FIFO_BUILD/student/$1"
}

# fifo_dir: a fresh directory in DIR, like /tmp (1777) but nermal's (see above).
fifo_dir() {
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipc-fifo.XXXXXX")
	FIFO_DIRS+=("$DIR")
	chown "$FIFO_OTHER" "$DIR"
	chmod 1777 "$DIR"
}
FIFO_DIRS=()

# fifo_queue [VAR]: a fresh random queue name in VAR (default QUEUE),
# remembered for teardown.
fifo_queue() {
	local name=/ipc-lab-$SRANDOM-$SRANDOM
	FIFO_QUEUES+=("$name")
	printf -v "${1:-QUEUE}" '%s' "$name"
}
FIFO_QUEUES=()

# fifo_leftovers: no process, no directory and no queue of this test's is
# left. Accounts the suite made itself have all their processes killed (the
# grader's, under LAB_CONFINE, lab_kill_leftovers sweeps). Each queue the
# test named (and each reply queue our receiver saw named) is removed by
# whichever of garfield and nermal owns it; then garfield must find none
# of them (ENOENT: it works without /dev/mqueue mounted).
fifo_leftovers() {
	local user f name
	for user in "$FIFO_USER" "$FIFO_OTHER"; do
		if [[ $LAB_CONFINE != 1 ]] && grep -qxF "$user" "$BATS_FILE_TMPDIR/created-accounts" 2>/dev/null; then
			lab_sweep "$LAB_BOUND" "$user"
		fi
	done
	for f in "$BATS_TEST_TMPDIR"/serve.*.err; do
		[[ -f $f ]] || continue
		while read -r name; do
			FIFO_QUEUES+=("$name")
		done < <(sed -n 's/^request reply=\(\/[^/ ]*\) len=.*/\1/p' "$f")
	done
	if ((${#FIFO_QUEUES[@]})); then
		for user in "$FIFO_USER" "$FIFO_OTHER"; do
			(cd "$FIFO_BUILD" && lab_exec --bounded "$user" "$FIFOS" mq-unlink "${FIFO_QUEUES[@]}") >/dev/null 2>&1 || true
		done
		local left
		left=$(cd "$FIFO_BUILD" && lab_exec --bounded "$FIFO_USER" "$FIFOS" mq-gone "${FIFO_QUEUES[@]}" 2>&1) ||
			fail "$(printf 'the suite could not remove its queues:\n%s' "$(grep -v ': gone$' <<<"$left")")"
	fi
	FIFO_QUEUES=()
	for f in "${FIFO_DIRS[@]}"; do
		rm -rf -- "$f"
		[[ ! -e $f ]] || fail "the suite could not remove its directory $f"
	done
	FIFO_DIRS=()
}

# stopped PID: ask PID to stop (SIGTERM) unless it has ended, then ended.
stopped() {
	exited "$1" || kill -s TERM "$1" 2>/dev/null || true
	ended "$1"
}

# printed FILE: how many bytes FILE holds after its first line.
printed() {
	local size
	first_line "$1"
	size=$(stat -c %s "$1")
	echo $((size - ${#FIRST} - 1))
}

# printed_or_gone FILE PID SIZE: FILE holds SIZE bytes after its first line,
# or more, or PID has ended.
printed_or_gone() {
	(($(printed "$1") >= $3)) || exited "$2"
}

# shown FILE: a few of FILE's first bytes (- for stdin's), readable, for a message.
shown() {
	head -c 48 -- "$1" | od -An -c | tr -s ' \n' ' '
}

# line_bytes N FILE: N bytes for a line: a NUL second, and no newline.
line_bytes() {
	{
		printf 'x\0y'
		head -c $(($1 * 2 + 64)) /dev/urandom | tr -d '\n'
	} | head -c "$1" >"$2"
}

# text N FILE: N random printable bytes, no NUL, no newline: for the
# tests whose subject is not the bytes themselves, so that a program's %s
# costs none of their points.
text() {
	head -c $(($1 + 16)) /dev/urandom | base64 -w 0 | head -c "$1" >"$2"
}

# holds FILE MESSAGE...: FILE holds after its first line each MESSAGE's
# bytes (messages of text), whatever else it holds.
holds() {
	local file=$1 f
	shift
	for f; do
		after_line "$file" | grep -aqF -e "$(<"$f")" || return 1
	done
}

# holds_or_gone FILE PID MESSAGE...: holds, or PID has ended.
holds_or_gone() {
	local file=$1 pid=$2
	shift 2
	holds "$file" "$@" || exited "$pid"
}

# printed_as FILE...: what a receiver prints for these messages: each one's
# bytes, then a newline.
printed_as() {
	local f
	for f; do
		cat -- "$f"
		printf '\n'
	done
}

# frame_of FILE...: the frames of these messages, as frame.h lays them out:
# the length as a uint32_t in the machine's byte order, then the bytes.
frame_of() {
	local f n i head
	for f; do
		n=$(stat -c %s "$f")
		head=
		for i in 0 8 16 24; do
			if [[ $FIFO_LITTLE == 1 ]]; then
				head+=$(printf '\\x%02x' $((n >> i & 255)))
			else
				head=$(printf '\\x%02x' $((n >> i & 255)))$head
			fi
		done
		printf '%b' "$head"
		cat -- "$f"
	done
}

# sizes FILE...: each file's size, as arguments for our fixture.
sizes() {
	stat -c %s -- "$@"
}

# state_of PATH...: what each PATH is, to tell that it was left as it was:
# its type, owner, mode, size and inode, and a file's bytes or a link's target.
state_of() {
	local p
	for p; do
		if [[ -L $p ]]; then
			echo "$p: $(stat -c '%F %U %i' "$p") -> $(readlink "$p")"
		elif [[ -e $p ]]; then
			echo "$p: $(stat -c '%F %U %a %s %i' "$p")"
			if [[ -f $p ]]; then echo "$p: $(sha256sum <"$p")"; fi
		else
			echo "$p: nothing"
		fi
	done
}

# mq_send_n USER NAME N MESSAGE: USER sends MESSAGE into the queue NAME, N
# times, each mq_send() waiting for room (one process however many, by
# python3's ctypes: our fixture sends one message a run). Sets status.
mq_send_n() {
	run_as "$1" python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
q = libc.mq_open(sys.argv[1].encode(), os.O_WRONLY)
if q == -1:
    sys.exit("mq_open: " + os.strerror(ctypes.get_errno()))
msg = sys.argv[3].encode()
for _ in range(int(sys.argv[2])):
    if libc.mq_send(q, msg, len(msg), 0) == -1:
        sys.exit("mq_send: " + os.strerror(ctypes.get_errno()))
' "$2" "$3" "$4"
}
