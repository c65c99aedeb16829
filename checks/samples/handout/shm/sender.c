/* sender.c - Part 4: writes a letter into the listener's segment and wakes it up.
 *
 * usage: sender KEY PID MESSAGE
 * exit:  0 the signal was sent, 2 anything else (too long, not our own private
 *        segment, a failed call)
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
#include <sys/types.h>
#include <unistd.h>
#include "letter.h"

/* a positive number, decimal (or hexadecimal with 0x if hex_ok). Returns 0 if it isn't one. */
static long parse_positive(const char *s, int hex_ok) {
	if (s[0] < '0' || s[0] > '9')
		return 0;               /* no sign, no spaces, not empty */
	int base = 10;
	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	char *end;
	errno = 0;
	long v = strtol(s, &end, base);
	if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
		return 0;
	return v;
}

int main(int argc, char *argv[]) {
	if (argc != 4) {
		fprintf(stderr, "usage: %s KEY PID MESSAGE\n", argv[0]);
		exit(2);
	}

	/* the length first: a letter that doesn't fit goes nowhere */
	size_t n = strlen(argv[3]);
	if (n > LETTER_MAX) {
		fprintf(stderr, "sender: the message is %zu bytes, at most %d fit\n", n, LETTER_MAX);
		exit(2);
	}

	key_t key = parse_positive(argv[1], 1);
	if (key == 0) {
		fprintf(stderr, "sender: bad key '%s' (a positive number, or 0x...)\n", argv[1]);
		exit(2);
	}
	/* a positive PID only: kill(0, ...) or kill(-1, ...) would signal a whole group */
	pid_t pid = parse_positive(argv[2], 0);
	if (pid == 0) {
		fprintf(stderr, "sender: bad PID '%s'\n", argv[2]);
		exit(2);
	}

	/* never IPC_CREAT: only the listener makes the segment */
	int id = shmget(key, 0, 0);
	if (id < 0) {
		perror("sender: shmget");
		exit(2);
	}

	/* is it really the listener's, i.e. our own private one? */
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0) {
		perror("sender: shmctl(IPC_STAT)");
		exit(2);
	}
	if (ds.shm_perm.uid != geteuid() || ds.shm_perm.cuid != geteuid() ||
	    (ds.shm_perm.mode & 0777) != 0600 || ds.shm_segsz < LETTER_SIZE) {
		fprintf(stderr, "sender: key %s is not our own private segment\n", argv[1]);
		exit(2);
	}

	struct letter *box = shmat(id, NULL, 0);
	if (box == (void *)-1) {
		perror("sender: shmat");
		exit(2);
	}
	memcpy(box->text, argv[3], n);
	box->len = n;
	if (shmdt(box) < 0) {
		perror("sender: shmdt");
		exit(2);
	}

	if (kill(pid, SIGUSR1) < 0) {
		perror("sender: kill");
		exit(2);
	}
	exit(0);
}
