/* launch.h - what the suites' two launchers share (nonet.c, fixexec.c):
 * the steps lab_exec (tests/helpers/lab.bash) takes before it runs a program
 * as a test account, done in the launcher's own process instead of one
 * program each (setsid, prlimit, setpriv, env, nice): on a small machine, a
 * test's launches were a fifth of its time.
 *
 * Each function exits with EXIT_LAUNCH when a step fails: nothing runs
 * without the whole set-up.
 */
#ifndef LAUNCH_H
#define LAUNCH_H

#include <err.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

enum { EXIT_LAUNCH = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

/* The clean environment of code under test (LAB_PATH in lab.bash). */
#define LAUNCH_PATH "/usr/local/bin:/usr/bin:/bin"

/* The account named by NAME, or numbered by it; NULL when there is none. */
static struct passwd *
launch_account(const char *name)
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

/* A limit in prlimit(1)'s words: --nproc=N, --as=N, --fsize=N, --nofile=N
 * or --core=N, soft and hard alike. Returns 0 when ARG is none of them. */
static int
launch_limit(const char *arg)
{
	static const struct {
		const char *name;
		int resource;
	} known[] = {
		{"--nproc=", RLIMIT_NPROC},   {"--as=", RLIMIT_AS},
		{"--fsize=", RLIMIT_FSIZE},   {"--nofile=", RLIMIT_NOFILE},
		{"--core=", RLIMIT_CORE},
	};
	struct rlimit rl;
	unsigned long long n;
	char *end;
	size_t i, len;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		len = strlen(known[i].name);
		if (strncmp(arg, known[i].name, len) != 0)
			continue;
		errno = 0;
		n = strtoull(arg + len, &end, 10);
		if (errno != 0 || end == arg + len || *end != '\0')
			errx(EXIT_LAUNCH, "%s: not a number", arg);
		rl.rlim_cur = rl.rlim_max = (rlim_t)n;
		if (setrlimit(known[i].resource, &rl) == -1)
			err(EXIT_LAUNCH, "setrlimit %s", arg);
		return 1;
	}
	return 0;
}

/* Become PW as setpriv --reuid --regid --init-groups --inh-caps=-all does:
 * its groups, its group ID and its user ID (real, effective and saved),
 * and no capability in any set. Root is refused: a launch never runs code
 * under test with privilege. */
static void
launch_drop(const struct passwd *pw)
{
	struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];

	if (pw->pw_uid == 0)
		errx(EXIT_LAUNCH, "%s: code under test never runs as root", pw->pw_name);
	if (initgroups(pw->pw_name, pw->pw_gid) == -1)
		err(EXIT_LAUNCH, "initgroups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		err(EXIT_LAUNCH, "setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		err(EXIT_LAUNCH, "setresuid");
	/* The change of user ID cleared the permitted and effective sets; the
	 * inheritable one is cleared here, as --inh-caps=-all does. */
	memset(none, 0, sizeof(none));
	if (syscall(SYS_capset, &head, none) == -1)
		err(EXIT_LAUNCH, "capset");
}

#endif
