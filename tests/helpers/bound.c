/* bound.c - run a command for at most SECONDS of the time it could run.
 *
 *     bound SECONDS COMMAND [ARG...]
 *
 * What timeout --kill-after=1 SECONDS COMMAND does, with a fairer clock.
 * The suites run code under test through it (lab_exec --bounded in
 * tests/helpers/lab.bash), as root, before the drop to a test account: out
 * of the reach of what it bounds. It leads a session of its own (or the
 * one it leads already), COMMAND runs in that session's process group, and
 * when time is up the whole group gets SIGTERM, and SIGKILL a second later.
 *
 * The time that counts is the clock's, less the time that the group's
 * processes were kept from running through no fault of their own: runnable
 * but waiting for a CPU (run_delay, the second field of /proc/PID/schedstat)
 * or in an uninterruptible wait (state D: the disk, a page fault), up to
 * SECONDS more. Code under test runs at a low priority; on a loaded machine
 * it may wait seconds for a CPU, and a bound on the clock alone would then
 * stop a correct program, or not, as the scheduler pleases. A program that
 * hangs (asleep: its time counts) or spins (it gets a CPU, or its wait is
 * capped) is still stopped, within twice SECONDS at most.
 *
 * The group is looked at every 50 ms. A process that leaves the group
 * (setsid, setpgid) is neither counted nor killed, as with timeout(1): the
 * suites sweep the test accounts after each test.
 *
 * Exit status: COMMAND's (128 + N when signal N ended it); 124 when time
 * was up and SIGTERM ended it; 137 (SIGKILL, which ends this program too)
 * when it did not; 125 when this program fails, 126 and 127 when COMMAND
 * cannot be run or found. SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to this
 * program are passed on to the group.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOOK_NS 50000000L /* how often the group is looked at */
#define MAX_PROCS 4096      /* the group's processes remembered */

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A process of the group, by PID and start time (a PID is reused), with
 * the last run_delay seen. */
struct proc {
	pid_t pid;
	unsigned long long start;
	long long delay;
};

static struct proc procs[MAX_PROCS];
static int nprocs;

/* read_small: the text of a /proc file, or -1. */
static int
read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* look: record the run_delay of every process of group PGRP but us; return
 * whether one of them is in state D. */
static int
look(pid_t pgrp)
{
	char path[64], buf[1024];
	DIR *d = opendir("/proc");
	struct dirent *e;
	int stalled = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end, *p, state;
		long pid = strtol(e->d_name, &end, 10);
		long long pg, delay;
		unsigned long long start;
		int i, field;

		if (*end != '\0' || pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (read_small(path, buf, sizeof(buf)) == -1 || (p = strrchr(buf, ')')) == NULL)
			continue;
		/* ") S ppid pgrp ...": field 3 is the state, 5 the group, 22 the start. */
		if (sscanf(p + 1, " %c %*d %lld", &state, &pg) != 2 || pg != pgrp)
			continue;
		for (field = 3; field <= 22 && p != NULL; field++)
			p = strchr(p + 1, ' ');
		if (p == NULL || sscanf(p, " %llu", &start) != 1)
			continue;
		if (state == 'D')
			stalled = 1;
		snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
		if (read_small(path, buf, sizeof(buf)) == -1 || sscanf(buf, "%*u %lld", &delay) != 1)
			continue;
		for (i = 0; i < nprocs; i++)
			if (procs[i].pid == pid && procs[i].start == start)
				break;
		if (i == nprocs) {
			if (nprocs == MAX_PROCS)
				continue; /* not counted: the bound is the clock's */
			procs[nprocs].pid = (pid_t)pid;
			procs[nprocs].start = start;
			nprocs++;
		}
		procs[i].delay = delay;
	}
	closedir(d);
	return stalled;
}

/* kept_waiting: the nanoseconds the group's processes waited for a CPU,
 * each counted once (processes run one after another far more often than
 * side by side, as make, cc and ld do). */
static long long
kept_waiting(void)
{
	long long sum = 0;
	int i;

	for (i = 0; i < nprocs; i++)
		sum += procs[i].delay;
	return sum;
}

/* pass_on SIG: send SIG to the group, which holds us too. We have it
 * blocked: ignoring it for a moment discards our own copy. */
static void
pass_on(int sig)
{
	kill(0, sig);
	signal(sig, SIG_IGN);
	signal(sig, SIG_DFL);
}

static int
status_of(int wstatus, int timed_out)
{
	if (timed_out)
		return 124;
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + WTERMSIG(wstatus);
}

int
main(int argc, char *argv[])
{
	static const int passed[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct timespec look_every = {0, LOOK_NS};
	sigset_t wanted, old;
	long long bound, start, last_look, stalled = 0, term_at = 0;
	double seconds;
	char *end;
	pid_t child;
	int wstatus;
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: bound SECONDS COMMAND [ARG...]\n");
		return 125;
	}
	errno = 0;
	seconds = strtod(argv[1], &end);
	if (errno != 0 || end == argv[1] || *end != '\0' || !(seconds > 0 && seconds < 86400)) {
		fprintf(stderr, "bound: not a number of seconds: %s\n", argv[1]);
		return 125;
	}
	bound = (long long)(seconds * 1e9);
	/* Lead a session, and so its group, unless we lead a group already:
	 * as setsid(1) would before us, without a program of its own. */
	if (getpgrp() != getpid() && setsid() == -1) {
		perror("bound: setsid");
		return 125;
	}
	/* The signals we wait for, blocked before COMMAND exists (none is lost
	 * between) and taken with sigtimedwait(): no handlers. */
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGCHLD);
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		sigaddset(&wanted, passed[i]);
	sigprocmask(SIG_BLOCK, &wanted, &old);
	start = last_look = now_ns();
	child = fork();
	if (child == -1) {
		perror("bound: fork");
		return 125;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bound: %s: %s\n", argv[2], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	for (;;) {
		long long now;
		int sig = sigtimedwait(&wanted, NULL, &look_every);
		pid_t w = waitpid(child, &wstatus, WNOHANG);

		if (w == child)
			return status_of(wstatus, term_at != 0);
		if (w == -1) {
			perror("bound: waitpid");
			return 125;
		}
		if (sig > 0 && sig != SIGCHLD)
			pass_on(sig);
		now = now_ns();
		if (term_at != 0) {
			/* SIGTERM was not enough within a second: SIGKILL, us too. */
			if (now - term_at >= 1000000000LL)
				kill(0, SIGKILL);
			continue;
		}
		if (now - last_look >= LOOK_NS) {
			if (look(getpgrp()))
				stalled += now - last_look;
			last_look = now;
		}
		if (now - start >= bound) {
			long long excused = kept_waiting() + stalled;

			if (excused > bound)
				excused = bound;
			if (now - start - excused >= bound) {
				pass_on(SIGTERM);
				pass_on(SIGCONT);
				term_at = now;
			}
		}
	}
}
