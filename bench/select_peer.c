/*
 * select_peer: the far end of select_bench's wake-up measurement, in its own process.
 *
 *   select_peer PORT IDLE BATCH
 *
 * Opens one "busy" connection to 127.0.0.1:PORT, then IDLE idle ones, BATCH at a time. After
 * accepting the busy connection and after each batch, the process under test sends one byte
 * on the busy connection; the peer waits for it before connecting more, so the listener's
 * accept queue never overflows (an overflow costs a one-second SYN retransmit) and the busy
 * connection is known to be the first one accepted. Then it echoes every byte it reads on the
 * busy connection at once, and never touches the idle ones. When the busy connection ends it
 * resets every connection (SO_LINGER 0: no TIME_WAIT left behind by tens of thousands of
 * connections over a run), prints its CPU time as `{"cpuUs": N}` (the harness subtracts it from
 * the machine's busy time to see whether anything else ran) and exits.
 *
 * C rather than Python so that the peer's share of each round trip stays small and constant:
 * every implementation is measured against the same echo.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "select_peer: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int connect_to(const struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) die("connect");
  return fd;
}

/* Blocks until the process under test allows the next batch; 0 at EOF. */
static int wait_go(int busy) {
  char c;
  for (;;) {
    ssize_t n = read(busy, &c, 1);
    if (n == 1) return 1;
    if (n == 0) return 0;
    if (errno != EINTR) die("read go-ahead");
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: select_peer PORT IDLE BATCH\n");
    return 64;
  }
  int port = atoi(argv[1]);
  long idle = atol(argv[2]);
  long batch = atol(argv[3]);
  if (port <= 0 || port > 65535 || idle < 0 || batch <= 0) {
    fprintf(stderr, "select_peer: bad arguments\n");
    return 64;
  }
  /* The harness kills us in its `finally`; this is the backstop should it die first. */
  alarm(900);

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  int *fds = calloc((size_t)idle + 1, sizeof *fds);
  if (!fds) die("calloc");
  int busy = connect_to(&addr);
  int one = 1;
  if (setsockopt(busy, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
  fds[0] = busy;
  long opened = 0;
  int alive = wait_go(busy);
  while (alive && opened < idle) {
    long k = idle - opened < batch ? idle - opened : batch;
    for (long i = 0; i < k; i++) fds[1 + opened++] = connect_to(&addr);
    alive = wait_go(busy);
  }

  char buf[256];
  while (alive) {
    ssize_t n = read(busy, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      break; /* a reset: the process under test is gone */
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(busy, buf + off, (size_t)(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        alive = 0;
        break;
      }
      off += w;
    }
  }

  struct linger reset = {1, 0};
  for (long i = 0; i <= opened; i++) {
    setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fds[i]);
  }
  free(fds);
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    long long us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
                   ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    printf("{\"cpuUs\": %lld}\n", us);
  }
  return 0;
}
