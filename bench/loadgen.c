/*
 * loadgen: a small epoll load generator for echo servers on loopback.
 *
 *   loadgen rr     --port P [--host 127.0.0.1] [--conns 50] [--size 64] [--terminator BYTE]
 *                  [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *   loadgen stream --port P [--host 127.0.0.1] [--block 65536]
 *                  [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *   loadgen churn  --port P [--host 127.0.0.1] [--conns 20] [--size 64]
 *                  [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *
 * rr: each of N connections sends `size` bytes, waits for the whole echo, checks every byte
 * against what it sent, and repeats; with --terminator (a byte value, e.g. 10 for "\n") every
 * request ends with that byte and holds it nowhere else, for line servers (asynchat). stream: one connection writes `block`-byte writes
 * continuously while reading the echo back and checking every byte against the sent stream.
 * churn: N connections at a time each connect, send one `size`-byte request, wait for the whole
 * echo, check every byte, and close; each close starts a new connection in its place.
 *
 * Only what completes inside the measurement window (after the warm-up) is counted. The
 * result is one JSON object on stdout. Any error (mismatch, EOF, stall, timeout) prints
 * "LOADGEN FAILURE: ..." on stderr and exits 2, so a broken server can never yield a figure.
 *
 * It is a single-threaded C process so that, pinned to its own core, it stays far from being
 * the bottleneck; it reports its own CPU use (and the server's, given --server-pid) so that
 * claim can be checked in every run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "_loadgen_common.h"

/* A plain socket's errors are all in the failure message itself. */
static void fail_detail(void) {}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) fail("fcntl: %s", strerror(errno));
}

/* Connect blocking, then switch to non-blocking: the connect phase is not measured, and
 * a plain blocking connect gives the clearest error if the server is not there. */
static int connect_to(const char *host, int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) fail("bad IPv4 host %s", host);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket: %s", strerror(errno));
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    fail("connect %s:%d: %s", host, port, strerror(errno));
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
    fail("TCP_NODELAY: %s", strerror(errno));
  set_nonblock(fd);
  return fd;
}

struct opts {
  const char *mode;
  const char *host;
  int port;
  int conns;
  int size;
  int block;
  int terminator; /* rr: the last byte of every request, and in no other place; -1: none */
  double warmup;
  double duration;
  double timeout;
  long server_pid;
};

/* ------------------------------------------------------------------ rr */

struct conn {
  int fd;
  uint64_t seq;
  int sent;        /* bytes of the current request written */
  int got;         /* bytes of the echo received */
  int want_out;    /* EPOLLOUT currently registered */
  double t_start;  /* when the current request's first byte was written */
  uint8_t *req;    /* the current request, kept to check the echo */
  uint8_t *resp;
};

/* Every request differs from the previous one on the same connection and from the other
 * connections' requests, so a stale, duplicated or crossed echo cannot pass the check. */
static void fill_request(uint8_t *p, int n, int conn, uint64_t seq, int terminator) {
  uint64_t x = (seq + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)(conn + 1) << 40);
  for (int i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (uint8_t)x;
  }
  if (terminator < 0) return;
  /* A line server answers each terminated record: one terminator, at the very end. */
  for (int i = 0; i < n - 1; i++)
    if (p[i] == (uint8_t)terminator) p[i] ^= 1;
  p[n - 1] = (uint8_t)terminator;
}

static void set_events(int ep, struct conn *c, int idx, int want_out) {
  if (c->want_out == want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.u32 = (uint32_t)idx};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));
  c->want_out = want_out;
}

static void rr_write(int ep, struct conn *c, int idx, int size) {
  while (c->sent < size) {
    ssize_t w = write(c->fd, c->req + c->sent, (size_t)(size - c->sent));
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_events(ep, c, idx, 1);
        return;
      }
      if (errno == EINTR) continue;
      fail("conn %d: write: %s", idx, strerror(errno));
    }
    c->sent += (int)w;
  }
  set_events(ep, c, idx, 0);
}

static void start_request(int ep, struct conn *c, int idx, int size, int terminator) {
  fill_request(c->req, size, idx, c->seq, terminator);
  c->sent = 0;
  c->got = 0;
  c->t_start = now();
  rr_write(ep, c, idx, size);
}

/* The N slots of rr and churn, each with room for one request and its echo. */
static struct conn *alloc_conns(int n, int size) {
  struct conn *cs = calloc((size_t)n, sizeof *cs);
  if (!cs) fail("out of memory");
  for (int i = 0; i < n; i++) {
    cs[i].req = malloc((size_t)size);
    cs[i].resp = malloc((size_t)size);
    if (!cs[i].req || !cs[i].resp) fail("out of memory");
  }
  return cs;
}

/* Reads what the server has echoed on c so far and checks it (rr and churn). Returns 1 once the
 * whole `size`-byte echo is in and equals the request, 0 when the socket has nothing more for
 * now. `unit` names what c->seq counts in failure messages ("request" or "connection"). */
static int read_echo(struct conn *c, int idx, int size, const char *unit) {
  /* Large enough to notice a server that echoes more than was sent. */
  uint8_t scratch[4096];
  for (;;) {
    ssize_t r = read(c->fd, scratch, sizeof scratch);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      if (errno == EINTR) continue;
      fail("conn %d: read: %s (%s %llu)", idx, strerror(errno), unit,
           (unsigned long long)c->seq);
    }
    if (r == 0)
      fail("conn %d: server closed the connection (%s %llu, %d/%d bytes echoed)", idx, unit,
           (unsigned long long)c->seq, c->got, size);
    /* A partial echo of a partially written request is legal; more than was sent is not. */
    if (c->got + r > c->sent)
      fail("conn %d: server echoed %zd bytes more than were sent (%s %llu)", idx,
           (ssize_t)(c->got + r - c->sent), unit, (unsigned long long)c->seq);
    memcpy(c->resp + c->got, scratch, (size_t)r);
    c->got += (int)r;
    if (c->got < size) continue;
    if (memcmp(c->req, c->resp, (size_t)size) != 0) {
      int at = 0;
      while (c->req[at] == c->resp[at]) at++;
      fail("conn %d: echo mismatch in %s %llu at byte %d: sent 0x%02x, got 0x%02x", idx, unit,
           (unsigned long long)c->seq, at, c->req[at], c->resp[at]);
    }
    return 1;
  }
}

/* The latency fields of the rr and churn results (lat is sorted in place). */
static void print_latency_fields(struct latencies *lat) {
  lat_sort(lat);
  double sum = 0;
  for (size_t i = 0; i < lat->n; i++) sum += lat->v[i];
  printf(",\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f",
         percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 0.999), lat_max(lat),
         lat->n ? sum / (double)lat->n : 0.0);
}

static int run_rr(const struct opts *o) {
  int n = o->conns, size = o->size;
  struct conn *cs = alloc_conns(n, size);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("epoll_create1: %s", strerror(errno));
  for (int i = 0; i < n; i++) {
    cs[i].fd = connect_to(o->host, o->port);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));
  }

  struct latencies lat;
  lat_init(&lat, 1 << 20);
  uint64_t total = 0, measured = 0;

  double t0 = now();
  struct window w;
  window_init(&w, t0, o->warmup, o->duration, o->server_pid);
  double last_progress = t0;
  for (int i = 0; i < n; i++) start_request(ep, &cs[i], i, size, o->terminator);

  struct epoll_event evs[256];
  for (;;) {
    int k = wait_events(ep, evs, 256);
    double t = now();
    if (window_tick(&w, t) == WINDOW_CLOSED) break;
    for (int e = 0; e < k; e++) {
      int idx = (int)evs[e].data.u32;
      struct conn *c = &cs[idx];
      if (evs[e].events & EPOLLOUT) rr_write(ep, c, idx, size);
      if (!(evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      if (!read_echo(c, idx, size, "request")) continue;
      last_progress = count_done(&w, &lat, &total, &measured, c->t_start);
      c->seq++;
      start_request(ep, c, idx, size, o->terminator);
    }
    if (t - last_progress > o->timeout)
      fail("stalled: no echo completed for %.1f s (%llu requests done)", o->timeout,
           (unsigned long long)total);
  }
  double secs = window_close(&w);
  printf("{\"mode\":\"rr\",\"conns\":%d,\"size\":%d,\"seconds\":%.4f,\"requests\":%llu,"
         "\"rps\":%.1f",
         n, size, secs, (unsigned long long)measured, (double)measured / secs);
  print_latency_fields(&lat);
  print_window_cpu(&w, secs);
  printf("}\n");
  if (measured == 0) fail("no request completed in the measurement window");
  for (int i = 0; i < n; i++) close(cs[i].fd);
  return 0;
}

/* ------------------------------------------------------------------ stream */

static int run_stream(const struct opts *o) {
  size_t block = (size_t)o->block;
  if (block > MAXCHUNK) fail("--block must be at most %u", MAXCHUNK);
  uint8_t *pattern = make_pattern();
  uint8_t *rbuf = malloc(MAXCHUNK);
  if (!rbuf) fail("out of memory");

  int fd = connect_to(o->host, o->port);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("epoll_create1: %s", strerror(errno));
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = 0};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));

  uint64_t sent = 0, recvd = 0, recvd_at_measure = 0;
  double t0 = now();
  struct window w;
  window_init(&w, t0, o->warmup, o->duration, o->server_pid);
  double last_progress = t0;
  struct epoll_event evs[4];
  for (;;) {
    int k = wait_events(ep, evs, 4);
    double t = now();
    int phase = window_tick(&w, t);
    if (phase == WINDOW_OPENED) recvd_at_measure = recvd;
    if (phase == WINDOW_CLOSED) break;
    for (int e = 0; e < k; e++) {
      uint32_t evm = evs[e].events;
      if (evm & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          ssize_t r = read(fd, rbuf, MAXCHUNK);
          if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            fail("stream: read: %s after %llu bytes", strerror(errno),
                 (unsigned long long)recvd);
          }
          if (r == 0)
            fail("stream: server closed the connection after echoing %llu bytes",
                 (unsigned long long)recvd);
          check_echo(pattern, recvd, sent, rbuf, (size_t)r);
          recvd += (uint64_t)r;
          last_progress = now();
        }
      }
      if (evm & EPOLLOUT) {
        for (;;) {
          /* Each write is the rest of the current block, so writes are block-sized. */
          size_t left = block - (size_t)(sent % block);
          ssize_t w = write(fd, pattern + (sent % PERIOD), left);
          if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            fail("stream: write: %s after %llu bytes", strerror(errno),
                 (unsigned long long)sent);
          }
          sent += (uint64_t)w;
        }
      }
    }
    if (t - last_progress > o->timeout)
      fail("stream stalled: nothing echoed for %.1f s (%llu sent, %llu echoed)", o->timeout,
           (unsigned long long)sent, (unsigned long long)recvd);
  }
  double secs = window_close(&w);
  uint64_t bytes = recvd - recvd_at_measure;
  printf("{\"mode\":\"stream\",\"block\":%zu,\"seconds\":%.4f,\"bytes\":%llu,\"mbps\":%.2f,"
         "\"sent_total\":%llu,\"echoed_total\":%llu",
         block, secs, (unsigned long long)bytes, (double)bytes / 1e6 / secs,
         (unsigned long long)sent, (unsigned long long)recvd);
  print_window_cpu(&w, secs);
  printf("}\n");
  if (bytes == 0) fail("stream: nothing echoed in the measurement window");
  close(fd);
  return 0;
}

/* ------------------------------------------------------------------ churn */

/* A non-blocking connect: the connection's whole life, connect included, is what churn measures.
 * EINPROGRESS is the normal answer on loopback; anything else fails the run. */
static int connect_start(const struct sockaddr_in *sa) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("socket: %s", strerror(errno));
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
    fail("TCP_NODELAY: %s", strerror(errno));
  if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0 && errno != EINPROGRESS)
    fail("connect: %s", strerror(errno));
  return fd;
}

/* One slot of the churn: the connection now in it, and its request (the `conn` of rr). */
static void churn_open(int ep, struct conn *c, int idx, const struct sockaddr_in *sa,
                       int size) {
  c->fd = connect_start(sa);
  c->want_out = 1;
  c->t_start = now();
  fill_request(c->req, size, idx, c->seq, -1);
  c->sent = 0;
  c->got = 0;
  /* Writable means connected (or failed: SO_ERROR says which). */
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)idx};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));
}

static int run_churn(const struct opts *o) {
  int n = o->conns, size = o->size;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)o->port);
  if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) fail("bad IPv4 host %s", o->host);

  struct conn *cs = alloc_conns(n, size);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("epoll_create1: %s", strerror(errno));

  struct latencies lat;
  lat_init(&lat, 1 << 20);
  uint64_t total = 0, measured = 0;

  double t0 = now();
  struct window w;
  window_init(&w, t0, o->warmup, o->duration, o->server_pid);
  double last_progress = t0;
  for (int i = 0; i < n; i++) churn_open(ep, &cs[i], i, &sa, size);

  struct epoll_event evs[256];
  for (;;) {
    int k = wait_events(ep, evs, 256);
    double t = now();
    if (window_tick(&w, t) == WINDOW_CLOSED) break;
    for (int e = 0; e < k; e++) {
      int idx = (int)evs[e].data.u32;
      struct conn *c = &cs[idx];
      uint32_t evm = evs[e].events;
      if (c->sent == 0 && (evm & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err)
          fail("conn %d: connect (connection %llu): %s", idx, (unsigned long long)c->seq,
               strerror(err));
      }
      if (evm & EPOLLOUT) rr_write(ep, c, idx, size);
      if (!(evm & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      if (!read_echo(c, idx, size, "connection")) continue;
      /* The one request is done: close (the server sees EOF) and open the next in its slot.
       * close() also removes the fd from the epoll set. */
      close(c->fd);
      last_progress = count_done(&w, &lat, &total, &measured, c->t_start);
      c->seq++;
      churn_open(ep, c, idx, &sa, size);
    }
    if (t - last_progress > o->timeout)
      fail("stalled: no connection completed for %.1f s (%llu done)", o->timeout,
           (unsigned long long)total);
  }
  double secs = window_close(&w);
  printf("{\"mode\":\"churn\",\"conns\":%d,\"size\":%d,\"seconds\":%.4f,\"connections\":%llu,"
         "\"cps\":%.1f",
         n, size, secs, (unsigned long long)measured, (double)measured / secs);
  print_latency_fields(&lat);
  print_window_cpu(&w, secs);
  printf("}\n");
  if (measured == 0) fail("no connection completed in the measurement window");
  for (int i = 0; i < n; i++) close(cs[i].fd);
  return 0;
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen rr|stream|churn --port P [--host 127.0.0.1] [--conns 50|20] [--size 64]\n"
          "               [--terminator BYTE] [--block 65536] [--warmup 0.5] [--duration 2]\n"
          "               [--timeout 10] [--server-pid PID]\n");
  exit(64);
}

static double num_arg(const char *name, const char *v, double lo, double hi) {
  char *end;
  double d = strtod(v, &end);
  if (*v == 0 || *end != 0 || !(d >= lo && d <= hi)) {
    fprintf(stderr, "loadgen: bad value for %s: %s\n", name, v);
    usage();
  }
  return d;
}

int main(int argc, char **argv) {
  /* --conns defaults by mode (rr 50, churn 20); 0 until then. */
  struct opts o = {.host = "127.0.0.1", .conns = 0, .size = 64, .block = 65536,
                   .terminator = -1, .warmup = 0.5, .duration = 2.0, .timeout = 10.0};
  if (argc < 2) usage();
  o.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--host")) o.host = v;
    else if (!strcmp(a, "--port")) o.port = (int)num_arg(a, v, 1, 65535);
    else if (!strcmp(a, "--conns")) o.conns = (int)num_arg(a, v, 1, 10000);
    else if (!strcmp(a, "--size")) o.size = (int)num_arg(a, v, 1, 1 << 20);
    else if (!strcmp(a, "--terminator")) o.terminator = (int)num_arg(a, v, 0, 255);
    else if (!strcmp(a, "--block")) o.block = (int)num_arg(a, v, 1, MAXCHUNK);
    else if (!strcmp(a, "--warmup")) o.warmup = num_arg(a, v, 0, 3600);
    else if (!strcmp(a, "--duration")) o.duration = num_arg(a, v, 0.01, 3600);
    else if (!strcmp(a, "--timeout")) o.timeout = num_arg(a, v, 0.1, 3600);
    else if (!strcmp(a, "--server-pid")) o.server_pid = (long)num_arg(a, v, 1, 1e9);
    else usage();
  }
  if (o.port == 0) usage();
  if (o.conns == 0) o.conns = strcmp(o.mode, "churn") ? 50 : 20;
  set_signals(o.warmup, o.duration, o.timeout);
  if (!strcmp(o.mode, "rr")) return run_rr(&o);
  if (!strcmp(o.mode, "stream")) return run_stream(&o);
  if (!strcmp(o.mode, "churn")) return run_churn(&o);
  usage();
  return 64;
}
