/* common.h - what the four programs of the FIFO and message queue part share.
 *
 * Each program is still built from one file (cc -o receiver receiver.c):
 * these are static functions, compiled into each program that includes them.
 * Include it after "#define _GNU_SOURCE" (signalfd(2), getline(3), O_CLOEXEC).
 *
 *   in_dir()       DIR/LEAF, or exit 2 if that doesn't fit in a path
 *   valid_queue()  a message queue name: '/', then 1 to MAX bytes, no '/', no '\0'
 *   ours()         is this object (fstat()) our own user's, mode 0600 exactly?
 *   describe()     what an fstat()/lstat() says, for a refusal's message
 *   stop_fd()      block SIGINT and SIGTERM, and get a descriptor that reports them
 *   wait_for()     sleep until a descriptor is ready, or a stop signal is pending
 *   write_all()    write every byte, however many write()s it takes
 *   read_line()    one line of stdin, any bytes, without its '\n'
 */
#ifndef FIFO_COMMON_H
#define FIFO_COMMON_H

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

/* Exit codes of the four programs (fifo/HANDOUT.md, "Summary"). The
 * receivers exit EXIT_DONE when they are told to stop: stopping is their
 * normal end. */
enum {
	EXIT_DONE = 0,
	EXIT_STOPPED = 1,
	EXIT_TROUBLE = 2,
	EXIT_REFUSED = 3,
	EXIT_BUSY = 4
};

/* The longest QUEUE the command line may name (the handout's rule). */
#define QUEUE_NAME_MAX 200

/* in_dir: DIR/LEAF into BUF (PATH_MAX bytes). snprintf() would cut a long
 * name short without a word, and we would serve some other name. */
static inline void
in_dir(char *buf, const char *dir, const char *leaf)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, leaf);

	if (n < 0 || n >= PATH_MAX)
		errx(EXIT_TROUBLE, "%s/%s: name too long", dir, leaf);
}

/* valid_queue: is S (LEN bytes, not necessarily a C string) a POSIX message
 * queue name, '/' then 1 to MAX bytes, none of them '/' or '\0'? Linux
 * refuses a second '/' anyway; a '\0' would make the name we open shorter
 * than the one we checked. */
static inline int
valid_queue(const char *s, size_t len, size_t max)
{
	if (len < 2 || len - 1 > max || s[0] != '/')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (s[i] == '/' || s[i] == '\0')
			return 0;
	return 1;
}

/* ours: is the object ST describes our own, and private to us? Another
 * user's object is theirs to read or to fill, whatever its mode; one of ours
 * that others may open is not private. */
static inline int
ours(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 0777) == 0600;
}

/* describe: a few words on ST, for a refusal's message (a static buffer). */
static inline const char *
describe(const struct stat *st)
{
	static char words[96];
	const char *type = S_ISFIFO(st->st_mode) ? "a FIFO" :
			   S_ISREG(st->st_mode)  ? "a regular file" :
			   S_ISLNK(st->st_mode)  ? "a symbolic link" :
			   S_ISDIR(st->st_mode)  ? "a directory" : "a special file";

	(void)snprintf(words, sizeof(words), "%s of user %ld, mode %03o", type,
		       (long)st->st_uid, (unsigned)(st->st_mode & 07777));
	return words;
}

/* stop_fd: block SIGINT and SIGTERM, then return a signalfd(2) that becomes
 * readable when one of them is pending. Call it before making anything: from
 * then on a stop signal can only wait for us, it never ends us halfway, and
 * poll() sees it together with our other descriptor, so it can't slip in
 * between a check and a blocking call (the race pause() has). */
static inline int
stop_fd(void)
{
	struct sigaction sa;
	sigset_t stops;
	int sfd;

	if (sigemptyset(&stops) == -1 || sigaddset(&stops, SIGINT) == -1 ||
	    sigaddset(&stops, SIGTERM) == -1 || sigprocmask(SIG_BLOCK, &stops, NULL) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	/* A shell starts a background job ("receiver DIR &" in a script) with
	 * SIGINT ignored, and an ignored signal is thrown away, not kept
	 * pending. The default action never runs while the signal is blocked. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction");
	/* A closed stdout is trouble to report, and to clean up after: not a
	 * silent death by SIGPIPE that leaves our names behind. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGPIPE)");
	sfd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd == -1)
		err(EXIT_TROUBLE, "signalfd");
	return sfd;
}

/* wait_for: sleep until FD is ready for EVENTS (or has an error to report,
 * which the next call on it will tell), or until a stop signal is pending on
 * SFD (stop_fd()). Returns 0 for FD, the signal's number, or -1 (errno).
 * The signal comes first: a stream of messages can't keep us from stopping. */
static inline int
wait_for(int fd, short events, int sfd)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
			       { .fd = sfd, .events = POLLIN } };
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents != 0) {
			n = read(sfd, &si, sizeof(si));
			if (n == (ssize_t)sizeof(si))
				return (int)si.ssi_signo;
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				return -1;
		}
		if (p[0].revents != 0)
			return 0;
	}
}

/* write_all: write LEN bytes of BUF to FD. write() may write fewer bytes
 * than asked (a pipe, a signal), and then the rest must follow. */
static inline int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read_line: the next line of stdin into *LINE (getline(3) grows it), with
 * its length in *LEN, without its '\n' (the last line may have none).
 * Returns 1 for a line, 0 at the end of stdin, -1 if reading failed. The
 * line may hold '\0' bytes: only *LEN tells where it ends, never strlen(). */
static inline int
read_line(char **line, size_t *cap, size_t *len)
{
	ssize_t n = getline(line, cap, stdin);

	/* At the end, feof(); a read error, or no memory: not the end. */
	if (n == -1)
		return feof(stdin) && !ferror(stdin) ? 0 : -1;
	*len = (size_t)n;
	if ((*line)[*len - 1] == '\n')
		(*len)--;
	return 1;
}

#endif
