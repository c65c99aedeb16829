/* letter.h - the layout of the shared segment (Part 4). Copy it as is. */
#include <stdint.h>

#define LETTER_SIZE 4096                /* the segment's size, in bytes */
#define LETTER_MAX (LETTER_SIZE - 4)    /* 4092: the most text one letter holds */

struct letter {
	uint32_t len;                   /* how many bytes of text follow */
	char text[LETTER_MAX];          /* the bytes: no pointer, no terminator */
};
