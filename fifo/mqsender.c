/* mqsender.c - Part 5: the sender again, on a POSIX message queue.
 *
 *     mqsender QUEUE < lines
 *
 * Makes its private reply queue QUEUE.reply.PID, checks that QUEUE is our
 * own private queue (mqreceiver.c made it), then for each line of stdin
 * sends a request (the reply queue's name, '\n', the line without its '\n')
 * and waits, 5 seconds at most, for the reply "OK N", N the line's length.
 * Exit 0 once every line was acknowledged; 1 on SIGINT or SIGTERM; 3 for a
 * line longer than FRAME_MAX (the lines before it were sent); 2 for a QUEUE
 * that is not our own private one (nothing sent), no reply or a wrong one,
 * or any failure. The reply queue is removed on every one of these paths.
 *
 * How it differs from the readings, and why:
 *
 *   - QUEUE is opened without O_CREAT, and fstat() must show our own user
 *     and mode 0600: a queue that someone else made first would get our
 *     messages. Ours is made with O_EXCL, private: only the receiver, of our
 *     own user, may write a reply into it.
 *   - A deadline, not a wait for ever: mq_timedsend() and mq_timedreceive()
 *     take an absolute CLOCK_REALTIME time.
 *   - The reply queue outlives us unless we remove it. The stop signals are
 *     blocked until the handler knows its name; the handler then removes it
 *     and leaves with _exit(). Its only calls, mq_unlink() (one system call
 *     on Linux) and _exit(), are safe there. A handler that only sets a
 *     flag would leave a window: a signal that comes between the check of
 *     the flag and a blocking getline() or mq_timedreceive() would wait for
 *     the next line, or the deadline.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <mqueue.h>
#include <time.h>

#include "common.h"

#define REPLY_WAIT 5    /* seconds for a request to go and its reply to come */

/* Our reply queue: its name, and whether it exists (then it is ours to
 * remove). Set them only while the stop signals are blocked. */
static char reply_name[NAME_MAX + 1];
static volatile sig_atomic_t made_reply;
static const char *queue;       /* the receiver's queue */

/* The handler for SIGINT and SIGTERM: async-signal-safe calls only. */
static _Noreturn void
on_stop(int sig)
{
	(void)sig;
	if (made_reply)
		(void)mq_unlink(reply_name);
	_exit(EXIT_STOPPED);
}

/* stops: the set of SIGINT and SIGTERM. */
static sigset_t
stops(void)
{
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	return set;
}

/* quit: remove our reply queue, then exit with STATUS. The stop signals are
 * held back first: their handler would turn STATUS into 1. */
static _Noreturn void
quit(int status)
{
	sigset_t set = stops();

	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	if (made_reply && mq_unlink(reply_name) == -1)
		warn("mq_unlink(%s)", reply_name);
	exit(status);
}

/* make_reply: make our private reply queue QUEUE.reply.PID, with the stop signals blocked
 * until the handler can remove it. */
static mqd_t
make_reply(void)
{
	struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = REPLY_MAX };
	sigset_t set = stops(), old;
	struct sigaction sa;
	struct stat st;
	mqd_t rq;
	int n;

	n = snprintf(reply_name, sizeof(reply_name), "%s.reply.%ld", queue, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(reply_name))
		errx(EXIT_TROUBLE, "%s: name too long for a reply queue", queue);

	if (sigprocmask(SIG_BLOCK, &set, &old) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	/* sigaction() also undoes the SIG_IGN a shell gives a background job. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_mask = set;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction");

	rq = mq_open(reply_name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (rq == (mqd_t)-1)
		err(EXIT_TROUBLE, "mq_open(%s)", reply_name);
	made_reply = 1;
	/* The receiver refuses a reply queue whose mode isn't 0600: better
	 * to say so now than after 5 seconds. */
	if (fstat(rq, &st) == -1 || !ours(&st)) {
		warnx("%s: not a private queue of ours (check your umask)", reply_name);
		quit(EXIT_TROUBLE);
	}
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1) {
		warn("sigprocmask");
		quit(EXIT_TROUBLE);
	}
	return rq;
}

/* open_queue: open the receiver's QUEUE, never making it, and check that it
 * is our own private queue. Exits 2 if it isn't. */
static mqd_t
open_queue(void)
{
	struct stat st;
	mqd_t q;

	q = mq_open(queue, O_WRONLY | O_CLOEXEC);
	if (q == (mqd_t)-1) {
		warn("mq_open(%s)%s", queue, errno == ENOENT ? ": no receiver" : "");
		quit(EXIT_TROUBLE);
	}
	if (fstat(q, &st) == -1) {
		warn("fstat(%s)", queue);
		quit(EXIT_TROUBLE);
	}
	if (!ours(&st)) {
		warnx("%s (user %ld, mode %03o) is not a private queue of ours: refused",
		      queue, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
		quit(EXIT_TROUBLE);
	}
	return q;
}

/* deadline: now plus REPLY_WAIT seconds, on the clock the mq_timed*()
 * functions use. */
static struct timespec
deadline(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_REALTIME, &t) == -1) {
		warn("clock_gettime");
		quit(EXIT_TROUBLE);
	}
	t.tv_sec += REPLY_WAIT;
	return t;
}

/* send_line: send LINE (LEN bytes) to Q as a request, and wait for its reply
 * on RQ. Exits 2 unless the reply is "OK LEN". */
static void
send_line(mqd_t q, mqd_t rq, const char *line, size_t len)
{
	static char req[REQUEST_MAX];
	char reply[REPLY_MAX], want[32];
	size_t namelen = strlen(reply_name);
	struct timespec t;
	ssize_t n;
	int wlen;

	/* QUEUE has at most 201 bytes, our name at most 201 + 17: it fits. */
	memcpy(req, reply_name, namelen);
	req[namelen] = '\n';
	memcpy(req + namelen + 1, line, len);

	t = deadline();
	if (mq_timedsend(q, req, namelen + 1 + len, 0, &t) == -1) {
		warn("mq_timedsend(%s)%s", queue,
		     errno == ETIMEDOUT ? ": the receiver took nothing" : "");
		quit(EXIT_TROUBLE);
	}
	t = deadline();
	n = mq_timedreceive(rq, reply, sizeof(reply), NULL, &t);
	if (n == -1) {
		warn("mq_timedreceive(%s)%s", reply_name,
		     errno == ETIMEDOUT ? ": no reply" : "");
		quit(EXIT_TROUBLE);
	}
	/* Exactly "OK N": no '\0', no newline, nothing after. */
	wlen = snprintf(want, sizeof(want), "OK %zu", len);
	if (n != wlen || memcmp(reply, want, (size_t)wlen) != 0) {
		warnx("a wrong reply to a line of %zu bytes (%zd bytes, not \"%s\")", len, n,
		      want);
		quit(EXIT_TROUBLE);
	}
}

int
main(int argc, char *argv[])
{
	char *line = NULL;
	size_t cap = 0, len;
	mqd_t q, rq;
	int r;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: mqsender QUEUE");
	if (!valid_queue(argv[1], strlen(argv[1]), QUEUE_NAME_MAX))
		errx(EXIT_TROUBLE, "QUEUE must be '/' then 1 to %d characters, none of "
		     "them '/', not '%s'", QUEUE_NAME_MAX, argv[1]);

	queue = argv[1];
	rq = make_reply();
	q = open_queue();

	while ((r = read_line(&line, &cap, &len)) == 1) {
		if (len > FRAME_MAX) {
			warnx("a line of %zu bytes: at most %d, not sent", len, FRAME_MAX);
			quit(EXIT_REFUSED);
		}
		send_line(q, rq, line, len);
	}
	if (r == -1) {
		warn("stdin");
		quit(EXIT_TROUBLE);
	}
	free(line);
	quit(EXIT_DONE);
}
