/* sender.c - Part 5: send stdin's lines to the receiver, through DIR/fifo.
 *
 *     sender DIR < lines
 *
 * Opens the receiver's FIFO (receiver.c), checks that it is our own private
 * FIFO, and writes each line of stdin, without its '\n', as one frame of
 * fifo/frame.h. Exit 0 at the end of stdin; 3 for a line longer than
 * FRAME_MAX (the lines before it were sent); 2 if there is no receiver, the
 * FIFO is not our own private one (nothing written), or anything fails.
 *
 * How it differs from the readings, and why:
 *
 *   - O_NONBLOCK on open(): with no reader, a plain open(O_WRONLY) blocks
 *     for ever; with O_NONBLOCK it fails at once (ENXIO). O_NOFOLLOW: a
 *     symbolic link at the name is someone's, never followed.
 *   - fstat() before a byte goes out: a FIFO that another user made first,
 *     or one others may open, would hand our messages to them.
 *   - Exactly the message, with its length in front, in ONE write() of at
 *     most PIPE_BUF bytes: the kernel writes it whole, never mixed with
 *     another sender's frame. Blocking again (O_NONBLOCK cleared), such a
 *     write() waits for room rather than fail; a short one is an error.
 *   - SIGPIPE ignored: a receiver that went away is an EPIPE to report.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <stdint.h>

#include "common.h"

/* open_fifo: open DIR/fifo for writing, check that it is our own private
 * FIFO, and make it blocking. Exits 2 without writing if anything's wrong. */
static int
open_fifo(const char *path)
{
	struct stat st;
	int fd, flags;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		err(EXIT_TROUBLE, "open(%s)%s", path, errno == ENXIO ? ": no receiver" : "");
	if (fstat(fd, &st) == -1)
		err(EXIT_TROUBLE, "fstat(%s)", path);
	if (!S_ISFIFO(st.st_mode) || !ours(&st))
		errx(EXIT_TROUBLE, "%s is %s, not a private FIFO of ours: refused", path,
		     describe(&st));
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		err(EXIT_TROUBLE, "fcntl(%s)", path);
	return fd;
}

int
main(int argc, char *argv[])
{
	static unsigned char frame[sizeof(uint32_t) + FRAME_MAX];
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0, len;
	struct sigaction sa;
	uint32_t len32;
	ssize_t n;
	int fd, r;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: sender DIR");
	in_dir(path, argv[1], "fifo");
	fd = open_fifo(path);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGPIPE)");

	while ((r = read_line(&line, &cap, &len)) == 1) {
		if (len > FRAME_MAX)
			errx(EXIT_REFUSED, "a line of %zu bytes: at most %d, not sent", len,
			     FRAME_MAX);
		len32 = (uint32_t)len;
		memcpy(frame, &len32, sizeof(len32));
		memcpy(frame + sizeof(len32), line, len);
		/* Nothing of a frame of at most PIPE_BUF bytes is written if
		 * a signal interrupts the wait for room: try again. */
		do
			n = write(fd, frame, sizeof(len32) + len);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			err(EXIT_TROUBLE, "write(%s)%s", path,
			    errno == EPIPE ? ": the receiver went away" : "");
		if ((size_t)n != sizeof(len32) + len)
			errx(EXIT_TROUBLE, "write(%s): %zd bytes of %zu", path, n,
			     sizeof(len32) + len);
	}
	if (r == -1)
		err(EXIT_TROUBLE, "stdin");
	free(line);
	if (close(fd) == -1)
		err(EXIT_TROUBLE, "close(%s)", path);
	return EXIT_DONE;
}
