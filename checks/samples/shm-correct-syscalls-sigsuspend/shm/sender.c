/* sender.c - style: raw system calls (write(2) for messages, no stdio), a
 * hand-rolled number parser, early-return checks in the order of the handout.
 * A correct solution to the shm part, written from shm/HANDOUT.md alone. */
#define _XOPEN_SOURCE 700
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <unistd.h>
#include "letter.h"

static int die(const char *msg)
{
	(void)!write(2, msg, strlen(msg));
	return 2;
}

/* A number 1..2147483647, decimal (or hexadecimal after "0x" if HEX): -1 if not. */
static long number(const char *s, int hex)
{
	unsigned base = 10;
	long v = 0;

	if (hex && s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		const char *digits = "0123456789abcdef", *at;
		char c = (*s >= 'A' && *s <= 'F') ? (char)(*s - 'A' + 'a') : *s;

		if ((at = strchr(digits, c)) == NULL || (unsigned)(at - digits) >= base)
			return -1;
		v = v * (long)base + (at - digits);
		if (v > 2147483647L)
			return -1;
	}
	return v > 0 ? v : -1;
}

int main(int argc, char *argv[])
{
	long key, pid;
	size_t n;
	int id;
	struct shmid_ds ds;
	struct letter *box;
	uid_t me = geteuid();

	if (argc != 4)
		return die("usage: sender KEY PID MESSAGE\n");
	n = strlen(argv[3]);
	if (n > LETTER_MAX)
		return die("sender: the message is longer than 4092 bytes\n");
	if ((key = number(argv[1], 1)) < 0)
		return die("sender: bad KEY\n");
	if ((pid = number(argv[2], 0)) < 0)
		return die("sender: bad PID\n");

	if ((id = shmget((key_t)key, 0, 0)) < 0)
		return die("sender: no segment with that key\n");
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return die("sender: shmctl(IPC_STAT) failed\n");
	if (ds.shm_perm.uid != me || ds.shm_perm.cuid != me)
		return die("sender: the segment was not made by us: refused\n");
	if ((ds.shm_perm.mode & 0777) != 0600)
		return die("sender: the segment is not mode 0600: refused\n");
	if (ds.shm_segsz < LETTER_SIZE)
		return die("sender: the segment is too small: refused\n");

	if ((box = shmat(id, NULL, 0)) == (void *)-1)
		return die("sender: shmat failed\n");
	memcpy(box->text, argv[3], n);
	box->len = (uint32_t)n;
	if (shmdt(box) < 0)
		return die("sender: shmdt failed\n");
	if (kill((pid_t)pid, SIGUSR1) < 0)
		return die("sender: kill failed\n");
	return 0;
}
