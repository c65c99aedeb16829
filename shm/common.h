/* common.h - what the four programs of the shared-memory part share.
 *
 * Each program is still built from one file (cc -o listener listener.c):
 * these are static functions, compiled into each program that includes them.
 *
 *   parse_key()    KEY from the command line: a positive number, decimal or 0x hex
 *   ours()         is an IPC object's permission set private to us, and made by us?
 *   shm_check()    the segment at an existing id is ours, private, big enough
 *   turn()         one semop() on one semaphore, waiting as long as it takes
 *   rm_objects()   remove the objects we made, on every exit path (signals too)
 */
#ifndef SHM_COMMON_H
#define SHM_COMMON_H

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "letter.h"

/* Exit codes shared by the four programs (shm/HANDOUT.md, "Summary"). */
enum { EXIT_DONE = 0, EXIT_STOPPED = 1, EXIT_TROUBLE = 2, EXIT_REFUSED = 3 };

/* glibc leaves union semun to the caller (semctl(2)). */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static inline key_t
parse_key(const char *s)
{
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;
	long v;

	/* strtol() alone would take "010" as octal, and " +5" as 5. */
	errno = 0;
	v = strtol(digits, &end, hex ? 16 : 10);
	/* IPC_PRIVATE is 0: a key that is not one. */
	if (!isxdigit((unsigned char)digits[0]) || errno != 0 || *end != '\0' || v <= 0 ||
	    v > INT_MAX)
		errx(EXIT_TROUBLE, "KEY must be a positive number, not '%s'", s);
	return (key_t)v;
}

/* An object someone else made can have been handed to us with IPC_SET
 * (which changes uid, never cuid), and its creator keeps the owner's rights
 * on it: both must be us, and no one else may have any access. */
static inline int
ours(const struct ipc_perm *p)
{
	return p->uid == geteuid() && p->cuid == geteuid() && (p->mode & 0777) == 0600;
}

/* shm_check: exit 2 unless segment ID is our own private one, big enough
 * for a letter. */
static inline void
shm_check(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == -1)
		err(EXIT_TROUBLE, "shmctl(IPC_STAT)");
	if (!ours(&ds.shm_perm) || ds.shm_segsz < sizeof(struct letter))
		errx(EXIT_TROUBLE, "the segment is not our own private one "
		     "(owner %ld, creator %ld, mode %03o, %zu bytes): refused",
		     (long)ds.shm_perm.uid, (long)ds.shm_perm.cuid,
		     (unsigned)(ds.shm_perm.mode & 0777), (size_t)ds.shm_segsz);
}

/* The objects this process made and must remove when it ends, however it
 * ends: -1 while there is none. Set them only while the signals that stop
 * us are blocked, or before their handler is installed. */
static volatile sig_atomic_t rm_shm = -1, rm_sem = -1;

/* rm_objects: remove what we made. shmctl() and semctl() with IPC_RMID are
 * single system calls, safe in a signal handler; detaching is not needed
 * (the kernel detaches at exit, and a removed segment goes with its last
 * user). */
static inline void
rm_objects(void)
{
	if (rm_shm != -1)
		(void)shmctl(rm_shm, IPC_RMID, NULL);
	if (rm_sem != -1)
		(void)semctl(rm_sem, 0, IPC_RMID);
	rm_shm = rm_sem = -1;
}

/* turn: add DELTA to semaphore N of SET, waiting as long as it takes. */
static inline int
turn(int set, unsigned short n, short delta)
{
	struct sembuf op = { .sem_num = n, .sem_op = delta, .sem_flg = 0 };
	int r;

	do
		r = semop(set, &op, 1);
	while (r == -1 && errno == EINTR);
	return r;
}

#endif
