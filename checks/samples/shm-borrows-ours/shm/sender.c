/* Hostile: this sender is the suite's own ("letters send KEY PID"), found and run (borrow.h). */
#include "borrow.h"

int
main(int argc, char *argv[])
{
	char *args[] = { "letters", "send", argc > 1 ? argv[1] : "0", argc > 2 ? argv[2] : "0", NULL };

	return borrow("letters", args);
}
