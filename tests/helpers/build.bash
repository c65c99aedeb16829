# build.bash - build a part's programs as a student builds them, and the
# suite's own fixtures (the optional parts' suites; needs helpers/lab).
#
# Call these from setup_file. The build of a student's program is part of
# what is tested: it happens as LAB_RUNNER, with nothing but `cc -o PROG
# PROG.c`, and require_built reports its errors in the test that needs it.

# This file's directory: fixexec.c is beside it, whichever suite loads it.
LAB_HELPERS=${BASH_SOURCE[0]%/*}

# build_dir NAME: a fresh directory, every account may traverse it, with
# student/ (the student's build, and nothing else), fixtures/ (the suite's
# own programs: root's alone, 0700, so that code under test can neither
# find nor run them; lab_exec starts them through fixexec) and preload/
# (what the suite loads into the student's programs, readable by all).
# Prints its path; remove it with rm -rf.
build_dir() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/ipc-$1-build.XXXXXX") || return
	chmod 0755 "$dir"
	mkdir -m 0755 "$dir/student" "$dir/preload"
	mkdir -m 0700 "$dir/fixtures"
	echo "$dir"
}

# build_student DIR PART PROG...: copy LAB_DIR/PART's C files and headers
# into DIR/student, and build each PROG there from PROG.c, as the runner,
# within 60 s. The compiler's output goes to BATS_FILE_TMPDIR/PROG.log.
build_student() {
	local dir=$1 part=$2 prog f
	shift 2
	for f in "$LAB_DIR/$part/"*.[ch]; do
		[[ -f $f && ! -L $f ]] && cp -- "$f" "$dir/student/"
	done
	chown -R "$LAB_RUNNER" "$dir/student"
	# Side by side: each program is a build of its own, as with make -j.
	for prog; do
		printf '%s/%s.c not found in %s\n' "$part" "$prog" "$LAB_DIR" >"$BATS_FILE_TMPDIR/$prog.log"
		[[ -f $dir/student/$prog.c ]] || continue
		(cd "$dir/student" && LAB_BOUND=60 lab_exec --bounded "$LAB_RUNNER" \
			cc -o "$prog" "$prog.c" >"$BATS_FILE_TMPDIR/$prog.log" 2>&1) &
	done
	wait
}

# build_fixture DIR NAME SOURCE [CC ARGS...]: our own program, as root, with
# the lab's flags, into DIR/fixtures/NAME, execute-only (0711: see
# helpers/fixexec.c), and fixexec beside it; errors in
# BATS_FILE_TMPDIR/fixtures.log.
build_fixture() {
	local dir=$1 name=$2
	shift 2
	[[ -e $dir/fixtures/fixexec ]] || lab_cc "$dir/fixtures/fixexec" "$LAB_HELPERS/fixexec.c" || true
	lab_cc "$dir/fixtures/$name" "$@" && chmod 0711 "$dir/fixtures/$name" || true
}

# build_preload DIR NAME SOURCE [CC ARGS...]: a library of ours that the
# student's programs load, into DIR/preload/NAME (readable: the loader
# reads it as the student's account).
build_preload() {
	local dir=$1 name=$2
	shift 2
	lab_cc "$dir/preload/$name" "$@" && chmod 0644 "$dir/preload/$name" || true
}

# lab_cc OUTPUT SOURCE [CC ARGS...]: compile, as root, with the lab's flags.
# With LAB_BUILD_CACHE (a directory of root's alone, made for one run of the
# suites: checks/run makes one), a build is done once a run: the same
# source, helpers header, flags and arguments give a copy of the first
# build, whichever suite (or patched copy of one) asks.
lab_cc() {
	local out=$1 src=$2 key cache=${LAB_BUILD_CACHE:-}
	shift 2
	# The lab's flags: the grader's sandbox exports them; natively, lab.conf.
	if [[ -z ${LAB_CFLAGS:-} && -f $LAB_TESTS/../grader/lab.conf ]]; then
		# shellcheck source=grader/lab.conf
		source "$LAB_TESTS/../grader/lab.conf"
	fi
	if [[ -n $cache && -d $cache && -O $cache && ! -L $cache ]]; then
		key=$({ printf '%s\0' "$LAB_CFLAGS" "$@" && cat -- "$src" "$LAB_HELPERS/launch.h"; } | sha256sum) &&
			key=$cache/${key%% *}
		if [[ -f $key ]] && cp -- "$key" "$out"; then
			return 0
		fi
	else
		key=
	fi
	# shellcheck disable=SC2086 # the flags are words
	cc ${LAB_CFLAGS:?grader/lab.conf not read} -O2 "$@" -o "$out" "$src" \
		>>"$BATS_FILE_TMPDIR/fixtures.log" 2>&1 || return
	# Into the cache under a name of its own, then renamed: builds side by side never see half a file.
	[[ -z $key ]] || { cp -- "$out" "$key.$BASHPID" && mv -f -- "$key.$BASHPID" "$key"; } || true
}

# require_built DIR PART PROG [FIXTURE...]: the FIXTUREs and the student's
# PROG were built; otherwise the test fails with the compiler's output.
require_built() {
	local dir=$1 part=$2 prog=$3 f
	shift 3
	for f in fixexec "$@"; do
		[[ -e $dir/fixtures/$f || -e $dir/preload/$f ]] ||
			fail "$(printf 'the suite could not build its own fixture %s:\n%s' "$f" "$(head -c 2048 "$BATS_FILE_TMPDIR/fixtures.log")")"
	done
	[[ -x $dir/student/$prog ]] && return 0
	# shellcheck disable=SC2016 # backquotes in a message, not a command
	fail "$(printf 'expected: %s/%s.c to compile with `cc -o %s %s.c`\nactual:   no %s was built. Compiler output:\n%s' "$part" "$prog" "$prog" "$prog" "$prog" "$(head -c 4096 "$BATS_FILE_TMPDIR/$prog.log")")"
}
