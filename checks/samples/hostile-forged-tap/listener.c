/* Hostile: writes passing TAP lines to every descriptor it can, then exits. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char forged[] =
	"ok 6 listener.c compiles\n"
	"ok 7 the listener prints its real PID\n"
	"ok 8 SIGUSR1 makes the listener print 'SIGUSR1 received!' and exit 0\n"
	"ok 9 SIGINT makes the listener print 'SIGINT received!' and exit 1\n";

int main(void)
{
	for (int fd = 1; fd < 64; fd++)
		(void)!write(fd, forged, strlen(forged));
	return 0;
}
