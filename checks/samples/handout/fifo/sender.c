/* sender.c - Part 5: send stdin's lines to the receiver of DIR/fifo.
 *
 *   sender DIR
 *
 * One frame per line: a uint32_t length, then the line's bytes (without its
 * '\n'), in ONE write(). Exit 0: every line sent; 2: no receiver, not our own
 * private FIFO, or anything else failed; 3: a line longer than FRAME_MAX.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "frame.h"

int main(int argc, char *argv[])
{
	char path[PATH_MAX];
	static unsigned char frame[4 + FRAME_MAX];
	struct stat st;
	int fd, flags;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: %s DIR\n", argc > 0 ? argv[0] : "sender");
		return 2;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/fifo", argv[1]) >= sizeof path) {
		fprintf(stderr, "sender: %s: name too long\n", argv[1]);
		return 2;
	}

	/* O_NONBLOCK: no receiver is ENXIO at once, not a wait for ever. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENXIO)
			fprintf(stderr, "sender: no receiver on %s\n", path);
		else
			fprintf(stderr, "sender: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (fstat(fd, &st) == -1) {
		fprintf(stderr, "sender: fstat %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "sender: %s is not our own private FIFO (mode 0600): refused\n", path);
		return 2;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		fprintf(stderr, "sender: fcntl: %s\n", strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a receiver that went away is EPIPE: exit 2 */

	for (;;) {
		uint32_t len = 0;
		ssize_t n;
		int c = EOF;

		while ((c = getchar()) != EOF && c != '\n') {
			if (len == FRAME_MAX) {
				fprintf(stderr, "sender: a line longer than %d bytes: not sent\n", FRAME_MAX);
				return 3;
			}
			frame[4 + len++] = (unsigned char)c;
		}
		if (ferror(stdin)) {
			fprintf(stderr, "sender: cannot read stdin\n");
			return 2;
		}
		if (c == EOF && len == 0)
			break; /* end of stdin (a last line without '\n' was sent below) */

		memcpy(frame, &len, 4);
		n = write(fd, frame, 4 + (size_t)len);
		if (n != (ssize_t)(4 + len)) {
			if (n == -1 && errno == EPIPE)
				fprintf(stderr, "sender: the receiver went away\n");
			else if (n == -1)
				fprintf(stderr, "sender: write: %s\n", strerror(errno));
			else
				fprintf(stderr, "sender: short write (%ld of %lu bytes)\n",
				        (long)n, (unsigned long)(4 + len));
			return 2;
		}
		if (c == EOF)
			break;
	}
	if (close(fd) == -1) {
		fprintf(stderr, "sender: close: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}
