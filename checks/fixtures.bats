#!/usr/bin/env bats
# fixtures.bats - the suites' own programs are out of the test accounts' reach.
#
# A self-check of build_fixture and lab_exec (tests/helpers/build.bash,
# helpers/lab.bash, helpers/fixexec.c; not graded). The optional parts'
# suites run programs of theirs (counterparts, hostile peers) as the very
# account that runs the student's code. A student's program that could
# find or run one could take its points. As root, the account here is
# "nobody", as a test account would be. And what the suites count of an
# account's IPC objects (helpers/shm.bash's objects_of).

load ../tests/helpers/lab
load ../tests/helpers/listener
load ../tests/helpers/build

setup_file() {
	((EUID == 0)) || return 0
	FIX_BUILD=$(build_dir fixtures)
	export FIX_BUILD
	# A program of ours that says its PID, then waits for a signal.
	printf '%s\n' '#define _POSIX_C_SOURCE 200809L' '#include <stdio.h>' '#include <unistd.h>' \
		'int main(void) { printf("Fixture PID: %d\n", (int)getpid()); fflush(stdout); pause(); return 0; }' \
		>"$BATS_FILE_TMPDIR/waiter.c"
	build_fixture "$FIX_BUILD" waiter "$BATS_FILE_TMPDIR/waiter.c"
}

teardown_file() {
	((EUID == 0)) || return 0
	rm -rf -- "$FIX_BUILD"
}

setup() {
	((EUID == 0)) || skip "needs root: the account must be another user's"
	[[ -x $FIX_BUILD/fixtures/waiter ]] || fail "the fixture does not build: $(cat "$BATS_FILE_TMPDIR/fixtures.log")"
	ACCOUNT=65534
}

# start_waiter: our fixture, as the account, through lab_exec. Sets PID, OUT.
start_waiter() {
	OUT=$BATS_TEST_TMPDIR/waiter.out
	(cd / && lab_exec "$ACCOUNT" "$FIX_BUILD/fixtures/waiter") >"$OUT" 2>&1 &
	PID=$!
	LAB_PIDS+=("$PID")
	waiter_ready() { [[ $(head -n 1 "$OUT") == "Fixture PID: $PID" ]] || exited "$PID"; }
	wait_until waiter_ready && ! exited "$PID" ||
		fail "the fixture did not start: $(head -c 300 "$OUT")"
}

# as_account SCRIPT [ARG...]: sh -c SCRIPT as the account, bounded; its
# stdout and stderr.
as_account() {
	local script=$1
	shift
	(cd / && lab_run_bounded "$ACCOUNT" sh -c "exec 2>&1; $script" sh "$@")
}

@test "the account can neither list, nor run, nor read one of our programs by its path" {
	run ! as_account 'ls "$1"' "$FIX_BUILD/fixtures"
	assert_output --partial "Permission denied"
	run -126 as_account '"$1"' "$FIX_BUILD/fixtures/waiter"
	assert_output --partial "Permission denied"
	run -1 as_account 'cat "$1"' "$FIX_BUILD/fixtures/waiter"
	assert_output --partial "Permission denied"
	# Control: what the account may run sits beside it, in student/.
	cp /bin/true "$FIX_BUILD/student/true"
	run -0 as_account '"$1"' "$FIX_BUILD/student/true"
}

@test "our program runs as the account, yet its /proc/PID/exe, mem and fd are closed to that account" {
	start_waiter
	run -0 awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$PID/status"
	assert_output "$ACCOUNT $ACCOUNT $ACCOUNT $ACCOUNT"
	run -1 as_account 'cat "/proc/$1/exe" >/dev/null' "$PID"
	assert_output --partial "Permission denied"
	run -1 as_account 'cat "/proc/$1/mem" >/dev/null' "$PID"
	assert_output --partial "Permission denied"
	run ! as_account 'ls "/proc/$1/fd/"' "$PID"
	assert_output --partial "Permission denied"
	# Control: a program of the account's own is open to it through /proc:
	# here the shell that runs cmp, already running its own program (a
	# child just forked would still be a copy of the shell until its exec).
	run -0 as_account 'cmp "/proc/$$/exe" "$(readlink -f /bin/sh)"'
}

@test "objects_of counts a segment until its removal, though a program has it attached still" {
	# A program of ours makes a segment, gives it to the account (IPC_SET),
	# attaches it and runs CHECK; removes it (IPC_RMID: while attached, it is
	# only marked for removal, and its key is 0) and runs CHECK again; and
	# only then exits. CHECK: how many of the account's objects_of counts.
	printf '%s\n' '#define _DEFAULT_SOURCE' '#include <stdlib.h>' '#include <sys/shm.h>' \
		'int main(int argc, char **argv) {' \
		'	struct shmid_ds ds;' \
		'	int id = shmget(IPC_PRIVATE, 4096, 0600);' \
		'	if (argc != 3 || id < 0 || shmctl(id, IPC_STAT, &ds) < 0) return 1;' \
		'	ds.shm_perm.uid = (uid_t)atoi(argv[1]);' \
		'	if (shmctl(id, IPC_SET, &ds) < 0 || shmat(id, NULL, 0) == (void *)-1 || system(argv[2]) != 0) return 1;' \
		'	if (shmctl(id, IPC_RMID, NULL) < 0 || system(argv[2]) != 0) return 1;' \
		'	return 0;' '}' >"$BATS_TEST_TMPDIR/attached.c"
	lab_cc "$BATS_TEST_TMPDIR/attached" "$BATS_TEST_TMPDIR/attached.c" ||
		fail "our program does not build: $(cat "$BATS_FILE_TMPDIR/fixtures.log")"
	printf '%s\n' 'source "$1"' 'objects_of "$2"' >"$BATS_TEST_TMPDIR/check"
	run -0 "$BATS_TEST_TMPDIR/attached" "$ACCOUNT" \
		"bash $BATS_TEST_TMPDIR/check $BATS_TEST_DIRNAME/../tests/helpers/shm.bash $ACCOUNT"
	[[ ${#lines[@]} == 2 ]] || fail "expected: two counts; actual: $output"
	# Attached and not removed, it counts; removed, it counts no more.
	((lines[0] == lines[1] + 1)) || fail "$(printf 'expected: one segment fewer once removed\nactual:   %s, then %s' "${lines[0]}" "${lines[1]}")"
}
