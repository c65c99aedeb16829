/*
 * keeper.c - style: poll. A correct solution to the keeper part, written from
 * keeper/HANDOUT.md alone. Instead of serving one client at a time, one
 * ppoll() loop serves up to MAX_CLIENTS connections side by side on
 * non-blocking sockets, each with a one-second deadline for its whole line.
 * Signals go through sigaction(): SIGINT and SIGTERM stay blocked except
 * inside ppoll(), and their handler only sets a flag; the loop then removes
 * the socket and exits 0. Users are looked up with getpwnam()/sscanf().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 4096   /* a request, with its newline */
#define MAX_CLIENTS 64  /* connections served side by side */

struct client {
	int fd;                 /* -1: a free slot */
	struct ucred peer;
	long long deadline_ms;  /* CLOCK_MONOTONIC */
	size_t len;
	char buf[MAX_LINE + 1];
};

static struct client clients[MAX_CLIENTS];
static uid_t *served_uids;
static int n_served;
static int box = -1;
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void log_line(const struct client *c, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "keeper: uid=%lu pid=%ld '%s': %s\n",
		(unsigned long)c->peer.uid, (long)c->peer.pid, c->buf, what);
}

static void finish(struct client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* Refuse with ERR err (logged first), and end the connection. */
static void refuse(struct client *c, int err)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "ERR %d\n", err);
	log_line(c, "refused, [Errno %d] %s", err, strerror(err));
	send(c->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	finish(c);
}

static void send_file(struct client *c, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char ok[] = "OK\n";
	struct iovec io = { .iov_base = ok, .iov_len = 3 };
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	log_line(c, "sent");
	if (sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		fprintf(stderr, "keeper: (the reply was lost: %s)\n", strerror(errno));
}

/* A whole line is in c->buf (newline cut off): decide and reply. */
static void decide(struct client *c)
{
	int ok = 0;
	for (int i = 0; i < n_served; i++)
		ok |= served_uids[i] == c->peer.uid;
	if (!ok) {
		refuse(c, EACCES);
		return;
	}
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	long fd = syscall(SYS_openat2, box, c->buf, &how, sizeof(how));
	if (fd < 0) {
		refuse(c, errno);
		return;
	}
	struct stat st;
	int err = 0;
	if (fstat((int)fd, &st) < 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	if (err == 0)
		send_file(c, (int)fd);
	close((int)fd);
	if (err != 0)
		refuse(c, err);
	else
		finish(c);
}

/* The client's socket is readable. */
static void on_readable(struct client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, MAX_LINE - c->len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		log_line(c, "dropped, %s", strerror(errno));
		finish(c);
		return;
	}
	if (n == 0) {
		refuse(c, EINVAL); /* hung up before its newline */
		return;
	}
	char *nl = memchr(c->buf + c->len, '\n', (size_t)n);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (nl != NULL) {
		*nl = '\0';
		decide(c);
	} else if (c->len >= MAX_LINE) {
		refuse(c, ENAMETOOLONG);
	}
}

/* Accept what waits, while there is room. 1: out of descriptors. */
static int on_listener(int server)
{
	for (;;) {
		struct client *c = NULL;
		for (int i = 0; i < MAX_CLIENTS && c == NULL; i++)
			if (clients[i].fd < 0)
				c = &clients[i];
		if (c == NULL)
			return 0; /* full: the rest wait in the backlog */
		int fd = accept4(server, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return errno == EMFILE || errno == ENFILE ||
			       errno == ENOBUFS || errno == ENOMEM;
		socklen_t len = sizeof(c->peer);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = 0;
		c->buf[0] = '\0';
		c->deadline_ms = now_ms() + 1000;
	}
}

static int parse_user(const char *s, uid_t *uid)
{
	unsigned long n;
	char extra;
	if (s[0] >= '0' && s[0] <= '9') {
		if (sscanf(s, "%lu%c", &n, &extra) == 1 && n < 0xffffffffUL) {
			*uid = (uid_t)n;
			return 0;
		}
	}
	struct passwd *pw = getpwnam(s);
	if (pw == NULL)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc < 4) {
		fputs("usage: keeper SOCKET LITTERBOX USER...\n", stderr);
		exit(2);
	}
	const char *path = argv[1];
	n_served = argc - 3;
	served_uids = malloc(sizeof(uid_t) * (size_t)n_served);
	if (served_uids == NULL)
		exit(2);
	for (int i = 0; i < n_served; i++) {
		if (parse_user(argv[i + 3], &served_uids[i]) < 0) {
			fprintf(stderr, "keeper: no such user: %s\n", argv[i + 3]);
			exit(2);
		}
	}
	box = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (box < 0) {
		fprintf(stderr, "keeper: cannot open the litterbox %s: %s\n", argv[2], strerror(errno));
		exit(2);
	}

	struct sockaddr_un addr;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	size_t plen = strlen(path);
	if (plen == 0 || plen >= sizeof(addr.sun_path)) {
		fprintf(stderr, "keeper: unusable socket path '%s'\n", path);
		exit(2);
	}
	memcpy(addr.sun_path, path, plen + 1);

	/* SIGINT/SIGTERM: blocked from here on, delivered only inside ppoll(). */
	sigset_t stops, during_poll;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &during_poll);
	sigdelset(&during_poll, SIGINT);
	sigdelset(&during_poll, SIGTERM);

	int server = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (server < 0) {
		perror("keeper: socket");
		exit(2);
	}
	umask(0117); /* the socket is born rw-rw---- */
	if (bind(server, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "keeper: cannot bind %s: %s\n", path, strerror(errno));
		exit(2); /* not ours: leave it alone */
	}
	if (listen(server, 16) < 0) {
		perror("keeper: listen");
		unlink(path);
		exit(2);
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigfillset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;

	printf("Keeper ready: %s\n", path);
	fflush(stdout);

	struct pollfd pfd[MAX_CLIENTS + 1];
	struct client *owner[MAX_CLIENTS + 1];
	long long retry_accept_ms = 0;
	for (;;) {
		long long now = now_ms();
		long long wake = -1;
		int n = 0, busy = 0;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			if (c->fd < 0)
				continue;
			if (c->deadline_ms <= now) {
				refuse(c, ETIMEDOUT);
				continue;
			}
			busy++;
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			owner[n++] = c;
			if (wake < 0 || c->deadline_ms < wake)
				wake = c->deadline_ms;
		}
		if (busy < MAX_CLIENTS) {
			if (retry_accept_ms <= now) {
				pfd[n] = (struct pollfd){ .fd = server, .events = POLLIN };
				owner[n++] = NULL;
			} else if (wake < 0 || retry_accept_ms < wake) {
				wake = retry_accept_ms;
			}
		}
		struct timespec ts, *tsp = NULL;
		if (wake >= 0) {
			long long ms = wake - now;
			ts.tv_sec = (time_t)(ms / 1000);
			ts.tv_nsec = (long)(ms % 1000) * 1000000L;
			tsp = &ts;
		}
		int r = ppoll(pfd, (nfds_t)n, tsp, &during_poll);
		if (stop_signal) {
			unlink(path);
			exit(0);
		}
		if (r < 0)
			continue; /* EINTR */
		for (int i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (owner[i] == NULL) {
				/* out of descriptors? don't spin on the listener */
				if (on_listener(server))
					retry_accept_ms = now_ms() + 100;
			} else if (owner[i]->fd == pfd[i].fd) {
				on_readable(owner[i]);
			}
		}
	}
}
