/* keeperhook.c - record, in order, what a keeper under test does at the
 * moments its handout fixes, where no client can see it.
 *
 * Test code for the keeper suite (tests/keeper.bats), built as a shared
 * object and loaded into the student's keeper with LD_PRELOAD. It changes
 * nothing the keeper does: each wrapped call goes on to libc's own. With
 * KEEPERHOOK_LOG set, it appends one line per event to that file:
 *
 *     bind mode=0660                   the socket's mode as bind() returns
 *                                      (the umask applies at bind(): a chmod()
 *                                      afterwards comes too late)
 *     listen stdout=N                  listen() called: N bytes on stdout then
 *     handler sig=N stdout=N blocked=B a handler installed for SIGINT (2) or
 *                                      SIGTERM (15), with signal() or
 *                                      sigaction(): N bytes on stdout then;
 *                                      B 1 when the signal has been blocked
 *                                      since a moment stdout was empty (it
 *                                      waits for the handler), else 0
 *     unsafe call=NAME sig=N           NAME (stdio, exit, ...: not
 *                                      async-signal-safe) called inside the
 *                                      keeper's handler for signal N
 *     accept conn=K                    the K-th connection accepted
 *     send conn=K call=NAME fds=F stderr=S bytes=B text=T
 *                                      a write to a socket (write, send,
 *                                      sendto, sendmsg, writev, dprintf) after
 *                                      the K-th accept: F descriptors with it,
 *                                      S bytes on stderr at that moment, T its
 *                                      first bytes (\n for a newline, ? for
 *                                      other unprintable bytes), B how many
 *                                      (at most 48 for writev() and sendmsg())
 *
 * "stdout" and "stderr" are sizes of the files the suite redirects them to
 * (-1 when not a regular file). Every line is written with one write() to a
 * file opened for it (O_APPEND): a keeper that forks, or closes descriptors
 * it does not know, loses none. To see inside its handlers, the hook installs
 * its own handler for SIGINT and SIGTERM in place of the keeper's, which
 * marks the time inside and calls the keeper's. A program can forge these
 * lines: this catches mistakes, not forgeries.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* NEXT(name): libc's own NAME, the one this file's NAME wraps. (dlsym()
 * returns an object pointer; POSIX lets it hold a function's address.) */
#define NEXT(name) ((__typeof__(&name))next_fn(#name))

typedef void (*any_fn)(void);

static any_fn
next_fn(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	any_fn f;

	memcpy(&f, &p, sizeof f);
	return f;
}

/* Which connection the sends belong to: accepts so far. */
static int conns;
/* Inside the keeper's own handler for this signal (0: outside). */
static volatile sig_atomic_t in_handler;
/* The keeper's handlers, called by ours. */
static struct sigaction theirs[NSIG];
/* SIGINT or SIGTERM blocked since a moment stdout was still empty. */
static int early_block[NSIG];

static void
event(const char *fmt, ...)
{
	const char *path = getenv("KEEPERHOOK_LOG");
	char line[512];
	va_list ap;
	int fd, n, e = errno;

	if (path == NULL || *path == '\0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		syscall(SYS_write, fd, line, (size_t)n);
		syscall(SYS_close, fd);
	}
out:
	errno = e;
}

/* size_of FD: the size of the regular file FD writes to, or -1. */
static long long
size_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_size;
}

static int
is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* sent: a send of LEN bytes from BUF (the first of them) with FDS descriptors. */
static void
sent(const char *call, int fd, const void *buf, size_t len, int fds)
{
	char text[48];
	size_t i, j = 0;

	for (i = 0; i < len && j < sizeof text - 3; i++) {
		unsigned char c = ((const unsigned char *)buf)[i];

		if (c == '\n') {
			text[j++] = '\\';
			text[j++] = 'n';
		} else {
			text[j++] = c >= ' ' && c < 0x7f ? (char)c : '?';
		}
	}
	text[j] = '\0';
	event("send conn=%d call=%s fds=%d stderr=%lld bytes=%zu text=%s", conns, call, fds,
	      size_of(2), len, text);
	(void)fd;
}

static void
unsafe(const char *call)
{
	if (in_handler)
		event("unsafe call=%s sig=%d", call, (int)in_handler);
}

/* Signals: ours in place of the keeper's, for SIGINT and SIGTERM. */

static int
watched(int sig)
{
	return sig == SIGINT || sig == SIGTERM;
}

static void
ours(int sig, siginfo_t *info, void *context)
{
	sig_atomic_t outer = in_handler;
	const struct sigaction *t = &theirs[sig];

	in_handler = sig;
	if (t->sa_flags & SA_SIGINFO)
		t->sa_sigaction(sig, info, context);
	else
		t->sa_handler(sig);
	in_handler = outer;
}

static int
is_handler(const struct sigaction *a)
{
	if (a->sa_flags & SA_SIGINFO)
		return a->sa_sigaction != NULL;
	return a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
}

int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static __typeof__(&sigaction) next;
	struct sigaction mine, before;
	int r;

	if (next == NULL)
		next = NEXT(sigaction);
	if (!watched(sig) || act == NULL || !is_handler(act)) {
		r = next(sig, act, &before);
	} else {
		event("handler sig=%d stdout=%lld blocked=%d", sig, size_of(1), early_block[sig]);
		mine = *act;
		mine.sa_flags |= SA_SIGINFO;
		mine.sa_sigaction = ours;
		r = next(sig, &mine, &before);
		if (r == 0) {
			struct sigaction kept = theirs[sig];

			theirs[sig] = *act;
			if (before.sa_flags & SA_SIGINFO && before.sa_sigaction == ours)
				before = kept;
		}
		goto done;
	}
	if (r == 0 && watched(sig) && before.sa_flags & SA_SIGINFO && before.sa_sigaction == ours)
		before = theirs[sig];
done:
	if (r == 0 && old != NULL)
		*old = before;
	return r;
}

/* track_mask: after a change of the signal mask, which of SIGINT and
 * SIGTERM have been blocked since stdout was empty. */
static void
track_mask(void)
{
	sigset_t now;
	int sigs[] = { SIGINT, SIGTERM }, e = errno;

	sigemptyset(&now);
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &now, (size_t)(_NSIG / 8)) == 0) {
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
			if (sigismember(&now, sigs[i]) != 1)
				early_block[sigs[i]] = 0;
			else if (size_of(1) <= 0)
				early_block[sigs[i]] = 1;
		}
	}
	errno = e;
}

__attribute__((constructor)) static void
at_start(void)
{
	track_mask();
}

int
sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int r = NEXT(sigprocmask)(how, set, old);

	track_mask();
	return r;
}

int
pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	int r = NEXT(pthread_sigmask)(how, set, old);

	track_mask();
	return r;
}

/* signal(): glibc's BSD semantics (SA_RESTART, the signal blocked in its
 * handler), through the sigaction above. */
sighandler_t
signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;
	sigemptyset(&act.sa_mask);
	if (sig > 0 && sig < NSIG)
		sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old) == -1)
		return SIG_ERR;
	return old.sa_flags & SA_SIGINFO ? (sighandler_t)(void (*)(void))old.sa_sigaction : old.sa_handler;
}

/* The socket. */

/* (With _GNU_SOURCE, glibc declares the address arguments as transparent
 * unions: the same types here.) */
int
bind(int fd, __CONST_SOCKADDR_ARG to, socklen_t len)
{
	const struct sockaddr *addr = to.__sockaddr__;
	int r = NEXT(bind)(fd, to, len);

	if (r == 0 && addr != NULL && addr->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
		char path[sizeof un->sun_path + 1];
		struct stat st;
		int e = errno;

		memcpy(path, un->sun_path, sizeof un->sun_path);
		path[sizeof un->sun_path] = '\0';
		if (path[0] != '\0' && stat(path, &st) == 0)
			event("bind mode=%04o", (unsigned)(st.st_mode & 07777));
		else
			event("bind mode=none");
		errno = e;
	}
	return r;
}

int
listen(int fd, int backlog)
{
	event("listen stdout=%lld", size_of(1));
	return NEXT(listen)(fd, backlog);
}

int
accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	int r = NEXT(accept)(fd, addr, len);

	if (r >= 0)
		event("accept conn=%d", ++conns);
	return r;
}

int
accept4(int fd, __SOCKADDR_ARG addr, socklen_t *len, int flags)
{
	int r = NEXT(accept4)(fd, addr, len, flags);

	if (r >= 0)
		event("accept conn=%d", ++conns);
	return r;
}

/* Writes to a socket. */

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (fd > 2 && is_socket(fd))
		sent("write", fd, buf, len, 0);
	return NEXT(write)(fd, buf, len);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	sent("send", fd, buf, len, 0);
	return NEXT(send)(fd, buf, len, flags);
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags, __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	sent("sendto", fd, buf, len, 0);
	return NEXT(sendto)(fd, buf, len, flags, to, tolen);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (fd > 2 && is_socket(fd)) {
		char first[48];
		size_t len = 0;

		for (int i = 0; i < n && len < sizeof first; i++) {
			size_t k = iov[i].iov_len;
			size_t c = k < sizeof first - len ? k : sizeof first - len;

			memcpy(first + len, iov[i].iov_base, c);
			len += c;
		}
		sent("writev", fd, first, len, 0);
	}
	return NEXT(writev)(fd, iov, n);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	char first[48];
	size_t len = 0;
	int fds = 0;

	for (size_t i = 0; i < msg->msg_iovlen; i++) {
		size_t k = msg->msg_iov[i].iov_len;

		if (len < sizeof first) {
			size_t c = k < sizeof first - len ? k : sizeof first - len;

			memcpy(first + len, msg->msg_iov[i].iov_base, c);
			len += c;
		}
	}
	if (msg->msg_control != NULL && msg->msg_controllen >= sizeof(struct cmsghdr))
		for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
		     c = CMSG_NXTHDR((struct msghdr *)msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len >= CMSG_LEN(0))
				fds += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	sent("sendmsg", fd, first, len, fds);
	return NEXT(sendmsg)(fd, msg, flags);
}

int
vdprintf(int fd, const char *fmt, va_list ap)
{
	unsafe("vdprintf");
	if (fd > 2 && is_socket(fd)) {
		char text[64];
		va_list copy;
		int n;

		va_copy(copy, ap);
		n = vsnprintf(text, sizeof text, fmt, copy);
		va_end(copy);
		if (n >= 0)
			sent("dprintf", fd, text, strnlen(text, sizeof text), 0);
	}
	return NEXT(vdprintf)(fd, fmt, ap);
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

/* What a handler must not call (signal-safety(7)): stdio, exit(). */

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	unsafe("vfprintf");
	return NEXT(vfprintf)(f, fmt, ap);
}

int
vprintf(const char *fmt, va_list ap)
{
	unsafe("vprintf");
	return NEXT(vfprintf)(stdout, fmt, ap);
}

int
fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	unsafe("fprintf");
	va_start(ap, fmt);
	r = NEXT(vfprintf)(f, fmt, ap);
	va_end(ap);
	return r;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	unsafe("printf");
	va_start(ap, fmt);
	r = NEXT(vfprintf)(stdout, fmt, ap);
	va_end(ap);
	return r;
}

int
puts(const char *s)
{
	unsafe("puts");
	return NEXT(puts)(s);
}

int
fputs(const char *s, FILE *f)
{
	unsafe("fputs");
	return NEXT(fputs)(s, f);
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	unsafe("fwrite");
	return NEXT(fwrite)(p, size, n, f);
}

int
fputc(int c, FILE *f)
{
	unsafe("fputc");
	return NEXT(fputc)(c, f);
}

int
putc(int c, FILE *f)
{
	unsafe("putc");
	return NEXT(putc)(c, f);
}

int
putchar(int c)
{
	unsafe("putchar");
	return NEXT(putchar)(c);
}

int
fflush(FILE *f)
{
	unsafe("fflush");
	return NEXT(fflush)(f);
}

int
fclose(FILE *f)
{
	unsafe("fclose");
	return NEXT(fclose)(f);
}

void
perror(const char *s)
{
	unsafe("perror");
	NEXT(perror)(s);
}

void
exit(int status)
{
	unsafe("exit");
	NEXT(exit)(status);
	abort();
}
