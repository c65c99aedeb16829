/* fixexec.c - run one of the suite's own programs as a test account, from a
 * directory that account can neither read nor search.
 *
 *     fixexec USER PROGRAM [ARG...]
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

enum { EXIT_DROP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static char *clean_env[] = {
	"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/", "LANG=C.UTF-8", NULL,
};

/* The account named by NAME, or numbered by it. */
static struct passwd *
account(const char *name)
{
	struct passwd *pw = getpwnam(name);
	char *end;
	unsigned long uid;

	if (pw != NULL)
		return pw;
	errno = 0;
	uid = strtoul(name, &end, 10);
	if (errno != 0 || end == name || *end != '\0' || uid > (uid_t)-1)
		return NULL;
	return getpwuid((uid_t)uid);
}

int
main(int argc, char *argv[])
{
	struct passwd *pw;
	const char *path;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "Usage: %s USER PROGRAM [ARG...]\n", argv[0]);
		return EXIT_DROP;
	}
	if ((pw = account(argv[1])) == NULL)
		errx(EXIT_DROP, "%s: no such account", argv[1]);
	if (pw->pw_uid == 0)
		errx(EXIT_DROP, "%s: the suite's programs never run as root", argv[1]);

	/* Opened as root: the account could not reach it by its path. */
	fd = open(argv[2], O_PATH | O_CLOEXEC);
	if (fd == -1)
		err(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s", argv[2]);

	if (initgroups(pw->pw_name, pw->pw_gid) == -1)
		err(EXIT_DROP, "initgroups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		err(EXIT_DROP, "setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		err(EXIT_DROP, "setresuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(EXIT_DROP, "prctl(PR_SET_NO_NEW_PRIVS)");

	/* argv[0] names the program, as a shell would start it. */
	path = argv[2];
	if (strrchr(path, '/') != NULL)
		argv[2] = strrchr(path, '/') + 1;
	syscall(SYS_execveat, fd, "", &argv[2], clean_env, AT_EMPTY_PATH);
	err(EXIT_CANNOT_RUN, "execveat %s", path);
}
