/* Hostile: tries to kill its parent, init and everyone, then behaves. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int return_code = 0;
void on_int(int s) { (void)s; printf("SIGINT received!\n"); return_code = 1; }
void on_usr1(int s) { (void)s; printf("SIGUSR1 received!\n"); return_code = 0; }

int main(void)
{
	kill(getppid(), SIGKILL);
	kill(1, SIGKILL);
	kill(-1, SIGKILL);
	printf("Listener PID: %i\n", getpid());
	signal(SIGINT, on_int);
	signal(SIGUSR1, on_usr1);
	pause();
	return return_code;
}
