/* mqreceiver.c - style: stdio for every output (fprintf()/fwrite()/putchar()),
 * signalfd + poll(), and the request checks gathered in one function that
 * says why it refuses. A correct solution of the fifo part, written from
 * fifo/HANDOUT.md alone. */
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
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

static const char *queue_name;
static int made_queue;

static void leave(int code)
{
	if (made_queue)
		(void)mq_unlink(queue_name);
	fflush(stdout);
	exit(code);
}

/* '/', then 1 to MAX bytes, none of them '/' or '\0'. */
static int queue_name_ok(const char *s, size_t len, size_t max)
{
	if (len < 2 || len - 1 > max || s[0] != '/')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (s[i] == '/' || s[i] == '\0')
			return 0;
	return 1;
}

/* One request: returns NULL when served, or why it was refused. */
static const char *serve(const char *req, size_t n, const struct stat *qst)
{
	const char *nl = memchr(req, '\n', n);
	if (nl == NULL)
		return "no newline";
	size_t namelen = (size_t)(nl - req);
	if (namelen > NAME_MAX || !queue_name_ok(req, namelen, NAME_MAX))
		return "not a queue name";
	const char *msg = nl + 1;
	size_t len = n - namelen - 1;
	if (len > FRAME_MAX)
		return "message too long";

	char reply_name[NAME_MAX + 1];
	memcpy(reply_name, req, namelen);
	reply_name[namelen] = '\0';

	mqd_t r = mq_open(reply_name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (r == (mqd_t)-1)
		return strerror(errno);
	struct stat st;
	if (fstat(r, &st) == -1) {
		mq_close(r);
		return "fstat failed";
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		mq_close(r);
		return "reply queue is not our own private queue";
	}
	if (st.st_dev == qst->st_dev && st.st_ino == qst->st_ino) {
		mq_close(r);
		return "reply queue is our request queue";
	}
	if (fwrite(msg, 1, len, stdout) != len || putchar('\n') == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "mqreceiver: stdout: %s\n", strerror(errno));
		mq_close(r);
		leave(2);
	}
	char ok[32];
	int k = snprintf(ok, sizeof(ok), "OK %zu", len);
	if (mq_send(r, ok, (size_t)k, 0) == -1)
		fprintf(stderr, "mqreceiver: reply to %s lost: %s\n", reply_name, strerror(errno));
	mq_close(r);
	return NULL;
}

int main(int argc, char *argv[])
{
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, NULL) == -1) {
		perror("mqreceiver: sigprocmask");
		return 2;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	if (argc != 2 || !queue_name_ok(argv[1], strlen(argv[1]), 200)) {
		fprintf(stderr, "usage: mqreceiver /NAME (1 to 200 characters, no '/')\n");
		return 2;
	}
	queue_name = argv[1];

	struct mq_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.mq_maxmsg = QUEUE_MSGS;
	attr.mq_msgsize = REQUEST_MAX;
	mqd_t q = mq_open(queue_name, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC,
			  0600, &attr);
	if (q == (mqd_t)-1) {
		fprintf(stderr, "mqreceiver: %s: %s\n", queue_name, strerror(errno));
		return 2;
	}
	made_queue = 1;
	struct stat qst;
	if (fstat(q, &qst) == -1) {
		perror("mqreceiver: fstat");
		leave(2);
	}
	if (qst.st_uid != geteuid() || (qst.st_mode & 0777) != 0600) {
		fprintf(stderr, "mqreceiver: %s: mode %03o, not 0600\n", queue_name,
			(unsigned)(qst.st_mode & 0777));
		leave(2);
	}

	int sfd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd == -1) {
		perror("mqreceiver: signalfd");
		leave(2);
	}
	printf("Receiver PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF)
		leave(2);

	static char req[REQUEST_MAX];
	struct pollfd pf[2] = { { .fd = sfd, .events = POLLIN }, { .fd = q, .events = POLLIN } };
	for (;;) {
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("mqreceiver: poll");
			leave(2);
		}
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				leave(0);
		}
		if (!pf[1].revents)
			continue;
		ssize_t n = mq_receive(q, req, sizeof(req), NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("mqreceiver: mq_receive");
			leave(2);
		}
		const char *why = serve(req, (size_t)n, &qst);
		if (why != NULL)
			fprintf(stderr, "mqreceiver: a request refused: %s\n", why);
	}
}
