/* reader.c - Part 4: receives a stream through the shared segment, block by block,
 * taking turns with the writer on two semaphores.
 *
 * usage: reader KEY
 * exit:  0 the stream printed, 1 SIGINT/SIGTERM, 2 a key exists or something failed,
 *        3 a block's length was refused
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
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

static int shm_id = -1, sem_id = -1;      /* set as soon as each exists */

/* only plain system calls in here */
static void stop(int sig) {
	(void)sig;
	if (shm_id >= 0)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id >= 0)
		semctl(sem_id, 0, IPC_RMID);
	_exit(1);
}

/* remove both objects: on every way out */
static void remove_both(void) {
	if (shm_id >= 0)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id >= 0)
		semctl(sem_id, 0, IPC_RMID);
}

static void fail(const char *what) {
	perror(what);
	remove_both();
	exit(2);
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY\n", argv[0]);
		exit(2);
	}
	key_t key = parse_key(argv[1]);
	if (key == 0) {
		fprintf(stderr, "reader: bad key '%s' (a positive number, or 0x...)\n", argv[1]);
		exit(2);
	}

	/* a closed stdout must give us an error, not kill us with the objects left */
	signal(SIGPIPE, SIG_IGN);

	/* keep SIGINT/SIGTERM out while we make the objects and note their ids,
	 * so the handler always knows what to remove */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		perror("reader: sigprocmask");
		exit(2);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop;
	sa.sa_mask = set;                 /* one stop at a time */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0) {
		perror("reader: sigaction");
		exit(2);
	}

	shm_id = shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (shm_id < 0) {
		if (errno == EEXIST) {
			fprintf(stderr, "reader: a segment with key %s exists already\n", argv[1]);
			exit(2);
		}
		fail("reader: shmget");
	}
	sem_id = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (sem_id < 0) {
		if (errno == EEXIST) {
			fprintf(stderr, "reader: a semaphore set with key %s exists already\n", argv[1]);
			remove_both();    /* the segment is ours: remove it */
			exit(2);
		}
		fail("reader: semget");
	}
	struct letter *box = shmat(shm_id, NULL, 0);
	if (box == (void *)-1)
		fail("reader: shmat");

	unsigned short start[2] = { 1, 0 };       /* writer's turn first */
	union semun arg = { .array = start };
	if (semctl(sem_id, 0, SETALL, arg) < 0)
		fail("reader: semctl(SETALL)");
	struct sembuf touch = { .sem_num = 1, .sem_op = 0, .sem_flg = IPC_NOWAIT };
	if (semop(sem_id, &touch, 1) < 0)         /* now sem_otime != 0: "ready" */
		fail("reader: semop");

	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		fail("reader: sigprocmask");

	printf("Reader PID: %d\n", getpid());
	if (fflush(stdout) == EOF)
		fail("reader: stdout");

	for (;;) {
		if (turn(sem_id, 1, -1) < 0)
			fail("reader: semop (my turn)");
		/* once, and volatile: the writer may change it right after */
		uint32_t len = *(volatile uint32_t *)&box->len;
		if (len > LETTER_MAX) {
			fprintf(stderr, "reader: refused a block of %u bytes (at most %d)\n", len, LETTER_MAX);
			fflush(stdout);
			remove_both();
			exit(3);
		}
		if (len == 0)
			break;    /* the end of the stream */
		if (fwrite(box->text, 1, len, stdout) != len)
			fail("reader: stdout");
		if (turn(sem_id, 0, +1) < 0)
			fail("reader: semop (writer's turn)");
	}
	if (fflush(stdout) == EOF)
		fail("reader: stdout");
	shmdt(box);
	remove_both();
	exit(0);
}
