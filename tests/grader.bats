#!/usr/bin/env bats
# grader.bats - self-tests of ./grade on the sample submissions in tests/samples/.
#
# tests/samples/handout/ is a submission written exactly as the handout
# instructs; the others are overlays on it (tests/samples/assemble).
# tests/samples/expected.csv holds the scores each sample must get.
#
# GRADER_SAMPLES="NAME..." grades only those samples (the mutants use it).

load helpers/lab

ROOT=${LAB_TESTS%/*}
SAMPLES=$LAB_TESTS/samples

# make_sample NAME DEST: assemble sample NAME as a submission in DEST/NAME.
make_sample() {
	"$SAMPLES/assemble" "$1" "$2"
}

setup() {
	((EUID == 0)) || skip "the grader needs root: run 'sudo make test', or 'docker run --rm ipc-lab make test'"
}

# processes still running under the grader's test accounts' user IDs
grader_processes() {
	ps -eo uid=,pid=,comm= | awk '$1 >= 62000 && $1 < 63000'
}

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
setup_file() {
	((EUID == 0)) || return 0
	local dir=$BATS_FILE_TMPDIR/samples name
	mkdir "$dir"
	while IFS=, read -r name _; do
		[[ $name == submission ]] && continue
		[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" $name "* ]] || continue
		make_sample "$name" "$dir"
	done <"$SAMPLES/expected.csv"
	sha256sum /etc/passwd /etc/group >"$BATS_FILE_TMPDIR/accounts.sha256"
	grader_processes >"$BATS_FILE_TMPDIR/before.ps"
	# One class, graded in parallel, with every output the grader writes.
	"$ROOT/grade" --jobs 2 --csv "$BATS_FILE_TMPDIR/class.csv" \
		--results "$BATS_FILE_TMPDIR/results" --junit "$BATS_FILE_TMPDIR/junit.xml" \
		"$dir"/* >"$BATS_FILE_TMPDIR/report" 2>"$BATS_FILE_TMPDIR/stderr" &&
		echo 0 >"$BATS_FILE_TMPDIR/status" || echo $? >"$BATS_FILE_TMPDIR/status"
}

class_size() {
	find "$BATS_FILE_TMPDIR/samples" -mindepth 1 -maxdepth 1 | wc -l
}

# expect_scores GLOB...: the class's CSV rows for samples matching a GLOB
# are the rows of expected.csv, one by one.
expect_scores() {
	local name want got wrong=() n=0 glob hit
	while IFS= read -r want; do
		name=${want%%,*}
		hit=0
		for glob; do
			# shellcheck disable=SC2053 # a glob on purpose
			[[ $name == $glob ]] && hit=1
		done
		[[ $name != submission ]] && ((hit)) || continue
		[[ -d $BATS_FILE_TMPDIR/samples/$name ]] || continue
		n=$((n + 1))
		got=$(awk -F, -v n="$name" '{ k = $1; sub(/.*\//, "", k) } k == n { sub(/^[^,]*,/, ""); print }' "$BATS_FILE_TMPDIR/class.csv")
		[[ "$name,$got" == "$want" ]] || wrong+=("$name: expected $want, got ${got:-no row}")
	done <"$SAMPLES/expected.csv"
	((n > 0)) || fail "no sample matches $*"
	((${#wrong[@]} == 0)) || fail "$(printf 'scores (directions,part1,part2,total) differ from expected.csv:\n'; printf '  %s\n' "${wrong[@]}"; printf '\nreport:\n'; cat "$BATS_FILE_TMPDIR/report")"
}

@test "the reference solution gets 25/25 and exit status 0" {
	run -0 "$ROOT/grade" "$ROOT"
	assert_line "Total: 25/25"
}

@test "the handout's own solution (printf in handlers, signal(), pause()) gets full marks" {
	expect_scores handout
}

@test "broken submissions lose exactly the points of what is broken" {
	expect_scores '[!h]*' hardcoded-answers
}

@test "hostile submissions lose their points and the grader carries on" {
	expect_scores 'hostile-*'
}

@test "student code runs under the grader's unprivileged accounts, never as root" {
	expect_scores probe-identity
	# The probe prints its identity; the report quotes it for the failed tests.
	run -0 grep -o 'probe: uid=[0-9]*' "$BATS_FILE_TMPDIR/report"
	refute_line "probe: uid=0"
	assert_line --regexp '^probe: uid=620[0-9][0-9]$'
}

@test "student code can read neither the grader's tests nor its rubric" {
	expect_scores probe-identity
	# The probe lists every suite or rubric it can read, wherever it is. The
	# grader's own: its tree (ROOT) and the copy it runs (ipc-grade.*/tests).
	# Other copies of the lab on this machine are not the grader's to hide.
	# In a container (no namespaces), only the image's permissions hide the
	# tree: a checkout of the lab there is as readable as any other file.
	run -0 grep -o 'probe: [a-z]* .*' "$BATS_FILE_TMPDIR/report"
	assert_line --regexp '^probe: searched [1-9][0-9]* directories'
	refute_line --regexp '^probe: read .*/ipc-grade\.[^/]*/'
	if unshare --mount --pid --fork --net --mount-proc true 2>/dev/null || [[ $ROOT == /opt/ipc-lab ]]; then
		refute_line --partial "probe: read $ROOT/"
	fi
}

@test "a class with points lost exits 1 and reports every submission" {
	[[ $(<"$BATS_FILE_TMPDIR/status") == 1 ]] || fail "expected exit status 1, got $(<"$BATS_FILE_TMPDIR/status"): $(cat "$BATS_FILE_TMPDIR/stderr")"
	run -0 grep -c '^Total: ' "$BATS_FILE_TMPDIR/report"
	assert_output "$(class_size)"
	run -0 cat "$BATS_FILE_TMPDIR/report" "$BATS_FILE_TMPDIR/stderr"
	refute_output --partial Traceback
}

@test "grading leaves no process, no file and no account behind" {
	run -0 grader_processes
	assert_output "$(<"$BATS_FILE_TMPDIR/before.ps")"
	sha256sum --quiet --check "$BATS_FILE_TMPDIR/accounts.sha256"
	# The hostile samples write into every directory they can reach.
	run -0 find /tmp /var/tmp /dev/shm -xdev -uid +61999 -uid -63000
	assert_output ""
}

@test "results.json follows Gradescope's schema and stays well under 1 MB" {
	run -0 python3 - "$BATS_FILE_TMPDIR"/results/*.json <<'PY'
import json, os, sys
for path in sys.argv[1:]:
    assert os.path.getsize(path) < 256 * 1024, f"{path}: {os.path.getsize(path)} bytes"
    r = json.load(open(path))
    assert isinstance(r["score"], int) and isinstance(r["execution_time"], float), path
    assert isinstance(r["output"], str), path
    assert sum(t["score"] for t in r["tests"]) == r["score"], path
    assert len(r["tests"]) == 15, path
    for t in r["tests"]:
        assert set(t) == {"name", "score", "max_score", "status", "output", "tags"}, t
        assert t["status"] in ("passed", "failed"), t
        assert len(t["tags"]) == 1 and t["tags"][0] in ("directions", "part1", "part2"), t
print(len(sys.argv) - 1)
PY
	assert_output "$(class_size)"
}

@test "the JUnit report is well-formed, with a test case per rubric test" {
	run -0 python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert root.tag == "testsuites" and suites
for s in suites:
    assert len(s.findall("testcase")) == 15
    assert int(s.get("failures")) == len(s.findall("testcase/failure"))
print(len(suites))' "$BATS_FILE_TMPDIR/junit.xml"
	assert_output "$(class_size)"
}

@test "bad input gets a clear message and a grade, never a traceback" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/empty"
	touch "$d/a-file"
	make_sample handout "$d"
	cp -a "$d/handout" "$d/binary"
	mv "$d/handout" "$d/huge"
	head -c 4096 /dev/urandom >"$d/binary/cat.py"
	truncate -s 100M "$d/huge/listener.c"
	run -1 "$ROOT/grade" --jobs 2 --csv "$d/bad.csv" "$d/no-such-dir" "$d/a-file" "$d/empty" "$d/binary" "$d/huge"
	refute_output --partial Traceback
	assert_output --partial "no-such-dir: no such directory"
	assert_output --partial "a-file: not a directory"
	assert_output --partial "empty: the directory is empty"
	assert_output --partial "listener.c: 104857600 bytes, over the 1048576-byte limit"
	run -0 cat "$d/bad.csv"
	assert_line "$d/no-such-dir,0,0,0,0"
	assert_line "$d/a-file,0,0,0,0"
	assert_line "$d/empty,0,0,0,0"
	assert_line --regexp "^$d/binary,5,10,[0-2],"
	assert_line --regexp "^$d/huge,[0-5],0,10,"
}

@test "usage errors exit 2 with a message" {
	run -2 "$ROOT/grade"
	assert_output --partial "usage: grade"
	run -2 "$ROOT/grade" --jobs 0 .
	assert_output --partial "--jobs must be at least 1"
}

@test "without root the grader exits 2 and says how to run it" {
	# A copy of the launcher, alone: a clone in /root (0700) is out of nobody's
	# reach, and the message must come before the grader's code is needed.
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/ipc-grade.XXXXXX")
	chmod 0755 "$d"
	cp "$ROOT/grade" "$d/grade"
	run -2 setpriv --reuid=nobody --regid=nogroup --clear-groups "$d/grade" "$d"
	rm -rf -- "$d"
	assert_output --partial "needs root"
	assert_output --partial "sudo ./grade"
}

@test "CI_NODE_INDEX/CI_NODE_TOTAL shards a class: each submission graded exactly once" {
	local d=$BATS_TEST_TMPDIR
	CI_NODE_INDEX=1 CI_NODE_TOTAL=2 run -1 "$ROOT/grade" --csv "$d/1.csv" "$d/a" "$d/b" "$d/c"
	CI_NODE_INDEX=2 CI_NODE_TOTAL=2 run -1 "$ROOT/grade" --csv "$d/2.csv" "$d/a" "$d/b" "$d/c"
	run -0 bash -c "tail -q -n +2 '$d/1.csv' '$d/2.csv' | cut -d, -f1 | sort | tr '\n' ' '"
	assert_output "$d/a $d/b $d/c "
	run -0 wc -l "$d/1.csv" "$d/2.csv"
	assert_line --regexp "^ *3 $d/1.csv"
	assert_line --regexp "^ *2 $d/2.csv"
}
