#!/usr/bin/env bats
# cat.bats - Part 2: cat.py prints files from the litterbox (test_cat.sh).

load helpers/lab

setup() {
	lab_workspace
}

@test "cat.py prints litterbox/treasure.txt exactly" {
	run -0 lab_cat "$LAB_RUNNER" treasure.txt
	assert_output "$LAB_TREASURE"
}

@test "cat.py answers MEOW with the error for a missing file" {
	run -0 lab_cat "$LAB_RUNNER" no-such-file.txt
	assert_output "MEOW [Errno 2] No such file or directory: './litterbox/no-such-file.txt'"
}
