# private.bash - run a command as root in namespaces of its own (plain bash).
#
# Sourced by checks/mutants.sh (mutants side by side) and checks/bench.sh (the
# handout's scripts, whose test_full_dd.sh runs adduser).

# private CMD...: CMD in mount, PID and IPC namespaces of its own, with a
# private /etc (on a tmpfs, bound over /etc: it works where / is an overlay),
# /dev/shm and /dev/mqueue. Everything CMD starts dies with it; the
# machine's accounts, processes and IPC objects are untouched.
private() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --pid --fork --mount-proc --ipc --propagation private bash -c '
		etc=$(mktemp -d) &&
		mount -t tmpfs -o mode=0755 tmpfs "$etc" && cp -a /etc/. "$etc/" &&
		mount --bind "$etc" /etc && umount "$etc" && rmdir "$etc" &&
		mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm || exit 3
		if [[ -d /dev/mqueue ]]; then mount -t mqueue mqueue /dev/mqueue || exit 3; fi
		exec "$@"' private "$@"
}
