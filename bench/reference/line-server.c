/*
 * The least a NUT server can do per request, for `npm run bench:floor`: one read, one fixed reply
 * (`VAR ups ups.status "OL"`), no parsing, no state. Two event loops, chosen on the command line:
 *
 *   line-server PORT poll    poll() over every fd each time round, fds walked newest first
 *   line-server PORT epoll   epoll_wait(), ready fds only
 *
 * It answers anything with the same line, so only the GET VAR ups ups.status load makes sense.
 * It is a measuring stick, not a server: it listens on 127.0.0.1 only and has no limits.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 4096

static const char reply[] = "VAR ups ups.status \"OL\"\n";
static char buf[512];

/* Read a request and answer it; returns 0 once the peer is gone (and the fd closed). */
static int answer(int fd) {
  ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) {
    close(fd);
    return 0;
  }
  if (write(fd, reply, sizeof reply - 1) < 0) {
    close(fd);
    return 0;
  }
  return 1;
}

static int run_epoll(int listener) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  struct epoll_event ready[1024];
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0) return perror("epoll"), 1;
  for (;;) {
    int n = epoll_wait(ep, ready, 1024, -1);
    for (int i = 0; i < n; i++) {
      int fd = ready[i].data.fd;
      if (fd != listener) {
        answer(fd); /* close() removes it from the epoll set */
        continue;
      }
      int client = accept(listener, NULL, NULL);
      struct epoll_event cev = {.events = EPOLLIN, .data.fd = client};
      if (client >= 0) epoll_ctl(ep, EPOLL_CTL_ADD, client, &cev);
    }
  }
}

static int run_poll(int listener) {
  static struct pollfd fds[MAX_FDS];
  int count = 1;
  fds[0] = (struct pollfd){.fd = listener, .events = POLLIN};
  for (;;) {
    if (poll(fds, count, -1) < 0) return perror("poll"), 1;
    for (int i = count - 1; i >= 1; i--) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (!answer(fds[i].fd)) fds[i] = fds[--count];
    }
    if ((fds[0].revents & POLLIN) && count < MAX_FDS) {
      int client = accept(listener, NULL, NULL);
      if (client >= 0) fds[count++] = (struct pollfd){.fd = client, .events = POLLIN};
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[2], "poll") && strcmp(argv[2], "epoll"))) {
    fprintf(stderr, "usage: %s PORT poll|epoll\n", argv[0]);
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 128) < 0) return perror("listen"), 1;
  return strcmp(argv[2], "epoll") == 0 ? run_epoll(listener) : run_poll(listener);
}
