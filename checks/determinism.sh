#!/usr/bin/env bash
# determinism.sh - same submission, same verdict: grade the same samples
# again and again on a loaded machine, and compare every test's result.
#
#   checks/determinism.sh [PART...]     (default: the default parts)
#
# Per part, the samples graded: the reference (this tree), a correct listener
# that polls (listener-polls, which loses the sleeping test alone) and two
# broken samples of the part. Each is graded DETERMINISM_RUNS times (default
# 5), two at a time, while busy loops in sessions of their own (as other
# users' programs would be) keep every core busy. Prints each sample's
# score per run; fails (exit 1), naming the tests, when a test's verdict
# differed between two runs. As root (the grader needs it).

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${DETERMINISM_RUNS:-5}
((EUID == 0)) || { echo "determinism: run as root (the grader makes accounts)" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipc-determinism.XXXXXX") || exit 2
busy=()
cleanup() {
	((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null
	rm -rf -- "$scratch"
}
trap cleanup EXIT

# The samples of each part: two broken ones each.
declare -A broken=(
	[directions]="commented-ci missing-cat"
	[part1]="swapped-codes listener-no-usr1-handler"
	[part2]="always-meow hardcoded-answers"
	[keeper]="keeper-sends-directory keeper-paw-floods"
	[shm]="shm-world-readable shm-writer-holds-semaphore"
	[fifo]="fifo-receiver-never-reads fifo-sender-writes-forever"
)
parts=("$@")
((${#parts[@]})) || read -ra parts <<<"$(python3 -c 'import json, sys
print(" ".join(json.load(open(sys.argv[1]))["default_parts"]))' "$root/grader/rubric.json")"
samples=(listener-polls)
for part in "${parts[@]}"; do
	[[ -n ${broken[$part]:-} ]] || { echo "determinism: no part $part" >&2; exit 2; }
	read -ra more <<<"${broken[$part]}"
	samples+=("${more[@]}")
done
mkdir "$scratch/subs"
ln -s "$root" "$scratch/subs/reference"
for s in "${samples[@]}"; do
	[[ -e $scratch/subs/$s ]] || "$here/samples/assemble" "$s" "$scratch/subs" || exit 2
done

# The load: two busy loops a core, each in a session of its own.
cores=$(nproc)
for ((i = 0; i < 2 * cores; i++)); do
	setsid bash -c 'while :; do :; done' </dev/null >/dev/null 2>&1 &
	busy+=($!)
done

joined=$(IFS=,; echo "${parts[*]}")
echo "# grading ${#samples[@]} samples and the reference on $joined, $runs times, under $((2 * cores)) busy loops"
for ((r = 1; r <= runs; r++)); do
	mkdir "$scratch/run.$r"
	status=0
	"$root/grade" --jobs 2 --parts "$joined" --results "$scratch/run.$r" "$scratch/subs"/* \
		>"$scratch/run.$r.log" 2>&1 || status=$?
	echo "# run $r: status $status"
done
kill "${busy[@]}" 2>/dev/null
busy=()

# Every test's verdict in every run, compared.
python3 - "$scratch" "$runs" <<'PY'
import json, os, sys
scratch, runs = sys.argv[1], int(sys.argv[2])
seen = {}   # (submission file, test) -> set of scores
totals = {}
for r in range(1, runs + 1):
    d = os.path.join(scratch, f"run.{r}")
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name)) as f:
            res = json.load(f)
        totals.setdefault(name, []).append(res.get("score", "not graded"))
        for t in res.get("tests", []):
            seen.setdefault((name, t["name"]), set()).add(t["score"])
for name, scores in sorted(totals.items()):
    print(f"# {name[:-5]:<32} {' '.join(str(s) for s in scores)}")
differ = sorted(k for k, v in seen.items() if len(v) > 1)
for name, test in differ:
    print(f"not the same every time: {name[:-5]}: {test}: {sorted(seen[(name, test)])}")
missing = [n for n, s in totals.items() if len(s) != runs]
for n in missing:
    print(f"not graded in every run: {n[:-5]}")
print(f"# {len(seen)} test results of {len(totals)} submissions, {runs} runs: "
      + ("the same every time" if not differ and not missing else f"{len(differ)} differ"))
sys.exit(1 if differ or missing else 0)
PY
