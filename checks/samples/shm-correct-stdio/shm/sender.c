/* sender.c - style: stdio error reporting (fprintf/perror), strtoul parsing with
 * explicit digit checks, one check function for the segment's owner and mode.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <unistd.h>
#include "letter.h"

/* A positive number up to 2147483647: decimal, or hexadecimal after "0x"
 * when HEX_OK. Returns 0 for anything else. */
static unsigned long positive(const char *arg, int hex_ok)
{
	int hex = hex_ok && strncmp(arg, "0x", 2) == 0;
	const char *p = hex ? arg + 2 : arg;
	char *end;
	unsigned long v;

	if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return 0;
	errno = 0;
	v = strtoul(p, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0' || v > 2147483647UL)
		return 0;
	return v;
}

/* Is the segment ours alone: owner and creator us, mode 0600, big enough? */
static int private_to_me(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == -1) {
		perror("sender: shmctl(IPC_STAT)");
		return 0;
	}
	if (ds.shm_perm.uid != geteuid() || ds.shm_perm.cuid != geteuid() ||
	    (ds.shm_perm.mode & 0777) != 0600 || ds.shm_segsz < LETTER_SIZE) {
		fprintf(stderr, "sender: the segment is not our own private one\n");
		return 0;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	unsigned long key, pid;
	size_t n;
	int id;
	struct letter *box;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KEY PID MESSAGE\n", argv[0]);
		return 2;
	}
	n = strlen(argv[3]);
	if (n > LETTER_MAX) {
		fprintf(stderr, "sender: the message is %zu bytes, at most %d fit\n", n, LETTER_MAX);
		return 2;
	}
	if ((key = positive(argv[1], 1)) == 0) {
		fprintf(stderr, "sender: bad KEY '%s'\n", argv[1]);
		return 2;
	}
	if ((pid = positive(argv[2], 0)) == 0) {
		fprintf(stderr, "sender: bad PID '%s'\n", argv[2]);
		return 2;
	}

	id = shmget((key_t)key, 0, 0);
	if (id == -1) {
		perror("sender: shmget");
		return 2;
	}
	if (!private_to_me(id))
		return 2;
	box = shmat(id, NULL, 0);
	if (box == (void *)-1) {
		perror("sender: shmat");
		return 2;
	}
	memcpy(box->text, argv[3], n);
	box->len = (uint32_t)n;
	if (shmdt(box) == -1) {
		perror("sender: shmdt");
		return 2;
	}
	if (kill((pid_t)pid, SIGUSR1) == -1) {
		perror("sender: kill");
		return 2;
	}
	return 0;
}
