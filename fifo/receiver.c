/* receiver.c - Part 5: make a private FIFO in DIR, print the messages that
 * arrive on it.
 *
 *     receiver DIR
 *
 * Serves the name DIR/fifo, one receiver at a time: the fcntl lock on
 * DIR/fifo.lock says who serves it. Says "Receiver PID: N", then prints each
 * message that a sender (sender.c) writes into the FIFO, as frames of
 * fifo/frame.h: its bytes, then '\n'. SIGINT or SIGTERM: exit 0. A frame
 * longer than FRAME_MAX: exit 3. A name that isn't ours, or any failure:
 * exit 2. Another receiver serving the name: exit 4, at once, touching
 * nothing. On every other path the FIFO and the lock file are removed.
 *
 *     $ ./receiver /tmp &
 *     Receiver PID: 4242
 *     $ echo hello | ./sender /tmp
 *     hello
 *
 * How it differs from the readings, and why:
 *
 *   - DIR is a directory others may write to. Whatever they put at DIR/fifo
 *     (a FIFO of theirs, a file, a symbolic link) is refused and left alone:
 *     lstat() and O_NOFOLLOW never follow a link, and fstat() on what we
 *     opened checks the object itself, not a name that can change under us.
 *   - Mode 0600: no one else may read our messages or write fake ones.
 *   - One receiver per name: two readers of one FIFO would each get some of
 *     the messages. The lock is an fcntl lock (F_SETLK: never wait), and its
 *     holder is the receiver that serves the name. A lock dies with its
 *     holder, even a SIGKILLed one, so a stale lock file can't block us. It
 *     also dies when its holder closes ANY descriptor of that file: the lock
 *     descriptor stays open until we exit.
 *   - Frames, not "80 bytes": the length, then exactly that many bytes. A
 *     read() returns whatever the pipe holds, half a frame or three of them;
 *     the frames are cut out of a buffer, however the reads fell.
 *   - No handler, no busy loop, no sleep(): the stop signals are blocked
 *     before anything exists, and poll() sleeps on the FIFO and a signalfd
 *     at once. A signal is never lost between a check and the wait.
 *   - We keep a write descriptor on our own FIFO: a FIFO without writers
 *     reads as end-of-file (and poll() says POLLHUP at once, for ever) as
 *     soon as a sender leaves. With ours open, we sleep until the next one.
 *   - The FIFO, then the lock file, are removed before the lock is let go:
 *     the next receiver never sees our FIFO behind a free lock.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <stdint.h>

#include "common.h"

/* What this receiver serves, and what it must remove before it exits. */
static char fifo_path[PATH_MAX], lock_path[PATH_MAX];
static int made_fifo;   /* DIR/fifo is the FIFO we made */
static int have_lock;   /* DIR/fifo.lock is the file we locked */

/* The frames that arrived, and how many bytes of them: never more than one
 * whole frame and the start of the next, since a whole one is printed as
 * soon as it is here. */
static unsigned char in[sizeof(uint32_t) + FRAME_MAX];
static size_t have;

/* quit: remove what is ours, FIFO first, then exit with STATUS. exit()
 * closes the lock descriptor, and with it lets go of the lock. The stop
 * signals are blocked for good: nothing interrupts this. */
static _Noreturn void
quit(int status)
{
	if (made_fifo && unlink(fifo_path) == -1)
		warn("unlink(%s)", fifo_path);
	if (have_lock && unlink(lock_path) == -1)
		warn("unlink(%s)", lock_path);
	exit(status);
}

/* busy: the name is served by the holder of the lock on FD: say who, exit 4.
 * Returns if the lock was let go meanwhile: try again. */
static void
busy(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	if (fcntl(fd, F_GETLK, &fl) == -1)
		err(EXIT_TROUBLE, "fcntl(%s, F_GETLK)", lock_path);
	if (fl.l_type == F_UNLCK)
		return;
	/* An open file description lock (F_OFD_SETLK) has no PID: -1. */
	if (fl.l_pid > 0)
		errx(EXIT_BUSY, "%s is busy: PID %ld serves it", fifo_path, (long)fl.l_pid);
	errx(EXIT_BUSY, "%s is busy: another process holds %s", fifo_path, lock_path);
}

/* named: is DIR/fifo.lock still the file that ST describes? */
static int
named(const struct stat *st)
{
	struct stat now;

	if (stat(lock_path, &now) == -1) {
		if (errno != ENOENT)
			err(EXIT_TROUBLE, "stat(%s)", lock_path);
		return 0;
	}
	return now.st_dev == st->st_dev && now.st_ino == st->st_ino;
}

/* lock: open and lock DIR/fifo.lock, write our PID in it, and return its
 * descriptor, to keep open until we exit. */
static int
lock(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	struct stat st;
	char pid[32];
	int fd = -1, n;

	/* A receiver that is exiting removes the file it locked: if we opened
	 * that one, our lock is on a file that no longer has the name. We
	 * start over; a name that changes every time is someone's game. */
	for (int tries = 0; tries < 100; tries++) {
		fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1)
			err(EXIT_TROUBLE, "open(%s)", lock_path);
		if (fstat(fd, &st) == -1)
			err(EXIT_TROUBLE, "fstat(%s)", lock_path);
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
			errx(EXIT_TROUBLE, "%s is %s, not a file of ours: refused, left alone",
			     lock_path, describe(&st));
		if (fcntl(fd, F_SETLK, &fl) == -1) {
			if (errno != EAGAIN && errno != EACCES)
				err(EXIT_TROUBLE, "fcntl(%s, F_SETLK)", lock_path);
			busy(fd);       /* returns if the lock was let go */
		} else if (named(&st)) {
			break;
		}
		(void)close(fd);
		fd = -1;
	}
	if (fd == -1)
		errx(EXIT_TROUBLE, "%s keeps changing: giving up", lock_path);
	have_lock = 1;

	/* For people (and cat): who serves the name. The lock itself says it
	 * better, since the PID in a file can be stale. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		warn("writing our PID into %s", lock_path);
		quit(EXIT_TROUBLE);
	}
	return fd;
}

/* refuse: a line on stderr about the thing at DIR/fifo, then exit 2. */
static _Noreturn void
refuse(const struct stat *st)
{
	warnx("%s is %s, not a private FIFO of ours: refused, left alone", fifo_path,
	      describe(st));
	quit(EXIT_TROUBLE);
}

/* make_fifo: make DIR/fifo, private, and open it for reading (returned) and
 * for writing (kept, never used: see above). We hold the lock. */
static int
make_fifo(void)
{
	struct stat st, wst;
	int rfd, wfd;

	if (lstat(fifo_path, &st) == 0) {
		/* Ours, and no receiver holds the lock (we do): what a killed
		 * receiver left behind. Anything else is someone's trap. */
		if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid())
			refuse(&st);
		if (unlink(fifo_path) == -1) {
			warn("unlink(%s), our old FIFO", fifo_path);
			quit(EXIT_TROUBLE);
		}
	} else if (errno != ENOENT) {
		warn("lstat(%s)", fifo_path);
		quit(EXIT_TROUBLE);
	}

	/* EEXIST: someone was quicker than us since lstat(). Never "use it
	 * anyway": it is theirs. */
	if (mkfifo(fifo_path, 0600) == -1) {
		warn("mkfifo(%s)%s", fifo_path, errno == EEXIST ? ", made by someone else" : "");
		quit(EXIT_TROUBLE);
	}
	made_fifo = 1;

	/* O_NONBLOCK: no waiting for a writer to open; and our reads never
	 * block, poll() does the waiting. */
	rfd = open(fifo_path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (rfd == -1) {
		warn("open(%s)", fifo_path);
		quit(EXIT_TROUBLE);
	}
	if (fstat(rfd, &st) == -1) {
		warn("fstat(%s)", fifo_path);
		quit(EXIT_TROUBLE);
	}
	if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid()) {
		made_fifo = 0;  /* not the FIFO we made: not ours to remove */
		refuse(&st);
	}
	if (!ours(&st)) {
		/* The umask can only take bits away: it took too many. */
		warnx("%s has mode %03o, not 0600: check your umask", fifo_path,
		      (unsigned)(st.st_mode & 07777));
		quit(EXIT_TROUBLE);
	}

	wfd = open(fifo_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (wfd == -1) {
		warn("open(%s) for writing", fifo_path);
		quit(EXIT_TROUBLE);
	}
	if (fstat(wfd, &wst) == -1) {
		warn("fstat(%s)", fifo_path);
		quit(EXIT_TROUBLE);
	}
	if (wst.st_dev != st.st_dev || wst.st_ino != st.st_ino) {
		made_fifo = 0;
		warnx("%s changed under us: refused, left alone", fifo_path);
		quit(EXIT_TROUBLE);
	}
	return rfd;
}

/* print: the message's bytes, then '\n', in one piece. */
static void
print(const unsigned char *bytes, uint32_t len)
{
	static char out[FRAME_MAX + 1];

	memcpy(out, bytes, len);
	out[len] = '\n';
	if (write_all(STDOUT_FILENO, out, (size_t)len + 1) == -1) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}
}

/* take: one read() from the FIFO, then print every whole frame there is.
 * Returns how many bytes came (0: none). */
static size_t
take(int fd)
{
	uint32_t len;
	ssize_t n;

	/* There is always room: what is left over is less than one frame. */
	n = read(fd, in + have, sizeof(in) - have);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		warn("read(%s)", fifo_path);
		quit(EXIT_TROUBLE);
	}
	have += (size_t)n;
	while (have >= sizeof(len)) {
		memcpy(&len, in, sizeof(len));  /* in[] need not be aligned */
		if (len > FRAME_MAX) {
			warnx("refused a frame of %lu bytes (at most %d): nothing after it "
			      "can be trusted", (unsigned long)len, FRAME_MAX);
			quit(EXIT_REFUSED);
		}
		if (have < sizeof(len) + len)
			break;          /* the rest is on its way */
		print(in + sizeof(len), len);
		have -= sizeof(len) + len;
		memmove(in, in + sizeof(len) + len, have);
	}
	return (size_t)n;
}

/* drain: told to stop, print what had arrived already: a sender that has
 * written its frames is done, and they must not be lost. At most what the
 * pipe holds: senders that keep writing can't keep us from stopping. */
static void
drain(int fd)
{
	int cap = fcntl(fd, F_GETPIPE_SZ);
	size_t total = 0, n;

	if (cap <= 0)
		cap = 65536;
	do {
		n = take(fd);
		total += n;
	} while (n > 0 && total < (size_t)cap);
}

int
main(int argc, char *argv[])
{
	char ready[64];
	int sfd, fd, sig, n;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: receiver DIR");
	in_dir(fifo_path, argv[1], "fifo");
	in_dir(lock_path, argv[1], "fifo.lock");

	sfd = stop_fd();
	(void)lock();   /* its descriptor stays open until we exit */
	fd = make_fifo();

	n = snprintf(ready, sizeof(ready), "Receiver PID: %ld\n", (long)getpid());
	if (write_all(STDOUT_FILENO, ready, (size_t)n) == -1) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}

	for (;;) {
		sig = wait_for(fd, POLLIN, sfd);
		if (sig == -1) {
			warn("poll");
			quit(EXIT_TROUBLE);
		}
		if (sig != 0) {
			drain(fd);
			quit(EXIT_DONE);
		}
		(void)take(fd);
	}
}
