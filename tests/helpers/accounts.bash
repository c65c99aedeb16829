# accounts.bash - kill every process of a test account (plain bash, no bats).
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
