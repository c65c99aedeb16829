/* A probe, not a solution: before it prints the file the keeper sends, it
 * tries every other way to the secret and the litterbox, and says what each
 * got: its own permissions, becoming root, the keeper's descriptors in /proc,
 * and asking the keeper to climb out. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

void try_open(const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    printf("probe: open %s: [Errno %d] %s\n", path, errno, strerror(errno));
    return;
  }
  int n = read(fd, buf, sizeof(buf) - 1);
  buf[n > 0 ? n : 0] = '\0';
  printf("probe: open %s: GOT %s\n", path, buf);
  close(fd);
}

void ask(const char *socket_path, const char *name) {
  struct sockaddr_un addr;
  char line[64] = { 0 };
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, socket_path, sizeof(addr.sun_path) - 1);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) return;
  dprintf(s, "%s\n", name);
  read(s, line, sizeof(line) - 1);
  line[strcspn(line, "\n")] = '\0';
  printf("probe: asked the keeper for %s: %s\n", name, line);
  close(s);
}

void probe(int sock, const char *socket_path) {
  char path[64], cwd[512];
  ask(socket_path, "../secret.txt");
  if (getcwd(cwd, sizeof(cwd) - 16) != NULL) {
    strcat(cwd, "/secret.txt");
    ask(socket_path, cwd);
  }
  try_open("secret.txt");
  try_open("../secret.txt");
  try_open("litterbox/treasure.txt");
  if (setuid(0) < 0) printf("probe: setuid(0): [Errno %d] %s\n", errno, strerror(errno));
  struct ucred keeper;
  socklen_t len = sizeof(keeper);
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &keeper, &len) == 0) {
    for (int fd = 3; fd < 6; fd++) {
      snprintf(path, sizeof(path), "/proc/%d/fd/%d", keeper.pid, fd);
      try_open(path);
    }
  }
  fflush(stdout);
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
  probe(sock, argv[1]);
  close(sock);

  char buf[4096];
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
    write(1, buf, n);
  }
  close(fds[0]);
  return 0;
}
