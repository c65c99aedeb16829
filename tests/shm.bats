#!/usr/bin/env bats
# shm.bats - the shared-memory part: letters and a stream through System V
# shared memory, woken by a signal or taking turns on semaphores
# (shm/HANDOUT.md is the contract).
#
# The student's programs run as garfield, each against our own version of
# the other side (helpers/letters.c), so a defect in one program costs none
# of another's points. Each security claim is shown both ways: nermal (never
# root) is refused with the exact errno, and in the same set-up garfield's
# legitimate use works. Nothing waits on a sleep: the programs say when they
# are ready, and every wait has a bound. After each test no process and no
# object on the test's keys is left.

# shellcheck disable=SC2154 # status, output and stderr are set by run_as (helpers/lab.bash)
load helpers/lab
load helpers/listener
load helpers/build
load helpers/background
load helpers/shm

# When a program must print its ready line (start_ready, helpers/background).
# shellcheck disable=SC2034 # read by start_ready
LAB_READY_WHEN="once the objects exist"

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
NEEDS_ROOT="needs root to create garfield and nermal: run 'sudo make test' (see README)"

setup_file() {
	((EUID == 0)) || return 0
	lab_accounts
	shm_build
}

teardown_file() {
	((EUID == 0)) || return 0
	shm_clean
	lab_accounts_done
}

setup() {
	lab_trace_body
	((EUID == 0)) || skip "$NEEDS_ROOT"
	# shellcheck disable=SC2034 # read by run_as and start_as
	LAB_RUN_DIR=$SHM_BUILD
	shm_key
}

teardown() {
	lab_kill_leftovers
	shm_leftovers
}

# listen: the student's listener on KEY, as garfield, ready. Sets PID, OUT.
listen() {
	require_shm listener
	OUT=$BATS_TEST_TMPDIR/listener.$KEY
	start_ready "$OUT" "Listener PID: " "$SHM_USER" stdbuf -oL "$(student listener)" "$KEY"
	PID=$BG
}

# ended_with STATUS WHAT: the listener (PID) ended with STATUS.
ended_with() {
	ended "$PID"
	local got=$ENDED
	[[ $got == "status $1" ]] ||
		fail "$(printf 'expected: the listener to exit %s %s\nactual:   %s\nstdout:   %s\nstderr:   %s' \
			"$1" "$2" "$got" "$(after_line "$OUT" | head -c 200 | cat -v)" "$(head -c 300 "$OUT.err")")"
}

@test "shm/listener.c, sender.c, reader.c and writer.c compile" {
	require_shm listener
	require_shm sender
	require_shm reader
	require_shm writer
}

@test "the listener prints a letter from our sender byte for byte, from 1 to 4092 bytes" {
	local len letter=$BATS_TEST_TMPDIR/letter
	for len in 1 100 4092; do
		shm_key
		bytes "$len" "$letter"
		listen
		LAB_STDIN=$letter run_as "$SHM_USER" "$LETTERS" send "$KEY" "$PID"
		[[ $status == 0 ]] || fail "our sender failed: $output $stderr"
		ended_with 0 "after a letter of $len bytes"
		after_line "$OUT" | cmp -s - "$letter" ||
			fail "$(printf 'expected: exactly the %s bytes of the letter after the PID line (here starting x, NUL, y, newline)\nactual:   %s bytes: %s\nhint:     copy len once, then fwrite(text, 1, len, stdout): no %%s, no newline added' \
				"$len" "$(after_line "$OUT" | wc -c)" "$(after_line "$OUT" | head -c 60 | od -An -c | head -2 | tr -s ' ')")"
	done
}

@test "the listener sleeps while it waits for a letter, using no CPU" {
	listen
	require_sleeping "the listener" "$PID" "while(1); spins, and usleep() in a loop polls; sigwaitinfo() (or sigsuspend()) sleeps until a signal arrives"
}

@test "another user can neither attach to the listener's segment (EACCES) nor signal it (EPERM); its owner can" {
	listen
	local perms
	perms=$(perms_on "$KEY")
	[[ $perms == 600 ]] ||
		fail "$(printf 'expected: the segment to be 0600, its owner'\''s alone\nactual:   %s\nhint:     System V objects ignore the umask: the mode you give shmget() is the mode you get' "${perms:-no segment on key $KEY}")"
	run_as "$SHM_OTHER" "$LETTERS" peek "$KEY"
	[[ $output == *"shmat: [Errno 13] Permission denied"* ]] ||
		fail "$(printf 'expected: shmat() as %s to fail with EACCES\nactual:   %s\nhint:     System V objects ignore the umask: create the segment with mode 0600, not 0666' "$SHM_OTHER" "$(tr '\n' ' ' <<<"$output")")"
	run_as "$SHM_OTHER" kill -s USR1 "$PID"
	[[ $status != 0 && $stderr == *"Operation not permitted"* ]] ||
		fail "expected: kill -USR1 as $SHM_OTHER to fail with EPERM; actual: status $status, $stderr"
	! exited "$PID" || { ended "$PID"; fail "the listener exited after $SHM_OTHER's attempts ($ENDED)"; }
	run_as "$SHM_USER" "$LETTERS" peek "$KEY"
	[[ $output == *"shmat: ok"* ]] ||
		fail "control: garfield, the listener's own user, must be able to attach: $(tr '\n' ' ' <<<"$output")"
	run_as "$SHM_USER" kill -s USR1 "$PID"
	[[ $status == 0 ]] || fail "control: garfield, the listener's own user, must be able to signal it: $stderr"
	ended "$PID"
	[[ $ENDED != "still running" ]] || fail "control: garfield's SIGUSR1 must wake the listener"
}

@test "the listener refuses a key that someone else made first: exit 2, their segment untouched" {
	require_shm listener
	run_as "$SHM_OTHER" "$LETTERS" squat "$KEY" 666
	[[ $status == 0 ]] || fail "our squatter failed: $output $stderr"
	OUT=$BATS_TEST_TMPDIR/listener.out
	start_as "$OUT" "$SHM_USER" stdbuf -oL "$(student listener)" "$KEY"
	PID=$BG
	ended "$PID"
	local got=$ENDED
	if [[ $got != "status 2" ]] || grep -q "^Listener PID" "$OUT"; then
		fail "$(printf 'expected: exit 2 at once, without "Listener PID", when %s made key %s first (mode 0666)\nactual:   %s, stdout: %s\nhint:     shmget(KEY, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600): without IPC_EXCL, shmget() hands you their segment' \
			"$SHM_OTHER" "$KEY" "$got" "$(head -c 100 "$OUT")")"
	fi
	run_as "$SHM_OTHER" "$LETTERS" state "$KEY"
	[[ $output == *"len=7"*"text=canary!"* ]] ||
		fail "expected: the squatter's segment, untouched; actual: $(tr '\n' ' ' <<<"$output")"
	shm_key
	listen
}

@test "the listener refuses a hostile length, past the limit or changed after the check: exit 3, no crash" {
	local len round
	for len in 4093 4294967295; do
		shm_key
		listen
		run_as "$SHM_USER" "$LETTERS" send-len "$KEY" "$PID" "$len"
		ended_with 3 "when the letter claims $len bytes (at most 4092)"
		[[ -z $(after_line "$OUT") ]] || fail "expected: nothing printed for a refused letter; actual: $(after_line "$OUT" | wc -c) bytes"
	done
	# The length is 0 when the listener is told, and flips between 0 and
	# 2^32-1 from then on: a listener that reads it once prints nothing and
	# exits 0, or refuses; one that checks one read and uses another reads
	# past the segment's end.
	for round in 1 2 3 4 5; do
		shm_key
		listen
		start_as "$BATS_TEST_TMPDIR/flip.out" "$SHM_USER" "$LETTERS" flip "$KEY" "$PID" 0
		local flipper=$BG
		ended "$PID"
		local got=$ENDED
		kill -KILL "$flipper" 2>/dev/null || true
		wait "$flipper" 2>/dev/null || true
		case $got in
		"status 0") [[ -z $(after_line "$OUT") ]] ||
			fail "expected: an empty letter, or a refusal; actual: $(after_line "$OUT" | wc -c) bytes" ;;
		"status 3") [[ -z $(after_line "$OUT") ]] || fail "expected: nothing printed with a refusal" ;;
		*) fail "$(printf 'expected: exit 0 with the empty letter, or exit 3, while the sender rewrites the length (round %s)\nactual:   %s, stderr: %s\nhint:     uint32_t len = box->len; once, then check and use only len' "$round" "$got" "$(head -c 200 "$OUT.err")")" ;;
		esac
	done
}

@test "SIGINT and SIGTERM stop the listener with exit 1, and no exit path leaves its segment" {
	local before sig
	before=$(objects_of "$SHM_USER")
	left() {
		[[ -z $(on_key "$KEY") && $(objects_of "$SHM_USER") == "$before" ]] ||
			fail "$(printf 'expected: no segment left after %s\nactual:   %s segment(s) of %s (%s before)\nhint:     shmctl(id, IPC_RMID, NULL) on every exit path: System V objects outlive their process' "$1" "$(objects_of "$SHM_USER")" "$SHM_USER" "$before")"
	}
	# A letter and a refusal are exit paths when the listener takes them
	# (their own tests judge whether it does): then they must not leave the
	# segment either.
	listen
	printf 'hi' >"$BATS_TEST_TMPDIR/letter"
	LAB_STDIN=$BATS_TEST_TMPDIR/letter run_as "$SHM_USER" "$LETTERS" send "$KEY" "$PID"
	ended "$PID"
	[[ $ENDED != "status 0" ]] || left "a letter"
	shm_leftovers
	shm_key
	listen
	run_as "$SHM_USER" "$LETTERS" send-len "$KEY" "$PID" 5000
	ended "$PID"
	[[ $ENDED != "status 3" ]] || left "a refused letter"
	shm_leftovers
	for sig in INT TERM; do
		shm_key
		listen
		kill -s "$sig" "$PID"
		ended_with 1 "on SIG$sig"
		left "SIG$sig"
	done
}

# hear: our listener on KEY, as garfield, ready. Sets PID, OUT.
hear() {
	OUT=$BATS_TEST_TMPDIR/ours.$KEY
	start_ready "$OUT" "Listener PID: " "$SHM_USER" "$LETTERS" listen "$KEY"
	PID=$BG
}

@test "the sender delivers a message to our listener byte for byte, up to 4092 bytes" {
	require_shm sender
	local message
	for message in "H" "Hello, world" "$(printf 'line one\nline two: tabs\there, é, and %%s %%n' )" \
		"$(head -c 3069 /dev/urandom | base64 -w 0)"; do
		shm_key
		hear
		run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "$message"
		[[ $status == 0 ]] ||
			fail "$(printf 'expected: the sender to exit 0 after a %s-byte message\nactual:   status %s: %s' "${#message}" "$status" "$(head -c 300 <<<"$stderr")")"
		ended "$PID"
		after_line "$OUT" | cmp -s - <(printf '%s' "$message") ||
			fail "$(printf 'expected: our listener to read exactly the %s bytes of the message, inline in the segment\nactual:   %s (%s bytes)\nhint:     memcpy() the bytes into text and set len; a pointer means nothing in another process' \
				"${#message}" "$(grep -o 'len=.*' "$OUT.err")" "$(after_line "$OUT" | wc -c)")"
	done
}

@test "the sender refuses a message one byte past the limit: exit 2, nothing written, no signal" {
	require_shm sender
	hear
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "$(printf 'm%.0s' {1..4093})"
	[[ $status == 2 ]] || fail "expected: exit 2 for a message of 4093 bytes (at most 4092); actual: status $status"
	! exited "$PID" || fail "expected: no signal sent; actual: our listener was woken ($(head -c 100 "$OUT.err"))"
	run_as "$SHM_USER" "$LETTERS" state "$KEY"
	[[ $output == *"len=0"* ]] || fail "expected: nothing written into the segment; actual: $(head -1 <<<"$output")"
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "$(printf 'm%.0s' {1..4092})"
	ended "$PID"
	[[ $(after_line "$OUT" | wc -c) == 4092 ]] ||
		fail "control: a message of exactly 4092 bytes must arrive whole; got $(after_line "$OUT" | wc -c) bytes (status $status: $stderr)"
}

@test "the sender refuses a segment it did not make for itself: exit 2, nothing written, no signal" {
	require_shm sender
	local squatted mode garfield_uid
	garfield_uid=$(id -u "$SHM_USER")
	hear
	local own=$KEY
	# One squat open to all (0666); one private (0600) and given to garfield
	# with IPC_SET, whose maker keeps the owner's rights all the same.
	for mode in 666 600; do
		shm_key
		squatted=$KEY
		if [[ $mode == 666 ]]; then
			run_as "$SHM_OTHER" "$LETTERS" squat "$KEY" "$mode"
		else
			run_as "$SHM_OTHER" "$LETTERS" squat "$KEY" "$mode" "$garfield_uid"
		fi
		[[ $status == 0 ]] || fail "our squatter failed: $output $stderr"
		run_as "$SHM_USER" "$(student sender)" "$squatted" "$PID" "for garfield's eyes only"
		[[ $status == 2 ]] ||
			fail "$(printf 'expected: exit 2: key %s was made by %s (mode %s%s)\nactual:   status %s\nhint:     shmctl(IPC_STAT): shm_perm.uid and shm_perm.cuid must be geteuid(), the mode 0600' \
				"$squatted" "$SHM_OTHER" "$mode" "$([[ $mode == 600 ]] && echo ', then given to garfield')" "$status")"
		run_as "$SHM_OTHER" "$LETTERS" state "$squatted"
		[[ $output == *"len=7"*"text=canary!"* ]] ||
			fail "expected: nothing written into $SHM_OTHER's segment; actual: $(tr '\n' ' ' <<<"$output")"
		! exited "$PID" || fail "expected: no signal sent after a refusal; actual: our listener was woken"
	done
	# Control: to our listener's own segment, the same sender sends (had it
	# signalled our listener before, the letter would have been empty).
	run_as "$SHM_USER" "$(student sender)" "$own" "$PID" "for garfield's eyes only"
	ended "$PID"
	[[ $ENDED == "status 0" ]] && grep -qx "len=24" "$OUT.err" ||
		fail "control: to garfield's own segment the sender must send its 24 bytes; our listener: $ENDED, $(head -c 100 "$OUT.err") (sender status $status: $stderr)"
}

@test "the reader receives a stream 64 times the segment's size from our writer, byte for byte" {
	require_shm reader
	local data=$BATS_TEST_TMPDIR/stream.in
	bytes $((64 * 4096)) "$data"
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	PID=$BG
	LAB_STDIN=$data run_as "$SHM_USER" "$LETTERS" write "$KEY"
	ended "$PID"
	local got=$ENDED
	if [[ $got != "status 0" ]] || ! after_line "$OUT" | cmp -s - "$data"; then
		fail "$(printf 'expected: exit 0 and the 262144 bytes after the PID line\nactual:   %s, %s bytes (%s)\nour writer: status %s %s\nhint:     take turns: -1 on semaphore 1, copy len once, fwrite, +1 on semaphore 0' \
			"$got" "$(after_line "$OUT" | wc -c)" "$(after_line "$OUT" | cmp - "$data" 2>&1 | head -1)" "$status" "$(head -c 200 <<<"$stderr")")"
	fi
}

@test "the writer streams stdin 64 times the segment's size to our reader, byte for byte" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in
	bytes $((64 * 4096)) "$data"
	OUT=$BATS_TEST_TMPDIR/ours.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" "$LETTERS" read "$KEY"
	PID=$BG
	LAB_STDIN=$data run_as "$SHM_USER" "$(student writer)" "$KEY"
	ended "$PID"
	local ours=$ENDED
	if [[ $status != 0 ]] || ! after_line "$OUT" | cmp -s - "$data"; then
		fail "$(printf 'expected: the writer to exit 0, and our reader to get the 262144 bytes of its stdin\nactual:   writer status %s (%s); our reader: %s, %s bytes\nhint:     -1 on semaphore 0, copy the bytes, set len, +1 on semaphore 1; a block of len 0 at the end' \
			"$status" "$(head -c 200 <<<"$stderr")" "$ours" "$(after_line "$OUT" | wc -c)")"
	fi
}

@test "the writer waits until the reader has initialised the semaphores" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in writer hold=$BATS_TEST_TMPDIR/hold
	bytes 10 "$data"
	# Our reader, stopped between its semget() and its SETALL: the set exists
	# and holds zeros. It initialises the set when we write a line to it.
	mkfifo "$hold.in"
	exec {go}<>"$hold.in"
	LAB_STDIN=$hold.in start_as "$hold.out" "$SHM_USER" "$LETTERS" hold "$KEY"
	wait_until grep -qx made "$hold.out" || fail "our set-up failed: $(cat "$hold.out" "$hold.out.err")"
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$(student writer)" "$KEY"
	writer=$BG
	waiting() { [[ $(cat "/proc/$writer/comm" 2>/dev/null) == writer ]] && asleep "$writer"; }
	wait_until waiting || exited "$writer" ||
		fail "expected: the writer to wait, asleep; actual: state $(proc_state "$writer")"
	run_as "$SHM_USER" "$LETTERS" state "$KEY"
	local state=$output
	printf 'go\n' >&"$go"
	exec {go}>&-
	[[ $state == *"sem0: value=0 waiting=0 pid=0"*"sem1: value=0 waiting=0 pid=0"* && $state == *"len=0"* ]] ||
		fail "$(printf 'expected: no semop() and nothing written before the set is initialised (its sem_otime is 0)\nactual:   %s\nhint:     poll semctl(IPC_STAT) until sem_otime != 0 (bounded), as TLPI'\''s svsem_good_init.c' "$(tr '\n' ' ' <<<"$state")")"
	if exited "$writer"; then
		ended "$writer"
		fail "expected: the writer to wait up to 3 s for the initialisation; actual: it exited ($ENDED): $(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err")"
	fi
	# Control: once the set is initialised, the writer uses it (the last
	# semop() on a semaphore is the writer's).
	used_set() {
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $output == *" pid=$writer"$'\n'* || $output == *" pid=$writer" ]]
	}
	wait_until used_set ||
		fail "control: once the set is initialised, the writer must use it; state: $(tr '\n' ' ' <<<"$output")"
}

@test "the reader sleeps while it waits for its turn, using no CPU" {
	require_shm reader
	# No writer: the reader's turn (semaphore 1) never comes.
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	require_sleeping "the reader" "$BG" "semop() with -1 on semaphore 1 sleeps until the writer gives the turn; a loop of semop() with IPC_NOWAIT, or of semctl(GETVAL) and usleep(), polls"
}

@test "the writer sleeps while it waits for its turn, using no CPU" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in hold=$BATS_TEST_TMPDIR/hold writer
	bytes $((3 * 4092)) "$data"
	# Our reader makes the set and initialises it (the writer's turn first),
	# and stays, but never takes its turn: the writer sends one block, gives
	# the turn, and waits on semaphore 0 for a turn that never comes back.
	mkfifo "$hold.in"
	exec {go}<>"$hold.in"
	LAB_STDIN=$hold.in start_as "$hold.out" "$SHM_USER" "$LETTERS" hold "$KEY"
	local ours=$BG
	printf 'go\n' >&"$go"
	wait_until grep -qx initialised "$hold.out" ||
		fail "our set-up failed: $(cat "$hold.out" "$hold.out.err")"
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$(student writer)" "$KEY"
	writer=$BG
	turn_given() {
		exited "$writer" && return 0
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $output == *"sem1: value=1 "* ]]
	}
	wait_until turn_given || true
	if exited "$writer"; then
		ended "$writer"
		fail "expected: the writer to wait for its second turn; actual: it exited ($ENDED): $(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err")"
	fi
	# A writer that never gives the turn is judged on how it waits all the
	# same; not giving it costs the stream's test, not this one.
	require_sleeping "the writer" "$writer" "semop() with -1 on semaphore 0 sleeps until the reader gives the turn back; a loop of semop() with IPC_NOWAIT, or of semctl(GETVAL) and usleep(), polls" "$ours"
	exec {go}>&-
}

@test "the reader removes its segment and semaphore set at the end of the stream, on SIGINT and on SIGTERM" {
	require_shm reader
	local before sig
	before=$(objects_of "$SHM_USER")
	gone() {
		[[ -z $(on_key "$KEY") && $(objects_of "$SHM_USER") == "$before" ]] ||
			fail "$(printf 'expected: no segment and no semaphore set left after %s\nactual:   on key %s: %s\nhint:     shmctl(IPC_RMID) and semctl(IPC_RMID) on every exit path; a handler may call both, then _exit()' "$1" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
	}
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	PID=$BG
	run_as "$SHM_USER" "$LETTERS" write "$KEY"
	# The end of the stream is an exit path when the reader takes it (the
	# stream's own test judges whether it does): then it must leave nothing.
	ended "$PID"
	[[ $ENDED != "status 0" ]] || gone "the end of the stream"
	shm_leftovers
	for sig in INT TERM; do
		shm_key
		start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
		PID=$BG
		kill -s "$sig" "$PID"
		ended_with 1 "on SIG$sig"
		gone "SIG$sig"
	done
}
