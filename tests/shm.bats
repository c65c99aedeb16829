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

# said_why WHO WHEN WANT GOT STDERR: WHO, which ended with GOT (ENDED's
# words: "status N") when WHEN, printed a line on stderr (STDERR, its first
# bytes), if GOT is WANT, the refusal the handout gives. A case where WHO
# did not refuse so is not judged here: whether it refuses is that
# refusal's own test's business.
said_why() {
	[[ $4 == "$3" ]] || return 0
	[[ $5 == *[![:space:]]* ]] ||
		fail "$(printf 'expected: a line on stderr from %s when %s\nactual:   %s, as the handout says, and nothing on stderr (this case is judged because %s refused as it must; where it does not refuse, that refusal'\''s own test judges it)\nhint:     say why on stderr before you exit (perror(), warnx(), fprintf(stderr, ...)): a silent %s tells its user nothing' \
			"$1" "$2" "${3/status/exit}" "$1" "${3/status/exit}")"
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

@test ".gitignore ignores shm's four programs" {
	expect_ignored "shm/listener, shm/sender, shm/reader and shm/writer" \
		"step 1 of the handout lists them: build outputs stay out of the repository" \
		shm/listener shm/sender shm/reader shm/writer
}

# segment_size WHO: the segment on KEY is LETTER_SIZE bytes, WHO's (the
# listener, the reader) while it waits.
segment_size() {
	local size
	size=$(size_on "$KEY")
	[[ $size == 4096 ]] ||
		fail "$(printf 'expected: %s'"'"'s segment on key %s to be LETTER_SIZE, 4096 bytes: the length and 4092 bytes of text\nactual:   %s\nhint:     shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600), not the reading'"'"'s 1024' \
			"$1" "$KEY" "$([[ -n $size ]] && echo "$size bytes" || echo "no segment on the key")")"
}

@test "the listener's and the reader's segments are LETTER_SIZE (4096) bytes" {
	require_shm reader
	# The reader first, the listener last: a listener may take every
	# segment there is, as one sample does.
	start_ready "$BATS_TEST_TMPDIR/reader.out" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	segment_size "the reader"
	shm_key
	listen
	segment_size "the listener"
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

@test "the listener sleeps while it waits for a letter: no CPU, and no sleep() between checks" {
	require_shm listener
	# Our preload notes each call to sleep(), usleep() or nanosleep(): a
	# poll of sleep(1) wakes too seldom to show in the CPU it uses, but it
	# is asleep in its first sleep() by the time the listener is seen asleep.
	OUT=$BATS_TEST_TMPDIR/listener.$KEY
	start_ready "$OUT" "Listener PID: " "$SHM_USER" "$HOOK" stdbuf -oL "$(student listener)" "$KEY"
	PID=$BG
	require_sleeping "the listener" "$PID" "while(1); spins, and usleep() in a loop polls; sigwaitinfo() (or sigsuspend()) sleeps until a signal arrives"
	! grep -qx "shmhook: sleep" "$OUT.err" ||
		fail "$(printf 'expected: the listener to wait for SIGUSR1 without sleep()\nactual:   it called sleep(), usleep() or nanosleep() (%s times so far)\nhint:     a loop of sleep() polls, and answers a second late: sigwaitinfo() (or sigsuspend()) sleeps until the signal arrives, and no longer' \
			"$(grep -cx "shmhook: sleep" "$OUT.err")")"
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
	plant "$SHM_OTHER" shm 666 4096
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
	# The signal the instant shmget() has made the segment (our preload
	# raises it there): blocked before shmget(), it waits, pending, and ends
	# the listener once it is ready; not blocked yet, it ends the listener
	# with the segment left.
	for sig in INT TERM; do
		shm_key
		OUT=$BATS_TEST_TMPDIR/listener.made-$sig
		start_as "$OUT" "$SHM_USER" "$HOOK" "SHMHOOK_MADE=$(signum "$sig")" stdbuf -oL "$(student listener)" "$KEY"
		PID=$BG
		ended "$PID"
		[[ $ENDED == "status 1" && -z $(on_key "$KEY") ]] ||
			fail "$(printf 'expected: exit 1 and no segment left, when SIG%s comes the instant shmget() has made the segment\nactual:   %s; on key %s: %s\nhint:     block SIGINT, SIGTERM and SIGUSR1 before shmget(): a signal that comes before the listener is ready then waits, pending, until it can clean up' \
				"$sig" "$ENDED" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
	done
	# Started with SIGINT ignored, as a script's "&" starts it: SIGINT
	# still ends it.
	shm_key
	OUT=$BATS_TEST_TMPDIR/listener.ignored
	start_ready "$OUT" "Listener PID: " "$SHM_USER" "$HOOK" "SHMHOOK_IGNORE=$(signum INT)" stdbuf -oL "$(student listener)" "$KEY"
	PID=$BG
	kill -s INT "$PID"
	ended "$PID"
	[[ $ENDED == "status 1" && -z $(on_key "$KEY") ]] ||
		fail "$(printf 'expected: exit 1 and no segment left on SIGINT, when the listener was started with SIGINT ignored (as a script'\''s "&" starts it)\nactual:   %s; on key %s: %s\nhint:     after blocking them, put SIGINT and SIGTERM back to their default action: signal(SIGINT, SIG_DFL); an ignored signal may be thrown away' \
			"$ENDED" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
}

@test "the listener and the reader print their ready line once ready, flushed at once" {
	require_shm listener
	require_shm reader
	local got
	# stopped_or_said WHO LINE: WHO (PID) stopped itself at its ready line
	# (our preload: SHMHOOK_READY=STOP), ended, or printed LINE unseen by
	# our preload (then the moment is not judged).
	stopped_or_said() {
		stopped "$PID" || exited "$PID" || { first_line "$OUT" && [[ $FIRST == "$1$PID" ]]; }
	}
	# at_line WHO LINE: WHO (PID) is continued, then its LINE is in OUT, a
	# file (no stdbuf), while it runs.
	at_line() {
		kill -s CONT "$PID" 2>/dev/null || true
		wait_until ready_or_gone "$OUT" "$PID" "$2" || true
		first_line "$OUT"
		[[ $FIRST == "$2$PID" ]] && ! exited "$PID" ||
			fail "$(printf 'expected: "%s%s" in its stdout (a file) at once, while the %s waits\nactual:   %s\nhint:     fflush(stdout) after the line: to a file, stdout is buffered until the program exits' \
				"$2" "$PID" "$1" "$(exited "$PID" && echo "it exited" || echo "stdout: $(head -c 100 "$OUT" | cat -v)")")"
	}
	# The reader, stopped the instant it prints its line: by then its set
	# is initialised (SETALL: 1, 0; the no-op semop(): sem_otime not 0).
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_as "$OUT" "$SHM_USER" "$HOOK" "SHMHOOK_READY=$(signum STOP)" "$(student reader)" "$KEY"
	PID=$BG
	wait_until stopped_or_said "Reader PID: " || true
	run_as "$SHM_USER" "$LETTERS" state "$KEY"
	got=$output
	[[ $got == *"sem0: value=1 "*"sem1: value=0 "* && $got != *"otime=0"* && $got == *otime=* ]] ||
		fail "$(printf 'expected: when the Reader PID line is printed, the set initialised: semaphore 0 at 1, 1 at 0, and sem_otime not 0\nactual:   %s\nhint:     semctl(SETALL), then the semop() that changes nothing (wait-for-zero on semaphore 1, IPC_NOWAIT), then the line: a writer takes sem_otime for "ready"' \
			"$(tr '\n' ' ' <<<"$got")")"
	at_line reader "Reader PID: "
	kill -s TERM "$PID"
	ended "$PID"
	# The listener, the same way: its segment is made when it prints.
	shm_key
	OUT=$BATS_TEST_TMPDIR/listener.out
	start_as "$OUT" "$SHM_USER" "$HOOK" "SHMHOOK_READY=$(signum STOP)" "$(student listener)" "$KEY"
	PID=$BG
	wait_until stopped_or_said "Listener PID: " || true
	[[ $(on_key "$KEY") == shm ]] ||
		fail "$(printf 'expected: the segment on key %s made when the Listener PID line is printed\nactual:   on the key: %s (the listener: state %s)' "$KEY" "$(on_key "$KEY" | tr '\n' ' ')" "$(proc_state "$PID")")"
	at_line listener "Listener PID: "
	kill -s TERM "$PID"
	ended "$PID"
	# SIGUSR1 the instant the line is printed (our preload raises it): a
	# listener ready for it takes it for a letter, the empty one in its new
	# segment, and exits 0.
	shm_key
	OUT=$BATS_TEST_TMPDIR/listener.usr1
	start_as "$OUT" "$SHM_USER" "$HOOK" "SHMHOOK_READY=$(signum USR1)" stdbuf -oL "$(student listener)" "$KEY"
	PID=$BG
	hooked_end "$PID" "$OUT" "Listener PID: " USR1
	[[ $ENDED == "status 0" ]] ||
		fail "$(printf 'expected: exit 0 (an empty letter) when SIGUSR1 comes the instant the Listener PID line is printed\nactual:   %s%s\nhint:     block SIGUSR1 (or install its handler) before you print the line: the line says "signal me now"' \
			"$ENDED" "$( [[ $ENDED == "status 138" ]] && echo ' (killed by SIGUSR1)')")"
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

@test "the sender prints nothing on stdout: the letter goes into the segment only" {
	require_shm sender
	hear
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "for garfield's eyes only"
	ended "$PID"
	[[ $status == 0 && $ENDED == "status 0" ]] ||
		fail "control: the sender must deliver to our listener; status $status ($(head -c 200 <<<"$stderr")), our listener $ENDED"
	[[ -z $output ]] ||
		fail "$(printf 'expected: nothing on stdout from the sender\nactual:   %s\nhint:     the sender prints nothing: what it has to say goes to stderr' "$(head -c 200 <<<"$output" | cat -v)")"
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

# sender_refuses KEY WHAT HINT: the student's sender, given KEY (WHAT: a
# segment planted with a canary letter in it) and our listener's PID, exits
# 2, writes nothing into the segment and signals no one.
sender_refuses() {
	run_as "$SHM_USER" "$(student sender)" "$1" "$PID" "for garfield's eyes only"
	[[ $status == 2 ]] ||
		fail "$(printf 'expected: exit 2: key %s holds %s\nactual:   status %s\nhint:     %s' "$1" "$2" "$status" "$3")"
	run_as "$SHM_USER" "$LETTERS" state "$1"
	[[ $output == *"len=7"*"text=canary!"* ]] ||
		fail "expected: nothing written into $2; actual: $(tr '\n' ' ' <<<"$output")"
	! exited "$PID" || fail "expected: no signal sent after a refusal; actual: our listener was woken"
}

# sender_delivers KEY: control: to our listener's own segment on KEY, the
# same sender sends (had it signalled our listener before, the letter would
# have been empty).
sender_delivers() {
	run_as "$SHM_USER" "$(student sender)" "$1" "$PID" "for garfield's eyes only"
	ended "$PID"
	[[ $ENDED == "status 0" ]] && grep -qx "len=24" "$OUT.err" ||
		fail "control: to garfield's own segment the sender must send its 24 bytes; our listener: $ENDED, $(head -c 100 "$OUT.err") (sender status $status: $stderr)"
}

# plant USER KIND MODE SIZE [UID]: USER makes a KIND (shm, sem) object on a
# fresh KEY with MODE: a segment of SIZE bytes with a canary letter, or a
# set of SIZE semaphores, initialised; with UID, handed to UID.
plant() {
	local user=$1
	shift
	run_as "$user" "$LETTERS" plant "$KEY" "$@"
	[[ $status == 0 ]] || fail "our set-up failed: $user's plant $*: $output $stderr"
}

@test "the sender refuses a segment it did not make for itself: exit 2, nothing written, no signal" {
	require_shm sender
	local own mode garfield_uid
	garfield_uid=$(id -u "$SHM_USER")
	hear
	own=$KEY
	# One squat open to all (0666); one private (0600) and given to garfield
	# with IPC_SET, whose maker keeps the owner's rights all the same.
	for mode in 666 600; do
		shm_key
		if [[ $mode == 666 ]]; then
			plant "$SHM_OTHER" shm "$mode" 4096
		else
			plant "$SHM_OTHER" shm "$mode" 4096 "$garfield_uid"
		fi
		sender_refuses "$KEY" "a segment $SHM_OTHER made (mode $mode$([[ $mode == 600 ]] && echo ', then given to garfield'))" \
			"shmctl(IPC_STAT): shm_perm.uid and shm_perm.cuid must be geteuid(), the mode 0600"
	done
	# And one no one may read (0000): shmget() finds it, and then
	# shmctl(IPC_STAT) fails (EACCES). Nothing can be written into it.
	shm_key
	plant "$SHM_OTHER" shm 000 4096
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "for garfield's eyes only"
	[[ $status == 2 ]] ||
		fail "$(printf 'expected: exit 2: key %s holds a segment %s made with mode 0000, which shmctl(IPC_STAT) may not read\nactual:   status %s: %s\nhint:     when shmctl(id, IPC_STAT, &ds) itself fails, that is exit 2 too (a line on stderr), and never a test of a ds it did not fill in' \
			"$KEY" "$SHM_OTHER" "$status" "$(head -c 200 <<<"$stderr")")"
	! exited "$PID" || fail "expected: no signal sent after a refusal; actual: our listener was woken"
	sender_delivers "$own"
}

@test "the sender refuses a segment its user made, then gave away: exit 2, nothing written, no signal" {
	require_shm sender
	local own
	hear
	own=$KEY
	shm_key
	plant "$SHM_USER" shm 600 4096 "$(id -u "$SHM_OTHER")"
	sender_refuses "$KEY" "a 0600 segment garfield made, then gave to $SHM_OTHER (IPC_SET)" \
		"the segment's owner, shm_perm.uid, must be geteuid() too, not only its creator, shm_perm.cuid"
	sender_delivers "$own"
}

@test "the sender refuses its own segment unless its mode is 0600: exit 2, nothing written, no signal" {
	require_shm sender
	local own mode
	hear
	own=$KEY
	for mode in 666 640; do
		shm_key
		plant "$SHM_USER" shm "$mode" 4096
		sender_refuses "$KEY" "garfield's own segment with mode $mode" \
			"others may read (or write) a segment whose mode is not 0600: check ds.shm_perm.mode & 0777"
	done
	sender_delivers "$own"
}

@test "the sender refuses a segment smaller than a letter: exit 2, nothing written, no signal" {
	require_shm sender
	local own
	hear
	own=$KEY
	shm_key
	plant "$SHM_USER" shm 600 100
	sender_refuses "$KEY" "garfield's own 0600 segment of 100 bytes" \
		"check ds.shm_segsz >= LETTER_SIZE before writing: a letter would run past the end of a smaller segment"
	sender_delivers "$own"
}

@test "the sender never makes a segment: on a free key, exit 2, nothing made, no signal" {
	require_shm sender
	local own
	hear
	own=$KEY
	shm_key
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "for garfield's eyes only"
	[[ $status == 2 && -z $(on_key "$KEY") ]] ||
		fail "$(printf 'expected: exit 2 and no segment made: nothing was on key %s\nactual:   status %s; on the key: %s\nhint:     shmget(KEY, 0, 0): the listener makes the segment, the sender only finds it' \
			"$KEY" "$status" "$(on_key "$KEY" | tr '\n' ' ')")"
	! exited "$PID" || fail "expected: no signal sent after a refusal; actual: our listener was woken"
	sender_delivers "$own"
}

@test "the sender exits 2 when it cannot signal PID: a process that is gone, or not a number" {
	require_shm sender
	local gone pid
	hear
	# A PID that was a process's a moment ago.
	(exit 0) &
	gone=$!
	wait "$gone"
	for pid in "$gone" abc; do
		run_as "$SHM_USER" "$(student sender)" "$KEY" "$pid" "for garfield's eyes only"
		[[ $status == 2 ]] ||
			fail "$(printf 'expected: exit 2: PID %s is %s\nactual:   status %s%s\nhint:     PID with strtol() and its checks, as KEY; and kill() may fail: its -1 is a failure to report, exit 2' \
				"$pid" "$([[ $pid == abc ]] && echo "not a number" || echo "no process now")" "$status" \
				"$( ((status == 128 + 10)) && echo ' (killed by SIGUSR1: kill(0, ...) signals its own process group)')")"
		! exited "$PID" || fail "expected: our listener (PID $PID) not signalled; actual: it was woken"
	done
	sender_delivers "$KEY"
}

@test "the reader receives a stream 64 times the segment's size from our writer, byte for byte, through an interrupted semop()" {
	require_shm reader
	local data=$BATS_TEST_TMPDIR/stream.in
	bytes $((64 * 4096)) "$data"
	OUT=$BATS_TEST_TMPDIR/reader.out
	# Its first semop() that waits is interrupted (EINTR), as a stop and
	# continue (Ctrl-Z, fg) does: our preload makes it fail so.
	start_ready "$OUT" "Reader PID: " "$SHM_USER" "$HOOK" SHMHOOK_EINTR=1 stdbuf -oL "$(student reader)" "$KEY"
	PID=$BG
	LAB_STDIN=$data run_as "$SHM_USER" "$LETTERS" write "$KEY"
	ended "$PID"
	local got=$ENDED
	if [[ $got != "status 0" ]] || ! after_line "$OUT" | cmp -s - "$data"; then
		fail "$(printf 'expected: exit 0 and the 262144 bytes after the PID line\nactual:   %s, %s bytes (%s)%s\nour writer: status %s %s\nhint:     take turns: -1 on semaphore 1, copy len once, fwrite, +1 on semaphore 0; a semop() that fails with EINTR (a stop and continue) is tried again' \
			"$got" "$(after_line "$OUT" | wc -c)" "$(after_line "$OUT" | cmp - "$data" 2>&1 | head -1)" \
			"$(grep -qx "shmhook: EINTR" "$OUT.err" && echo "; its first semop() that waits was interrupted (EINTR)")" "$status" "$(head -c 200 <<<"$stderr")")"
	fi
}

# stream_to_ours DATA [ASSIGN...]: our reader on KEY, as garfield, ready;
# the student's writer (with the environment ASSIGN..., VAR=VALUE) streams
# DATA to it. Sets status, output, stderr (the writer's, as run_as does),
# OUT (our reader's stdout) and ENDED (how our reader ended).
stream_to_ours() {
	local data=$1
	shift
	OUT=$BATS_TEST_TMPDIR/ours.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" "$LETTERS" read "$KEY"
	PID=$BG
	LAB_STDIN=$data run_as "$SHM_USER" "$@" "$(student writer)" "$KEY"
	ended "$PID"
}

@test "the writer streams stdin 64 times the segment's size to our reader, byte for byte, through an interrupted semop()" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in
	bytes $((64 * 4096)) "$data"
	# Its first semop() that waits is interrupted (EINTR), as a stop and
	# continue (Ctrl-Z, fg) does: our preload makes it fail so.
	stream_to_ours "$data" "$HOOK" SHMHOOK_EINTR=1
	if [[ $status != 0 ]] || ! after_line "$OUT" | cmp -s - "$data"; then
		fail "$(printf 'expected: the writer to exit 0, and our reader to get the 262144 bytes of its stdin\nactual:   writer status %s (%s); our reader: %s, %s bytes%s\nhint:     -1 on semaphore 0, copy the bytes, set len, +1 on semaphore 1; a block of len 0 at the end; a semop() that fails with EINTR (a stop and continue) is tried again' \
			"$status" "$(head -c 200 <<<"$stderr")" "$ENDED" "$(after_line "$OUT" | wc -c)" \
			"$(grep -qx "shmhook: EINTR" <<<"$stderr" && echo "; the writer's first semop() that waits was interrupted (EINTR)")")"
	fi
}

@test "the writer prints nothing on stdout" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in
	# One block and the end: a line printed per block shows, and a writer
	# slow to take its turns loses only the stream's own test.
	bytes 4096 "$data"
	stream_to_ours "$data"
	[[ $status == 0 && $ENDED == "status 0" ]] ||
		fail "control: the writer must stream to our reader; status $status ($(head -c 200 <<<"$stderr")), our reader $ENDED"
	[[ -z $output ]] ||
		fail "$(printf 'expected: nothing on stdout from the writer\nactual:   %s\nhint:     the writer prints nothing: what it has to say goes to stderr' "$(head -c 200 <<<"$output" | cat -v)")"
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

# writer_on [ARG]: the student's writer, with a few bytes of stdin and ARG
# (default: KEY) for its KEY, where a segment and a set are planted on KEY
# (the segment with a canary letter, the set initialised, the writer's turn
# first). A writer that takes them for its reader's takes its turn, gives
# the reader its turn and waits for its own: the wait ends as soon as it
# has used the set, or has ended. Sets STATE (letters state KEY) and ENDED
# (the writer killed if still running).
writer_on() {
	local data=$BATS_TEST_TMPDIR/stream.in writer
	bytes 10 "$data"
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$(student writer)" "${1:-$KEY}"
	writer=$BG
	used_or_gone() {
		exited "$writer" && return 0
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $output != *"sem0: value=1 "* ]]
	}
	wait_until used_or_gone || true
	run_as "$SHM_USER" "$LETTERS" state "$KEY"
	STATE=$output
	if exited "$writer"; then
		ended "$writer"
	else
		kill -KILL "$writer" 2>/dev/null || true
		wait "$writer" 2>/dev/null || true
		ENDED="still running"
	fi
}

# writer_refuses WHAT HINT: writer_on KEY, where WHAT is planted; it exits 2
# without a semop() or a byte written.
writer_refuses() {
	writer_on
	[[ $STATE == *"len=7"*"text=canary!"*"sem0: value=1 "*"sem1: value=0 "* ]] ||
		fail "$(printf 'expected: no semop() and nothing written: key %s holds %s\nactual:   %s (the writer: %s)\nhint:     %s' \
			"$KEY" "$1" "$(tr '\n' ' ' <<<"$STATE")" "$ENDED" "$2")"
	[[ $ENDED == "status 2" ]] ||
		fail "$(printf 'expected: exit 2: key %s holds %s\nactual:   %s: %s\nhint:     %s' "$KEY" "$1" "$ENDED" \
			"$(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err")" "$2")"
}

# writer_uses: control: on garfield's own 0600 segment of a letter's size
# and set of two, planted the same way, the same writer takes its turn.
writer_uses() {
	shm_key
	plant "$SHM_USER" shm 600 4096
	plant "$SHM_USER" sem 600 2
	writer_on
	[[ $STATE != *"sem0: value=1 "* ]] ||
		fail "control: on garfield's own private segment and set, the writer must take its turn (-1 on semaphore 0); actual: $(tr '\n' ' ' <<<"$STATE") (the writer: $ENDED: $(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err"))"
}

@test "the writer refuses a segment that is not its user's own, 0600 and of a letter's size: exit 2, no semop()" {
	require_shm writer
	local case user mode size to
	for case in "$SHM_OTHER 666 4096" "$SHM_USER 666 4096" "$SHM_USER 640 4096" "$SHM_USER 600 100" \
		"$SHM_USER 600 4096 $SHM_OTHER"; do
		read -r user mode size to <<<"$case"
		shm_key
		plant "$user" shm "$mode" "$size" ${to:+"$(id -u "$to")"}
		plant "$SHM_USER" sem 600 2
		writer_refuses "garfield's set beside a segment $user made (mode $mode, $size bytes${to:+, given to $to})" \
			"shmctl(IPC_STAT) on the segment, as the sender does: shm_perm.uid and cuid geteuid(), mode & 0777 == 0600, shm_segsz >= LETTER_SIZE"
	done
	writer_uses
}

@test "the writer refuses a semaphore set that is not its user's own, 0600 and of two: exit 2, no semop()" {
	require_shm writer
	local case user mode n to
	for case in "$SHM_OTHER 666 2" "$SHM_USER 666 2" "$SHM_USER 640 2" "$SHM_USER 600 3" \
		"$SHM_USER 600 2 $SHM_OTHER"; do
		read -r user mode n to <<<"$case"
		shm_key
		plant "$SHM_USER" shm 600 4096
		plant "$user" sem "$mode" "$n" ${to:+"$(id -u "$to")"}
		writer_refuses "garfield's segment beside a set $user made (mode $mode, $n semaphores${to:+, given to $to})" \
			"semctl(IPC_STAT) on the set: sem_perm.uid and cuid geteuid(), mode & 0777 == 0600, sem_nsems == 2"
	done
	writer_uses
}

@test "the writer never makes a segment or a set: on a free key, exit 2, nothing made" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in
	bytes 10 "$data"
	LAB_STDIN=$data run_as "$SHM_USER" "$(student writer)" "$KEY"
	[[ $status == 2 && -z $(on_key "$KEY") ]] ||
		fail "$(printf 'expected: exit 2 and nothing made: nothing was on key %s\nactual:   status %s; on the key: %s\nhint:     shmget(KEY, 0, 0) and semget(KEY, 0, 0): the reader makes both, the writer only finds them' \
			"$KEY" "$status" "$(on_key "$KEY" | tr '\n' ' ')")"
	writer_uses
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

@test "the writer exits 2 when the set is not initialised within 3 s, or the reader's objects are removed" {
	require_shm writer
	local data=$BATS_TEST_TMPDIR/stream.in hold writer ours before after start real skipped
	bytes $((3 * 4092)) "$data"
	# hold_ours [go]: our reader on KEY, holding the set uninitialised, or
	# (go) initialised, the writer's turn first, and never taking its own.
	hold_ours() {
		hold=$BATS_TEST_TMPDIR/hold.$KEY
		mkfifo "$hold.in"
		exec {go}<>"$hold.in"
		LAB_STDIN=$hold.in start_as "$hold.out" "$SHM_USER" "$LETTERS" hold "$KEY"
		ours=$BG
		local want=made
		[[ -z ${1:-} ]] || { printf 'go\n' >&"$go" && want=initialised; }
		wait_until grep -qx "$want" "$hold.out" ||
			fail "our set-up failed: $(cat "$hold.out" "$hold.out.err")"
	}
	# vanish: garfield removes the segment and the set on KEY, as a reader
	# that vanished; the writer is then judged, and our reader let go.
	vanish() {
		run_as "$SHM_USER" ipcrm -M "$KEY" -S "$KEY"
		[[ $status == 0 ]] || fail "our set-up failed: ipcrm: $stderr"
	}
	# Never initialised: it gives up after 3 s, with exit 2 and no semop().
	# Our preload skips its sleeps and runs its clocks ahead by as much
	# (SHMHOOK_FAST): 3 s of polls take milliseconds, whether it counts its
	# polls or reads the clock. Its 3 s: the time it would have slept and
	# the time it ran (or, for a limit of its own, as alarm(3), the time it
	# ran alone).
	hold_ours
	start=${EPOCHREALTIME/./}
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$HOOK" SHMHOOK_FAST=1 "$(student writer)" "$KEY"
	writer=$BG
	# A writer that does not wait for the set at all (it waits on, or has
	# used, the set of zeros) is judged by the test of that wait, not here.
	used_or_gone() {
		exited "$writer" && return 0
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $output == *"waiting=1"* || $output == *" pid=$writer"* ]]
	}
	wait_until used_or_gone || true
	if exited "$writer" || ! used_or_gone; then
		ended "$writer"
		real=$(((${EPOCHREALTIME/./} - start) / 1000))
		skipped=$(grep -o '^shmhook: skipped [0-9]* ms$' "$BATS_TEST_TMPDIR/writer.out.err" | tail -n 1 | tr -dc '0-9')
		skipped=${skipped:-0}
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $ENDED == "status 2" ]] && { ((real + skipped >= 2500 && skipped <= 4000)) || ((real >= 2500)); } ||
			fail "$(printf 'expected: exit 2 after 3 s (2.5 to 4 s) when the set is never initialised\nactual:   %s after %s ms: %s ms of it sleeps (skipped by our preload), %s ms running\nhint:     poll semctl(IPC_STAT) every few milliseconds, up to 3 seconds in all (300 times 10 ms), then a line on stderr and exit 2' \
				"$ENDED" "$((real + skipped))" "$skipped" "$real")"
		[[ $output == *"sem0: value=0 waiting=0 pid=0"*"sem1: value=0 waiting=0 pid=0"* && $output == *"len=0"* ]] ||
			fail "$(printf 'expected: no semop() and nothing written while the set is not initialised\nactual:   %s' "$(tr '\n' ' ' <<<"$output")")"
	fi
	kill -KILL "$writer" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
	exec {go}>&-
	ended "$ours"
	# While it waits for the set to be initialised (a poll, our preload
	# counting its sleeps): the removed set fails semctl(IPC_STAT), and it
	# exits 2 then, not at the end of its 3 s.
	shm_key
	hold_ours
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$HOOK" "$(student writer)" "$KEY"
	writer=$BG
	waiting() { [[ $(cat "/proc/$writer/comm" 2>/dev/null) == writer ]] && asleep "$writer"; }
	if wait_until waiting; then
		vanish
		before=$(grep -cx "shmhook: sleep" "$BATS_TEST_TMPDIR/writer.out.err" || true)
		ended "$writer"
		after=$(grep -cx "shmhook: sleep" "$BATS_TEST_TMPDIR/writer.out.err" || true)
		[[ $ENDED == "status 2" ]] && ((after - before <= 2)) ||
			fail "$(printf 'expected: exit 2 at once when the set it waits on is removed (semctl(IPC_STAT) fails)\nactual:   %s, after %s more sleeps in its poll\nhint:     check what semctl(IPC_STAT) returns each time: -1 is exit 2 now, not a set that is not initialised yet' \
				"$ENDED" "$((after - before))")"
	fi
	exec {go}>&-
	ended "$ours"
	# Mid-stream: the writer has sent a block and waits for its turn (-1 on
	# semaphore 0): the removed set fails its semop(), and it exits 2.
	shm_key
	hold_ours go
	LAB_STDIN=$data start_as "$BATS_TEST_TMPDIR/writer.out" "$SHM_USER" "$(student writer)" "$KEY"
	writer=$BG
	turn_given() {
		exited "$writer" && return 0
		run_as "$SHM_USER" "$LETTERS" state "$KEY"
		[[ $output == *"sem1: value=1 "* ]] && asleep "$writer"
	}
	# A writer that never gives the turn, or never waits for its own, is
	# judged by the stream's tests and the one of how it waits, not here.
	if wait_until turn_given && ! exited "$writer"; then
		vanish
		ended "$writer"
		[[ $ENDED == "status 2" ]] ||
			fail "$(printf 'expected: exit 2 when the reader'\''s set is removed while the writer waits for its turn\nactual:   %s: %s\nhint:     semop() fails (EIDRM) when the set is removed: anything that fails is exit 2, with a line on stderr' \
				"$ENDED" "$(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err")")"
	fi
	exec {go}>&-
}

@test "the reader removes its segment and semaphore set on every exit path: the end of the stream, SIGINT or SIGTERM at any moment, its stdout gone" {
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
	# Its stdout gone after the Reader PID line (a pipe that closes): the
	# stream's first bytes fail fwrite() (EPIPE, SIGPIPE ignored): exit 2,
	# nothing left.
	shm_key
	local pipe=$BATS_TEST_TMPDIR/pipe head
	mkfifo "$pipe"
	head -n 1 <"$pipe" >"$pipe.line" 3>&- &
	head=$!
	start_as "$pipe" "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	PID=$BG
	head_gone() { ! kill -0 "$head" 2>/dev/null; }
	wait_until head_gone || { kill "$head" 2>/dev/null || true; }
	wait "$head" || true
	if [[ $(cat "$pipe.line") == "Reader PID: $PID" ]] && ! exited "$PID"; then
		bytes $((64 * 4096)) "$BATS_TEST_TMPDIR/stream.in"
		LAB_STDIN=$BATS_TEST_TMPDIR/stream.in run_as "$SHM_USER" "$LETTERS" write "$KEY"
		ended "$PID"
		[[ $ENDED == "status 2" && -z $(on_key "$KEY") ]] ||
			fail "$(printf 'expected: exit 2 and nothing left when its stdout is gone (the pipe closed after the Reader PID line)\nactual:   %s%s; on key %s: %s\nhint:     signal(SIGPIPE, SIG_IGN): then fwrite() fails (EPIPE), and the reader removes both objects and exits 2' \
				"$ENDED" "$( [[ $ENDED == "status 141" ]] && echo ' (killed by SIGPIPE)')" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
	fi
	# The signal at the exact moments our preload picks: the instant each
	# shmget() and semget() has made its object (the reader keeps SIGINT
	# and SIGTERM blocked until both ids are stored), and SIGTERM the
	# instant the Reader PID line is printed (its handler is installed by
	# then). Each ends it with exit 1, and nothing left.
	local at
	for at in MADE=INT MADE=TERM READY=TERM; do
		shm_key
		start_as "$OUT" "$SHM_USER" "$HOOK" "SHMHOOK_${at%=*}=$(signum "${at#*=}")" stdbuf -oL "$(student reader)" "$KEY"
		PID=$BG
		if [[ $at == READY=* ]]; then
			hooked_end "$PID" "$OUT" "Reader PID: " "${at#*=}"
		else
			ended "$PID"
		fi
		[[ $ENDED == "status 1" && -z $(on_key "$KEY") ]] && continue
		if [[ $at == MADE=* ]]; then
			fail "$(printf 'expected: exit 1 and nothing left, when SIG%s comes the instant shmget() or semget() has made an object\nactual:   %s; on key %s: %s\nhint:     keep SIGINT and SIGTERM blocked (sigprocmask()) while you make both objects and store their ids; unblock them once both are stored' \
				"${at#*=}" "$ENDED" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
		fi
		fail "$(printf 'expected: exit 1 and nothing left, when SIGTERM comes the instant the Reader PID line is printed\nactual:   %s; on key %s: %s\nhint:     install the handler (sigaction()) before you print the Reader PID line: from then on a signal may come' \
			"$ENDED" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
	done
}

@test "the listener's and the reader's signal handlers, if any, make only plain system calls" {
	require_shm listener
	require_shm reader
	local sig
	# Our preload runs each handler the program installs inside its own,
	# and notes a stdio call (printf(), fwrite(), perror(), fflush()) or an
	# exit() made from inside one. A program with no handler (sigwaitinfo())
	# makes none.
	unsafe_calls() {
		grep -x "shmhook: in a handler: .*" "$1" | sed 's/^shmhook: in a handler: //' | sort -u | tr '\n' ' '
	}
	for sig in INT TERM; do
		shm_key
		OUT=$BATS_TEST_TMPDIR/reader.$sig
		start_ready "$OUT" "Reader PID: " "$SHM_USER" "$HOOK" stdbuf -oL "$(student reader)" "$KEY"
		PID=$BG
		kill -s "$sig" "$PID"
		ended "$PID"
		[[ -z $(unsafe_calls "$OUT.err") ]] ||
			fail "$(printf 'expected: the reader'\''s SIG%s handler to make only plain system calls (shmctl(), semctl(), _exit())\nactual:   it called %s(from inside the handler; the reader: %s)\nhint:     stdio and exit() are not async-signal-safe: a signal that lands inside fwrite() can deadlock or corrupt it; remove the objects and _exit(1), or set a flag and do the rest in main' \
				"$sig" "$(unsafe_calls "$OUT.err")" "$ENDED")"
	done
	# The listener, with a letter, then on SIGTERM: a handler of its, if it
	# has one, only takes note (no work in handlers).
	for sig in USR1 TERM; do
		shm_key
		OUT=$BATS_TEST_TMPDIR/listener.$sig
		start_ready "$OUT" "Listener PID: " "$SHM_USER" "$HOOK" stdbuf -oL "$(student listener)" "$KEY"
		PID=$BG
		if [[ $sig == USR1 ]]; then
			printf 'hi' >"$BATS_TEST_TMPDIR/letter"
			LAB_STDIN=$BATS_TEST_TMPDIR/letter run_as "$SHM_USER" "$LETTERS" send "$KEY" "$PID"
		else
			kill -s "$sig" "$PID"
		fi
		ended "$PID"
		[[ -z $(unsafe_calls "$OUT.err") ]] ||
			fail "$(printf 'expected: no work in the listener'\''s SIG%s handler: no stdio, no exit()\nactual:   it called %s(from inside the handler; the listener: %s)\nhint:     sigwaitinfo() needs no handler at all; with sigsuspend(), the handler sets a volatile sig_atomic_t flag, and main does the rest' \
				"$sig" "$(unsafe_calls "$OUT.err")" "$ENDED")"
	done
}

@test "another user can neither attach to the reader's segment nor use its semaphore set (EACCES); its owner can" {
	require_shm reader
	local kind perms
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	PID=$BG
	for kind in shm sem; do
		perms=$(perms_on "$KEY" "$kind")
		[[ $perms == 600 ]] ||
			fail "$(printf 'expected: the reader'"'"'s %s to be 0600, its owner'"'"'s alone\nactual:   %s\nhint:     IPC_CREAT | IPC_EXCL | 0600 for the segment and for the set: System V objects ignore the umask' \
				"$([[ $kind == shm ]] && echo segment || echo "semaphore set")" "${perms:-nothing of that kind on key $KEY}")"
	done
	run_as "$SHM_OTHER" "$LETTERS" peek "$KEY"
	[[ $output == *"shmat: [Errno 13] Permission denied"* ]] ||
		fail "$(printf 'expected: shmat() as %s to fail with EACCES\nactual:   %s\nhint:     create the segment with mode 0600, not 0666' "$SHM_OTHER" "$(tr '\n' ' ' <<<"$output")")"
	run_as "$SHM_OTHER" "$LETTERS" poke "$KEY"
	[[ $output == *"semop: [Errno 13] Permission denied"* ]] ||
		fail "$(printf 'expected: semop() on the set as %s to fail with EACCES\nactual:   %s\nhint:     create the set with mode 0600, not 0666: who may semop() it may take the turns' "$SHM_OTHER" "$(tr '\n' ' ' <<<"$output")")"
	! exited "$PID" || { ended "$PID"; fail "the reader exited after $SHM_OTHER's attempts ($ENDED)"; }
	# Control: garfield gets through to both (his semop() would take the
	# reader's turn, had the writer given it: EAGAIN, as it is not; how the
	# reader set its semaphores is the stream's tests' business).
	run_as "$SHM_USER" "$LETTERS" peek "$KEY"
	[[ $output == *"shmat: ok"* ]] ||
		fail "control: garfield, the reader's own user, must be able to attach: $(tr '\n' ' ' <<<"$output")"
	run_as "$SHM_USER" "$LETTERS" poke "$KEY"
	[[ $output == *"semop: [Errno 11] "* || $output == *"semop: ok"* ]] ||
		fail "control: garfield, the reader's own user, must be allowed semop() on the set (EAGAIN: the turn is not given); actual: $(tr '\n' ' ' <<<"$output")"
}

# reader_refused KIND: nermal's 0666 KIND object (shm, sem) planted on a
# fresh KEY; the student's reader started on KEY. Sets READER, READER_OUT,
# and READER_STARTED (1 when it printed its Reader PID line).
reader_refused() {
	local size=4096
	[[ $1 == sem ]] && size=2
	shm_key
	plant "$SHM_OTHER" "$1" 666 "$size"
	READER_OUT=$BATS_TEST_TMPDIR/reader.$1
	start_as "$READER_OUT" "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	READER=$BG
	wait_until ready_or_gone "$READER_OUT" "$READER" "Reader PID: " || true
	READER_STARTED=0
	[[ $(head -n 1 "$READER_OUT") != "Reader PID: $READER" ]] || READER_STARTED=1
}

@test "the reader refuses a key that someone else made first: exit 2, their object untouched" {
	require_shm reader
	local kind
	for kind in shm sem; do
		reader_refused "$kind"
		((!READER_STARTED)) ||
			fail "$(printf 'expected: exit 2 without the Reader PID line: %s already made a 0666 %s on key %s\nactual:   the reader started on it\nhint:     IPC_CREAT | IPC_EXCL | 0600 for both the segment and the set: without IPC_EXCL, shmget() and semget() hand over the existing object' \
				"$SHM_OTHER" "$([[ $kind == shm ]] && echo segment || echo 'semaphore set')" "$KEY")"
		ended "$READER"
		[[ $ENDED == "status 2" ]] ||
			fail "expected: exit 2 when the key is taken; actual: $ENDED: $(head -c 200 "$READER_OUT.err")"
		run_as "$SHM_OTHER" "$LETTERS" state "$KEY"
		if [[ $kind == shm ]]; then
			[[ $output == *"len=7"*"text=canary!"* ]]
		else
			[[ $output == *"sem0: value=1 "*"sem1: value=0 "* && $output != *" pid=$READER"* ]]
		fi || fail "expected: $SHM_OTHER's $kind untouched; actual: $(tr '\n' ' ' <<<"$output")"
	done
	# Control: on a free key the same reader starts.
	shm_key
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
}

@test "a reader that refuses a taken key leaves nothing of its own behind" {
	require_shm reader
	local kind before
	# Whichever object the reader makes first, one of these two keys has the
	# other taken: it has made one object when it finds it cannot make both.
	for kind in shm sem; do
		before=$(objects_of "$SHM_USER")
		reader_refused "$kind"
		# A reader that does not refuse is the other test's defect; here,
		# only what a refusal leaves counts.
		((READER_STARTED)) && continue
		ended "$READER"
		[[ $(objects_of "$SHM_USER") == "$before" ]] ||
			fail "$(printf 'expected: nothing of garfield'"'"'s left after the reader refused key %s (%s made a %s there; the reader: %s)\nactual:   on key %s: %s\nhint:     when the second shmget()/semget() fails, remove the object the first one made before exiting 2' \
				"$KEY" "$SHM_OTHER" "$kind" "$ENDED" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')")"
	done
	# Control: a reader that makes nothing at all leaves nothing either; on a
	# free key, this one makes its objects and starts.
	shm_key
	OUT=$BATS_TEST_TMPDIR/reader.out
	start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	[[ $(on_key "$KEY" | sort | tr '\n' ' ') == "sem shm " ]] ||
		fail "control: on a free key the reader must make a segment and a set; actual: on key $KEY: $(on_key "$KEY" | tr '\n' ' ')"
}

@test "the reader refuses a block past LETTER_MAX: exit 3, none of it printed, nothing left" {
	require_shm reader
	local len
	for len in 4093 4294967295; do
		shm_key
		OUT=$BATS_TEST_TMPDIR/reader.out
		start_ready "$OUT" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
		PID=$BG
		# A block of 100 bytes first: the reader must print that one.
		run_as "$SHM_USER" "$LETTERS" write-len "$KEY" 100 "$len"
		[[ $status == 0 ]] || fail "our writer failed: $output $stderr"
		ended "$PID"
		[[ $ENDED == "status 3" ]] ||
			fail "$(printf 'expected: the reader to exit 3 on a block that claims %s bytes (at most 4092)\nactual:   %s; stderr: %s\nhint:     copy len once; more than LETTER_MAX: a line on stderr, remove both objects, exit 3' \
				"$len" "$ENDED" "$(head -c 200 "$OUT.err")")"
		after_line "$OUT" | cmp -s - <(printf 'W%.0s' {1..100}) ||
			fail "expected: the first block's 100 bytes, and nothing of the block of $len bytes, printed; actual: $(after_line "$OUT" | wc -c) bytes"
		[[ -z $(on_key "$KEY") ]] ||
			fail "expected: no segment and no set left after the refusal; actual: on key $KEY: $(on_key "$KEY" | tr '\n' ' ')"
	done
}

@test "every program refuses a KEY that is not a positive number, or none: exit 2, nothing made, nothing sent" {
	require_shm listener
	require_shm sender
	require_shm reader
	require_shm writer
	local k bad prog line before target i
	local hint="strtol() with its end pointer, errno and range checked: a positive number up to 2147483647, nothing after it"
	local -a ours
	before=$(objects_of "$SHM_USER")
	# What a lax parse (atoi(), strtol() without its end and range checks)
	# takes for a key: trailing junk; nothing or 0, which is IPC_PRIVATE; a
	# negative number; a number past 2^31-1, cut to 32 bits.
	shm_key
	k=$KEY
	SHM_KEYS+=("-$k" -2147483648)
	for prog in listener reader; do
		line="Listener PID: "
		[[ $prog == reader ]] && line="Reader PID: "
		for bad in "${k}x" "" 0 "-$k" 2147483648 "$((k + 4294967296))"; do
			OUT=$BATS_TEST_TMPDIR/$prog.out
			start_as "$OUT" "$SHM_USER" stdbuf -oL "$(student "$prog")" "$bad"
			wait_until ready_or_gone "$OUT" "$BG" "$line" || true
			exited "$BG" ||
				fail "$(printf 'expected: the %s to exit 2 for KEY "%s"\nactual:   it took it for a key and started: %s\nhint:     %s' \
					"$prog" "$bad" "$(head -n 1 "$OUT")" "$hint")"
			ended "$BG"
			[[ $ENDED == "status 2" && $(objects_of "$SHM_USER") == "$before" ]] ||
				fail "expected: the $prog to exit 2 for KEY \"$bad\", having made nothing; actual: $ENDED, on key $k: $(on_key "$k" | tr '\n' ' ')"
		done
	done
	# The listener without its KEY: bad arguments too (argv[1] is NULL
	# without a KEY: strncmp() on it crashes). One word too many is no
	# failure the handout names: not judged.
	OUT=$BATS_TEST_TMPDIR/listener.none
	start_as "$OUT" "$SHM_USER" stdbuf -oL "$(student listener)"
	wait_until ready_or_gone "$OUT" "$BG" "Listener PID: " || true
	exited "$BG" && ended "$BG" || ENDED="started: $(head -n 1 "$OUT")"
	[[ $ENDED == "status 2" && $(objects_of "$SHM_USER") == "$before" ]] ||
		fail "$(printf 'expected: the listener to exit 2, having made nothing, without a KEY\nactual:   %s; on key %s: %s\nhint:     if (argc < 2): a usage line on stderr, exit 2' \
			"$ENDED" "$k" "$(on_key "$k" | tr '\n' ' ')")"
	# The sender, given the lax forms of a key where our listener waits, and
	# of its negative: a lax parse finds it, and sends.
	shm_key
	k=$KEY
	SHM_KEYS+=("-$k")
	ours=()
	for target in "$k" "-$k"; do
		start_ready "$BATS_TEST_TMPDIR/ours.$target" "Listener PID: " "$SHM_USER" "$LETTERS" listen "$target"
		ours+=("$BG")
	done
	for bad in "${k}x" "$((k + 4294967296))" "-$k"; do
		i=0
		[[ $bad == -* ]] && i=1
		run_as "$SHM_USER" "$(student sender)" "$bad" "${ours[i]}" "for garfield's eyes only"
		[[ $status == 2 ]] && ! exited "${ours[i]}" ||
			fail "$(printf 'expected: the sender to exit 2 for KEY "%s", and send nothing\nactual:   status %s; our listener on key %s: %s\nhint:     %s' \
				"$bad" "$status" "$( ((i)) && echo "-$k" || echo "$k")" \
				"$(exited "${ours[i]}" && echo "woken" || echo "still waiting")" "$hint")"
	done
	# Control: given the key itself, the same sender sends.
	run_as "$SHM_USER" "$(student sender)" "$k" "${ours[0]}" "for garfield's eyes only"
	ended "${ours[0]}"
	[[ $status == 0 && $ENDED == "status 0" ]] ||
		fail "control: given KEY $k, where our listener waits, the sender must send and exit 0; actual: status $status ($(head -c 200 <<<"$stderr")), our listener $ENDED"
	# The writer, the same way, where garfield's own segment and set wait.
	shm_key
	k=$KEY
	SHM_KEYS+=("-$k")
	for target in "$k" "-$k"; do
		KEY=$target
		plant "$SHM_USER" shm 600 4096
		plant "$SHM_USER" sem 600 2
	done
	for bad in "${k}x" "$((k + 4294967296))" "-$k"; do
		KEY=$k
		[[ $bad == -* ]] && KEY=-$k
		writer_on "$bad"
		[[ $ENDED == "status 2" && $STATE == *"sem0: value=1 "* ]] ||
			fail "$(printf 'expected: the writer to exit 2 for KEY "%s", and send nothing\nactual:   %s; on key %s: %s\nhint:     %s' \
				"$bad" "$ENDED" "$KEY" "$(tr '\n' ' ' <<<"$STATE")" "$hint")"
	done
	# Control: given the key itself, the same writer takes its turn.
	KEY=$k
	writer_on "$k"
	[[ $STATE != *"sem0: value=1 "* ]] ||
		fail "control: given KEY $k, where garfield's own segment and set wait, the writer must take its turn; actual: $(tr '\n' ' ' <<<"$STATE") (the writer: $ENDED)"
	# Control: given a fresh key, the reader starts, then the listener
	# (last: a listener may take every segment there is, as one sample does).
	shm_key
	start_ready "$BATS_TEST_TMPDIR/reader.out" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$KEY"
	shm_key
	start_ready "$BATS_TEST_TMPDIR/listener.out" "Listener PID: " "$SHM_USER" stdbuf -oL "$(student listener)" "$KEY"
}

# listener_ends NAME ARG...: the student's listener on ARG..., as garfield
# (output in BATS_TEST_TMPDIR/listener.NAME, OUT), until it is ready or
# gone. Sets PID, and ENDED: "status N" when it is gone, "started" when it
# printed its ready line (then it runs on), else "still running" (killed).
listener_ends() {
	OUT=$BATS_TEST_TMPDIR/listener.$1
	shift
	start_or_end "$OUT" "Listener PID: " "$SHM_USER" stdbuf -oL "$(student listener)" "$@"
}

# shm/HANDOUT.md: each refusal, and anything else that fails, is a line on
# stderr. Its own test: a program that refuses as it must, but silently,
# loses these points alone, not those of each refusal.
@test "the listener, the sender and the writer print a line on stderr when they refuse" {
	require_shm listener
	require_shm sender
	require_shm writer
	# The sender, to our listener: a message of 4093 bytes, a free key, a
	# segment another user made (mode 0666), each exit 2.
	shm_key
	hear
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "$(printf 'm%.0s' {1..4093})"
	said_why "the sender" "its message is 4093 bytes long" "status 2" "status $status" "$stderr"
	shm_key
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "for garfield's eyes only"
	said_why "the sender" "nothing is on key $KEY" "status 2" "status $status" "$stderr"
	shm_key
	plant "$SHM_OTHER" shm 666 4096
	run_as "$SHM_USER" "$(student sender)" "$KEY" "$PID" "for garfield's eyes only"
	said_why "the sender" "key $KEY holds a segment $SHM_OTHER made (mode 0666)" "status 2" "status $status" "$stderr"
	# The writer: another user's segment (0666) beside garfield's set, then
	# garfield's segment beside another user's set (0666), each exit 2.
	shm_key
	plant "$SHM_OTHER" shm 666 4096
	plant "$SHM_USER" sem 600 2
	writer_on
	said_why "the writer" "key $KEY holds a segment $SHM_OTHER made (mode 0666)" "status 2" "$ENDED" \
		"$(head -c 300 "$BATS_TEST_TMPDIR/writer.out.err")"
	shm_key
	plant "$SHM_USER" shm 600 4096
	plant "$SHM_OTHER" sem 666 2
	writer_on
	said_why "the writer" "key $KEY holds a semaphore set $SHM_OTHER made (mode 0666)" "status 2" "$ENDED" \
		"$(head -c 300 "$BATS_TEST_TMPDIR/writer.out.err")"
	# The listener last (a listener may take every segment there is, as one
	# sample does): a key another user made first (exit 2), a KEY that is
	# not a number (exit 2), a letter that claims 4093 bytes (exit 3).
	shm_key
	plant "$SHM_OTHER" shm 666 4096
	listener_ends taken "$KEY"
	said_why "the listener" "$SHM_OTHER made key $KEY first" "status 2" "$ENDED" "$(head -c 300 "$OUT.err")"
	shm_key
	listener_ends junk "${KEY}x"
	said_why "the listener" "its KEY is \"${KEY}x\"" "status 2" "$ENDED" "$(head -c 300 "$OUT.err")"
	shm_key
	listener_ends letter "$KEY"
	if [[ $ENDED == started ]]; then
		run_as "$SHM_USER" "$LETTERS" send-len "$KEY" "$PID" 4093
		ended "$PID"
		said_why "the listener" "the letter claims 4093 bytes" "status 3" "$ENDED" "$(head -c 300 "$OUT.err")"
	fi
}

@test "every program takes a KEY in decimal, a leading 0 included, or in hexadecimal with 0x" {
	require_shm listener
	require_shm sender
	require_shm reader
	require_shm writer
	local form arg hint
	# Each program is given its key in each form, a fresh key each time:
	# 0x and the key in hexadecimal; and the key in decimal after a 0, its
	# digits all below 8, where base 0 (strtol()'s, or sscanf()'s %i) reads
	# an octal number, another key. What it made or used must be on the key.
	# Only the key is judged here: how each exchange goes is the other
	# tests' business.
	for form in hex zero; do
		key_as "$form"
		hear
		run_as "$SHM_USER" "$(student sender)" "$arg" "$PID" "for garfield's eyes only"
		wait_until exited "$PID" || true
		[[ $status == 0 ]] && exited "$PID" ||
			fail "$(printf 'expected: the sender given KEY %s to send to our listener on key %s (exit 0, our listener woken)\nactual:   status %s (%s), our listener %s%s' \
				"$arg" "$KEY" "$status" "$(head -c 200 <<<"$stderr")" "$(exited "$PID" && echo woken || echo "not woken")" "$hint")"
	done
	for form in hex zero; do
		key_as "$form"
		start_ready "$BATS_TEST_TMPDIR/reader.$form" "Reader PID: " "$SHM_USER" stdbuf -oL "$(student reader)" "$arg"
		[[ $(on_key "$KEY" | sort | tr '\n' ' ') == "sem shm " ]] ||
			fail "$(printf 'expected: the reader given KEY %s to make its segment and set on key %s\nactual:   on that key: %s%s' \
				"$arg" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')" "$hint")"
	done
	# The writer, on garfield's own segment and set planted on the key: it
	# takes its turn.
	for form in hex zero; do
		key_as "$form"
		plant "$SHM_USER" shm 600 4096
		plant "$SHM_USER" sem 600 2
		writer_on "$arg"
		[[ $STATE != *"sem0: value=1 "* ]] ||
			fail "$(printf 'expected: the writer given KEY %s to take its turn on garfield'"'"'s segment and set on key %s\nactual:   %s (the writer: %s: %s)%s' \
				"$arg" "$KEY" "$(tr '\n' ' ' <<<"$STATE")" "$ENDED" "$(head -c 200 "$BATS_TEST_TMPDIR/writer.out.err")" "$hint")"
	done
	# The listener last: a listener may take every segment there is but its
	# own, as one sample does. Each is stopped before the next starts, to
	# give its own back.
	for form in hex zero; do
		key_as "$form"
		start_ready "$BATS_TEST_TMPDIR/listener.$form" "Listener PID: " "$SHM_USER" stdbuf -oL "$(student listener)" "$arg"
		[[ $(on_key "$KEY") == shm ]] ||
			fail "$(printf 'expected: the listener given KEY %s to make its segment on key %s\nactual:   on that key: %s%s' \
				"$arg" "$KEY" "$(on_key "$KEY" | tr '\n' ' ')" "$hint")"
		kill -s TERM "$BG"
		ended "$BG"
	done
}

# key_as FORM: a fresh KEY, and arg, the way it is written for the program:
# FORM hex is 0x and hexadecimal digits; zero, a 0 and decimal digits, all
# below 8 (shm_octal_key). Sets hint for a failure, for the form.
key_as() {
	if [[ $1 == hex ]]; then
		shm_key
		printf -v arg '0x%x' "$KEY"
		hint=
	else
		shm_octal_key
		arg=0$KEY
		hint=$(printf '\nhint:     KEY is decimal, or hexadecimal after 0x: strtol(digits, &end, hex ? 16 : 10); base 0 reads %s as octal, key %s' "$arg" "$((8#$KEY))")
	fi
}
