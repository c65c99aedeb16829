# background.bash - programs the optional parts' suites start in the
# background, wait for and judge by their bytes (needs helpers/lab and
# helpers/listener, for lab_exec, wait_until and exited).

# start_as OUT USER CMD...: CMD as USER in the background, from LAB_RUN_DIR
# (as run_as), stdout to OUT, stderr to OUT.err, stdin from LAB_STDIN
# (default /dev/null). Sets BG: its PID.
start_as() {
	local out=$1
	shift
	lab_fresh "$out" "$out.err"
	(cd "${LAB_RUN_DIR:-/}" && lab_exec "$@") >"$out" 2>"$out.err" <"${LAB_STDIN:-/dev/null}" &
	BG=$!
	LAB_PIDS+=("$BG")
}

# first_line FILE: set FIRST to FILE's first line (what of it there is so
# far; empty when FILE is not there). Forks nothing: the waits poll it.
first_line() {
	FIRST=
	{ IFS= read -r FIRST <"$1"; } 2>/dev/null || true
}

# ready_or_gone FILE PID LINE: FILE starts with LINE PID, or PID has ended.
ready_or_gone() {
	first_line "$1"
	[[ $FIRST == "$3$2" ]] || exited "$2"
}

# start_ready OUT LINE USER CMD...: start_as, then wait for the ready line
# (LINE followed by the PID, "Listener PID: "); fails if it never comes,
# saying when it should (LAB_READY_WHEN), with LAB_READY_HINT as the hint
# if it is set.
start_ready() {
	local out=$1 line=$2
	shift 2
	start_as "$out" "$@"
	wait_until ready_or_gone "$out" "$BG" "$line" || true
	first_line "$out"
	[[ $FIRST == "$line$BG" ]] && return 0
	local why="no such line within $LAB_BOUND s" hint=
	[[ -z ${LAB_READY_HINT:-} ]] || hint=$'\nhint:     '$LAB_READY_HINT
	if exited "$BG"; then
		ended "$BG"
		why="it exited ($ENDED)"
	fi
	fail "$(printf 'expected: "%s%s" as the first line, flushed at once, %s\nactual:   %s\nstdout:   %s\nstderr:   %s%s' \
		"$line" "$BG" "${LAB_READY_WHEN:-once it is ready}" "$why" "$(head -c 300 "$out" | cat -v)" "$(head -c 300 "$out.err")" "$hint")"
}

# start_or_end OUT LINE USER CMD...: start_as, then wait until it printed
# its ready line (LINE followed by the PID) or ended. Sets PID, and ENDED:
# "status N" when it is gone, "started" when it printed its ready line (it
# runs on), else "still running" (killed). For a start it must refuse.
start_or_end() {
	local out=$1 line=$2
	shift 2
	start_as "$out" "$@"
	PID=$BG
	wait_until ready_or_gone "$out" "$PID" "$line" || true
	first_line "$out"
	if exited "$PID"; then
		ended "$PID"
	elif [[ $FIRST == "$line$PID" ]]; then
		ENDED=started
	else
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
		ENDED="still running"
	fi
}

# ended PID: wait for PID (a child of this shell: never call it in $(...))
# for LAB_BOUND s; set ENDED to "status N", or kill it and set "still running".
ended() {
	if wait_until exited "$1"; then
		local s=0
		wait "$1" || s=$?
		ENDED="status $s"
	else
		kill -KILL "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		ENDED="still running"
	fi
}

# after_line FILE: FILE's bytes after its first line.
after_line() {
	tail -n +2 "$1"
}

# bytes N FILE: N random bytes for a message, a NUL and a newline among the
# first four: text a %s would cut short, or a line reader split.
bytes() {
	{
		printf 'x\0y\n'
		head -c "$1" /dev/urandom
	} | head -c "$1" >"$2"
}
