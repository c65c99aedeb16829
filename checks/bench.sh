#!/usr/bin/env bash
# bench.sh - measure the lab's and the grader's targets and print the figures.
#
# Not a test: nothing here asserts a time. It prints what it measured, next
# to the target, for a person to read. Run as root, from anywhere:
#
#   checks/bench.sh                  everything (about 12 minutes)
#   checks/bench.sh flakes speed     some:  flakes speed idle memory clean
#                                          grade-reference class hostile
#                                          shm-flakes shm-throughput class-report
#   BENCH_RUNS=20 checks/bench.sh flakes     fewer runs under load
#
# Uses hyperfine and GNU time (/usr/bin/time -v), installed when missing;
# class-report also Chromium, and keeps its pages and screenshots in
# $BENCH_OUT (default /tmp/ipc-bench-shots), out of the tree.

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 2
runs=${BENCH_RUNS:-100}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipc-bench.XXXXXX")
busy=()
cleanup() {
	((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null
	rm -rf -- "$scratch"
}
trap cleanup EXIT

if ((EUID != 0)); then
	echo "bench: run as root (the suites and the grader make accounts)" >&2
	exit 2
fi
"$root/grader/deps.sh" || exit 2
# shellcheck source=grader/lab.conf
source "$root/grader/lab.conf"
for t in hyperfine /usr/bin/time; do
	[[ -x $(command -v "$t") ]] && continue
	apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null || exit 2
done
# shellcheck disable=SC2086 # the flags are words
cc $LAB_CFLAGS -O2 -o "$scratch/listener" listener.c || exit 2

load_on() { # four busy loops competing for the cores
	for _ in 1 2 3 4; do
		(while :; do :; done) &
		busy+=($!)
	done
}
load_off() {
	kill "${busy[@]}" 2>/dev/null
	wait "${busy[@]}" 2>/dev/null
	busy=()
}
title() { printf '\n== %s\n' "$*"; }

flakes() {
	title "No flakes: $runs runs of bats tests/listener.bats under 4 busy loops, on our listener and the handout's (target: 0 failures)"
	local fail i lab hfail=0 hruns=$(((runs + 1) / 2))
	"$here/samples/assemble" handout "$scratch"
	load_on
	for lab in "$root" "$scratch/handout"; do
		fail=0
		for ((i = 0; i < runs; i++)); do
			LAB_DIR=$lab bats tests/listener.bats >"$scratch/flake.log" 2>&1 || {
				fail=$((fail + 1))
				cp "$scratch/flake.log" "$scratch/flake.fail.$fail"
			}
		done
		echo "listener.bats on $lab/listener.c: $fail failures in $runs runs"
	done
	# The handout's own script, for comparison, in a copy of the handout sample.
	(cd "$scratch/handout" && gcc -o listener listener.c)
	for ((i = 0; i < hruns; i++)); do
		(cd "$scratch/handout" && bash test_listener.sh >/dev/null 2>&1) || hfail=$((hfail + 1))
	done
	load_off
	echo "handout test_listener.sh: $hfail failures in $hruns runs"
}

# shellcheck source=checks/private.bash
source "$here/private.bash"

# median_of N CMD...: run CMD N times; print the median wall time in seconds.
median_of() {
	local n=$1 i t0
	shift
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null 2>&1
		echo $((${EPOCHREALTIME/./} - t0))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f\n", a[int((NR + 1) / 2)] / 1e6 }'
}

# figure WHAT SECONDS TARGET_RATIO: one line: the time, its ratio to the
# handout's scripts, and the target.
figure() {
	awk -v what="$1" -v t="$2" -v base="$SPEED_BASE" -v target="$3" 'BEGIN {
		printf "%-58s %7.2f s  %5.1fx  (target: at most %sx)\n", what, t, t / base, target }'
}

speed() {
	local runs=${SPEED_RUNS:-3} all part t d i
	title "Speed: each figure as a ratio to the handout's own scripts, timed in this run (medians of $runs)"
	# The handout's way: make, then its four scripts as its CI runs them,
	# python3 for its python, in a fresh copy of the handout sample.
	mkdir -p "$scratch/speed/bin"
	# garfield, in test_full_dd.sh, must reach cat.py.
	chmod 0755 "$scratch" "$scratch/speed"
	"$here/samples/assemble" handout "$scratch/speed" >/dev/null
	# su - garfield resets PATH: "python" must be in a directory of the
	# default one, /usr/local/bin, here only in the private mount namespace.
	handout_scripts() {
		rm -rf "$scratch/speed/lab" && cp -a "$scratch/speed/handout" "$scratch/speed/lab" &&
			(cd "$scratch/speed/lab" && private bash -c \
				'cp -a /usr/local/bin/. "$0"/ 2>/dev/null; ln -sf /usr/bin/python3 "$0/python" &&
				mount --bind "$0" /usr/local/bin &&
				make -s && for t in listener cat cat_exploit full_dd; do bash test_$t.sh || exit; done' "$scratch/speed/bin")
	}
	handout_scripts >"$scratch/speed/handout.log" 2>&1 || {
		echo "bench: the handout's scripts fail here:"
		tail -5 "$scratch/speed/handout.log"
		return 1
	}
	SPEED_BASE=$(median_of "$runs" handout_scripts)
	printf '%-58s %7.2f s\n' "the handout's four scripts (make, then each)" "$SPEED_BASE"
	figure "./grade . (the reference, default parts: 25 points)" "$(median_of "$runs" ./grade .)" 1.5
	all=$(python3 -c 'import json; print(",".join(json.load(open("grader/rubric.json"))["parts"]))')
	figure "./grade --parts every part . ($all)" "$(median_of 1 ./grade --parts "$all" .)" 6
	for part in ${all//,/ }; do
		t=$(median_of 1 ./grade --parts "$part" .)
		printf '  %-56s %7.2f s\n' "$part alone" "$t"
	done
	d=$scratch/speed/class
	mkdir -p "$d"
	for i in $(seq -w 1 50); do
		cp -a "$scratch/speed/handout" "$d/s$i"
	done
	t=$(median_of 1 ./grade --jobs 2 "$d"/s*)
	figure "a class of 50 (the handout sample), --jobs 2, per submission" \
		"$(awk -v t="$t" 'BEGIN { print t / 50 }')" "$(awk 'BEGIN { print 1.5 / 2 }')"
	if [[ -z ${BENCH_NO_MAKE_TEST:-} ]]; then
		t=$(median_of 1 checks/run)
		printf '%-58s %7.2f s  (target: at most 360 s)\n' "make test (checks/run), natively as root" "$t"
	fi
}

idle() {
	title "Idle CPU: the listener waiting for 5 s (target: under 5% of one CPU)"
	"$scratch/listener" >"$scratch/idle.out" &
	local pid=$! t0 t1 hz
	hz=$(getconf CLK_TCK)
	read -r -a t0 < <(cut -d' ' -f14,15 "/proc/$pid/stat")
	sleep 5 # ok-sleep: the measurement window, not synchronisation
	read -r -a t1 < <(cut -d' ' -f14,15 "/proc/$pid/stat")
	kill -USR1 "$pid"
	wait "$pid"
	awk -v a=$((t1[0] + t1[1] - t0[0] - t0[1])) -v hz="$hz" \
		'BEGIN { printf "listener: %d ticks in 5 s = %.2f%% of one CPU\n", a, 100 * a / hz / 5 }'
}

memory() {
	title "Bounded memory: cat.py given 200 MB on stdin (target: MEOW quickly, peak RSS under 60 MB)"
	head -c 200000000 /dev/zero | /usr/bin/time -v python3 cat.py >"$scratch/mem.out" 2>"$scratch/mem.time"
	echo "output: $(head -c 200 "$scratch/mem.out")"
	grep -E 'Elapsed \(wall|Maximum resident' "$scratch/mem.time"
	echo "for comparison, the handout's cat.py:"
	"$here/samples/assemble" handout "$scratch" 2>/dev/null || true
	head -c 200000000 /dev/zero | /usr/bin/time -v python3 "$scratch/handout/cat.py" >/dev/null 2>"$scratch/mem.time"
	grep -E 'Elapsed \(wall|Maximum resident' "$scratch/mem.time"
}

snapshot() {
	git status --porcelain --ignored 2>/dev/null
	sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow
	ps -e -o comm= | sort | grep -vE '^(ps|sort|bash|sleep|kworker.*)$' | uniq -c
}

clean() {
	title "Clean: the whole suite leaves the tree, /etc/passwd and the process table as found"
	snapshot >"$scratch/before"
	checks/run >"$scratch/run.log" 2>&1
	tail -1 "$scratch/run.log"
	snapshot >"$scratch/after"
	if diff "$scratch/before" "$scratch/after"; then
		echo "tree, account files and process table: unchanged"
	else
		echo "CHANGED (diff above)"
	fi
}

grade_reference() {
	title "Grading the reference natively (target: under 5 s)"
	hyperfine --warmup 1 --runs 5 --style basic "./grade ." 2>&1 | grep -vE '^\s*$'
	/usr/bin/time -v ./grade . 2>&1 >/dev/null | grep -E 'Elapsed \(wall|Maximum resident'
}

class() {
	title "20 submissions with --jobs 2 (target: under 90 s)"
	local d=$scratch/class i
	mkdir -p "$d"
	for i in $(seq -w 1 20); do
		case $((10#$i % 4)) in
		0) "$here/samples/assemble" swapped-codes "$d" && mv "$d/swapped-codes" "$d/s$i" ;;
		1) "$here/samples/assemble" missing-cat "$d" && mv "$d/missing-cat" "$d/s$i" ;;
		*) "$here/samples/assemble" handout "$d" && mv "$d/handout" "$d/s$i" ;;
		esac
	done
	/usr/bin/time -f "wall %e s, peak RSS of the grader %M KB" ./grade --jobs 2 --csv "$scratch/class.csv" "$d"/s* >/dev/null
	echo "graded: $(($(wc -l <"$scratch/class.csv") - 1)) submissions"
}

hostile() {
	title "Each hostile sample (target: under 60 s each, nothing left running)"
	local name
	for name in $(cd "$here/samples" && ls -d hostile-*); do
		"$here/samples/assemble" "$name" "$scratch"
		/usr/bin/time -f "%e" -o "$scratch/t" ./grade "$scratch/$name" >"$scratch/report" 2>&1
		printf '%-26s %6s s  %s  left running: %s\n' "$name" "$(tail -1 "$scratch/t")" \
			"$(grep '^Total' "$scratch/report")" \
			"$(ps -eo uid= | awk -v lo="$GRADE_UID_BASE" -v hi="$((GRADE_UID_BASE + GRADE_UID_SPAN))" '$1 >= lo && $1 < hi' | wc -l)"
	done
}

shm_flakes() {
	title "No flakes: $runs runs of bats tests/shm.bats under 4 busy loops on our programs, half as many on the handout sample's (target: 0 failures)"
	local fail i lab n
	"$here/samples/assemble" handout "$scratch"
	load_on
	for lab in "$root" "$scratch/handout"; do
		fail=0
		n=$runs
		[[ $lab == "$root" ]] || n=$(((runs + 1) / 2))
		for ((i = 0; i < n; i++)); do
			LAB_DIR=$lab bats tests/shm.bats >"$scratch/flake.log" 2>&1 || {
				fail=$((fail + 1))
				cp "$scratch/flake.log" "$scratch/shm-flake.fail.$fail"
				grep -A6 '^not ok' "$scratch/flake.log" | head -20
			}
		done
		echo "shm.bats on $lab/shm: $fail failures in $n runs"
	done
	load_off
	echo "IPC objects left on the machine: $(($(tail -n +2 /proc/sysvipc/shm | wc -l) + $(tail -n +2 /proc/sysvipc/sem | wc -l)))"
}

# stream_once DIR MB: MB MiB of stdin through DIR's reader and writer, on a
# fresh key; prints the seconds from the writer's start to the reader's end.
stream_once() {
	local dir=$1 mb=$2 key=$((SRANDOM % 2147483646 + 1)) t0 t1 rpid
	rm -f "$scratch/ready"
	# The reader's stdout drains into /dev/null after its ready line.
	"$dir/reader" "$key" | { IFS= read -r line && echo "$line" >"$scratch/ready" && cat >/dev/null; } &
	rpid=$!
	until [[ -s $scratch/ready ]]; do sleep 0.01; done # ok-sleep: bounded by the reader, a benchmark only
	t0=${EPOCHREALTIME/./}
	"$dir/writer" "$key" <"$scratch/stream" || echo "bench: the writer failed" >&2
	wait "$rpid"
	t1=${EPOCHREALTIME/./}
	echo "$(((t1 - t0) / 1000))"
}

shm_throughput() {
	local mb=256 i dir ms all
	title "Stream throughput through one 4 KiB segment, two semaphores taking turns ($mb MiB, 5 runs each; no target: figures)"
	head -c "${mb}M" /dev/urandom >"$scratch/stream"
	"$here/samples/assemble" handout "$scratch"
	mkdir -p "$scratch/ours" "$scratch/student"
	for prog in reader writer; do
		# shellcheck disable=SC2086 # the flags are words
		cc $LAB_CFLAGS -O2 -o "$scratch/ours/$prog" "shm/$prog.c" || return
		# As the handout builds it: gcc, no flags.
		gcc -o "$scratch/student/$prog" "$scratch/handout/shm/$prog.c" || return
	done
	for dir in ours student; do
		all=()
		for i in 1 2 3 4 5; do
			ms=$(stream_once "$scratch/$dir" "$mb")
			all+=("$ms")
		done
		printf '%-8s %s ms per run; best %s MB/s\n' "$dir" "${all[*]}" \
			"$(printf '%s\n' "${all[@]}" | sort -n | head -1 | awk -v mb="$mb" '{ printf "%.0f", mb * 1.048576 / ($1 / 1000) }')"
	done
	echo "($((mb * 1024 * 1024 / 4092 + 1)) blocks of at most 4092 bytes, each one semop() pair per side)"
}

class_report() {
	local out=${BENCH_OUT:-/tmp/ipc-bench-shots} d=$scratch/report name page t0 t1
	title "The class report: 20 samples graded with --html, and a synthetic class of 500, rendered by headless Chromium (no target: figures, and screenshots to look at)"
	mkdir -p "$d" "$out" || return
	for name in handout always-meow broken-compile commented-ci hardcoded-answers missing-cat \
		swapped-codes listener-no-usr1-handler listener-spins probe-identity hostile-network \
		hostile-ignores-signals hostile-ipc-litter hostile-kills-parent hostile-forged-tap \
		hostile-rewrite-tests fifo-plants-fifos keeper-sends-directory shm-world-readable \
		hostile-flood; do
		"$here/samples/assemble" "$name" "$d" || return
	done
	/usr/bin/time -f "grading the 20 with --jobs 2 --html: wall %e s" \
		./grade --jobs 2 --html "$out/class-20.html" "$d"/* >/dev/null
	# 500 synthetic Results on every part of the rubric: the ablest pass most tests,
	# failures say one of a few things, one in fifty was not graded.
	python3 - "$out/class-500.html" <<-'EOF' || return
		import random, sys
		sys.dont_write_bytecode = True
		sys.path.insert(0, "grader")
		import classreport, reports, rubric
		r = rubric.load()
		r = rubric.select(r, list(r["parts"]))
		rng, results = random.Random(1), []
		for i in range(500):
		    ability, tests = rng.betavariate(5, 2), []
		    for t in r["tests"]:
		        ok = rng.random() < ability
		        tests.append({"name": t["name"], "part": t["part"], "suite": t["suite"],
		                      "max_score": t["points"], "score": t["points"] if ok else 0,
		                      "passed": ok, "output": "" if ok else
		                      f"(in test file tests/{t['suite']}.bats, line {rng.randint(10, 99)})\n"
		                      f"  expected: {rng.choice(['exit 0', 'exit 1', 'no output'])}\n"
		                      "  actual: something else\n  hint: read the handout again\n"})
		    results.append(reports.Result(f"class/student-{i:03d}", tests, [], r, 1.0,
		                                  not_graded="no tools" if i % 50 == 7 else None))
		reports.write_atomic(sys.argv[1], classreport.page(results))
	EOF
	[[ -x $(command -v chromium) ]] || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || return
	for page in class-20 class-500; do
		t0=${EPOCHREALTIME/./}
		chromium --headless --no-sandbox --disable-gpu --screenshot="$out/$page.png" \
			--window-size=1280,2400 "file://$out/$page.html" >"$scratch/chromium.log" 2>&1 ||
			tail -5 "$scratch/chromium.log"
		t1=${EPOCHREALTIME/./}
		printf '%s: %s bytes of HTML, rendered in %d ms: %s\n' "$page" \
			"$(stat -c %s "$out/$page.html")" $(((t1 - t0) / 1000)) "$out/$page.png"
	done
}

all=(flakes speed idle memory clean grade-reference class hostile shm-flakes shm-throughput class-report)
for what in "${@:-${all[@]}}"; do
	case $what in
	grade-reference) grade_reference ;;
	shm-flakes) shm_flakes ;;
	shm-throughput) shm_throughput ;;
	class-report) class_report ;;
	flakes | speed | idle | memory | clean | class | hostile) "$what" ;;
	*)
		echo "bench: unknown benchmark '$what' (known: ${all[*]})" >&2
		exit 2
		;;
	esac
done
