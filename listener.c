/* listener.c - Part 1 of the IPC lab: a process that waits for a signal.
 *
 * It prints its PID, then waits until it receives SIGUSR1 or SIGINT:
 *
 *     SIGUSR1  ->  prints "SIGUSR1 received!" and exits 0 (success)
 *     SIGINT   ->  prints "SIGINT received!"  and exits 1 (error)
 *
 * If it cannot set itself up (or write its output) it says why on stderr
 * and exits 2, a status of its own: never one of the two above.
 *
 * Try it:
 *
 *     $ make
 *     $ ./listener &
 *     Listener PID: 4242
 *     $ kill -s USR1 4242
 *     SIGUSR1 received!
 *
 * How it differs from the handout's version, and why:
 *
 *   - Handlers are installed with sigaction(2), not signal(2). signal(2) has
 *     portability traps of its own (its man page says: avoid it).
 *   - The handlers only record which signal arrived, in a volatile
 *     sig_atomic_t. printf(3) is not async-signal-safe (signal-safety(7)), so
 *     all printing happens in main().
 *   - The handout calls pause() after installing the handlers. A signal that
 *     arrives between the check "has anything arrived yet?" and pause() is
 *     lost, and pause() then sleeps for ever. Here both signals are blocked
 *     first, then the handlers are installed, then the PID is announced, and
 *     only sigsuspend(2) unblocks them, atomically with going to sleep. A
 *     signal sent at any moment after the announcement is therefore
 *     delivered exactly while we wait for it.
 *   - When a script starts a program with "&", the shell starts it with
 *     SIGINT ignored. sigaction() replaces that disposition unconditionally,
 *     so "kill -s INT" still works on a listener started from a test script.
 *   - stdout is line-buffered, so the PID line is visible at once even when
 *     stdout is a file or a pipe (as in the tests).
 */
#define _POSIX_C_SOURCE 200809L

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Exit codes, as the handout asks: 0 for SIGUSR1 ("success"), 1 for SIGINT;
 * and one of our own for a listener that fails itself (it cannot set up its
 * handlers or write its output), so that no failure looks like "SIGINT". */
enum { EXIT_USR1 = 0, EXIT_INT = 1, EXIT_TROUBLE = 2 };

/* The number of the signal that ended the wait; 0 while none has arrived. */
static volatile sig_atomic_t got_signal = 0;

static void
on_signal(int sig)
{
	got_signal = sig;
}

int
main(void)
{
	sigset_t watched, old_mask;
	struct sigaction sa;

	if (setvbuf(stdout, NULL, _IOLBF, 0) != 0)
		errx(EXIT_TROUBLE, "setvbuf: cannot make stdout line-buffered");

	/* Block both signals before installing handlers: from here on, a
	 * signal that arrives early stays pending instead of being lost. */
	if (sigemptyset(&watched) == -1 || sigaddset(&watched, SIGUSR1) == -1 ||
	    sigaddset(&watched, SIGINT) == -1)
		err(EXIT_TROUBLE, "sigaddset");
	if (sigprocmask(SIG_BLOCK, &watched, &old_mask) == -1)
		err(EXIT_TROUBLE, "sigprocmask");

	/* While one handler runs, the other signal is held back, so
	 * got_signal records exactly one signal: the first to arrive. */
	sa.sa_handler = on_signal;
	sa.sa_mask = watched;
	sa.sa_flags = 0;
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGUSR1)");
	if (sigaction(SIGINT, &sa, NULL) == -1)
		err(EXIT_TROUBLE, "sigaction(SIGINT)");

	/* The mask sigsuspend() installs while it sleeps: the caller's mask,
	 * minus our two signals, which must be able to wake us. */
	if (sigdelset(&old_mask, SIGUSR1) == -1 || sigdelset(&old_mask, SIGINT) == -1)
		err(EXIT_TROUBLE, "sigdelset");

	if (printf("Listener PID: %ld\n", (long)getpid()) < 0)
		err(EXIT_TROUBLE, "printf");

	/* sigsuspend() always returns -1 with EINTR after a handler ran; the
	 * loop only guards against being woken by some other caught signal. */
	while (got_signal == 0)
		(void)sigsuspend(&old_mask);

	if (got_signal == SIGUSR1) {
		if (printf("SIGUSR1 received!\n") < 0)
			err(EXIT_TROUBLE, "printf");
		return EXIT_USR1;
	}
	if (printf("SIGINT received!\n") < 0)
		err(EXIT_TROUBLE, "printf");
	return EXIT_INT;
}
