/* leakcheck.c - report the descriptors a program still holds when it exits.
 *
 * Test code for the keeper suite (tests/keeper.bats), built as a shared
 * object and loaded into a paw with LD_PRELOAD. When the paw exits (return
 * from main, exit(), _exit() or _Exit()), it writes to stderr one line per
 * descriptor above 2 that is still open, then a last line:
 *
 *     leakcheck: fd 5 -> /tmp/ipc-keeper.x/litterbox/treasure.txt
 *     leakcheck: done
 *
 * Sockets are left out: the paw's own connection is not a leak; what the
 * keeper passed (files, directories) is. A program killed by a signal, or
 * one that leaves by a raw exit_group system call, reports nothing, and the
 * test then says so. A program can write such lines itself: this catches
 * mistakes, not forgeries.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int reported;

static void
report(void)
{
	char link[64], target[512];
	struct dirent *e;
	DIR *d;

	if (reported)
		return;
	reported = 1;
	d = opendir("/proc/self/fd");
	if (d == NULL) {
		dprintf(2, "leakcheck: cannot read /proc/self/fd\n");
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		ssize_t n;

		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "socket:", 7) == 0)
			continue;
		dprintf(2, "leakcheck: fd %d -> %s\n", fd, target);
	}
	closedir(d);
	dprintf(2, "leakcheck: done\n");
}

__attribute__((destructor)) static void
at_exit(void)
{
	report();
}

void
_exit(int status)
{
	report();
	syscall(SYS_exit_group, status);
	for (;;)
		;
}

void
_Exit(int status)
{
	_exit(status);
}
