# listener.bash - start, watch and signal a listener under test.
#
# Needs helpers/lab. Each test waits only for what its own behaviour needs,
# so one defect costs the points of that behaviour and no others:
#   - the PID test reads the PID line (stdout line-buffered by stdbuf) and
#     ends the listener itself: it needs no handler;
#   - a signal test waits for the handler of the signal it sends (SigCgt in
#     /proc/PID/status), then a short, bounded time for the listener to fall
#     asleep (state S). A listener that never sleeps is signalled anyway: a
#     spinning loop has no gap before pause() in which to lose the signal;
#   - sleeping while waiting is a test of its own.
# Every wait has a bound (LAB_BOUND), so a broken listener fails within
# seconds instead of hanging the suite.

# listener_build: compile LAB_DIR/listener.c as the runner, as the handout's
# Makefile does, in a directory of its own (call it from setup_file). The
# build is part of what is tested: require_listener reports its errors.
listener_build() {
	LISTENER_BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ipc-listener.XXXXXX")
	export LISTENER_BUILD
	chmod 0755 "$LISTENER_BUILD"
	printf 'listener.c not found in %s\n' "$LAB_DIR" >"$BATS_FILE_TMPDIR/compile.log"
	if [[ -f $LAB_DIR/listener.c ]]; then
		cp -- "$LAB_DIR/listener.c" "$LISTENER_BUILD/listener.c"
		chown -R "$LAB_RUNNER" "$LISTENER_BUILD"
		(cd "$LISTENER_BUILD" && LAB_BOUND=60 lab_exec --bounded "$LAB_RUNNER" \
			cc -o listener listener.c >"$BATS_FILE_TMPDIR/compile.log" 2>&1) || true
	fi
}

listener_clean() {
	rm -rf -- "$LISTENER_BUILD"
}

# Bounded wait: poll CMD until it succeeds, for at most LAB_BOUND seconds
# of the time the programs under test (LAB_PIDS) could run. On a loaded
# machine they may wait seconds for a CPU (they run at a lower priority
# than ours: lab_exec), or for the disk, and a bound on the clock alone
# would then fail a correct program, or not, as the scheduler pleases. So
# the time any of them spent runnable but waiting for a CPU (run_delay, in
# /proc/PID/schedstat) or in an uninterruptible wait (state D, sampled at
# each poll) is not counted, up to LAB_BOUND more. And the clock is
# read before each poll, so that the last poll comes after the bound: the
# suite's own wait for a CPU costs nothing either. A program that sleeps
# (state S) or spins is not kept waiting for: its time counts, or it gets
# a CPU. The pause between polls forks nothing (lab_nap): a wait of
# seconds polls hundreds of times, and a sleep(1) each time would be most
# of a suite's CPU.
wait_until() {
	local bound=$((LAB_BOUND * 1000000)) start=${EPOCHREALTIME/./} now prev last=0
	local starved stalled=0
	# shellcheck disable=SC2034 # filled by run_delays, read by starved_since
	local -a delays
	run_delays delays
	prev=$start
	while :; do
		now=${EPOCHREALTIME/./}
		! in_d_state || stalled=$((stalled + now - prev))
		prev=$now
		if ((now - start >= bound)); then
			starved_since delays starved
			((now - start - starved - stalled >= bound || now - start >= 2 * bound)) && last=1
		fi
		"$@" && return 0
		((last == 0)) || return 1
		lab_nap 0.005 # poll interval of a bounded wait on a real condition
	done
}

# in_d_state: one of LAB_PIDS is in an uninterruptible wait (state D): the
# disk, a page fault. Forks nothing, and leaves PID_STATE alone.
in_d_state() {
	local pid stat
	for pid in "${LAB_PIDS[@]}"; do
		{ read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
		stat=${stat##*) }
		[[ ${stat%% *} != D ]] || return 0
	done
	return 1
}

# run_delays ARRAY: ARRAY gets, for each of LAB_PIDS, the microseconds it has
# waited for a CPU so far (0 when it is gone). Forks nothing.
run_delays() {
	local -n into=$1
	local pid d
	into=()
	for pid in "${LAB_PIDS[@]}"; do
		d=0
		{ read -r _ d _ <"/proc/$pid/schedstat"; } 2>/dev/null || d=0
		into+=($((d / 1000)))
	done
}

# starved_since BEFORE VAR: VAR gets the most microseconds that any of
# LAB_PIDS waited for a CPU since run_delays BEFORE.
starved_since() {
	local -n before=$1 most=$2
	local -a now
	local i
	run_delays now
	most=0
	for i in "${!now[@]}"; do
		((now[i] == 0 || now[i] - ${before[i]:-0} <= most)) || most=$((now[i] - ${before[i]:-0}))
	done
}

# lab_nap SECONDS: pause, without a fork: read -t on a pipe that this shell
# holds both ends of, which never delivers (made once per test).
lab_nap() {
	[[ -n ${LAB_NAP_FD:-} ]] || exec {LAB_NAP_FD}<> <(:)
	read -r -t "$1" -u "$LAB_NAP_FD" _ || true
}

# pid_state PID: set PID_STATE to the one-letter state in /proc/PID/stat (Z once
# it exited), or "gone"; without a fork.
pid_state() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || { PID_STATE=gone; return 0; }
	stat=${stat##*) }
	PID_STATE=${stat%% *}
}

# proc_state PID: the same, printed (for messages).
proc_state() {
	pid_state "$1"
	echo "$PID_STATE"
}

# catches PID SIG: PID has left the test's shell, and the kernel shows a
# handler installed for SIG (bit N-1 of SigCgt in /proc/PID/status, for
# signal number N). Until its first exec, PID is a copy of the test's own
# shell, and shows the shell's handlers (bats' for SIGINT); exec resets
# every handler, so once PID runs another program (its name in
# /proc/PID/comm, which anyone may read, unlike /proc/PID/exe), what
# SigCgt shows is that program's own.
catches() {
	local status bit comm self
	case $2 in
	INT) bit=$((1 << 1)) ;;
	USR1) bit=$((1 << 9)) ;;
	*) return 2 ;;
	esac
	{ read -r comm <"/proc/$1/comm" && read -r self <"/proc/$BASHPID/comm"; } 2>/dev/null || return 1
	[[ $comm != "$self" ]] || return 1
	# Read whole, in one read(): bash's read builtin reads a /proc file a
	# piece at a time, seeking back after each line, and the kernel makes
	# the file anew each time. A line before SigCgt that changes length
	# meanwhile ("State:	R (running)" and "S (sleeping)", as a polling
	# program flips between them) shifts the rest, and SigCgt is misread.
	# ($(<FILE) of a missing file ends the test under bats: look first.)
	[[ -r /proc/$1/status ]] || return 1
	{ status=$(<"/proc/$1/status"); } 2>/dev/null || return 1
	[[ $status =~ SigCgt:[[:space:]]*([0-9a-fA-F]+) ]] || return 1
	((16#${BASH_REMATCH[1]} & bit))
}

# asleep PID: the process is in state S at this moment. That says nothing
# of how it waits (a usleep() poller is in state S most of the time, and
# a spinning second thread leaves the main one asleep): a moment only, to
# wait for before a signal. Whether a program sleeps while it waits is
# sleeping's, below.
asleep() {
	pid_state "$1"
	[[ $PID_STATE == S ]]
}

# sleeping PID [EXCLUDE_PID...]: over LAB_WATCH_MS, PID, its threads, its
# children, its session and, under LAB_CONFINE (where the test accounts run
# nothing but code under test), the rest of its account's processes (but
# the EXCLUDE_PIDs, ours) took no CPU and woke at most a few times
# (helpers/cpuwatch.py): asleep in pause(), semop(), poll() and the like,
# not polling with usleep() in a loop or spinning in a thread. Sets
# WATCHED_TICKS and WATCHED_SWITCHES, and WATCHED, what cpuwatch saw.
# A sleeper takes 0 ticks and 0 wakeups; a wait with a timeout of its own
# (a bounded poll(), mq_timedreceive()) a wakeup or two; a usleep(10000)
# poller 25, and a spinning thread 20 ticks or more, on a loaded machine too.
LAB_WATCH_MS=250
LAB_WATCH=${BASH_SOURCE[0]%/*}/cpuwatch.py
sleeping() {
	local -a account=()
	[[ $LAB_CONFINE == 1 ]] && account=(--account)
	WATCHED_TICKS='?' WATCHED_SWITCHES='?'
	WATCHED=$(python3 "$LAB_WATCH" "${account[@]}" "$LAB_WATCH_MS" "$@") || { WATCHED="it is gone"; return 1; }
	[[ $WATCHED =~ ^ticks=([0-9]+)\ switches=([0-9]+) ]] || return 1
	WATCHED_TICKS=${BASH_REMATCH[1]} WATCHED_SWITCHES=${BASH_REMATCH[2]}
	((WATCHED_TICKS <= 2 && WATCHED_SWITCHES <= 10))
}

# require_sleeping WHAT PID HINT [EXCLUDE_PID...]: WHAT (e.g. "the listener"),
# PID, waits asleep: it falls asleep within LAB_BOUND (state S), then
# sleeping holds. Otherwise the test fails, saying what it saw, with HINT.
require_sleeping() {
	local what=$1 pid=$2 hint=$3
	shift 3
	if ! wait_until asleep_or_exited "$pid" || exited "$pid"; then
		exited "$pid" && ended "$pid" && fail "expected: $what to wait; actual: it exited ($ENDED)"
		fail "$(printf 'expected: %s to sleep while it waits (state S)\nactual:   after %s s it is still in state %s, using CPU\nhint:     %s' "$what" "$LAB_BOUND" "$(proc_state "$pid")" "$hint")"
	fi
	if ! sleeping "$pid" "$@"; then
		exited "$pid" && ended "$pid" && fail "expected: $what to wait; actual: it exited ($ENDED)"
		fail "$(printf 'expected: %s to sleep while it waits: no CPU, no wakeups (at most 2 clock ticks and 10 context switches)\nactual:   over %s ms, it and its threads and children took %s clock ticks of CPU and switched %s times (%s)\nhint:     %s' \
			"$what" "$LAB_WATCH_MS" "$WATCHED_TICKS" "$WATCHED_SWITCHES" "$WATCHED" "$hint")"
	fi
}

exited() {
	pid_state "$1"
	[[ $PID_STATE == [Zx]* || $PID_STATE == gone ]]
}

require_listener() {
	[[ -x $LISTENER_BUILD/listener ]] && return 0
	fail "$(printf 'expected: listener.c to compile with `cc -o listener listener.c`\nactual:   no listener was built. Compiler output:\n%s' "$(head -c 4096 "$BATS_FILE_TMPDIR/compile.log")")"
}

# start_listener [--line-buffered]: run the listener in the background,
# stdout to a file, as a script would with "./listener > output.log &" (a
# script's "&" starts it with SIGINT ignored, and so does this). With
# --line-buffered, stdbuf makes its stdio stdout line-buffered, so that a
# line it prints is in the file at once, not only when it exits. Sets PID
# and OUT.
start_listener() {
	local -a buffering=()
	[[ ${1:-} == --line-buffered ]] && buffering=(stdbuf -oL)
	require_listener
	OUT=$BATS_TEST_TMPDIR/output.log
	lab_fresh "$OUT"
	(trap '' INT && cd "$LISTENER_BUILD" && lab_exec "$LAB_RUNNER" "${buffering[@]}" ./listener) >"$OUT" 2>/dev/null &
	PID=$!
	LAB_PIDS+=("$PID")
}

# fail_exited WHAT: the listener exited before WHAT; fail with its status
# and output.
fail_exited() {
	wait "$PID" && STATUS=0 || STATUS=$?
	LAB_PIDS=()
	fail "$(printf 'expected: the listener to wait for a signal\nactual:   it exited on its own with status %s before %s\noutput:   %s' "$STATUS" "$1" "$(head -c 1024 "$OUT")")"
}

# has_line_or_exited: the output file holds a whole first line, or the listener ended.
has_line_or_exited() {
	# read succeeds only on a line ended by its newline (no fork).
	{ IFS= read -r _ <"$OUT"; } 2>/dev/null || exited "$PID"
}

# read_pid_line: wait until the listener (started --line-buffered) has
# printed its first line, then end it. Sets output to what it printed.
read_pid_line() {
	wait_until has_line_or_exited || true
	kill -KILL "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	LAB_PIDS=()
	[[ -s $OUT ]] ||
		fail "$(printf 'expected: a line "Listener PID: <pid>" on stdout\nactual:   nothing was printed within %s s' "$LAB_BOUND")"
	run -0 head -c "$LAB_OUTPUT_MAX" "$OUT"
}

# catches_or_exited PID SIG
catches_or_exited() {
	catches "$1" "$2" || exited "$1"
}

asleep_or_exited() {
	asleep "$1" || exited "$1"
}

# signal_listener SIG: wait until the listener catches SIG, and a short while
# for it to fall asleep; send SIG, wait for its exit. Sets STATUS and output
# (the listener's stdout).
signal_listener() {
	local sig=$1
	wait_until catches_or_exited "$PID" "$sig" || true
	exited "$PID" && fail_exited "installing a handler for SIG$sig"
	catches "$PID" "$sig" ||
		fail "$(printf 'expected: a handler for SIG%s, installed with signal() or sigaction()\nactual:   after %s s, /proc/%s/status shows %s\nhint:     is the handler installed, and not SIG_IGN?' \
			"$sig" "$LAB_BOUND" "$PID" "$(grep -E 'Sig(Cgt|Ign)' "/proc/$PID/status" | tr '\n' ' ')")"
	# The handler is there; the wait for sleep is short, and not required: a
	# listener that spins is judged on what it prints and returns (its
	# spinning costs the points of the sleeping test alone).
	LAB_BOUND=$((LAB_BOUND < 1 ? LAB_BOUND : 1)) wait_until asleep_or_exited "$PID" || true
	exited "$PID" && fail_exited "SIG$sig was sent"
	kill -s "$sig" "$PID"
	if ! wait_until exited "$PID"; then
		fail "$(printf 'expected: the listener to exit after SIG%s\nactual:   it was still running %s s later, and was killed\nhint:     does the handler (or main, after pause()) end the program?' "$sig" "$LAB_BOUND")"
	fi
	wait "$PID" && STATUS=0 || STATUS=$?
	LAB_PIDS=()
	run -0 head -c "$LAB_OUTPUT_MAX" "$OUT"
}
