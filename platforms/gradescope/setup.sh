#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image from autograder.zip (unpacked in /autograder/source).
#
# It installs what the grader needs with the lab's own package list
# (grader/deps.sh). The suites need bats 1.7 or later: Gradescope's Ubuntu
# 22.04 has an older one, so there bats and its two libraries come from the
# npm registry instead (IPC_LAB_BATS=npm forces that anywhere).
set -eu
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

bats_ok() { # is the bats on PATH 1.7 or later?
	local v
	v=$(bats --version 2>/dev/null | sed -n 's/^Bats \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	[[ -n $v ]] && read -r major minor <<<"$v" && ((major > 1 || (major == 1 && minor >= 7)))
}
candidate=$(apt-cache policy bats 2>/dev/null | sed -n 's/^ *Candidate: \([0-9]*\.[0-9]*\).*/\1/p')
if [[ ${IPC_LAB_BATS:-} != npm ]] && [[ -n $candidate ]] &&
	printf '1.7\n%s\n' "$candidate" | sort -V -C; then
	bash grader/deps.sh
else
	if [[ ${IPC_LAB_BATS:-} == npm ]]; then
		echo "setup: IPC_LAB_BATS=npm: bats comes from npm" >&2
	else
		echo "setup: bats ${candidate:-(none)} from apt is older than 1.7; bats comes from npm" >&2
	fi
	apt-get install -y -qq --no-install-recommends npm ca-certificates >/dev/null
	npm install -g --no-fund --no-audit bats@1.8.2 bats-support@0.3.0 bats-assert@2.2.0 >/dev/null
	# Linked where bats and its libraries are looked for (npm does not
	# always link bats's command itself).
	root=$(npm root -g)
	ln -sfn "$root/bats/bin/bats" /usr/local/bin/bats
	mkdir -p /usr/lib/bats
	ln -sfn "$root/bats-support" /usr/lib/bats/bats-support
	ln -sfn "$root/bats-assert" /usr/lib/bats/bats-assert
	hash -r
	bats_ok || { echo "setup: bats from npm does not run: $(bats --version 2>&1)" >&2; exit 1; }
	bash grader/deps.sh
fi
bats_ok || { echo "setup: bats $(bats --version 2>&1) is older than 1.7" >&2; exit 1; }
echo "setup: ready: $(bats --version), $(python3 --version), $(cc --version | head -1)"
