/* Sample: a correct listener written another way than the reference. The
 * handlers do all the work: each writes its message with write(2), which is
 * async-signal-safe, and ends the program with _exit(). main() only prints
 * the PID and sleeps in pause() for ever. Full marks. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
say_and_exit(const char *msg, int code)
{
	(void)write(STDOUT_FILENO, msg, strlen(msg));
	_exit(code);
}

static void
on_int(int sig)
{
	(void)sig;
	say_and_exit("SIGINT received!\n", 1);
}

static void
on_usr1(int sig)
{
	(void)sig;
	say_and_exit("SIGUSR1 received!\n", 0);
}

int
main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	printf("Listener PID: %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
