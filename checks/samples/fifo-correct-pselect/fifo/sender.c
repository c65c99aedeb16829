/* sender.c - style: no stdio streams at all: stdin is read() in chunks into
 * a buffer of its own and cut into lines with memchr(), messages go out with
 * write(). One write() per frame. A correct solution of the fifo part,
 * written from fifo/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

static void say(const char *a, const char *b)
{
	char line[PATH_MAX + 256];
	int n = snprintf(line, sizeof(line), "sender: %s%s\n", a, b);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static int fd;
static char frame[4 + FRAME_MAX];

static int send_frame(const char *msg, size_t len)
{
	uint32_t n32 = (uint32_t)len;
	memcpy(frame, &n32, 4);
	memcpy(frame + 4, msg, len);
	ssize_t k = write(fd, frame, 4 + len);
	if (k != (ssize_t)(4 + len)) {
		say("write: ", k == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	char path[PATH_MAX];
	if (argc != 2) {
		say("usage: sender DIR", "");
		return 2;
	}
	int w = snprintf(path, sizeof(path), "%s/fifo", argv[1]);
	if (w < 0 || (size_t)w >= sizeof(path)) {
		say("name too long: ", argv[1]);
		return 2;
	}
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		say(path, errno == ENXIO ? ": no receiver" : ": cannot open");
		return 2;
	}
	struct stat st;
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0777) != 0600) {
		say(path, ": not our own private FIFO, refused");
		return 2;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		say("fcntl: ", strerror(errno));
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	static char in[2 * (FRAME_MAX + 1)];
	size_t have = 0;
	int eof = 0;
	for (;;) {
		char *nl = memchr(in, '\n', have);
		if (nl != NULL) {
			size_t len = (size_t)(nl - in);
			if (len > FRAME_MAX) {
				say("a line too long: not sent", "");
				return 3;
			}
			if (send_frame(in, len) == -1)
				return 2;
			have -= len + 1;
			memmove(in, nl + 1, have);
			continue;
		}
		if (have > FRAME_MAX) {
			say("a line too long: not sent", "");
			return 3;
		}
		if (eof) {
			if (have > 0 && send_frame(in, have) == -1)
				return 2;
			return 0;
		}
		ssize_t k = read(STDIN_FILENO, in + have, sizeof(in) - have);
		if (k == -1) {
			if (errno == EINTR)
				continue;
			say("reading stdin: ", strerror(errno));
			return 2;
		}
		if (k == 0)
			eof = 1;
		have += (size_t)k;
	}
}
