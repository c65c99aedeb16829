#!/usr/bin/env bash
# sandbox.sh WORK LANE...    - run our suites against one prepared submission.
# sandbox.sh --probe WORK    - set up the namespace sandbox, check its accounts, stop.
# sandbox.sh --sweep WORK    - in a container, undo what a killed sandbox left.
# sandbox.sh --lane WORK N SUITES - one lane (run by the first form, never by hand).
#
# Called by ./grade as root, never by hand. WORK, made by the grader, holds:
#   sub/    the submission's files (a copy; the student's code is run from there)
#   tests/  our suites and helpers (root only: code under test cannot read them)
#   tmp/    scratch space for the suites, a directory per lane
#   bin/    the network filter, built once a run by the grader
# Each LANE is a comma-separated list of parts, each PART:BOUND:SUITE+SUITE,
# run one after another, each part's suites by a bats of their own within
# BOUND seconds; part P writes its TAP stream to WORK/tap.P, lane N what it
# says of its own set-up to WORK/tap.N (root's alone), and nowhere else. The grader reads those
# files, also after it had to kill the sandbox.
#
# With GRADE_ISOLATED=1 the grader has started this script as PID 1 of fresh
# mount, PID, network and IPC namespaces: there is no network, and every
# process and IPC object left over dies with us. The lanes run side by side,
# each in mount, PID and IPC namespaces of its own inside ours: no SysV IPC
# object or POSIX message queue of another lane, submission or of the machine
# is in sight, /tmp, /var/tmp, /dev/shm, /run/lock and /dev/mqueue are fresh
# mounts, the machine's /run, sockets and world-writable directories are
# hidden (hide_host), and the test accounts are the lane's own: the grader made a copy
# of /etc for each lane (GRADE_ACCOUNT_FILES/N) with the lane's account
# files, which is bound over /etc, read-only, so that the accounts exist
# only in the lane, with user IDs no other lane or job holds (per-user limits such as
# RLIMIT_NPROC are counted per user ID). Otherwise (inside a container,
# where the container is the namespace) there is one lane, the accounts are
# made in the container's /etc, and after each test, and once more at the
# end, every process and IPC object of the test accounts is removed
# (accounts.bash). In both, code under test runs under the network filter
# (tests/helpers/nonet.c): no socket but AF_UNIX, whatever network the
# container has.
# The grader runs --probe once, before any student code, to learn whether
# that set-up works here (with job 0's copies of /etc); it touches nothing
# outside the namespace. In a container, when the grader had to kill a
# sandbox (its time bound, or the grader itself stopped), the sandbox never
# reached its final sweep: the grader runs --sweep on the same WORK, which
# removes the test accounts' processes, IPC objects and files, and the
# accounts the sandbox made (listed in WORK/made-accounts as they are made,
# a half-made one too).
#
# Exit status 3 (with a "Bail out!" line) when the sandbox cannot be set up.
#
# Environment: GRADE_UID_FIRST (the first user ID of the job's range, which
# no other grader on the machine holds),
# GRADE_ISOLATED, GRADE_ROOT (the grader's tree), GRADE_ACCOUNT_FILES (with
# GRADE_ISOLATED=1), GRADE_CGROUP_PROCS (where a control group was made: the
# cgroup.procs files to join), LAB_BOUND, LAB_SECRET, LAB_TREASURE, LAB_SCRIPTS.

set -u
mode=run
if [[ ${1:-} == --probe || ${1:-} == --sweep || ${1:-} == --lane ]]; then
	mode=${1#--}
	shift
fi
work=$1
shift
self=${BASH_SOURCE[0]}
# shellcheck source=grader/lab.conf
source "${self%/*}/lab.conf"

die() {
	echo "Bail out! sandbox: $*"
	exit 3
}

# The scratch directories every user may write to: private tmpfs mounts in a
# namespace; in a container, swept of the test accounts' files.
SCRATCH_DIRS=(/tmp /var/tmp /dev/shm /run/lock)

# The test accounts (lab.conf): the grader's own two, and the handout's
# garfield and the attacker nermal (tests/helpers/lab.bash, LAB_ACCOUNTS).
read -ra TEST_ACCOUNTS <<<"$GRADE_ACCOUNTS"
TEST_ACCOUNTS=("${TEST_ACCOUNTS[@]%%:*}")

# sweep: kill whatever the test accounts still run and remove their IPC
# objects: in a container they would outlive us. In a namespace, all else
# vanishes with it; in a container, leave it as found: no files of the
# accounts this sandbox made in the scratch directories, and no accounts.
sweep() {
	local user
	# shellcheck source=tests/helpers/accounts.bash
	source "$work/tests/helpers/accounts.bash"
	sweep_accounts 5 "${TEST_ACCOUNTS[@]}"
	[[ ${GRADE_ISOLATED:-0} != 1 && -f $work/made-accounts ]] || return 0
	while read -r user; do
		find "${SCRATCH_DIRS[@]}" -xdev -user "$user" -delete 2>/dev/null
		userdel "$user" 2>/dev/null
		# A useradd killed half-way may leave the group alone.
		groupdel "$user" 2>/dev/null
	done <"$work/made-accounts"
	return 0
}

if [[ $mode == sweep ]]; then
	[[ ${GRADE_ISOLATED:-0} != 1 ]] || die "--sweep is for a container; a namespace vanishes whole"
	sweep
	exit 0
fi

# bind_accounts N: bind lane N's copy of /etc (made by the grader, with the
# lane's accounts) over /etc, read-only: nothing in the sandbox writes it.
bind_accounts() {
	local dir=${GRADE_ACCOUNT_FILES:-}/$1
	[[ -n ${GRADE_ACCOUNT_FILES:-} && -f $dir/passwd ]] || die "no copy of /etc for lane $1 (GRADE_ACCOUNT_FILES)"
	mount --bind -o ro "$dir" /etc || die "cannot bind $dir over /etc"
}

# fresh_scratch: private, size-bounded scratch directories in this mount
# namespace: whatever code under test writes to /tmp and the like vanishes
# with it. WORK itself may live in /tmp, so it is set aside on /mnt
# (private to this namespace) meanwhile. And a fresh mqueue filesystem on
# /dev/mqueue: it shows the POSIX message queues of the IPC namespace that
# mounts it, this one's own, for code under test and for the clean-up after
# each test (remove_ipc_of). A missing /dev/mqueue is made, as systemd would:
# /dev is the machine's, so it stays there, empty. Where it cannot be made,
# the queues are out of sight but still die with the namespace.
fresh_scratch() {
	local d
	mount --rbind "$work" /mnt || die "cannot bind $work"
	[[ ${1:-} != --hide-host ]] || hide_host
	for d in "${SCRATCH_DIRS[@]}"; do
		[[ -d $d ]] || continue
		mount -t tmpfs -o size=64m,nr_inodes=8192,mode=1777,nosuid,nodev tmpfs "$d" ||
			die "cannot mount a tmpfs on $d"
	done
	mkdir -p "$work" && mount --move /mnt "$work" || die "cannot bring $work back"
	[[ -d /dev/mqueue ]] || mkdir -m 0755 /dev/mqueue 2>/dev/null
	if [[ -d /dev/mqueue ]]; then
		mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue ||
			die "cannot mount a fresh mqueue filesystem on /dev/mqueue"
	fi
}

# hide_host: what the machine offers every user besides the scratch
# directories, out of sight. /run, where its services listen (the D-Bus
# system bus, journald's /dev/log, systemd-resolved: path-named UNIX sockets
# ignore network namespaces), becomes an empty tmpfs with a /run/lock of its
# own. Each socket the grader found elsewhere (GRADE_HOST_HIDE, written by
# grade.py's host_exposures) gets /dev/null bound over it, so that connect()
# is refused (ECONNREFUSED); each world-writable directory an empty tmpfs,
# so that nothing written there reaches another submission. The private
# directories ("p PATH": other submissions, the working directory, where
# another clone of the lab may be) are kept for hide_private. Called while
# WORK is set aside (it may be under /run).
PRIVATE_DIRS=()
hide_host() {
	local kind path
	local -a found=()
	# Read first: the list itself may be under /run.
	if [[ -n ${GRADE_HOST_HIDE:-} && -f $GRADE_HOST_HIDE ]]; then
		mapfile -t -d '' found <"$GRADE_HOST_HIDE" || die "cannot read $GRADE_HOST_HIDE"
	fi
	mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev,noexec tmpfs /run &&
		mkdir -m 1777 /run/lock || die "cannot hide /run"
	for path in "${found[@]}"; do
		kind=${path%% *} path=${path#* }
		if [[ $kind == p ]]; then
			PRIVATE_DIRS+=("$path")
		elif [[ $kind == s && -S $path ]]; then
			mount --bind /dev/null "$path" || die "cannot hide the socket $path"
		elif [[ $kind == d && -d $path && ! -L $path ]]; then
			mount -t tmpfs -o size=16m,nr_inodes=4096,mode=1777,nosuid,nodev tmpfs "$path" ||
				die "cannot hide the directory $path"
		fi
	done
}

# hide_private: each private directory (hide_host) becomes an empty,
# read-only tmpfs: what it held is out of sight of everything that runs
# here, student code and our suites alike; they need none of it (WORK and
# the tools are never under one: grade.py, private_dirs).
hide_private() {
	local path
	for path in "${PRIVATE_DIRS[@]}"; do
		[[ -d $path && ! -L $path ]] || continue
		mount -t tmpfs -o ro,size=4k,nr_inodes=16,mode=0755 tmpfs "$path" ||
			die "cannot hide $path"
	done
}

# isolate: make the mounts that keep this namespace's submission to itself.
isolate() {
	# Mounts made outside a fresh namespace would change the machine itself.
	(($$ == 1)) || die "GRADE_ISOLATED=1, but not PID 1 of a fresh namespace"
	# Lane 0's accounts, for the set-up here; each lane binds its own. The
	# grader's copies may be under /tmp, which fresh_scratch hides: they are
	# bound into WORK (root's alone), which it keeps.
	mkdir -m 0700 "$work/accounts" && mount --bind "${GRADE_ACCOUNT_FILES:?}" "$work/accounts" ||
		die "cannot bind $GRADE_ACCOUNT_FILES into $work"
	export GRADE_ACCOUNT_FILES=$work/accounts
	bind_accounts 0
	# The grader's own tree (its tests, its rubric) is hidden from code under
	# test: by fresh_scratch where it is under /tmp, otherwise by an empty
	# read-only tmpfs on top. This script reads on from its open descriptor,
	# the lanes run a copy of it (root's alone), and the suites run from the
	# copy in WORK.
	mkdir -m 0700 "$work/sandbox" && cp -- "$self" "${self%/*}/lab.conf" "$work/sandbox/" ||
		die "cannot copy the sandbox into $work"
	self=$work/sandbox/${self##*/}
	fresh_scratch --hide-host
	hide_private
	if [[ -n ${GRADE_ROOT:-} && -d $GRADE_ROOT && $work/ != "$GRADE_ROOT"/* ]]; then
		mount -t tmpfs -o ro,size=4k,mode=0755 tmpfs "$GRADE_ROOT" || die "cannot hide $GRADE_ROOT"
	fi
}

# lane N PARTS: run the comma-separated PARTS (each PART:BOUND:SUITE+SUITE)
# one after another, each part's suites with a bats of their own, as lane N,
# from its own scratch directory. Part P writes its TAP to WORK/tap.P
# (root's alone). One that runs past its BOUND seconds is stopped
# (stop_part) and WORK/stopped.P says so: its tests not yet reported score
# 0, and the next part runs.
lane() {
	local n=$1 unit part bound status name
	local -a units names suites
	IFS=, read -ra units <<<"${2:-}"
	if [[ ${GRADE_ISOLATED:-0} == 1 ]]; then
		# PID 1 of the lane's own namespaces (lane_ns, below).
		(($$ == 1)) || die "a lane is not PID 1 of fresh namespaces"
		bind_accounts "$n"
		fresh_scratch
		id -u ipc-student >/dev/null 2>&1 || die "lane $n has no accounts"
	fi
	# No parts: the probe's lane, set up and done.
	((${#units[@]})) || return 0
	export LAB_DIR=$work/sub LAB_RUNNER=ipc-student LAB_OWNER=ipc-owner LAB_CONFINE=1
	export LAB_NONET=$work/bin/nonet
	# LAB_CFLAGS: the suites build their own fixtures with the lab's flags.
	export LAB_BOUND LAB_SECRET LAB_TREASURE LAB_CFLAGS TMPDIR=$work/tmp/$n BATS_TEST_TIMEOUT=60
	cd "$TMPDIR" || die "no scratch directory for lane $n"
	for unit in "${units[@]}"; do
		part=${unit%%:*} unit=${unit#*:}
		bound=${unit%%:*}
		IFS=+ read -ra names <<<"${unit#*:}"
		suites=()
		for name in "${names[@]}"; do suites+=("$work/tests/$name.bats"); done
		(umask 077 && : >"$work/tap.$part") || die "cannot make $work/tap.$part"
		part_scratch "$n" "$part"
		status=0
		# --foreground: bats stays in the sandbox's process group, which
		# the grader kills whole should the submission's bound run out.
		timeout --foreground --kill-after=5 "$bound" bats --tap "${suites[@]}" \
			>>"$work/tap.$part" 2>&1 || status=$?
		if ((status == 124 || status == 137)); then
			echo "$bound" >"$work/stopped.$part"
			stop_part
		fi
		cd "$work/tmp/$n" || die "cannot leave the scratch space of $part"
		# Its memory back (a tmpfs of its own, in a namespace).
		! mountpoint -q "$TMPDIR" || umount -l "$TMPDIR"
	done
}

# part_scratch N PART: the scratch space of PART's suites (TMPDIR, the
# directory they work from), where the student's programs are built and
# run. In a namespace, a tmpfs of its own, bounded in size and in files as
# the scratch directories are: a part that fills it costs only its own
# tests, and the machine's disk never sees a byte.
part_scratch() {
	export TMPDIR=$work/tmp/$1/$2
	mkdir -m 0711 "$TMPDIR" || die "cannot make $TMPDIR"
	if [[ ${GRADE_ISOLATED:-0} == 1 ]]; then
		mount -t tmpfs -o size=512m,nr_inodes=65536,mode=0711,nosuid,nodev tmpfs "$TMPDIR" ||
			die "cannot mount a tmpfs on $TMPDIR"
	fi
	cd "$TMPDIR" || die "no scratch directory for $2"
}

# stop_part: after a part was stopped, what its suites left running or
# holding goes, before the next part: in a namespace, every other process of the
# lane's (the lane is its PID 1); in a container, every other process of
# our process group but the sandbox's own; everywhere, the test accounts'
# processes and IPC objects.
stop_part() {
	local stat pid fields
	if [[ ${GRADE_ISOLATED:-0} == 1 ]]; then
		kill -KILL -1 2>/dev/null
	else
		read -r stat <"/proc/$BASHPID/stat"
		read -ra fields <<<"${stat##*) }"
		local group=${fields[2]}
		for stat in /proc/[0-9]*/stat; do
			pid=${stat#/proc/} pid=${pid%/stat}
			[[ $pid == "$BASHPID" || $pid == "$PPID" ]] && continue
			{ read -r stat <"$stat"; } 2>/dev/null || continue
			read -ra fields <<<"${stat##*) }"
			[[ ${fields[2]} == "$group" ]] && kill -KILL "$pid" 2>/dev/null
		done
	fi
	# shellcheck source=tests/helpers/accounts.bash
	source "$work/tests/helpers/accounts.bash"
	sweep_accounts 5 "${TEST_ACCOUNTS[@]}"
}

if [[ $mode == lane ]]; then
	lane "$@"
	exit
fi

# The submission's control group (grader/cgroup.py), joined before anything
# else runs: all that runs here is in it, and bounded with it.
if [[ $mode == run ]]; then
	for f in ${GRADE_CGROUP_PROCS:-}; do
		echo "$$" >"$f" || die "cannot join the submission's control group ($f)"
	done
fi

if [[ $mode == probe && ${GRADE_ISOLATED:-0} != 1 ]]; then
	die "--probe needs GRADE_ISOLATED=1"
fi
if [[ ${GRADE_ISOLATED:-0} == 1 ]]; then
	isolate
fi
read -ra lane_ns <<<"unshare $GRADE_LANE_UNSHARE --kill-child --propagation private"
((${GRADE_ISOLATED:-0} == 1)) || lane_ns=()

# account NAME UID [useradd options]: make NAME unless it exists, and list it
# in WORK/made-accounts first. User IDs are distinct per job, and per
# grader (GRADE_UID_FIRST), so limits on processes and the clean-up by user
# ID never reach another job's processes.
account() {
	local name=$1 uid=$2
	shift 2
	id -u "$name" >/dev/null 2>&1 && return 0
	[[ ${GRADE_ISOLATED:-0} != 1 ]] || die "the account $name is missing from the copy of /etc"
	echo "$name" >>"$work/made-accounts" || die "cannot write $work/made-accounts"
	while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do
		uid=$((uid + 100))
	done
	useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		--uid "$uid" --user-group "$@" "$name" ||
		die "useradd $name failed"
}
# In a container, the accounts are made here, with user IDs from the job's
# base; in a namespace they are in the lane's copy of /etc already.
uid=${GRADE_UID_FIRST:-$GRADE_UID_BASE}
for a in $GRADE_ACCOUNTS; do
	if [[ $a == *:* ]]; then
		account "${a%%:*}" "$uid" --groups "${a#*:}"
	else
		account "$a" "$uid"
	fi
	uid=$((uid + 1))
done
if [[ $mode == probe ]]; then
	# The namespace, its mounts and its accounts, and each lane's: the
	# set-up works here.
	for dir in "$GRADE_ACCOUNT_FILES"/*/; do
		dir=${dir%/}
		"${lane_ns[@]}" bash "$self" --lane "$work" "${dir##*/}" || exit 3
	done
	exit 0
fi

# Nothing of ours is writable by the test accounts; the submission is readable.
chown -R root:root "$work"
chmod 0711 "$work" "$work/tmp"
chmod 0700 "$work/tests"
chmod -R u+rwX,go+rX,go-w "$work/sub"

# The network filter, root's, which the test accounts may only run. Without
# it nothing is graded: in a container it is all that keeps the network away.
if [[ ! -x $work/bin/nonet ]]; then
	source "$work/tests/helpers/nonet.bash"
	mkdir -p "$work/bin" && chmod 0755 "$work/bin" || die "cannot make $work/bin"
	nonet_build "$work/bin" 2>"$work/bin/build.log" ||
		die "cannot build the network filter: $(head -c 300 "$work/bin/build.log" | tr '\n' ' ')"
fi
setpriv --reuid=ipc-student --regid=ipc-student --clear-groups "$work/bin/nonet" true ||
	die "cannot apply the network filter (seccomp) as ipc-student"

# The lanes, side by side; each one's TAP in WORK/tap.N, root's alone.
pids=()
n=0
for suites; do
	mkdir -m 0711 "$work/tmp/$n" && (umask 077 && : >"$work/tap.$n") ||
		die "cannot make lane $n's files in $work"
	"${lane_ns[@]}" bash "$self" --lane "$work" "$n" "$suites" >>"$work/tap.$n" 2>&1 &
	pids+=($!)
	n=$((n + 1))
done
status=0
n=0
for pid in "${pids[@]}"; do
	wait "$pid"
	case $? in
	0) ;;
	3)
		# The lane's set-up failed: its Bail out! line says why.
		grep -m1 '^Bail out!' "$work/tap.$n" || echo "Bail out! sandbox: lane $n could not be set up"
		exit 3
		;;
	*) status=1 ;;
	esac
	n=$((n + 1))
done

# Whatever a test left behind (it should not).
sweep
exit "$status"
