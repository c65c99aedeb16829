# lab.bash - shared helpers for the ipc-lab bats suites.
#
# Every suite tests "a lab": a directory laid out as in the handout (listener.c,
# cat.py, ...). By default that is this repository; the grader points the same
# suites at a student's submission. All code under test runs through lab_exec,
# the one gateway that drops privileges, cleans the environment, closes
# inherited descriptors, applies resource limits and refuses the network.
#
# Configuration, all from the environment:
#   LAB_DIR       the lab under test                     (default: this repository)
#   LAB_RUNNER    account (name or user ID) that runs the code under test
#                                                        (default: the current user)
#   LAB_OWNER     account that owns secret.txt, the privileged user of Part 2
#                                                        (default: the current user)
#   LAB_SECRET    contents written to secret.txt         (default: the handout's)
#   LAB_TREASURE  contents written to litterbox/treasure.txt (default: the handout's)
#   LAB_BOUND     seconds any single wait may take       (default: 5)
#   LAB_CONFINE   1: after each test, kill every process of the test accounts,
#                 and remove their IPC objects
#                 (the grader sets it; those accounts run nothing else)
#   LAB_NONET     the network filter launcher, helpers/nonet.c built
#                 (helpers/nonet.bash): when set, code under test runs under
#                 it and can open no socket but AF_UNIX; and helpers/bound.c
#                 built beside it bounds code under test (lab_exec --bounded).
#                 The grader and checks/run set it.

bats_require_minimum_version 1.5.0

# lab_load_library NAME: bats_load_library NAME, without its forks. The
# libraries' load.bash runs dirname(1) for each file it sources, 17 forks
# for the two, and every test loads them anew: a seventh of a second a test.
# Here bash finds the files itself; a load.bash of any other shape is left
# to bats_load_library.
lab_load_library() {
	local -a dirs files=()
	# shellcheck disable=SC2016 # the text of a line, not an expansion
	local dir line prefix='source "$(dirname "${BASH_SOURCE[0]}")/'
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for dir in "${dirs[@]}"; do
		[[ -f $dir/$1/load.bash ]] || continue
		while IFS= read -r line; do
			[[ -z $line || $line == \#* ]] && continue
			if [[ $line == "$prefix"*'"' ]]; then
				line=${line#"$prefix"}
				files+=("$dir/$1/${line%\"}")
			else
				files=()
				break
			fi
		done <"$dir/$1/load.bash"
		break
	done
	if ((${#files[@]} == 0)); then
		bats_load_library "$1"
		return
	fi
	for line in "${files[@]}"; do
		# shellcheck disable=SC1090 # the library's own files
		source "$line" || return
	done
}
lab_load_library bats-support
lab_load_library bats-assert
LAB_ACCOUNTS_SH=${BASH_SOURCE[0]%/*}/accounts.bash

# lab_trace_body: bats' DEBUG trap runs a function of bats' for every
# command of every function a test calls (bats sets functrace, -T): a third
# of the suites' user CPU time, most of it in our helpers' loops. Call it first in
# setup(): from then on only the test's own lines are traced (the function
# gets the trace attribute), which is what a failure's "in test file ...,
# line N" is made from; the helpers it calls run untraced.
lab_trace_body() {
	set +T
	declare -ft "$BATS_TEST_NAME"
}

# lab_sweep [--no-ipc] SECONDS USER...: kill every process of the USERs and
# remove their IPC objects (helpers/accounts.bash, in a bash of its own).
lab_sweep() {
	bash "$LAB_ACCOUNTS_SH" sweep "$@"
}

# Every test re-reads this file: no command substitution here, it would fork.
LAB_TESTS=$BATS_TEST_DIRNAME
: "${LAB_DIR:=${LAB_TESTS%/*}}"
: "${LAB_RUNNER:=$EUID}"
: "${LAB_OWNER:=$EUID}"
: "${LAB_SECRET:=Hey! This is a secret!}"
: "${LAB_TREASURE:=Treasure found!}"
: "${LAB_BOUND:=5}"
: "${LAB_CONFINE:=0}"
: "${LAB_NONET:=}"
export LAB_DIR LAB_RUNNER LAB_OWNER LAB_SECRET LAB_TREASURE LAB_BOUND LAB_CONFINE LAB_NONET
# A bound for a whole test, in case one of ours is ever wrong: the suite never hangs.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

# Limits for code under test: processes, address space, file size, descriptors.
LAB_LIMITS=(--nproc=64 --as=1073741824 --fsize=4194304 --nofile=256 --core=0)
# Output kept from code under test, in bytes (the rest is cut off).
LAB_OUTPUT_MAX=65536
LAB_PATH=/usr/local/bin:/usr/bin:/bin
# The nice value of code under test (lab_exec).
LAB_NICE=10

# lab_fresh FILE...: empty each FILE now, in this shell (a regular file, or
# none yet: a FIFO is left alone). A program started in the background with
# its output in FILE (`(...) >FILE &`) has FILE truncated by its subshell,
# at a moment the scheduler picks: until then FILE holds what an earlier
# program wrote there, and a wait that reads it (for a ready line, a
# preload's note) would take the old words for the new program's.
lab_fresh() {
	local f
	for f; do
		[[ -e $f && ! -f $f ]] || : >"$f"
	done
}

# lab_exec [--bounded] USER CMD...: replace the calling shell with CMD run as
# USER, with a clean environment, descriptors above 2 closed, LAB_LIMITS
# applied and, with LAB_NONET, no network socket. Call it in a subshell,
# "(lab_exec ...)", or in the background, "lab_exec ... &": then "$!" is
# CMD's own PID. With --bounded, CMD and every process it starts in its
# process group are killed after LAB_BOUND seconds (status 124 or 137) of
# the time they could run: helpers/bound.c, beside LAB_NONET, does not count
# the time they waited for a CPU on a loaded machine (timeout(1), where it
# is not built, counts the clock's); the bound runs as the caller, out of
# CMD's reach.
lab_exec() {
	local bounded=0
	if [[ $1 == --bounded ]]; then
		bounded=1
		shift
	fi
	local user=$1
	shift
	local -a assign=()
	while [[ ${1:-} == [A-Za-z_]*=* ]]; do
		assign+=("$1")
		shift
	done
	local fixture=0
	# One of the suite's own programs (build_fixture): fixexec opens it as
	# root, out of the account's reach, then drops to the account.
	[[ $user != "$EUID" && ${#assign[@]} == 0 ]] && lab_fixture "$1" && fixture=1
	# Inherited descriptors would let code under test write into bats' TAP
	# stream (fd 3) or hang the run: close all but stdio.
	local fd
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		((fd > 2)) && { eval "exec $fd>&-"; } 2>/dev/null
	done
	# The steps, in this order:
	# - A session of its own: with the kernel's autogroup scheduling, a fork
	#   bomb then shares the CPU as one group, instead of 64 processes
	#   starving the tests (and other submissions). It does not fork here
	#   (we are not a process group leader), so "$!" stays CMD's PID. With
	#   --bounded, the bound leads the session and kills its whole group
	#   when time is up, and runs the rest as its child.
	# - LAB_LIMITS, then the drop to USER. After the drop the network filter
	#   binds the test account's own process (no_new_privs needs no
	#   privilege), and nothing CMD starts escapes it.
	# - A clean environment, and nice, last: CMD runs at a lower priority
	#   than ours (LAB_NICE), and the steps before it at ours. Lower, not
	#   the lowest: where autogroup does not reach (a task in a cgroup of
	#   its own, as in a container, or autogroup turned off), CMD competes
	#   with every other program of its cgroup by its nice value alone, and
	#   at 19 (a weight of 15 against 1024) a compile took over a minute
	#   beside 16 busy programs. At 10 (110) it takes seconds, while 64
	#   processes of a fork bomb still weigh less than seven of ours.
	local bin=${LAB_NONET%/*}
	local -a run
	if [[ -n $LAB_NONET && -x $bin/bound ]]; then
		# The launchers take every step in their own process (helpers/launch.h).
		local -a lead=(-s)
		((!bounded)) || lead=()
		if ((fixture)); then
			run=("${1%/*}/fixexec" "${lead[@]}" "${LAB_LIMITS[@]}" "$user" "$@")
		else
			run=("$LAB_NONET" "${lead[@]}" "${LAB_LIMITS[@]}")
			[[ $user == "$EUID" ]] || run+=(-u "$user")
			run+=(-e -n "$LAB_NICE" -- "${assign[@]}" "$@")
		fi
		((!bounded)) || run=("$bin/bound" "$LAB_BOUND" "${run[@]}")
		exec "${run[@]}"
	fi
	# Without them, one program a step (timeout counts the clock's time).
	local -a session=(setsid) drop=() nonet=()
	((!bounded)) || session=(setsid --wait timeout --kill-after=1 "$LAB_BOUND")
	run=(env -i PATH="$LAB_PATH" HOME=/ LANG=C.UTF-8 "${assign[@]}" nice -n "$LAB_NICE" "$@")
	if ((fixture)); then
		run=("${1%/*}/fixexec" "$user" "$@")
	else
		if [[ $user != "$EUID" ]]; then
			drop=(setpriv "--reuid=$user" "--regid=$user" --init-groups --inh-caps=-all --)
		fi
		[[ -n $LAB_NONET ]] && nonet=("$LAB_NONET")
	fi
	exec "${session[@]}" prlimit "${LAB_LIMITS[@]}" -- "${drop[@]}" "${nonet[@]}" "${run[@]}"
}

# lab_fixture PATH: PATH is one of the suite's own programs: in a fixtures/
# directory of ours (build_fixture), with fixexec beside it.
lab_fixture() {
	local dir=${1%/*}
	[[ $1 == /* && $dir == */fixtures && -O $dir && ! -L $dir && -x $dir/fixexec ]]
}

# lab_run_bounded USER CMD...: lab_exec --bounded, with stdout cut to
# LAB_OUTPUT_MAX bytes (a flood fills a file of bounded size, never memory)
# and stderr dropped. The status is CMD's.
lab_run_bounded() {
	local out status=0
	out=$(mktemp "$BATS_TEST_TMPDIR/out.XXXXXX")
	(lab_exec --bounded "$@") >"$out" 2>/dev/null || status=$?
	head -c "$LAB_OUTPUT_MAX" "$out"
	rm -f -- "$out"
	return "$status"
}

# run_as USER CMD...: CMD as USER, from LAB_RUN_DIR (default /), within
# LAB_BOUND + 2 s; stdin from LAB_STDIN (default /dev/null). Sets status,
# output (stdout, its bytes also in CLIENT_OUT), lines and stderr.
run_as() {
	CLIENT_OUT=$BATS_TEST_TMPDIR/client.out
	local err=$BATS_TEST_TMPDIR/client.err
	status=0
	(cd "${LAB_RUN_DIR:-/}" && LAB_BOUND=$((LAB_BOUND + 2)) lab_exec --bounded "$@") \
		>"$CLIENT_OUT" 2>"$err" <"${LAB_STDIN:-/dev/null}" || status=$?
	output=$(head -c "$LAB_OUTPUT_MAX" "$CLIENT_OUT")
	# shellcheck disable=SC2034 # read by the suites that call run_as
	stderr=$(head -c "$LAB_OUTPUT_MAX" "$err")
	# shellcheck disable=SC2034 # bats-assert's assert_line reads lines
	mapfile -t lines <<<"$output"
}

# lab_workspace: a fresh copy of the lab's Part 2 files in a directory that
# every test account can traverse, with our own fixtures (never the lab's):
#   cat.py, litterbox/treasure.txt (LAB_TREASURE), secret.txt (LAB_SECRET,
#   0600, owned by LAB_OWNER). Sets LAB_WS.
lab_workspace() {
	[[ -f $LAB_DIR/cat.py ]] || fail "cat.py not found in $LAB_DIR (Part 2 needs it)"
	LAB_WS=$(mktemp -d "${TMPDIR:-/tmp}/ipc-lab.XXXXXX")
	chmod 0755 "$LAB_WS"
	mkdir "$LAB_WS/litterbox"
	cp -- "$LAB_DIR/cat.py" "$LAB_WS/cat.py"
	chmod 0644 "$LAB_WS/cat.py"
	printf '%s\n' "$LAB_TREASURE" >"$LAB_WS/litterbox/treasure.txt"
	printf '%s\n' "$LAB_SECRET" >"$LAB_WS/secret.txt"
	chown "$LAB_OWNER" "$LAB_WS/secret.txt"
	chmod 0600 "$LAB_WS/secret.txt"
}

# lab_cat USER NAME: feed NAME to cat.py on stdin, run as USER with the
# workspace as its working directory, as `echo NAME | python3 cat.py` would.
lab_cat() {
	local user=$1 name=$2
	(cd "$LAB_WS" && printf '%s\n' "$name" | lab_run_bounded "$user" python3 cat.py)
}

# lab_kill_leftovers: no process started by a test outlives it. Under
# LAB_CONFINE the test accounts run nothing but code under test, so every
# process they own is killed, and then every IPC object they own is removed
# (lab_sweep, helpers/accounts.bash): shared memory, semaphores
# and message queues outlive their processes, and the next test (in a
# container, the next submission) would find them. nermal is the keeper
# part's user that the keeper does not serve.
lab_kill_leftovers() {
	local pid
	for pid in "${LAB_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	LAB_PIDS=()
	[[ $LAB_CONFINE == 1 ]] || return 0
	lab_sweep "$LAB_BOUND" "$LAB_RUNNER" "$LAB_OWNER" garfield nermal
}
LAB_PIDS=()

# The optional parts' accounts: garfield runs code under test, and nermal is
# another user in garfield's group (LAB_GROUP), the one who tries what only
# garfield may do. The grader makes them in its namespace; natively the
# suites make them (as root) and remove them.
LAB_GROUP=users
LAB_ACCOUNTS=(garfield nermal)
# The accounts' files: byte-identical after the suite (lab_accounts_done).
LAB_ACCOUNT_FILES=(/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid)

# lab_accounts: make garfield and nermal, members of LAB_GROUP, unless they
# exist. Call from setup_file, as root.
lab_accounts() {
	local f user
	for f in "${LAB_ACCOUNT_FILES[@]}"; do
		[[ -e $f ]] && sha256sum "$f"
	done >"$BATS_FILE_TMPDIR/accounts.sha256"
	for user in "${LAB_ACCOUNTS[@]}"; do
		id -u "$user" >/dev/null 2>&1 && continue
		useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			--groups "$LAB_GROUP" "$user" && echo "$user" >>"$BATS_FILE_TMPDIR/created-accounts"
	done
}

# lab_accounts_done: remove the accounts lab_accounts made; the accounts'
# files must be as they were. Call from teardown_file.
lab_accounts_done() {
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

# lab_rm_workspace: remove LAB_WS, if this test made one.
lab_rm_workspace() {
	if [[ -n ${LAB_WS:-} && -d $LAB_WS ]]; then
		rm -rf -- "$LAB_WS"
	fi
	LAB_WS=
}

teardown() {
	lab_kill_leftovers
	lab_rm_workspace
}

# ignored PATH: does the submission's .gitignore ignore PATH? (The patterns
# a course uses: names, globs, a leading or trailing slash, "!" negation.)
ignored() {
	local path=$1 line pat neg verdict=1 part
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		[[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
		neg=0
		[[ $line == !* ]] && { neg=1; line=${line#!}; }
		pat=${line%/}
		if [[ $pat == */* ]]; then
			# Anchored at the top: match the path or a leading directory of it.
			pat=${pat#/}
			# shellcheck disable=SC2053 # the pattern is a glob on purpose
			[[ $path == $pat || $path == $pat/* ]] || continue
		else
			local hit=0
			IFS=/ read -ra part <<<"$path"
			for p in "${part[@]}"; do
				# shellcheck disable=SC2053
				[[ $p == $pat ]] && hit=1
			done
			((hit)) || continue
		fi
		verdict=$neg
	done <"$LAB_DIR/.gitignore"
	return "$verdict"
}

# expect_ignored SHOWN HINT PATH...: the submission's .gitignore ignores
# every PATH; else the test fails, naming those it does not (SHOWN: the
# paths as the handout lists them, HINT: where it lists them).
expect_ignored() {
	local shown=$1 hint=$2 path missing=()
	shift 2
	[[ -f $LAB_DIR/.gitignore ]] || fail "expected: a .gitignore; there is none"
	for path; do
		ignored "$path" || missing+=("$path")
	done
	((${#missing[@]} == 0)) ||
		fail "$(printf 'expected: .gitignore to ignore %s\nactual:   not ignored: %s\nhint:     %s' "$shown" "${missing[*]}" "$hint")"
}
