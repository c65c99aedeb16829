/* Hostile: this listener is the suite's own ("letters listen KEY"), found and run (borrow.h). */
#include "borrow.h"

int
main(int argc, char *argv[])
{
	char *args[] = { "letters", "listen", argc > 1 ? argv[1] : "0", NULL };

	return borrow("letters", args);
}
