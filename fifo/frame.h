/* frame.h - the messages of Part 5, on the FIFO and on the queue. Copy it as is. */
#include <stdint.h>

/* The most bytes one message holds. On the FIFO a message travels as a frame:
 * a uint32_t length (in the machine's byte order), then that many bytes,
 * written with ONE write() of 4 + length bytes. 4 + 4092 = 4096 = PIPE_BUF,
 * so a frame never mixes with another sender's. */
#define FRAME_MAX 4092

/* The message queues. A request is the name of the sender's reply queue, a
 * newline, then the message's bytes: at most NAME_MAX + 1 + FRAME_MAX bytes. */
#define REQUEST_MAX (255 + 1 + FRAME_MAX)
#define REPLY_MAX 64          /* a reply is "OK N", N the message's length */
#define QUEUE_MSGS 10         /* mq_maxmsg of every queue */
