/* writer.c - the shared-memory part: send stdin through the reader's segment.
 *
 *     writer KEY < file
 *
 * Finds the segment and the semaphore set that reader.c made on KEY (it
 * never makes either), checks that both are our own private objects, waits
 * until the reader has initialised the set, then sends stdin block by block
 * (at most LETTER_MAX bytes each), and a block of length 0 at the end.
 * Exit 0 once the last block is handed over; 2 if the objects are not ours,
 * never get initialised (3 s), or anything fails.
 *
 * Waiting for initialisation: the set exists from the reader's semget(), but
 * holds its starting values only after its semctl(SETALL). Its sem_otime,
 * 0 in a new set, changes with the first semop(), which the reader makes
 * after SETALL. So we poll sem_otime, every 10 ms for at most 3 s, and make
 * no semop() before it changes (TLPI's svsem_good_init.c). That poll is a
 * bounded wait for a condition, not a guess: the hand-off itself is the
 * semaphores'.
 */
#define _POSIX_C_SOURCE 200809L

#include <time.h>

#include "common.h"

/* wait_ready: exit 2 unless set SEM is ours, of two semaphores, and gets
 * initialised within 3 s. */
static void
wait_ready(int sem)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	struct semid_ds ds;
	int i;

	for (i = 0;; i++) {
		if (semctl(sem, 0, IPC_STAT, (union semun){ .buf = &ds }) == -1)
			err(EXIT_TROUBLE, "semctl(IPC_STAT)");
		if (!ours(&ds.sem_perm) || ds.sem_nsems != 2)
			errx(EXIT_TROUBLE, "the semaphore set is not our own private "
			     "set of 2 (owner %ld, creator %ld, mode %03o, %lu semaphores): refused",
			     (long)ds.sem_perm.uid, (long)ds.sem_perm.cuid,
			     (unsigned)(ds.sem_perm.mode & 0777), (unsigned long)ds.sem_nsems);
		if (ds.sem_otime != 0)
			return;
		if (i == 300)
			errx(EXIT_TROUBLE, "the semaphore set was never initialised");
		(void)nanosleep(&tick, NULL);
	}
}

int
main(int argc, char *argv[])
{
	static char buf[LETTER_MAX];
	struct letter *box;
	ssize_t n;
	int shm, sem;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: writer KEY");
	key_t key = parse_key(argv[1]);

	shm = shmget(key, 0, 0);
	if (shm == -1)
		err(EXIT_TROUBLE, "shmget(%s)", argv[1]);
	sem = semget(key, 0, 0);
	if (sem == -1)
		err(EXIT_TROUBLE, "semget(%s)", argv[1]);
	shm_check(shm);
	wait_ready(sem);
	box = shmat(shm, NULL, 0);
	if (box == (void *)-1)
		err(EXIT_TROUBLE, "shmat");

	do {
		/* Read before our turn: the reader prints meanwhile. */
		do
			n = read(STDIN_FILENO, buf, sizeof(buf));
		while (n == -1 && errno == EINTR);
		if (n == -1)
			err(EXIT_TROUBLE, "stdin");
		if (turn(sem, 0, -1) == -1)
			err(EXIT_TROUBLE, "waiting for the reader (is it gone?)");
		memcpy(box->text, buf, (size_t)n);
		box->len = (uint32_t)n;
		if (turn(sem, 1, +1) == -1)
			err(EXIT_TROUBLE, "handing over (is the reader gone?)");
	} while (n > 0);
	return EXIT_DONE;
}
