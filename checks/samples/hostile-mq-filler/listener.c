/* Hostile: fills its account's message-queue quota (RLIMIT_MSGQUEUE, counted
 * per user ID across the machine): it makes POSIX message queues of the
 * largest size allowed until the kernel refuses one, never removes them,
 * says how many it made, then waits without a handler or a PID line: it
 * loses the listener's PID and signal tests. A grader that gave another
 * grader's accounts the same user IDs would have their quota used up too. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = 8192 };
	char name[64];
	int made = 0;

	for (;;) {
		snprintf(name, sizeof name, "/ipc-lab-filler-%ld-%d", (long)getpid(), made);
		if (mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr) == (mqd_t)-1)
			break;
		made++;
	}
	printf("probe: %d message queues made, then: %s\n", made, strerror(errno));
	fflush(stdout);
	for (;;)
		pause();
}
