/* Hostile: prints its PID, ignores every signal it can and waits for ever. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_IGN);
	printf("Listener PID: %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}
