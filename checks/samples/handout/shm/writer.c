/* writer.c - Part 4: sends its stdin through the reader's segment, block by block,
 * taking turns with the reader on two semaphores.
 *
 * usage: writer KEY < file
 * exit:  0 the stream sent, 2 anything else (not our own private objects, never
 *        initialised, a failed call)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

union semun { int val; struct semid_ds *buf; unsigned short *array; };

/* semaphore 0: the writer's turn; semaphore 1: the reader's turn */
static int turn(int sem, int n, int delta) {
	struct sembuf op = { .sem_num = n, .sem_op = delta, .sem_flg = 0 };
	int r;
	do {
		r = semop(sem, &op, 1);
	} while (r < 0 && errno == EINTR);   /* e.g. after a SIGSTOP/SIGCONT */
	return r;
}

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

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY < file\n", argv[0]);
		exit(2);
	}
	key_t key = parse_key(argv[1]);
	if (key == 0) {
		fprintf(stderr, "writer: bad key '%s' (a positive number, or 0x...)\n", argv[1]);
		exit(2);
	}

	/* never create anything: only the reader makes them */
	int shm = shmget(key, 0, 0);
	if (shm < 0) {
		perror("writer: shmget");
		exit(2);
	}
	struct shmid_ds ds;
	if (shmctl(shm, IPC_STAT, &ds) < 0) {
		perror("writer: shmctl(IPC_STAT)");
		exit(2);
	}
	if (ds.shm_perm.uid != geteuid() || ds.shm_perm.cuid != geteuid() ||
	    (ds.shm_perm.mode & 0777) != 0600 || ds.shm_segsz < LETTER_SIZE) {
		fprintf(stderr, "writer: key %s is not our own private segment\n", argv[1]);
		exit(2);
	}

	int sem = semget(key, 0, 0);
	if (sem < 0) {
		perror("writer: semget");
		exit(2);
	}
	struct semid_ds sd;
	union semun arg = { .buf = &sd };
	if (semctl(sem, 0, IPC_STAT, arg) < 0) {
		perror("writer: semctl(IPC_STAT)");
		exit(2);
	}
	if (sd.sem_perm.uid != geteuid() || sd.sem_perm.cuid != geteuid() ||
	    (sd.sem_perm.mode & 0777) != 0600 || sd.sem_nsems != 2) {
		fprintf(stderr, "writer: key %s is not our own private semaphore set\n", argv[1]);
		exit(2);
	}

	/* wait for the reader's SETALL: until then, no semop() and no writing */
	for (int i = 0; ; i++) {
		if (semctl(sem, 0, IPC_STAT, arg) < 0) {
			perror("writer: semctl(IPC_STAT)");
			exit(2);
		}
		if (sd.sem_otime != 0)
			break;
		if (i == 300) {
			fprintf(stderr, "writer: the set was never initialised\n");
			exit(2);
		}
		usleep(10000);                     /* a bounded wait: 300 times 10 ms */
	}

	struct letter *box = shmat(shm, NULL, 0);
	if (box == (void *)-1) {
		perror("writer: shmat");
		exit(2);
	}

	char buf[LETTER_MAX];
	for (;;) {
		ssize_t n = read(0, buf, LETTER_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("writer: read");
			exit(2);
		}
		if (turn(sem, 0, -1) < 0) {        /* wait for my turn */
			perror("writer: semop (my turn)");
			exit(2);
		}
		memcpy(box->text, buf, n);
		box->len = n;                      /* 0 at the end of the file */
		if (turn(sem, 1, +1) < 0) {        /* the reader's turn */
			perror("writer: semop (reader's turn)");
			exit(2);
		}
		if (n == 0)
			break;
	}
	shmdt(box);
	exit(0);
}
