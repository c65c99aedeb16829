#!/usr/bin/env bats
# reference.bats - what the reference solution does beyond the handout.
#
# These tests hold this lab's own listener.c and cat.py to more than the
# handout asks of a student (the grader does not run them). The listener
# shows its PID at once and handles SIGINT even when started with it ignored.
# cat.py has one flaw only, the path traversal: bounded input, streamed
# output, no hang on special files, and MEOW, never a traceback, for any input.

load ../tests/helpers/lab
load ../tests/helpers/listener

setup_file() {
	listener_build
}

teardown_file() {
	listener_clean
}

# has_pid_line: the listener's PID line is already in its output file.
has_pid_line() {
	grep -qx "Listener PID: $PID" "$OUT"
}

@test "the listener's PID line is visible at once, though stdout is a file" {
	start_listener
	wait_until has_pid_line ||
		fail "$(printf 'expected: "Listener PID: %s" in the output before any signal
actual:   after %s s the output holds: %s
hint:     stdout to a file is fully buffered; make it line-buffered' "$PID" "$LAB_BOUND" "$(head -c 200 "$OUT")")"
	signal_listener USR1
}

@test "the listener handles SIGINT though it was started with SIGINT ignored" {
	start_listener
	signal_listener INT
	assert_output --partial "SIGINT received!"
	[[ $STATUS -eq 1 ]] || fail "expected: exit status 1 after SIGINT; actual: $STATUS"
}

setup() {
	lab_workspace
}


# feed_cat FILE: cat.py with FILE as its whole stdin, run as the runner.
feed_cat() {
	(cd "$LAB_WS" && lab_run_bounded "$LAB_RUNNER" python3 cat.py <"$1")
}

@test "a name longer than PATH_MAX gets MEOW and a reason" {
	head -c 200000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/long"
	run -0 feed_cat "$BATS_TEST_TMPDIR/long"
	assert_output "MEOW file name too long: more than 4096 bytes on stdin"
}

@test "endless input gets MEOW at once: stdin is read with a bound" {
	run -0 feed_cat /dev/zero
	assert_output "MEOW file name too long: more than 4096 bytes on stdin"
}

@test "a FIFO in the litterbox gets MEOW instead of a hang" {
	mkfifo "$LAB_WS/litterbox/pipe"
	run -0 lab_cat "$LAB_RUNNER" pipe
	assert_output "MEOW [Errno 22] Not a regular file: './litterbox/pipe'"
}

@test "/dev/zero reached through ../ gets MEOW instead of endless output" {
	run -0 lab_cat "$LAB_RUNNER" ../../../../../../../../dev/zero
	assert_output --regexp "^MEOW \[Errno 22\] Not a regular file: "
}

@test "the litterbox itself (empty input) gets MEOW: Is a directory" {
	run -0 feed_cat /dev/null
	assert_output "MEOW [Errno 21] Is a directory: './litterbox/'"
}

@test "a NUL byte in the name gets MEOW, not a traceback" {
	printf 'treasure.txt\0x' >"$BATS_TEST_TMPDIR/nul"
	run -0 feed_cat "$BATS_TEST_TMPDIR/nul"
	assert_output "MEOW embedded null byte"
}

@test "invalid UTF-8 in the name gets MEOW, not a traceback" {
	printf '\xff\xfe.txt' >"$BATS_TEST_TMPDIR/bad"
	run -0 feed_cat "$BATS_TEST_TMPDIR/bad"
	assert_output "MEOW [Errno 2] No such file or directory: './litterbox/\udcff\udcfe.txt'"
}

@test "a large file is streamed whole and byte for byte" {
	head -c 3000000 /dev/urandom >"$LAB_WS/litterbox/big.bin"
	(cd "$LAB_WS" && printf 'big.bin' | (lab_exec --bounded "$LAB_RUNNER" python3 cat.py) >"$BATS_TEST_TMPDIR/copy")
	cmp "$LAB_WS/litterbox/big.bin" "$BATS_TEST_TMPDIR/copy"
}

@test "the listener exits 2, a status of its own, when it cannot write its PID line" {
	require_listener
	# stdout closed: printf fails, and that must not look like "SIGINT" (1).
	run -2 --separate-stderr bash -c 'cd "$1" && exec >&- && exec timeout "$2" ./listener' _ "$LISTENER_BUILD" "$LAB_BOUND"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ $stderr == *"listener: printf"* ]] ||
		fail "expected: a message naming the failed call on stderr; actual: '$stderr'"
}
