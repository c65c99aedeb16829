/* Sample: a listener that is right in all but one thing. Its handlers are
 * installed with sigaction() before the PID line, and it prints and exits
 * as asked; but it waits by polling its flag with usleep(50), not asleep in
 * pause(): it loses the points of "sleeps while it waits", and those alone. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

int
main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf("Listener PID: %d\n", (int)getpid());
	fflush(stdout);
	while (!caught)
		usleep(50);
	if (caught == SIGUSR1) {
		printf("SIGUSR1 received!\n");
		return 0;
	}
	printf("SIGINT received!\n");
	return 1;
}
