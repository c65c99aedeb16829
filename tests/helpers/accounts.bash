# accounts.bash - kill every process of a test account, remove every IPC
# object it left (plain bash, no bats).
#
#     bash accounts.bash sweep [--no-ipc] SECONDS USER...
#
# Run so by the suites after each test (lab_sweep, helpers/lab.bash): in a
# bash of its own, away from bats' DEBUG trap, which makes every loop here
# some thirty times slower. Sourced by the grader's sandbox.sh, as a last
# sweep.

# sweep_accounts [--no-ipc] SECONDS USER...: kill every process of the
# USERs, all of them within SECONDS: kill(-1) run as a USER reaches every
# process it owns, a fork bomb's children too, and is repeated until none is
# left. Then remove every IPC object of theirs (remove_ipc_of), unless
# --no-ipc. Root and unknown accounts are left alone.
#
# It runs after every test: one scan of /proc, and no fork when the USERs
# run nothing and own nothing (bash reads /etc/passwd, /proc and
# /proc/sysvipc itself; in the grader's PID namespace /proc holds a
# handful of processes).
sweep_accounts() {
	local ipc=1
	[[ $1 == --no-ipc ]] && { ipc=0; shift; }
	local deadline=$((SECONDS + $1)) user uid
	shift
	local -A gid_of=()
	for user; do
		uid_of "$user" && [[ $UID_OF != 0 ]] && gid_of[$UID_OF]=$GID_OF
	done
	local -a left
	while :; do
		alive_uids
		left=()
		for uid in "${!gid_of[@]}"; do
			[[ -n ${ALIVE[$uid]:-} ]] && left+=("$uid")
		done
		if ((${#left[@]} == 0 || SECONDS >= deadline)); then
			break
		fi
		for uid in "${left[@]}"; do
			setpriv "--reuid=$uid" "--regid=${gid_of[$uid]}" --clear-groups kill -KILL -1 2>/dev/null || true
		done
	done
	((ipc)) || return 0
	for uid in "${!gid_of[@]}"; do
		remove_ipc_of "$uid"
	done
}

# uid_of USER: set UID_OF and GID_OF to the user and group IDs of USER, a
# name or a number of /etc/passwd (the test accounts are local ones); fails
# for an unknown one.
uid_of() {
	local name _ u g
	UID_OF='' GID_OF=
	while IFS=: read -r name _ u g _; do
		if [[ $name == "$1" || $u == "$1" ]]; then
			UID_OF=$u GID_OF=$g
			return 0
		fi
	done </etc/passwd
	return 1
}

# alive_uids: set ALIVE[UID] for the real and the effective user ID of every
# process (one pass over /proc's status files, in bash).
alive_uids() {
	local d key real eff _
	declare -gA ALIVE=()
	for d in /proc/[0-9]*; do
		while read -r key real eff _; do
			if [[ $key == Uid: ]]; then
				ALIVE[$real]=1 ALIVE[$eff]=1
				break
			fi
		done 2>/dev/null <"$d/status"
	done
}

# remove_ipc_of USER: remove every IPC object of USER (a name or a user ID),
# which outlive the processes that made them: SysV shared memory segments,
# semaphore sets and message queues whose owner or creator is USER (an owner
# may hand an object over to another user with IPC_SET, never its creator),
# POSIX message queues in /dev/mqueue and files in /dev/shm. Call it once
# USER's processes are killed (sweep_accounts). Root and unknown accounts are
# left alone.
#
# It runs after every test: without a fork when there is nothing to remove
# (bash reads /etc/passwd and /proc/sysvipc itself). The test accounts are
# local ones, in /etc/passwd.
remove_ipc_of() {
	local uid gid owner creator
	uid_of "$1" || return 0
	uid=$UID_OF gid=$GID_OF
	[[ $uid != 0 ]] || return 0
	# The columns: shm "key shmid perms size cpid lpid nattch uid gid cuid ...",
	# msg "key msqid perms cbytes qnum lspid lrpid uid gid cuid ...",
	# sem "key semid perms nsems uid gid cuid ..."; a header line first.
	# (awk's fields count from 1.)
	local kind found=0 data
	for kind in shm sem msg; do
		[[ -r /proc/sysvipc/$kind ]] || continue
		# Read whole, once (`read` on a /proc file seeks back after each line,
		# and the kernel makes the file anew from there: the square of the
		# number of objects). Nothing but the header line: nothing to do,
		# and no fork. Otherwise awk looks for USER's, quickly however many.
		data=$(<"/proc/sysvipc/$kind")
		[[ $data == *$'\n'* ]] || continue
		if [[ $kind == sem ]]; then
			owner=5 creator=7
		else
			owner=8 creator=10
		fi
		if awk -v uid="$uid" -v o="$owner" -v c="$creator" \
			'NR > 1 && ($o == uid || $c == uid) { found = 1; exit } END { exit !found }' <<<"$data"; then
			found=1
			break
		fi
	done
	# One `ipcrm --all`, run as USER, removes exactly what USER may remove:
	# the objects it owns or made (removing takes the owner, the creator or
	# CAP_SYS_ADMIN, which root lacks in a default container anyway). By id,
	# ipcrm would read all of /proc/sysvipc for each id: with a few thousand
	# objects (a flood), minutes of system time. A segment still attached
	# would only be marked for removal; USER's processes are dead, so none is.
	((found == 0)) ||
		setpriv "--reuid=$uid" "--regid=$gid" --clear-groups ipcrm --all >/dev/null 2>&1 || true
	# POSIX message queues are files of the mqueue filesystem; POSIX shared
	# memory, and anything else written there, files in /dev/shm. find only
	# when a directory holds anything (the patterns that match nothing stay
	# as they are, and do not exist).
	local dir entry
	local -a dirs=()
	for dir in /dev/shm /dev/mqueue; do
		for entry in "$dir"/* "$dir"/.[!.]* "$dir"/..?*; do
			if [[ -e $entry || -L $entry ]]; then
				dirs+=("$dir")
				break
			fi
		done
	done
	((${#dirs[@]} == 0)) || find "${dirs[@]}" -xdev -mindepth 1 -uid "$uid" -delete 2>/dev/null || true
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	if [[ ${1:-} == sweep && $# -ge 3 ]]; then
		shift
		sweep_accounts "$@"
	else
		echo "usage: accounts.bash sweep [--no-ipc] SECONDS USER..." >&2
		exit 2
	fi
fi
