#!/usr/bin/env bash
# mutants.sh - prove that the suites can fail.
#
# Each checks/mutants/NAME.patch breaks one graded behaviour, of the lab or of
# a test's set-up, and names the suite that must reject it:
#
#     Suite: listener
#     Why: no handler for SIGUSR1
#     Filter: REGEX          (optional: run only the tests whose names match)
#     Env: NAME=VALUE ...    (optional: set for the run)
#     Fails: TEST NAME       (one line per test the mutant must fail)
#     <a unified diff against this repository>
#
# For each, a scratch copy of the lab and its tests is patched and the named
# suite is run on it. The mutant must make the suite fail. A mutant of a
# graded suite (one that grader/rubric.json names) lists with "Fails:" the
# tests it must fail, and it must fail exactly those: one defect costs the
# points of the behaviour it breaks and no others. A mutant that survives,
# fails other tests than it lists, or no longer applies, fails this check.
# Output is TAP; `checks/run` counts it.
#
#   checks/mutants.sh [NAME...]      (default: every mutant)

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipc-mutants.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT

if (($#)); then
	patches=()
	for name; do patches+=("$here/mutants/$name.patch"); done
else
	patches=("$here"/mutants/*.patch)
fi

# Suites that skip without root (they make accounts): their mutants too.
root_suites=(full_dd keeper shm fifo grader)

echo "1..${#patches[@]}"
n=0
for patch in "${patches[@]}"; do
	n=$((n + 1))
	name=$(basename "$patch" .patch)
	suite=$(sed -n 's/^Suite: //p' "$patch" 2>/dev/null | head -1)
	why=$(sed -n 's/^Why: //p' "$patch" 2>/dev/null | head -1)
	filter=$(sed -n 's/^Filter: //p' "$patch" 2>/dev/null | head -1)
	read -ra env <<<"$(sed -n 's/^Env: //p' "$patch" 2>/dev/null | head -1)"
	want=$(sed -n 's/^Fails: //p' "$patch" 2>/dev/null | sort)
	if ((EUID != 0)) && [[ " ${root_suites[*]} " == *" $suite "* ]]; then
		# The suite skips without root: the mutant cannot be caught here.
		echo "ok $n $name # skip $suite.bats needs root"
		continue
	fi
	copy=$scratch/$name
	mkdir -p "$copy"
	cp -a "$root"/{listener.c,cat.py,secret.txt,litterbox,keeper,shm,fifo,Makefile,.gitignore,.gitlab-ci.yml,grade,grader,tests,checks,platforms} "$copy/"
	file=tests/$suite.bats
	[[ -f $copy/$file ]] || file=checks/$suite.bats
	if [[ -z $suite || ! -f $copy/$file ]]; then
		echo "not ok $n $name: no 'Suite:' line naming a suite in tests/ or checks/"
		continue
	fi
	if [[ -z $want ]] && grep -q "\"suite\": \"$suite\"" "$root/grader/rubric.json"; then
		echo "not ok $n $name: $suite is graded: list the tests it must fail with 'Fails:' lines"
		continue
	fi
	if ! log=$(patch -d "$copy" -p1 --fuzz=0 --forward --no-backup-if-mismatch <"$patch" 2>&1); then
		echo "not ok $n $name: the patch no longer applies; update it"
		printf '%s\n' "$log" | sed 's/^/# /'
		continue
	fi
	# A short bound: a mutant that hangs only has to be caught, not waited for.
	if out=$(env LAB_BOUND=1 "${env[@]}" bats --tap ${filter:+--filter "$filter"} "$copy/$file" 2>&1); then
		echo "not ok $n $name survived $suite.bats ($why)"
		printf '%s\n' "$out" | sed 's/^/# /'
	else
		got=$(sed -n 's/^not ok [0-9]* //p' <<<"$out" | sort)
		if [[ -n $want && $got != "$want" ]]; then
			echo "not ok $n $name fails other tests of $suite.bats than it lists ($why)"
			diff <(echo "$want") <(echo "$got") | sed -n 's/^< /# expected to fail, passed: /p; s/^> /# failed, not listed: /p'
		else
			echo "ok $n $name is rejected by $suite.bats: $(grep -c . <<<"$got") test(s) fail ($why)"
		fi
	fi
	rm -rf -- "$copy"
done
