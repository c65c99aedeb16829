#!/usr/bin/env bats
# keeper.bats - the keeper part: descriptor passing over UNIX sockets
# (keeper/HANDOUT.md is the contract).
#
# The keeper runs as the litterbox's owner; garfield, who cannot open the
# litterbox himself, gets a file only as a descriptor the keeper passes him.
# The keeper's own tests speak to it through our probing client (rogue ask),
# which reports the reply line and every descriptor exactly, so a paw's
# defect costs none of them; the paw's tests face our hostile keeper (rogue
# serve), so a keeper's defect costs none of those. Each security claim is
# shown both ways: the attacker (never root) is refused with the exact errno,
# and in the same set-up the legitimate request works. Nothing waits on a
# sleep: the keeper says when it is ready, and every wait has a bound.

# shellcheck disable=SC2154 # stderr and CLIENT_OUT are set by run_as (helpers/lab.bash)
load helpers/lab
load helpers/listener
load helpers/build
load helpers/keeper

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
NEEDS_ROOT="needs root to create garfield and nermal and hand out files: run 'sudo make test' (see README)"

setup_file() {
	((EUID == 0)) || return 0
	lab_accounts
	keeper_build
	KEEPER_STRANGER=$(keeper_stranger)
	export KEEPER_STRANGER
}

teardown_file() {
	((EUID == 0)) || return 0
	keeper_clean
	lab_accounts_done
}

setup() {
	lab_trace_body
	((EUID == 0)) || skip "$NEEDS_ROOT"
	keeper_workspace
}

teardown() {
	keeper_stop
	keeper_stop_background
	lab_kill_leftovers
	keeper_rm_workspace
}

@test "keeper.c and paw.c compile" {
	require_keeper keeper
	require_keeper paw
}

# keeper/HANDOUT.md, step 1: the build outputs, and what test_keeper.sh
# makes, in .gitignore. A submission that tests with tests/keeper.bats
# instead of test_keeper.sh makes no keeper.log and no run/.
@test ".gitignore ignores keeper/keeper, keeper/paw, keeper.log and run/" {
	local paths=(keeper/keeper keeper/paw)
	[[ -f $LAB_DIR/test_keeper.sh ]] && paths+=(keeper.log run/keeper.sock)
	expect_ignored "${paths[*]}" "add the lines of step 1: keeper/keeper, keeper/paw, keeper.log, run/" "${paths[@]}"
}

# keeper_refused WHY: the keeper, run by run_as, refused to start: exit 2,
# a message on stderr, no ready line (one that starts runs until its bound).
keeper_refused() {
	[[ $status == 2 && -n $stderr && $output != *"Keeper ready"* ]] ||
		fail "$(printf 'expected: the keeper to refuse to start (%s): a message on stderr and exit 2\nactual:   status %s%s\nstdout:   %s\nstderr:   %s' \
			"$1" "$status" "$( ((status == 124 || status == 137)) && echo ": it started, and was still running after $((LAB_BOUND + 2)) s")" \
			"$(head -c 200 <<<"$output")" "$(head -c 200 <<<"$stderr")")"
}

@test "the keeper refuses a user name that does not exist: exit 2, a message on stderr" {
	require_keeper keeper
	run_as "$LAB_OWNER" "$KEEPER_BUILD/student/keeper" "$KSOCK" "$KWS/litterbox" garfield no-such-user
	keeper_refused "no-such-user is no user: getpwnam() finds nothing, and it is not a number"
}

@test "the keeper refuses to start without a USER: exit non-zero, no ready line, no socket" {
	require_keeper keeper
	local out=$BATS_TEST_TMPDIR/keeper.nouser pid status=0
	(cd "$KWS" && lab_exec "$LAB_OWNER" "$KEEPER_BUILD/student/keeper" "$KSOCK" "$KWS/litterbox") \
		>"$out" 2>"$out.err" </dev/null &
	pid=$!
	LAB_PIDS+=("$pid")
	wait_until ready_or_exited "$out" "$pid" || true
	exited "$pid" ||
		fail "$(printf 'expected: the keeper, started with no USER, to refuse to start\nactual:   it started: %s\nhint:     check argc >= 4 first: keeper SOCKET LITTERBOX USER...' "$(head -c 200 "$out")")"
	wait "$pid" || status=$?
	[[ $status != 0 && ! -e $KSOCK ]] ||
		fail "expected: a non-zero exit and no socket, when no USER is given; actual: status $status, $([[ -e $KSOCK ]] && echo "a socket at $KSOCK" || echo "no socket")"
	# Control: with a USER, the same keeper starts.
	keeper_start
}

@test "the keeper refuses a SOCKET that exists, and leaves it in place: exit 2" {
	require_keeper keeper
	# A file the keeper's owner could remove (in its own run/), as a
	# keeper that unlinks SOCKET before bind() would.
	printf 'not ours\n' >"$KSOCK"
	chown "$LAB_OWNER" "$KSOCK"
	run_as "$LAB_OWNER" "$KEEPER_BUILD/student/keeper" "$KSOCK" "$KWS/litterbox" garfield
	[[ -f $KSOCK && ! -S $KSOCK && $(<"$KSOCK") == "not ours" ]] ||
		fail "expected: the file at SOCKET left as it was; actual: it was removed or replaced (the keeper must never remove a file it did not make)"
	keeper_refused "SOCKET exists"
}

@test "garfield gets the treasure through the keeper, though he cannot open it himself" {
	keeper_start
	run_as garfield cat litterbox/treasure.txt
	[[ $status != 0 && $stderr == *"Permission denied"* ]] ||
		fail "the set-up is wrong: garfield could open the treasure himself (status $status: $stderr)"
	run_paw garfield treasure.txt
	if [[ $status != 0 ]] || ! cmp -s "$CLIENT_OUT" "$KWS/litterbox/treasure.txt"; then
		fail "$(printf 'expected: paw to print the treasure, byte for byte, and exit 0\nactual:   status %s, output: %s\nkeeper:   %s\nhint:     the keeper sends "OK\\n" with one SCM_RIGHTS descriptor; paw reads the file through it' \
			"$status" "$(head -c 1024 <<<"$output")" "$(head -c 300 "$KERR")")"
	fi
}

@test "paw copies a file of 1 MiB, NUL bytes and all, byte for byte" {
	# Random bytes, a NUL among the first, and no final newline: a paw that
	# reads once, or prints with %s, or stops at a NUL, cuts it short.
	{
		printf 'x\0y'
		head -c 1048573 /dev/urandom
	} >"$KWS/litterbox/treasure.txt"
	# Our keeper hands it over: only paw is judged here.
	hostile_keeper ok
	run_paw garfield treasure.txt
	if [[ $status != 0 ]] || ! cmp -s "$CLIENT_OUT" "$KWS/litterbox/treasure.txt"; then
		fail "$(printf 'expected: paw to print the 1048576 bytes of the file exactly, and exit 0\nactual:   status %s, %s bytes: %s\nhint:     read() and write() until read() returns 0; write() may write less than asked; never %%s' \
			"$status" "$(wc -c <"$CLIENT_OUT")" "$(cmp "$CLIENT_OUT" "$KWS/litterbox/treasure.txt" 2>&1 | head -1)")"
	fi
}

@test "paw closes the descriptor it received, also after printing the file" {
	# Our keeper hands the treasure over: only paw is judged here.
	hostile_keeper ok
	run_paw garfield treasure.txt
	[[ $status == 0 ]] && cmp -s "$CLIENT_OUT" "$KWS/litterbox/treasure.txt" ||
		fail "control: paw must print the treasure our keeper hands it and exit 0; status $status, output: $(head -c 200 <<<"$output")"
	grep -qx "leakcheck: done" <<<"$stderr" ||
		fail "$(printf 'expected: paw to exit through exit() or a return from main, so its descriptors can be checked\nactual:   no report from the leak check (stderr: %s)' "$(head -c 300 <<<"$stderr")")"
	! grep -q '^leakcheck: fd ' <<<"$stderr" ||
		fail "$(printf 'expected: paw to close the descriptor it received before it exits 0\nactual:   still open at exit:\n%s\nhint:     close() it once the file is copied: every path out of paw closes what it received' "$(grep '^leakcheck: fd ' <<<"$stderr")")"
}

# keeper/HANDOUT.md: the descriptor is the file, opened read-only. One opened
# for writing too would let garfield rewrite the treasure through it.
@test "the keeper hands out the file opened read-only" {
	keeper_start
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "the keeper sends OK with the file's descriptor"
	grep -qx "access: read-only" <<<"$output" ||
		fail "$(printf 'expected: the descriptor opened read-only (O_RDONLY)\nactual:   %s\nhint:     open the file with O_RDONLY: with O_RDWR, whoever gets it may write the file' \
			"$(grep '^access: ' <<<"$output")")"
}

@test "paw prints MEOW with the errno for a missing file and exits 1" {
	keeper_start
	run_paw garfield no-such-file.txt
	[[ $status == 1 && $output == "MEOW [Errno 2] No such file or directory: 'no-such-file.txt'" ]] ||
		fail "$(printf "expected: MEOW [Errno 2] No such file or directory: 'no-such-file.txt', and exit 1\nactual:   status %s, output: %s" "$status" "$(head -c 300 <<<"$output")")"
}

@test "the keeper refuses ../secret.txt: ERR 18, no descriptor" {
	keeper_start
	ask garfield $'../secret.txt\n'
	expect_reply "ERR 18" 0 "openat2() with RESOLVE_BENEATH refuses '..' out of the litterbox with EXDEV (18)"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: the same request for treasure.txt must work"
}

@test "the keeper refuses an absolute path: ERR 18, no descriptor" {
	keeper_start
	ask garfield "$KWS/secret.txt"$'\n'
	expect_reply "ERR 18" 0 "openat() ignores its directory for an absolute path; openat2() with RESOLVE_BENEATH refuses it with EXDEV (18)"
}

@test "the keeper refuses every symbolic link on the way, in or out: ERR 40" {
	keeper_start
	ask garfield $'escape\n'
	expect_reply "ERR 40" 0 "litterbox/escape -> ../secret.txt: checking the name as a string, then open(), follows it out; RESOLVE_NO_SYMLINKS refuses it with ELOOP (40)"
	# Any symbolic link on the way, not only the last one, nor only one
	# that leads out: O_NOFOLLOW refuses a link in the last place alone.
	ln -s treasure.txt "$KWS/litterbox/alias"
	ln -s . "$KWS/litterbox/here"
	ln -s .. "$KWS/litterbox/up"
	chown -h "$LAB_OWNER" "$KWS/litterbox/alias" "$KWS/litterbox/here" "$KWS/litterbox/up"
	ask garfield $'alias\n'
	expect_reply "ERR 40" 0 "litterbox/alias -> treasure.txt, a link that stays inside: any symbolic link on the way is ELOOP (40), RESOLVE_NO_SYMLINKS"
	ask garfield $'here/treasure.txt\n'
	expect_reply "ERR 40" 0 "litterbox/here -> . is a directory on the way to treasure.txt: O_NOFOLLOW checks only the last name; RESOLVE_NO_SYMLINKS refuses a link anywhere on the way with ELOOP (40)"
	ask garfield $'up/secret.txt\n'
	expect_reply "ERR 40" 0 "litterbox/up -> .. is a directory on the way, a link: ELOOP (40), RESOLVE_NO_SYMLINKS, before RESOLVE_BENEATH sees where it leads"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: treasure.txt itself, no link on the way, must be sent"
}

@test "the keeper refuses a FIFO at once: ERR 22" {
	keeper_start
	ask garfield $'pipe\n'
	expect_reply "ERR 22" 0 "open a FIFO with O_NONBLOCK (or it waits for a writer for ever), then fstat(): not a regular file is EINVAL (22)"
}

@test "the keeper refuses the litterbox itself: ERR 21, no directory descriptor" {
	keeper_start
	ask garfield $'.\n'
	expect_reply "ERR 21" 0 "a directory's descriptor hands over the whole directory; refuse it with EISDIR (21)"
}

@test "a user the keeper does not serve gets ERR 13, whatever uid it claims" {
	keeper_start
	local garfield_uid
	garfield_uid=$(id -u garfield)
	ask nermal $'treasure.txt\n'
	expect_reply "ERR 13" 0 "nermal connects (group users) but is not served: the uid comes from SO_PEERCRED"
	ask nermal "treasure.txt $garfield_uid"$'\n'
	expect_reply "ERR 13" 0 "nermal claims garfield's uid ($garfield_uid) in the request: a claim is not an identity, SO_PEERCRED is"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: garfield, who is served, gets the treasure"
}

# keeper/HANDOUT.md: the kernel says who a client is (SO_PEERCRED), and a
# PID is no identity: the process it names may have exited already.
@test "the keeper knows a client by SO_PEERCRED, even once the process that connected is gone" {
	keeper_start
	local slow=$BATS_TEST_TMPDIR/dribble.out orphan=$BATS_TEST_TMPDIR/orphan.out
	# Half a name holds the keeper, so that it takes the next connection
	# only after the process that made it has exited and been reaped.
	in_background "$slow" garfield "$KEEPER_BUILD/fixtures/rogue" dribble "$KSOCK"
	wait_until grep -qx -e 'sent half' -e 'connect: \[.*' "$slow" || true
	in_background "$orphan" garfield "$KEEPER_BUILD/fixtures/rogue" orphan "$KSOCK" $'treasure.txt\n'
	wait_until grep -q -e '^gone: ' -e '^connect: \[' "$orphan" || true
	kill -USR1 "$(sed -n 's/^pid: //p' "$slow")" 2>/dev/null || true
	wait_until grep -q '^descriptors: ' "$orphan" || true
	output=$(<"$orphan")
	expect_reply "OK" 1 "garfield's child connected and exited before garfield sent the request: the uid is the one SO_PEERCRED gives, not one looked up in /proc by a PID that names no process any more"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: garfield, asking from the process that connected, gets the treasure"
}

@test "the keeper serves every USER it is given, not only the first" {
	keeper_start nermal garfield
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "the keeper was started as 'keeper SOCKET LITTERBOX nermal garfield': every USER after LITTERBOX is served, not only argv[3]"
	ask nermal $'treasure.txt\n'
	expect_reply "OK" 1 "the keeper was started as 'keeper SOCKET LITTERBOX nermal garfield': nermal is served too"
}

@test "the keeper takes a numeric user ID for a USER" {
	local garfield_uid
	garfield_uid=$(id -u garfield)
	keeper_start "$garfield_uid"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "the keeper was started with garfield's user ID, $garfield_uid: a USER that is a number is a user ID (getpwnam() does not know it)"
	ask nermal $'treasure.txt\n'
	expect_reply "ERR 13" 0 "control: started with garfield's user ID alone, the keeper serves no one else"
}

@test "the socket is born 0660: a user outside its group cannot connect (Permission denied)" {
	KEEPER_HOOK=1 keeper_start
	# The socket never exists with looser permissions: its mode as bind()
	# returns, before any chmod() could tighten it.
	local mode
	mode=$(hook_events '^bind ' | head -1)
	mode=$(hook_field "$mode" mode)
	# (No bind() of a path seen: an abstract name, which the rest judges.)
	if [[ $mode =~ ^[0-7]{4}$ ]] && (((8#$mode & 8#0117) != 0)); then
		fail "$(printf 'expected: the socket born with no permission beyond 0660 (rw-rw----): its mode as bind() returns\nactual:   mode %s\nhint:     umask(0117) before bind(): a chmod() after bind() leaves a moment in which others may connect' "$mode")"
	fi
	ask "$KEEPER_STRANGER" $'treasure.txt\n'
	grep -qxF "connect: [Errno 13] Permission denied" <<<"$output" ||
		fail "$(printf 'expected: connect() as %s (not in group users) to fail with EACCES\nactual:   %s\nhint:     bind a path (never the abstract namespace) with umask 0117, so the socket is 0660' \
			"$KEEPER_STRANGER" "$(sed '2,$s/^/          /' <<<"$output")")"
	ask nermal $'treasure.txt\n'
	grep -qxF "connect: ok" <<<"$output" ||
		fail "control: nermal, in group users, must be able to connect: $output"
}

@test "a client too slow, silent or a byte at a time, is let go after its second, and the next one is served" {
	keeper_start
	# One second for the whole line, not one for each read(): a client
	# that sends a byte every 0.2 s, never a newline, is let go all the same.
	# (What it is told, the silent client below judges.)
	dribble garfield
	grep -q '^let go' <<<"$output" ||
		fail "$(printf 'expected: a client that sends a byte every 0.2 s and never a newline let go after its second ("ERR 110", or the connection just closed)\nactual:   %s\nhint:     one second in all for the whole line: a timeout that starts again at each read() (SO_RCVTIMEO alone) never ends for a client that keeps sending' \
			"$(sed '2,$s/^/          /' <<<"$output")")"
	local hold=$BATS_TEST_TMPDIR/hold.out
	in_background "$hold" garfield "$KEEPER_BUILD/fixtures/rogue" hold "$KSOCK"
	wait_until grep -qx -e connected -e 'connect: .*' "$hold" || true
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "a client that sends nothing must not hold the keeper: give each one second (SO_RCVTIMEO, or poll)"
	# The silent client was let go before the next was served: with
	# ETIMEDOUT, or no word; not with the EAGAIN of a timed-out read().
	wait_until grep -q '^let go' "$hold" || true
	grep -qx -e 'let go' -e 'let go, with: ERR 110' "$hold" ||
		fail "$(printf 'expected: the silent client let go with "ERR 110" (ETIMEDOUT), or the connection just closed\nactual:   %s\nhint:     a read() that times out under SO_RCVTIMEO sets errno to EAGAIN (11): the refusal of a client too slow is ETIMEDOUT (110)' \
			"$(sed '2,$s/^/          /' "$hold")")"
}

@test "rude clients (half a name, hang-ups, a long line, a dozen at once) do not stop the keeper" {
	keeper_start
	local slow=$BATS_TEST_TMPDIR/dribble.out
	# Half a name holds the keeper while the others line up, so that they
	# have hung up by the time it answers them (a reply to a closed socket
	# raises SIGPIPE).
	in_background "$slow" garfield "$KEEPER_BUILD/fixtures/rogue" dribble "$KSOCK"
	wait_until grep -qx -e 'sent half' -e 'connect: \[.*' "$slow" || true
	# Six to serve and six to refuse: a refusal to a client gone raises
	# SIGPIPE too.
	run_as garfield "$KEEPER_BUILD/fixtures/rogue" flood "$KSOCK" 12 $'treasure.txt\n' $'../secret.txt\n'
	ask garfield 'treasure.txt' hangup
	# The rest of the name: the dribbler says its own PID (the bound's
	# process, timeout, would die of SIGUSR1).
	kill -USR1 "$(sed -n 's/^pid: //p' "$slow")" 2>/dev/null || true
	ask garfield "$(printf 'a%.0s' {1..5000})"$'\n'
	expect_reply "ERR 36" 0 "a line longer than 4096 bytes gets ENAMETOOLONG (36)"
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "after clients that hung up before their reply, refused ones too, the keeper must still serve: send with MSG_NOSIGNAL (or ignore SIGPIPE), refusals as well"
	! exited "$KPID" || fail "the keeper exited: $(head -c 300 "$KERR")"
}

@test "a name whose client hangs up before its newline is no request: ERR 22 or a close, never the file" {
	keeper_start
	# A name, and the end of the client's bytes (shutdown(SHUT_WR)) before
	# its newline.
	ask garfield 'treasure.txt' shut
	if ! grep -qxE -e 'reply: ERR 22' -e 'reply: \(none\)( .*)?' <<<"$output" || ! grep -qx 'descriptors: 0' <<<"$output"; then
		fail "$(printf 'expected: "ERR 22", or the connection closed, and no descriptor, for "treasure.txt" and a hang-up before the newline\nactual:   %s\nhint:     read() returning 0 is the client hanging up: without its newline, what came is no request' \
			"$(sed '2,$s/^/          /' <<<"$output")")"
	fi
	ask garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: the same name with its newline is a request, and is served"
}

# pieces USER PIECE...: our client sends each PIECE once the keeper has read
# the one before (rogue pieces), and reports the reply and what follows it.
pieces() {
	run_as "$1" "$KEEPER_BUILD/fixtures/rogue" pieces "$KSOCK" "${@:2}"
}

@test "the keeper reads a request however it arrives, in pieces or all at once" {
	keeper_start
	pieces garfield "treas" $'ure.txt\n'
	expect_reply "OK" 1 "the name came in two writes, \"treas\" then \"ure.txt\\n\", the second once the keeper had read the first: read() until the newline (a stream socket keeps no message boundaries)"
	pieces garfield "t" "r" "e" "a" "s" "u" "r" "e" "." "t" "x" "t" $'\n'
	expect_reply "OK" 1 "the name came a byte at a time: read() until the newline, with one deadline for the whole line"
	pieces garfield $'treasure.txt\n'
	expect_reply "OK" 1 "control: the whole line in one write"
}

@test "a request of 4096 bytes with its newline is served; one byte more gets ERR 36" {
	keeper_start
	local name
	# ./ 2041 times, then /treasure.txt: 4095 bytes, a name the kernel takes
	# (PATH_MAX is 4096 with the terminating NUL), and the newline.
	name=$(printf './%.0s' {1..2041})/treasure.txt
	ask garfield "$name"$'\n'
	expect_reply "OK" 1 "a request of exactly 4096 bytes with its newline (a name of 4095) is within the limit: a buffer of 4096 bytes must hold the newline too, and a NUL needs no room there"
	ask garfield ".$name"$'\n'
	expect_reply "ERR 36" 0 "a request of 4097 bytes with its newline is past the limit: ENAMETOOLONG (36)"
}

@test "the keeper answers one request per connection, then closes it" {
	keeper_start
	run_as garfield "$KEEPER_BUILD/fixtures/rogue" twice "$KSOCK" $'treasure.txt\n'
	expect_reply "OK" 1 "the first line is the request"
	grep -qx "after: closed" <<<"$output" ||
		fail "$(printf 'expected: one reply, then the connection closed (one request per connection)\nactual:   %s\nhint:     after the reply, close the client'"'"'s socket; do not read a second request from it (our client sent its line again)' \
			"$(grep '^after: ' <<<"$output")")"
}

# one_write K: the K-th connection got its reply in one write: a whole
# line, OK with its one descriptor in a sendmsg(), or ERR N with none (no
# write seen: a reply through stdio, fdopen(), which is not judged here).
one_write() {
	local sends text
	sends=$(hook_events "^send conn=$1 ")
	[[ -n $sends ]] || return 0
	text=$(hook_field "$sends" text)
	if [[ $(wc -l <<<"$sends") == 1 ]] &&
		{ [[ $text == 'OK\n' && $(hook_field "$sends" call) == sendmsg && $(hook_field "$sends" fds) == 1 ]] ||
			[[ $text =~ ^ERR\ [0-9]+\\n$ && $(hook_field "$sends" fds) == 0 ]]; }; then
		return 0
	fi
	fail "$(printf 'expected: the reply in one write: "OK\\n" and its descriptor in one sendmsg(), or "ERR N\\n" (sendmsg(), send() or dprintf())\nactual:   the writes to the connection, in order:\n%s\nhint:     build the whole line first, then send it at once: OK with its SCM_RIGHTS descriptor in the same sendmsg()' \
		"$(sed 's/^send conn=[0-9]* /          /' <<<"$sends")")"
}

# keeper/HANDOUT.md: the reply is one line, sent with one sendmsg(), so that
# the line and its descriptor arrive together however the client reads.
# Which writes it took, no client can tell for sure (a stream socket joins
# them, or not): the hook records each write to a socket, and our client
# waits until the keeper has closed the connection, after its last write.
@test "the keeper sends each reply in one call: OK and its descriptor in one sendmsg()" {
	KEEPER_HOOK=1 keeper_start
	# A request to serve and one to refuse, whatever the keeper answers
	# (other tests judge the answers). Our client reports once the keeper
	# has closed the connection (or after 5 s): its last write is in.
	pieces garfield $'treasure.txt\n'
	one_write 1
	pieces garfield $'no-such-file.txt\n'
	one_write 2
}

@test "the keeper closes every descriptor it opens for a request" {
	keeper_start
	local before name
	before=$(fd_count "$KPID")
	# A silent client first: the keeper gives up on it after its second,
	# before it takes the next connection.
	local hold=$BATS_TEST_TMPDIR/hold.out
	in_background "$hold" garfield "$KEEPER_BUILD/fixtures/rogue" hold "$KSOCK"
	wait_until grep -qx -e connected -e 'connect: .*' "$hold" || true
	for name in treasure.txt ../secret.txt no-such-file.txt . escape; do
		ask garfield "$name"$'\n'
	done
	# The FIFO, with a writer (us), so that even a keeper that opens it
	# without O_NONBLOCK goes on at once (the FIFO's own test judges that).
	local writer
	exec {writer}<>"$KWS/litterbox/pipe"
	ask garfield $'pipe\n'
	exec {writer}>&-
	ask nermal $'treasure.txt\n'
	ask garfield "$(printf 'a%.0s' {1..5000})"$'\n'
	ask garfield 'treasure.txt' shut
	# The keeper may close its last descriptors just after its reply.
	held() { (($(fd_count "$KPID") <= before)); }
	wait_until held ||
		fail "$(printf 'expected: the keeper to hold %s descriptors again after its requests (a silent client, a FIFO, a hang-up before the newline among them), as when it was ready\nactual:   it holds %s:\n%s\nhint:     close the file and the connection on every path: refusals, a client timed out, a client that hung up' \
			"$before" "$(fd_count "$KPID")" "$(find "/proc/$KPID/fd" -mindepth 1 -printf '          %f -> %l\n')")"
}

# stops_keeper SIG: SIG makes a running keeper exit 0, its socket removed.
# The keeper starts as a script's "&" starts it: with SIGINT ignored, which
# its own handler must replace.
stops_keeper() {
	KEEPER_HOOK=1 keeper_start
	local pid=$KPID
	kill -s "$1" "$pid"
	wait_until exited "$pid" ||
		fail "expected: the keeper to exit after SIG$1; actual: still running $LAB_BOUND s later (is there a handler for SIG$1?)"
	local stopped
	wait "$pid" && stopped=0 || stopped=$?
	KPID=
	[[ $stopped == 0 && ! -e $KSOCK ]] ||
		fail "$(printf 'expected: exit status 0 and %s removed after SIG%s\nactual:   status %s, the socket %s\nhint:     a handler may call unlink() and _exit(); or set a flag and clean up in main' \
			"$KSOCK" "$1" "$stopped" "$([[ -e $KSOCK ]] && echo "is still there" || echo "was removed")")"
	# Only async-signal-safe functions in the handler: the hook saw each
	# call the handler made to stdio or exit().
	local unsafe
	unsafe=$(hook_events '^unsafe ' | sed -n 's/^unsafe call=\([^ ]*\).*/\1()/p' | sort -u | paste -sd ' ')
	[[ -z $unsafe ]] ||
		fail "$(printf 'expected: the handler for SIG%s to call only async-signal-safe functions (unlink(), _exit(), write(); or only set a flag)\nactual:   it called %s\nhint:     stdio and exit() are not safe in a handler: a signal that lands inside printf() or malloc() deadlocks or corrupts them (signal-safety(7)); use _exit(), not exit()' \
			"$1" "$unsafe")"
}

@test "SIGTERM stops the keeper: exit 0, its socket removed, nothing unsafe in its handler" {
	stops_keeper TERM
}

@test "SIGINT stops the keeper too: exit 0, its socket removed, nothing unsafe in its handler" {
	stops_keeper INT
}

# keeper/HANDOUT.md: the ready line comes once the keeper listens and its
# handlers are installed, so that a client, or a SIGTERM, that comes the
# moment it appears is served. The hook saw how much stdout held at each of
# those moments (a handler installed late while its signal is blocked is in
# time: the signal waits for it).
@test "the keeper says it is ready only once it listens and its handlers are installed" {
	KEEPER_HOOK=1 keeper_start
	local event late=() sig name
	event=$(hook_events '^listen ' | head -1)
	[[ $(hook_field "$event" stdout) == [1-9]* ]] && late+=("listen()")
	for sig in 2:SIGINT 15:SIGTERM; do
		name=${sig#*:} sig=${sig%%:*}
		event=$(hook_events "^handler sig=$sig " | head -1)
		[[ $(hook_field "$event" stdout) == [1-9]* && $(hook_field "$event" blocked) == 0 ]] &&
			late+=("the handler for $name")
	done
	((${#late[@]} == 0)) ||
		fail "$(printf 'expected: "Keeper ready" printed once the keeper listens and its handlers for SIGINT and SIGTERM are installed\nactual:   the line was on stdout before: %s\nhint:     as in Part 1, but the other way round: sigaction() (or signal()) and listen() first, then print and flush the line' \
			"$(printf '%s, ' "${late[@]}" | sed 's/, $//')")"
}

# keeper/HANDOUT.md: the ready line, flushed at once, and "nothing else goes
# to stdout". The keeper runs line-buffered here, so that a line it prints
# later is in the file when it exits, whatever its stdio buffering.
@test "the keeper prints nothing on stdout but its ready line" {
	KEEPER_LINE_BUFFERED=1 keeper_start
	# A request to serve and one to refuse, whatever the keeper answers
	# (other tests judge the answers): each has had its reply, or none.
	ask garfield $'treasure.txt\n'
	ask garfield $'../secret.txt\n'
	keeper_stop
	printf 'Keeper ready: %s\n' "$KSOCK" | cmp -s - "$KOUT" ||
		fail "$(printf 'expected: exactly one line on stdout, "Keeper ready: %s", after two requests and SIGTERM\nactual:   %s\nhint:     the log and any other message go to stderr' \
			"$KSOCK" "$(head -c 300 "$KOUT" | od -An -c | tr -s ' \n' ' ')")"
}

@test "the keeper logs each decision with the peer's uid and pid, before it replies" {
	KEEPER_HOOK=1 keeper_start
	local user_name user name uid pid k=0 reply before=$BATS_TEST_TMPDIR/before-reply
	# logged UID PID NAME [FILE]: a line of FILE (default: the keeper's
	# stderr) has all three.
	logged() { grep -E "uid=$1([^0-9]|\$)" "${4:-$KERR}" | grep -E "pid=$2([^0-9]|\$)" | grep -qF -- "$3"; }
	# One sent, and two refusals: every request is logged.
	for user_name in garfield:treasure.txt nermal:treasure.txt garfield:../secret.txt; do
		user=${user_name%%:*} name=${user_name#*:}
		uid=$(id -u "$user")
		ask "$user" "$name"$'\n'
		pid=$(sed -n 's/^pid: //p' <<<"$output")
		wait_until logged "$uid" "$pid" "$name" ||
			fail "$(printf 'expected: a line on stderr with uid=%s, pid=%s and the name %s (%s asked, and got %s)\nactual:   %s\nhint:     log every request, refusals too: keeper: uid=%s pid=%s '\''%s'\'': sent, or refused, [Errno N] ...' \
				"$uid" "$pid" "$name" "$user" "$(sed -n 's/^reply: //p' <<<"$output")" "$(head -c 500 "$KERR")" "$uid" "$pid" "$name")"
		# Before the reply: what stderr held when the hook saw the reply go
		# out (a reply through stdio shows none, and is not judged here).
		k=$((k + 1))
		reply=$(hook_events "^send conn=$k " | head -1)
		[[ -n $reply ]] || continue
		head -c "$(hook_field "$reply" stderr)" "$KERR" >"$before"
		logged "$uid" "$pid" "$name" "$before" ||
			fail "$(printf 'expected: the line for %s (uid=%s pid=%s) on stderr before the reply went out\nactual:   when the keeper replied, stderr held:\n%s\nhint:     log each decision first, then reply (stderr is unbuffered: fprintf() writes at once)' \
				"$name" "$uid" "$pid" "$(sed 's/^/          /' "$before" | tail -5)")"
	done
}

@test "paw with no keeper at SOCKET says MEOW and exits 2" {
	require_keeper paw
	run_paw garfield treasure.txt
	[[ $status == 2 && $output == "MEOW "?* ]] ||
		fail "$(printf 'expected: a line "MEOW <what went wrong>" and exit 2 (nothing listens at %s: connect() fails)\nactual:   status %s, output: %s' \
			"$KSOCK" "$status" "$(head -c 300 <<<"$output" | cat -v)")"
}

@test "paw refuses an ERR that comes with a descriptor: MEOW, exit 2, closed" {
	hostile_keeper err
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper says ERR 2 and sends a descriptor with it"
}

@test "paw refuses a reply that is neither OK nor ERR N: MEOW, exit 2, closed" {
	hostile_keeper hello
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper replies HELLO, with a descriptor"
}

@test "paw says MEOW and exits 2 when the keeper hangs up without a reply" {
	hostile_keeper hangup
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper reads the request and hangs up without a reply"
}

@test "paw refuses an OK without a descriptor: MEOW, exit 2, stdin unread" {
	hostile_keeper none
	printf 'stdin-canary\n' >"$BATS_TEST_TMPDIR/stdin"
	LAB_STDIN=$BATS_TEST_TMPDIR/stdin run_paw garfield treasure.txt
	expect_paw_fault "the keeper says OK but sends no descriptor"
}

@test "paw refuses two descriptors: MEOW, exit 2, both closed" {
	hostile_keeper two
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper sends two descriptors"
}

@test "paw refuses a truncated control message: MEOW, exit 2, nothing leaked" {
	hostile_keeper many
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper sends 200 descriptors, more than the control buffer holds (MSG_CTRUNC)"
}

@test "paw refuses a directory descriptor: MEOW, exit 2, closed" {
	hostile_keeper dir
	run_paw garfield treasure.txt
	expect_paw_fault "the keeper sends its own directory"
}
