/* paw.c - the cat's paw: asks the keeper for a file of the litterbox and
 * prints it, through the descriptor the keeper passes back.
 *
 *     paw SOCKET NAME
 *
 * It connects to the keeper's UNIX stream socket SOCKET, sends NAME and a
 * newline, and reads the one-line reply (keeper/keeper.c):
 *
 *     OK with one descriptor  ->  prints the file's bytes, exactly; exit 0
 *     ERR <N>                 ->  prints "MEOW [Errno N] <strerror(N)>: 'NAME'",
 *                                 as cat.py does; exit 1
 *     anything else           ->  prints "MEOW <what went wrong>"; exit 2
 *
 * "Anything else" is a protocol fault: the keeper cannot be reached, hangs
 * up, sends no descriptor, more than one, a control message of another
 * level, type or length, a truncated one (MSG_CTRUNC), or something that is
 * not a regular file. paw closes every descriptor it received before it
 * says so: descriptors it did not ask for are the sender's way to fill our
 * table, or to hand us what we must not hold.
 *
 * Try it: see keeper.c and keeper/HANDOUT.md.
 *
 * How it differs from the reading's receiver (advanced-ipc-unix-sockets):
 *
 *   - The control buffer is sized with CMSG_SPACE (the reading writes
 *     MSG_SPACE, which no header defines) and has room for a few descriptors,
 *     so that extra ones arrive where they can be seen and closed instead of
 *     being silently dropped.
 *   - The reading takes *(int *)CMSG_DATA(pcm) whatever arrived. When nothing
 *     arrived, that is the zero its memset() left: descriptor 0, stdin, which
 *     it would then read as "the file". Here every control message is walked
 *     with CMSG_FIRSTHDR/CMSG_NXTHDR, bounded by the msg_controllen the kernel
 *     returned, and its level, type and length are checked.
 *   - The descriptor is checked with fstat(): a regular file, or nothing.
 *
 * Exit status: EXIT_PRINTED (0), EXIT_REFUSED (1) when the keeper said ERR,
 * EXIT_FAULT (2) for everything else.
 */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { EXIT_PRINTED = 0, EXIT_REFUSED = 1, EXIT_FAULT = 2 };

/* Room for this many descriptors in one reply: one is expected, the rest
 * are there to be seen (and closed). */
#define FDS_ROOM 8
/* The longest reply line we accept: "ERR " and an errno. */
#define REPLY_MAX 32

/* Every descriptor received, until closed. */
static int received[FDS_ROOM * 2];
static int nreceived;

static void
close_received(void)
{
	for (int i = 0; i < nreceived; i++)
		close(received[i]);
	nreceived = 0;
}

/* fault: close what we received, say "MEOW <why>" and exit EXIT_FAULT. */
static void
fault(const char *fmt, ...)
{
	va_list ap;

	close_received();
	fputs("MEOW ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(EXIT_FAULT);
}

/* send_all: the whole buffer, or -1. */
static int
send_all(int sock, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(sock, buf, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* receive_reply: the reply line into LINE (NUL-terminated, newline removed),
 * every descriptor that came with it into received[]; *WELLFORMED counts the
 * control messages that are SOL_SOCKET, SCM_RIGHTS and one descriptor long,
 * *OTHER the rest. Faults on a truncated control message and on anything but
 * one complete, short line of text. */
static void
receive_reply(int sock, char line[REPLY_MAX + 1], int *wellformed, int *other)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_ROOM)];
		struct cmsghdr align;
	} control;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	size_t len = 0;
	ssize_t n;
	char *nl;

	*wellformed = *other = 0;
	memset(&msg, 0, sizeof msg);
	memset(&control, 0, sizeof control);
	iov.iov_base = line;
	iov.iov_len = REPLY_MAX;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		fault("no reply from the keeper: %s", strerror(errno));

	/* Collect every descriptor first, well-formed or not: all are ours to
	 * close. */
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(0)) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k && nreceived < FDS_ROOM * 2; i++)
				memcpy(&received[nreceived++], CMSG_DATA(c) + i * sizeof(int),
				       sizeof(int));
			if (c->cmsg_len == CMSG_LEN(sizeof(int)))
				(*wellformed)++;
			else
				(*other)++;
		} else {
			(*other)++;
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		fault("the keeper's control message was truncated (MSG_CTRUNC): "
		      "more descriptors than one were sent");
	if (n == 0)
		fault("the keeper hung up without a reply");

	/* The rest of the line, if it came in pieces; descriptors come with
	 * the first byte only, and any sent later are discarded by the kernel. */
	len = (size_t)n;
	while ((nl = memchr(line, '\n', len)) == NULL && len < REPLY_MAX) {
		n = recv(sock, line + len, REPLY_MAX - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (nl == NULL)
		fault("the keeper's reply is not one short line");
	*nl = '\0';
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un addr;
	char line[REPLY_MAX + 1], buf[65536];
	const char *path, *name;
	int sock, fd, wellformed, other, e;
	struct stat st;
	ssize_t n;
	char *request, end;

	if (argc != 3) {
		fprintf(stderr, "usage: paw SOCKET NAME\n");
		return EXIT_FAULT;
	}
	path = argv[1];
	name = argv[2];
	if (strchr(name, '\n') != NULL)
		fault("a name cannot hold a newline: %s", name);
	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof addr.sun_path)
		fault("%s: a socket path must have 1 to %zu bytes", path, sizeof addr.sun_path - 1);
	memcpy(addr.sun_path, path, strlen(path));

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock == -1)
		fault("socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) == -1)
		fault("cannot reach the keeper at %s: %s", path, strerror(errno));
	request = malloc(strlen(name) + 2);
	if (request == NULL)
		fault("malloc: %s", strerror(errno));
	strcpy(request, name);
	strcat(request, "\n");
	if (send_all(sock, request, strlen(request)) == -1)
		fault("cannot send the request: %s", strerror(errno));
	free(request);

	receive_reply(sock, line, &wellformed, &other);
	close(sock);

	if (sscanf(line, "ERR %d%c", &e, &end) == 1 && e > 0) {
		if (nreceived > 0)
			fault("the keeper refused, but sent %d descriptor(s)", nreceived);
		printf("MEOW [Errno %d] %s: '%s'\n", e, strerror(e), name);
		return EXIT_REFUSED;
	}
	if (strcmp(line, "OK") != 0)
		fault("unexpected reply from the keeper: %.32s", line);
	if (nreceived != 1 || wellformed != 1 || other != 0)
		fault("expected exactly one descriptor (SOL_SOCKET, SCM_RIGHTS), got %d "
		      "descriptor(s) in %d control message(s)", nreceived, wellformed + other);

	fd = received[0];
	if (fstat(fd, &st) == -1)
		fault("fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		fault("the keeper sent a descriptor that is not a regular file");
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fault("[Errno %d] %s: '%s'", errno, strerror(errno), name);
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			fault("cannot write the file out: %s", strerror(errno));
	}
	close_received();
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "paw: stdout: %s\n", strerror(errno));
		return EXIT_FAULT;
	}
	return EXIT_PRINTED;
}
