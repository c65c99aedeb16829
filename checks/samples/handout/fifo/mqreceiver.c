/* mqreceiver.c - Part 5: serve the message queue QUEUE, print every message.
 *
 *   mqreceiver QUEUE
 *
 * A request is the name of the sender's reply queue, '\n', then the message.
 * We print the message and reply "OK N" only if that reply queue is a queue
 * of our own user with mode 0600; anything else is refused and we serve on.
 * Exit 0: stopped by SIGINT/SIGTERM; 2: the queue exists, or anything else
 * failed.
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
#include <unistd.h>

#include "frame.h"

#define REPLY_NAME_MAX 255 /* NAME_MAX: the longest reply queue name we accept */

static const char *queue_name;
static int made_queue = 0;
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void finish(int status)
{
	if (made_queue && mq_unlink(queue_name) == -1)
		fprintf(stderr, "mqreceiver: cannot remove %s: %s\n", queue_name, strerror(errno));
	exit(status);
}

static void fail(const char *what)
{
	fprintf(stderr, "mqreceiver: %s: %s\n", what, strerror(errno));
	finish(2);
}

/* A '/', then 1 to max bytes, none of them '/' (nor '\0'). */
static int valid_name(const char *name, size_t len, size_t max)
{
	if (len < 2 || len > 1 + max || name[0] != '/')
		return 0;
	return memchr(name + 1, '/', len - 1) == NULL && memchr(name, '\0', len) == NULL;
}

/* Handle one request; return a reason it was refused, or NULL if served. */
static const char *serve(const char *req, size_t n, const struct stat *own)
{
	char name[REPLY_NAME_MAX + 1];
	char reply[REPLY_MAX];
	const char *nl = memchr(req, '\n', n);
	const char *msg;
	size_t name_len, msg_len;
	struct stat st;
	mqd_t rq;
	int r;

	if (nl == NULL)
		return "no '\\n' after the reply queue's name";
	name_len = (size_t)(nl - req);
	msg = nl + 1;
	msg_len = n - name_len - 1;
	if (msg_len > FRAME_MAX)
		return "message longer than FRAME_MAX";
	if (!valid_name(req, name_len, REPLY_NAME_MAX - 1))
		return "not a valid reply queue name";
	memcpy(name, req, name_len);
	name[name_len] = '\0';
	if (strcmp(name, queue_name) == 0)
		return "the reply queue is our own request queue";

	/* The name is only a claim: open it as it is (never O_CREAT) and look. */
	rq = mq_open(name, O_WRONLY | O_NONBLOCK);
	if (rq == (mqd_t)-1)
		return errno == ENOENT ? "no such reply queue" : "cannot open the reply queue";
	if (fstat(rq, &st) == -1) {
		mq_close(rq);
		return "cannot fstat the reply queue";
	}
	if (st.st_dev == own->st_dev && st.st_ino == own->st_ino) {
		mq_close(rq);
		return "the reply queue is our own request queue";
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		mq_close(rq);
		return "the reply queue is not our own user's with mode 0600";
	}

	if (fwrite(msg, 1, msg_len, stdout) != msg_len || putchar('\n') == EOF || fflush(stdout) == EOF) {
		mq_close(rq);
		fail("cannot write to stdout");
	}
	r = snprintf(reply, sizeof reply, "OK %lu", (unsigned long)msg_len);
	if (mq_send(rq, reply, (size_t)r, 0) == -1)
		fprintf(stderr, "mqreceiver: reply lost: %s\n", strerror(errno)); /* never wait */
	mq_close(rq);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t stops, waitmask;
	struct mq_attr attr, nb;
	struct stat own;
	static char req[REQUEST_MAX];
	mqd_t q;

	if (argc != 2 || !valid_name(argv[1], strlen(argv[1]), 200)) {
		fprintf(stderr, "usage: %s /NAME (1 to 200 characters, no '/')\n",
		        argc > 0 ? argv[0] : "mqreceiver");
		return 2;
	}
	queue_name = argv[1];

	/* SIGINT and SIGTERM are blocked everywhere but in ppoll(). */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &waitmask) == -1) {
		perror("mqreceiver: sigprocmask");
		return 2;
	}
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		perror("mqreceiver: sigaction");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	memset(&attr, 0, sizeof attr);
	attr.mq_maxmsg = QUEUE_MSGS;
	attr.mq_msgsize = REQUEST_MAX;
	q = mq_open(queue_name, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr);
	if (q == (mqd_t)-1) {
		fprintf(stderr, "mqreceiver: cannot create %s: %s%s\n", queue_name, strerror(errno),
		        errno == EEXIST ? " (whoever made it, it isn't ours): refused" : "");
		return 2; /* not ours: left as it was */
	}
	made_queue = 1;
	if (fstat(q, &own) == -1)
		fail("fstat");
	if (own.st_uid != geteuid() || (own.st_mode & 0777) != 0600) {
		fprintf(stderr, "mqreceiver: %s has mode %04o, not 0600 (umask?)\n",
		        queue_name, (unsigned)(own.st_mode & 0777));
		finish(2);
	}
	/* We sleep in ppoll() (a Linux queue descriptor is a file descriptor),
	 * and then take what's there without blocking. */
	memset(&nb, 0, sizeof nb);
	nb.mq_flags = O_NONBLOCK;
	if (mq_setattr(q, &nb, NULL) == -1)
		fail("mq_setattr");

	printf("Receiver PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF)
		fail("cannot write to stdout");

	for (;;) {
		struct pollfd pfd;
		ssize_t n;
		const char *why;

		pfd.fd = q;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &waitmask) == -1 && errno != EINTR)
			fail("ppoll");
		if (stop_signal)
			finish(0);

		n = mq_receive(q, req, sizeof req, NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fail("mq_receive");
		}
		why = serve(req, (size_t)n, &own);
		if (why != NULL)
			fprintf(stderr, "mqreceiver: request refused: %s\n", why);
	}
}
