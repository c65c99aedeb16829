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
	local user=$1 uid='' gid name u g _ owner creator
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
