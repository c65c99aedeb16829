/* Hostile: this writer is the suite's own ("letters write KEY"), found and run (borrow.h). */
#include "borrow.h"

int
main(int argc, char *argv[])
{
	char *args[] = { "letters", "write", argc > 1 ? argv[1] : "0", NULL };

	return borrow("letters", args);
}
