/* listener.c - style: stdio (printf/fwrite/fflush, perror), strtoul key parsing,
 * sigwait() instead of sigwaitinfo(), cleanup through one finish() helper.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

static int seg = -1;
static struct letter *box;

/* Detach and remove our segment (if we made one), then exit with CODE. */
static void finish(int code)
{
	if (box != NULL && box != (void *)-1)
		shmdt(box);
	if (seg != -1)
		shmctl(seg, IPC_RMID, NULL);
	exit(code);
}

/* KEY: a positive decimal or 0x-hexadecimal number up to 2147483647. */
static int read_key(const char *arg, key_t *out)
{
	int hex = strncmp(arg, "0x", 2) == 0;
	const char *p = hex ? arg + 2 : arg;
	char *end;
	unsigned long v;

	if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return -1;
	errno = 0;
	v = strtoul(p, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 2147483647UL)
		return -1;
	*out = (key_t)v;
	return 0;
}

int main(int argc, char *argv[])
{
	key_t key;
	sigset_t wanted;
	int sig;

	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY\n", argv[0]);
		return 2;
	}
	if (read_key(argv[1], &key) != 0) {
		fprintf(stderr, "listener: bad KEY '%s'\n", argv[1]);
		return 2;
	}

	/* Block the three signals before the segment exists. */
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGUSR1);
	sigaddset(&wanted, SIGINT);
	sigaddset(&wanted, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &wanted, NULL) != 0) {
		perror("listener: sigprocmask");
		return 2;
	}
	/* An inherited SIG_IGN could discard them even while blocked. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* A vanished reader of our stdout must not kill us before cleanup. */
	signal(SIGPIPE, SIG_IGN);

	seg = shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (seg == -1) {
		if (errno == EEXIST)
			fprintf(stderr, "listener: key %s already exists\n", argv[1]);
		else
			perror("listener: shmget");
		return 2; /* nothing of ours to remove */
	}
	box = shmat(seg, NULL, 0);
	if (box == (void *)-1) {
		perror("listener: shmat");
		finish(2);
	}

	printf("Listener PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF) {
		perror("listener: stdout");
		finish(2);
	}

	for (;;) {
		int r = sigwait(&wanted, &sig);
		if (r == 0)
			break;
		if (r != EINTR) {
			errno = r;
			perror("listener: sigwait");
			finish(2);
		}
	}
	if (sig != SIGUSR1)
		finish(1);

	{
		uint32_t len = *(volatile uint32_t *)&box->len; /* read once, used as is */
		if (len > LETTER_MAX) {
			fprintf(stderr, "listener: refused a letter of %lu bytes (at most %d)\n",
			        (unsigned long)len, LETTER_MAX);
			finish(3);
		}
		if (fwrite(box->text, 1, len, stdout) != len || fflush(stdout) == EOF) {
			perror("listener: stdout");
			finish(2);
		}
	}
	finish(0);
	return 0;
}
