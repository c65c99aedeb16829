/* mqreceiver.c - style: raw write(2) for all output, a handler that only sets
 * a flag, and pselect() on the queue descriptor (Linux's mqd_t is a file
 * descriptor), unblocking SIGINT/SIGTERM only while it sleeps. A correct
 * solution of the fifo part, written from fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "frame.h"

static volatile sig_atomic_t stopped;
static const char *qname;

static void on_stop(int sig)
{
	stopped = sig;
}

static void say(const char *a, const char *b)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "mqreceiver: %s%s\n", a, b);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void leave(int code)
{
	mq_unlink(qname);
	_exit(code);
}

/* Write the message and a '\n', however many writev()s it takes. */
static int print_message(const char *msg, size_t len)
{
	struct iovec iov[2] = { { (void *)msg, len }, { "\n", 1 } };
	struct iovec *v = iov;
	int cnt = 2;
	while (cnt > 0) {
		ssize_t k = writev(STDOUT_FILENO, v, cnt);
		if (k == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (cnt > 0 && (size_t)k >= v->iov_len) {
			k -= (ssize_t)v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + k;
			v->iov_len -= (size_t)k;
		}
	}
	return 0;
}

static int valid_name(const char *s, size_t len, size_t max)
{
	if (len < 2 || len - 1 > max || s[0] != '/')
		return 0;
	return memchr(s + 1, '/', len - 1) == NULL && memchr(s + 1, '\0', len - 1) == NULL;
}

int main(int argc, char *argv[])
{
	sigset_t stops, sleeping;
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
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	if (argc != 2 || !valid_name(argv[1], strlen(argv[1]), 200)) {
		say("usage: mqreceiver /NAME, 1 to 200 characters, no '/'", "");
		return 2;
	}
	qname = argv[1];
	struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REQUEST_MAX };
	mqd_t q = mq_open(qname, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1) {
		say(qname, errno == EEXIST ? ": exists already, refused" : ": cannot create");
		return 2;
	}
	struct stat qst;
	if (fstat(q, &qst) == -1 || qst.st_uid != geteuid() || (qst.st_mode & 0777) != 0600) {
		say(qname, ": not ours, or not mode 0600");
		leave(2);
	}
	if (q >= FD_SETSIZE) {
		say("descriptor out of range", "");
		leave(2);
	}
	char ready[64];
	int rl = snprintf(ready, sizeof(ready), "Receiver PID: %d\n", (int)getpid());
	if (write(STDOUT_FILENO, ready, (size_t)rl) != rl)
		leave(2);

	static char req[REQUEST_MAX];
	for (;;) {
		if (stopped)
			leave(0);
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(q, &rd);
		if (pselect(q + 1, &rd, NULL, NULL, NULL, &sleeping) == -1) {
			if (errno == EINTR)
				continue;
			say("pselect: ", strerror(errno));
			leave(2);
		}
		ssize_t n = mq_receive(q, req, sizeof(req), NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			say("mq_receive: ", strerror(errno));
			leave(2);
		}
		const char *nl = memchr(req, '\n', (size_t)n);
		if (nl == NULL) {
			say("request refused: no newline", "");
			continue;
		}
		size_t namelen = (size_t)(nl - req);
		size_t len = (size_t)n - namelen - 1;
		if (namelen > NAME_MAX || !valid_name(req, namelen, NAME_MAX - 1)) {
			say("request refused: not a queue name", "");
			continue;
		}
		if (len > FRAME_MAX) {
			say("request refused: message too long", "");
			continue;
		}
		char reply_name[NAME_MAX + 1];
		memcpy(reply_name, req, namelen);
		reply_name[namelen] = '\0';
		mqd_t r = mq_open(reply_name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (r == (mqd_t)-1) {
			say("request refused: reply queue: ", strerror(errno));
			continue;
		}
		struct stat st;
		int bad = fstat(r, &st) == -1 || st.st_uid != geteuid() ||
			  (st.st_mode & 0777) != 0600 ||
			  (st.st_dev == qst.st_dev && st.st_ino == qst.st_ino);
		if (bad) {
			say("request refused: reply queue not our own private one: ", reply_name);
			mq_close(r);
			continue;
		}
		if (print_message(req + namelen + 1, len) == -1) {
			say("stdout: ", strerror(errno));
			mq_close(r);
			leave(2);
		}
		char ok[32];
		int k = snprintf(ok, sizeof(ok), "OK %lu", (unsigned long)len);
		if (mq_send(r, ok, (size_t)k, 0) == -1)
			say("reply lost: ", strerror(errno));
		mq_close(r);
	}
}
