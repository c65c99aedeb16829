/*
 * paw.c - style: recvmsg loop. A correct solution to the keeper part, written
 * from keeper/HANDOUT.md alone. Sends the name and its newline with one
 * sendmsg() of two iovecs, then calls recvmsg() in a loop until the reply's
 * newline (collecting the descriptors of every call, so a reply split in two
 * is judged as a whole), prints with dprintf(), and copies the file with
 * sendfile(), falling back to read()/write() where stdout can't take it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define FD_ROOM 64

struct reply {
	char line[64];
	size_t len;
	int fds[FD_ROOM];
	int nfds;
	int good, bad, truncated;
};

static struct reply r;

static void drop_fds(void)
{
	while (r.nfds > 0)
		close(r.fds[--r.nfds]);
}

static void fault(const char *what, int err)
{
	drop_fds();
	if (err)
		dprintf(STDOUT_FILENO, "MEOW %s: %s\n", what, strerror(err));
	else
		dprintf(STDOUT_FILENO, "MEOW %s\n", what);
	exit(2);
}

static void take_control(struct msghdr *m)
{
	if (m->msg_flags & MSG_CTRUNC)
		r.truncated = 1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			r.bad++;
			continue;
		}
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (r.nfds < FD_ROOM)
				r.fds[r.nfds++] = fd;
			else
				close(fd);
		}
		if (c->cmsg_len == CMSG_LEN(sizeof(int)))
			r.good++;
		else
			r.bad++;
	}
}

/* Read until the reply's newline, or until the keeper stops talking. */
static void receive(int sock)
{
	while (r.len < sizeof(r.line) - 1 && memchr(r.line, '\n', r.len) == NULL) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} u;
		struct iovec io = { .iov_base = r.line + r.len,
				    .iov_len = sizeof(r.line) - 1 - r.len };
		struct msghdr m;
		memset(&m, 0, sizeof(m));
		memset(&u, 0, sizeof(u));
		m.msg_iov = &io;
		m.msg_iovlen = 1;
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(sock);
			fault("no reply from the keeper", e);
		}
		take_control(&m);
		if (n == 0)
			break;
		r.len += (size_t)n;
	}
	close(sock);
}

static void copy_out(int fd)
{
	off_t sent_any = 0;
	for (;;) {
		ssize_t n = sendfile(STDOUT_FILENO, fd, NULL, 1 << 20);
		if (n > 0) {
			sent_any += n;
			continue;
		}
		if (n == 0)
			return;
		if (errno == EINTR)
			continue;
		if (sent_any == 0 && (errno == EINVAL || errno == ENOSYS))
			break; /* stdout can't take sendfile(): copy by hand */
		fault("cannot copy the file", errno);
	}
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fault("cannot read the file", errno);
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				fault("cannot write the file", errno);
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 3)
		fault("usage: paw SOCKET NAME", 0);
	const char *path = argv[1], *name = argv[2];

	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	size_t plen = strlen(path);
	int sock = -1;
	if (plen == 0 || plen >= sizeof(sa.sun_path)) {
		errno = plen ? ENAMETOOLONG : ENOENT;
	} else {
		memcpy(sa.sun_path, path, plen);
		sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock >= 0 && connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			close(sock);
			sock = -1;
			errno = e;
		}
	}
	if (sock < 0) {
		dprintf(STDOUT_FILENO, "MEOW cannot reach the keeper at %s: %s\n",
			path, strerror(errno));
		return 2;
	}

	/* name + "\n" in one go; a keeper that stops reading just replies sooner. */
	char nl[] = "\n";
	struct iovec parts[2] = {
		{ .iov_base = (void *)name, .iov_len = strlen(name) },
		{ .iov_base = nl, .iov_len = 1 },
	};
	struct msghdr out;
	memset(&out, 0, sizeof(out));
	out.msg_iov = parts;
	out.msg_iovlen = 2;
	while (out.msg_iovlen > 0) {
		ssize_t n = sendmsg(sock, &out, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		while (out.msg_iovlen > 0 && (size_t)n >= out.msg_iov[0].iov_len) {
			n -= (ssize_t)out.msg_iov[0].iov_len;
			out.msg_iov++;
			out.msg_iovlen--;
		}
		if (out.msg_iovlen > 0) {
			out.msg_iov[0].iov_base = (char *)out.msg_iov[0].iov_base + n;
			out.msg_iov[0].iov_len -= (size_t)n;
		}
	}

	receive(sock);
	r.line[r.len] = '\0';

	if (r.truncated)
		fault("the keeper sent more control data than fits", 0);
	if (r.len == 0)
		fault("the keeper closed without a reply", 0);
	char *eol = memchr(r.line, '\n', r.len);
	if (eol == NULL)
		fault("the keeper's reply is not a line", 0);
	*eol = '\0';

	char *end;
	long err = 0;
	if (strncmp(r.line, "ERR ", 4) == 0 && r.line[4] >= '0' && r.line[4] <= '9') {
		errno = 0;
		err = strtol(r.line + 4, &end, 10);
		if (errno != 0 || *end != '\0' || err > 100000)
			err = 0;
	}
	if (err > 0) {
		if (r.nfds > 0)
			fault("the keeper refused, yet sent a descriptor", 0);
		dprintf(STDOUT_FILENO, "MEOW [Errno %ld] %s: '%s'\n", err, strerror((int)err), name);
		return 1;
	}
	if (strcmp(r.line, "OK") != 0)
		fault("the keeper's reply makes no sense", 0);
	if (r.nfds != 1 || r.good != 1 || r.bad != 0)
		fault("the keeper must send exactly one descriptor", 0);

	struct stat st;
	if (fstat(r.fds[0], &st) < 0)
		fault("cannot fstat the descriptor", errno);
	if (!S_ISREG(st.st_mode))
		fault("the descriptor is not a regular file", 0);
	copy_out(r.fds[0]);
	drop_fds();
	return 0;
}
