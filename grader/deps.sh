#!/usr/bin/env bash
# deps.sh - make sure what the grader and the tests need is installed.
#
# The lab's one package list: `make test`, `make grade`, ./grade itself and
# the Dockerfile all run this. As root on Debian, missing packages are
# installed with apt-get. Otherwise it prints the exact command to run and
# exits 2. Prints nothing when all is there.

set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have bats || need+=(bats)
have cc || need+=(gcc libc6-dev)
have make || need+=(make)
have python3 || need+=(python3)
have patch || need+=(patch)
have useradd || [[ -x /usr/sbin/useradd ]] || need+=(passwd)
{ have setpriv && have prlimit && have unshare && have ipcrm; } || need+=(util-linux)
have pgrep || need+=(procps)
for lib in bats-support bats-assert; do
	[[ -f /usr/lib/bats/$lib/load.bash ]] || need+=("$lib")
done
((${#need[@]})) || exit 0

if ((EUID == 0)) && have apt-get; then
	echo "deps: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	if { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
		rm -f -- "$log"
		exit 0
	fi
	tail -20 "$log" >&2
	rm -f -- "$log"
	echo "deps: apt-get failed (above); install these packages and retry: ${need[*]}" >&2
	exit 2
fi
echo "deps: missing ${need[*]}. Install them with:" >&2
echo "    sudo apt-get install -y ${need[*]}" >&2
exit 2
