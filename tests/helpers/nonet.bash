# nonet.bash - build the network filter launcher, helpers/nonet.c (plain bash).
#
# Sourced by tests/run and nonet.bats (for lab_exec's LAB_NONET) and by the
# grader's sandbox.sh, each of which builds its own copy.

# nonet_build DIR: compile nonet.c as DIR/nonet, which every account may run.
# Compiler messages go to stderr; the status is the compiler's.
nonet_build() {
	cc -std=c11 -Wall -Wextra -pedantic -O2 -o "$1/nonet" "${BASH_SOURCE[0]%/*}/nonet.c" &&
		chmod 0755 "$1/nonet"
}
