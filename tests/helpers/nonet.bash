# nonet.bash - build the network filter launcher, helpers/nonet.c (plain bash).
#
# Sourced by checks/run and checks/nonet.bats (for lab_exec's LAB_NONET) and by the
# grader's sandbox.sh, each of which builds its own copy.

# nonet_build DIR: compile nonet.c as DIR/nonet, which every account may run,
# with the lab's flags (LAB_CFLAGS, from grader/lab.conf, which the caller
# has sourced). Compiler messages go to stderr; the status is the compiler's.
nonet_build() {
	# shellcheck disable=SC2086 # the flags are words
	cc ${LAB_CFLAGS:?grader/lab.conf not read} -O2 -o "$1/nonet" "${BASH_SOURCE[0]%/*}/nonet.c" &&
		chmod 0755 "$1/nonet"
}
