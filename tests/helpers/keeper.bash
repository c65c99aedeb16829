# keeper.bash - build, start, probe and stop a keeper under test (keeper.bats).
#
# Needs helpers/lab, helpers/listener (wait_until, exited) and helpers/build.
# The set-up of every test, as keeper/HANDOUT.md describes it:
#
#   WS/litterbox/           the owner's alone (0700): treasure.txt (LAB_TREASURE),
#                           pipe (a FIFO), escape -> ../secret.txt
#   WS/secret.txt           LAB_SECRET, 0600, the owner's
#   WS/run/                 the owner's, setgid, group "users", 2755: the socket
#                           made there, 0660, takes the group "users"
#   WS/run/keeper.sock      the socket (KSOCK)
#
# The accounts: the keeper runs as LAB_OWNER and serves garfield; nermal is in
# the group "users" too but is not served; the stranger (LAB_RUNNER, or
# nobody when that is root) is in neither. Code under test runs through
# lab_exec, and so does our own rogue peer (helpers/rogue.c: a probing client
# and a hostile keeper), as one of these accounts, never as root.
#
# shellcheck disable=SC2154 # status, output and stderr are set by run_as (helpers/lab.bash)

# Every wait is bounded: LAB_BOUND for a start or a stop, LAB_BOUND + 2 s for
# a client (the keeper may first spend its one second on a silent client).

# keeper_build: build keeper and paw as a student does, and our fixtures
# (helpers/build.bash). Call from setup_file.
keeper_build() {
	KEEPER_BUILD=$(build_dir keeper)
	export KEEPER_BUILD
	build_student "$KEEPER_BUILD" keeper keeper paw
	build_fixture "$KEEPER_BUILD" rogue "$LAB_TESTS/helpers/rogue.c"
	build_preload "$KEEPER_BUILD" leakcheck.so "$LAB_TESTS/helpers/leakcheck.c" -shared -fPIC
	build_preload "$KEEPER_BUILD" keeperhook.so "$LAB_TESTS/helpers/keeperhook.c" -shared -fPIC
}

keeper_clean() {
	rm -rf -- "$KEEPER_BUILD"
}

# require_keeper PROG: the student's PROG (keeper or paw) and our fixtures exist.
require_keeper() {
	require_built "$KEEPER_BUILD" keeper "$1" rogue leakcheck.so keeperhook.so
}

# keeper_stranger: an account in neither the served users nor the group:
# the runner, or nobody when the runner is root (by number: lab_exec drops to
# the group of the same name or number, and nobody's group is nogroup, 65534).
keeper_stranger() {
	if [[ $(id -u "$LAB_RUNNER") == 0 ]]; then id -u nobody; else echo "$LAB_RUNNER"; fi
}

# keeper_workspace: the set-up above, fresh for each test. Sets KWS, KSOCK.
keeper_workspace() {
	KWS=$(mktemp -d "${TMPDIR:-/tmp}/ipc-keeper.XXXXXX")
	chmod 0755 "$KWS"
	mkdir "$KWS/litterbox" "$KWS/run"
	printf '%s\n' "$LAB_TREASURE" >"$KWS/litterbox/treasure.txt"
	printf '%s\n' "$LAB_SECRET" >"$KWS/secret.txt"
	mkfifo "$KWS/litterbox/pipe"
	ln -s ../secret.txt "$KWS/litterbox/escape"
	chown -hR "$LAB_OWNER" "$KWS/litterbox" "$KWS/secret.txt"
	chmod 0600 "$KWS/litterbox/treasure.txt" "$KWS/litterbox/pipe" "$KWS/secret.txt"
	chmod 0700 "$KWS/litterbox"
	chown "$LAB_OWNER:$LAB_GROUP" "$KWS/run"
	chmod 2755 "$KWS/run"
	KSOCK=$KWS/run/keeper.sock
	# run_as (helpers/lab) runs clients from the workspace.
	# shellcheck disable=SC2034 # read by run_as, in helpers/lab.bash
	LAB_RUN_DIR=$KWS
}

keeper_rm_workspace() {
	[[ -n ${KWS:-} && -d $KWS ]] && rm -rf -- "$KWS"
	KWS=
}

# ready_or_exited FILE PID: FILE holds the ready line, or PID has ended.
ready_or_exited() {
	grep -qxF "Keeper ready: $KSOCK" "$1" 2>/dev/null || exited "$2"
}

# keeper_start [USER...]: the keeper under test, as LAB_OWNER, from the
# workspace, serving USERs (default: garfield). Waits for its ready line.
# Sets KPID, and KOUT and KERR, its stdout and stderr.
keeper_start() {
	require_keeper keeper
	local -a wrap=() hook=()
	# KEEPER_LINE_BUFFERED=1: stdio's stdout line-buffered (stdbuf), so that
	# whatever the keeper prints is in KOUT at once, not lost in a buffer.
	[[ ${KEEPER_LINE_BUFFERED:-} == 1 ]] && wrap=(stdbuf -oL)
	# KEEPER_HOOK=1: helpers/keeperhook.c loaded into the keeper, its events
	# in KHOOK (the owner's file: the keeper appends to it as the owner).
	if [[ ${KEEPER_HOOK:-} == 1 ]]; then
		KHOOK=$KWS/hook.log
		: >"$KHOOK"
		chown "$LAB_OWNER" "$KHOOK"
		chmod 0600 "$KHOOK"
		hook=(LD_PRELOAD="$KEEPER_BUILD/preload/keeperhook.so" KEEPERHOOK_LOG="$KHOOK")
	fi
	KOUT=$BATS_TEST_TMPDIR/keeper.out KERR=$BATS_TEST_TMPDIR/keeper.err
	lab_fresh "$KOUT" "$KERR"
	(cd "$KWS" && lab_exec "$LAB_OWNER" "${hook[@]}" "${wrap[@]}" "$KEEPER_BUILD/student/keeper" "$KSOCK" \
		"$KWS/litterbox" "${@:-garfield}") >"$KOUT" 2>"$KERR" </dev/null &
	KPID=$!
	LAB_PIDS+=("$KPID")
	wait_until ready_or_exited "$KOUT" "$KPID" || true
	grep -qxF "Keeper ready: $KSOCK" "$KOUT" && return 0
	local why="it printed no such line within $LAB_BOUND s"
	if exited "$KPID"; then
		wait "$KPID" && why="it exited with status 0" || why="it exited with status $?"
		KPID=
	fi
	fail "$(printf 'expected: the keeper to print "Keeper ready: %s" once it listens\nactual:   %s\nstdout:   %s\nstderr:   %s\nhint:     the line must be flushed at once (fflush, or line-buffered stdout)' \
		"$KSOCK" "$why" "$(head -c 300 "$KOUT")" "$(head -c 300 "$KERR")")"
}

# hook_events PATTERN: the hook's events (KHOOK) that match the extended
# regular expression PATTERN, in order.
hook_events() {
	grep -E -- "$1" "$KHOOK" || true
}

# hook_field LINE NAME: the value of NAME=VALUE in an event line (text= is
# the rest of the line).
hook_field() {
	if [[ $2 == text ]]; then
		sed -n 's/.* text=//p' <<<"$1"
	else
		sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
	fi
}

# keeper_stop: SIGTERM, a bounded wait, then SIGKILL; reaps the keeper.
keeper_stop() {
	[[ -n ${KPID:-} ]] || return 0
	kill -TERM "$KPID" 2>/dev/null || true
	wait_until exited "$KPID" || kill -KILL "$KPID" 2>/dev/null || true
	wait "$KPID" 2>/dev/null || true
	KPID=
}

# in_background OUT USER CMD...: CMD as USER, from the workspace, stdout and
# stderr to OUT. Its bound, LAB_BOUND + 10 s, outlasts any client's: a client
# held open by the keeper is let go by the keeper, never by its bound first.
# Sets BG_PID: its process group, which keeper_stop_background kills whole.
in_background() {
	local out=$1
	shift
	lab_fresh "$out"
	(cd "$KWS" && LAB_BOUND=$((LAB_BOUND + 10)) lab_exec --bounded "$@") >"$out" 2>&1 </dev/null &
	BG_PID=$!
	KEEPER_BG+=("$BG_PID")
}
KEEPER_BG=()

keeper_stop_background() {
	local pid
	for pid in "${KEEPER_BG[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	KEEPER_BG=()
}

# dribble USER: a client, as USER, that sends a byte every 0.2 s and never
# a newline, for 4 s at most; it prints how it ended: "let go", "let go,
# with: REPLY" (the keeper closed, or replied), or "still open after 4 s",
# then "seconds: S", how long it was held. Like rogue, it tries the abstract
# name when there is no file at SOCKET. (In Python: a client with a clock,
# beside rogue's.)
dribble() {
	run_as "$1" python3 -c "$KEEPER_DRIBBLER" "$KSOCK"
}
KEEPER_DRIBBLER='
import select, socket, sys, time
BOUND = 4.0
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except FileNotFoundError:
    # As rogue does: a keeper in the abstract namespace is still reached.
    try:
        s.connect("\0" + sys.argv[1])
    except OSError as e:
        print("connect: [Errno %d] %s" % (e.errno, e.strerror))
        sys.exit(3)
except OSError as e:
    print("connect: [Errno %d] %s" % (e.errno, e.strerror))
    sys.exit(3)
start = time.monotonic()
how = "still open after %d s" % BOUND
while time.monotonic() - start < BOUND:
    ready, _, _ = select.select([s], [], [], 0.2)
    try:
        if ready:
            data = s.recv(64).split(b"\n")[0]
            how = "let go, with: " + data.decode("ascii", "replace") if data else "let go"
            break
        s.send(b"a")
    except OSError:
        how = "let go"
        break
print(how)
print("seconds: %.1f" % (time.monotonic() - start))
'

# ask USER REQUEST [hangup]: our probing client sends REQUEST to the keeper.
ask() {
	run_as "$1" "$KEEPER_BUILD/fixtures/rogue" ask "$KSOCK" "${@:2}"
}

# run_paw USER NAME: the paw under test, with the leak check loaded.
run_paw() {
	require_keeper paw
	run_as "$1" LD_PRELOAD="$KEEPER_BUILD/preload/leakcheck.so" "$KEEPER_BUILD/student/paw" "$KSOCK" "$2"
}

# expect_reply REPLY DESCRIPTORS HINT: the last ask got the reply line REPLY
# with DESCRIPTORS descriptors, and never the secret.
expect_reply() {
	if [[ $output == *"$LAB_SECRET"* ]] ||
		! grep -qxF "reply: $1" <<<"$output" || ! grep -qx "descriptors: $2" <<<"$output"; then
		fail "$(printf 'expected: the reply "%s" with %s descriptor(s)\nactual:   %s\nhint:     %s' \
			"$1" "$2" "$(sed '2,$s/^/          /' <<<"$output")" "$3")"
	fi
}

# fd_count PID: how many descriptors PID holds.
fd_count() {
	local fds=("/proc/$1/fd/"*)
	echo "${#fds[@]}"
}

# hostile_keeper MODE: our hostile keeper (rogue serve MODE), as the owner,
# serving one client. Sets RPID, ROUT.
hostile_keeper() {
	ROUT=$BATS_TEST_TMPDIR/rogue.out
	lab_fresh "$ROUT"
	(cd "$KWS" && lab_exec "$LAB_OWNER" "$KEEPER_BUILD/fixtures/rogue" serve "$KSOCK" "$1" \
		"$KWS/litterbox/treasure.txt") >"$ROUT" 2>&1 </dev/null &
	RPID=$!
	LAB_PIDS+=("$RPID")
	wait_until ready_or_exited "$ROUT" "$RPID" ||
		fail "the suite's hostile keeper did not start: $(head -c 300 "$ROUT")"
}

# expect_paw_fault WHAT: the last paw said MEOW, exited 2, printed nothing of
# the file or of its stdin, and held no descriptor but its socket at exit.
expect_paw_fault() {
	local leaks
	if [[ $status != 2 || $output != MEOW\ * || $output == *"$LAB_TREASURE"* ||
		$output == *stdin-canary* ]]; then
		fail "$(printf 'expected: paw to print "MEOW ..." and exit 2 when %s\nactual:   status %s, output: %s\nhint:     check the control message (MSG_CTRUNC, level, type, length, one descriptor) before using it' \
			"$1" "$status" "$(head -c 300 <<<"$output")")"
	fi
	grep -qx "leakcheck: done" <<<"$stderr" ||
		fail "$(printf 'expected: paw to exit through exit() or a return from main, so its descriptors can be checked\nactual:   status %s, no report from the leak check (stderr: %s)' "$status" "$(head -c 300 <<<"$stderr")")"
	leaks=$(grep '^leakcheck: fd ' <<<"$stderr") &&
		fail "$(printf 'expected: paw to close every descriptor it received when %s\nactual:   still open at exit:\n%s\nhint:     close all the descriptors that came with the reply, not only the first' "$1" "$leaks")"
	return 0
}
