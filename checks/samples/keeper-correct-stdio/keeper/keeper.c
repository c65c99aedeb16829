/*
 * keeper.c - style: stdio. A correct solution to the keeper part, written from
 * keeper/HANDOUT.md alone. Serves one client at a time like the handout, but
 * prints everything with stdio (printf/fprintf/snprintf), turns users into IDs
 * with strtoul() and getpwnam_r(), and keeps the one-second limit for the
 * whole line (not per read) by shrinking SO_RCVTIMEO before every recv().
 * Every reply, OK or ERR, goes out through one helper and one sendmsg().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 4096 /* bytes, with the newline */

static const char *socket_path;

static void stop_handler(int sig)
{
	(void)sig;
	unlink(socket_path);
	_exit(0);
}

/* A user ID from a name or a number; -1 (and a message) if there is none. */
static int user_to_uid(const char *user, uid_t *uid)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(user, &end, 10);
	if (user[0] >= '0' && user[0] <= '9' && *end == '\0') {
		if (errno != 0 || n >= (unsigned long)(uid_t)-1) {
			fprintf(stderr, "keeper: bad user ID '%s'\n", user);
			return -1;
		}
		*uid = (uid_t)n;
		return 0;
	}
	struct passwd pw, *found = NULL;
	char buf[4096];
	int rc = getpwnam_r(user, &pw, buf, sizeof(buf), &found);
	if (found == NULL) {
		fprintf(stderr, "keeper: unknown user '%s'%s%s\n", user,
			rc ? ": " : "", rc ? strerror(rc) : "");
		return -1;
	}
	*uid = pw.pw_uid;
	return 0;
}

/* One reply line, with fd attached when fd >= 0, in one sendmsg(). */
static void reply(int client, const char *text, int fd)
{
	char cmsgbuf[CMSG_SPACE(sizeof(int))];
	struct iovec io = { .iov_base = (void *)text, .iov_len = strlen(text) };
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	memset(cmsgbuf, 0, sizeof(cmsgbuf));
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		m.msg_control = cmsgbuf;
		m.msg_controllen = sizeof(cmsgbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(client, &m, MSG_NOSIGNAL) < 0)
		fprintf(stderr, "keeper: reply not delivered: %s\n", strerror(errno));
}

static void refuse(int client, const struct ucred *peer, const char *name, int err)
{
	char line[32];
	fprintf(stderr, "keeper: uid=%u pid=%d '%s': refused, [Errno %d] %s\n",
		(unsigned)peer->uid, (int)peer->pid, name, err, strerror(err));
	snprintf(line, sizeof(line), "ERR %d\n", err);
	reply(client, line, -1);
}

static double seconds_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(deadline->tv_sec - now.tv_sec) +
	       (double)(deadline->tv_nsec - now.tv_nsec) / 1e9;
}

/*
 * Read the request line into name (without its newline). Returns 0 for a
 * whole line, or the errno to refuse with: ENAMETOOLONG, EINVAL (hung up),
 * ETIMEDOUT (too slow).
 */
static int read_request(int client, char name[MAX_LINE + 1])
{
	struct timespec deadline;
	size_t have = 0;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	name[0] = '\0';
	for (;;) {
		double left = seconds_left(&deadline);
		if (left <= 0)
			return ETIMEDOUT;
		struct timeval tv;
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6) + 1;
		if (tv.tv_usec >= 1000000) {
			tv.tv_sec++;
			tv.tv_usec -= 1000000;
		}
		setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t n = recv(client, name + have, MAX_LINE - have, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ETIMEDOUT;
			return EINVAL;
		}
		if (n == 0) {
			name[have] = '\0';
			return EINVAL;
		}
		char *nl = memchr(name + have, '\n', (size_t)n);
		have += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			return 0;
		}
		name[have] = '\0';
		if (have >= MAX_LINE)
			return ENAMETOOLONG;
	}
}

static int served(uid_t uid, const uid_t *users, int nusers)
{
	for (int i = 0; i < nusers; i++)
		if (users[i] == uid)
			return 1;
	return 0;
}

static void serve(int client, int box, const uid_t *users, int nusers)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	char name[MAX_LINE + 1];

	if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0) {
		fprintf(stderr, "keeper: SO_PEERCRED: %s\n", strerror(errno));
		return;
	}
	int err = read_request(client, name);
	if (err == ENAMETOOLONG) {
		refuse(client, &peer, name, err); /* the 4096 bytes it sent */
		return;
	}
	if (err != 0) {
		fprintf(stderr, "keeper: uid=%u pid=%d '%s': dropped, %s\n",
			(unsigned)peer.uid, (int)peer.pid, name,
			err == ETIMEDOUT ? "too slow" : "hung up before the newline");
		return;
	}
	if (!served(peer.uid, users, nusers)) {
		refuse(client, &peer, name, EACCES);
		return;
	}

	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	int fd = (int)syscall(SYS_openat2, box, name, &how, sizeof(how));
	if (fd < 0) {
		refuse(client, &peer, name, errno);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	if (err != 0) {
		close(fd);
		refuse(client, &peer, name, err);
		return;
	}
	fprintf(stderr, "keeper: uid=%u pid=%d '%s': sent\n",
		(unsigned)peer.uid, (int)peer.pid, name);
	reply(client, "OK\n", fd);
	close(fd);
}

int main(int argc, char *argv[])
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s SOCKET LITTERBOX USER...\n", argv[0]);
		return 2;
	}
	socket_path = argv[1];

	int nusers = argc - 3;
	uid_t *users = calloc((size_t)nusers, sizeof(uid_t));
	if (users == NULL) {
		perror("keeper: calloc");
		return 2;
	}
	for (int i = 0; i < nusers; i++)
		if (user_to_uid(argv[3 + i], &users[i]) < 0)
			return 2;

	int box = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (box < 0) {
		fprintf(stderr, "keeper: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}

	struct sockaddr_un addr;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (argv[1][0] == '\0' || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "keeper: bad socket path '%s'\n", argv[1]);
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);

	int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server < 0) {
		perror("keeper: socket");
		return 2;
	}
	umask(0117); /* the socket is born rw-rw---- */
	if (bind(server, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "keeper: bind %s: %s\n", argv[1], strerror(errno));
		return 2; /* never unlink what we did not make */
	}
	if (listen(server, 16) < 0) {
		fprintf(stderr, "keeper: listen: %s\n", strerror(errno));
		unlink(argv[1]);
		return 2;
	}

	signal(SIGINT, stop_handler);
	signal(SIGTERM, stop_handler);
	signal(SIGPIPE, SIG_IGN);
	printf("Keeper ready: %s\n", argv[1]);
	fflush(stdout);

	for (;;) {
		int client = accept4(server, NULL, NULL, SOCK_CLOEXEC);
		if (client < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				usleep(100000); /* wait for descriptors to come back */
			continue;
		}
		serve(client, box, users, nusers);
		close(client);
	}
}
