# nonet.bash - build lab_exec's two launchers (plain bash): the network
# filter, helpers/nonet.c, and the time bound, helpers/bound.c.
#
# Sourced by checks/run and checks/nonet.bats (for lab_exec's LAB_NONET) and by the
# grader's sandbox.sh, each of which builds its own copy.

# nonet_build DIR: compile nonet.c as DIR/nonet, which every account may run,
# and bound.c as DIR/bound beside it (lab_exec finds it there), with the
# lab's flags (LAB_CFLAGS, from grader/lab.conf, which the caller has
# sourced). Compiler messages go to stderr; the status is the compiler's.
nonet_build() {
	local name
	for name in nonet bound; do
		# shellcheck disable=SC2086 # the flags are words
		cc ${LAB_CFLAGS:?grader/lab.conf not read} -O2 -o "$1/$name" "${BASH_SOURCE[0]%/*}/$name.c" &&
			chmod 0755 "$1/$name" || return
	done
}
