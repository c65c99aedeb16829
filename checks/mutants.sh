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
#     Needs: namespaces      (optional: what it breaks exists only where the
#                            grader gives submissions namespaces; skipped elsewhere)
#     Needs: container       (optional: what it breaks exists only where the
#                            container is the sandbox; skipped where namespaces work)
#     Fails: TEST NAME       (one line per test the mutant must fail)
#     <a unified diff against this repository>
#
# For each, a scratch copy of the lab and its tests is patched and the named
# suite is run on it. The mutant must make the suite fail. A mutant of a
# graded suite (one that grader/rubric.json names) lists with "Fails:" the
# tests it must fail, and it must fail exactly those: one defect costs the
# points of the behaviour it breaks and no others. A mutant that survives,
# fails other tests than it lists, no longer applies, or names a test (in
# Fails:) or a filter (Filter:) its suite no longer has, fails this check.
# Output is TAP, a line per mutant as it ends; `checks/run` counts it.
#
# What runs: a mutant with a Filter runs the tests it matches; one with
# Fails lines and no Filter runs those tests and two others of its suite,
# the same two each time (picked by the mutant's name), which must pass:
# "exactly these" on a fixed sample, at a fraction of the whole suite's
# time. A mutant with neither runs its whole suite.
#
# As root, where namespaces can be made, MUTANT_JOBS mutants (default 3)
# run at a time, each in mount, PID and IPC namespaces of its own with a
# private copy of /etc: the accounts one makes, its processes and its IPC
# objects are out of the others' sight, and all of it dies with it. The
# grader's own mutants grade under user IDs each grader claims for itself
# (grader/grade.py, claim_uid_ranges), so they too run beside the others.
# Elsewhere (a container, no root) one at a time.
#
#   checks/mutants.sh [NAME...]      (default: every mutant)

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipc-mutants.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf -- "$scratch"' EXIT
# The suites' fixtures, built once for all the mutants (helpers/build.bash),
# unless checks/run made a cache for its whole run.
if [[ -z ${LAB_BUILD_CACHE:-} ]]; then
	mkdir -m 0700 "$scratch/build-cache" && export LAB_BUILD_CACHE=$scratch/build-cache
fi

if (($#)); then
	patches=()
	for name; do patches+=("$here/mutants/$name.patch"); done
else
	patches=("$here"/mutants/*.patch)
fi

# Suites that skip without root (they make accounts): their mutants too.
root_suites=(full_dd keeper shm fifo fixtures grader)

# shellcheck source=checks/private.bash
source "$here/private.bash"
# shellcheck source=grader/lab.conf
source "$root/grader/lab.conf"
jobs_max=1
isolate=()
if ((EUID == 0)) && private true 2>/dev/null; then
	jobs_max=${MUTANT_JOBS:-3}
	isolate=(private)
fi

# namespaces_work: the grader can give submissions their namespaces here
# (natively, or in a privileged container), as checks/grader.bats asks.
namespaces_work() {
	# shellcheck disable=SC2086 # the flags are words
	unshare $GRADE_UNSHARE true 2>/dev/null
}

# ere TEXT: TEXT as an extended regular expression that matches it alone.
ere() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# one N PATCH: judge one mutant; its TAP line (and diagnostics) on stdout.
one() {
	local n=$1 patch=$2 name suite why filter want env copy file log out got
	name=$(basename "$patch" .patch)
	suite=$(sed -n 's/^Suite: //p' "$patch" 2>/dev/null | head -1)
	why=$(sed -n 's/^Why: //p' "$patch" 2>/dev/null | head -1)
	filter=$(sed -n 's/^Filter: //p' "$patch" 2>/dev/null | head -1)
	read -ra env <<<"$(sed -n 's/^Env: //p' "$patch" 2>/dev/null | head -1)"
	want=$(sed -n 's/^Fails: //p' "$patch" 2>/dev/null | sort)
	if ((EUID != 0)) && [[ " ${root_suites[*]} " == *" $suite "* ]]; then
		# The suite skips without root: the mutant cannot be caught here.
		echo "ok $n $name # skip $suite.bats needs root"
		return
	fi
	if grep -qx 'Needs: namespaces' "$patch" && ! namespaces_work; then
		# What it breaks exists only where submissions get namespaces.
		echo "ok $n $name # skip the grader's namespaces cannot be made here"
		return
	fi
	if grep -qx 'Needs: container' "$patch" && namespaces_work; then
		# What it breaks exists only where the container is the sandbox.
		echo "ok $n $name # skip the grader uses namespaces here, not the container's sandbox"
		return
	fi
	copy=$scratch/$name
	mkdir -p "$copy"
	cp -a "$root"/{listener.c,cat.py,secret.txt,litterbox,keeper,shm,fifo,Makefile,.gitignore,.gitlab-ci.yml,grade,grader,tests,checks,platforms} "$copy/"
	file=tests/$suite.bats
	[[ -f $copy/$file ]] || file=checks/$suite.bats
	if [[ -z $suite || ! -f $copy/$file ]]; then
		echo "not ok $n $name: no 'Suite:' line naming a suite in tests/ or checks/"
		return
	fi
	if [[ -z $want ]] && grep -q "\"suite\": \"$suite\"" "$root/grader/rubric.json"; then
		echo "not ok $n $name: $suite is graded: list the tests it must fail with 'Fails:' lines"
		return
	fi
	if ! log=$(patch -d "$copy" -p1 --fuzz=0 --forward --no-backup-if-mismatch <"$patch" 2>&1); then
		echo "not ok $n $name: the patch no longer applies; update it"
		printf '%s\n' "$log" | sed 's/^/# /'
		return
	fi
	# Every test it lists is one of its suite's (a renamed test is renamed here too).
	local missing
	missing=$(grep -vxF -f <(sed -n 's/^@test "\(.*\)" {$/\1/p' "$copy/$file") <<<"$want")
	if [[ -n $want && -n $missing ]]; then
		echo "not ok $n $name lists tests that $suite.bats does not have; rename them in its Fails: lines"
		sed 's/^/# no such test: /' <<<"$missing"
		return
	fi
	if [[ -z $filter && -n $want ]]; then
		# The tests it lists, and two others, the same two for this mutant.
		local -a others=() pick=()
		local t
		mapfile -t others < <(sed -n 's/^@test "\(.*\)" {$/\1/p' "$copy/$file" | grep -vxF -f <(printf '%s\n' "$want"))
		if ((${#others[@]})); then
			local seed
			seed=$(cksum <<<"$name")
			seed=${seed%% *}
			pick=("${others[seed % ${#others[@]}]}" "${others[(seed / 7 + ${#others[@]} / 2) % ${#others[@]}]}")
		fi
		filter=$(for t in "$want" "${pick[@]}"; do printf '%s\n' "$t"; done | sort -u | while IFS= read -r t; do
			[[ -n $t ]] && ere "$t"
		done | paste -sd '|')
		filter="^($filter)\$"
	fi
	# A short bound: a mutant that hangs only has to be caught, not waited for.
	local t0=$SECONDS
	if out=$(
		export LAB_BOUND=1
		((${#env[@]} == 0)) || export "${env[@]}"
		"${isolate[@]}" bats --tap ${filter:+--filter "$filter"} "$copy/$file" 2>&1
	); then
		if grep -qx '1\.\.0' <<<"$out"; then
			echo "not ok $n $name: its Filter matches no test of $suite.bats; update it"
			return
		fi
		echo "not ok $n $name survived $suite.bats ($why) in $((SECONDS - t0)) s"
		printf '%s\n' "$out" | sed 's/^/# /'
	else
		got=$(sed -n 's/^not ok [0-9]* //p' <<<"$out" | sort)
		if [[ -n $want && $got != "$want" ]]; then
			echo "not ok $n $name fails other tests of $suite.bats than it lists ($why) in $((SECONDS - t0)) s"
			diff <(echo "$want") <(echo "$got") | sed -n 's/^< /# expected to fail, passed: /p; s/^> /# failed, not listed: /p'
		else
			echo "ok $n $name is rejected by $suite.bats: $(grep -c . <<<"$got") test(s) fail ($why) in $((SECONDS - t0)) s"
		fi
	fi
	# A broken grader may have been killed outright (its namespace ended
	# with the suite): the grader as committed removes what it left.
	if [[ $suite == grader ]]; then
		python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import grade; grade.remove_stale_runs()' "$root/grader"
	fi
	rm -rf -- "$copy"
}

echo "1..${#patches[@]}"
# The grader's mutants first: they take longest.
is_grader() { grep -qx 'Suite: grader' "$1" 2>/dev/null; }
order=()
for p in "${patches[@]}"; do is_grader "$p" && order+=("$p"); done
for p in "${patches[@]}"; do is_grader "$p" || order+=("$p"); done
declare -A number=() patch_of=()
i=0
for p in "${patches[@]}"; do number[$p]=$((++i)); done
running=0
while ((${#order[@]} + running)); do
	# Start the next mutant while a slot is free.
	if ((running < jobs_max && ${#order[@]})); then
		p=${order[0]}
		order=("${order[@]:1}")
		one "${number[$p]}" "$p" >"$scratch/out.${number[$p]}" 2>&1 &
		patch_of[$!]=$p
		running=$((running + 1))
		continue
	fi
	# Every slot is busy: wait for a mutant to end, and print its verdict.
	wait -n -p done_pid
	running=$((running - 1))
	cat -- "$scratch/out.${number[${patch_of[$done_pid]}]}"
done
