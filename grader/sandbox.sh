#!/usr/bin/env bash
# sandbox.sh WORK SUITE... - run our suites against one prepared submission.
# sandbox.sh --probe WORK   - set up the namespace sandbox, make an account, stop.
# sandbox.sh --sweep WORK   - in a container, undo what a killed sandbox left.
#
# Called by ./grade as root, never by hand. WORK, made by the grader, holds:
#   sub/    the submission's files (a copy; the student's code is run from there)
#   tests/  our suites and helpers (root only: code under test cannot read them)
#   tmp/    scratch space for the suites
# The TAP stream of the suites is written to stdout and nowhere else.
#
# With GRADE_ISOLATED=1 the grader has started this script as PID 1 of fresh
# mount, PID, network and IPC namespaces: the accounts made here live in a
# private copy of /etc that vanishes with the namespace, there is no network,
# no SysV IPC object or POSIX message queue of another submission (or of the
# machine) is in sight, /dev/shm and /dev/mqueue are fresh mounts, and every
# process and IPC object left over dies with us. Otherwise (inside a
# container, where the container is the namespace) the accounts are made in
# the container's /etc, and after each test, and once more at the end, every
# process and IPC object of the test accounts is removed (accounts.bash).
# In both, code under test runs under the network filter built here in
# WORK/bin (tests/helpers/nonet.c): no socket but AF_UNIX, whatever network
# the container has.
# The grader runs --probe once, before any student code, to learn whether
# that set-up works here; it touches nothing outside the namespace. In a
# container, when the grader had to kill a sandbox (its time bound, or the
# grader itself stopped), the sandbox never reached its final sweep: the
# grader runs --sweep on the same WORK, which removes the test accounts'
# processes, IPC objects and files, and the accounts the sandbox made
# (listed in WORK/made-accounts as they are made, a half-made one too).
#
# Exit status 3 (with a "Bail out!" line) when the sandbox cannot be set up.
#
# Environment: GRADE_JOB (a small integer, for distinct user IDs),
# GRADE_ISOLATED, GRADE_ROOT (the grader's tree), LAB_BOUND, LAB_SECRET,
# LAB_TREASURE.

set -u
mode=run
if [[ ${1:-} == --probe || ${1:-} == --sweep ]]; then
	mode=${1#--}
	shift
fi
work=$1
shift
# shellcheck source=grader/lab.conf
source "${BASH_SOURCE[0]%/*}/lab.conf"

die() {
	echo "Bail out! sandbox: $*"
	exit 3
}

# The scratch directories every user may write to: private tmpfs mounts in a
# namespace; in a container, swept of the test accounts' files.
SCRATCH_DIRS=(/tmp /var/tmp /dev/shm /run/lock)

# The test accounts: the grader's own two, and the handout's garfield and the
# attacker nermal (tests/helpers/lab.bash, LAB_ACCOUNTS).
TEST_ACCOUNTS=(ipc-student ipc-owner garfield nermal)

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

# isolate: make the mounts that keep this namespace's submission to itself.
isolate() {
	# Mounts made outside a fresh namespace would change the machine itself.
	(($$ == 1)) || die "GRADE_ISOLATED=1, but not PID 1 of a fresh namespace"
	# A private copy of /etc on a tmpfs, bound over /etc: the accounts made
	# here exist only in this namespace, and the real /etc is never written.
	# Unlike an overlay, this works where / is an overlay itself (a privileged
	# container). /etc is small: the copy takes a few tens of milliseconds.
	mkdir "$work/etc" || die "cannot make $work/etc"
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$work/etc" || die "cannot mount a tmpfs for a copy of /etc"
	cp -a /etc/. "$work/etc/" || die "cannot copy /etc"
	mount --bind "$work/etc" /etc || die "cannot bind the copy of /etc over /etc"
	umount "$work/etc" || die "cannot unmount $work/etc"
	rmdir "$work/etc"
	# Private, size-bounded scratch directories: whatever code under test writes
	# to /tmp and the like vanishes with the namespace. WORK itself may live in
	# /tmp, so it is set aside on /mnt (private to this namespace) meanwhile.
	mount --bind "$work" /mnt || die "cannot bind $work"
	for d in "${SCRATCH_DIRS[@]}"; do
		[[ -d $d ]] || continue
		mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tmpfs "$d" || die "cannot mount a tmpfs on $d"
	done
	mkdir -p "$work" && mount --move /mnt "$work" || die "cannot bring $work back"
	# An mqueue filesystem shows the POSIX message queues of the IPC namespace
	# that mounts it: a fresh one on /dev/mqueue shows this submission's own
	# (GRADE_UNSHARE has --ipc), for code under test and for the clean-up
	# after each test (remove_ipc_of). A missing /dev/mqueue is made, as
	# systemd would: /dev is the machine's, so it stays there, empty. Where it
	# cannot be made, the queues are out of sight but still die with the
	# namespace.
	[[ -d /dev/mqueue ]] || mkdir -m 0755 /dev/mqueue 2>/dev/null
	if [[ -d /dev/mqueue ]]; then
		mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue ||
			die "cannot mount a fresh mqueue filesystem on /dev/mqueue"
	fi
	# The grader's own tree (its tests, its rubric) is hidden from code under
	# test: an empty read-only tmpfs on top. This script reads on from its
	# open descriptor; the suites run from the copy in WORK.
	if [[ -n ${GRADE_ROOT:-} && -d $GRADE_ROOT && $work/ != "$GRADE_ROOT"/* ]]; then
		mount -t tmpfs -o ro,size=4k,mode=0755 tmpfs "$GRADE_ROOT" || die "cannot hide $GRADE_ROOT"
	fi
}

if [[ $mode == probe && ${GRADE_ISOLATED:-0} != 1 ]]; then
	die "--probe needs GRADE_ISOLATED=1"
fi
if [[ ${GRADE_ISOLATED:-0} == 1 ]]; then
	isolate
fi

# account NAME UID [useradd options]: make NAME unless it exists, and list it
# in WORK/made-accounts first. User IDs are distinct per job, so limits on
# processes and the clean-up by user ID never reach another job's processes.
account() {
	local name=$1 uid=$2
	shift 2
	id -u "$name" >/dev/null 2>&1 && return 0
	echo "$name" >>"$work/made-accounts" || die "cannot write $work/made-accounts"
	while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do
		uid=$((uid + 100))
	done
	useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		--uid "$uid" --user-group "$@" "$name" ||
		die "useradd $name failed"
}
base=$((GRADE_UID_BASE + 10 * ${GRADE_JOB:-0}))
if [[ $mode == probe ]]; then
	# The accounts can be made in the private /etc: the set-up works here.
	account ipc-probe "$base"
	exit 0
fi
account ipc-student "$base"
account ipc-owner "$((base + 1))"
# The suites make garfield and nermal only when they are missing: made here,
# they get user IDs of the grader's range, and the sweep removes them.
account garfield "$((base + 2))" --groups users
account nermal "$((base + 3))" --groups users

# Nothing of ours is writable by the test accounts; the submission is readable.
chown -R root:root "$work"
chmod 0711 "$work" "$work/tmp"
chmod 0700 "$work/tests"
chmod -R u+rwX,go+rX,go-w "$work/sub"

# The network filter, root's, which the test accounts may only run. Without
# it nothing is graded: in a container it is all that keeps the network away.
source "$work/tests/helpers/nonet.bash"
mkdir -m 0755 "$work/bin" || die "cannot make $work/bin"
nonet_build "$work/bin" 2>"$work/bin/build.log" ||
	die "cannot build the network filter: $(head -c 300 "$work/bin/build.log" | tr '\n' ' ')"
setpriv --reuid=ipc-student --regid=ipc-student --clear-groups "$work/bin/nonet" true ||
	die "cannot apply the network filter (seccomp) as ipc-student"
export LAB_NONET=$work/bin/nonet

suites=()
for s; do suites+=("$work/tests/$s.bats"); done

export LAB_DIR=$work/sub LAB_RUNNER=ipc-student LAB_OWNER=ipc-owner LAB_CONFINE=1
# LAB_CFLAGS: the suites build their own fixtures with the lab's flags.
export LAB_BOUND LAB_SECRET LAB_TREASURE LAB_CFLAGS TMPDIR=$work/tmp BATS_TEST_TIMEOUT=60
cd "$work/tmp" || die "no scratch directory"
bats --tap "${suites[@]}"
status=$?

# Whatever a test left behind (it should not).
sweep
exit "$status"
