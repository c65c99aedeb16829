#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

char *socket_path;
uid_t users[32];
int nusers = 0;

void stop_handler(int sig) {
  unlink(socket_path);
  _exit(0);
}

int served(uid_t uid) {
  for (int i = 0; i < nusers; i++) {
    if (users[i] == uid) return 1;
  }
  return 0;
}

void send_fd(int client, int fd) {
  char cmsgbuf[CMSG_SPACE(sizeof(int))];
  struct iovec io = { .iov_base = "OK\n", .iov_len = 3 };
  struct msghdr m;
  memset(&m, 0, sizeof(m));          /* this is important!! */
  memset(cmsgbuf, 0, sizeof(cmsgbuf));
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = cmsgbuf;
  m.msg_controllen = sizeof(cmsgbuf);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  sendmsg(client, &m, MSG_NOSIGNAL);
}

void handle(int client, int box) {
  struct ucred peer;
  socklen_t len = sizeof(peer);
  getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &len);

  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);

  char name[4097];
  int got = 0;
  while (got < 4096) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = 1000000 - (now.tv_sec - start.tv_sec) * 1000000
                        - (now.tv_nsec - start.tv_nsec) / 1000;   /* microseconds */
    if (left <= 0) {
      return;  /* the second is up */
    }
    struct timeval rest = { .tv_sec = left / 1000000, .tv_usec = left % 1000000 };
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &rest, sizeof(rest));
    int n = read(client, name + got, 4096 - got);
    if (n <= 0) {
      return;  /* too slow, or hung up */
    }
    got += n;
    name[got] = '\0';
    if (strchr(name, '\n') != NULL) break;
  }
  char *newline = strchr(name, '\n');
  if (newline == NULL) {
    fprintf(stderr, "keeper: uid=%d pid=%d: name too long\n", peer.uid, peer.pid);
    dprintf(client, "ERR %d\n", ENAMETOOLONG);
    return;
  }
  *newline = '\0';

  if (!served(peer.uid)) {
    fprintf(stderr, "keeper: uid=%d pid=%d '%s': refused, not served\n", peer.uid, peer.pid, name);
    dprintf(client, "ERR %d\n", EACCES);
    return;
  }

  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = O_RDONLY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = syscall(SYS_openat2, box, name, &how, sizeof(how));
  int error = 0;
  if (fd < 0) {
    error = errno;
  } else {
    struct stat st;
    fstat(fd, &st);
    if (S_ISDIR(st.st_mode)) {
      error = EISDIR;
    } else if (!S_ISREG(st.st_mode)) {
      error = EINVAL;
    }
    if (error != 0) close(fd);
  }

  if (error != 0) {
    fprintf(stderr, "keeper: uid=%d pid=%d '%s': refused, %s\n", peer.uid, peer.pid, name, strerror(error));
    dprintf(client, "ERR %d\n", error);
    return;
  }
  fprintf(stderr, "keeper: uid=%d pid=%d '%s': sent\n", peer.uid, peer.pid, name);
  send_fd(client, fd);
  close(fd);
}

int main(int argc, char *argv[]) {
  if (argc < 4) {
    fprintf(stderr, "usage: keeper SOCKET LITTERBOX USER...\n");
    exit(2);
  }
  socket_path = argv[1];
  for (int i = 3; i < argc && nusers < 32; i++) {
    struct passwd *pw = getpwnam(argv[i]);
    if (pw != NULL) {
      users[nusers++] = pw->pw_uid;
    } else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
      users[nusers++] = atoi(argv[i]);
    } else {
      fprintf(stderr, "keeper: no such user: %s\n", argv[i]);
      exit(2);
    }
  }

  int box = open(argv[2], O_RDONLY | O_DIRECTORY);
  if (box < 0) { perror(argv[2]); exit(2); }

  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);

  int server = socket(AF_UNIX, SOCK_STREAM, 0);
  umask(0117);                       /* the socket is born rw-rw---- */
  if (bind(server, (struct sockaddr *)&addr, sizeof(addr)) < 0) { perror("bind"); exit(2); }
  listen(server, 16);

  signal(SIGINT, stop_handler);
  signal(SIGTERM, stop_handler);
  signal(SIGPIPE, SIG_IGN);
  printf("Keeper ready: %s\n", argv[1]);
  fflush(stdout);

  while (1) {
    int client = accept(server, NULL, NULL);
    if (client < 0) continue;
    handle(client, box);
    close(client);
  }
}
