/* mqreceiver.c - Part 5: the receiver again, on a POSIX message queue.
 *
 *     mqreceiver QUEUE
 *
 * Makes the private queue QUEUE (like /letters), says "Receiver PID: N",
 * then serves requests (mqsender.c): each is the name of the sender's reply
 * queue, '\n', then the message's bytes. It prints the bytes and '\n', and
 * replies "OK N" (N the message's length) into the reply queue, if that
 * queue is really the sender's: our own user's, mode 0600. A request that
 * isn't is refused (a line on stderr) and it serves on. SIGINT or SIGTERM:
 * exit 0. A bad QUEUE, a queue that exists already, or any failure: exit 2.
 * The queue is removed on every path after we made it.
 *
 *     $ ./mqreceiver /letters &
 *     Receiver PID: 4243
 *     $ echo hello | ./mqsender /letters
 *     hello
 *
 * How it differs from the readings, and why:
 *
 *   - O_EXCL, mode 0600: a queue that someone made before us (anyone can
 *     pick the same name) is refused and left alone, never used. Whoever
 *     made it could read every request.
 *   - A message queue doesn't say who sent a message: the reply queue's name
 *     in a request is only a claim. Replying wherever the request says would
 *     make us a confused deputy, writing into queues for whoever asks. We
 *     write only into a queue of our own user that no one else can open:
 *     fstat() on the descriptor we opened, never O_CREAT. And never wait on
 *     it (O_NONBLOCK): a full reply queue loses its reply, it doesn't stop us.
 *   - On Linux a queue descriptor is a file descriptor: poll() sleeps on it
 *     and on a signalfd at once, the stop signals blocked, as in receiver.c.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <mqueue.h>

#include "common.h"

static const char *queue;       /* the queue we serve */
static int made;                /* we made it: we remove it */
static struct stat queue_st;    /* fstat() of it */

/* quit: remove our queue, exit with STATUS. */
static _Noreturn void
quit(int status)
{
	if (made && mq_unlink(queue) == -1)
		warn("mq_unlink(%s)", queue);
	exit(status);
}

/* print: the message's bytes, then '\n', in one piece. */
static void
print(const char *bytes, size_t len)
{
	static char out[FRAME_MAX + 1];

	memcpy(out, bytes, len);
	out[len] = '\n';
	if (write_all(STDOUT_FILENO, out, len + 1) == -1) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}
}

/* open_reply: open the reply queue NAME if it is the sender's (our own user's,
 * private), or say why not and return -1. */
static mqd_t
open_reply(const char *name)
{
	struct stat st;
	mqd_t q;

	q = mq_open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (q == (mqd_t)-1) {
		warn("refused a request: reply queue %s", name);
		return (mqd_t)-1;
	}
	if (fstat(q, &st) == -1) {
		warn("refused a request: fstat(%s)", name);
	} else if (!ours(&st)) {
		warnx("refused a request: reply queue %s (user %ld, mode %03o) is not a "
		      "private queue of ours", name, (long)st.st_uid,
		      (unsigned)(st.st_mode & 07777));
	} else if (st.st_dev == queue_st.st_dev && st.st_ino == queue_st.st_ino) {
		warnx("refused a request: its reply queue is %s itself", queue);
	} else {
		return q;
	}
	(void)mq_close(q);
	return (mqd_t)-1;
}

/* serve: one request of N bytes. */
static void
serve(const char *req, size_t n)
{
	char name[NAME_MAX + 1], reply[REPLY_MAX];
	const char *nl = memchr(req, '\n', n);
	size_t namelen, len;
	int rlen;
	mqd_t q;

	if (nl == NULL) {
		warnx("refused a request with no '\\n': no reply queue");
		return;
	}
	namelen = (size_t)(nl - req);
	len = n - namelen - 1;
	/* NAME_MAX bytes, '/' included, as frame.h counts them. */
	if (!valid_queue(req, namelen, NAME_MAX - 1)) {
		warnx("refused a request: its reply queue's name is not a queue name");
		return;
	}
	if (len > FRAME_MAX) {
		warnx("refused a message of %zu bytes (at most %d)", len, FRAME_MAX);
		return;
	}
	memcpy(name, req, namelen);
	name[namelen] = '\0';

	q = open_reply(name);
	if (q == (mqd_t)-1)
		return;
	print(nl + 1, len);
	rlen = snprintf(reply, sizeof(reply), "OK %zu", len);
	if (mq_send(q, reply, (size_t)rlen, 0) == -1)
		warn("no reply to %s%s", name, errno == EAGAIN ? ": its queue is full" : "");
	(void)mq_close(q);
}

/* take: serve the next request, if there is one. Returns 0 if there was
 * none. */
static int
take(mqd_t mq)
{
	static char req[REQUEST_MAX];
	ssize_t n;

	n = mq_receive(mq, req, sizeof(req), NULL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		warn("mq_receive(%s)", queue);
		quit(EXIT_TROUBLE);
	}
	serve(req, (size_t)n);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REQUEST_MAX };
	char ready[64];
	int sfd, sig, n;
	mqd_t mq;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: mqreceiver QUEUE");
	queue = argv[1];
	if (!valid_queue(queue, strlen(queue), QUEUE_NAME_MAX))
		errx(EXIT_TROUBLE, "QUEUE must be '/' then 1 to %d characters, none of "
		     "them '/', not '%s'", QUEUE_NAME_MAX, queue);

	sfd = stop_fd();
	/* O_NONBLOCK: poll() waits, mq_receive() never does. */
	mq = mq_open(queue, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600, &attr);
	if (mq == (mqd_t)-1)
		err(EXIT_TROUBLE, "mq_open(%s)%s", queue,
		    errno == EEXIST ? ", made by someone else: refused, left alone" : "");
	made = 1;
	if (fstat(mq, &queue_st) == -1) {
		warn("fstat(%s)", queue);
		quit(EXIT_TROUBLE);
	}
	if (!ours(&queue_st)) {
		/* The umask can only take bits away: it took too many. */
		warnx("%s has mode %03o, not 0600: check your umask", queue,
		      (unsigned)(queue_st.st_mode & 07777));
		quit(EXIT_TROUBLE);
	}

	n = snprintf(ready, sizeof(ready), "Receiver PID: %ld\n", (long)getpid());
	if (write_all(STDOUT_FILENO, ready, (size_t)n) == -1) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}

	for (;;) {
		sig = wait_for(mq, POLLIN, sfd);
		if (sig == -1) {
			warn("poll");
			quit(EXIT_TROUBLE);
		}
		if (sig != 0) {
			/* Serve the requests that came before the signal (at
			 * most a queue's worth), then stop. */
			for (int i = 0; i < QUEUE_MSGS && take(mq); i++)
				continue;
			quit(EXIT_DONE);
		}
		(void)take(mq);
	}
}
