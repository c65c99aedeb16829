/* The shared-memory reading's wait: handlers that print and exit, then a
 * busy loop instead of pause(). Right messages and codes, but it spins. */
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>

void sigint_handler(int sig) {
  printf("SIGINT received!\n");
  exit(1);
}

void sigusr1_handler(int sig) {
  printf("SIGUSR1 received!\n");
  exit(0);
}

int main(){
	printf("Listener PID: %i\n", getpid());
	signal(SIGINT, sigint_handler);
	signal(SIGUSR1, sigusr1_handler);
	while (1);
}
