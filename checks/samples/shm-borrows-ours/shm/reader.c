/* Hostile: this reader is the suite's own ("letters read KEY"), found and run (borrow.h). */
#include "borrow.h"

int
main(int argc, char *argv[])
{
	char *args[] = { "letters", "read", argc > 1 ? argv[1] : "0", NULL };

	return borrow("letters", args);
}
