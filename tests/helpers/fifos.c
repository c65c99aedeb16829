/* fifos.c - the FIFO and message queue suite's own programs (tests/fifo.bats).
 *
 * Each side of the part's contract (fifo/HANDOUT.md) has its counterpart
 * here, so that a student's receiver is tested against our sender, their
 * sender against our receiver, and so on: a defect on one side costs none
 * of the other side's points. And the other user's moves the contract must
 * survive. Run as a test account through lab_exec, never as root.
 *
 * The FIFO side (PATH is DIR/fifo; messages on stdin, LEN bytes each):
 *   fifos frames PATH paced LEN...  our sender: one frame per message, each in
 *                                   one write(), the next once the pipe is empty
 *   fifos frames PATH split LEN...  the same frames, cut otherwise: all but the
 *                                   last in one write(); the last in four pieces
 *                                   (2 + 2 bytes of length, then its two halves),
 *                                   each once the pipe is empty
 *   fifos frame-len PATH N          a frame that claims N bytes (4093 follow)
 *   fifos rawread DIR MODE          our receiver: make DIR/fifo with MODE (octal),
 *                                   say "Fixture PID: N", then copy every byte that
 *                                   arrives to stdout, until the writers leave or
 *                                   SIGTERM (then what the pipe holds, too); remove it
 *   fifos open PATH r|w             open PATH without waiting: "ok" or the errno's name
 *   fifos plant fifo|file PATH MODE make a FIFO, or a file holding "canary!\n"
 *   fifos plant symlink PATH TARGET
 *   fifos lock PATH                 open PATH (made 0600 if need be), take a write
 *                                   lock on it with fcntl(F_SETLK), say "Fixture PID:
 *                                   N", hold it until SIGTERM
 *
 * The message queue side (each queue: QUEUE_MSGS messages of REQUEST_MAX bytes):
 *   fifos mq-make NAME MODE [TEXT]  make the queue NAME with MODE (octal), TEXT in it
 *   fifos mq-open NAME r|w          open it without waiting: "ok mode=600 uid=N", or
 *                                   the errno's name
 *   fifos mq-drain NAME             take every message: each, then '\n', and then
 *                                   "messages=N"
 *   fifos mq-gone NAME...           "gone" for each NAME that does not exist (ENOENT)
 *   fifos mq-unlink NAME...         remove each NAME that is there
 *   fifos mq-request NAME REPLY     send one request: REPLY, '\n', stdin's bytes
 *   fifos mq-raw NAME               send stdin's bytes as one message, as they are
 *   fifos mq-ask NAME REPLY LEN...  our sender: make REPLY (ours, 0600), send each
 *                                   message as a request, print each reply and '\n'
 *                                   (waiting for it first), remove REPLY
 *   fifos mq-attr NAME              its attributes: "maxmsg=N msgsize=N"
 *   fifos mq-serve NAME ok|wrong|padded|trailing|silent
 *                                   our receiver: make NAME (0600), say "Fixture PID:
 *                                   N", then for each request say "request reply=NAME
 *                                   len=N" on stderr ("request (no reply queue)"
 *                                   without a '\n'), print its message and '\n' (even
 *                                   if it is refused next), say "reply queue NAME:
 *                                   maxmsg=N msgsize=N" on stderr once it opened it,
 *                                   and if it is ours and 0600, reply "OK N" (ok),
 *                                   "OK N+1" (wrong), "OK 0N" (padded), "OK N" and a
 *                                   '\0' (trailing) or nothing (silent).
 *                                   On SIGTERM: the requests already there, then
 *                                   remove NAME.
 *
 * Exit 0 when the step did what it says; 2 for usage or any failure (the
 * message says which). Every wait is bounded: BOUND seconds, a last resort
 * (the suite's own bounds end us sooner).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The layout, as the handout fixes it (fifo/frame.h); the suite keeps its
 * own copy, so that it never compiles a submission's header. */
#define FRAME_MAX 4092
#define REQUEST_MAX (255 + 1 + FRAME_MAX)
#define REPLY_MAX 64
#define QUEUE_MSGS 10

#define BOUND 30
/* All the messages of one run, at most. */
#define INPUT_MAX 65536
/* The most bytes rawread copies: no test sends that many. */
#define RAW_MAX (1 << 20)
/* The most requests of one mq-ask: more than the descriptors code under
 * test may have open (LAB_LIMITS, helpers/lab.bash). */
#define ASK_MAX 512

static const char *prog = "fifos";

static const char *
errno_name(int e)
{
	static char other[32];

	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENXIO: return "ENXIO";
	case ELOOP: return "ELOOP";
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EISDIR: return "EISDIR";
	case ENOTDIR: return "ENOTDIR";
	case EMSGSIZE: return "EMSGSIZE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EPIPE: return "EPIPE";
	case EBADF: return "EBADF";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	default:
		(void)snprintf(other, sizeof(other), "errno %d", e);
		return other;
	}
}

static _Noreturn void
die(const char *what, const char *name)
{
	int e = errno;

	fprintf(stderr, "%s: %s(%s): %s (%s)\n", prog, what, name, errno_name(e), strerror(e));
	exit(2);
}

static _Noreturn void
fail(const char *why, const char *name)
{
	fprintf(stderr, "%s: %s: %s\n", prog, name, why);
	exit(2);
}

/* after: a deadline SECONDS from now, on CLOCK_REALTIME (the mq_timed*()
 * functions' clock). */
static struct timespec
after(int seconds)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += seconds;
	return t;
}

static int
passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* tick: the poll interval of a bounded wait. */
static void
tick(void)
{
	struct timespec t = { .tv_nsec = 1000000 };

	nanosleep(&t, NULL);
}

static void
write_all(int fd, const void *buf, size_t len, const char *name)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("write", name);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* slurp: all of stdin (at most INPUT_MAX bytes) into BUF; returns how many. */
static size_t
slurp(char *buf)
{
	size_t have = 0;
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf + have, INPUT_MAX - have)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("read", "stdin");
		}
		have += (size_t)n;
		if (have == INPUT_MAX)
			fail("more input than we take", "stdin");
	}
	return have;
}

/* lengths: the LEN arguments (at most MAX of them), which must add up to
 * HAVE bytes of input. */
static size_t
lengths(char **argv, size_t *lens, size_t max, size_t have)
{
	size_t n = 0, total = 0;

	for (; argv[n] != NULL; n++) {
		if (n == max)
			fail("too many messages", "LEN");
		lens[n] = strtoul(argv[n], NULL, 10);
		total += lens[n];
	}
	if (total != have)
		fail("the lengths don't add up to stdin's size", "LEN");
	return n;
}

/* say_ready: "Fixture PID: N", flushed. */
static void
say_ready(void)
{
	printf("Fixture PID: %ld\n", (long)getpid());
	fflush(stdout);
}

/* stops: a signalfd for SIGTERM and SIGINT, blocked from now on (and not
 * ignored: a shell's "&" starts us with SIGINT ignored). */
static int
stops(void)
{
	struct sigaction sa;
	sigset_t set;
	int sfd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd == -1)
		die("signalfd", "SIGTERM");
	return sfd;
}

/* ---------------------------------------------------------------- FIFOs */

/* open_writer: open PATH for writing. A receiver may print its ready line a
 * moment before it opens its FIFO: ENOENT and ENXIO (no reader yet) are
 * tried again, within the bound. Blocking once open: our writes are whole. */
static int
open_writer(const char *path)
{
	struct timespec deadline = after(BOUND);
	int fd, flags;

	while ((fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if ((errno != ENXIO && errno != ENOENT) || passed(&deadline))
			die("open", path);
		tick();
	}
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		die("fcntl", path);
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* drained: wait until the reader has taken every byte in the pipe. */
static void
drained(int fd, const char *path)
{
	struct timespec deadline = after(BOUND);
	int n;

	for (;;) {
		if (ioctl(fd, FIONREAD, &n) == -1)
			die("ioctl(FIONREAD)", path);
		if (n == 0)
			return;
		if (passed(&deadline))
			fail("the receiver takes nothing", path);
		tick();
	}
}

/* whole: one write() of LEN bytes, all of them. */
static void
whole(int fd, const char *buf, size_t len, const char *path)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		die("write", path);
	if ((size_t)n != len)
		fail("a short write", path);
}

static int
cmd_frames(char **argv)
{
	static char in[INPUT_MAX], out[INPUT_MAX + 64 * 4];
	const char *path = argv[0];
	size_t lens[64], n, have, at = 0, o = 0, last = 0;
	int split, fd;

	if (strcmp(argv[1], "paced") != 0 && strcmp(argv[1], "split") != 0)
		fail("paced or split", argv[1]);
	split = strcmp(argv[1], "split") == 0;
	have = slurp(in);
	n = lengths(argv + 2, lens, 64, have);
	fd = open_writer(path);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)lens[i];
		size_t start = o;

		memcpy(out + o, &len, sizeof(len));
		memcpy(out + o + sizeof(len), in + at, lens[i]);
		o += sizeof(len) + lens[i];
		at += lens[i];
		if (!split) {
			whole(fd, out + start, o - start, path);
			if (i + 1 < n)
				drained(fd, path);
		} else if (i + 1 == n) {
			last = start;
		}
	}
	if (split && n > 0) {
		size_t cut[5] = { 0, 2, 4, 4 + lens[n - 1] / 2, 4 + lens[n - 1] };

		if (last > 0) {
			write_all(fd, out, last, path);
			drained(fd, path);
		}
		for (int p = 0; p < 4; p++) {
			if (cut[p + 1] == cut[p])
				continue;
			if (p > 0)
				drained(fd, path);
			whole(fd, out + last + cut[p], cut[p + 1] - cut[p], path);
		}
	}
	printf("sent %zu\n", n);
	return 0;
}

static int
cmd_frame_len(char **argv)
{
	static char frame[sizeof(uint32_t) + FRAME_MAX + 1];
	uint32_t len = (uint32_t)strtoul(argv[1], NULL, 0);
	int fd = open_writer(argv[0]);

	memcpy(frame, &len, sizeof(len));
	memset(frame + sizeof(len), 'L', FRAME_MAX + 1);
	write_all(fd, frame, sizeof(frame), argv[0]);
	printf("sent len=%lu\n", (unsigned long)len);
	return 0;
}

/* copy: one read() from FD to stdout. Returns its result. */
static ssize_t
copy(int fd, const char *path)
{
	static char buf[65536];
	static size_t total;
	ssize_t n = read(fd, buf, sizeof(buf));

	/* No test sends 1 MiB: a sender that writes for ever is cut off
	 * here, not when the disk is full. */
	if (n > 0 && (total += (size_t)n) > RAW_MAX) {
		fprintf(stderr, "%s: more than %d bytes arrived: stopped reading\n", prog, RAW_MAX);
		unlink(path);
		exit(3);
	}
	if (n > 0)
		write_all(STDOUT_FILENO, buf, (size_t)n, "stdout");
	else if (n == -1 && errno != EAGAIN && errno != EINTR)
		die("read", path);
	return n;
}

static int
cmd_rawread(char **argv)
{
	char path[4096];
	mode_t mode = (mode_t)strtol(argv[1], NULL, 8);
	int sfd = stops(), fd, status = 0;
	struct pollfd p[2];

	if (snprintf(path, sizeof(path), "%s/fifo", argv[0]) >= (int)sizeof(path))
		fail("too long", argv[0]);
	umask(0);
	if (mkfifo(path, mode) == -1)
		die("mkfifo", path);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		unlink(path);
		die("open", path);
	}
	say_ready();
	/* poll() tells no end-of-file before a writer has come and gone. */
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		int r = poll(p, 2, BOUND * 1000);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			status = 2;
			perror("poll");
			break;
		}
		if (r == 0) {
			fprintf(stderr, "%s: no writer within %d s\n", prog, BOUND);
			status = 2;
			break;
		}
		if (p[1].revents != 0) {
			/* Told to stop: what the pipe holds, and no more. */
			while (copy(fd, path) > 0)
				continue;
			break;
		}
		if (p[0].revents != 0 && copy(fd, path) == 0)
			break;
	}
	unlink(path);
	return status;
}

static int
cmd_open(char **argv)
{
	int flags = strcmp(argv[1], "w") == 0 ? O_WRONLY : O_RDONLY;
	int fd = open(argv[0], flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1) {
		printf("%s\n", errno_name(errno));
		return 0;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int
cmd_plant(char **argv)
{
	const char *what = argv[0], *path = argv[1];
	int fd;

	if (argv[2] == NULL)
		fail("plant fifo|file PATH MODE, or plant symlink PATH TARGET", what);
	umask(0);
	if (strcmp(what, "fifo") == 0) {
		if (mkfifo(path, (mode_t)strtol(argv[2], NULL, 8)) == -1)
			die("mkfifo", path);
	} else if (strcmp(what, "file") == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)strtol(argv[2], NULL, 8));
		if (fd == -1)
			die("open", path);
		write_all(fd, "canary!\n", 8, path);
		close(fd);
	} else if (strcmp(what, "symlink") == 0) {
		if (symlink(argv[2], path) == -1)
			die("symlink", path);
	} else {
		fail("fifo, file or symlink", what);
	}
	printf("planted\n");
	return 0;
}

static int
cmd_lock(char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec bound = { .tv_sec = BOUND };
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(argv[0], O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		die("open", argv[0]);
	if (fcntl(fd, F_SETLK, &fl) == -1)
		die("fcntl(F_SETLK)", argv[0]);
	say_ready();
	if (sigtimedwait(&set, NULL, &bound) == -1) {
		fprintf(stderr, "%s: no SIGTERM within %d s\n", prog, BOUND);
		return 2;
	}
	return 0;
}

/* ------------------------------------------------------- message queues */

static mqd_t
make_queue(const char *name, int flags, mode_t mode, long msgsize)
{
	struct mq_attr attr = { .mq_maxmsg = QUEUE_MSGS, .mq_msgsize = msgsize };
	mqd_t q;

	umask(0);
	q = mq_open(name, flags | O_CREAT | O_EXCL | O_CLOEXEC, mode, &attr);
	if (q == (mqd_t)-1)
		die("mq_open", name);
	return q;
}

/* open_queue: open NAME with FLAGS. A receiver may print its ready line a
 * moment before it makes its queue: ENOENT is tried again, within the bound. */
static mqd_t
open_queue(const char *name, int flags)
{
	struct timespec deadline = after(BOUND);
	mqd_t q;

	while ((q = mq_open(name, flags | O_CLOEXEC)) == (mqd_t)-1) {
		if (errno != ENOENT || passed(&deadline))
			die("mq_open", name);
		tick();
	}
	return q;
}

static int
cmd_mq_make(char **argv)
{
	mqd_t q = make_queue(argv[0], O_RDWR, (mode_t)strtol(argv[1], NULL, 8), REQUEST_MAX);

	if (argv[2] != NULL && mq_send(q, argv[2], strlen(argv[2]), 0) == -1)
		die("mq_send", argv[0]);
	printf("made\n");
	return 0;
}

static int
cmd_mq_open(char **argv)
{
	int flags = strcmp(argv[1], "w") == 0 ? O_WRONLY : O_RDONLY;
	mqd_t q = mq_open(argv[0], flags | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (q == (mqd_t)-1) {
		printf("%s\n", errno_name(errno));
		return 0;
	}
	if (fstat(q, &st) == -1)
		die("fstat", argv[0]);
	printf("ok mode=%03o uid=%ld\n", (unsigned)(st.st_mode & 07777), (long)st.st_uid);
	return 0;
}

static int
cmd_mq_drain(char **argv)
{
	static char buf[8192];
	mqd_t q = mq_open(argv[0], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct mq_attr attr;
	long count = 0;
	ssize_t n;

	if (q == (mqd_t)-1)
		die("mq_open", argv[0]);
	if (mq_getattr(q, &attr) == -1 || attr.mq_msgsize > (long)sizeof(buf))
		die("mq_getattr", argv[0]);
	while ((n = mq_receive(q, buf, sizeof(buf), NULL)) != -1) {
		write_all(STDOUT_FILENO, buf, (size_t)n, "stdout");
		write_all(STDOUT_FILENO, "\n", 1, "stdout");
		count++;
	}
	if (errno != EAGAIN)
		die("mq_receive", argv[0]);
	printf("messages=%ld\n", count);
	return 0;
}

static int
cmd_mq_attr(char **argv)
{
	mqd_t q = open_queue(argv[0], O_RDONLY | O_NONBLOCK);
	struct mq_attr attr;

	if (mq_getattr(q, &attr) == -1)
		die("mq_getattr", argv[0]);
	printf("maxmsg=%ld msgsize=%ld\n", (long)attr.mq_maxmsg, (long)attr.mq_msgsize);
	return 0;
}

static int
cmd_mq_gone(char **argv)
{
	int status = 0;

	for (; *argv != NULL; argv++) {
		mqd_t q = mq_open(*argv, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (q == (mqd_t)-1 && errno == ENOENT) {
			printf("%s: gone\n", *argv);
		} else {
			printf("%s: %s\n", *argv, q == (mqd_t)-1 ? errno_name(errno) : "there");
			status = 1;
		}
		if (q != (mqd_t)-1)
			mq_close(q);
	}
	return status;
}

static int
cmd_mq_unlink(char **argv)
{
	for (; *argv != NULL; argv++)
		if (mq_unlink(*argv) == 0)
			printf("%s: removed\n", *argv);
	return 0;
}

/* request: REPLY, '\n', LEN bytes of MSG, sent to Q within the bound. */
static void
request(mqd_t q, const char *name, const char *reply, const char *msg, size_t len)
{
	static char req[REQUEST_MAX];
	size_t rlen = strlen(reply);
	struct timespec deadline = after(BOUND);

	if (rlen + 1 + len > sizeof(req))
		fail("a request too long", reply);
	memcpy(req, reply, rlen);
	req[rlen] = '\n';
	memcpy(req + rlen + 1, msg, len);
	if (mq_timedsend(q, req, rlen + 1 + len, 0, &deadline) == -1)
		die("mq_timedsend", name);
}

static int
cmd_mq_request(char **argv)
{
	static char in[INPUT_MAX];
	size_t have = slurp(in);
	mqd_t q = open_queue(argv[0], O_WRONLY);

	request(q, argv[0], argv[1], in, have);
	printf("sent\n");
	return 0;
}

static int
cmd_mq_raw(char **argv)
{
	static char in[INPUT_MAX];
	size_t have = slurp(in);
	mqd_t q = open_queue(argv[0], O_WRONLY);
	struct timespec deadline = after(BOUND);

	if (have > REQUEST_MAX)
		fail("a message too long", argv[0]);
	if (mq_timedsend(q, in, have, 0, &deadline) == -1)
		die("mq_timedsend", argv[0]);
	printf("sent\n");
	return 0;
}

static int
cmd_mq_ask(char **argv)
{
	static char in[INPUT_MAX];
	char reply[REPLY_MAX];
	static size_t lens[ASK_MAX];
	size_t n, have, at = 0;
	mqd_t q, rq;
	int status = 0;

	have = slurp(in);
	n = lengths(argv + 2, lens, ASK_MAX, have);
	rq = make_queue(argv[1], O_RDONLY, 0600, REPLY_MAX);
	q = open_queue(argv[0], O_WRONLY);
	for (size_t i = 0; i < n; i++) {
		struct timespec deadline = after(BOUND);
		ssize_t got;

		request(q, argv[0], argv[1], in + at, lens[i]);
		at += lens[i];
		got = mq_timedreceive(rq, reply, sizeof(reply), NULL, &deadline);
		if (got == -1) {
			fprintf(stderr, "%s: no reply to request %zu: %s\n", prog, i + 1,
				errno_name(errno));
			status = 2;
			break;
		}
		write_all(STDOUT_FILENO, reply, (size_t)got, "stdout");
		write_all(STDOUT_FILENO, "\n", 1, "stdout");
	}
	mq_unlink(argv[1]);
	return status;
}

/* serve: one request, as a correct receiver serves it (but for HOW). */
static void
serve(const char *req, size_t n, const char *how)
{
	const char *nl = memchr(req, '\n', n);
	char name[256], reply[REPLY_MAX];
	size_t namelen, len;
	struct mq_attr attr;
	struct stat st;
	mqd_t rq;
	int rlen;

	if (nl == NULL || (size_t)(nl - req) >= sizeof(name)) {
		fprintf(stderr, "request (no reply queue) len=%zu\n", n);
		return;
	}
	namelen = (size_t)(nl - req);
	len = n - namelen - 1;
	memcpy(name, req, namelen);
	name[namelen] = '\0';
	fprintf(stderr, "request reply=%s len=%zu\n", name, len);
	/* Printed first, whatever happens next: what the sender sent is
	 * another question than whether it waits for the reply. */
	write_all(STDOUT_FILENO, nl + 1, len, "stdout");
	write_all(STDOUT_FILENO, "\n", 1, "stdout");
	rq = mq_open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (rq == (mqd_t)-1) {
		fprintf(stderr, "refused: reply queue %s: %s\n", name, errno_name(errno));
		return;
	}
	if (mq_getattr(rq, &attr) == 0)
		fprintf(stderr, "reply queue %s: maxmsg=%ld msgsize=%ld\n", name,
			(long)attr.mq_maxmsg, (long)attr.mq_msgsize);
	if (fstat(rq, &st) == -1 || st.st_uid != geteuid() || (st.st_mode & 07777) != 0600) {
		fprintf(stderr, "refused: reply queue %s: not ours, 0600\n", name);
		mq_close(rq);
		return;
	}
	if (strcmp(how, "silent") != 0) {
		/* wrong: another number; padded: N, but not its exact
		 * bytes; trailing: N's bytes, and one more. */
		if (strcmp(how, "padded") == 0)
			rlen = snprintf(reply, sizeof(reply), "OK 0%zu", len);
		else
			rlen = snprintf(reply, sizeof(reply), "OK %zu", len + (strcmp(how, "wrong") == 0));
		if (strcmp(how, "trailing") == 0)
			rlen++;         /* snprintf()'s '\0' */
		if (mq_send(rq, reply, (size_t)rlen, 0) == -1)
			fprintf(stderr, "no reply to %s: %s\n", name, errno_name(errno));
	}
	mq_close(rq);
}

static int
cmd_mq_serve(char **argv)
{
	static char req[REQUEST_MAX];
	const char *how = argv[1];
	int sfd = stops(), status = 0;
	struct pollfd p[2];
	mqd_t q;
	ssize_t n;

	if (strcmp(how, "ok") != 0 && strcmp(how, "wrong") != 0 && strcmp(how, "padded") != 0 &&
	    strcmp(how, "trailing") != 0 && strcmp(how, "silent") != 0)
		fail("ok, wrong, padded, trailing or silent", how);
	q = make_queue(argv[0], O_RDONLY | O_NONBLOCK, 0600, REQUEST_MAX);
	say_ready();
	p[0] = (struct pollfd){ .fd = q, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		int r = poll(p, 2, BOUND * 1000);

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "%s: %s\n", prog, r == 0 ? "no SIGTERM in time" : "poll failed");
			status = 2;
			break;
		}
		if (p[1].revents != 0) {
			/* Told to stop: the requests already there, and no more. */
			while ((n = mq_receive(q, req, sizeof(req), NULL)) != -1)
				serve(req, (size_t)n, how);
			break;
		}
		n = mq_receive(q, req, sizeof(req), NULL);
		if (n != -1)
			serve(req, (size_t)n, how);
		else if (errno != EAGAIN && errno != EINTR)
			die("mq_receive", argv[0]);
	}
	mq_unlink(argv[0]);
	return status;
}

static const struct {
	const char *name;
	int args;       /* at least */
	int (*run)(char **);
} commands[] = {
	{ "frames", 2, cmd_frames },       { "frame-len", 2, cmd_frame_len },
	{ "rawread", 2, cmd_rawread },     { "open", 2, cmd_open },
	{ "plant", 2, cmd_plant },         { "lock", 1, cmd_lock },
	{ "mq-make", 2, cmd_mq_make },     { "mq-open", 2, cmd_mq_open },
	{ "mq-drain", 1, cmd_mq_drain },   { "mq-gone", 1, cmd_mq_gone },
	{ "mq-attr", 1, cmd_mq_attr },
	{ "mq-unlink", 1, cmd_mq_unlink }, { "mq-request", 2, cmd_mq_request },
	{ "mq-raw", 1, cmd_mq_raw },       { "mq-ask", 2, cmd_mq_ask },
	{ "mq-serve", 2, cmd_mq_serve },
};

int
main(int argc, char *argv[])
{
	/* Undumpable, whatever fs.suid_dumpable says: /proc/PID/exe and mem
	 * stay closed to the account we run as (helpers/fixexec.c). */
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (argc >= 2)
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[1], commands[i].name) == 0 && argc - 2 >= commands[i].args)
				return commands[i].run(argv + 2);
	fprintf(stderr, "usage: fifos COMMAND ARGS... (see tests/helpers/fifos.c)\n");
	return 2;
}
