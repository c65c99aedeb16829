/* Hostile: a compile that never ends. The assembler is given a macro that
 * calls itself twice at every level, 2^48 expansions in all, each freed
 * before the next: it runs in a few megabytes of memory, so no memory limit
 * ends it, only the suite's bound on the compile or the grader's on the
 * submission. (A file that includes itself 2^48 times would not do: the
 * preprocessor keeps a line map entry per inclusion, about 100 MB a second,
 * and a fast machine runs out of address space before the grader's bound.) */
__asm__(".macro forever depth\n"
	".if \\depth\n"
	"forever \\depth-1\n"
	"forever \\depth-1\n"
	".endif\n"
	".endm\n"
	"forever 48\n");

int main(void)
{
	return 0;
}
