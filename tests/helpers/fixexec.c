/* fixexec.c - run one of the suite's own programs as a test account, from a
 * directory that account can neither read nor search.
 *
 *     fixexec [-s] [LIMIT...] USER PROGRAM [ARG...]
 *
 * Run as root, by lab_exec (tests/helpers/lab.bash) for every program of
 * the suite's (its counterparts and hostile peers, built by build_fixture
 * into a root-only directory). It opens PROGRAM while still root, drops to
 * USER (a name or a user ID: its groups, its group ID, its user ID, real,
 * effective and saved), and executes the open file, with a clean
 * environment.
 *
 * Why: a counterpart of ours must often run as the student's own account
 * (our sender writes into the student's listener's 0600 segment, as its
 * owner). Were it in reach, a student's reader could be one execl() of our
 * reader and take its points. Here the student's code cannot find the file
 * (its directory is root's, 0700), cannot run it by name, and cannot reach
 * it through the running process either: the file is execute-only (0711),
 * and the kernel makes a process that runs a file it may not read
 * undumpable, so /proc/PID/exe, /proc/PID/mem and ptrace() are closed to
 * the account it runs as.
 *
 * -s and LIMIT (--nproc=N, --as=N, --fsize=N, --nofile=N, --core=N) come
 * first, as nonet.c takes them: a session of its own, then the limits, as
 * setsid(1) and prlimit(1) would before it (helpers/launch.h).
 *
 * Exit status: 125 when the drop fails (nothing runs as root in its stead);
 * 126 or 127 when PROGRAM cannot be run, as env(1) does.
 */
#define _GNU_SOURCE

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

static char *clean_env[] = {
	"PATH=" LAUNCH_PATH, "HOME=/", "LANG=C.UTF-8", NULL,
};

int
main(int argc, char *argv[])
{
	struct passwd *pw;
	const char *path;
	int fd, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-s") == 0) {
			if (getpgrp() != getpid() && setsid() == -1)
				err(EXIT_LAUNCH, "setsid");
		} else if (!launch_limit(argv[i])) {
			errx(EXIT_LAUNCH, "%s: not an option", argv[i]);
		}
	}
	if (argc - i < 2) {
		fprintf(stderr, "Usage: %s [-s] [LIMIT...] USER PROGRAM [ARG...]\n", argv[0]);
		return EXIT_LAUNCH;
	}
	if ((pw = launch_account(argv[i])) == NULL)
		errx(EXIT_LAUNCH, "%s: no such account", argv[i]);
	if (pw->pw_uid == 0)
		errx(EXIT_LAUNCH, "%s: the suite's programs never run as root", argv[i]);

	/* Opened as root: the account could not reach it by its path. */
	fd = open(argv[i + 1], O_PATH | O_CLOEXEC);
	if (fd == -1)
		err(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s", argv[i + 1]);

	launch_drop(pw);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(EXIT_LAUNCH, "prctl(PR_SET_NO_NEW_PRIVS)");

	/* argv[0] names the program, as a shell would start it. */
	path = argv[i + 1];
	if (strrchr(path, '/') != NULL)
		argv[i + 1] = strrchr(path, '/') + 1;
	syscall(SYS_execveat, fd, "", &argv[i + 1], clean_env, AT_EMPTY_PATH);
	err(EXIT_CANNOT_RUN, "execveat %s", path);
}
