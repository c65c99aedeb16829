# listener.bash - start, watch and signal a listener under test.
#
# Needs helpers/lab. The listener is signalled only once the kernel shows
# both handlers installed (SigCgt in /proc/PID/status) and the process asleep
# (state S), and every wait has a bound (LAB_BOUND), so a broken listener
# fails within seconds instead of hanging the suite.

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

# Bounded wait: poll CMD until it succeeds, for at most LAB_BOUND seconds.
wait_until() {
	local deadline=$((${EPOCHREALTIME/./} + LAB_BOUND * 1000000))
	until "$@"; do
		((${EPOCHREALTIME/./} < deadline)) || return 1
		sleep 0.005 # ok-sleep: poll interval of a bounded wait on a real condition
	done
}

# proc_state PID: the one-letter state in /proc/PID/stat (Z once it exited).
proc_state() {
	local stat
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || { echo gone; return; }
	stat=${stat##*) }
	echo "${stat%% *}"
}

# listening PID: both handlers installed (SIGINT is bit 2 of SigCgt, SIGUSR1
# bit 10) and the process asleep, in pause() or sigsuspend(). Only then can a
# signal neither arrive before its handler nor slip in before the wait.
listening() {
	local key value cgt=0
	while read -r key value; do
		[[ $key == SigCgt: ]] && cgt=$((16#$value))
	done 2>/dev/null <"/proc/$1/status"
	(((cgt & 0x202) == 0x202)) && [[ $(proc_state "$1") == S ]]
}

listening_or_exited() {
	listening "$1" || exited "$1"
}

exited() {
	[[ $(proc_state "$1") == [Zx]* || $(proc_state "$1") == gone ]]
}

require_listener() {
	[[ -x $LISTENER_BUILD/listener ]] && return 0
	fail "$(printf 'expected: listener.c to compile with `cc -o listener listener.c`\nactual:   no listener was built. Compiler output:\n%s' "$(head -c 4096 "$BATS_FILE_TMPDIR/compile.log")")"
}

# start_listener: run the listener in the background, stdout to a file, as
# a script would with "./listener > output.log &" (a script's "&" starts it
# with SIGINT ignored, and so does this). Sets PID and OUT.
start_listener() {
	require_listener
	OUT=$BATS_TEST_TMPDIR/output.log
	(trap '' INT && cd "$LISTENER_BUILD" && lab_exec "$LAB_RUNNER" ./listener) >"$OUT" 2>/dev/null &
	PID=$!
	LAB_PIDS+=("$PID")
}

# signal_listener SIG: wait until it listens, send SIG, wait for its exit.
# Sets STATUS and output (the listener's stdout).
signal_listener() {
	local sig=$1
	if ! wait_until listening_or_exited "$PID" || exited "$PID"; then
		if exited "$PID"; then
			wait "$PID" && STATUS=0 || STATUS=$?
			fail "$(printf 'expected: the listener to wait for a signal\nactual:   it exited on its own with status %s before installing both handlers\noutput:   %s' "$STATUS" "$(head -c 1024 "$OUT")")"
		fi
		fail "$(printf 'expected: handlers for SIGINT and SIGUSR1, then a wait in pause() or sigsuspend()\nactual:   after %s s, /proc/%s/status shows %s and the process is in state %s\nhint:     are both handlers installed, and does the listener sleep instead of spinning?' \
			"$LAB_BOUND" "$PID" "$(grep SigCgt "/proc/$PID/status")" "$(proc_state "$PID")")"
	fi
	kill -s "$sig" "$PID"
	if ! wait_until exited "$PID"; then
		fail "$(printf 'expected: the listener to exit after SIG%s\nactual:   it was still running %s s later, and was killed\nhint:     does the handler (or main, after pause()) end the program?' "$sig" "$LAB_BOUND")"
	fi
	wait "$PID" && STATUS=0 || STATUS=$?
	LAB_PIDS=()
	run -0 head -c "$LAB_OUTPUT_MAX" "$OUT"
}
