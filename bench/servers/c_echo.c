/*
 * Calibration server: the cheapest echo this machine can run (one thread, epoll, no
 * allocation). It is not one of the compared servers; its row shows how close the loadgen
 * itself is to saturating, i.e. the ceiling every other figure sits under.
 *
 * Prints its port on the first line of stdout and runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ 65536
#define MAXFD 65536

/* Bytes read but not yet echoed, per fd. While any are pending the fd is watched for
 * EPOLLOUT only: the same "read, write all, then read again" backpressure as the others. */
static char *pend[MAXFD];
static size_t pend_off[MAXFD], pend_len[MAXFD];

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  free(pend[fd]);
  pend[fd] = NULL;
  close(fd);
}

static void watch(int ep, int fd, unsigned events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0) die("epoll_ctl");
}

/* Returns 0 when everything pending is written, 1 if it must wait for EPOLLOUT, -1 on error. */
static int flush(int fd, const char *p, size_t len, size_t *off) {
  while (*off < len) {
    ssize_t w = write(fd, p + *off, len - *off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 1 : -1;
    }
    *off += (size_t)w;
  }
  return 0;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t alen = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 128) < 0 ||
      getsockname(s, (struct sockaddr *)&a, &alen) < 0)
    die("listen");
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = s};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) < 0) die("epoll_ctl");
  static char buf[BUFSZ];
  struct epoll_event evs[256];
  for (;;) {
    int k = epoll_wait(ep, evs, 256, -1);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < k; i++) {
      int fd = evs[i].data.fd;
      if (fd == s) {
        int c;
        while ((c = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (c >= MAXFD) {
            close(c);
            continue;
          }
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce) < 0) die("epoll_ctl");
        }
        continue;
      }
      if (pend[fd]) {
        int r = flush(fd, pend[fd], pend_len[fd], &pend_off[fd]);
        if (r < 0) {
          drop(ep, fd);
        } else if (r == 0) {
          free(pend[fd]);
          pend[fd] = NULL;
          watch(ep, fd, EPOLLIN);
        }
        continue;
      }
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        drop(ep, fd);
        continue;
      }
      size_t off = 0;
      int r = flush(fd, buf, (size_t)n, &off);
      if (r < 0) {
        drop(ep, fd);
      } else if (r == 1) {
        pend[fd] = malloc((size_t)n - off);
        if (!pend[fd]) die("malloc");
        memcpy(pend[fd], buf + off, (size_t)n - off);
        pend_off[fd] = 0;
        pend_len[fd] = (size_t)n - off;
        watch(ep, fd, EPOLLOUT);
      }
    }
  }
}
