# accounts.bash - kill every process of a test account, remove every IPC
# object it left (plain bash, no bats).
#
# Sourced by lab.bash after each test, and by the grader's sandbox.sh after
# the suites, as a last sweep.

# kill_all_of USER SECONDS: kill(-1) run as USER reaches every process USER
# owns, a fork bomb's children too. Repeated until none is left, for at most
# SECONDS. Root and unknown accounts are left alone.
kill_all_of() {
	local user=$1 deadline=$((SECONDS + $2))
	[[ $user == root || $user == 0 ]] && return 0
	id -u "$user" >/dev/null 2>&1 || return 0
	while pgrep -u "$user" >/dev/null && ((SECONDS < deadline)); do
		setpriv "--reuid=$user" "--regid=$user" --clear-groups kill -KILL -1 2>/dev/null || true
	done
}

# remove_ipc_of USER: remove every IPC object of USER (a name or a user ID),
# which outlive the processes that made them: SysV shared memory segments,
# semaphore sets and message queues whose owner or creator is USER (an owner
# may hand an object over to another user with IPC_SET, never its creator),
# POSIX message queues in /dev/mqueue and files in /dev/shm. Call it once
# USER's processes are killed (kill_all_of). Root and unknown accounts are
# left alone.
#
# It runs after every test: without a fork when there is nothing to remove
# (bash reads /etc/passwd and /proc/sysvipc itself). The test accounts are
# local ones, in /etc/passwd.
remove_ipc_of() {
	local user=$1 uid='' gid name u g _ id owner creator
	local -a ipcrm_args=()
	while IFS=: read -r name _ u g _; do
		if [[ $name == "$user" || $u == "$user" ]]; then
			uid=$u gid=$g
			break
		fi
	done </etc/passwd
	[[ -n $uid && $uid != 0 ]] || return 0
	# The columns: shm "key shmid perms size cpid lpid nattch uid gid cuid ...",
	# msg "key msqid perms cbytes qnum lspid lrpid uid gid cuid ...",
	# sem "key semid perms nsems uid gid cuid ..."; a header line first.
	if [[ -r /proc/sysvipc/shm ]]; then
		{
			read -r _
			while read -r _ id _ _ _ _ _ owner _ creator _; do
				[[ $owner == "$uid" || $creator == "$uid" ]] && ipcrm_args+=(-m "$id")
			done
		} </proc/sysvipc/shm
		{
			read -r _
			while read -r _ id _ _ owner _ creator _; do
				[[ $owner == "$uid" || $creator == "$uid" ]] && ipcrm_args+=(-s "$id")
			done
		} </proc/sysvipc/sem
		{
			read -r _
			while read -r _ id _ _ _ _ _ owner _ creator _; do
				[[ $owner == "$uid" || $creator == "$uid" ]] && ipcrm_args+=(-q "$id")
			done
		} </proc/sysvipc/msg
	fi
	# One ipcrm for them all, run as USER: removing one takes its owner, its
	# creator or CAP_SYS_ADMIN, which root lacks in a default container. A
	# segment still attached would only be marked for removal; USER's
	# processes are dead, so none is.
	((${#ipcrm_args[@]} == 0)) ||
		setpriv "--reuid=$uid" "--regid=$gid" --clear-groups ipcrm "${ipcrm_args[@]}" 2>/dev/null || true
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
