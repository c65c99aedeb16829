/* Hostile: a compile that never ends. The file includes itself twice at
 * every level, 2^48 inclusions in all, with nothing in it to keep: it takes
 * no memory, only time, until the suite's bound on the compile or the
 * grader's on the submission stops it. */
#if __INCLUDE_LEVEL__ < 48
#include __FILE__
#include __FILE__
#endif
