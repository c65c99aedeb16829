/* reader.c - style: stdio (fwrite to a buffered stdout, flushed at the end),
 * a signal() handler as the handout suggests, one finish() for every exit.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
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

/* Set while SIGINT and SIGTERM are blocked: the handler only reads them. */
static volatile sig_atomic_t shm_id = -1, sem_id = -1;
static sigset_t stops;

static void stop(int sig)
{
	(void)sig;
	if (shm_id != -1)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id != -1)
		semctl(sem_id, 0, IPC_RMID);
	_exit(1);
}

/* Remove both objects (no signal may interrupt that) and exit with CODE. */
static void finish(int code)
{
	sigprocmask(SIG_BLOCK, &stops, NULL);
	if (shm_id != -1)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id != -1)
		semctl(sem_id, 0, IPC_RMID);
	exit(code);
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

int main(int argc, char *argv[])
{
	key_t key;
	struct letter *box;
	int shm, sem;

	if (argc != 2) {
		fprintf(stderr, "usage: %s KEY\n", argv[0]);
		return 2;
	}
	if (read_key(argv[1], &key) != 0) {
		fprintf(stderr, "reader: bad KEY '%s'\n", argv[1]);
		return 2;
	}

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	signal(SIGINT, stop);
	signal(SIGTERM, stop);
	signal(SIGPIPE, SIG_IGN);

	shm = shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (shm == -1) {
		perror("reader: shmget");
		finish(2);
	}
	shm_id = shm;
	sem = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (sem == -1) {
		perror("reader: semget");
		finish(2);
	}
	sem_id = sem;

	box = shmat(shm, NULL, 0);
	if (box == (void *)-1) {
		perror("reader: shmat");
		finish(2);
	}
	{
		unsigned short start[2] = { 1, 0 }; /* the writer goes first */
		union semun arg = { .array = start };
		struct sembuf touch = { .sem_num = 1, .sem_op = 0, .sem_flg = IPC_NOWAIT };

		if (semctl(sem, 0, SETALL, arg) == -1) {
			perror("reader: semctl(SETALL)");
			finish(2);
		}
		if (semop(sem, &touch, 1) == -1) { /* sets sem_otime: "ready" */
			perror("reader: semop");
			finish(2);
		}
	}
	sigprocmask(SIG_UNBLOCK, &stops, NULL);

	printf("Reader PID: %ld\n", (long)getpid());
	if (fflush(stdout) == EOF) {
		perror("reader: stdout");
		finish(2);
	}

	for (;;) {
		uint32_t len;

		if (turn(sem, 1, -1) == -1) {
			perror("reader: semop");
			finish(2);
		}
		len = *(volatile uint32_t *)&box->len; /* once */
		if (len > LETTER_MAX) {
			fflush(stdout);
			fprintf(stderr, "reader: refused a block of %lu bytes (at most %d)\n",
			        (unsigned long)len, LETTER_MAX);
			finish(3);
		}
		if (len == 0)
			break;
		if (fwrite(box->text, 1, len, stdout) != len) {
			perror("reader: stdout");
			finish(2);
		}
		if (turn(sem, 0, +1) == -1) {
			perror("reader: semop");
			finish(2);
		}
	}
	if (fflush(stdout) == EOF) {
		perror("reader: stdout");
		finish(2);
	}
	finish(0);
	return 0;
}
