/* sender.c - the shared-memory part: write a letter, wake the listener.
 *
 *     sender KEY PID MESSAGE
 *
 * Finds the listener's segment on KEY (never makes one), checks that it is
 * our own private segment, copies MESSAGE into it (bytes and length, as
 * shm/letter.h lays them out) and sends SIGUSR1 to PID. Exit 0 once the
 * signal is sent; 2 for a MESSAGE over LETTER_MAX bytes, a segment that is
 * not ours, or any failure, having written nothing and signalled no one.
 *
 * Why the check: a key is a number anyone can pick. Someone may have made a
 * segment on it before the listener ran (the listener then refuses to
 * start); writing the letter into that segment would hand it over. The
 * segment must have been made by our user (cuid: ownership can be given
 * away, creation cannot) and be readable by no one else.
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

int
main(int argc, char *argv[])
{
	struct letter *box;
	size_t len;
	char *end;
	long pid;
	int id;

	if (argc != 4)
		errx(EXIT_TROUBLE, "usage: sender KEY PID MESSAGE");
	key_t key = parse_key(argv[1]);
	errno = 0;
	pid = strtol(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || pid <= 0 || pid > INT_MAX)
		errx(EXIT_TROUBLE, "PID must be a process ID, not '%s'", argv[2]);
	len = strlen(argv[3]);
	if (len > LETTER_MAX)
		errx(EXIT_TROUBLE, "message too long: %zu bytes (at most %d)", len,
		     LETTER_MAX);

	id = shmget(key, 0, 0);
	if (id == -1)
		err(EXIT_TROUBLE, "shmget(%s)", argv[1]);
	shm_check(id);
	box = shmat(id, NULL, 0);
	if (box == (void *)-1)
		err(EXIT_TROUBLE, "shmat");
	memcpy(box->text, argv[3], len);
	box->len = (uint32_t)len;
	if (shmdt(box) == -1)
		err(EXIT_TROUBLE, "shmdt");

	if (kill((pid_t)pid, SIGUSR1) == -1)
		err(EXIT_TROUBLE, "kill(%ld, SIGUSR1)", pid);
	return EXIT_DONE;
}
