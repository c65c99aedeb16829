/* reader.c - the shared-memory part: receive a stream through one segment.
 *
 *     reader KEY > copy
 *
 * Makes a private segment and a private set of two semaphores on KEY,
 * initialises the set, says "Reader PID: N", then prints every block the
 * writer (writer.c) puts in the segment, until a block of length 0. The two
 * semaphores take turns: number 0 is the writer's turn (it starts at 1),
 * number 1 the reader's (0). TLPI's svshm_xfr_reader.c is the model.
 *
 * Exit 0 at the end of the stream; 1 on SIGINT or SIGTERM; 3 for a block
 * longer than LETTER_MAX; 2 if KEY is taken or anything fails. Both objects
 * are removed on every one of these paths.
 *
 * Why the set is "touched" after SETALL: semget() makes a set of zeros, and
 * semctl(SETALL) comes later. A writer that used the set in between would
 * have its operations overwritten. A new set's sem_otime is 0 until the
 * first semop(), so our first semop(), after SETALL, is the sign the writer
 * waits for (TLPI's svsem_good_init.c).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "common.h"

/* The handler for SIGINT and SIGTERM: we spend our life blocked in semop(),
 * so it removes what we made and leaves, with async-signal-safe calls only. */
static void
on_stop(int sig)
{
	(void)sig;
	rm_objects();
	_exit(EXIT_STOPPED);
}

/* quit: remove what we made, then exit with STATUS. The stop signals are
 * held back first: their handler would turn STATUS into 1. */
static void
quit(int status)
{
	sigset_t stops;

	(void)sigemptyset(&stops);
	(void)sigaddset(&stops, SIGINT);
	(void)sigaddset(&stops, SIGTERM);
	(void)sigprocmask(SIG_BLOCK, &stops, NULL);
	rm_objects();
	exit(status);
}

int
main(int argc, char *argv[])
{
	unsigned short start[2] = { 1, 0 };
	struct sembuf touch = { .sem_num = 1, .sem_op = 0, .sem_flg = IPC_NOWAIT };
	struct sigaction sa;
	struct letter *box;
	sigset_t stops, old;
	uint32_t len;
	int shm, sem;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: reader KEY");
	key_t key = parse_key(argv[1]);

	/* Held back while the objects are made, so that the handler always
	 * knows every object there is to remove. */
	if (sigemptyset(&stops) == -1 || sigaddset(&stops, SIGINT) == -1 ||
	    sigaddset(&stops, SIGTERM) == -1 || sigprocmask(SIG_BLOCK, &stops, &old) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_mask = stops;
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction");
	/* A closed stdout is an error to report (and clean up after), not a
	 * reason to die silently. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGPIPE)");

	shm = shmget(key, sizeof(struct letter), IPC_CREAT | IPC_EXCL | 0600);
	if (shm == -1)
		err(EXIT_TROUBLE, "shmget(%s)%s", argv[1],
		    errno == EEXIST ? ", made by someone else: refused" : "");
	rm_shm = shm;
	sem = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (sem == -1) {
		warn("semget(%s)%s", argv[1],
		     errno == EEXIST ? ", made by someone else: refused" : "");
		quit(EXIT_TROUBLE);
	}
	rm_sem = sem;
	if (semctl(sem, 0, SETALL, (union semun){ .array = start }) == -1 ||
	    semop(sem, &touch, 1) == -1) {
		warn("initialising the semaphores");
		quit(EXIT_TROUBLE);
	}
	box = shmat(shm, NULL, SHM_RDONLY);
	if (box == (void *)-1) {
		warn("shmat");
		quit(EXIT_TROUBLE);
	}
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1) {
		warn("sigprocmask");
		quit(EXIT_TROUBLE);
	}

	if (printf("Reader PID: %ld\n", (long)getpid()) < 0 || fflush(stdout) == EOF) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}

	for (;;) {
		if (turn(sem, 1, -1) == -1) {
			warn("waiting for the writer");
			quit(EXIT_TROUBLE);
		}
		/* Once: the writer may rewrite it at any moment. */
		len = *(volatile uint32_t *)&box->len;
		if (len > LETTER_MAX) {
			warnx("refused a block of %lu bytes (at most %d)",
			      (unsigned long)len, LETTER_MAX);
			quit(EXIT_REFUSED);
		}
		if (len == 0)
			break;
		if (fwrite(box->text, 1, len, stdout) != len) {
			warn("stdout");
			quit(EXIT_TROUBLE);
		}
		if (turn(sem, 0, +1) == -1) {
			warn("handing the turn back");
			quit(EXIT_TROUBLE);
		}
	}
	if (fflush(stdout) == EOF) {
		warn("stdout");
		quit(EXIT_TROUBLE);
	}
	quit(EXIT_DONE);
}
