/* writer.c - style: raw read(2) of stdin, poll() as the millisecond sleep with a
 * counted bound, one checking helper for both IPC objects' permissions, and
 * the end-of-file block sent from inside the same loop.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "letter.h"

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static int die(const char *msg)
{
	(void)!write(2, msg, strlen(msg));
	return 2;
}

/* Made by us, owned by us, and no one else may touch it. */
static int private_ipc(const struct ipc_perm *p)
{
	uid_t me = geteuid();

	return p->uid == me && p->cuid == me && (p->mode & 0777) == 0600;
}

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
	int shm, sem, tries;
	struct shmid_ds ds;
	struct semid_ds sd;
	union semun arg;
	struct letter *box;
	static char buf[LETTER_MAX];
	ssize_t n;

	if (argc != 2 || (key = parse_key(argv[1])) < 0)
		return die("writer: usage: writer KEY (a positive number, decimal or 0x hex)\n");

	if ((shm = shmget((key_t)key, 0, 0)) < 0)
		return die("writer: no segment with that key\n");
	if ((sem = semget((key_t)key, 0, 0)) < 0)
		return die("writer: no semaphore set with that key\n");
	if (shmctl(shm, IPC_STAT, &ds) < 0)
		return die("writer: shmctl(IPC_STAT) failed\n");
	if (!private_ipc(&ds.shm_perm) || ds.shm_segsz < LETTER_SIZE)
		return die("writer: the segment is not our own private one: refused\n");
	arg.buf = &sd;
	if (semctl(sem, 0, IPC_STAT, arg) < 0)
		return die("writer: semctl(IPC_STAT) failed\n");
	if (!private_ipc(&sd.sem_perm) || sd.sem_nsems != 2)
		return die("writer: the semaphore set is not our own private one: refused\n");

	/* No semop() and no byte into the segment before the reader's touch:
	 * check sem_otime every 10 ms, 300 times at most (3 seconds). */
	for (tries = 0; sd.sem_otime == 0; tries++) {
		if (tries == 300)
			return die("writer: the semaphores were never initialised\n");
		poll(NULL, 0, 10);
		if (semctl(sem, 0, IPC_STAT, arg) < 0)
			return die("writer: the semaphore set went away\n");
	}

	if ((box = shmat(shm, NULL, 0)) == (void *)-1)
		return die("writer: shmat failed\n");

	do {
		do
			n = read(0, buf, sizeof buf);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return die("writer: cannot read stdin\n");
		if (sem_add(sem, 0, -1) != 0)
			return die("writer: semop failed (the reader vanished?)\n");
		memcpy(box->text, buf, (size_t)n);
		box->len = (uint32_t)n;
		if (sem_add(sem, 1, +1) != 0)
			return die("writer: semop failed (the reader vanished?)\n");
	} while (n > 0); /* the block with len 0 has gone too */
	return 0;
}
