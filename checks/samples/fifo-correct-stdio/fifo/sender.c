/* sender.c - style: stdio for stdin (getc() straight into the frame, no
 * getline()) and fprintf() for every message; the frame itself still goes out
 * in one write(). A correct solution of the fifo part, written from
 * fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

int main(int argc, char *argv[])
{
	static char fifo_path[PATH_MAX];
	static unsigned char frame[4 + FRAME_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: sender DIR\n");
		return 2;
	}
	int w = snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", argv[1]);
	if (w < 0 || (size_t)w >= sizeof(fifo_path)) {
		fprintf(stderr, "sender: %s/fifo: name too long\n", argv[1]);
		return 2;
	}
	int fd = open(fifo_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		fprintf(stderr, "sender: %s: %s\n", fifo_path,
			errno == ENXIO ? "no receiver" : strerror(errno));
		return 2;
	}
	struct stat st;
	if (fstat(fd, &st) == -1) {
		fprintf(stderr, "sender: fstat %s: %s\n", fifo_path, strerror(errno));
		return 2;
	}
	if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "sender: %s is not our own private FIFO: refused\n", fifo_path);
		return 2;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		fprintf(stderr, "sender: fcntl: %s\n", strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		uint32_t len = 0;
		int c = EOF, any = 0;
		while ((c = getc(stdin)) != EOF) {
			any = 1;
			if (c == '\n')
				break;
			if (len == FRAME_MAX) {
				fprintf(stderr, "sender: a line longer than %d bytes: not sent\n",
					FRAME_MAX);
				return 3;
			}
			frame[4 + len++] = (unsigned char)c;
		}
		if (c == EOF && ferror(stdin)) {
			fprintf(stderr, "sender: reading stdin: %s\n", strerror(errno));
			return 2;
		}
		if (!any)
			break;          /* the end of stdin, no line begun */
		memcpy(frame, &len, sizeof(len));
		ssize_t n = write(fd, frame, 4 + (size_t)len);
		if (n != (ssize_t)(4 + len)) {
			fprintf(stderr, "sender: write %s: %s\n", fifo_path,
				n == -1 ? strerror(errno) : "short write");
			return 2;
		}
		if (c == EOF)
			break;
	}
	return 0;
}
