/* listener.c - the shared-memory part: wait for a letter, print it.
 *
 *     listener KEY
 *
 * Makes a private segment (shm/letter.h) on KEY, says "Listener PID: N",
 * and sleeps until SIGUSR1 says a letter is in the segment. Prints exactly
 * the letter's bytes and exits 0. SIGINT or SIGTERM: exits 1. A letter
 * longer than LETTER_MAX: refused, exit 3. A KEY that exists already, or
 * any failure: exit 2. The segment is removed on every one of these paths.
 *
 *     $ ./listener 1234 &
 *     Listener PID: 301
 *     $ ./sender 1234 301 "Hello, world"
 *     Hello, world
 *
 * How it differs from the readings, and why:
 *
 *   - The segment holds the bytes and their length, never a pointer: a
 *     pointer means something only in the process that made it.
 *   - Mode 0600 (System V objects ignore the umask), and IPC_EXCL: a key
 *     someone else made first is refused, never used. With plain IPC_CREAT,
 *     shmget() returns the squatter's segment, and the letter goes to them.
 *   - No handler, no busy loop, no sleep: the three signals are blocked
 *     before the segment exists, and sigwaitinfo(2) sleeps until one is
 *     pending. One that comes early waits, pending, for us; one that we do
 *     not want never runs code of ours.
 *   - The length is read from the segment once, into a local, and only the
 *     local is checked and used: the sender can rewrite the segment at any
 *     moment, between our check and our use too.
 *   - The segment is removed (IPC_RMID) on every exit: it is a kernel object,
 *     and would outlive us.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "common.h"

int
main(int argc, char *argv[])
{
	struct letter *box;
	struct sigaction dfl;
	sigset_t stops;
	uint32_t len;
	key_t key;
	int id, sig;

	if (argc != 2)
		errx(EXIT_TROUBLE, "usage: listener KEY");
	key = parse_key(argv[1]);

	/* Blocked before the segment exists: until sigwaitinfo(), nothing
	 * can end us without our removing it (but SIGKILL, which nothing can
	 * handle). */
	if (sigemptyset(&stops) == -1 || sigaddset(&stops, SIGUSR1) == -1 ||
	    sigaddset(&stops, SIGINT) == -1 || sigaddset(&stops, SIGTERM) == -1 ||
	    sigprocmask(SIG_BLOCK, &stops, NULL) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	/* A shell starts a background job ("listener &" in a script) with
	 * SIGINT ignored, and POSIX lets the kernel discard an ignored signal
	 * even while it is blocked. The default action, blocked, never runs
	 * but keeps the signal pending for sigwaitinfo(). */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGINT, &dfl, NULL) == -1 || sigaction(SIGTERM, &dfl, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction");
	/* A closed stdout is an error to report, and to clean up after: not a
	 * death by SIGPIPE with the segment left behind. */
	dfl.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &dfl, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGPIPE)");

	id = shmget(key, sizeof(struct letter), IPC_CREAT | IPC_EXCL | 0600);
	if (id == -1 && errno == EEXIST)
		errx(EXIT_TROUBLE, "key %s exists already, made by someone else: "
		     "refused", argv[1]);
	if (id == -1)
		err(EXIT_TROUBLE, "shmget");
	rm_shm = id;
	box = shmat(id, NULL, SHM_RDONLY);
	if (box == (void *)-1) {
		warn("shmat");
		rm_objects();
		return EXIT_TROUBLE;
	}

	if (printf("Listener PID: %ld\n", (long)getpid()) < 0 || fflush(stdout) == EOF) {
		warn("stdout");
		rm_objects();
		return EXIT_TROUBLE;
	}

	do
		sig = sigwaitinfo(&stops, NULL);
	while (sig == -1 && errno == EINTR);
	if (sig != SIGUSR1) {
		rm_objects();
		return sig == -1 ? EXIT_TROUBLE : EXIT_STOPPED;
	}

	/* Once: a volatile read cannot be merged with, or repeated as, a
	 * later one. */
	len = *(volatile uint32_t *)&box->len;
	if (len > LETTER_MAX) {
		rm_objects();
		errx(EXIT_REFUSED, "refused a letter of %lu bytes (at most %d)",
		     (unsigned long)len, LETTER_MAX);
	}
	if (fwrite(box->text, 1, len, stdout) != len || fflush(stdout) == EOF) {
		warn("stdout");
		rm_objects();
		return EXIT_TROUBLE;
	}
	rm_objects();
	return EXIT_DONE;
}
