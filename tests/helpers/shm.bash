# shm.bash - build, start and watch the shared-memory part's programs
# (shm.bats; shm/HANDOUT.md is the contract).
#
# Needs helpers/lab, helpers/listener (wait_until, asleep, exited) and
# helpers/build. Code under test runs as garfield; nermal is the other user.
# Both sides of every exchange have a counterpart of ours (helpers/letters.c),
# so a student's listener faces our sender, their sender our listener, their
# reader our writer, their writer our reader. Every program runs from the
# build directory, through lab_exec, never as root.
#
# Keys: each test takes fresh random ones (shm_key), and teardown removes
# whatever is left on them, whoever made it, so no test meets another's
# objects (the grader also gives each submission an IPC namespace).
# The student's programs that print a ready line run line-buffered
# (stdbuf -oL): the line must come at once, and a missing fflush() then
# costs no test but the one that runs them without it.
#
# Moments: a signal the instant an object is made or the ready line is
# printed, an interrupted semop(), a call to sleep() are forced or seen by
# our preload (helpers/shmhook.c, HOOK), never waited for over many runs.

SHM_USER=garfield
SHM_OTHER=nermal

# shm_build: the student's four programs, and our fixture. Call from setup_file.
shm_build() {
	SHM_BUILD=$(build_dir shm)
	export SHM_BUILD
	build_student "$SHM_BUILD" shm listener sender reader writer
	build_fixture "$SHM_BUILD" letters "$LAB_TESTS/helpers/letters.c"
	build_preload "$SHM_BUILD" shmhook.so "$LAB_TESTS/helpers/shmhook.c" -shared -fPIC
	LETTERS=$SHM_BUILD/fixtures/letters
	HOOK=LD_PRELOAD=$SHM_BUILD/preload/shmhook.so
	export LETTERS HOOK
}

shm_clean() {
	rm -rf -- "$SHM_BUILD"
}

# require_shm PROG: the student's PROG and our fixture were built.
require_shm() {
	require_built "$SHM_BUILD" shm "$1" letters shmhook.so
}

# student PROG: the path of the student's PROG.
student() {
	echo "$SHM_BUILD/student/$1"
}

# shm_key: a fresh random key (1 to 2^31-1), in KEY, remembered for teardown.
shm_key() {
	KEY=$((SRANDOM % 2147483646 + 1))
	SHM_KEYS+=("$KEY")
}
SHM_KEYS=()

# shm_leftovers: no process and no object of this test's is left. On the
# keys it used, every segment and semaphore set is removed, by whoever may:
# their owner or creator (root may not, without CAP_SYS_ADMIN, as in a
# plain container). Accounts the suite made itself (or the grader's, under
# LAB_CONFINE, which lab_kill_leftovers sweeps) have all their processes
# and objects removed.
shm_leftovers() {
	local key user
	for user in "$SHM_USER" "$SHM_OTHER"; do
		if [[ $LAB_CONFINE != 1 ]] && grep -qxF "$user" "$BATS_FILE_TMPDIR/created-accounts" 2>/dev/null; then
			lab_sweep "$LAB_BOUND" "$user"
		fi
		for key in "${SHM_KEYS[@]}"; do
			setpriv "--reuid=$user" "--regid=$user" --clear-groups ipcrm -M "$key" -S "$key" 2>/dev/null || true
		done
	done
	for key in "${SHM_KEYS[@]}"; do
		ipcrm -M "$key" -S "$key" 2>/dev/null || true
	done
	SHM_KEYS=()
}

# perms_on KEY [KIND]: the mode of the segment (KIND shm, the default) or
# the semaphore set (sem) on KEY, in octal ("600"; the file shows it in
# octal, with SHM_DEST and the like above the permission bits).
perms_on() {
	awk -v key="$1" 'FNR > 1 && $1 == key { print $3 % 1000 }' "/proc/sysvipc/${2:-shm}"
}

# size_on KEY: the size in bytes of the segment on KEY.
size_on() {
	awk -v key="$1" 'FNR > 1 && $1 == key { print $4 }' /proc/sysvipc/shm
}

# objects_of USER: how many segments and semaphore sets USER owns or made,
# and has not removed. A segment removed (IPC_RMID) while still attached is
# only marked for removal (SHM_DEST, 01000 in its perms column, which is in
# octal; its key is 0 then), and the kernel frees it at its last detach: at
# the exit of the program that had it attached. That can come after the
# program has been reaped, when a reader of its /proc files (ps, pgrep,
# anything that reads its cmdline) held its memory at the moment it exited:
# the reader frees it. A segment so marked is removed, and counts not.
# (awk reads /proc/sysvipc whole: bash's read would seek back after each
# line, and the kernel makes the file anew each time.)
objects_of() {
	local uid
	uid=$(id -u "$1")
	# shm: key shmid perms size cpid lpid nattch uid gid cuid ...
	# sem: key semid perms nsems uid gid cuid ...
	awk -v uid="$uid" 'FNR > 1 && FILENAME ~ /shm$/ && ($8 == uid || $10 == uid) && int($3 / 1000) % 2 == 0 { n++ }
		FNR > 1 && FILENAME ~ /sem$/ && ($5 == uid || $7 == uid) { n++ }
		END { print n + 0 }' /proc/sysvipc/shm /proc/sysvipc/sem
}

# on_key KEY: what is left on KEY, one word per object ("shm", "sem").
on_key() {
	awk -v key="$1" 'FNR > 1 && $1 == key { f = FILENAME; sub(/.*\//, "", f); print f }' \
		/proc/sysvipc/shm /proc/sysvipc/sem
}

# shm_octal_key: a fresh random key in KEY whose nine decimal digits are all
# below 8 (the first not 0): what base 0 reads in 0KEY, an octal number and
# another key, is remembered for teardown too.
shm_octal_key() {
	local i
	KEY=$((SRANDOM % 7 + 1))
	for ((i = 0; i < 8; i++)); do
		KEY+=$((SRANDOM % 8))
	done
	SHM_KEYS+=("$KEY" "$((8#$KEY))")
}

# stopped PID: PID has stopped itself (state T: SHMHOOK_READY=19).
stopped() {
	pid_state "$1"
	[[ $PID_STATE == [Tt] ]]
}

# signum NAME: the number of signal NAME (INT), for the hook's variables.
signum() {
	kill -l "$1"
}

# hooked_end PID OUT LINE SIG: PID, started with SHMHOOK_READY=SIG, ends
# (ENDED, as ended sets it). Should its ready line (LINE followed by the
# PID) reach OUT unseen by our preload (a call it does not wrap), SIG comes
# from us instead, at once: the moment is then not judged, the exit is.
# Never before that line: a program that has not printed it yet may not
# have its handler yet either, and is left to end (or be ended) as it will.
hooked_end() {
	local pid=$1 out=$2 line=$3 sig=$4
	raised() { grep -qx "shmhook: raised" "$out.err"; }
	said() {
		first_line "$out"
		[[ $FIRST == "$line$pid" ]]
	}
	raised_or_said() { exited "$pid" || raised || said; }
	wait_until raised_or_said || true
	if ! exited "$pid" && ! raised && said; then
		kill -s "$sig" "$pid" 2>/dev/null || true
	fi
	ended "$pid"
}
