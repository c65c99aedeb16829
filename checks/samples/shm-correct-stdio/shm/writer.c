/* writer.c - style: stdio (fread() of whole blocks from stdin), a deadline on
 * CLOCK_MONOTONIC with nanosleep() for the initialisation wait, helper functions.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>
#include "letter.h"

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static void fail(const char *what)
{
	perror(what);
	exit(2);
}

static void refuse(const char *what)
{
	fprintf(stderr, "writer: %s is not our own private one\n", what);
	exit(2);
}

static int mine(const struct ipc_perm *p)
{
	return p->uid == geteuid() && p->cuid == geteuid() && (p->mode & 0777) == 0600;
}

static int turn(int sem, int n, int delta)
{
	struct sembuf op = { .sem_num = n, .sem_op = delta, .sem_flg = 0 };
	int r;

	do
		r = semop(sem, &op, 1);
	while (r == -1 && errno == EINTR);
	return r;
}

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

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Wait, at most 3 seconds, until a semop() has been made on the set. */
static void await_init(int sem)
{
	struct semid_ds sd;
	union semun arg = { .buf = &sd };
	const struct timespec step = { 0, 5 * 1000 * 1000 }; /* 5 ms */
	double deadline = now() + 3.0;

	for (;;) {
		if (semctl(sem, 0, IPC_STAT, arg) == -1)
			fail("writer: semctl(IPC_STAT)");
		if (sd.sem_otime != 0)
			return;
		if (now() >= deadline) {
			fprintf(stderr, "writer: the set was never initialised\n");
			exit(2);
		}
		nanosleep(&step, NULL);
	}
}

int main(int argc, char *argv[])
{
	key_t key;
	int shm, sem;
	struct shmid_ds ds;
	struct semid_ds sd;
	union semun arg = { .buf = &sd };
	struct letter *box;
	static char buf[LETTER_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY\n", argv[0]);
		return 2;
	}
	if (read_key(argv[1], &key) != 0) {
		fprintf(stderr, "writer: bad KEY '%s'\n", argv[1]);
		return 2;
	}

	if ((shm = shmget(key, 0, 0)) == -1)
		fail("writer: shmget");
	if ((sem = semget(key, 0, 0)) == -1)
		fail("writer: semget");
	if (shmctl(shm, IPC_STAT, &ds) == -1)
		fail("writer: shmctl(IPC_STAT)");
	if (!mine(&ds.shm_perm) || ds.shm_segsz < LETTER_SIZE)
		refuse("the segment");
	if (semctl(sem, 0, IPC_STAT, arg) == -1)
		fail("writer: semctl(IPC_STAT)");
	if (!mine(&sd.sem_perm) || sd.sem_nsems != 2)
		refuse("the semaphore set");

	await_init(sem);

	box = shmat(shm, NULL, 0);
	if (box == (void *)-1)
		fail("writer: shmat");

	for (;;) {
		size_t n = fread(buf, 1, sizeof buf, stdin);

		if (n == 0 && ferror(stdin))
			fail("writer: stdin");
		if (turn(sem, 0, -1) == -1)
			fail("writer: semop");
		memcpy(box->text, buf, n);
		box->len = (uint32_t)n;
		if (turn(sem, 1, +1) == -1)
			fail("writer: semop");
		if (n == 0)
			return 0; /* that was the empty block: the end */
	}
}
