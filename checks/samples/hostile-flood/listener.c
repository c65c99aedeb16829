/* Hostile: floods its output for ever. */
#include <stdio.h>
int main(void) { for (;;) fputs("Listener PID: 1 SIGUSR1 received! SIGINT received!\n", stdout); }
