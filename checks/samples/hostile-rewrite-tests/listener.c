/* Broken on purpose: only a rewritten test suite could pass it. */
#include <stdio.h>
int main(void) { puts("nothing to see"); return 2; }
