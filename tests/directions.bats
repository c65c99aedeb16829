#!/usr/bin/env bats
# directions.bats - "Submission directions followed" (5 points in the handout).
#
# Checks the submission's layout as the handout's Part 0 asks for it. A test
# script may be the handout's test_NAME.sh or this lab's tests/NAME.bats.

load helpers/lab

# The test scripts asked for: one per suite of the graded parts (the grader
# says which in LAB_SCRIPTS; by default, those of the rubric's default parts).
setup_file() {
	if [[ -z ${LAB_SCRIPTS+set} ]]; then
		LAB_SCRIPTS=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import rubric
print(" ".join(rubric.scripts(rubric.select(rubric.load()))))' "$LAB_TESTS/../grader")
		export LAB_SCRIPTS
	fi
}

setup() {
	lab_trace_body
	read -ra TEST_NAMES <<<"$LAB_SCRIPTS"
}

# test_script NAME: the submission's test script for NAME, if any.
test_script() {
	local f
	for f in "test_$1.sh" "tests/$1.bats"; do
		[[ -f $LAB_DIR/$f ]] && { echo "$f"; return 0; }
	done
	return 1
}

# uncommented_line REGEX: a line of .gitlab-ci.yml, not a comment, matches.
uncommented_line() {
	grep -vE '^[[:space:]]*#' "$LAB_DIR/.gitlab-ci.yml" | grep -qE "$1"
}

# make_as_runner: make in the workspace, as the runner, within 20 s. Its output
# goes through a file: a process make leaves behind cannot hold the test open.
make_as_runner() {
	local log=$BATS_TEST_TMPDIR/make.log status=0
	(cd "$LAB_WS" && LAB_BOUND=20 lab_exec --bounded "$LAB_RUNNER" make) >"$log" 2>&1 </dev/null || status=$?
	head -c 2048 "$log"
	return "$status"
}

@test "the required files are present" {
	local missing=() f name
	for f in listener.c cat.py Makefile secret.txt litterbox/treasure.txt .gitignore .gitlab-ci.yml; do
		[[ -f $LAB_DIR/$f ]] || missing+=("$f")
	done
	for name in "${TEST_NAMES[@]}"; do
		test_script "$name" >/dev/null || missing+=("test_$name.sh")
	done
	((${#missing[@]} == 0)) || fail "expected: the handout's files; missing: ${missing[*]}"
}

@test ".gitignore ignores the build outputs" {
	expect_ignored "listener, output.log, .bash_history and *.pyc" \
		"the handout lists listener, output.log, .bash_history, *.pyc" \
		listener output.log .bash_history __pycache__/cat.cpython-311.pyc
}

@test "the CI config runs every test, none commented out" {
	[[ -f $LAB_DIR/.gitlab-ci.yml ]] || fail "expected: a .gitlab-ci.yml; there is none"
	# One command that runs them all counts for all of them.
	uncommented_line '(^|[^[:alnum:]_-])(make( -[^ ]+)* test|bats( [^ ]+)* tests/?)([[:space:]]|$)' && return 0
	local name script missing=()
	for name in "${TEST_NAMES[@]}"; do
		script=$(test_script "$name") || script=test_$name.sh
		uncommented_line "(^|[^[:alnum:]_])${script//./\\.}([^[:alnum:]_]|$)" || missing+=("$script")
	done
	((${#missing[@]} == 0)) ||
		fail "$(printf 'expected: .gitlab-ci.yml to run every test script\nactual:   not run (missing or commented out): %s' "${missing[*]}")"
}

@test "secret.txt and litterbox/treasure.txt hold the handout's text" {
	local -A want=([secret.txt]="Hey! This is a secret!" [litterbox/treasure.txt]="Treasure found!")
	local f got wrong=()
	for f in "${!want[@]}"; do
		got=$(head -c 4096 "$LAB_DIR/$f" 2>/dev/null) || got="(missing)"
		got=$(printf '%s' "$got" | sed -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//')
		[[ $got == "${want[$f]}" ]] || wrong+=("$f: expected '${want[$f]}', found '${got:0:80}'")
	done
	((${#wrong[@]} == 0)) || fail "$(printf '%s\n' "${wrong[@]}")"
}

@test "make builds listener" {
	[[ -f $LAB_DIR/Makefile || -f $LAB_DIR/makefile ]] || fail "expected: a Makefile; there is none"
	# In a copy the runner owns: the build runs as the runner, never as root.
	LAB_WS=$(mktemp -d "${TMPDIR:-/tmp}/ipc-make.XXXXXX")
	cp -a -- "$LAB_DIR/." "$LAB_WS/"
	rm -f -- "$LAB_WS/listener"
	chown -R "$LAB_RUNNER" "$LAB_WS"
	run make_as_runner
	[[ -f $LAB_WS/listener && -x $LAB_WS/listener ]] ||
		fail "$(printf 'expected: `make` to build ./listener\nactual:   status %s, no executable listener. make said:\n%s' "$status" "$output")"
}
