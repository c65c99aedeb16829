/* Sample: a correct listener written another way than the reference and
 * the handout: stdio for everything, the signals blocked before the PID
 * line and waited for with sigsuspend(), a switch on the signal in main().
 * Full marks. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t which;

static void
note(int sig)
{
	which = sig;
}

int
main(void)
{
	sigset_t both, before;

	sigemptyset(&both);
	sigaddset(&both, SIGINT);
	sigaddset(&both, SIGUSR1);
	sigprocmask(SIG_BLOCK, &both, &before);
	signal(SIGINT, note);
	signal(SIGUSR1, note);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Listener PID: %ld\n", (long)getpid());
	while (!which)
		sigsuspend(&before);
	switch (which) {
	case SIGUSR1:
		puts("SIGUSR1 received!");
		return EXIT_SUCCESS;
	default:
		puts("SIGINT received!");
		return EXIT_FAILURE;
	}
}
