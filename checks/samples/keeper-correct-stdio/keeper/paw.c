/*
 * paw.c - style: stdio. A correct solution to the keeper part, written from
 * keeper/HANDOUT.md alone. Sends the request with one buffered fprintf() on a
 * FILE over the socket, takes the reply with a single recvmsg() as in the
 * handout, prints every MEOW with printf(), and copies the file with
 * fread()/fwrite() on a FILE made from the received descriptor.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 16

static int fds[MAX_FDS];
static int nfds;

static void close_all(void)
{
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	nfds = 0;
}

/* MEOW <what went wrong>, closing what we received, exit 2. */
static void meow_fault(const char *what)
{
	close_all();
	printf("MEOW %s\n", what);
	exit(2);
}

/* "ERR N\n" exactly, with N a positive number: N; otherwise 0. */
static int parse_err(const char *line)
{
	if (strncmp(line, "ERR ", 4) != 0 || line[4] < '0' || line[4] > '9')
		return 0;
	char *end;
	errno = 0;
	long n = strtol(line + 4, &end, 10);
	if (errno != 0 || *end != '\n' || n <= 0 || n > 100000)
		return 0;
	return (int)n;
}

int main(int argc, char *argv[])
{
	char why[512];
	if (argc != 3)
		meow_fault("usage: paw SOCKET NAME");

	struct sockaddr_un addr;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (argv[1][0] == '\0' || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		snprintf(why, sizeof(why), "cannot reach the keeper at %s: %s", argv[1],
			 strerror(argv[1][0] ? ENAMETOOLONG : ENOENT));
		meow_fault(why);
	}
	strcpy(addr.sun_path, argv[1]);

	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(why, sizeof(why), "cannot reach the keeper at %s: %s",
			 argv[1], strerror(errno));
		meow_fault(why);
	}

	/* The request, through a stdio stream on a duplicate of the socket. */
	signal(SIGPIPE, SIG_IGN); /* a keeper may hang up on a long name */
	int wfd = dup(sock);
	FILE *req = wfd < 0 ? NULL : fdopen(wfd, "w");
	if (req == NULL)
		meow_fault("cannot send the request");
	fprintf(req, "%s\n", argv[2]);
	fclose(req); /* a failed send is fine: the keeper's reply tells */

	char line[64] = { 0 };
	char cmsgbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec io = { .iov_base = line, .iov_len = sizeof(line) - 1 };
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	memset(cmsgbuf, 0, sizeof(cmsgbuf));
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	m.msg_control = cmsgbuf;
	m.msg_controllen = sizeof(cmsgbuf);
	ssize_t n;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	int saved = errno;

	int good = 0, bad = 0;
	if (n >= 0) {
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t i = 0; i < k && nfds < MAX_FDS; i++)
					memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (c->cmsg_len == CMSG_LEN(sizeof(int)))
					good++;
				else
					bad++;
			} else {
				bad++;
			}
		}
	}
	close(sock);

	if (n < 0) {
		snprintf(why, sizeof(why), "no reply from the keeper: %s", strerror(saved));
		meow_fault(why);
	}
	if (n == 0)
		meow_fault("the keeper hung up without a reply");
	if (m.msg_flags & MSG_CTRUNC)
		meow_fault("the keeper sent more than fits (control data truncated)");

	int err = parse_err(line);
	if (err != 0) {
		if (nfds != 0)
			meow_fault("the keeper sent a descriptor with a refusal");
		printf("MEOW [Errno %d] %s: '%s'\n", err, strerror(err), argv[2]);
		return 1;
	}
	if (strncmp(line, "OK\n", 3) != 0)
		meow_fault("the keeper's reply makes no sense");
	if (nfds != 1 || good != 1 || bad != 0)
		meow_fault("the keeper did not send exactly one descriptor");

	struct stat st;
	if (fstat(fds[0], &st) < 0)
		meow_fault("cannot fstat the descriptor");
	if (!S_ISREG(st.st_mode))
		meow_fault("the descriptor is not a regular file");

	FILE *in = fdopen(fds[0], "r");
	if (in == NULL)
		meow_fault("cannot read the descriptor");
	nfds = 0; /* fclose() closes it from here on */
	char buf[8192];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, got, stdout) != got)
			break;
	int failed = ferror(in) || ferror(stdout);
	fclose(in);
	if (fflush(stdout) != 0 || failed) {
		printf("MEOW cannot copy the file\n");
		return 2;
	}
	return 0;
}
