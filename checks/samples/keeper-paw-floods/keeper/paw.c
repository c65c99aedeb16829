/* Hostile: floods the keeper with connections that say nothing, as many as
 * it can open, then asks for its file as if nothing happened. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc != 3) return 2;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);
  int opened = 0;
  for (;;) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) break;
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) break;
    opened++;
  }
  printf("paw: %d connections opened\n", opened);
  return 0;
}
