/* rogue.c - a rogue peer for the keeper suite (tests/keeper.bats): a probing
 * client that reports exactly what a keeper sends, and a hostile keeper that
 * sends what a paw must refuse. Test code, built by the suite; it runs as a
 * test account, through lab_exec, like the code under test.
 *
 *     rogue ask SOCKET REQUEST [hangup|shut]  send REQUEST (bytes, as given;
 *                                         the test adds the newline) and report
 *                                         the reply; "hangup": close at once;
 *                                         "shut": shutdown(SHUT_WR), the end
 *                                         of our bytes, then report the reply
 *     rogue dribble SOCKET                send half a name, then the rest on
 *                                         SIGUSR1, and report the reply
 *     rogue pieces SOCKET PIECE...        send each PIECE once the keeper has
 *                                         read the one before (our send queue
 *                                         empty: SIOCOUTQ), unless a reply
 *                                         comes first; report the reply, and
 *                                         then what follows it
 *     rogue twice SOCKET REQUEST          send REQUEST, report the reply, send
 *                                         REQUEST again on the same connection,
 *                                         and report what follows
 *     rogue hold SOCKET                   connect, send nothing, report when
 *                                         the keeper lets go
 *     rogue flood SOCKET COUNT REQUEST... COUNT connections at once, the
 *                                         REQUESTs in turn, one on each, then
 *                                         hang up on all
 *     rogue orphan SOCKET REQUEST         a child connects and exits; once it
 *                                         is reaped, we send REQUEST on its
 *                                         connection and report the reply
 *     rogue serve SOCKET MODE FILE        a hostile keeper for one client:
 *                                         "OK" with MODE's descriptors:
 *                                         ok (FILE), none, two (FILE twice),
 *                                         many (FILE 200 times), dir (FILE's
 *                                         directory); or err: "ERR 2" with
 *                                         FILE's descriptor, a fault; or hello:
 *                                         "HELLO" with FILE's descriptor; or
 *                                         hangup: no reply, the connection
 *                                         closed once the request is read
 *
 * What "ask" and "orphan" print, a line each (a test asserts on them):
 *
 *     pid: <its PID>                   ("orphan": the connecting child's)
 *     hung up | shut down              (after REQUEST, for those options)
 *     gone: <the child's PID>          ("orphan": reaped, REQUEST sent)
 *     connect: ok | connect: ok (abstract name) | connect: [Errno N] <strerror>
 *     reply: <the reply line, unprintable bytes as '?'> | reply: (none)
 *     descriptors: <how many came with it>
 *     descriptor: regular '<its first bytes>' | directory | fifo | other
 *     access: read-only | write-only | read-write   (after each descriptor line)
 *
 * and "pieces" and "twice" also, before the reply and after it:
 *
 *     early: <N> piece(s) not sent     (the reply came before they were)
 *     after: closed | after: more | after: open   (the keeper closed the
 *                                         connection, sent more, or neither
 *                                         within BOUND_MS)
 *
 * A client connects by path; when there is no file at SOCKET it tries the
 * same name in the abstract namespace, and says so, so that a keeper listening
 * there is still reached, and only the test about where the socket lives fails.
 *
 * Exit status: 0 when it did what it was asked, 3 when it could not connect,
 * 4 on any other failure (it says which on stderr).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EXIT_DONE = 0, EXIT_NO_CONNECT = 3, EXIT_FAILED = 4 };

#define MANY 200
#define SHOWN 200
/* How long pieces waits for the keeper to read a piece, or to close. */
#define BOUND_MS 5000

static void
die(const char *what)
{
	fprintf(stderr, "rogue: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAILED);
}

static void
set_path(struct sockaddr_un *addr, const char *path, int abstract)
{
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	if (strlen(path) + 1 >= sizeof addr->sun_path) {
		fprintf(stderr, "rogue: %s: path too long\n", path);
		exit(EXIT_FAILED);
	}
	memcpy(addr->sun_path + (abstract ? 1 : 0), path, strlen(path));
}

/* connect_to: connect S to PATH, or to the same name in the abstract
 * namespace; 0, or -1 with errno (REPORT: print the result). */
static int
connect_to(int s, const char *path, int report)
{
	struct sockaddr_un addr;
	socklen_t len;
	int e;

	set_path(&addr, path, 0);
	if (connect(s, (struct sockaddr *)&addr, sizeof addr) == 0) {
		if (report)
			printf("connect: ok\n");
		return 0;
	}
	e = errno;
	if (e == ENOENT) {
		set_path(&addr, path, 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
		if (connect(s, (struct sockaddr *)&addr, len) == 0) {
			if (report)
				printf("connect: ok (abstract name)\n");
			return 0;
		}
	}
	if (report)
		printf("connect: [Errno %d] %s\n", e, strerror(e));
	errno = e;
	return -1;
}

/* dial: a connected socket, or -1 with errno (REPORT: print the result). */
static int
dial(const char *path, int report)
{
	int s, e;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		die("socket");
	if (connect_to(s, path, report) == 0)
		return s;
	e = errno;
	close(s);
	errno = e;
	return -1;
}

static void
send_all(int s, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(s, buf, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			printf("send: [Errno %d] %s\n", errno, strerror(errno));
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
show(const char *label, const char *buf, size_t len)
{
	printf("%s", label);
	for (size_t i = 0; i < len; i++)
		putchar(buf[i] >= ' ' && buf[i] < 0x7f ? buf[i] : '?');
	putchar('\n');
}

/* report_reply: receive one reply, print it and every descriptor with it,
 * close them all. */
static void
report_reply(int s)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 64)];
		struct cmsghdr align;
	} control;
	char line[256];
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	ssize_t n;
	int count = 0;

	memset(&msg, 0, sizeof msg);
	memset(&control, 0, sizeof control);
	iov.iov_base = line;
	iov.iov_len = sizeof line;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	do
		n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		printf("reply: (none) [Errno %d] %s\n", errno, strerror(errno));
		printf("descriptors: 0\n");
		return;
	}
	if (n == 0) {
		printf("reply: (none)\n");
	} else {
		const char *nl = memchr(line, '\n', (size_t)n);

		show("reply: ", line, nl != NULL ? (size_t)(nl - line) : (size_t)n);
	}
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			count += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	printf("descriptors: %d%s\n", count, msg.msg_flags & MSG_CTRUNC ? " (truncated)" : "");
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			struct stat st;
			char buf[SHOWN];
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (fstat(fd, &st) == -1)
				printf("descriptor: [Errno %d] %s\n", errno, strerror(errno));
			else if (S_ISREG(st.st_mode)) {
				ssize_t k = pread(fd, buf, sizeof buf, 0);

				printf("descriptor: regular '");
				for (ssize_t j = 0; j < k; j++)
					putchar(buf[j] >= ' ' && buf[j] < 0x7f ? buf[j] : '?');
				printf("'\n");
			} else if (S_ISDIR(st.st_mode))
				printf("descriptor: directory\n");
			else if (S_ISFIFO(st.st_mode))
				printf("descriptor: fifo\n");
			else
				printf("descriptor: other\n");
			int flags = fcntl(fd, F_GETFL);

			if (flags == -1)
				printf("access: [Errno %d] %s\n", errno, strerror(errno));
			else
				printf("access: %s\n", (flags & O_ACCMODE) == O_RDONLY ? "read-only" :
				       (flags & O_ACCMODE) == O_WRONLY ? "write-only" : "read-write");
			close(fd);
		}
	}
}

static volatile sig_atomic_t go = 0;

static void
on_go(int sig)
{
	(void)sig;
	go = 1;
}

static int
ask(int argc, char *argv[])
{
	int s;

	if (argc < 4)
		return EXIT_FAILED;
	printf("pid: %ld\n", (long)getpid());
	s = dial(argv[2], 1);
	if (s == -1)
		return EXIT_NO_CONNECT;
	send_all(s, argv[3], strlen(argv[3]));
	if (argc > 4 && strcmp(argv[4], "hangup") == 0) {
		printf("hung up\n");
		return EXIT_DONE;
	}
	if (argc > 4 && strcmp(argv[4], "shut") == 0) {
		if (shutdown(s, SHUT_WR) == -1)
			die("shutdown");
		printf("shut down\n");
	}
	report_reply(s);
	close(s);
	return EXIT_DONE;
}

static int
dribble(const char *path)
{
	struct sigaction sa;
	sigset_t usr1, old;
	int s;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_go;
	sigaction(SIGUSR1, &sa, NULL);
	printf("pid: %ld\n", (long)getpid());
	s = dial(path, 1);
	if (s == -1)
		return EXIT_NO_CONNECT;
	send_all(s, "treas", 5);
	printf("sent half\n");
	while (!go)
		sigsuspend(&old);
	send_all(s, "ure.txt\n", 8);
	report_reply(s);
	close(s);
	return EXIT_DONE;
}

/* consumed: the keeper has read all we sent (0), or something came back
 * first (1), or neither within BOUND_MS (-1). */
static int
consumed(int s)
{
	for (int ms = 0; ms < BOUND_MS; ms++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		int queued = 0;

		if (poll(&p, 1, 0) == 1)
			return 1;
		if (ioctl(s, SIOCOUTQ, &queued) == -1)
			die("ioctl(SIOCOUTQ)");
		if (queued == 0)
			return 0;
		(void)poll(NULL, 0, 1); /* the next look, 1 ms on */
	}
	return -1;
}

/* report_after: what follows a reply: the connection closed, more bytes,
 * or neither within BOUND_MS. */
static void
report_after(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char byte;

	if (poll(&p, 1, BOUND_MS) == 0)
		printf("after: open\n");
	else if (recv(s, &byte, 1, MSG_DONTWAIT) == 1)
		printf("after: more\n");
	else
		printf("after: closed\n"); /* EOF, or ECONNRESET: it closed with bytes unread */
}

static int
pieces(int argc, char *argv[])
{
	int s, i;

	printf("pid: %ld\n", (long)getpid());
	s = dial(argv[2], 1);
	if (s == -1)
		return EXIT_NO_CONNECT;
	for (i = 3; i < argc; i++) {
		send_all(s, argv[i], strlen(argv[i]));
		if (i + 1 < argc && consumed(s) != 0)
			break;
	}
	if (i + 1 < argc)
		printf("early: %d piece(s) not sent\n", argc - i - 1);
	report_reply(s);
	report_after(s);
	close(s);
	return EXIT_DONE;
}

static int
twice(const char *path, const char *request)
{
	int s;

	printf("pid: %ld\n", (long)getpid());
	s = dial(path, 1);
	if (s == -1)
		return EXIT_NO_CONNECT;
	send_all(s, request, strlen(request));
	report_reply(s);
	/* The keeper may have closed already: EPIPE then, and no SIGPIPE. */
	(void)send(s, request, strlen(request), MSG_NOSIGNAL);
	report_after(s);
	close(s);
	return EXIT_DONE;
}

static int
hold(const char *path)
{
	struct pollfd p;
	char buf[256];
	ssize_t n;
	int s = dial(path, 1);

	if (s == -1)
		return EXIT_NO_CONNECT;
	printf("connected\n");
	p.fd = s;
	p.events = POLLIN | POLLRDHUP;
	if (poll(&p, 1, 60000) != 1) {
		printf("still held\n");
		return EXIT_FAILED;
	}
	n = recv(s, buf, sizeof buf, 0);
	if (n > 0)
		show("let go, with: ", buf, (size_t)n - (buf[n - 1] == '\n'));
	else
		printf("let go\n");
	close(s);
	return EXIT_DONE;
}

static int
flood(const char *path, int count, char *requests[], int nrequests)
{
	int *s = calloc((size_t)count, sizeof *s), made = 0;

	if (s == NULL)
		die("calloc");
	for (int i = 0; i < count; i++)
		if ((s[i] = dial(path, 0)) != -1)
			made++;
	for (int i = 0; i < count; i++)
		if (s[i] != -1) {
			const char *request = requests[i % nrequests];

			send_all(s[i], request, strlen(request));
			close(s[i]);
		}
	printf("flooded: %d of %d connections\n", made, count);
	free(s);
	return EXIT_DONE;
}

/* orphan: the process that connects is gone, reaped, before the keeper hears
 * a byte: a keeper that looks the peer up by its PID finds no one there. */
static int
orphan(const char *path, const char *request)
{
	pid_t child;
	int s, status;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		die("socket");
	child = fork();
	if (child == -1)
		die("fork");
	if (child == 0) {
		printf("pid: %ld\n", (long)getpid());
		_exit(connect_to(s, path, 1) == 0 ? EXIT_DONE : EXIT_NO_CONNECT);
	}
	if (waitpid(child, &status, 0) == -1)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_DONE)
		return EXIT_NO_CONNECT;
	send_all(s, request, strlen(request));
	printf("gone: %ld\n", (long)child);
	report_reply(s);
	close(s);
	return EXIT_DONE;
}

static int
serve(const char *path, const char *mode, const char *file)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MANY)];
		struct cmsghdr align;
	} control;
	int fds[MANY], nfds = 0, listener, conn;
	struct sockaddr_un addr;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	char line[4096], *copy, *reply = "OK\n";

	signal(SIGPIPE, SIG_IGN);
	if (strcmp(mode, "err") == 0)
		reply = "ERR 2\n";
	if (strcmp(mode, "hello") == 0)
		reply = "HELLO\n";
	if (strcmp(mode, "ok") == 0 || strcmp(mode, "err") == 0 || strcmp(mode, "two") == 0 ||
	    strcmp(mode, "many") == 0 || strcmp(mode, "hello") == 0) {
		int want = strcmp(mode, "two") == 0 ? 2 : strcmp(mode, "many") == 0 ? MANY : 1;

		for (; nfds < want; nfds++)
			if ((fds[nfds] = open(file, O_RDONLY | O_CLOEXEC)) == -1)
				die(file);
	} else if (strcmp(mode, "dir") == 0) {
		copy = strdup(file);
		if (copy == NULL || (fds[nfds++] = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			die("the file's directory");
	} else if (strcmp(mode, "none") != 0 && strcmp(mode, "hangup") != 0) {
		fprintf(stderr, "rogue: serve: no mode %s\n", mode);
		return EXIT_FAILED;
	}
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener == -1)
		die("socket");
	set_path(&addr, path, 0);
	umask(0117);
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) == -1)
		die("bind");
	if (listen(listener, 4) == -1)
		die("listen");
	printf("Keeper ready: %s\n", path);
	fflush(stdout);
	conn = accept(listener, NULL, NULL);
	if (conn == -1)
		die("accept");
	(void)!recv(conn, line, sizeof line, 0);
	if (strcmp(mode, "hangup") == 0) {
		close(conn);
		unlink(path);
		printf("hung up without a reply\n");
		return EXIT_DONE;
	}

	memset(&msg, 0, sizeof msg);
	memset(&control, 0, sizeof control);
	iov.iov_base = reply;
	iov.iov_len = strlen(reply);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(conn, &msg, MSG_NOSIGNAL) == -1)
		die("sendmsg");
	printf("sent %.*s with %d descriptor(s)\n", (int)strlen(reply) - 1, reply, nfds);
	close(conn);
	unlink(path);
	return EXIT_DONE;
}

int
main(int argc, char *argv[])
{
	/* Undumpable, whatever fs.suid_dumpable says: /proc/PID/exe and mem
	 * stay closed to the account we run as (helpers/fixexec.c). */
	(void)prctl(PR_SET_DUMPABLE, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && strcmp(argv[1], "ask") == 0)
		return ask(argc, argv);
	if (argc == 3 && strcmp(argv[1], "dribble") == 0)
		return dribble(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "pieces") == 0)
		return pieces(argc, argv);
	if (argc == 4 && strcmp(argv[1], "twice") == 0)
		return twice(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2]);
	if (argc >= 5 && strcmp(argv[1], "flood") == 0)
		return flood(argv[2], atoi(argv[3]), argv + 4, argc - 4);
	if (argc == 4 && strcmp(argv[1], "orphan") == 0)
		return orphan(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: rogue ask|dribble|pieces|twice|hold|flood|orphan|serve SOCKET ...\n");
	return EXIT_FAILED;
}
