/* mqsender.c - style: stdio (getline(), fprintf()), a sigaction() handler
 * that removes the reply queue and _exit()s, and blocking mq_timedsend()/
 * mq_timedreceive() with one deadline. A correct solution of the fifo part,
 * written from fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

static char reply_name[256];

/* mq_unlink() is a bare system call with glibc on Linux. */
static void stop(int sig)
{
	(void)sig;
	mq_unlink(reply_name);
	_exit(1);
}

static void quit(int code)
{
	mq_unlink(reply_name);
	exit(code);
}

static int queue_name_ok(const char *s)
{
	size_t len = strlen(s);
	if (len < 2 || len - 1 > 200 || s[0] != '/')
		return 0;
	return strchr(s + 1, '/') == NULL;
}

int main(int argc, char *argv[])
{
	if (argc != 2 || !queue_name_ok(argv[1])) {
		fprintf(stderr, "usage: mqsender /NAME (1 to 200 characters, no '/')\n");
		return 2;
	}
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, NULL) == -1) {
		perror("mqsender: sigprocmask");
		return 2;
	}
	int w = snprintf(reply_name, sizeof(reply_name), "%s.reply.%ld", argv[1], (long)getpid());
	if (w < 0 || (size_t)w >= sizeof(reply_name)) {
		fprintf(stderr, "mqsender: reply queue name too long\n");
		return 2;
	}
	struct mq_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.mq_maxmsg = QUEUE_MSGS;
	attr.mq_msgsize = REPLY_MAX;
	mqd_t r = mq_open(reply_name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (r == (mqd_t)-1) {
		fprintf(stderr, "mqsender: %s: %s\n", reply_name, strerror(errno));
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		perror("mqsender: sigaction");
		quit(2);
	}
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_UNBLOCK, &stops, NULL) == -1) {
		perror("mqsender: sigprocmask");
		quit(2);
	}

	mqd_t q = mq_open(argv[1], O_WRONLY | O_CLOEXEC);
	if (q == (mqd_t)-1) {
		fprintf(stderr, "mqsender: %s: %s\n", argv[1], strerror(errno));
		quit(2);
	}
	struct stat st;
	if (fstat(q, &st) == -1) {
		perror("mqsender: fstat");
		quit(2);
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "mqsender: %s is not our own private queue: refused\n", argv[1]);
		quit(2);
	}

	static char req[REQUEST_MAX];
	size_t namelen = strlen(reply_name);
	memcpy(req, reply_name, namelen);
	req[namelen] = '\n';

	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) != -1) {
		size_t len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > FRAME_MAX) {
			fprintf(stderr, "mqsender: a line longer than %d bytes: not sent\n", FRAME_MAX);
			quit(3);
		}
		memcpy(req + namelen + 1, line, len);

		struct timespec deadline;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 5;
		if (mq_timedsend(q, req, namelen + 1 + len, 0, &deadline) == -1) {
			fprintf(stderr, "mqsender: send: %s\n", strerror(errno));
			quit(2);
		}
		char reply[REPLY_MAX];
		ssize_t k = mq_timedreceive(r, reply, sizeof(reply), NULL, &deadline);
		if (k == -1) {
			fprintf(stderr, "mqsender: no reply: %s\n", strerror(errno));
			quit(2);
		}
		char want[32];
		int wl = snprintf(want, sizeof(want), "OK %zu", len);
		if (k != wl || memcmp(reply, want, (size_t)wl) != 0) {
			fprintf(stderr, "mqsender: a wrong reply: '%.*s'\n", (int)k, reply);
			quit(2);
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "mqsender: reading stdin: %s\n", strerror(errno));
		quit(2);
	}
	free(line);
	quit(0);
}
