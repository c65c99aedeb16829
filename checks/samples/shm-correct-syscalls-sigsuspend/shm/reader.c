/* reader.c - style: raw system calls (write(2) straight from the segment, no
 * stdio), sigaction() with a blocking mask, a goto-based cleanup path, and the
 * receive loop written as a while over the turn.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

union semun { int val; struct semid_ds *buf; unsigned short *array; };

/* Stored while SIGINT and SIGTERM are blocked. */
static volatile sig_atomic_t shm_id = -1, sem_id = -1;

/* Only plain system calls here: remove what we made, and leave. */
static void stop(int sig)
{
	(void)sig;
	if (shm_id != -1)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id != -1)
		semctl(sem_id, 0, IPC_RMID);
	_exit(1);
}

static void say(const char *s)
{
	(void)!write(2, s, strlen(s));
}

static int put(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One semop() on semaphore N, retried when a stop/continue interrupts it. */
static int sem_add(int set, unsigned short n, short delta)
{
	struct sembuf op;

	op.sem_num = n;
	op.sem_op = delta;
	op.sem_flg = 0;
	for (;;) {
		if (semop(set, &op, 1) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

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
	int status = 2;
	sigset_t stops;
	struct sigaction sa;
	struct letter *box;
	unsigned short start[2] = { 1, 0 }; /* semaphore 0 (writer's turn) = 1 */
	union semun arg;
	struct sembuf touch = { 1, 0, IPC_NOWAIT };
	char line[64];
	uint32_t len;

	if (argc != 2 || (key = parse_key(argv[1])) < 0) {
		say("reader: usage: reader KEY (a positive number, decimal or 0x hex)\n");
		return 2;
	}

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stop;
	sa.sa_mask = stops;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	if ((shm_id = shmget((key_t)key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600)) == -1) {
		say(errno == EEXIST ? "reader: a segment with that key exists\n"
		                    : "reader: shmget failed\n");
		goto out;
	}
	if ((sem_id = semget((key_t)key, 2, IPC_CREAT | IPC_EXCL | 0600)) == -1) {
		say(errno == EEXIST ? "reader: a semaphore set with that key exists\n"
		                    : "reader: semget failed\n");
		goto out;
	}
	if ((box = shmat(shm_id, NULL, 0)) == (void *)-1) {
		say("reader: shmat failed\n");
		goto out;
	}
	arg.array = start;
	if (semctl(sem_id, 0, SETALL, arg) == -1 || semop(sem_id, &touch, 1) == -1) {
		say("reader: cannot initialise the semaphores\n");
		goto out;
	}
	sigprocmask(SIG_UNBLOCK, &stops, NULL);

	snprintf(line, sizeof line, "Reader PID: %ld\n", (long)getpid());
	if (put(line, strlen(line)) != 0) {
		say("reader: cannot write to stdout\n");
		goto out;
	}

	while (sem_add(sem_id, 1, -1) == 0) {
		len = *(volatile uint32_t *)&box->len; /* copied once, then only the copy */
		if (len > LETTER_MAX) {
			say("reader: refused a block longer than 4092 bytes\n");
			status = 3;
			goto out;
		}
		if (len == 0) {
			status = 0;
			goto out;
		}
		if (put(box->text, len) != 0) {
			say("reader: cannot write to stdout\n");
			goto out;
		}
		if (sem_add(sem_id, 0, +1) != 0)
			break;
	}
	say("reader: semop failed (was the set removed?)\n");
out:
	sigprocmask(SIG_BLOCK, &stops, NULL); /* the exit status is decided */
	if (shm_id != -1)
		shmctl(shm_id, IPC_RMID, NULL);
	if (sem_id != -1)
		semctl(sem_id, 0, IPC_RMID);
	return status;
}
