#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>

int main(){
	printf("Hello, world!\n");
	return 0;
}
