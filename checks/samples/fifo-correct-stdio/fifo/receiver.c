/* receiver.c - style: stdio for every output (fprintf()/fwrite()/putchar()/
 * dprintf()), signalfd + poll(), and a two-phase reader that reads the 4-byte
 * length and then exactly the body, never more. A correct solution of the
 * fifo part, written from fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

static char fifo_path[PATH_MAX];
static char lock_path[PATH_MAX];
static int made_fifo;

/* Every exit after we hold the lock: the FIFO, then the lock file, then
 * (by exiting) the lock itself. */
static void leave(int code)
{
	if (made_fifo)
		(void)unlink(fifo_path);
	(void)unlink(lock_path);
	fflush(stdout);
	exit(code);
}

static void build(char *buf, const char *dir, const char *leaf)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, leaf);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "receiver: %s/%s: name too long\n", dir, leaf);
		exit(2);
	}
}

/* Open and lock DIR/fifo.lock; returns its descriptor, or exits 2 or 4. */
static int take_lock(void)
{
	for (;;) {
		int fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1) {
			fprintf(stderr, "receiver: %s: %s\n", lock_path, strerror(errno));
			exit(2);
		}
		struct stat st;
		if (fstat(fd, &st) == -1) {
			fprintf(stderr, "receiver: fstat %s: %s\n", lock_path, strerror(errno));
			exit(2);
		}
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			fprintf(stderr, "receiver: %s is not our own regular file: refused\n", lock_path);
			exit(2);
		}
		struct flock fl;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == -1) {
			if (errno != EACCES && errno != EAGAIN) {
				fprintf(stderr, "receiver: lock %s: %s\n", lock_path, strerror(errno));
				exit(2);
			}
			memset(&fl, 0, sizeof(fl));
			fl.l_type = F_WRLCK;
			fl.l_whence = SEEK_SET;
			if (fcntl(fd, F_GETLK, &fl) == -1) {
				fprintf(stderr, "receiver: F_GETLK %s: %s\n", lock_path, strerror(errno));
				exit(2);
			}
			if (fl.l_type == F_UNLCK) {     /* its holder let go meanwhile */
				close(fd);
				continue;
			}
			fprintf(stderr, "receiver: %s is busy: served by PID %ld\n",
				fifo_path, (long)fl.l_pid);
			exit(4);
		}
		struct stat now;
		if (stat(lock_path, &now) == -1 || now.st_dev != st.st_dev ||
		    now.st_ino != st.st_ino) {
			close(fd);              /* we locked a file with no name: again */
			continue;
		}
		return fd;
	}
}

int main(int argc, char *argv[])
{
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, NULL) == -1) {
		perror("receiver: sigprocmask");
		return 2;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	if (argc != 2) {
		fprintf(stderr, "usage: receiver DIR\n");
		return 2;
	}
	build(fifo_path, argv[1], "fifo");
	build(lock_path, argv[1], "fifo.lock");

	int lock = take_lock();
	/* From here on, every exit goes through leave(). */
	if (ftruncate(lock, 0) == -1 || lseek(lock, 0, SEEK_SET) == -1 ||
	    dprintf(lock, "%ld\n", (long)getpid()) < 0) {
		fprintf(stderr, "receiver: writing %s: %s\n", lock_path, strerror(errno));
		leave(2);
	}

	struct stat st;
	if (lstat(fifo_path, &st) == 0) {
		if (S_ISFIFO(st.st_mode) && st.st_uid == geteuid()) {
			if (unlink(fifo_path) == -1) {
				fprintf(stderr, "receiver: removing leftover %s: %s\n",
					fifo_path, strerror(errno));
				leave(2);
			}
		} else {
			fprintf(stderr, "receiver: %s exists and isn't ours: refused\n", fifo_path);
			leave(2);
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "receiver: lstat %s: %s\n", fifo_path, strerror(errno));
		leave(2);
	}
	if (mkfifo(fifo_path, 0600) == -1) {
		fprintf(stderr, "receiver: mkfifo %s: %s\n", fifo_path, strerror(errno));
		leave(2);
	}
	made_fifo = 1;

	int in = open(fifo_path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (in == -1 || fstat(in, &st) == -1) {
		fprintf(stderr, "receiver: open %s: %s\n", fifo_path, strerror(errno));
		leave(2);
	}
	if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "receiver: %s is not our private FIFO (mode %03o)\n",
			fifo_path, (unsigned)(st.st_mode & 0777));
		leave(2);
	}
	int keep = open(fifo_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (keep == -1) {
		fprintf(stderr, "receiver: open %s for writing: %s\n", fifo_path, strerror(errno));
		leave(2);
	}

	int sfd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd == -1) {
		perror("receiver: signalfd");
		leave(2);
	}
	printf("Receiver PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF)
		leave(2);

	/* Phase 1: the 4 bytes of the length. Phase 2: exactly len bytes. */
	unsigned char head[4];
	static char body[FRAME_MAX];
	size_t got = 0;                 /* bytes of the current phase */
	int in_body = 0;
	uint32_t len = 0;

	struct pollfd pf[2] = { { .fd = sfd, .events = POLLIN }, { .fd = in, .events = POLLIN } };
	for (;;) {
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("receiver: poll");
			leave(2);
		}
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				leave(0);
		}
		if (!pf[1].revents)
			continue;
		/* Read until the pipe is empty, but at most a few times before
		 * poll() looks at the signals again: a flood can't keep us up. */
		for (int round = 0; round < 64; round++) {
			ssize_t n;
			if (!in_body)
				n = read(in, head + got, sizeof(head) - got);
			else
				n = read(in, body + got, len - got);
			if (n == -1) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				perror("receiver: read");
				leave(2);
			}
			if (n == 0 && (in_body ? len - got : sizeof(head) - got) != 0) {
				fprintf(stderr, "receiver: unexpected end of file\n");
				leave(2);
			}
			got += (size_t)n;
			if (!in_body && got == sizeof(head)) {
				memcpy(&len, head, sizeof(len));
				if (len > FRAME_MAX) {
					fprintf(stderr, "receiver: a frame of %lu bytes: refused\n",
						(unsigned long)len);
					leave(3);
				}
				in_body = 1;
				got = 0;
			}
			if (in_body && got == len) {
				if (fwrite(body, 1, len, stdout) != len || putchar('\n') == EOF ||
				    fflush(stdout) == EOF) {
					fprintf(stderr, "receiver: stdout: %s\n", strerror(errno));
					leave(2);
				}
				in_body = 0;
				got = 0;
			}
		}
	}
}
