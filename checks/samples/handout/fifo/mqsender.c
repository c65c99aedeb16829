/* mqsender.c - Part 5: send stdin's lines to mqreceiver QUEUE.
 *
 *   mqsender QUEUE
 *
 * Makes its own private reply queue QUEUE.reply.PID, then sends one request
 * per line ("QUEUE.reply.PID\n" then the line's bytes) and waits at most 5
 * seconds for the reply "OK N". Exit 0: every line sent and acknowledged;
 * 1: SIGINT/SIGTERM; 2: not our own private queue, no reply or a wrong one,
 * or anything else failed; 3: a line longer than FRAME_MAX.
 * The reply queue is removed on every exit path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

#define TIMEOUT_SECONDS 5

static char reply_name[256];
static int made_reply = 0;
static volatile sig_atomic_t stop_signal = 0;
static sigset_t waitmask; /* our mask with SIGINT and SIGTERM let through */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void finish(int status)
{
	if (made_reply && mq_unlink(reply_name) == -1)
		fprintf(stderr, "mqsender: cannot remove %s: %s\n", reply_name, strerror(errno));
	exit(status);
}

static void fail(const char *what)
{
	fprintf(stderr, "mqsender: %s: %s\n", what, strerror(errno));
	finish(2);
}

static int valid_queue(const char *name)
{
	size_t len = strlen(name);

	return len >= 2 && len <= 201 && name[0] == '/' && strchr(name + 1, '/') == NULL;
}

/* Sleep until fd has events, SIGINT/SIGTERM (exit 1) or the deadline (if
 * deadline is not NULL: return 0). Signals are blocked everywhere else. */
static int wait_for(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		struct pollfd pfd;
		struct timespec now, left, *timeout = NULL;
		int r;

		if (deadline != NULL) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline->tv_sec - now.tv_sec;
			left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_nsec += 1000000000L;
				left.tv_sec--;
			}
			if (left.tv_sec < 0)
				left.tv_sec = left.tv_nsec = 0;
			timeout = &left;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = ppoll(&pfd, 1, timeout, &waitmask);
		if (stop_signal)
			finish(1);
		if (r == -1 && errno != EINTR)
			fail("ppoll");
		if (r > 0)
			return 1;
		if (r == 0 && deadline != NULL)
			return 0; /* the deadline passed */
	}
}

/* stdin, read with read() so that a signal can stop us while we wait. */
static unsigned char inbuf[65536];
static size_t in_pos = 0, in_len = 0;
static int in_eof = 0;

static int next_byte(void)
{
	if (in_pos == in_len) {
		ssize_t n;

		if (in_eof)
			return EOF;
		wait_for(0, POLLIN, NULL);
		n = read(0, inbuf, sizeof inbuf);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return next_byte();
			fail("cannot read stdin");
		}
		if (n == 0) {
			in_eof = 1;
			return EOF;
		}
		in_pos = 0;
		in_len = (size_t)n;
	}
	return inbuf[in_pos++];
}

static void deadline_in(struct timespec *deadline, int seconds)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += seconds;
}

int main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t stops;
	struct mq_attr attr, nb;
	struct stat st;
	static char req[REQUEST_MAX];
	size_t name_len;
	mqd_t rq, q;

	if (argc != 2 || !valid_queue(argv[1])) {
		fprintf(stderr, "usage: %s /NAME (1 to 200 characters, no '/')\n",
		        argc > 0 ? argv[0] : "mqsender");
		return 2;
	}

	/* SIGINT and SIGTERM are blocked everywhere but in ppoll(). */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &waitmask) == -1) {
		perror("mqsender: sigprocmask");
		return 2;
	}
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		perror("mqsender: sigaction");
		return 2;
	}

	/* Our reply queue: new (O_EXCL), ours, private. */
	snprintf(reply_name, sizeof reply_name, "%s.reply.%ld", argv[1], (long)getpid());
	name_len = strlen(reply_name);
	memset(&attr, 0, sizeof attr);
	attr.mq_maxmsg = QUEUE_MSGS;
	attr.mq_msgsize = REPLY_MAX;
	rq = mq_open(reply_name, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr);
	if (rq == (mqd_t)-1) {
		fprintf(stderr, "mqsender: cannot create %s: %s\n", reply_name, strerror(errno));
		return 2;
	}
	made_reply = 1;
	if (fstat(rq, &st) == -1)
		fail("fstat");
	if (st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "mqsender: %s has mode %04o, not 0600 (umask?)\n",
		        reply_name, (unsigned)(st.st_mode & 0777));
		finish(2);
	}
	memset(&nb, 0, sizeof nb);
	nb.mq_flags = O_NONBLOCK;
	if (mq_setattr(rq, &nb, NULL) == -1)
		fail("mq_setattr");

	/* The receiver's queue: never O_CREAT, and only if it is ours, 0600. */
	q = mq_open(argv[1], O_WRONLY);
	if (q == (mqd_t)-1) {
		fprintf(stderr, "mqsender: cannot open %s: %s\n", argv[1], strerror(errno));
		finish(2);
	}
	if (fstat(q, &st) == -1)
		fail("fstat");
	if (st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "mqsender: %s is not our own private queue (mode 0600): refused\n", argv[1]);
		finish(2);
	}
	if (mq_setattr(q, &nb, NULL) == -1)
		fail("mq_setattr");

	memcpy(req, reply_name, name_len);
	req[name_len] = '\n';

	for (;;) {
		char reply[REPLY_MAX + 1], expect[32];
		struct timespec deadline;
		size_t len = 0;
		ssize_t n;
		int c;

		while ((c = next_byte()) != EOF && c != '\n') {
			if (len == FRAME_MAX) {
				fprintf(stderr, "mqsender: a line longer than %d bytes: not sent\n", FRAME_MAX);
				finish(3);
			}
			req[name_len + 1 + len++] = (char)c;
		}
		if (c == EOF && len == 0)
			break;

		deadline_in(&deadline, TIMEOUT_SECONDS);
		for (;;) {
			if (!wait_for(q, POLLOUT, &deadline)) {
				fprintf(stderr, "mqsender: %s stays full: no receiver?\n", argv[1]);
				finish(2);
			}
			if (mq_send(q, req, name_len + 1 + len, 0) == 0)
				break;
			if (errno != EAGAIN)
				fail("mq_send");
		}

		deadline_in(&deadline, TIMEOUT_SECONDS);
		for (;;) {
			if (!wait_for(rq, POLLIN, &deadline)) {
				fprintf(stderr, "mqsender: no reply within %d seconds\n", TIMEOUT_SECONDS);
				finish(2);
			}
			n = mq_receive(rq, reply, REPLY_MAX, NULL);
			if (n >= 0)
				break;
			if (errno != EAGAIN)
				fail("mq_receive");
		}
		snprintf(expect, sizeof expect, "OK %lu", (unsigned long)len);
		if ((size_t)n != strlen(expect) || memcmp(reply, expect, (size_t)n) != 0) {
			fprintf(stderr, "mqsender: wrong reply (expected \"%s\")\n", expect);
			finish(2);
		}
		if (c == EOF)
			break;
	}
	mq_close(q);
	mq_close(rq);
	finish(0);
	return 0;
}
