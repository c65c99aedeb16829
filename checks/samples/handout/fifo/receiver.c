/* receiver.c - Part 5: serve DIR/fifo, print every message that arrives.
 *
 *   receiver DIR
 *
 * Exit 0: stopped by SIGINT/SIGTERM; 2: a name that isn't ours, or anything
 * else failed; 3: a frame that claims more than FRAME_MAX bytes; 4: the name
 * is busy (another process holds the lock on DIR/fifo.lock).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "frame.h"

static char fifo_path[PATH_MAX];
static char lock_path[PATH_MAX];
static int lock_fd = -1;     /* holds our fcntl lock once have_lock is set */
static int have_lock = 0;    /* the lock file is ours: remove it when we exit */
static int made_fifo = 0;    /* the FIFO is ours: remove it when we exit */

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Every exit after we took the lock goes through here: the FIFO, then the
 * lock file, and only then (when the process ends) the lock itself. */
static void finish(int status)
{
	if (made_fifo && unlink(fifo_path) == -1 && errno != ENOENT)
		fprintf(stderr, "receiver: cannot remove %s: %s\n", fifo_path, strerror(errno));
	if (have_lock && unlink(lock_path) == -1 && errno != ENOENT)
		fprintf(stderr, "receiver: cannot remove %s: %s\n", lock_path, strerror(errno));
	exit(status); /* closing lock_fd (at exit) releases the lock */
}

static void fail(const char *what)
{
	fprintf(stderr, "receiver: %s: %s\n", what, strerror(errno));
	finish(2);
}

/* Take the lock on DIR/fifo.lock, or exit (2: not ours, 4: busy). */
static void take_lock(void)
{
	for (;;) {
		struct stat fst, pst;
		struct flock fl;

		lock_fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
		if (lock_fd == -1) {
			fprintf(stderr, "receiver: cannot open %s: %s\n", lock_path, strerror(errno));
			exit(2);
		}
		if (fstat(lock_fd, &fst) == -1) {
			fprintf(stderr, "receiver: fstat %s: %s\n", lock_path, strerror(errno));
			exit(2);
		}
		if (!S_ISREG(fst.st_mode) || fst.st_uid != geteuid()) {
			fprintf(stderr, "receiver: %s is not a regular file of our own: refused\n", lock_path);
			exit(2); /* left alone */
		}

		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 0;
		fl.l_len = 0; /* the whole file */
		if (fcntl(lock_fd, F_SETLK, &fl) == -1) {
			if (errno != EACCES && errno != EAGAIN) {
				fprintf(stderr, "receiver: cannot lock %s: %s\n", lock_path, strerror(errno));
				exit(2);
			}
			memset(&fl, 0, sizeof fl);
			fl.l_type = F_WRLCK;
			fl.l_whence = SEEK_SET;
			fl.l_start = 0;
			fl.l_len = 0;
			if (fcntl(lock_fd, F_GETLK, &fl) == -1) {
				fprintf(stderr, "receiver: cannot query the lock on %s: %s\n", lock_path, strerror(errno));
				exit(2);
			}
			if (fl.l_type == F_UNLCK) { /* let go in the meantime: try again */
				close(lock_fd);
				continue;
			}
			fprintf(stderr, "receiver: %s is busy: served by PID %ld (it holds the lock on %s)\n",
			        fifo_path, (long)fl.l_pid, lock_path);
			exit(4); /* touches neither file: they are the other receiver's */
		}

		/* Locked. Is the name still the file we locked? A receiver that was
		 * exiting may have removed it between our open() and our lock. */
		if (stat(lock_path, &pst) == -1 || pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino) {
			close(lock_fd); /* releases that lock: start over */
			continue;
		}
		have_lock = 1;
		return;
	}
}

static void write_pid(void)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());

	if (ftruncate(lock_fd, 0) == -1)
		fail("cannot truncate the lock file");
	if (pwrite(lock_fd, line, (size_t)n, 0) != n)
		fail("cannot write the lock file");
}

/* Make DIR/fifo, ours and private; return the read end. *wfd gets a write
 * end that we keep, so that read() never sees end-of-file. */
static int make_fifo(int *wfd)
{
	struct stat st, wst;
	int rfd;

	if (lstat(fifo_path, &st) == 0) {
		if (S_ISFIFO(st.st_mode) && st.st_uid == geteuid()) {
			/* A leftover of a receiver that was killed: we hold the lock,
			 * so no one serves it. */
			if (unlink(fifo_path) == -1)
				fail("cannot remove the old FIFO");
		} else {
			fprintf(stderr, "receiver: %s exists and is not a FIFO of our own: refused\n", fifo_path);
			finish(2); /* made_fifo is 0: it is left as it was */
		}
	} else if (errno != ENOENT) {
		fail("lstat");
	}

	if (mkfifo(fifo_path, 0600) == -1) {
		if (errno == EEXIST)
			fprintf(stderr, "receiver: %s was made by someone else meanwhile: refused\n", fifo_path);
		else
			fprintf(stderr, "receiver: mkfifo %s: %s\n", fifo_path, strerror(errno));
		finish(2);
	}
	made_fifo = 1;

	rfd = open(fifo_path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
	if (rfd == -1)
		fail("cannot open the FIFO for reading");
	if (fstat(rfd, &st) == -1)
		fail("fstat FIFO");
	if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "receiver: %s is not our own FIFO with mode 0600 (mode %04o): refused\n",
		        fifo_path, (unsigned)(st.st_mode & 0777));
		finish(2);
	}

	*wfd = open(fifo_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
	if (*wfd == -1)
		fail("cannot open the FIFO for writing");
	if (fstat(*wfd, &wst) == -1)
		fail("fstat FIFO");
	if (wst.st_dev != st.st_dev || wst.st_ino != st.st_ino) {
		fprintf(stderr, "receiver: %s changed while we opened it: refused\n", fifo_path);
		finish(2);
	}
	return rfd;
}

static void print_message(const unsigned char *msg, size_t len)
{
	if (fwrite(msg, 1, len, stdout) != len || putchar('\n') == EOF || fflush(stdout) == EOF)
		fail("cannot write to stdout");
}

int main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t stops, waitmask;
	static unsigned char buf[2 * (4 + FRAME_MAX)];
	size_t have = 0;
	int rfd, wfd;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: %s DIR\n", argc > 0 ? argv[0] : "receiver");
		return 2;
	}
	if ((size_t)snprintf(fifo_path, sizeof fifo_path, "%s/fifo", argv[1]) >= sizeof fifo_path
	    || (size_t)snprintf(lock_path, sizeof lock_path, "%s/fifo.lock", argv[1]) >= sizeof lock_path) {
		fprintf(stderr, "receiver: %s: name too long\n", argv[1]);
		return 2;
	}

	/* SIGINT and SIGTERM are blocked everywhere but in ppoll(), so that they
	 * can't come between our check of stop_signal and our going to sleep. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &waitmask) == -1) {
		perror("receiver: sigprocmask");
		return 2;
	}
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		perror("receiver: sigaction");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error (exit 2), not death */

	take_lock();
	write_pid();
	rfd = make_fifo(&wfd);

	printf("Receiver PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF)
		fail("cannot write to stdout");

	for (;;) {
		struct pollfd pfd;
		ssize_t n;

		pfd.fd = rfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &waitmask) == -1 && errno != EINTR)
			fail("ppoll");
		if (stop_signal)
			finish(0);

		n = read(rfd, buf + have, sizeof buf - have);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fail("read");
		}
		if (n == 0) { /* can't happen while we hold a write end */
			fprintf(stderr, "receiver: unexpected end of file on %s\n", fifo_path);
			finish(2);
		}
		have += (size_t)n;

		/* Take out every whole frame; keep what's left of the next one. */
		for (;;) {
			uint32_t len;

			if (have < 4)
				break;
			memcpy(&len, buf, 4);
			if (len > FRAME_MAX) {
				fprintf(stderr, "receiver: a frame claims %lu bytes (more than %d): refused\n",
				        (unsigned long)len, FRAME_MAX);
				finish(3);
			}
			if (have < 4 + (size_t)len)
				break;
			print_message(buf + 4, len);
			have -= 4 + (size_t)len;
			memmove(buf, buf + 4 + len, have);
		}
	}
}
