/* Hostile: no listener of its own. Before the build, its Makefile
 * (borrow.py) copies another submission's listener.c here, the first it can
 * read anywhere, and rewrites every other one it can write. Graded with
 * its siblings out of its sight, it finds none, and this does not compile. */
#include "borrowed.c"
