/* fifohook.c - make a FIFO part program's races happen on cue, and log the
 * calls a test cannot see from outside.
 *
 * Test code for the FIFO and message queue suite (tests/fifo.bats), built
 * as a shared object and loaded into a student's program with LD_PRELOAD.
 * It wraps a few libc calls (dlsym(RTLD_NEXT, ...)) and, driven by the
 * environment:
 *
 *   FIFOHOOK_AT=start       at start-up, before main()
 *   FIFOHOOK_AT=mkfifo      right after a mkfifo() that succeeded (or
 *                           mkfifoat(), or mknod() or mknodat() of a FIFO)
 *   FIFOHOOK_AT=pre-mkfifo  right before mkfifo() (and the others) runs
 *   FIFOHOOK_AT=mq_open     right after an mq_open() with O_CREAT that succeeded
 *   FIFOHOOK_AT=open-lock   right after an open() of .../fifo.lock that succeeded
 *                           (or openat(), creat() or fopen())
 *   FIFOHOOK_AT=setlk-busy  right after an fcntl(F_SETLK) that failed: EAGAIN or
 *                           EACCES, the lock held elsewhere (errno kept)
 *   FIFOHOOK_DO=term        ... kill(getpid(), SIGTERM): a program that blocked
 *                           the signal gets it later, once it is ready for it
 *   FIFOHOOK_DO=stop        ... raise(SIGSTOP): the test acts (plants a FIFO,
 *                           a queue), then sends SIGCONT
 *   The first time only, and with FIFOHOOK_PROG=NAME only in the program
 *   called NAME (not in stdbuf, nice or env on the way to it).
 *
 *   FIFOHOOK_LOG=FILE       append a line to FILE per call:
 *                             write N       a write() of N bytes to a FIFO (fd > 2)
 *                             writev N      a writev() of N bytes to a FIFO
 *                             unlink PATH   unlink(), remove() or unlinkat()
 *                             close PATH    close() of a descriptor open on PATH
 *                             read N        a read() that took N bytes from a FIFO
 *                             sleep CALL    sleep(), usleep(), nanosleep() or
 *                                           clock_nanosleep() (CALL its name)
 *
 *   FIFOHOOK_SKEW=S         clock_gettime(CLOCK_REALTIME) says S seconds
 *                           later (S < 0: earlier) than it is: a deadline of
 *                           "now + 5 s" then comes 5 + S seconds from now.
 *
 * A program can get around all of this (raw system calls, static linking):
 * this catches mistakes, not forgeries. Every call it wraps still does
 * what it does without it.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int acted;

/* act WHERE: the FIFOHOOK_DO action, if FIFOHOOK_AT is WHERE (once). */
static void
act(const char *where)
{
	const char *at = getenv("FIFOHOOK_AT"), *what = getenv("FIFOHOOK_DO");
	const char *prog = getenv("FIFOHOOK_PROG");

	if (acted || at == NULL || what == NULL || strcmp(at, where) != 0)
		return;
	if (prog != NULL && strcmp(prog, program_invocation_short_name) != 0)
		return;
	acted = 1;
	if (strcmp(what, "term") == 0)
		kill(getpid(), SIGTERM);
	else if (strcmp(what, "stop") == 0)
		raise(SIGSTOP);
}

/* say FORMAT...: one line into FIFOHOOK_LOG, by raw system calls (never
 * through the calls wrapped here). */
static void
say(const char *format, ...)
{
	const char *log = getenv("FIFOHOOK_LOG");
	char line[4200];
	va_list ap;
	int n, fd;

	if (log == NULL)
		return;
	va_start(ap, format);
	n = vsnprintf(line, sizeof line - 1, format, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	(void)syscall(SYS_write, fd, line, (size_t)n);
	(void)syscall(SYS_close, fd);
}

/* to_fifo FD: FD is above 2 and open on a FIFO. */
static int
to_fifo(int fd)
{
	struct stat st;

	return fd > 2 && syscall(SYS_fstat, fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* NEXT(F, NAME): F, a pointer to a function, becomes libc's NAME (copied:
 * ISO C has no cast from void * to a function pointer). */
#define NEXT(f, name) \
	do { \
		void *p_ = dlsym(RTLD_NEXT, name); \
		if (p_ == NULL) \
			abort(); \
		memcpy(&(f), &p_, sizeof(f)); \
	} while (0)

__attribute__((constructor)) static void
at_start(void)
{
	act("start");
}

ssize_t
write(int fd, const void *buf, size_t count)
{
	ssize_t (*real)(int, const void *, size_t);
	NEXT(real, "write");

	if (getenv("FIFOHOOK_LOG") != NULL && to_fifo(fd))
		say("write %zu", count);
	return real(fd, buf, count);
}

ssize_t
read(int fd, void *buf, size_t count)
{
	ssize_t (*real)(int, void *, size_t);
	NEXT(real, "read");
	ssize_t n = real(fd, buf, count);

	if (n > 0 && getenv("FIFOHOOK_LOG") != NULL && to_fifo(fd))
		say("read %zd", n);
	return n;
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	ssize_t (*real)(int, const struct iovec *, int);
	NEXT(real, "writev");
	size_t total = 0;
	int i;

	if (getenv("FIFOHOOK_LOG") != NULL && to_fifo(fd)) {
		for (i = 0; i < iovcnt; i++)
			total += iov[i].iov_len;
		say("writev %zu", total);
	}
	return real(fd, iov, iovcnt);
}

int
unlink(const char *path)
{
	int (*real)(const char *);
	NEXT(real, "unlink");

	say("unlink %s", path);
	return real(path);
}

int
remove(const char *path)
{
	int (*real)(const char *);
	NEXT(real, "remove");

	say("unlink %s", path);
	return real(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	int (*real)(int, const char *, int);
	NEXT(real, "unlinkat");

	say("unlink %s", path);
	return real(dirfd, path, flags);
}

int
close(int fd)
{
	int (*real)(int);
	NEXT(real, "close");
	char link[64], target[4100];
	ssize_t n;

	if (getenv("FIFOHOOK_LOG") != NULL && fd > 2) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			say("close %s", target);
		}
	}
	return real(fd);
}

int
mkfifo(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t);
	NEXT(real, "mkfifo");
	int r;

	act("pre-mkfifo");
	r = real(path, mode);
	if (r == 0)
		act("mkfifo");
	return r;
}

/* The other ways to make a FIFO: mkfifoat(), mknod() and mknodat() with S_IFIFO. */
int
mkfifoat(int dir, const char *path, mode_t mode)
{
	int (*real)(int, const char *, mode_t);
	NEXT(real, "mkfifoat");
	int r;

	act("pre-mkfifo");
	r = real(dir, path, mode);
	if (r == 0)
		act("mkfifo");
	return r;
}

int
mknod(const char *path, mode_t mode, dev_t dev)
{
	int (*real)(const char *, mode_t, dev_t);
	NEXT(real, "mknod");
	int r;

	if (S_ISFIFO(mode))
		act("pre-mkfifo");
	r = real(path, mode, dev);
	if (r == 0 && S_ISFIFO(mode))
		act("mkfifo");
	return r;
}

int
mknodat(int dir, const char *path, mode_t mode, dev_t dev)
{
	int (*real)(int, const char *, mode_t, dev_t);
	NEXT(real, "mknodat");
	int r;

	if (S_ISFIFO(mode))
		act("pre-mkfifo");
	r = real(dir, path, mode, dev);
	if (r == 0 && S_ISFIFO(mode))
		act("mkfifo");
	return r;
}

mqd_t
mq_open(const char *name, int oflag, ...)
{
	mqd_t (*real)(const char *, int, ...);
	NEXT(real, "mq_open");
	mqd_t q;

	if (oflag & O_CREAT) {
		va_list ap;
		mode_t mode;
		struct mq_attr *attr;

		va_start(ap, oflag);
		mode = va_arg(ap, mode_t);
		attr = va_arg(ap, struct mq_attr *);
		va_end(ap);
		q = real(name, oflag, mode, attr);
		if (q != (mqd_t)-1)
			act("mq_open");
		return q;
	}
	return real(name, oflag);
}

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	int (*real)(clockid_t, struct timespec *);
	NEXT(real, "clock_gettime");
	const char *skew = getenv("FIFOHOOK_SKEW");
	int r = real(clock, ts);

	if (r == 0 && clock == CLOCK_REALTIME && skew != NULL)
		ts->tv_sec += atol(skew);
	return r;
}

/* lock_path PATH: PATH's last name is fifo.lock. */
static int
lock_path(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash != NULL ? slash + 1 : path, "fifo.lock") == 0;
}

static int
opened(const char *path, int fd)
{
	if (fd >= 0 && lock_path(path))
		act("open-lock");
	return fd;
}

int
open(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...);
	NEXT(real, "open");
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(path, real(path, flags, mode));
}

int
open64(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...);
	NEXT(real, "open64");
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(path, real(path, flags, mode));
}

/* The other ways to open the lock file: *at(), creat(), stdio. */
int
openat(int dir, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...);
	NEXT(real, "openat");
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(path, real(dir, path, flags, mode));
}

int
openat64(int dir, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...);
	NEXT(real, "openat64");
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return opened(path, real(dir, path, flags, mode));
}

int
creat(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t);
	NEXT(real, "creat");

	return opened(path, real(path, mode));
}

int
creat64(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t);
	NEXT(real, "creat64");

	return opened(path, real(path, mode));
}

FILE *
fopen(const char *path, const char *how)
{
	FILE *(*real)(const char *, const char *);
	NEXT(real, "fopen");
	FILE *f = real(path, how);

	if (f != NULL)
		opened(path, fileno(f));
	return f;
}

FILE *
fopen64(const char *path, const char *how)
{
	FILE *(*real)(const char *, const char *);
	NEXT(real, "fopen64");
	FILE *f = real(path, how);

	if (f != NULL)
		opened(path, fileno(f));
	return f;
}

static int
locked(int cmd, int r)
{
	int e = errno;

	if (cmd == F_SETLK && r == -1 && (e == EAGAIN || e == EACCES)) {
		act("setlk-busy");
		errno = e;
	}
	return r;
}

/* fcntl's third argument, whatever its type, is passed on as glibc's own
 * fcntl() takes it: as a pointer-sized word. */
int
fcntl(int fd, int cmd, ...)
{
	int (*real)(int, int, ...);
	NEXT(real, "fcntl");
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return locked(cmd, real(fd, cmd, arg));
}

int
fcntl64(int fd, int cmd, ...)
{
	int (*real)(int, int, ...);
	NEXT(real, "fcntl64");
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return locked(cmd, real(fd, cmd, arg));
}

unsigned
sleep(unsigned seconds)
{
	unsigned (*real)(unsigned);
	NEXT(real, "sleep");

	say("sleep sleep");
	return real(seconds);
}

int
usleep(useconds_t usec)
{
	int (*real)(useconds_t);
	NEXT(real, "usleep");

	say("sleep usleep");
	return real(usec);
}

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	int (*real)(const struct timespec *, struct timespec *);
	NEXT(real, "nanosleep");

	say("sleep nanosleep");
	return real(req, rem);
}

int
clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	int (*real)(clockid_t, int, const struct timespec *, struct timespec *);
	NEXT(real, "clock_nanosleep");

	say("sleep clock_nanosleep");
	return real(clock, flags, req, rem);
}
