/* listener.c - style: raw system calls (write(2), no stdio), sigsuspend() with a
 * flag-only sigaction() handler instead of sigwaitinfo(), a hand-rolled KEY
 * parser, and a single goto-based cleanup path.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

static volatile sig_atomic_t caught; /* the first of our signals, or 0 */

static void note(int sig)
{
	if (caught == 0)
		caught = sig; /* nothing else: no work in handlers */
}

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Write all N bytes of P to FD: 0, or -1 on failure. */
static int put(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* KEY, digit by digit: decimal, or hexadecimal after "0x"; 1..2147483647. */
static long parse_key(const char *s)
{
	unsigned base = 10;
	long v = 0;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		v = v * (long)base + (long)d;
		if (v > 2147483647L)
			return -1;
	}
	return v > 0 ? v : -1;
}

int main(int argc, char *argv[])
{
	long key;
	int id, status = 2;
	struct letter *box = (void *)-1;
	sigset_t ours, during;
	struct sigaction sa;
	char line[64];

	if (argc != 2 || (key = parse_key(argv[1])) < 0) {
		say("listener: usage: listener KEY (a positive number, decimal or 0x hex)\n");
		return 2;
	}

	sigemptyset(&ours);
	sigaddset(&ours, SIGUSR1);
	sigaddset(&ours, SIGINT);
	sigaddset(&ours, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &ours, &during) != 0) {
		say("listener: sigprocmask failed\n");
		return 2;
	}
	/* While suspended, let exactly our three signals in. */
	sigdelset(&during, SIGUSR1);
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGTERM);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = note;
	sa.sa_mask = ours;
	if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0) {
		say("listener: sigaction failed\n");
		return 2;
	}
	sa.sa_handler = SIG_IGN; /* a closed stdout: write() fails, we still clean up */
	sigaction(SIGPIPE, &sa, NULL);

	id = shmget((key_t)key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0) {
		say(errno == EEXIST ? "listener: that key already exists\n"
		                    : "listener: shmget failed\n");
		return 2;
	}
	box = shmat(id, NULL, 0);
	if (box == (void *)-1) {
		say("listener: shmat failed\n");
		goto out;
	}

	snprintf(line, sizeof line, "Listener PID: %ld\n", (long)getpid());
	if (put(1, line, strlen(line)) != 0) {
		say("listener: cannot write to stdout\n");
		goto out;
	}

	while (caught == 0)
		sigsuspend(&during); /* asleep until a handler has run */

	if (caught != SIGUSR1) {
		status = 1;
		goto out;
	}
	{
		uint32_t len = *(volatile uint32_t *)&box->len; /* the one read of len */
		if (len > LETTER_MAX) {
			snprintf(line, sizeof line, "listener: refused a letter of %lu bytes\n",
			         (unsigned long)len);
			say(line);
			status = 3;
			goto out;
		}
		if (put(1, box->text, len) != 0) {
			say("listener: cannot write to stdout\n");
			goto out;
		}
	}
	status = 0;
out:
	if (box != (void *)-1)
		shmdt(box);
	shmctl(id, IPC_RMID, NULL);
	return status;
}
