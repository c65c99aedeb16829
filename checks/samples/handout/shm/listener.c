/* listener.c - Part 4: waits for one letter in a shared segment and prints it.
 *
 * usage: listener KEY
 * exit:  0 a letter printed, 1 SIGINT/SIGTERM, 2 the key exists or something failed,
 *        3 the letter's length was refused
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

/* KEY: a positive number, decimal or hexadecimal with 0x. Returns 0 if it isn't one. */
static key_t parse_key(const char *s) {
	if (s[0] < '0' || s[0] > '9')
		return 0;               /* no sign, no spaces, not empty */
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;              /* strtol() skips the 0x itself */
	char *end;
	errno = 0;
	long v = strtol(s, &end, base);
	if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
		return 0;
	return (key_t)v;
}

int id = -1;
struct letter *box = NULL;

/* remove the segment: we call this on every way out */
void remove_segment(void) {
	if (box != NULL) {
		shmdt(box);
		box = NULL;
	}
	if (id >= 0) {
		shmctl(id, IPC_RMID, NULL);
		id = -1;
	}
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY\n", argv[0]);
		exit(2);
	}
	key_t key = parse_key(argv[1]);
	if (key == 0) {
		fprintf(stderr, "listener: bad key '%s' (a positive number, or 0x...)\n", argv[1]);
		exit(2);
	}

	/* a closed stdout must give us an error, not kill us with the segment left behind */
	signal(SIGPIPE, SIG_IGN);

	/* block the signals first (even before the segment exists, so a SIGINT can't kill
	 * us between shmget() and here); they stay pending until sigwaitinfo() takes them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		perror("listener: sigprocmask");
		exit(2);
	}
	/* a script starts us with SIGINT ignored; blocked, the default action never runs,
	 * but an ignored signal might be thrown away */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	id = shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "listener: key %s exists already, not touching it\n", argv[1]);
		else
			perror("listener: shmget");
		exit(2);
	}
	box = shmat(id, NULL, 0);
	if (box == (void *)-1) {
		box = NULL;
		perror("listener: shmat");
		remove_segment();
		exit(2);
	}

	printf("Listener PID: %d\n", getpid());
	if (fflush(stdout) == EOF) {
		perror("listener: stdout");
		remove_segment();
		exit(2);
	}

	int sig;
	do {
		sig = sigwaitinfo(&set, NULL);   /* asleep until one of them comes */
	} while (sig < 0 && errno == EINTR);
	if (sig < 0) {
		perror("listener: sigwaitinfo");
		remove_segment();
		exit(2);
	}
	if (sig != SIGUSR1) {
		remove_segment();
		exit(1);
	}

	/* mark the segment for removal now: nobody can find it by its key any more, and
	 * our attachment stays valid until shmdt() */
	shmctl(id, IPC_RMID, NULL);
	id = -1;

	/* once: the sender may change it right after (volatile, so the compiler reads it
	 * only once too) */
	uint32_t len = *(volatile uint32_t *)&box->len;
	if (len > LETTER_MAX) {
		fprintf(stderr, "listener: refused a letter of %u bytes (at most %d)\n", len, LETTER_MAX);
		remove_segment();
		exit(3);
	}
	if (fwrite(box->text, 1, len, stdout) != len || fflush(stdout) == EOF) {
		perror("listener: stdout");
		remove_segment();
		exit(2);
	}
	remove_segment();
	exit(0);
}
