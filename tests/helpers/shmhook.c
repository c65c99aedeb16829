/* shmhook.c - force the moments the shared-memory suite judges.
 *
 * Test code for tests/shm.bats, built as a shared object and loaded into a
 * student's listener or reader with LD_PRELOAD. A signal that lands "just
 * after the segment is made" or "the instant the ready line is out" would
 * otherwise be a matter of luck, over many runs; here it is raised by the
 * program itself, at that exact call, every run. Driven by the environment:
 *
 *   SHMHOOK_MADE=N    after each shmget() or semget() with IPC_CREAT that
 *                     succeeds: kill(getpid(), N). A program that blocked N
 *                     first gets it later, when it is ready; one that did
 *                     not dies with the object left behind.
 *   SHMHOOK_READY=N   after the first output call (printf(), fwrite(),
 *                     write(), ...) whose bytes hold "PID: " (the ready
 *                     line): kill(getpid(), N). A program that printed its
 *                     line before it was ready for N is caught.
 *   SHMHOOK_EINTR=1   the first semop() or semtimedop() that may block
 *                     (an operation without IPC_NOWAIT) fails with EINTR,
 *                     as when a stop and continue (Ctrl-Z, fg) interrupts
 *                     it, without blocking. A program that does not retry
 *                     gives up.
 *   SHMHOOK_IGNORE=N  before main(): signal N ignored, as a script's "&"
 *                     starts a program with SIGINT ignored.
 *   SHMHOOK_FAST=1    sleeps take no time: each sleep returns at once, and
 *                     the clocks (clock_gettime(), gettimeofday(), time())
 *                     run ahead by the time it would have slept. A wait of
 *                     3 s by polls takes milliseconds, whether it counts
 *                     its polls or reads the clock; after each sleep,
 *                     "shmhook: skipped N ms" (N in all so far) on stderr.
 *
 * And always: a call to a stdio function (printf(), fwrite(), perror(),
 * fflush(), ...) or to exit() from inside a signal handler (one installed
 * with sigaction() or signal(): ours runs it) writes "shmhook: in a
 * handler: NAME" to stderr: a handler may make only plain system calls
 * (signal-safety(7)); each call to sleep(), usleep(), nanosleep() or
 * clock_nanosleep() writes "shmhook: sleep" to stderr, an injected EINTR
 * "shmhook: EINTR", and a signal raised "shmhook: raised" (just before). Only calls the program makes itself are seen
 * (the C library's own internal calls are not): this catches mistakes, not
 * forgeries.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

static int ready_raised, eintr_done;

/* env_sig NAME: the signal number in NAME, or 0. */
static int
env_sig(const char *name)
{
	const char *v = getenv(name);

	return v == NULL ? 0 : atoi(v);
}

static void
note(const char *what)
{
	int saved = errno;

	dprintf(2, "shmhook: %s\n", what);
	errno = saved;
}

/* raise_if NAME: the signal in NAME, if any, raised here and now (and
 * "shmhook: raised" on stderr, first). */
static void
raise_if(const char *name)
{
	int sig = env_sig(name), saved = errno;

	if (sig > 0) {
		note("raised");
		(void)kill(getpid(), sig);
	}
	errno = saved;
}

/* the ready line is out: raise SHMHOOK_READY, once */
static void
printed(const void *bytes, size_t n)
{
	if (ready_raised || bytes == NULL || memmem(bytes, n, "PID: ", 5) == NULL)
		return;
	ready_raised = 1;
	raise_if("SHMHOOK_READY");
}

__attribute__((constructor)) static void
start(void)
{
	int sig = env_sig("SHMHOOK_IGNORE");

	if (sig > 0)
		(void)signal(sig, SIG_IGN);
}

/* REAL(NAME, F): F, a local pointer to a function, is libc's NAME (copied:
 * ISO C has no cast from void * to a function pointer). */
#define REAL(name, f) \
	__typeof__(&name) f; \
	do { \
		void *p_ = dlsym(RTLD_NEXT, #name); \
		if (p_ == NULL) \
			abort(); \
		memcpy(&(f), &p_, sizeof(f)); \
	} while (0)

/* Handlers: each one the program installs runs inside ours, which counts
 * the handlers running (a handler that leaves by _exit() never returns). */

static volatile sig_atomic_t in_handler;
static void (*handlers[NSIG])(int);
static void (*actions[NSIG])(int, siginfo_t *, void *);

static void
around(int sig, siginfo_t *info, void *context)
{
	in_handler++;
	if (actions[sig] != NULL)
		actions[sig](sig, info, context);
	else if (handlers[sig] != NULL)
		handlers[sig](sig);
	in_handler--;
}

/* unsafe NAME: NAME was called; say so if from inside a handler. */
static void
unsafe(const char *name)
{
	char line[64];

	if (!in_handler)
		return;
	snprintf(line, sizeof line, "in a handler: %s", name);
	note(line);
}

int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	REAL(sigaction, next);
	struct sigaction mine;
	void (*was)(int) = sig > 0 && sig < NSIG ? handlers[sig] : NULL;
	void (*was_action)(int, siginfo_t *, void *) = sig > 0 && sig < NSIG ? actions[sig] : NULL;
	int r;

	if (act == NULL || sig <= 0 || sig >= NSIG ||
	    (!(act->sa_flags & SA_SIGINFO) && (act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN)))
		return next(sig, act, old);
	mine = *act;
	mine.sa_flags |= SA_SIGINFO;
	mine.sa_sigaction = around;
	r = next(sig, &mine, old);
	if (r == 0) {
		handlers[sig] = (act->sa_flags & SA_SIGINFO) ? NULL : act->sa_handler;
		actions[sig] = (act->sa_flags & SA_SIGINFO) ? act->sa_sigaction : NULL;
	}
	/* What was there before: theirs, never ours. */
	if (r == 0 && old != NULL && (old->sa_flags & SA_SIGINFO) && old->sa_sigaction == around) {
		if (was_action != NULL) {
			old->sa_sigaction = was_action;
		} else {
			old->sa_flags &= ~SA_SIGINFO;
			old->sa_handler = was;
		}
	}
	return r;
}

sighandler_t
signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	/* As glibc's signal() does: BSD semantics. */
	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;
	if (sigemptyset(&act.sa_mask) == -1 || sigaddset(&act.sa_mask, sig) == -1 ||
	    sigaction(sig, &act, &old) == -1)
		return SIG_ERR;
	return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)SIG_DFL : old.sa_handler;
}

void
exit(int status)
{
	REAL(exit, next);

	unsafe("exit");
	next(status);
	abort();        /* never reached: next() does not return */
}

void
perror(const char *s)
{
	REAL(perror, next);

	unsafe("perror");
	next(s);
}

int
fflush(FILE *f)
{
	REAL(fflush, next);

	unsafe("fflush");
	return next(f);
}

/* Creation. */

int
shmget(key_t key, size_t size, int flags)
{
	REAL(shmget, next);
	int id = next(key, size, flags);

	if (id != -1 && (flags & IPC_CREAT))
		raise_if("SHMHOOK_MADE");
	return id;
}

int
semget(key_t key, int n, int flags)
{
	REAL(semget, next);
	int id = next(key, n, flags);

	if (id != -1 && (flags & IPC_CREAT))
		raise_if("SHMHOOK_MADE");
	return id;
}

/* Turns. */

static int
interrupted(const struct sembuf *ops, size_t n)
{
	const char *v = getenv("SHMHOOK_EINTR");

	if (eintr_done || v == NULL || strcmp(v, "1") != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(ops[i].sem_flg & IPC_NOWAIT)) {
			eintr_done = 1;
			note("EINTR");
			errno = EINTR;
			return 1;
		}
	return 0;
}

int
semop(int sem, struct sembuf *ops, size_t n)
{
	if (interrupted(ops, n))
		return -1;
	REAL(semop, next);
	return next(sem, ops, n);
}

int
semtimedop(int sem, struct sembuf *ops, size_t n, const struct timespec *timeout)
{
	if (interrupted(ops, n))
		return -1;
	REAL(semtimedop, next);
	return next(sem, ops, n, timeout);
}

/* Sleeps, and with SHMHOOK_FAST the clocks. */

static long long skipped_ns;    /* the time sleeps would have taken */

static int
fast(void)
{
	const char *v = getenv("SHMHOOK_FAST");

	return v != NULL && strcmp(v, "1") == 0;
}

/* skip NS: a sleep of NS nanoseconds, skipped. */
static void
skip(long long ns)
{
	char line[64];

	if (ns > 0)
		skipped_ns += ns;
	snprintf(line, sizeof line, "skipped %lld ms", skipped_ns / 1000000);
	note(line);
}

static long long
ns_of(const struct timespec *t)
{
	return t == NULL ? 0 : (long long)t->tv_sec * 1000000000 + t->tv_nsec;
}

unsigned int
sleep(unsigned int s)
{
	note("sleep");
	if (fast()) {
		skip((long long)s * 1000000000);
		return 0;
	}
	REAL(sleep, next);
	return next(s);
}

int
usleep(useconds_t us)
{
	note("sleep");
	if (fast()) {
		skip((long long)us * 1000);
		return 0;
	}
	REAL(usleep, next);
	return next(us);
}

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	note("sleep");
	if (fast()) {
		skip(ns_of(req));
		return 0;
	}
	REAL(nanosleep, next);
	return next(req, rem);
}

int
clock_gettime(clockid_t clock, struct timespec *t)
{
	REAL(clock_gettime, next);
	int r = next(clock, t);

	if (r == 0 && skipped_ns > 0 && clock != CLOCK_PROCESS_CPUTIME_ID &&
	    clock != CLOCK_THREAD_CPUTIME_ID) {
		long long ns = ns_of(t) + skipped_ns;

		t->tv_sec = ns / 1000000000;
		t->tv_nsec = ns % 1000000000;
	}
	return r;
}

int
clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	note("sleep");
	if (fast()) {
		struct timespec now;

		if (flags & TIMER_ABSTIME) {
			if (clock_gettime(clock, &now) == -1)
				return errno;
			skip(ns_of(req) - ns_of(&now));
		} else {
			skip(ns_of(req));
		}
		return 0;
	}
	REAL(clock_nanosleep, next);
	return next(clock, flags, req, rem);
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec now;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return -1;
	tv->tv_sec = now.tv_sec;
	tv->tv_usec = now.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return (time_t)-1;
	if (t != NULL)
		*t = now.tv_sec;
	return now.tv_sec;
}

/* Output: each call, then a look at its bytes. */

static int
vformatted(int r, const char *fmt, va_list ap)
{
	char line[256];
	int n = vsnprintf(line, sizeof line, fmt, ap);

	if (r >= 0 && n > 0)
		printed(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	return r;
}

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	va_list copy;
	int r;

	unsafe("printf");
	va_copy(copy, ap);
	REAL(vfprintf, next);
	r = next(f, fmt, ap);
	r = vformatted(r, fmt, copy);
	va_end(copy);
	return r;
}

int
vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int
fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __printf_chk(int flag, const char *fmt, ...);

int
__fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int
__printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

int
vdprintf(int fd, const char *fmt, va_list ap)
{
	va_list copy;
	int r;

	va_copy(copy, ap);
	REAL(vdprintf, next);
	r = next(fd, fmt, ap);
	r = vformatted(r, fmt, copy);
	va_end(copy);
	return r;
}

int
dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

int
puts(const char *s)
{
	unsafe("puts");
	REAL(puts, next);
	int r = next(s);

	if (r >= 0)
		printed(s, strlen(s));
	return r;
}

int
fputs(const char *s, FILE *f)
{
	unsafe("fputs");
	REAL(fputs, next);
	int r = next(s, f);

	if (r >= 0)
		printed(s, strlen(s));
	return r;
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	unsafe("fwrite");
	REAL(fwrite, next);
	size_t r = next(p, size, n, f);

	if (r > 0 && size > 0)
		printed(p, r * size);
	return r;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	REAL(write, next);
	ssize_t r = next(fd, p, n);

	if (r > 0)
		printed(p, (size_t)r);
	return r;
}
