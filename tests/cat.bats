#!/usr/bin/env bats
# cat.bats - Part 2: cat.py prints files from the litterbox (test_cat.sh).

load helpers/lab

setup() {
	lab_trace_body
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

# The handout wraps the read in try/except and answers MEOW in the handler:
# every error, not only the two its examples show. A directory is one more.
@test "cat.py answers MEOW for any other error too: a directory, exit 0" {
	run -0 lab_cat "$LAB_RUNNER" .
	[[ $output == "MEOW "?* && $output != *$'\n'* ]] ||
		fail "$(printf "expected: one line \"MEOW <the error>\" and exit 0 for ./litterbox/., a directory\nactual:   %s\nhint:     does the except clause catch every error (except Exception), or only FileNotFoundError?" "$(head -c 300 <<<"$output" | cat -v)")"
}
