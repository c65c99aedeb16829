#!/usr/bin/env bats
# fifo.bats - the FIFO and message queue part: a receiver and a sender that
# find each other by a name, a FIFO in a directory others write to, then a
# POSIX message queue (fifo/HANDOUT.md is the contract).
#
# The student's programs run as garfield, each against our own version of
# the other side (helpers/fifos.c), so a defect in one program costs none of
# another's points. Each security claim is shown both ways: nermal (never
# root) is refused with the exact errno, or what nermal made is refused and
# left alone, and in the same set-up garfield's legitimate use works.
# Nothing waits on a sleep: the programs say when they are ready, and every
# wait has a bound. In the byte-for-byte tests the messages are random
# bytes, NUL and newline among them, compared with cmp; elsewhere they are
# random text, found whatever else is printed, so that a %s or a stray byte
# costs the byte-for-byte tests alone. After each test no process, no
# directory and no queue of the test's is left (helpers/fifo.bash).

# shellcheck disable=SC2154,SC2030,SC2031 # status, output, stderr and CLIENT_OUT are set by run_as (helpers/lab.bash)
load helpers/lab
load helpers/listener
load helpers/build
load helpers/background
load helpers/fifo

# When a program must print its ready line (start_ready, helpers/background).
# shellcheck disable=SC2034 # read by start_ready
LAB_READY_WHEN="once the FIFO or queue is there"

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
NEEDS_ROOT="needs root to create garfield and nermal: run 'sudo make test' (see README)"

setup_file() {
	((EUID == 0)) || return 0
	lab_accounts
	fifo_build
}

teardown_file() {
	((EUID == 0)) || return 0
	fifo_clean
	lab_accounts_done
}

setup() {
	lab_trace_body
	((EUID == 0)) || skip "$NEEDS_ROOT"
	# shellcheck disable=SC2034 # read by run_as and start_as
	LAB_RUN_DIR=$FIFO_BUILD
	M=$BATS_TEST_TMPDIR/m
	fifo_dir
	fifo_queue
}

teardown() {
	lab_kill_leftovers
	fifo_leftovers
}

RUNS=0

# receive: the student's receiver on DIR; mqreceive: its mqreceiver on QUEUE.
receive() { receiver_ready receiver "$DIR"; }
mqreceive() { receiver_ready mqreceiver "$QUEUE"; }

# receiver_ready PROG ARG: the student's PROG on ARG, as garfield, ready.
# Sets PID, OUT, PROG.
receiver_ready() {
	require_fifo "$1"
	PROG=$1
	OUT=$BATS_TEST_TMPDIR/$1.$((++RUNS))
	start_ready "$OUT" "Receiver PID: " "$FIFO_USER" stdbuf -oL "$(student "$1")" "$2"
	PID=$BG
}

# ended_with STATUS WHAT: the receiver (PID) ended with STATUS.
ended_with() {
	ended "$PID"
	local got=$ENDED
	[[ $got == "status $1" ]] ||
		fail "$(printf 'expected: the %s to exit %s %s\nactual:   %s\nstdout:   %s\nstderr:   %s' \
			"$PROG" "$1" "$2" "$got" "$(after_line "$OUT" | shown -)" "$(head -c 300 "$OUT.err")")"
}

# got EXPECTED HINT: the receiver (PID) printed EXPECTED's bytes after its
# ready line, and nothing else. Waits until that many bytes are there (or
# it ended), then stops it with SIGKILL (how it stops is another test's
# business) and compares.
got() {
	local want
	want=$(stat -c %s "$1")
	wait_until printed_or_gone "$OUT" "$PID" "$want" || true
	kill -KILL "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	after_line "$OUT" | cmp -s - "$1" && return 0
	fail "$(printf 'expected: the %s to print exactly these %s bytes after its PID line: %s...\nactual:   %s bytes: %s...\nstderr:   %s\nhint:     %s' \
		"$PROG" "$want" "$(shown "$1")" "$(printed "$OUT")" "$(after_line "$OUT" | shown -)" "$(head -c 200 "$OUT.err")" "$2")"
}

# got_all HINT FILE...: the receiver (PID) printed each of these messages
# (of text), whatever else it printed (the byte-for-byte tests judge that).
# Waits until it has (or it ended), then stops it with SIGKILL.
got_all() {
	local hint=$1
	shift
	wait_until holds_or_gone "$OUT" "$PID" "$@" || true
	kill -KILL "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	holds "$OUT" "$@" && return 0
	fail "$(printf 'expected: the %s to print each of the %s messages (%s bytes)\nactual:   %s bytes: %s...\nstderr:   %s\nhint:     %s' \
		"$PROG" "$#" "$(sizes "$@" | tr '\n' ' ')" "$(printed "$OUT")" "$(after_line "$OUT" | shown -)" "$(head -c 200 "$OUT.err")" "$hint")"
}

# send MODE FILE...: our sender writes these messages into DIR/fifo, one
# frame each (MODE paced: one write() per frame, each once the pipe is
# empty; split: see helpers/fifos.c).
send() {
	local mode=$1
	shift
	cat -- "$@" >"$M.frames"
	# shellcheck disable=SC2046 # the sizes are words
	LAB_STDIN=$M.frames run_as "$FIFO_USER" "$FIFOS" frames "$DIR/fifo" "$mode" $(sizes "$@")
	[[ $status == 0 ]] && return 0
	local receiver="still running, not reading"
	if exited "$PID"; then
		ended "$PID"
		receiver="it ended ($ENDED)"
	fi
	fail "$(printf 'expected: the %s to take the frames our sender writes into %s/fifo\nactual:   our sender could not deliver them (status %s: %s); the %s: %s\nstderr:   %s' \
		"$PROG" "$DIR" "$status" "$stderr" "$PROG" "$receiver" "$(head -c 200 "$OUT.err")")"
}

# plant USER WHAT PATH ARG: our fixture makes a FIFO, file or symbolic link as USER.
plant() {
	local user=$1
	shift
	run_as "$user" "$FIFOS" plant "$@"
	[[ $status == 0 ]] || fail "our set-up failed: $user could not plant $*: $stderr"
}

# refused_at_start WHY HINT: the student's receiver, run as garfield on DIR,
# exited 2 at once without its ready line.
refused_at_start() {
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	[[ $status == 2 && $output != *"Receiver PID"* ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", when %s\nactual:   status %s%s, stdout: %s\nstderr:   %s\nhint:     %s' \
			"$1" "$status" "$( ((status == 124 || status == 137)) && echo ": still running after $((LAB_BOUND + 2)) s")" \
			"$(head -c 100 <<<"$output" | cat -v)" "$(head -c 200 <<<"$stderr")" "$2")"
}

@test "fifo/receiver.c, sender.c, mqreceiver.c and mqsender.c compile" {
	require_fifo receiver
	require_fifo sender
	require_fifo mqreceiver
	require_fifo mqsender
}

# fifo/HANDOUT.md, step 1: the four build outputs, in .gitignore.
@test ".gitignore ignores fifo's four programs" {
	expect_ignored "fifo/receiver, fifo/sender, fifo/mqreceiver and fifo/mqsender" \
		"step 1 of the handout lists them: build outputs stay out of the repository" \
		fifo/receiver fifo/sender fifo/mqreceiver fifo/mqsender
}

@test "the receiver prints each frame from our sender byte for byte, 0 to 4092 bytes" {
	local len files=()
	for len in 0 1 100 4092; do
		bytes "$len" "$M.$len"
		files+=("$M.$len")
	done
	printed_as "${files[@]}" >"$M.expected"
	receive
	send paced "${files[@]}"
	got "$M.expected" "the length, then exactly that many bytes; fwrite(bytes, 1, len, stdout) and then '\\n': no %s, no fixed size"
}

@test "the receiver takes frames however the reads cut them: several in one, one in pieces" {
	local len files=()
	for len in 0 1 100 4092 4092; do
		text "$len" "$M.$((${#files[@]}))"
		files+=("$M.$((${#files[@]}))")
	done
	receive
	# The first four frames in one write(); the last in four, each read
	# before the next is written: 2 and 2 bytes of its length, then two
	# halves.
	send split "${files[@]}"
	got_all "a read() returns what the pipe holds: the end of one frame and the start of the next, or part of one. Keep what is left over, and read until a whole frame is there" "${files[@]}"
}

@test "the receiver serves one sender after another" {
	local n files=()
	receive
	for n in 1 2 3; do
		! exited "$PID" || {
			ended "$PID"
			fail "$(printf 'expected: the receiver to serve the next sender once one has left\nactual:   it ended (%s) after sender %s left\nhint:     with no writer left, read() returns 0; keep a descriptor of your own FIFO open for writing, and the next sender is served' "$ENDED" "$((n - 1))")"
		}
		text 100 "$M.$n"
		files+=("$M.$n")
		send paced "$M.$n"
		wait_until holds_or_gone "$OUT" "$PID" "${files[@]}" || true
		# The sender has left: a receiver that reads end-of-file now has the
		# time to show it (it ends, or spins) before the next one comes.
		wait_until asleep_or_exited "$PID" || true
	done
	got_all "each sender's frames, one after another" "${files[@]}"
}

@test "the receiver sleeps while it waits for a frame, using no CPU and no sleep(), also after a sender left" {
	# Our fifohook.so logs any sleep(), usleep(), nanosleep() or
	# clock_nanosleep(): a poller that naps between reads barely uses the
	# CPU, but serves late.
	fifo_hooklog
	hooked -oL receiver FIFOHOOK_LOG="$HOOKLOG"
	require_fifo receiver
	PROG=receiver
	OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
	start_ready "$OUT" "Receiver PID: " "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	PID=$BG
	require_sleeping "the receiver" "$PID" "a blocking read(), or poll(), sleeps; a loop on a non-blocking read() spins, and one with usleep() polls"
	text 10 "$M"
	send paced "$M"
	wait_until holds_or_gone "$OUT" "$PID" "$M" || true
	# Ending once the sender left is not judged here (the test of one sender
	# after another judges it).
	wait_until asleep_or_exited "$PID" || true
	exited "$PID" || sleeping "$PID" || exited "$PID" ||
		fail "$(printf 'expected: the receiver to sleep again once the sender left: no CPU, no wakeups\nactual:   over %s ms: %s (state %s)\nhint:     with no writer left, read() returns 0 and poll() says POLLHUP at once, for ever: keep a descriptor of your own FIFO open for writing' "$LAB_WATCH_MS" "$WATCHED" "$(proc_state "$PID")")"
	! grep -q '^sleep ' "$HOOKLOG" ||
		fail "$(printf 'expected: the receiver to wait in poll() (or a blocking read()), never in a sleep\nactual:   it called %s\nhint:     a nap between non-blocking reads serves each frame late, by up to the nap: poll() on the FIFO and the signalfd wakes at once' \
			"$(sed -n 's/^sleep //p' "$HOOKLOG" | sort | uniq -c | sed 's/^ *\([0-9]*\) \(.*\)/\2() \1 time(s)/' | tr '\n' ' ')")"
}

# fifo/HANDOUT.md: the ready line is flushed at once, and each message
# after it is printed. The other tests run the receivers line-buffered
# (stdbuf -oL), so that a missing fflush() costs this test alone; here
# stdout is a file, as in test_fifo.sh: fully buffered unless the program
# flushes, and what it holds back shows only when it exits.
@test "the receiver and the mqreceiver flush their ready line at once, and each message as they print it" {
	require_fifo receiver
	require_fifo mqreceiver
	local reply
	# still_holds WHEN HINT: the receiver (PID) printed M.1 while it runs
	# on. If not, it is stopped (SIGTERM): a message that shows only then
	# was held back; one that never shows is other tests' business.
	still_holds() {
		wait_until holds_or_gone "$OUT" "$PID" "$M.1" || true
		if exited "$PID" || holds "$OUT" "$M.1"; then
			stopped "$PID"
			return 0
		fi
		stopped "$PID"
		! holds "$OUT" "$M.1" ||
			fail "$(printf 'expected: the message (%s) in the %s'\''s stdout, a file, as soon as %s, while it runs on\nactual:   not there after %s s; there once it exited (SIGTERM)\nhint:     %s' \
				"$(shown "$M.1")" "$PROG" "$1" "$LAB_BOUND" "$2")"
	}
	text 30 "$M.1"
	PROG=receiver
	OUT=$BATS_TEST_TMPDIR/receiver.flush
	LAB_READY_HINT="stdout to a file is fully buffered: fflush(stdout) after the ready line, or it shows only when the receiver exits" \
		start_ready "$OUT" "Receiver PID: " "$FIFO_USER" "$(student receiver)" "$DIR"
	PID=$BG
	send paced "$M.1"
	still_holds "our sender wrote its frame" "fflush(stdout) after each message's '\\n': stdout to a file is fully buffered"
	PROG=mqreceiver
	OUT=$BATS_TEST_TMPDIR/mqreceiver.flush
	LAB_READY_HINT="stdout to a file is fully buffered: fflush(stdout) after the ready line, or it shows only when the mqreceiver exits" \
		start_ready "$OUT" "Receiver PID: " "$FIFO_USER" "$(student mqreceiver)" "$QUEUE"
	PID=$BG
	fifo_queue reply
	LAB_STDIN=$M.1 run_as "$FIFO_USER" "$FIFOS" mq-ask "$QUEUE" "$reply" 30
	still_holds "it replied to our request" "fflush(stdout) after each message's '\\n', before the reply: stdout to a file is fully buffered"
}

@test "another user can neither read nor write the receiver's FIFO or lock file (EACCES); its owner can, and the lock file holds the receiver's PID" {
	receive
	local what how
	what=$(stat -c '%F, owner %U, mode %a' "$DIR/fifo" 2>&1)
	[[ $what == "fifo, owner $FIFO_USER, mode 600" ]] ||
		fail "$(printf 'expected: %s/fifo a FIFO of %s'\''s, mode 0600\nactual:   %s\nhint:     mkfifo(path, 0600): the mode you give is the most others get' "$DIR" "$FIFO_USER" "$what")"
	for how in r w; do
		run_as "$FIFO_OTHER" "$FIFOS" open "$DIR/fifo" "$how"
		[[ $output == EACCES ]] ||
			fail "expected: $FIFO_OTHER's open($DIR/fifo, $([[ $how == r ]] && echo O_RDONLY || echo O_WRONLY)) to fail with EACCES; actual: ${output:-$stderr}"
	done
	# Its lock file: garfield's, 0600, and it says who serves the name.
	what=$(stat -c 'owner %U, mode %a' "$DIR/fifo.lock" 2>&1)
	[[ -f $DIR/fifo.lock && ! -L $DIR/fifo.lock && $what == "owner $FIFO_USER, mode 600" ]] ||
		fail "$(printf 'expected: %s/fifo.lock a regular file of %s'\''s, mode 0600\nactual:   %s, %s\nhint:     open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600): with another mode, others may open it, and take its lock' \
			"$DIR" "$FIFO_USER" "$(stat -c %F "$DIR/fifo.lock" 2>&1)" "$what")"
	for how in r w; do
		run_as "$FIFO_OTHER" "$FIFOS" open "$DIR/fifo.lock" "$how"
		[[ $output == EACCES ]] ||
			fail "expected: $FIFO_OTHER's open($DIR/fifo.lock, $([[ $how == r ]] && echo O_RDONLY || echo O_WRONLY)) to fail with EACCES; actual: ${output:-$stderr}"
	done
	# The PID, in decimal; blanks around it (a newline, "%10d") are a
	# layout the handout leaves open.
	what=$(tr -d ' \t\n' <"$DIR/fifo.lock")
	[[ $what == "$PID" ]] ||
		fail "$(printf 'expected: %s/fifo.lock to hold the receiver'\''s PID, %s\nactual:   %s\nhint:     once you hold the lock: ftruncate(lock, 0), then pwrite() the PID and a newline at offset 0, through the lock'\''s own descriptor' \
			"$DIR" "$PID" "$(head -c 40 "$DIR/fifo.lock" | od -An -c | tr -s ' \n' ' ')")"
	! exited "$PID" || { ended "$PID"; fail "the receiver exited after $FIFO_OTHER's attempts ($ENDED)"; }
	# The lock file first: a receiver that ends when a writer of its FIFO
	# leaves (another test's business) removes it.
	for how in r w; do
		run_as "$FIFO_USER" "$FIFOS" open "$DIR/fifo.lock" "$how"
		[[ $output == ok ]] ||
			fail "control: garfield, the receiver's own user, must be able to open its lock file ($how): ${output:-$stderr}"
	done
	for how in r w; do
		run_as "$FIFO_USER" "$FIFOS" open "$DIR/fifo" "$how"
		[[ $output == ok ]] ||
			fail "control: garfield, the receiver's own user, must be able to open its FIFO ($how): ${output:-$stderr}"
	done
}

@test "the receiver refuses a FIFO, file, symbolic link or directory another user made at DIR/fifo, even one planted around its mkfifo(), and a lock file not its own: exit 2, each left as it was" {
	require_fifo receiver
	local what paths before after
	for what in fifo file symlink directory lock-file lock-symlink; do
		fifo_dir
		case $what in
		directory)
			mkdir -m 0755 "$DIR/fifo"
			chown "$FIFO_OTHER" "$DIR/fifo"
			paths=("$DIR/fifo")
			;;
		fifo)
			plant "$FIFO_OTHER" fifo "$DIR/fifo" 666
			paths=("$DIR/fifo")
			;;
		file)
			plant "$FIFO_OTHER" file "$DIR/fifo" 666
			paths=("$DIR/fifo")
			;;
		symlink)
			plant "$FIFO_OTHER" fifo "$DIR/theirs" 666
			plant "$FIFO_OTHER" symlink "$DIR/fifo" theirs
			paths=("$DIR/fifo" "$DIR/theirs")
			;;
		lock-file)
			plant "$FIFO_OTHER" file "$DIR/fifo.lock" 666
			paths=("$DIR/fifo.lock")
			;;
		lock-symlink)
			plant "$FIFO_USER" file "$DIR/notes" 600
			plant "$FIFO_OTHER" symlink "$DIR/fifo.lock" notes
			paths=("$DIR/fifo.lock" "$DIR/notes")
			;;
		esac
		before=$(state_of "${paths[@]}")
		case $what in
		fifo | file | symlink | directory)
			refused_at_start "$FIFO_OTHER made DIR/fifo first: a $what ($(head -1 <<<"$before" | cut -d' ' -f2-))" \
				"lstat() DIR/fifo: anything but a FIFO of your own is refused, never used (mkfifo()'s EEXIST is not \"all is well\")"
			;;
		lock-file)
			refused_at_start "DIR/fifo.lock is $FIFO_OTHER's file (mode 0666)" \
				"open(O_RDWR | O_CREAT | O_NOFOLLOW, 0600), then fstat(): a regular file whose st_uid is geteuid(), or refuse it"
			;;
		lock-symlink)
			refused_at_start "DIR/fifo.lock is $FIFO_OTHER's symbolic link to notes, a file of garfield's" \
				"O_NOFOLLOW: a link is never followed (through it you would lock, and write your PID into, whatever it points at)"
			;;
		esac
		after=$(state_of "${paths[@]}")
		[[ $after == "$before" ]] ||
			fail "$(printf 'expected: what %s planted left as it was\nbefore:   %s\nafter:    %s' "$FIFO_OTHER" "$before" "$after")"
	done
	# The instant after lstat() (our fifohook.so stops the receiver right
	# before its mkfifo()), nermal makes her FIFO there: EEXIST. And the
	# instant after mkfifo() (stopped right after it), nermal, DIR's owner,
	# who may remove what is in it, puts her FIFO (0666) in place of the
	# receiver's. Each: exit 2, hers left as it was.
	local at why
	for at in pre-mkfifo mkfifo; do
		fifo_dir
		hooked -oL receiver FIFOHOOK_AT="$at" FIFOHOOK_DO=stop
		PROG=receiver
		OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
		start_as "$OUT" "$FIFO_USER" "${HOOKED[@]}" "$DIR"
		PID=$BG
		wait_until stopped_or_gone "$PID" || true
		pid_state "$PID"
		[[ $PID_STATE == [Tt] ]] ||
			fail "$(printf 'our set-up failed: the receiver was to be stopped %s mkfifo() (our fifohook.so)\nactual:   it is %s: %s\nhint:     make the FIFO with mkfifo(DIR/fifo, 0600), as the handout does' \
				"$([[ $at == mkfifo ]] && echo right after || echo right before)" "$(exited "$PID" && echo ended || echo running)" "$(head -c 200 "$OUT.err")")"
		if [[ $at == mkfifo ]]; then
			run_as "$FIFO_OTHER" rm -f -- "$DIR/fifo"
			why="$FIFO_OTHER replaced the receiver's new FIFO by hers (mode 0666) between its mkfifo() and its open()"
		else
			why="$FIFO_OTHER made her FIFO (mode 0666) at DIR/fifo between the receiver's lstat() and its mkfifo()"
		fi
		plant "$FIFO_OTHER" fifo "$DIR/fifo" 666
		before=$(state_of "$DIR/fifo")
		kill -s CONT "$PID"
		ended "$PID"
		[[ $ENDED == "status 2" && $(head -n 1 "$OUT") != *"Receiver PID"* ]] ||
			fail "$(printf 'expected: exit 2, without "Receiver PID", when %s\nactual:   %s, stdout: %s\nhint:     %s' \
				"$why" "$ENDED" "$(head -c 100 "$OUT" | cat -v)" \
				"$([[ $at == mkfifo ]] && echo "fstat() what you opened: a FIFO of your own, mode 0600 exactly; the name may lead elsewhere than what you made" || echo "mkfifo() fails with EEXIST: someone was quicker; exit 2, never use what is there")")"
		after=$(state_of "$DIR/fifo")
		[[ $after == "$before" ]] ||
			fail "$(printf 'expected: the FIFO %s planted left as it was\nbefore:   %s\nafter:    %s' "$FIFO_OTHER" "$before" "$after")"
	done
	# Control: in a directory of its own, the same receiver starts.
	fifo_dir
	receive
}

@test "the receiver refuses no DIR, a missing DIR, one it may not write in, or one too long for DIR/fifo.lock: exit 2 at once, nothing made" {
	require_fifo receiver
	local long=$DIR
	# DIR, then /. until it is 4088 bytes long: DIR/fifo (4093) is a path
	# the kernel takes, DIR/fifo.lock (4098) is not, and snprintf() into
	# PATH_MAX bytes cuts it to DIR/fifo.l, a name of its own.
	while ((${#long} + 2 <= 4088)); do long+=/.; done
	((${#long} == 4088)) || long+=/
	OUT=$BATS_TEST_TMPDIR/receiver.long
	start_as "$OUT" "$FIFO_USER" stdbuf -oL "$(student receiver)" "$long"
	wait_until ready_or_gone "$OUT" "$BG" "Receiver PID: " || true
	exited "$BG" ||
		fail "$(printf 'expected: exit 2 at once: DIR/fifo.lock is %s bytes, past PATH_MAX\nactual:   it started: %s; in DIR: %s\nhint:     snprintf() returns the length it wanted: when that is PATH_MAX or more, the name was cut short' \
			"$((${#long} + 10))" "$(head -n 1 "$OUT")" "$(ls -A "$DIR" | tr '\n' ' ')")"
	ended "$BG"
	[[ $ENDED == "status 2" && -z $(ls -A "$DIR") ]] ||
		fail "expected: exit 2, nothing made in DIR; actual: $ENDED, in DIR: $(ls -A "$DIR" | tr '\n' ' ') ($(head -c 200 "$OUT.err"))"
	# No DIR at all, and a DIR that is not there: what fails is exit 2 too.
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)"
	[[ $status == 2 && $output != *"Receiver PID"* ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", when the receiver is given no DIR\nactual:   status %s, stdout: %s\nstderr:   %s\nhint:     check argc first: a usage error is exit 2, as anything else that fails' \
			"$status" "$(head -c 100 <<<"$output" | cat -v)" "$(head -c 200 <<<"$stderr")")"
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR/missing"
	[[ $status == 2 && $output != *"Receiver PID"* && -z $(ls -A "$DIR") ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", nothing made, when DIR (%s/missing) does not exist\nactual:   status %s, stdout: %s, in %s: %s\nstderr:   %s\nhint:     open() of DIR/fifo.lock fails (ENOENT): a line on stderr, exit 2, as anything else that fails' \
			"$DIR" "$status" "$(head -c 100 <<<"$output" | cat -v)" "$DIR" "$(ls -A "$DIR" | tr '\n' ' ')" "$(head -c 200 <<<"$stderr")")"
	# A DIR it may not write in (nermal's, 0755): open(O_CREAT) of
	# DIR/fifo.lock fails (EACCES): exit 2 too, nothing made.
	fifo_dir
	chmod 0755 "$DIR"
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	[[ $status == 2 && $output != *"Receiver PID"* && -z $(ls -A "$DIR") ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", nothing made, when DIR is %s'\''s, mode 0755: garfield may not write in it\nactual:   status %s, stdout: %s, in DIR: %s\nstderr:   %s\nhint:     open() of DIR/fifo.lock fails (EACCES): a line on stderr, exit 2, as anything else that fails' \
			"$FIFO_OTHER" "$status" "$(head -c 100 <<<"$output" | cat -v)" "$(ls -A "$DIR" | tr '\n' ' ')" "$(head -c 200 <<<"$stderr")")"
	# Control: on DIR itself, the same receiver starts.
	fifo_dir
	receive
}

# receiver_ends ARG...: the student's receiver on ARG..., as garfield,
# until it is ready or gone. Sets PID, OUT, PROG, and ENDED: "status N" when
# it is gone, "started" when it printed its ready line (then it runs on),
# else "still running" (killed).
receiver_ends() {
	PROG=receiver
	OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
	start_or_end "$OUT" "Receiver PID: " "$FIFO_USER" stdbuf -oL "$(student receiver)" "$@"
}

# said_why WHEN WANT: the receiver (OUT), which ended with ENDED when WHEN,
# printed a line on stderr, if ENDED is WANT ("status N"), the refusal the
# handout gives. A case where it did not refuse so is not judged here:
# whether it refuses is that refusal's own test's business.
said_why() {
	[[ $ENDED == "$2" ]] || return 0
	[[ $(head -c 300 "$OUT.err") == *[![:space:]]* ]] ||
		fail "$(printf 'expected: a line on stderr from the receiver when %s\nactual:   %s, as the handout says, and nothing on stderr (this case is judged because the receiver refused as it must; where it does not refuse, that refusal'\''s own test judges it)\nhint:     every refusal and every failure is a line on stderr (perror(), warnx(), fprintf(stderr, ...)), then the exit status' \
			"$1" "${2/status/exit}")"
}

# fifo/HANDOUT.md: each refusal, and anything else that fails, is a line on
# stderr. Its own test: a receiver that refuses as it must, but silently,
# loses these points alone, not those of each refusal.
@test "the receiver prints a line on stderr when it refuses or fails" {
	require_fifo receiver
	# Another user's FIFO at DIR/fifo; another user's file at DIR/fifo.lock;
	# a DIR that does not exist: each exit 2.
	plant "$FIFO_OTHER" fifo "$DIR/fifo" 666
	receiver_ends "$DIR"
	said_why "$FIFO_OTHER made DIR/fifo first (a FIFO, mode 0666)" "status 2"
	fifo_dir
	plant "$FIFO_OTHER" file "$DIR/fifo.lock" 666
	receiver_ends "$DIR"
	said_why "DIR/fifo.lock is $FIFO_OTHER's file (mode 0666)" "status 2"
	receiver_ends "$DIR/missing"
	said_why "DIR ($DIR/missing) does not exist" "status 2"
	# A frame that claims 4093 bytes: exit 3.
	fifo_dir
	receiver_ends "$DIR"
	if [[ $ENDED == started ]]; then
		run_as "$FIFO_USER" "$FIFOS" frame-len "$DIR/fifo" 4093
		ended "$PID"
		said_why "a frame claims 4093 bytes (at most 4092)" "status 3"
	fi
}

# fifo/HANDOUT.md: the other three programs' refusals and failures are a
# line on stderr too. A case is judged when the program refused as it must
# (that refusal's own test judges whether it does).
@test "the sender, the mqreceiver and the mqsender print a line on stderr when they refuse or fail" {
	require_fifo sender
	require_fifo mqreceiver
	require_fifo mqsender
	# said PROG STATUS ERRFILE WHEN: PROG, which ended with STATUS, printed
	# a line on stderr (ERRFILE) if STATUS is the refusal's exit status.
	said() {
		[[ $2 == refused ]] || return 0
		[[ $(head -c 300 "$3") == *[![:space:]]* ]] ||
			fail "$(printf 'expected: a line on stderr from the %s when %s\nactual:   it exited as the handout says, and nothing on stderr (this case is judged because it refused as it must; where it does not, that refusal'\''s own test judges it)\nhint:     every refusal and every failure is a line on stderr (perror(), warnx(), fprintf(stderr, ...)), then the exit status' "$1" "$4")"
	}
	printf 'hello\n' >"$M.in"
	# The sender: no receiver (exit 2); a line of 4093 bytes (exit 3).
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	printf '%s' "$stderr" >"$M.err"
	said sender "$([[ $status == 2 ]] && echo refused)" "$M.err" "there is no $DIR/fifo (exit 2)"
	text 4093 "$M.long"
	echo >>"$M.long"
	hear
	LAB_STDIN=$M.long run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	printf '%s' "$stderr" >"$M.err"
	said sender "$([[ $status == 3 ]] && echo refused)" "$M.err" "a line is 4093 bytes long (exit 3)"
	# The mqreceiver: its queue exists (exit 2).
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$QUEUE" 666
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	run_as "$FIFO_USER" "$(student mqreceiver)" "$QUEUE"
	printf '%s' "$stderr" >"$M.err"
	said mqreceiver "$([[ $status == 2 ]] && echo refused)" "$M.err" "$FIFO_OTHER made $QUEUE first (exit 2)"
	# The mqsender: no queue (exit 2); a line of 4093 bytes (exit 3).
	fifo_queue
	mqsend "$M.in" 12
	said mqsender "$([[ $SENT == "status 2" ]] && echo refused)" "$SENDEROUT.err" "there is no queue $QUEUE (exit 2)"
	serve ok
	mqsend "$M.long" 12
	served
	said mqsender "$([[ $SENT == "status 3" ]] && echo refused)" "$SENDEROUT.err" "a line is 4093 bytes long (exit 3)"
}

@test "a second receiver is told at once that the name is busy: exit 4, touching nothing, also against another program's fcntl lock or a replaced lock file; a lock let go meanwhile is taken" {
	local first before holder
	busy_with() {
		[[ $status == 4 && $output != *"Receiver PID"* ]] ||
			fail "$(printf 'expected: exit 4 at once, when %s\nactual:   status %s%s, stdout: %s\nhint:     fcntl(F_SETLK) fails at once with EAGAIN (or EACCES) on a lock held elsewhere; F_SETLKW would wait; a flock() lock does not see fcntl locks' \
				"$2" "$status" "$( ((status == 124 || status == 137)) && echo ": still waiting after $((LAB_BOUND + 2)) s")" "$(head -c 100 <<<"$output")")"
		[[ $stderr =~ (^|[^0-9])$1([^0-9]|$) ]] ||
			fail "$(printf 'expected: a line on stderr that names PID %s, the lock'\''s holder\nactual:   %s\nhint:     fcntl(F_GETLK) fills in l_pid' "$1" "$(head -c 200 <<<"$stderr")")"
	}
	receive
	first=$PID
	before=$(state_of "$DIR/fifo" "$DIR/fifo.lock")
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	busy_with "$first" "a receiver (PID $first) serves the name"
	[[ $(state_of "$DIR/fifo" "$DIR/fifo.lock") == "$before" ]] ||
		fail "$(printf 'expected: the busy receiver to touch neither file\nbefore:   %s\nafter:    %s' "$before" "$(state_of "$DIR/fifo" "$DIR/fifo.lock")")"
	# The first one still serves.
	text 20 "$M"
	send paced "$M"
	got_all "the second receiver must leave the first one's FIFO and lock alone" "$M"
	# A lock held by a program of garfield's that is not a receiver.
	fifo_dir
	start_ready "$BATS_TEST_TMPDIR/lock.out" "Fixture PID: " "$FIFO_USER" "$FIFOS" lock "$DIR/fifo.lock"
	holder=$BG
	before=$(state_of "$DIR/fifo" "$DIR/fifo.lock")
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	busy_with "$holder" "our program (PID $holder) holds an fcntl write lock on DIR/fifo.lock"
	[[ $(state_of "$DIR/fifo" "$DIR/fifo.lock") == "$before" ]] ||
		fail "$(printf 'expected: the busy receiver to touch neither file\nbefore:   %s\nafter:    %s' "$before" "$(state_of "$DIR/fifo" "$DIR/fifo.lock")")"
	# The holder lets go between the receiver's F_SETLK (refused) and its
	# F_GETLK (our fifohook.so stops it right after the F_SETLK): the name
	# is free, and the receiver starts over and serves it, not exit 4.
	hooked -oL receiver FIFOHOOK_AT=setlk-busy FIFOHOOK_DO=stop
	PROG=receiver
	OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
	start_as "$OUT" "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	PID=$BG
	wait_until stopped_or_gone "$PID" || true
	pid_state "$PID"
	[[ $PID_STATE == [Tt] ]] ||
		fail "$(printf 'our set-up failed: the receiver was to be stopped right after its fcntl(F_SETLK) failed (our fifohook.so)\nactual:   it is %s: %s\nhint:     take the lock with fcntl(lock, F_SETLK, &fl), as the handout does' \
			"$(exited "$PID" && echo ended || echo running)" "$(head -c 200 "$OUT.err")")"
	kill -s TERM "$holder"
	ended "$holder"
	kill -s CONT "$PID"
	wait_until ready_or_gone "$OUT" "$PID" "Receiver PID: " || true
	first_line "$OUT"
	[[ $FIRST == "Receiver PID: $PID" ]] || {
		ended "$PID"
		fail "$(printf 'expected: the receiver to serve the name: its lock'\''s holder let go between its F_SETLK and its F_GETLK\nactual:   %s, stdout: %s\nstderr:   %s\nhint:     F_GETLK says l_type F_UNLCK when no lock is in the way any more: close the lock file and start over, never "busy: PID 0"' \
			"$ENDED" "$(head -c 100 "$OUT" | cat -v)" "$(head -c 200 "$OUT.err")")"
	}
	stopped "$PID"
	# A receiver that was exiting removes DIR/fifo.lock and a third one
	# makes a new one, between this receiver's open() of the old one and
	# its lock (our fifohook.so stops it right after the open()): it locks
	# a file with no name, sees it (stat() of the name is another file)
	# and starts over. Then a second receiver is told that it is busy.
	fifo_dir
	hooked -oL receiver FIFOHOOK_AT=open-lock FIFOHOOK_DO=stop
	OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
	start_as "$OUT" "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	PID=$BG
	first=$PID
	wait_until stopped_or_gone "$PID" || true
	pid_state "$PID"
	[[ $PID_STATE == [Tt] ]] ||
		fail "$(printf 'our set-up failed: the receiver was to be stopped right after its open() of DIR/fifo.lock (our fifohook.so)\nactual:   it is %s: %s\nhint:     open DIR/fifo.lock with open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600), as the handout does' \
			"$(exited "$PID" && echo ended || echo running)" "$(head -c 200 "$OUT.err")")"
	rm -f -- "$DIR/fifo.lock"
	plant "$FIFO_USER" file "$DIR/fifo.lock" 600
	kill -s CONT "$PID"
	wait_until ready_or_gone "$OUT" "$PID" "Receiver PID: " || true
	first_line "$OUT"
	[[ $FIRST == "Receiver PID: $PID" ]] || { ended "$PID"; fail "expected: the receiver to start, on the new DIR/fifo.lock; actual: $ENDED: $(head -c 200 "$OUT.err")"; }
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	[[ $status == 4 ]] ||
		fail "$(printf 'expected: exit 4: a receiver (PID %s) serves the name\nactual:   status %s, stdout: %s\nhint:     that receiver locked a DIR/fifo.lock that was removed meanwhile (a file with no name), and the one at the name now is free: once you hold the lock, stat() the name and compare st_dev and st_ino with fstat()'\''s; another file: close, start over' \
			"$first" "$status" "$(head -c 100 <<<"$output" | cat -v)")"
}

@test "a receiver started after the first one stopped, or was killed, serves the name" {
	local sig
	for sig in TERM KILL; do
		fifo_dir
		receive
		kill -s "$sig" "$PID"
		ended "$PID"
		LAB_READY_HINT="after SIG$sig: a lock dies with its holder, and a FIFO of your own behind a free lock is a killed receiver's leftover: remove it and serve" \
			receive
		text 50 "$M"
		send paced "$M"
		got_all "the receiver after one that got SIG$sig serves the name" "$M"
	done
}

@test "the receiver refuses a frame that claims more than 4092 bytes: exit 3, nothing printed, no crash" {
	local len
	for len in 4093 4294967295; do
		fifo_dir
		receive
		run_as "$FIFO_USER" "$FIFOS" frame-len "$DIR/fifo" "$len"
		ended_with 3 "when a frame claims $len bytes (at most 4092)"
		[[ $(printed "$OUT") == 0 ]] ||
			fail "expected: nothing printed for a refused frame; actual: $(printed "$OUT") bytes"
	done
}

@test "SIGINT and SIGTERM stop the receiver with exit 0, even right after mkfifo(), and no exit path (its stdout gone too) leaves its FIFO or lock file, the FIFO removed first" {
	local sig
	left() {
		[[ ! -e $DIR/fifo && ! -L $DIR/fifo && ! -e $DIR/fifo.lock && ! -L $DIR/fifo.lock ]] ||
			fail "$(printf 'expected: no %s/fifo and no %s/fifo.lock after %s\nactual:   %s\nhint:     unlink() the FIFO, then the lock file, on every exit path after taking the lock, before letting it go' \
				"$DIR" "$DIR" "$1" "$(find "$DIR" -mindepth 1 -printf '%f (%M %u) ')")"
	}
	# A refused frame, and a name that is not ours, are exit paths when the
	# receiver takes them (their own tests judge whether it does): then it
	# must leave nothing of its own either.
	receive
	run_as "$FIFO_USER" "$FIFOS" frame-len "$DIR/fifo" 5000
	ended "$PID"
	[[ $ENDED != "status 3" ]] || left "a refused frame (exit 3)"
	fifo_dir
	plant "$FIFO_OTHER" fifo "$DIR/fifo" 666
	run_as "$FIFO_USER" stdbuf -oL "$(student receiver)" "$DIR"
	[[ $status != 2 || ! -e $DIR/fifo.lock ]] ||
		fail "expected: no $DIR/fifo.lock after refusing $FIFO_OTHER's FIFO (exit 2); actual: $(ls -l "$DIR/fifo.lock")"
	# On SIGINT and SIGTERM: exit 0, and (our fifohook.so logs the calls)
	# the FIFO removed, then the lock file, and only then the lock let go.
	local seq
	for sig in INT TERM; do
		fifo_dir
		fifo_hooklog
		hooked -oL receiver FIFOHOOK_LOG="$HOOKLOG"
		PROG=receiver
		OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
		start_ready "$OUT" "Receiver PID: " "$FIFO_USER" "${HOOKED[@]}" "$DIR"
		PID=$BG
		: >"$HOOKLOG"
		kill -s "$sig" "$PID"
		ended_with 0 "on SIG$sig"
		left "SIG$sig"
		seq=$(sed -n -e 's#^unlink \(.*/\)\{0,1\}\(fifo\|fifo\.lock\)$#unlink \2#p' \
			-e 's#^close .*/\(fifo\.lock\)$#close \1#p' "$HOOKLOG" | tr '\n' ',')
		[[ $seq == "unlink fifo,unlink fifo.lock,"* ]] ||
			fail "$(printf 'expected: on SIG%s, unlink(DIR/fifo), then unlink(DIR/fifo.lock), and only then the lock let go (close() or exit)\nactual:   %s\nhint:     while you hold the lock, what you remove is yours: let go first, and you may remove the FIFO of a receiver that started meanwhile' \
				"$sig" "$(sed 's/,$//; s/,/, then /g' <<<"${seq:-neither removed}")")"
	done
	# SIGTERM the instant the FIFO is made (our fifohook.so sends it right
	# after mkfifo() returns): blocked from the start, it waits until the
	# receiver is ready for it, which then exits 0 and removes both files.
	fifo_dir
	hooked -oL receiver FIFOHOOK_AT=mkfifo FIFOHOOK_DO=term
	OUT=$BATS_TEST_TMPDIR/receiver.$((++RUNS))
	start_as "$OUT" "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	PID=$BG
	ended_with 0 "on a SIGTERM that came right after mkfifo() (hint: block SIGINT and SIGTERM first thing in main(), before you make anything: a blocked signal waits until you are ready for it)"
	left "a SIGTERM right after mkfifo()"
	# Its stdout gone (a pipe whose reader left), SIGPIPE ignored: the
	# failed write is exit 2, and it cleans up. Judged once it has read
	# the frame (our fifohook.so logs its read()s): whether it reads and
	# prints is other tests' business.
	fifo_dir
	fifo_hooklog
	mkfifo -m 600 "$M.pipe"
	local out
	exec {out}<>"$M.pipe"
	OUT=$M.pipe
	hooked -oL receiver FIFOHOOK_LOG="$HOOKLOG"
	start_as "$OUT" "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	PID=$BG
	read -r -t "$LAB_BOUND" -u "$out" FIRST || true
	exec {out}<&-
	[[ $FIRST == "Receiver PID: $PID" ]] || fail "expected: the receiver's ready line; actual: ${FIRST:-none} ($(head -c 200 "$OUT.err"))"
	text 10 "$M"
	send paced "$M"
	took_frame() { grep -q '^read ' "$HOOKLOG" || exited "$PID"; }
	wait_until took_frame || true
	if ! grep -q '^read ' "$HOOKLOG"; then
		# It never read the frame: not judged here.
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
		return 0
	fi
	ended "$PID"
	[[ $ENDED == "status 2" ]] ||
		fail "$(printf 'expected: exit 2 when stdout is gone (a pipe whose reader left) and a frame comes\nactual:   %s%s\nhint:     signal(SIGPIPE, SIG_IGN): then fwrite()/fflush() fail with EPIPE, and the receiver cleans up and exits 2 (SIGPIPE kills it, its files left)' \
			"$ENDED" "$([[ $ENDED == "status 141" ]] && echo ' (killed by SIGPIPE)')")"
	left "its stdout went away (exit 2)"
}

# hear [USER MODE]: our receiver on DIR: USER's FIFO (default garfield's,
# 0600), each byte that arrives copied to RAWOUT after its ready line.
hear() {
	RAWOUT=$BATS_TEST_TMPDIR/rawread.$((++RUNS))
	start_ready "$RAWOUT" "Fixture PID: " "${1:-$FIFO_USER}" "$FIFOS" rawread "$DIR" "${2:-600}"
	RAW=$BG
}

# heard: our receiver has every byte that was written: it ended when the
# writers left, or, if none came, ends now (SIGTERM), with what the pipe holds.
heard() {
	stopped "$RAW"
	[[ $ENDED == "status 0" ]] || fail "our receiver failed: $ENDED: $(head -c 200 "$RAWOUT.err")"
}

# sender_got EXPECTED WHAT HINT: our receiver got exactly EXPECTED's bytes.
sender_got() {
	after_line "$RAWOUT" | cmp -s - "$1" && return 0
	fail "$(printf 'expected: %s: exactly %s bytes: %s...\nactual:   %s bytes: %s...\nthe sender: status %s, stderr: %s\nhint:     %s' \
		"$2" "$(stat -c %s "$1")" "$(shown "$1")" "$(printed "$RAWOUT")" "$(after_line "$RAWOUT" | shown -)" "$status" "$(head -c 200 <<<"$stderr")" "$3")"
}

@test "the sender writes exactly one frame per line, in one write() each, nothing extra" {
	require_fifo sender
	line_bytes 100 "$M.1"
	: >"$M.2"
	line_bytes 4092 "$M.3"
	printf '\0' >"$M.4"
	line_bytes 50 "$M.5"
	# An empty line, a line of one NUL, and a last line without its newline.
	{ cat "$M.1"; echo; cat "$M.2"; echo; cat "$M.3"; echo; cat "$M.4"; echo; cat "$M.5"; } >"$M.in"
	frame_of "$M".{1..5} >"$M.expected"
	hear
	# Our fifohook.so logs the sender's write()s into the FIFO: one a frame.
	fifo_hooklog
	hooked sender FIFOHOOK_LOG="$HOOKLOG"
	LAB_STDIN=$M.in run_as "$FIFO_USER" "${HOOKED[@]}" "$DIR"
	heard
	[[ $status == 0 ]] || fail "$(printf 'expected: the sender to exit 0 at the end of stdin\nactual:   status %s: %s' "$status" "$(head -c 300 <<<"$stderr")")"
	sender_got "$M.expected" "5 frames, one per line (100, 0, 4092, 1 and 50 bytes)" \
		"each line without its newline, as a uint32_t length then the bytes, in one write() of 4 + length bytes: not a fixed size, not strlen()"
	local writes
	writes=$(sed -n 's/^writev\{0,1\} //p' "$HOOKLOG" | tr '\n' ' ')
	[[ -n $writes ]] ||
		fail "$(printf 'expected: one write() per frame, of 4 + length bytes: 104 4 4096 5 54\nactual:   no call to write() or writev() into the FIFO (stdio'\''s fwrite(), say, which may cut a frame in two)\nhint:     the handout asks for each frame in one write(): the length and the bytes in one buffer')"
	[[ $writes == "104 4 4096 5 54 " ]] ||
		fail "$(printf 'expected: one write() per frame, of 4 + length bytes: 104 4 4096 5 54\nactual:   write()s into the FIFO of %s bytes\nhint:     the length and the bytes in one buffer, one write(): two calls let another sender'\''s frame land between them (only a write() of at most PIPE_BUF bytes is atomic)' \
			"$(head -c 200 <<<"$writes")")"
}

@test "the sender prints nothing on stdout: the lines go into the FIFO only" {
	require_fifo sender
	text 20 "$M.1"
	{ cat "$M.1"; echo; } >"$M.in"
	hear
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	[[ $status == 0 ]] && holds "$RAWOUT" "$M.1" ||
		fail "control: the sender must send its line to our receiver; status $status ($(head -c 200 <<<"$stderr")), our receiver got $(printed "$RAWOUT") bytes"
	[[ -z $output ]] ||
		fail "$(printf 'expected: nothing on stdout from the sender\nactual:   %s\nhint:     the sender prints nothing: what it has to say goes to stderr' "$(head -c 200 <<<"$output" | cat -v)")"
}

@test "the sender refuses a line longer than 4092 bytes: exit 3, the lines before it sent, nothing of it" {
	require_fifo sender
	text 20 "$M.1"
	text 4093 "$M.2"
	text 20 "$M.3"
	{ cat "$M.1"; echo; cat "$M.2"; echo; cat "$M.3"; echo; } >"$M.in"
	frame_of "$M.1" >"$M.expected"
	hear
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	[[ $status == 3 ]] ||
		fail "$(printf 'expected: exit 3 at a line of 4093 bytes (at most 4092)\nactual:   status %s: %s' "$status" "$(head -c 300 <<<"$stderr")")"
	# The first frame whole; how the sender frames it otherwise, and what
	# else it sends with it, is the test of one frame per line's.
	local first
	first=$(stat -c %s "$M.expected")
	after_line "$RAWOUT" | head -c "$first" | cmp -s - "$M.expected" ||
		fail "$(printf 'expected: the line before the long one sent first, as a frame: %s...\nactual:   %s...' "$(shown "$M.expected")" "$(after_line "$RAWOUT" | shown -)")"
	head -c 32 "$M.2" >"$M.2.start"
	! after_line "$RAWOUT" | grep -aqF -e "$(<"$M.2.start")" -e "$(<"$M.3")" ||
		fail "$(printf 'expected: nothing of the line of 4093 bytes, and nothing of the line after it\nactual:   %s bytes arrived, with some of them\nhint:     check the length before you send: a line too long is refused whole, and the sender stops there' "$(printed "$RAWOUT")")"
}

# fifo/HANDOUT.md: once the FIFO passed its checks the sender clears
# O_NONBLOCK (a full pipe makes write() wait) and ignores SIGPIPE (a
# receiver gone is EPIPE, exit 2). 40 frames of 4096 bytes are more than a
# pipe holds (64 KiB); our receiver is stopped (SIGSTOP) so that the pipe
# fills, whatever the timing.
@test "the sender waits while the pipe is full, and exits 2 when the receiver goes away (EPIPE, not SIGPIPE)" {
	require_fifo sender
	local i what
	# sender_waits: the sender (SENDER, its program by then, not the
	# launcher on its way to it) sleeps, or it ended.
	sender_waits() {
		local comm=
		exited "$SENDER" && return 0
		{ read -r comm <"/proc/$SENDER/comm"; } 2>/dev/null || true
		[[ $comm == sender ]] && asleep "$SENDER"
	}
	text $((4092 * 40)) "$M.all"
	for i in {1..40}; do
		tail -c +$(((i - 1) * 4092 + 1)) "$M.all" | head -c 4092 >"$M.$i"
		{ cat "$M.$i"; echo; } >>"$M.in"
	done
	# A full pipe: the sender waits (asleep in write()), and once our
	# receiver reads again it goes on. What it sends is the test of one
	# frame per line's.
	hear
	kill -s STOP "$RAW"
	LAB_STDIN=$M.in start_as "$BATS_TEST_TMPDIR/sender.full" "$FIFO_USER" "$(student sender)" "$DIR"
	SENDER=$BG
	wait_until sender_waits || true
	if exited "$SENDER" || ! sender_waits; then
		what="it runs on, awake (state $(proc_state "$SENDER"))"
		exited "$SENDER" && ended "$SENDER" && what="it ended ($ENDED)"
		kill -s CONT "$RAW"
		fail "$(printf 'expected: the sender to wait, asleep, while the pipe is full (our receiver stopped, 40 frames of 4096 bytes to go)\nactual:   %s\nstderr:   %s\nhint:     clear O_NONBLOCK once the FIFO passed its checks (fcntl(F_SETFL, flags & ~O_NONBLOCK)): a non-blocking write() to a full pipe fails with EAGAIN, or writes part of a frame' \
			"$what" "$(head -c 200 "$BATS_TEST_TMPDIR/sender.full.err")")"
	fi
	kill -s CONT "$RAW"
	ended "$SENDER"
	stopped "$RAW"
	# The receiver goes away while the sender waits with lines left.
	fifo_dir
	hear
	kill -s STOP "$RAW"
	LAB_STDIN=$M.in start_as "$BATS_TEST_TMPDIR/sender.gone" "$FIFO_USER" "$(student sender)" "$DIR"
	SENDER=$BG
	wait_until sender_waits || true
	kill -s KILL "$RAW"
	wait "$RAW" 2>/dev/null || true
	ended "$SENDER"
	[[ $ENDED == "status 2" ]] ||
		fail "$(printf 'expected: exit 2 when the receiver goes away while lines are left (write() fails: EPIPE)\nactual:   %s%s\nstderr:   %s\nhint:     signal(SIGPIPE, SIG_IGN) before you write: SIGPIPE kills a sender silently' \
			"$ENDED" "$([[ $ENDED == "status 141" ]] && echo ' (killed by SIGPIPE)')" "$(head -c 200 "$BATS_TEST_TMPDIR/sender.gone.err")")"
}

@test "the sender does not wait for an absent receiver: exit 2 at once" {
	require_fifo sender
	local why
	printf 'hello\n' >"$M.in"
	for why in "no $DIR/fifo" "garfield's own FIFO (0600) that no one reads"; do
		[[ $why == no* ]] || plant "$FIFO_USER" fifo "$DIR/fifo" 600
		LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
		[[ $status == 2 ]] ||
			fail "$(printf 'expected: exit 2 at once: %s\nactual:   status %s%s: %s\nhint:     open(O_WRONLY) waits for a reader; with O_NONBLOCK it fails at once (ENXIO)' \
				"$why" "$status" "$( ((status == 124 || status == 137)) && echo ": still waiting after $((LAB_BOUND + 2)) s")" "$(head -c 200 <<<"$stderr")")"
	done
}

# sender_delivers: control: into garfield's own 0600 FIFO in a fresh DIR,
# read by our receiver, the student's sender sends the line of M.1 (stdin
# M.in). How it frames the line is the test of one frame per line's.
sender_delivers() {
	fifo_dir
	hear
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	holds "$RAWOUT" "$M.1" ||
		fail "control: into garfield's own FIFO (0600) the same sender must send the line; our receiver got $(printed "$RAWOUT") bytes (status $status: $stderr)"
}

@test "the sender refuses a FIFO that another user made: exit 2, nothing sent" {
	require_fifo sender
	text 20 "$M.1"
	{ cat "$M.1"; echo; } >"$M.in"
	hear "$FIFO_OTHER" 666
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	[[ $status == 2 ]] ||
		fail "$(printf 'expected: exit 2: %s/fifo is %s'\''s FIFO, mode 0666, and %s reads it\nactual:   status %s\nhint:     fstat() after open(): a FIFO whose st_uid is geteuid(), mode 0600, before a byte goes out' "$DIR" "$FIFO_OTHER" "$FIFO_OTHER" "$status")"
	[[ $(printed "$RAWOUT") == 0 ]] ||
		fail "expected: nothing sent into $FIFO_OTHER's FIFO; actual: $FIFO_OTHER read $(printed "$RAWOUT") bytes"
	sender_delivers
}

@test "the sender refuses its own FIFO unless its mode is 0600: exit 2, nothing sent" {
	require_fifo sender
	local mode
	text 20 "$M.1"
	{ cat "$M.1"; echo; } >"$M.in"
	for mode in 666 620; do
		fifo_dir
		hear "$FIFO_USER" "$mode"
		LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
		heard
		[[ $status == 2 && $(printed "$RAWOUT") == 0 ]] ||
			fail "$(printf 'expected: exit 2, nothing sent: %s/fifo is garfield'"'"'s own FIFO, but mode %s: others may open it\nactual:   status %s, %s bytes sent\nhint:     fstat() after open(): st_uid is geteuid() and (st_mode & 0777) is 0600, both' \
				"$DIR" "$mode" "$status" "$(printed "$RAWOUT")")"
	done
	sender_delivers
}

@test "the sender refuses a symbolic link at DIR/fifo: exit 2, nothing sent" {
	require_fifo sender
	local target
	text 20 "$M.1"
	{ cat "$M.1"; echo; } >"$M.in"
	# Garfield's own FIFO, 0600, that our receiver reads; and in another
	# directory, nermal's link to it at DIR/fifo. Only O_NOFOLLOW refuses
	# it: what the link leads to passes every other check.
	hear
	target=$DIR/fifo
	fifo_dir
	plant "$FIFO_OTHER" symlink "$DIR/fifo" "$target"
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	[[ $status == 2 && $(printed "$RAWOUT") == 0 ]] ||
		fail "$(printf 'expected: exit 2, nothing sent: %s/fifo is a symbolic link (to %s)\nactual:   status %s, %s bytes sent through it\nhint:     open() with O_NOFOLLOW: a link at DIR/fifo fails with ELOOP' \
			"$DIR" "$target" "$status" "$(printed "$RAWOUT")")"
	sender_delivers
}

@test "the sender exits 2 when anything else fails: no DIR, a DIR too long for DIR/fifo, a stdin it cannot read" {
	require_fifo sender
	local long
	text 20 "$M.1"
	{ cat "$M.1"; echo; } >"$M.in"
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)"
	[[ $status == 2 ]] ||
		fail "$(printf 'expected: exit 2 when the sender is given no DIR\nactual:   status %s: %s\nhint:     check argc first: anything that fails but a line too long is exit 2, a usage error too' \
			"$status" "$(head -c 200 <<<"$stderr")")"
	# Our receiver on DIR/fifo, and a DIR whose DIR/fifo passes PATH_MAX:
	# DIR/fifo/ (DIR padded with /. to 4090 bytes), then /fifo. Cut short at
	# PATH_MAX - 1 bytes, that name is our receiver's FIFO.
	hear
	long=$DIR
	while ((${#long} + 2 <= 4090)); do long+=/.; done
	((${#long} == 4090)) || long+=/
	long+=/fifo/
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$(student sender)" "$long"
	heard
	[[ $status == 2 && $(printed "$RAWOUT") == 0 ]] ||
		fail "$(printf 'expected: exit 2, nothing sent: DIR/fifo is %s bytes, past PATH_MAX\nactual:   status %s, %s bytes sent into %s/fifo, what the name becomes when it is cut short\nhint:     snprintf() returns the length it wanted: when that is PATH_MAX or more, the name was cut short' \
			"$((${#long} + 5))" "$status" "$(printed "$RAWOUT")" "$DIR")"
	# A stdin whose read() fails (a directory: EISDIR), our receiver there.
	fifo_dir
	hear
	LAB_STDIN=$BATS_TEST_TMPDIR run_as "$FIFO_USER" "$(student sender)" "$DIR"
	heard
	[[ $status == 2 ]] ||
		fail "$(printf 'expected: exit 2 when reading stdin fails (stdin is a directory: read() fails with EISDIR)\nactual:   status %s: %s\nhint:     getline() returns -1 at the end of stdin and on an error: ferror(stdin) tells them apart' \
			"$status" "$(head -c 200 <<<"$stderr")")"
	sender_delivers
}

@test "the mqreceiver prints each request's message byte for byte and replies OK N, hundreds of requests in a row" {
	local len files=() reply
	for len in 0 1 100 4092; do
		bytes "$len" "$M.$len"
		files+=("$M.$len")
	done
	printed_as "${files[@]}" >"$M.expected"
	cat "${files[@]}" >"$M.in"
	mqreceive
	fifo_queue reply
	# shellcheck disable=SC2046 # the sizes are words
	LAB_STDIN=$M.in run_as "$FIFO_USER" "$FIFOS" mq-ask "$QUEUE" "$reply" $(sizes "${files[@]}")
	local asked=$status replies
	replies=$(od -An -c "$CLIENT_OUT" | tr -s ' \n' ' ')
	cp "$CLIENT_OUT" "$M.replies"
	# Then 300 requests of one byte, one after another: more than the
	# descriptors the mqreceiver may have open (256), so that one kept open
	# per request runs out.
	local -a ones=()
	while ((${#ones[@]} < 300)); do ones+=(1); done
	printf 'k%.0s' "${ones[@]}" >"$M.many"
	printf 'k\n%.0s' "${ones[@]}" >>"$M.expected"
	fifo_queue reply
	LAB_STDIN=$M.many run_as "$FIFO_USER" "$FIFOS" mq-ask "$QUEUE" "$reply" "${ones[@]}"
	[[ $asked != 0 || $status == 0 && $(grep -c '^OK 1$' "$CLIENT_OUT") == 300 ]] ||
		fail "$(printf 'expected: a reply "OK 1" to each of 300 requests of one byte, one after another\nactual:   %s replies; our sender: %s\nthe mqreceiver: %s\nhint:     mq_close() the reply queue after each request, on every path: a descriptor kept per request runs out (the mqreceiver may have 256)' \
			"$(grep -c '^OK 1$' "$CLIENT_OUT")" "$(head -c 200 <<<"$stderr")" "$(tail -c 200 "$OUT.err")")"
	got "$M.expected" "the message is what follows the first '\\n' of the request, mq_receive()'s length minus that: fwrite() it, then '\\n'"
	printf 'OK 0\nOK 1\nOK 100\nOK 4092\n' | cmp -s - "$M.replies" ||
		fail "$(printf 'expected: the replies "OK 0", "OK 1", "OK 100", "OK 4092", one per request, exactly (no NUL)\nactual:   our sender: status %s, replies: %s\nstderr:   %s\nhint:     mq_send(reply, buf, snprintf(buf, size, "OK %%zu", len), 0)' \
			"$asked" "$replies" "$(head -c 200 <<<"$stderr")")"
}

@test "the mqreceiver sleeps while it waits for a request, using no CPU" {
	mqreceive
	require_sleeping "the mqreceiver" "$PID" "mq_receive() on a blocking queue, or poll() on its descriptor, sleeps; a loop of mq_receive() on an O_NONBLOCK queue, or one with usleep(), polls"
}

@test "another user can neither send to nor read from the mqreceiver's queue (EACCES); its owner can, and the queue holds 10 requests of 4348 bytes" {
	mqreceive
	local how uid
	uid=$(id -u "$FIFO_USER")
	for how in r w; do
		run_as "$FIFO_OTHER" "$FIFOS" mq-open "$QUEUE" "$how"
		[[ $output == EACCES ]] ||
			fail "$(printf 'expected: %s'\''s mq_open(%s, %s) to fail with EACCES\nactual:   %s\nhint:     mq_open(QUEUE, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr)' "$FIFO_OTHER" "$QUEUE" "$([[ $how == r ]] && echo O_RDONLY || echo O_WRONLY)" "${output:-$stderr}")"
	done
	! exited "$PID" || { ended "$PID"; fail "the mqreceiver exited after $FIFO_OTHER's attempts ($ENDED)"; }
	for how in w r; do
		run_as "$FIFO_USER" "$FIFOS" mq-open "$QUEUE" "$how"
		[[ $output == "ok mode=600 uid=$uid" ]] ||
			fail "$(printf 'expected: garfield, its own user, opens the queue (%s), and it is garfield'\''s, mode 0600\nactual:   %s' "$how" "${output:-$stderr}")"
	done
	run_as "$FIFO_USER" "$FIFOS" mq-attr "$QUEUE"
	[[ $output == "maxmsg=10 msgsize=4348" ]] ||
		fail "$(printf 'expected: the queue made with mq_maxmsg 10 (QUEUE_MSGS) and mq_msgsize 4348 (REQUEST_MAX)\nactual:   %s\nhint:     struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REQUEST_MAX }, given to mq_open()' \
			"${output:-$stderr}")"
}

@test "the mqreceiver refuses a queue that exists, another user's or its own: exit 2, the queue untouched" {
	require_fifo mqreceiver
	local uid
	uid=$(id -u "$FIFO_OTHER")
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$QUEUE" 666 canary!
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	run_as "$FIFO_USER" stdbuf -oL "$(student mqreceiver)" "$QUEUE"
	[[ $status == 2 && $output != *"Receiver PID"* ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", when %s made %s first (mode 0666)\nactual:   status %s%s, stdout: %s\nhint:     O_CREAT | O_EXCL: without O_EXCL, mq_open() hands you their queue' \
			"$FIFO_OTHER" "$QUEUE" "$status" "$( ((status == 124 || status == 137)) && echo ": still running after $((LAB_BOUND + 2)) s")" "$(head -c 100 <<<"$output" | cat -v)")"
	run_as "$FIFO_OTHER" "$FIFOS" mq-open "$QUEUE" r
	[[ $output == "ok mode=666 uid=$uid" ]] || fail "expected: $FIFO_OTHER's queue still there, as it was; actual: $output $stderr"
	run_as "$FIFO_OTHER" "$FIFOS" mq-drain "$QUEUE"
	[[ $output == $'canary!\nmessages=1' ]] ||
		fail "expected: $FIFO_OTHER's queue untouched, its one message still in it; actual: $(tr '\n' ' ' <<<"$output") $stderr"
	# Garfield's own queue, whoever made it: a running mqreceiver's, then
	# the same one's after kill -KILL (its queue stays): exit 2, kept.
	local first
	fifo_queue
	mqreceive
	first=$PID
	run_as "$FIFO_USER" stdbuf -oL "$(student mqreceiver)" "$QUEUE"
	[[ $status == 2 && $output != *"Receiver PID"* ]] ||
		fail "$(printf 'expected: exit 2 at once, without "Receiver PID", when a mqreceiver (PID %s) serves %s\nactual:   status %s, stdout: %s\nhint:     O_CREAT | O_EXCL, and on EEXIST exit 2, whoever made the queue: never remove it and start over' \
			"$first" "$QUEUE" "$status" "$(head -c 100 <<<"$output" | cat -v)")"
	served_after_refusals
	fifo_queue
	mqreceive
	kill -KILL "$PID"
	ended "$PID"
	run_as "$FIFO_USER" stdbuf -oL "$(student mqreceiver)" "$QUEUE"
	local again=$status out=$output
	run_as "$FIFO_USER" "$FIFOS" mq-open "$QUEUE" r
	[[ $again == 2 && $out != *"Receiver PID"* && $output == "ok mode=600 uid=$(id -u "$FIFO_USER")" ]] ||
		fail "$(printf 'expected: exit 2 at once, the queue kept, when a killed mqreceiver left %s\nactual:   status %s, stdout: %s; the queue: %s\nhint:     O_CREAT | O_EXCL, and on EEXIST exit 2: a killed one'\''s queue stays (its owner removes it)' \
			"$QUEUE" "$again" "$(head -c 100 <<<"$out" | cat -v)" "${output:-$stderr}")"
	# Control: on a name of its own, the same mqreceiver starts.
	fifo_queue
	mqreceive
}

# served_after_refusals: after requests the mqreceiver (PID, OUT) must
# refuse, our sender's valid request of 300 bytes of text (in M) gets its
# reply, and the mqreceiver prints it.
served_after_refusals() {
	local reply
	text 300 "$M"
	fifo_queue reply
	LAB_STDIN=$M run_as "$FIFO_USER" "$FIFOS" mq-ask "$QUEUE" "$reply" 300
	[[ $status == 0 ]] ||
		fail "$(printf 'expected: after the refused requests, a valid one served: a reply\nactual:   our sender: status %s, %s %s\nthe mqreceiver: %s\nhint:     a refused request is one line on stderr, and the receiver serves on' \
			"$status" "$output" "$stderr" "$(exited "$PID" && echo ended || echo running)")${LAB_SERVED_HINT:+$'\n'hint:     $LAB_SERVED_HINT}"
	got_all "the valid request is printed" "$M"
}

@test "the mqreceiver refuses a request whose reply queue is not the sender's own: nothing printed, nothing sent there, and it serves on after 300 of them" {
	mqreceive
	local theirs open missing q
	fifo_queue theirs
	fifo_queue open
	fifo_queue missing
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$theirs" 622
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	run_as "$FIFO_USER" "$FIFOS" mq-make "$open" 622
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	# Three requests that name a reply queue that is not the sender's:
	# nermal's (garfield may write to it), garfield's but open to all, and
	# one that does not exist. Then a valid one.
	local n=0
	for q in "$theirs" "$open" "$missing"; do
		text 40 "$M.refused.$((++n))"
		LAB_STDIN=$M.refused.$n run_as "$FIFO_USER" "$FIFOS" mq-request "$QUEUE" "$q"
		[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	done
	# Then 300 more naming nermal's queue: more than the descriptors the
	# mqreceiver may have open (256), so that one kept open per refused
	# request (mq_open() succeeds: the mode lets garfield write) runs out.
	mq_send_n "$FIFO_USER" "$QUEUE" 300 "$theirs"$'\n'x
	[[ $status == 0 ]] || fail "our sender could not send 300 requests: $output $stderr"
	# The valid request, longer than those: a %s on the request's buffer
	# then prints none of theirs either (exactness is another test's).
	LAB_SERVED_HINT="mq_close() the reply queue on the refusal's path too: a descriptor kept per refused request runs out (the mqreceiver may have 256)" \
		served_after_refusals
	! after_line "$OUT" | grep -aqF -e "$(<"$M.refused.1")" -e "$(<"$M.refused.2")" -e "$(<"$M.refused.3")" ||
		fail "$(printf 'expected: nothing printed for the refused requests\nactual:   %s\nhint:     check the reply queue (fstat(): yours, 0600) before you print' "$(after_line "$OUT" | head -c 300 | cat -v)")"
	run_as "$FIFO_OTHER" "$FIFOS" mq-drain "$theirs"
	[[ $output == "messages=0" ]] ||
		fail "$(printf 'expected: nothing sent into %s'\''s queue (mode 0622), named as the reply queue\nactual:   %s\nhint:     open the reply queue O_WRONLY | O_NONBLOCK, and fstat() it: st_uid is geteuid(), mode 0600, or refuse' "$FIFO_OTHER" "$(tr '\n' ' ' <<<"$output")")"
	run_as "$FIFO_USER" "$FIFOS" mq-drain "$open"
	[[ $output == "messages=0" ]] ||
		fail "$(printf 'expected: nothing sent into a queue of garfield'\''s that others may write to (mode 0622)\nactual:   %s\nhint:     the mode must be 0600 exactly: a reply queue anyone may write to is no one'\''s' "$(tr '\n' ' ' <<<"$output")")"
	run_as "$FIFO_USER" "$FIFOS" mq-gone "$missing"
	[[ $status == 0 ]] ||
		fail "$(printf 'expected: no queue made for a reply queue that did not exist\nactual:   %s\nhint:     never O_CREAT on a name that a request gives you' "$output")"
}

@test "the mqreceiver checks its queue's mode: under umask 0277 it exits 2 and removes the queue" {
	require_fifo mqreceiver
	OUT=$BATS_TEST_TMPDIR/mqreceiver.umask
	start_as "$OUT" "$FIFO_USER" sh -c 'umask 0277 && exec "$@"' sh stdbuf -oL "$(student mqreceiver)" "$QUEUE"
	PID=$BG
	wait_until ready_or_gone "$OUT" "$PID" "Receiver PID: " || true
	exited "$PID" ||
		fail "$(printf 'expected: exit 2: under umask 0277 the queue is made with mode 0400, not 0600\nactual:   it started: %s\nhint:     fstat() on the queue descriptor after mq_open(): (st_mode & 0777) must be 0600; the umask can take bits away' \
			"$(head -n 1 "$OUT")")"
	ended "$PID"
	run_as "$FIFO_USER" "$FIFOS" mq-gone "$QUEUE"
	[[ $ENDED == "status 2" && $output == "$QUEUE: gone" ]] ||
		fail "expected: exit 2, and the queue it made removed; actual: $ENDED, queue $QUEUE: $output ($(head -c 200 "$OUT.err"))"
	# Control: under the usual umask, the same mqreceiver starts.
	fifo_queue
	mqreceive
}

@test "the mqreceiver refuses a request with no newline, a reply queue name holding a NUL, a message over 4092 bytes, or its own queue to reply to: nothing printed, it serves on" {
	mqreceive
	local reply
	fifo_queue reply
	run_as "$FIFO_USER" "$FIFOS" mq-make "$reply" 600
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	# No newline at all; a valid reply queue of garfield's (0600) with a
	# message one byte over FRAME_MAX; the mqreceiver's own queue, also
	# garfield's and 0600, named as the reply queue.
	text 40 "$M.refused.1"
	LAB_STDIN=$M.refused.1 run_as "$FIFO_USER" "$FIFOS" mq-raw "$QUEUE"
	[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	text 4093 "$M.refused.2"
	LAB_STDIN=$M.refused.2 run_as "$FIFO_USER" "$FIFOS" mq-request "$QUEUE" "$reply"
	[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	text 40 "$M.refused.3"
	LAB_STDIN=$M.refused.3 run_as "$FIFO_USER" "$FIFOS" mq-request "$QUEUE" "$QUEUE"
	[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	# A reply queue name with a NUL in it: cut short there, it would name
	# garfield's own 0600 queue.
	text 40 "$M.refused.4"
	{ printf '%s\0x\n' "$reply"; cat "$M.refused.4"; } >"$M.raw.4"
	LAB_STDIN=$M.raw.4 run_as "$FIFO_USER" "$FIFOS" mq-raw "$QUEUE"
	[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	# Then a valid one, which must be served.
	served_after_refusals
	! after_line "$OUT" | grep -aqF -e "$(head -c 40 "$M.refused.1")" -e "$(head -c 40 "$M.refused.2")" -e "$(<"$M.refused.3")" -e "$(<"$M.refused.4")" ||
		fail "$(printf 'expected: nothing printed for a request with no newline, one with a message of 4093 bytes, one naming the request queue itself as the reply queue, and one whose reply queue name holds a NUL\nactual:   %s\nhint:     refuse before printing: the newline, then the name (at most NAME_MAX bytes, no NUL: memchr()), then the length (at most FRAME_MAX), then the reply queue (not QUEUE, yours, 0600)' \
			"$(after_line "$OUT" | head -c 300 | cat -v)")"
	run_as "$FIFO_USER" "$FIFOS" mq-drain "$reply"
	[[ $output == "messages=0" ]] ||
		fail "$(printf 'expected: no reply to a request whose message is 4093 bytes, nor to one that names %s, a NUL, then x\nactual:   in %s: %s\nhint:     a name with a NUL in it is not the name you open: mq_open() stops at the NUL' "$reply" "$reply" "$(tr '\n' ' ' <<<"$output" | cat -v)")"
}

# fifo/HANDOUT.md: the mqreceiver replies without waiting (O_NONBLOCK): a
# full reply queue loses its reply, and never stops the receiver.
@test "the mqreceiver replies without waiting: a full reply queue loses its reply, and it serves on" {
	mqreceive
	local full
	fifo_queue full
	run_as "$FIFO_USER" "$FIFOS" mq-make "$full" 600 "full"
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	mq_send_n "$FIFO_USER" "$full" 9 full
	[[ $status == 0 ]] || fail "our set-up failed: $output $stderr"
	# A valid request naming garfield's own 0600 queue, full (10 messages).
	text 40 "$M.full"
	LAB_STDIN=$M.full run_as "$FIFO_USER" "$FIFOS" mq-request "$QUEUE" "$full"
	[[ $status == 0 ]] || fail "our sender could not send a request: $stderr"
	LAB_SERVED_HINT="open the reply queue with O_WRONLY | O_NONBLOCK: mq_send() into a full one then fails (EAGAIN), the reply is lost, and the receiver serves on; without it, mq_send() waits for room, for ever" \
		served_after_refusals
}

@test "SIGINT and SIGTERM stop the mqreceiver with exit 0, and leave no queue" {
	local sig
	for sig in INT TERM; do
		fifo_queue
		mqreceive
		kill -s "$sig" "$PID"
		ended_with 0 "on SIG$sig"
		run_as "$FIFO_USER" "$FIFOS" mq-gone "$QUEUE"
		[[ $status == 0 ]] ||
			fail "$(printf 'expected: no queue %s left after SIG%s\nactual:   %s\nhint:     mq_unlink() on every exit path: a queue outlives its process' "$QUEUE" "$sig" "$output")"
	done
}

# serve HOW: our receiver on QUEUE (helpers/fifos.c: ok, wrong or silent),
# as garfield, ready. Sets SERVER, SERVEOUT.
serve() {
	SERVEOUT=$BATS_TEST_TMPDIR/serve.$((++RUNS))
	start_ready "$SERVEOUT" "Fixture PID: " "$FIFO_USER" "$FIFOS" mq-serve "$QUEUE" "$1"
	SERVER=$BG
}

# served: stop our receiver; it takes the requests already sent first.
served() {
	stopped "$SERVER"
	[[ $ENDED == "status 0" ]] || fail "our receiver failed: $ENDED: $(head -c 200 "$SERVEOUT.err")"
}

# requests: how many requests our receiver got.
requests() {
	grep -c '^request ' "$SERVEOUT.err"
}

# mqsend FILE [SECONDS]: the student's mqsender on QUEUE as garfield, stdin
# from FILE, for at most SECONDS (default LAB_BOUND). Sets SENT ("status N"
# or "still running"), SENDER (its PID) and SENDEROUT.
mqsend() {
	require_fifo mqsender
	SENDEROUT=$BATS_TEST_TMPDIR/mqsender.$((++RUNS))
	LAB_STDIN=$1 start_as "$SENDEROUT" "$FIFO_USER" "$(student mqsender)" "$QUEUE"
	SENDER=$BG
	# The handout's name for its reply queue, for teardown.
	FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
	LAB_BOUND=${2:-$LAB_BOUND} ended "$SENDER"
	SENT=$ENDED
}

@test "the mqsender sends each line to our receiver byte for byte, naming its reply queue QUEUE.reply.PID (10 replies of 64 bytes)" {
	require_fifo mqsender
	line_bytes 100 "$M.1"
	: >"$M.2"
	line_bytes 4092 "$M.3"
	printf '\0' >"$M.4"
	line_bytes 50 "$M.5"
	{ cat "$M.1"; echo; cat "$M.2"; echo; cat "$M.3"; echo; cat "$M.4"; echo; cat "$M.5"; } >"$M.in"
	printed_as "$M".{1..5} >"$M.expected"
	serve ok
	mqsend "$M.in" 12
	served
	if [[ $SENT != "status 0" ]] || ! after_line "$SERVEOUT" | cmp -s - "$M.expected"; then
		fail "$(printf 'expected: exit 0, and our receiver to get the 5 lines (100, 0, 4092, 1 and 50 bytes), each exactly\nactual:   %s; our receiver got %s bytes: %s...\nstderr:   %s\nour receiver: %s\nhint:     a request is the reply queue'\''s name, '\''\\n'\'', then the line without its newline; the reply queue yours, 0600' \
			"$SENT" "$(printed "$SERVEOUT")" "$(after_line "$SERVEOUT" | shown -)" "$(head -c 200 "$SENDEROUT.err")" "$(head -c 300 "$SERVEOUT.err" | tr '\n' ' ')")"
	fi
	# The reply queue the requests named, as our receiver saw it: its name,
	# and what it holds.
	local names attrs
	names=$(sed -n 's/^request reply=\(.*\) len=[0-9]*$/\1/p' "$SERVEOUT.err" | sort -u)
	[[ $names == "$QUEUE.reply.$SENDER" ]] ||
		fail "$(printf 'expected: every request to name the reply queue %s (QUEUE.reply.PID, the mqsender'\''s own PID)\nactual:   %s\nhint:     snprintf(reply_name, sizeof(reply_name), "%%s.reply.%%d", argv[1], (int)getpid())' \
			"$QUEUE.reply.$SENDER" "$(tr '\n' ' ' <<<"$names" | cat -v)")"
	attrs=$(sed -n 's/^reply queue [^ ]*: //p' "$SERVEOUT.err" | sort -u)
	[[ $attrs == "maxmsg=10 msgsize=64" ]] ||
		fail "$(printf 'expected: the reply queue made with mq_maxmsg 10 (QUEUE_MSGS) and mq_msgsize 64 (REPLY_MAX)\nactual:   %s\nhint:     struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REPLY_MAX }, given to mq_open()' \
			"$(tr '\n' ' ' <<<"$attrs")")"
}

# fifo/HANDOUT.md: a line longer than FRAME_MAX is not sent, and the mqsender
# exits 3. The queue's messages are longer than a frame (the reply name
# rides in them), so mq_send() would take it: the check is the mqsender's.
@test "the mqsender prints nothing on stdout" {
	require_fifo mqsender
	printf 'for garfield only\nand a second line\n' >"$M.in"
	serve ok
	mqsend "$M.in" 12
	served
	[[ $SENT == "status 0" && $(requests) == 2 ]] ||
		fail "control: the mqsender must send its two lines to our receiver and exit 0; $SENT, $(requests) request(s): $(head -c 200 "$SENDEROUT.err")"
	[[ ! -s $SENDEROUT ]] ||
		fail "$(printf 'expected: nothing on stdout from the mqsender\nactual:   %s\nhint:     the mqsender prints nothing, not even the replies: what it has to say goes to stderr' "$(head -c 200 "$SENDEROUT" | cat -v)")"
}

@test "the mqsender refuses a line longer than 4092 bytes: exit 3, the lines before it sent, nothing of it" {
	require_fifo mqsender
	text 20 "$M.1"
	text 4093 "$M.2"
	text 20 "$M.3"
	{ cat "$M.1"; echo; cat "$M.2"; echo; cat "$M.3"; echo; } >"$M.in"
	printed_as "$M.1" >"$M.expected"
	serve ok
	mqsend "$M.in"
	served
	[[ $SENT == "status 3" ]] ||
		fail "$(printf 'expected: exit 3 at a line of 4093 bytes (at most 4092)\nactual:   %s: %s' "$SENT" "$(head -c 300 "$SENDEROUT.err")")"
	after_line "$SERVEOUT" | cmp -s - "$M.expected" ||
		fail "$(printf 'expected: our receiver to get the line before the long one, and nothing else\nactual:   %s requests, %s bytes printed: %s...\nhint:     check the length before you send: a line too long is refused whole, and the mqsender stops there' \
			"$(requests)" "$(printed "$SERVEOUT")" "$(after_line "$SERVEOUT" | shown -)")"
}

@test "the mqsender waits 5 s for each reply, and exits 2 on a wrong one, none, or a full queue" {
	local how why
	printf 'one\ntwo\nthree\n' >"$M.in"
	# Our receiver's QUEUE full (10 requests it does not take): the request
	# cannot go; mq_timedsend() gives up at its deadline. Our fifohook.so
	# sets its clock 4 s back: a deadline of now + 5 s comes 1 s from now
	# (one of time(), which it leaves alone, in 5 s: within the bound too).
	fifo_queue
	run_as "$FIFO_USER" "$FIFOS" mq-make "$QUEUE" 600 full
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	mq_send_n "$FIFO_USER" "$QUEUE" 9 full
	[[ $status == 0 ]] || fail "our set-up failed: $output $stderr"
	hooked mqsender FIFOHOOK_SKEW=-4
	SENDEROUT=$BATS_TEST_TMPDIR/mqsender.$((++RUNS))
	LAB_STDIN=$M.in start_as "$SENDEROUT" "$FIFO_USER" "${HOOKED[@]}" "$QUEUE"
	SENDER=$BG
	FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
	LAB_BOUND=12 ended "$SENDER"
	[[ $ENDED == "status 2" ]] ||
		fail "$(printf 'expected: exit 2 within 5 s when QUEUE is full (10 requests no one takes)\nactual:   %s\nhint:     mq_timedsend() with the request'\''s deadline: mq_send() into a full queue waits for room, for ever' "$ENDED")"
	# The reply must be exactly the bytes "OK 3": not another number, not
	# the number 3 written otherwise, nothing after it.
	for how in wrong padded trailing silent; do
		case $how in
		wrong) why='whose reply is "OK 4" (not "OK 3")' ;;
		padded) why='whose reply is "OK 03": the number 3, but not the bytes "OK 3"' ;;
		trailing) why='whose reply is "OK 3" and a NUL byte: 5 bytes, not the 4 of "OK 3"' ;;
		silent) why='to which no reply comes' ;;
		esac
		fifo_queue
		serve "$how"
		# None: the sender waits 5 s for it, then gives up.
		local start=${EPOCHREALTIME/./}
		mqsend "$M.in" 12
		local took=$(((${EPOCHREALTIME/./} - start) / 1000))
		served
		# The wait for no reply: 5 s, no less (4 s at least: a deadline of
		# time(NULL) + 5 loses the fraction of a second), and no more (8 s
		# at most, for a busy machine).
		[[ $how != silent || $SENT != "status 2" ]] || ((took >= 4000 && took <= 8000)) ||
			fail "$(printf 'expected: exit 2 once 5 s passed without a reply, no sooner, not much later\nactual:   exit 2 after %s ms\nhint:     one deadline, now + 5 s on CLOCK_REALTIME, for the request and its reply: mq_timedsend(), then mq_timedreceive() with it' "$took")"
		[[ $SENT == "status 2" && $(requests) == 1 ]] ||
			fail "$(printf 'expected: exit 2 after the first request, %s\nactual:   %s after %s request(s): %s\nhint:     after each request, mq_timedreceive() on your reply queue, 5 s at most, and compare the reply with "OK N" exactly: its length (what mq_timedreceive() returns) and its bytes (memcmp()), not a number read from it, not a prefix' \
				"$why" "$SENT" "$(requests)" "$(head -c 200 "$SENDEROUT.err")")"
	done
}

@test "the mqsender sleeps while it waits for its reply, using no CPU" {
	require_fifo mqsender
	printf 'one\n' >"$M.in"
	serve silent
	SENDEROUT=$BATS_TEST_TMPDIR/mqsender.$((++RUNS))
	LAB_STDIN=$M.in start_as "$SENDEROUT" "$FIFO_USER" "$(student mqsender)" "$QUEUE"
	SENDER=$BG
	FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
	# Our receiver never replies: once it has the request, the mqsender waits.
	asked() { (($(requests) >= 1)) || exited "$SENDER"; }
	wait_until asked || true
	if exited "$SENDER"; then
		ended "$SENDER"
		fail "expected: the mqsender to wait (up to 5 s) for the reply to its request; actual: it exited ($ENDED): $(head -c 200 "$SENDEROUT.err")"
	fi
	(($(requests) >= 1)) || fail "expected: the mqsender to send its request; actual: none arrived within $LAB_BOUND s"
	require_sleeping "the mqsender" "$SENDER" "mq_timedreceive() on a blocking reply queue sleeps until the reply or the time limit; a loop of mq_receive() on an O_NONBLOCK queue, or one with usleep(), polls" "$SERVER"
}

@test "the mqsender refuses a queue, or a reply queue name, that another user made, and makes none: exit 2, nothing sent" {
	require_fifo mqsender
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$QUEUE" 666
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	printf 'for garfield only\n' >"$M.in"
	mqsend "$M.in" 12
	[[ $SENT == "status 2" ]] ||
		fail "$(printf 'expected: exit 2 at once: %s is %s'\''s queue, mode 0666\nactual:   %s\nhint:     mq_open(QUEUE, O_WRONLY), then fstat(): st_uid is geteuid(), mode 0600, or refuse' "$QUEUE" "$FIFO_OTHER" "$SENT")"
	run_as "$FIFO_OTHER" "$FIFOS" mq-drain "$QUEUE"
	[[ $output == "messages=0" ]] ||
		fail "expected: nothing sent into $FIFO_OTHER's queue; actual: $(tr '\n' ' ' <<<"$output" | cat -v)"
	# No queue at all: none made.
	fifo_queue
	mqsend "$M.in" 12
	run_as "$FIFO_USER" "$FIFOS" mq-gone "$QUEUE"
	[[ $SENT == "status 2" && $status == 0 ]] ||
		fail "$(printf 'expected: exit 2 at once, and no queue made, when there is no queue %s\nactual:   %s, %s\nhint:     never O_CREAT on the receiver'\''s queue' "$QUEUE" "$SENT" "$output")"
	# A reply queue name nermal took first: our fifohook.so stops the
	# mqsender before main() (SIGSTOP); nermal makes QUEUE.reply.PID, its
	# PID's; then it goes on. O_EXCL fails: exit 2, nothing sent, hers kept.
	fifo_queue
	serve ok
	hooked mqsender FIFOHOOK_AT=start FIFOHOOK_DO=stop
	SENDEROUT=$BATS_TEST_TMPDIR/mqsender.$((++RUNS))
	LAB_STDIN=$M.in start_as "$SENDEROUT" "$FIFO_USER" "${HOOKED[@]}" "$QUEUE"
	SENDER=$BG
	FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
	wait_until stopped_or_gone "$SENDER" || true
	! exited "$SENDER" || { ended "$SENDER"; fail "our set-up failed: the mqsender, to be stopped at its start, ended ($ENDED)"; }
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$QUEUE.reply.$SENDER" 666 canary!
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	kill -s CONT "$SENDER"
	ended "$SENDER"
	SENT=$ENDED
	served
	[[ $SENT == "status 2" && $(requests) == 0 ]] ||
		fail "$(printf 'expected: exit 2, nothing sent, when %s made the reply queue name %s first (mode 0666)\nactual:   %s, %s request(s) sent\nhint:     mq_open(reply_name, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr): without O_EXCL you read from, and may remove, her queue' \
			"$FIFO_OTHER" "$QUEUE.reply.$SENDER" "$SENT" "$(requests)")"
	run_as "$FIFO_OTHER" "$FIFOS" mq-drain "$QUEUE.reply.$SENDER"
	[[ $output == $'canary!\nmessages=1' ]] ||
		fail "expected: $FIFO_OTHER's queue $QUEUE.reply.$SENDER untouched, its one message in it; actual: $(tr '\n' ' ' <<<"$output") $stderr"
	# Control: to our receiver, the same sender sends (what it sends is the
	# test of each line's).
	fifo_queue
	serve ok
	mqsend "$M.in" 12
	served
	[[ $(requests) == 1 ]] ||
		fail "control: to garfield's own queue the mqsender must send its request: $SENT, our receiver got $(requests) request(s): $(head -c 200 "$SENDEROUT.err")"
}

@test "the mqsender refuses its own queue unless its mode is 0600: exit 2, nothing sent" {
	require_fifo mqsender
	run_as "$FIFO_USER" "$FIFOS" mq-make "$QUEUE" 622
	[[ $status == 0 ]] || fail "our set-up failed: $stderr"
	printf 'for garfield only\n' >"$M.in"
	mqsend "$M.in" 12
	run_as "$FIFO_USER" "$FIFOS" mq-drain "$QUEUE"
	[[ $SENT == "status 2" && $output == "messages=0" ]] ||
		fail "$(printf 'expected: exit 2 at once, nothing sent: %s is garfield'"'"'s own queue, but mode 0622: others may write to it\nactual:   %s; in the queue: %s\nhint:     fstat() on the queue descriptor: st_uid is geteuid() and (st_mode & 0777) is 0600, both' \
			"$QUEUE" "$SENT" "$(tr '\n' ' ' <<<"$output" | cat -v)")"
	# Control: to our receiver's 0600 queue, the same sender sends.
	fifo_queue
	serve ok
	mqsend "$M.in" 12
	served
	[[ $(requests) == 1 ]] ||
		fail "control: to garfield's own 0600 queue the mqsender must send its request: $SENT, our receiver got $(requests) request(s): $(head -c 200 "$SENDEROUT.err")"
}

@test "the mqreceiver and the mqsender refuse a QUEUE that is not a / and 1 to 200 other characters: exit 2; with 200 they serve, reply queue names of 255 bytes included" {
	require_fifo mqreceiver
	require_fifo mqsender
	local bad long pad
	# The names our queues may have: 200 characters, and one more.
	printf -v pad '%*s' 200 ''
	long=/ipc-lab-$SRANDOM-${pad// /q}
	FIFO_QUEUES+=("${long:0:201}" "${long:0:202}")
	for bad in "ipc-lab-$SRANDOM" / "/ipc-lab/$SRANDOM" "${long:0:202}"; do
		OUT=$BATS_TEST_TMPDIR/mqreceiver.bad
		start_as "$OUT" "$FIFO_USER" stdbuf -oL "$(student mqreceiver)" "$bad"
		wait_until ready_or_gone "$OUT" "$BG" "Receiver PID: " || true
		exited "$BG" ||
			fail "$(printf 'expected: the mqreceiver to exit 2 for QUEUE "%s" (%s characters)\nactual:   it started on it\nhint:     a / then 1 to 200 characters, none of them /: check the name before mq_open() (which takes up to 255)' \
				"$bad" "${#bad}")"
		ended "$BG"
		[[ $ENDED == "status 2" ]] ||
			fail "expected: the mqreceiver to exit 2 for QUEUE \"$bad\"; actual: $ENDED"
	done
	# The mqsender, given a name one character too long where our receiver serves.
	printf 'for garfield only\n' >"$M.in"
	QUEUE=${long:0:202}
	serve ok
	mqsend "$M.in" 12
	served
	[[ $SENT == "status 2" && $(requests) == 0 ]] ||
		fail "$(printf 'expected: the mqsender to exit 2 for a QUEUE of 201 characters, and send nothing\nactual:   %s, our receiver there got %s request(s)\nhint:     a / then 1 to 200 characters, none of them /: check the name before mq_open() (which takes up to 255)' \
			"$SENT" "$(requests)")"
	# Control: 200 characters are within the limit, for both.
	QUEUE=${long:0:201}
	serve ok
	mqsend "$M.in" 12
	served
	[[ $SENT == "status 0" && $(requests) == 1 ]] ||
		fail "control: to our receiver on a QUEUE of 200 characters the mqsender must send: $SENT, $(requests) request(s): $(head -c 200 "$SENDEROUT.err")"
	mqreceive
	# On it, a request whose reply queue is QUEUE.reply.PID, as a sender
	# names it: longer than QUEUE (up to 255 bytes), and served.
	local reply=$QUEUE.reply.$((4194304 + SRANDOM % 1000))
	FIFO_QUEUES+=("$reply")
	text 30 "$M"
	LAB_STDIN=$M run_as "$FIFO_USER" "$FIFOS" mq-ask "$QUEUE" "$reply" 30
	[[ $status == 0 && $output == "OK 30" ]] ||
		fail "$(printf 'expected: a reply "OK 30" into the reply queue %s (%s bytes long; QUEUE.reply.PID of a QUEUE of 200 characters)\nactual:   our sender: status %s, %s %s\nthe mqreceiver: %s\nhint:     a reply queue name is a queue name of up to NAME_MAX (255) bytes, not QUEUE'\''s 200 characters: char name[NAME_MAX + 1]' \
			"${reply:0:24}...${reply: -16}" "${#reply}" "$status" "$output" "$(head -c 100 <<<"$stderr")" "$(tail -c 200 "$OUT.err")")"
	got_all "the request naming a reply queue of ${#reply} bytes is printed" "$M"
}

@test "SIGINT and SIGTERM stop the mqsender with exit 1, even right after its reply queue is made, and no exit path leaves its reply queue" {
	require_fifo mqsender
	local sig names hold
	# replies: the reply queues named in the requests our receiver got, or
	# else the handout's name for it.
	replies() {
		names=$(sed -n 's/^request reply=\(\/[^/ ]*\) len=.*/\1/p' "$SERVEOUT.err" 2>/dev/null | sort -u)
		[[ -n $names ]] || names=$QUEUE.reply.$SENDER
	}
	left() {
		replies
		# shellcheck disable=SC2086 # the names are words
		run_as "$FIFO_USER" "$FIFOS" mq-gone $names
		[[ $status == 0 ]] ||
			fail "$(printf 'expected: no reply queue left after %s\nactual:   %s\nhint:     mq_unlink() your reply queue on every exit path; on SIGINT and SIGTERM too, from the handler (mq_unlink() and _exit() are safe there)' "$1" "$(tr '\n' ' ' <<<"$output")")"
	}
	printf 'one\n' >"$M.in"
	# The end, a wrong reply and a refused queue are exit paths when the
	# sender takes them (their own tests judge whether it does).
	serve ok
	mqsend "$M.in" 12
	served
	[[ $SENT != "status 0" ]] || left "every line was acknowledged (exit 0)"
	fifo_queue
	serve wrong
	mqsend "$M.in" 12
	served
	[[ $SENT != "status 2" ]] || left "a wrong reply (exit 2)"
	fifo_queue
	run_as "$FIFO_OTHER" "$FIFOS" mq-make "$QUEUE" 666
	SERVEOUT=$BATS_TEST_TMPDIR/no-receiver
	mqsend "$M.in" 12
	[[ $SENT != "status 2" ]] || left "refusing $FIFO_OTHER's queue (exit 2)"
	# A signal once it sent a request, while it waits: for the reply that
	# does not come, or (if it waits for no reply) for its next line, since
	# its stdin stays open.
	mkfifo "$M.stdin"
	exec {hold}<>"$M.stdin"
	printf 'one\n' >&"$hold"
	for sig in INT TERM; do
		fifo_queue
		serve silent
		LAB_STDIN=$M.stdin start_as "$BATS_TEST_TMPDIR/mqsender.$((++RUNS))" "$FIFO_USER" "$(student mqsender)" "$QUEUE"
		SENDER=$BG
		FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
		wait_until grep -q '^request ' "$SERVEOUT.err" ||
			fail "the mqsender sent no request to our receiver within $LAB_BOUND s, to be stopped while it waits"
		kill -s "$sig" "$SENDER"
		ended "$SENDER"
		[[ $ENDED == "status 1" ]] ||
			fail "$(printf 'expected: the mqsender to exit 1 on SIG%s, while it waits\nactual:   %s\nhint:     a handler for SIGINT and SIGTERM (a shell starts a background job with SIGINT ignored: sigaction() undoes it)' "$sig" "$ENDED")"
		left "SIG$sig"
		served
		printf 'one\n' >&"$hold"
	done
	# SIGTERM the instant its reply queue is made (our fifohook.so sends it
	# right after mq_open() with O_CREAT returns): blocked until stop() is
	# installed (or until it waits, in ppoll() or sigtimedwait()), it then
	# stops the mqsender, exit 1, its queue removed.
	fifo_queue
	serve silent
	hooked mqsender FIFOHOOK_AT=mq_open FIFOHOOK_DO=term
	SENDEROUT=$BATS_TEST_TMPDIR/mqsender.$((++RUNS))
	LAB_STDIN=$M.stdin start_as "$SENDEROUT" "$FIFO_USER" "${HOOKED[@]}" "$QUEUE"
	SENDER=$BG
	FIFO_QUEUES+=("$QUEUE.reply.$SENDER")
	ended "$SENDER"
	SENT=$ENDED
	served
	[[ $SENT == "status 1" ]] ||
		fail "$(printf 'expected: exit 1 on a SIGTERM that came right after its reply queue was made\nactual:   %s%s\nhint:     block SIGINT and SIGTERM before mq_open() makes the reply queue, and unblock them once stop() is installed: the signal waits until then' \
			"$SENT" "$([[ $SENT == "status 143" ]] && echo ' (killed by SIGTERM, its reply queue left)')")"
	left "a SIGTERM right after its reply queue was made"
	exec {hold}>&-
}
