#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int fds[16];
int nfds = 0;

void meow(const char *why) {
  for (int i = 0; i < nfds; i++) close(fds[i]);
  printf("MEOW %s\n", why);
  exit(2);
}

int main(int argc, char *argv[]) {
  if (argc != 3) {
    fprintf(stderr, "usage: paw SOCKET NAME\n");
    exit(2);
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);

  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    printf("MEOW cannot reach the keeper at %s: ", argv[1]);
    fflush(stdout);
    perror("");
    exit(2);
  }
  dprintf(sock, "%s\n", argv[2]);

  char line[64] = { 0 };
  char cmsgbuf[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec io = { .iov_base = line, .iov_len = sizeof(line) - 1 };
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  memset(cmsgbuf, 0, sizeof(cmsgbuf));
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = cmsgbuf;
  m.msg_controllen = sizeof(cmsgbuf);
  ssize_t n = recvmsg(sock, &m, 0);
  if (n <= 0) meow("no reply from the keeper");

  int good = 0, bad = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (int i = 0; i < k && nfds < 16; i++)
        memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (c->cmsg_len == CMSG_LEN(sizeof(int))) good++; else bad++;
    } else {
      bad++;
    }
  }
  close(sock);

  if (m.msg_flags & MSG_CTRUNC) meow("control message truncated");

  int err;
  if (sscanf(line, "ERR %d", &err) == 1) {
    if (nfds > 0) meow("a refusal came with descriptors");
    printf("MEOW [Errno %d] %s: '%s'\n", err, strerror(err), argv[2]);
    exit(1);
  }
  if (strcmp(line, "OK\n") != 0) meow("unexpected reply");
  if (nfds != 1 || good != 1 || bad != 0) meow("expected exactly one descriptor");

  struct stat st;
  fstat(fds[0], &st);
  if (!S_ISREG(st.st_mode)) meow("not a regular file");

  char buf[4096];
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
    write(1, buf, n);
  }
  close(fds[0]);
  return 0;
}
