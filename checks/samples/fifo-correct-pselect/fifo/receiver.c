/* receiver.c - style: raw write(2) for all output (no stdio streams), a
 * sigaction() handler that only sets a flag, read by pselect(), which
 * unblocks SIGINT/SIGTERM only while it sleeps (no signalfd); a frame buffer
 * parsed at an offset. A correct solution of the fifo part, written from
 * fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

static char fifo_path[PATH_MAX];
static char lock_path[PATH_MAX];
static int made_fifo;
static volatile sig_atomic_t stopped;

static void on_stop(int sig)
{
	stopped = sig;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One line on stderr, through write(). */
static void say(const char *fmt, ...)
{
	char line[PATH_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)write_all(STDERR_FILENO, line, (size_t)n);
}

static void leave(int code)
{
	if (made_fifo)
		(void)unlink(fifo_path);
	(void)unlink(lock_path);
	_exit(code);
}

int main(int argc, char *argv[])
{
	sigset_t stops, sleeping;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &sleeping) == -1) {
		say("receiver: sigprocmask: %s", strerror(errno));
		return 2;
	}
	sigdelset(&sleeping, SIGINT);   /* the mask while pselect() sleeps */
	sigdelset(&sleeping, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		say("receiver: sigaction: %s", strerror(errno));
		return 2;
	}
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	if (argc != 2) {
		say("usage: receiver DIR");
		return 2;
	}
	int a = snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", argv[1]);
	int b = snprintf(lock_path, sizeof(lock_path), "%s/fifo.lock", argv[1]);
	if (a < 0 || b < 0 || (size_t)a >= sizeof(fifo_path) || (size_t)b >= sizeof(lock_path)) {
		say("receiver: %s: name too long", argv[1]);
		return 2;
	}

	int lock = -1;
	struct stat st;
	while (lock == -1) {
		int fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1) {
			say("receiver: %s: %s", lock_path, strerror(errno));
			return 2;
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			say("receiver: %s: not a regular file of ours, refused", lock_path);
			return 2;
		}
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		if (fcntl(fd, F_SETLK, &fl) == 0) {
			struct stat now;
			if (stat(lock_path, &now) == 0 && now.st_dev == st.st_dev &&
			    now.st_ino == st.st_ino)
				lock = fd;
			else
				close(fd);      /* its name is gone: try again */
			continue;
		}
		if (errno != EAGAIN && errno != EACCES) {
			say("receiver: fcntl(F_SETLK) %s: %s", lock_path, strerror(errno));
			return 2;
		}
		struct flock who = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		if (fcntl(fd, F_GETLK, &who) == -1) {
			say("receiver: fcntl(F_GETLK) %s: %s", lock_path, strerror(errno));
			return 2;
		}
		if (who.l_type != F_UNLCK) {
			say("receiver: %s is busy: served by PID %d", fifo_path, (int)who.l_pid);
			return 4;
		}
		close(fd);              /* let go meanwhile: start over */
	}

	char pid[32];
	int pl = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(lock, 0) == -1 || pwrite(lock, pid, (size_t)pl, 0) != pl) {
		say("receiver: writing %s: %s", lock_path, strerror(errno));
		leave(2);
	}

	if (lstat(fifo_path, &st) == -1) {
		if (errno != ENOENT) {
			say("receiver: lstat %s: %s", fifo_path, strerror(errno));
			leave(2);
		}
	} else if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid()) {
		say("receiver: %s is there and not our FIFO: refused", fifo_path);
		leave(2);
	} else if (unlink(fifo_path) == -1) {   /* a killed receiver's leftover */
		say("receiver: unlink %s: %s", fifo_path, strerror(errno));
		leave(2);
	}
	if (mkfifo(fifo_path, 0600) == -1) {
		say("receiver: mkfifo %s: %s", fifo_path, strerror(errno));
		leave(2);
	}
	made_fifo = 1;
	int in = open(fifo_path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (in == -1) {
		say("receiver: open %s: %s", fifo_path, strerror(errno));
		leave(2);
	}
	if (fstat(in, &st) == -1 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0777) != 0600) {
		say("receiver: %s is not our private FIFO", fifo_path);
		leave(2);
	}
	int keep = open(fifo_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (keep == -1 || in >= FD_SETSIZE) {
		say("receiver: open %s for writing: %s", fifo_path, strerror(errno));
		leave(2);
	}

	char ready[64];
	int rl = snprintf(ready, sizeof(ready), "Receiver PID: %d\n", (int)getpid());
	if (write_all(STDOUT_FILENO, ready, (size_t)rl) == -1)
		leave(2);

	static char buf[2 * (4 + FRAME_MAX)];
	size_t have = 0;
	for (;;) {
		if (stopped)
			leave(0);
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(in, &rd);
		int n = pselect(in + 1, &rd, NULL, NULL, NULL, &sleeping);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			say("receiver: pselect: %s", strerror(errno));
			leave(2);
		}
		ssize_t k = read(in, buf + have, sizeof(buf) - have);
		if (k == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			say("receiver: read: %s", strerror(errno));
			leave(2);
		}
		if (k == 0) {           /* can't be, with keep open */
			say("receiver: end of file on %s", fifo_path);
			leave(2);
		}
		have += (size_t)k;
		size_t at = 0;
		while (have - at >= 4) {
			uint32_t len;
			memcpy(&len, buf + at, 4);
			if (len > FRAME_MAX) {
				say("receiver: a frame claims %lu bytes: refused", (unsigned long)len);
				leave(3);
			}
			if (have - at < 4 + (size_t)len)
				break;
			if (write_all(STDOUT_FILENO, buf + at + 4, len) == -1 ||
			    write_all(STDOUT_FILENO, "\n", 1) == -1) {
				say("receiver: stdout: %s", strerror(errno));
				leave(2);
			}
			at += 4 + (size_t)len;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
	}
}
