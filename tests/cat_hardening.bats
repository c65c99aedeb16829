#!/usr/bin/env bats
# cat_hardening.bats - the reference cat.py has one flaw only: the path traversal.
#
# These tests hold the reference solution to more than the handout asks of a
# student (the grader does not run them): bounded input, streamed output, no
# hang on special files, and MEOW, never a traceback, for any input.

load helpers/lab

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
