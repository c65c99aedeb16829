# keeper.bash - build, start, probe and stop a keeper under test (keeper.bats).
#
# Needs helpers/lab and helpers/listener (wait_until, exited). The set-up of
# every test, as keeper/HANDOUT.md describes it:
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
# Every wait is bounded: LAB_BOUND for a start or a stop, LAB_BOUND + 2 s for
# a client (the keeper may first spend its one second on a silent client).

KEEPER_GROUP=users
KEEPER_ACCOUNTS=(garfield nermal)
# The accounts' files: byte-identical after the suite (keeper_accounts_done).
KEEPER_ACCOUNT_FILES=(/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid)

# keeper_accounts: make garfield and nermal, members of KEEPER_GROUP, unless
# they exist (the grader makes them in its namespace). Call from setup_file,
# as root.
keeper_accounts() {
	local f user
	for f in "${KEEPER_ACCOUNT_FILES[@]}"; do
		[[ -e $f ]] && sha256sum "$f"
	done >"$BATS_FILE_TMPDIR/accounts.sha256"
	for user in "${KEEPER_ACCOUNTS[@]}"; do
		id -u "$user" >/dev/null 2>&1 && continue
		useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			--groups "$KEEPER_GROUP" "$user" && echo "$user" >>"$BATS_FILE_TMPDIR/created-accounts"
	done
}

# keeper_accounts_done: remove the accounts keeper_accounts made; the
# accounts' files must be as they were.
keeper_accounts_done() {
	local user
	if [[ -f $BATS_FILE_TMPDIR/created-accounts ]]; then
		while read -r user; do
			userdel "$user"
		done <"$BATS_FILE_TMPDIR/created-accounts"
	fi
	if [[ -s $BATS_FILE_TMPDIR/accounts.sha256 ]]; then
		sha256sum --quiet --check "$BATS_FILE_TMPDIR/accounts.sha256" ||
			fail "the account files changed during the suite"
	fi
}

# keeper_build: compile LAB_DIR/keeper/keeper.c and paw.c as the runner, each
# with `cc -o NAME NAME.c` (the build is part of what is tested:
# require_built reports its errors), and our fixtures as root, with the lab's
# flags. Call from setup_file.
keeper_build() {
	local prog
	KEEPER_BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ipc-keeper-build.XXXXXX")
	export KEEPER_BUILD
	chmod 0755 "$KEEPER_BUILD"
	mkdir -m 0755 "$KEEPER_BUILD/student" "$KEEPER_BUILD/fixtures"
	for prog in keeper paw; do
		printf 'keeper/%s.c not found in %s\n' "$prog" "$LAB_DIR" >"$BATS_FILE_TMPDIR/$prog.log"
		[[ -f $LAB_DIR/keeper/$prog.c ]] || continue
		cp -- "$LAB_DIR/keeper/$prog.c" "$KEEPER_BUILD/student/$prog.c"
		chown -R "$LAB_RUNNER" "$KEEPER_BUILD/student"
		(cd "$KEEPER_BUILD/student" && LAB_BOUND=60 lab_exec --bounded "$LAB_RUNNER" \
			cc -o "$prog" "$prog.c" >"$BATS_FILE_TMPDIR/$prog.log" 2>&1) || true
	done
	# The lab's flags: the grader's sandbox exports them; natively, lab.conf.
	if [[ -z ${LAB_CFLAGS:-} && -f $LAB_TESTS/../grader/lab.conf ]]; then
		# shellcheck source=grader/lab.conf
		source "$LAB_TESTS/../grader/lab.conf"
	fi
	{
		# shellcheck disable=SC2086 # the flags are words
		cc ${LAB_CFLAGS:?grader/lab.conf not read} -O2 -o "$KEEPER_BUILD/fixtures/rogue" \
			"$LAB_TESTS/helpers/rogue.c" &&
			cc ${LAB_CFLAGS} -O2 -shared -fPIC -o "$KEEPER_BUILD/fixtures/leakcheck.so" \
				"$LAB_TESTS/helpers/leakcheck.c"
	} >"$BATS_FILE_TMPDIR/fixtures.log" 2>&1 || true
}

keeper_clean() {
	rm -rf -- "$KEEPER_BUILD"
}

# require_built PROG: the student's PROG (keeper or paw) and our fixtures exist.
require_built() {
	[[ -x $KEEPER_BUILD/fixtures/rogue && -f $KEEPER_BUILD/fixtures/leakcheck.so ]] ||
		fail "$(printf 'the suite could not build its own fixtures (tests/helpers/rogue.c, leakcheck.c):\n%s' "$(head -c 2048 "$BATS_FILE_TMPDIR/fixtures.log")")"
	[[ -x $KEEPER_BUILD/student/$1 ]] && return 0
	# shellcheck disable=SC2016 # backquotes in a message, not a command
	fail "$(printf 'expected: keeper/%s.c to compile with `cc -o %s %s.c`\nactual:   no %s was built. Compiler output:\n%s' "$1" "$1" "$1" "$1" "$(head -c 4096 "$BATS_FILE_TMPDIR/$1.log")")"
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
	chown "$LAB_OWNER:$KEEPER_GROUP" "$KWS/run"
	chmod 2755 "$KWS/run"
	KSOCK=$KWS/run/keeper.sock
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
	require_built keeper
	KOUT=$BATS_TEST_TMPDIR/keeper.out KERR=$BATS_TEST_TMPDIR/keeper.err
	(cd "$KWS" && lab_exec "$LAB_OWNER" "$KEEPER_BUILD/student/keeper" "$KSOCK" \
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

# keeper_stop: SIGTERM, a bounded wait, then SIGKILL; reaps the keeper.
keeper_stop() {
	[[ -n ${KPID:-} ]] || return 0
	kill -TERM "$KPID" 2>/dev/null || true
	wait_until exited "$KPID" || kill -KILL "$KPID" 2>/dev/null || true
	wait "$KPID" 2>/dev/null || true
	KPID=
}

# run_as USER CMD...: CMD as USER, from the workspace, within LAB_BOUND + 2 s;
# stdin from KEEPER_STDIN (default /dev/null). Sets status, output (stdout,
# its bytes also in CLIENT_OUT), lines and stderr.
run_as() {
	CLIENT_OUT=$BATS_TEST_TMPDIR/client.out
	local err=$BATS_TEST_TMPDIR/client.err
	status=0
	(cd "$KWS" && LAB_BOUND=$((LAB_BOUND + 2)) lab_exec --bounded "$@") \
		>"$CLIENT_OUT" 2>"$err" <"${KEEPER_STDIN:-/dev/null}" || status=$?
	output=$(head -c "$LAB_OUTPUT_MAX" "$CLIENT_OUT")
	stderr=$(head -c "$LAB_OUTPUT_MAX" "$err")
	# shellcheck disable=SC2034 # bats-assert's assert_line reads lines
	mapfile -t lines <<<"$output"
}

# in_background OUT USER CMD...: CMD as USER, from the workspace, stdout and
# stderr to OUT. Its bound, LAB_BOUND + 10 s, outlasts any client's: a client
# held open by the keeper is let go by the keeper, never by its bound first.
# Sets BG_PID: its process group, which keeper_stop_background kills whole.
in_background() {
	local out=$1
	shift
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

# ask USER REQUEST [hangup]: our probing client sends REQUEST to the keeper.
ask() {
	run_as "$1" "$KEEPER_BUILD/fixtures/rogue" ask "$KSOCK" "${@:2}"
}

# run_paw USER NAME: the paw under test, with the leak check loaded.
run_paw() {
	require_built paw
	run_as "$1" LD_PRELOAD="$KEEPER_BUILD/fixtures/leakcheck.so" "$KEEPER_BUILD/student/paw" "$KSOCK" "$2"
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
