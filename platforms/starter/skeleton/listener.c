#error "Part 1: write your listener here, as the handout says, and remove this line"
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>

int main(){
	printf("Hello, world!\n");
	return 0;
}
