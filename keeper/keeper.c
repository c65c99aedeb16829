/* keeper.c - the keeper: a small privileged process that opens files of the
 * litterbox for the users it serves, and passes back the open descriptor.
 *
 *     keeper SOCKET LITTERBOX USER...
 *
 * It listens on the UNIX stream socket SOCKET (a path, never an abstract
 * name) and serves one request per connection. A request is a name and a
 * newline; the reply is one line:
 *
 *     OK        with exactly one descriptor (SCM_RIGHTS): the file, opened
 *               read-only beneath LITTERBOX
 *     ERR <N>   with none: N is the errno of the refusal, e.g. ERR 13
 *
 * Only the USERs (names or numeric user IDs) are served, and the keeper
 * learns who a peer is from the kernel (SO_PEERCRED), never from what the
 * peer says. Each decision is logged on stderr with the peer's uid and pid.
 * Once it listens it prints "Keeper ready: SOCKET" on stdout. SIGINT or
 * SIGTERM stops it: it removes SOCKET and exits 0. It exits 2 when it cannot
 * start (bad arguments, SOCKET already there, LITTERBOX not a directory).
 *
 * Try it (keeper/HANDOUT.md has the whole set-up, with a second user):
 *
 *     $ make
 *     $ keeper/keeper /tmp/keeper.sock litterbox "$USER" &
 *     Keeper ready: /tmp/keeper.sock
 *     $ keeper/paw /tmp/keeper.sock treasure.txt
 *     keeper: uid=1000 pid=4242 'treasure.txt': sent
 *     Treasure found!
 *
 * Why it is built this way (the reading's code, advanced-ipc-unix-sockets,
 * shows the mechanism; this is what a keeper needs on top of it):
 *
 *   - Names are opened with openat2(2), RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 *     | RESOLVE_NO_MAGICLINKS, relative to a descriptor of the litterbox. The
 *     kernel refuses "..", absolute paths and every symbolic link during the
 *     lookup itself. Checking the name as a string (a prefix, or realpath())
 *     and then opening it is the classic bug: a symbolic link, or a file
 *     swapped between the check and the open, leads out.
 *   - Only regular files are sent. A directory's descriptor would let the
 *     client list it, and fchdir() or openat() from it; a FIFO would block.
 *     O_NONBLOCK makes opening a FIFO return at once, so fstat() can refuse it.
 *   - The socket is made with umask 0117, so it is mode 0660 from the moment
 *     it exists: only its owner and its group may connect. (A name in the
 *     abstract namespace has no permissions at all.) In a setgid directory it
 *     takes the directory's group: that is how a course lets exactly the
 *     users of one group reach it.
 *   - Group permission decides who may connect; SO_PEERCRED decides who is
 *     served. The uid the kernel recorded at connect() is the one checked.
 *     A PID is no identity: it names a process that may have exited, and its
 *     number may already belong to another.
 *   - A client has one second to send its line, and the line is bounded, so
 *     a silent or endless client cannot hold the keeper. Replies are sent
 *     with MSG_NOSIGNAL: a client that hangs up costs a log line, not the
 *     keeper (SIGPIPE would kill it). Every descriptor opened for a request
 *     is closed before the next.
 *   - SIGINT and SIGTERM are blocked except while the keeper waits in
 *     ppoll(2); the handler only sets a flag. A stop request that arrives
 *     while a client is being served is acted on right after it.
 *
 * Exit status: EXIT_STOPPED (0) after SIGINT or SIGTERM; EXIT_TROUBLE (2)
 * when it cannot start or cannot go on listening.
 */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED, accept4, ppoll */

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_STOPPED = 0, EXIT_TROUBLE = 2 };

/* A request line, newline included, is at most this long. */
#define REQUEST_MAX 4096
/* A client has this long to send its whole line, in milliseconds. */
#define REQUEST_MS 1000
/* How much of a name a log line shows. */
#define SHOWN_MAX 80

/* The signal that asked us to stop; 0 while none has arrived. */
static volatile sig_atomic_t stop_signal = 0;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static uid_t *served;
static int nserved;

/* user_id: the uid of USER, a name or a number. */
static int
user_id(const char *user, uid_t *uid)
{
	const struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long n;

	if (pw != NULL) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	n = strtoul(user, &end, 10);
	if (*user == '\0' || *end != '\0' || errno != 0 || n != (uid_t)n)
		return -1;
	*uid = (uid_t)n;
	return 0;
}

static int
is_served(uid_t uid)
{
	for (int i = 0; i < nserved; i++)
		if (served[i] == uid)
			return 1;
	return 0;
}

static long
ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* read_request: read one line of at most REQUEST_MAX bytes, newline
 * included, within REQUEST_MS. Returns 0 with the name in NAME (the newline
 * replaced by a NUL), or the errno to refuse with: ENAMETOOLONG for a line
 * that does not fit, EINVAL for one that ends without a newline or holds a
 * NUL byte, ETIMEDOUT for a client too slow. Bytes after the newline are
 * ignored: one request per connection. NAME always ends with a NUL. */
static int
read_request(int conn, char name[REQUEST_MAX + 1])
{
	struct timespec start;
	size_t len = 0;

	name[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = conn, .events = POLLIN };
		long left = REQUEST_MS - ms_since(&start);
		ssize_t n;
		char *nl;

		if (left <= 0)
			return ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno;
		if (n == 0)
			return ETIMEDOUT;
		n = recv(conn, name + len, REQUEST_MAX - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno;
		if (n == 0)
			return EINVAL;
		nl = memchr(name + len, '\n', (size_t)n);
		len += (size_t)n;
		name[len] = '\0';
		if (nl != NULL) {
			*nl = '\0';
			return memchr(name, '\0', (size_t)(nl - name)) == NULL ? 0 : EINVAL;
		}
		if (len == REQUEST_MAX)
			return ENAMETOOLONG;
	}
}

/* open_beneath: open NAME beneath the directory BOX, read-only, a regular
 * file only. Returns 0 with the descriptor in *FD, or the errno to refuse
 * with (the kernel's, or EISDIR and EINVAL for what is not a regular file). */
static int
open_beneath(int box, const char *name, int *fd)
{
	struct open_how how;
	struct stat st;
	int f;

	memset(&how, 0, sizeof how);
	how.flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	f = (int)syscall(SYS_openat2, box, name, &how, sizeof how);
	if (f == -1)
		return errno;
	if (fstat(f, &st) == -1) {
		int e = errno;

		close(f);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	}
	*fd = f;
	return 0;
}

/* reply: send "OK\n" with the descriptor FD, or "ERR <ERR>\n" with none. */
static int
reply(int conn, int err, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg;
	struct iovec iov;
	char text[32];
	int len;

	len = err != 0 ? snprintf(text, sizeof text, "ERR %d\n", err)
		       : snprintf(text, sizeof text, "OK\n");
	iov.iov_base = text;
	iov.iov_len = (size_t)len;
	/* Zeroed, as the reading insists: a field left to chance (msg_name,
	 * msg_namelen) makes sendmsg() fail, or send what it should not. */
	memset(&msg, 0, sizeof msg);
	memset(&control, 0, sizeof control);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (err == 0) {
		struct cmsghdr *c;

		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	return sendmsg(conn, &msg, MSG_NOSIGNAL) == len ? 0 : -1;
}

/* log_decision: one line on stderr per request: who asked, for what, and
 * what they got. The name is shown with anything unprintable as '?'. */
static void
log_decision(const struct ucred *peer, const char *name, int err)
{
	char shown[SHOWN_MAX + 4];
	size_t i;

	for (i = 0; name[i] != '\0' && i < SHOWN_MAX; i++)
		shown[i] = name[i] >= ' ' && name[i] < 0x7f ? name[i] : '?';
	strcpy(shown + i, name[i] != '\0' ? "..." : "");
	if (err == 0)
		fprintf(stderr, "keeper: uid=%lu pid=%ld '%s': sent\n",
			(unsigned long)peer->uid, (long)peer->pid, shown);
	else
		fprintf(stderr, "keeper: uid=%lu pid=%ld '%s': refused, [Errno %d] %s\n",
			(unsigned long)peer->uid, (long)peer->pid, shown, err, strerror(err));
}

/* serve: one connection, one request, one reply; every descriptor opened
 * for it is closed before we return. */
static void
serve(int conn, int box)
{
	char name[REQUEST_MAX + 1];
	struct ucred peer;
	socklen_t len = sizeof peer;
	int fd = -1, e;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) == -1 || len != sizeof peer) {
		warn("getsockopt(SO_PEERCRED)");
		return;
	}
	e = read_request(conn, name);
	if (e == 0 && !is_served(peer.uid))
		e = EACCES;
	if (e == 0)
		e = open_beneath(box, name, &fd);
	log_decision(&peer, name, e);
	if (reply(conn, e, fd) == -1)
		fprintf(stderr, "keeper: uid=%lu pid=%ld: the reply was not delivered: %s\n",
			(unsigned long)peer.uid, (long)peer.pid, strerror(errno));
	if (fd != -1)
		close(fd);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un addr;
	struct sigaction sa;
	sigset_t stops, waiting;
	const char *path;
	int box, listener;
	mode_t old_umask;

	if (argc < 4)
		errx(EXIT_TROUBLE, "usage: keeper SOCKET LITTERBOX USER...");
	if (setvbuf(stdout, NULL, _IOLBF, 0) != 0)
		errx(EXIT_TROUBLE, "setvbuf: cannot make stdout line-buffered");
	path = argv[1];
	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof addr.sun_path)
		errx(EXIT_TROUBLE, "%s: a socket path must have 1 to %zu bytes", path,
		     sizeof addr.sun_path - 1);
	memcpy(addr.sun_path, path, strlen(path));

	nserved = argc - 3;
	served = calloc((size_t)nserved, sizeof *served);
	if (served == NULL)
		err(EXIT_TROUBLE, "calloc");
	for (int i = 0; i < nserved; i++)
		if (user_id(argv[3 + i], &served[i]) == -1)
			errx(EXIT_TROUBLE, "%s: no such user", argv[3 + i]);

	box = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (box == -1)
		err(EXIT_TROUBLE, "%s", argv[2]);

	/* Stop requests wait, blocked, until we wait for clients in ppoll(). */
	if (sigemptyset(&stops) == -1 || sigaddset(&stops, SIGINT) == -1 ||
	    sigaddset(&stops, SIGTERM) == -1)
		err(EXIT_TROUBLE, "sigaddset");
	if (sigprocmask(SIG_BLOCK, &stops, &waiting) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	sa.sa_handler = on_stop;
	sa.sa_mask = stops;
	sa.sa_flags = 0;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction");
	if (sigdelset(&waiting, SIGINT) == -1 || sigdelset(&waiting, SIGTERM) == -1)
		err(EXIT_TROUBLE, "sigdelset");

	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listener == -1)
		err(EXIT_TROUBLE, "socket");
	/* The socket is born 0660: no moment in which others may connect. */
	old_umask = umask(0117);
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) == -1) {
		if (errno == EADDRINUSE)
			errx(EXIT_TROUBLE, "%s exists: another keeper may be running; "
			     "remove it if none is", path);
		err(EXIT_TROUBLE, "bind %s", path);
	}
	umask(old_umask);
	if (listen(listener, SOMAXCONN) == -1) {
		warn("listen");
		unlink(path);
		return EXIT_TROUBLE;
	}
	if (printf("Keeper ready: %s\n", path) < 0) {
		warn("printf");
		unlink(path);
		return EXIT_TROUBLE;
	}

	while (stop_signal == 0) {
		struct pollfd p = { .fd = listener, .events = POLLIN };
		int conn;

		if (ppoll(&p, 1, NULL, &waiting) == -1) {
			if (errno == EINTR)
				continue;
			warn("ppoll");
			unlink(path);
			return EXIT_TROUBLE;
		}
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (conn == -1) {
			/* The client gave up, or a moment's shortage: serve the next. */
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
			    errno != EINTR)
				warn("accept");
			continue;
		}
		serve(conn, box);
		close(conn);
	}
	if (unlink(path) == -1)
		warn("unlink %s", path);
	close(listener);
	close(box);
	free(served);
	return EXIT_STOPPED;
}
