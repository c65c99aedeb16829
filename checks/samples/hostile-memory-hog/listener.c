/* Hostile: memory without end, as far as the per-process limits let it.
 * Five children each take 896 MiB (under the 1 GiB of address space each
 * may have), every page of it at once (MAP_POPULATE), and hold it: 4.4 GiB
 * in all within a second, more than a submission's memory bound. The
 * listener itself takes none, prints nothing and spins, so that it fails
 * the same tests whichever processes the kernel ends. Where the grader
 * makes a control group, the kernel ends them within the group, and the
 * report says so; the machine and the other submissions never notice. */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include <unistd.h>

int
main(void)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (fork() == 0) {
			mmap(NULL, (size_t)896 << 20, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			for (;;)
				pause();
		}
	}
	for (;;)
		;
}
