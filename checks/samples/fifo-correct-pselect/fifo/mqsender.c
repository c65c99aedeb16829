/* mqsender.c - style: SIGINT/SIGTERM stay blocked and a flag-setting handler
 * runs only inside ppoll(); both queues are made non-blocking (mq_setattr())
 * and waited for with ppoll() against one CLOCK_MONOTONIC deadline; stdin is
 * read() into a buffer of its own; the reply is parsed digit by digit.
 * A correct solution of the fifo part, written from fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

static char reply_name[NAME_MAX + 1];
static int made_reply;
static volatile sig_atomic_t stopped;
static sigset_t sleeping;

static void on_stop(int sig)
{
	stopped = sig;
}

static void say(const char *a, const char *b)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "mqsender: %s%s\n", a, b);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void finish(int code)
{
	if (made_reply)
		mq_unlink(reply_name);
	_exit(code);
}

/* Sleep until FD has EVENTS, or DEADLINE (NULL: none) passes: 1 ready,
 * 0 timed out. A stop signal ends the program with exit 1. */
static int await(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		if (stopped)
			finish(1);
		struct timespec left, *tp = NULL;
		if (deadline != NULL) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline->tv_sec - now.tv_sec;
			left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_nsec += 1000000000L;
				left.tv_sec--;
			}
			if (left.tv_sec < 0)
				return 0;
			tp = &left;
		}
		struct pollfd p = { .fd = fd, .events = events };
		int n = ppoll(&p, 1, tp, &sleeping);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			say("ppoll: ", strerror(errno));
			finish(2);
		}
		if (stopped)
			finish(1);
		if (n > 0)
			return 1;
		if (deadline != NULL)
			return 0;
	}
}

static int valid_name(const char *s)
{
	size_t len = strlen(s);
	return len >= 2 && len - 1 <= 200 && s[0] == '/' && strchr(s + 1, '/') == NULL;
}

/* Exactly "OK " then LEN in decimal: no sign, no leading zero, nothing more. */
static int reply_ok(const char *r, size_t k, size_t len)
{
	if (k < 4 || memcmp(r, "OK ", 3) != 0 || (r[3] == '0' && k > 4))
		return 0;
	size_t v = 0;
	for (size_t i = 3; i < k; i++) {
		if (r[i] < '0' || r[i] > '9' || v > FRAME_MAX)
			return 0;
		v = v * 10 + (size_t)(r[i] - '0');
	}
	return v == len;
}

int main(int argc, char *argv[])
{
	if (argc != 2 || !valid_name(argv[1])) {
		say("usage: mqsender /NAME, 1 to 200 characters, no '/'", "");
		return 2;
	}
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &sleeping) == -1)
		return 2;
	sigdelset(&sleeping, SIGINT);
	sigdelset(&sleeping, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
		return 2;

	snprintf(reply_name, sizeof(reply_name), "%s.reply.%d", argv[1], (int)getpid());
	struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REPLY_MAX };
	mqd_t r = mq_open(reply_name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (r == (mqd_t)-1) {
		say(reply_name, errno == EEXIST ? ": exists, not ours: refused" : ": cannot create");
		return 2;
	}
	made_reply = 1;
	struct mq_attr nb = { .mq_flags = O_NONBLOCK };
	if (mq_setattr(r, &nb, NULL) == -1) {
		say("mq_setattr: ", strerror(errno));
		finish(2);
	}

	mqd_t q = mq_open(argv[1], O_WRONLY | O_CLOEXEC);
	if (q == (mqd_t)-1) {
		say(argv[1], errno == EACCES ? ": permission denied" : ": no such queue");
		finish(2);
	}
	struct stat st;
	if (fstat(q, &st) == -1 || st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		say(argv[1], ": not our own private queue, refused");
		finish(2);
	}
	if (mq_setattr(q, &nb, NULL) == -1) {
		say("mq_setattr: ", strerror(errno));
		finish(2);
	}

	static char in[2 * (FRAME_MAX + 1)];
	static char req[REQUEST_MAX];
	size_t have = 0, namelen = strlen(reply_name);
	int eof = 0;
	memcpy(req, reply_name, namelen);
	req[namelen] = '\n';
	for (;;) {
		char *nl = memchr(in, '\n', have);
		size_t len, used;
		if (nl != NULL) {
			len = (size_t)(nl - in);
			used = len + 1;
		} else if (have > FRAME_MAX) {
			len = have;
			used = have;
		} else if (eof) {
			if (have == 0)
				finish(0);
			len = used = have;
		} else {
			await(STDIN_FILENO, POLLIN, NULL);
			ssize_t k = read(STDIN_FILENO, in + have, sizeof(in) - have);
			if (k == -1) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				say("reading stdin: ", strerror(errno));
				finish(2);
			}
			if (k == 0)
				eof = 1;
			have += (size_t)k;
			continue;
		}
		if (len > FRAME_MAX) {
			say("a line too long: not sent", "");
			finish(3);
		}
		memcpy(req + namelen + 1, in, len);
		have -= used;
		memmove(in, in + used, have);

		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += 5;
		while (mq_send(q, req, namelen + 1 + len, 0) == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				say("mq_send: ", strerror(errno));
				finish(2);
			}
			if (!await(q, POLLOUT, &deadline)) {
				say("the queue stayed full: not sent", "");
				finish(2);
			}
		}
		char reply[REPLY_MAX];
		ssize_t k;
		while ((k = mq_receive(r, reply, sizeof(reply), NULL)) == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				say("mq_receive: ", strerror(errno));
				finish(2);
			}
			if (!await(r, POLLIN, &deadline)) {
				say("no reply within 5 seconds", "");
				finish(2);
			}
		}
		if (!reply_ok(reply, (size_t)k, len)) {
			say("a wrong reply", "");
			finish(2);
		}
	}
}
