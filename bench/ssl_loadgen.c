/*
 * ssl_loadgen: an epoll TLS load generator (system OpenSSL) for echo servers on loopback.
 *
 *   ssl_loadgen hs     --port P [--conns 8] [--ca tests/certs/ca.pem] [--name localhost]
 *                      [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *   ssl_loadgen stream --port P [--block 65536] [--ca ...] [--name ...]
 *                      [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *
 * hs: N connection slots, each repeatedly: TCP connect to 127.0.0.1, a full TLS 1.3 handshake
 * (verifying the server's chain against --ca and its name against --name, which is also sent
 * as SNI; no session resumption), write 1 byte, read the 1-byte echo and check it, send
 * close_notify and close. Reports handshakes (whole connections) per second and the latency
 * of one whole connection. stream: one TLS connection writes `block`-byte writes continuously
 * while reading the echo back and checking every byte against the sent stream.
 *
 * Only what completes inside the measurement window (after the warm-up) is counted. The result
 * is one JSON object on stdout, with the same CPU fields as bench/loadgen.c (client_cpu,
 * server_cpu, cores_busy). Any error (verification failure, mismatch, EOF, stall, timeout)
 * prints "LOADGEN FAILURE: ..." on stderr and exits 2 (3 on the hard alarm).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
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

static void fail_detail(void) {
  unsigned long e;
  char buf[256];
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    fprintf(stderr, "  openssl: %s\n", buf);
  }
}

struct opts {
  const char *mode;
  const char *host;
  const char *ca;
  const char *name;
  int port;
  int conns;
  int block;
  double warmup;
  double duration;
  double timeout;
  long server_pid;
  int quickack;
};

/* ------------------------------------------------------------------ TLS setup */

static SSL_CTX *make_ctx(const struct opts *o) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) fail("SSL_CTX_new");
  if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
      !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
    fail("cannot restrict to TLS 1.3");
  if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1) fail("cannot load CA file %s", o->ca);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  /* Every connection is a full handshake: no client-side session cache, no tickets kept. */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  /* Read whole socket buffers at once rather than a record header and then its body: about
   * half the read() calls, which keeps the loadgen well below the servers in stream mode. */
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_read_buffer_len(ctx, 256 * 1024);
  return ctx;
}

static SSL *make_ssl(SSL_CTX *ctx, const struct opts *o, int fd) {
  SSL *ssl = SSL_new(ctx);
  if (!ssl) fail("SSL_new");
  if (!SSL_set_tlsext_host_name(ssl, o->name)) fail("SNI");
  if (!SSL_set1_host(ssl, o->name)) fail("SSL_set1_host");
  if (!SSL_set_fd(ssl, fd)) fail("SSL_set_fd");
  return ssl;
}

/* Starts a non-blocking connect; returns the fd (connect may still be in progress). */
static int start_connect(const struct opts *o) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)o->port);
  if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) fail("bad IPv4 host %s", o->host);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("socket: %s", strerror(errno));
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
    fail("TCP_NODELAY: %s", strerror(errno));
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
    fail("connect %s:%d: %s", o->host, o->port, strerror(errno));
  return fd;
}

/* Describes an SSL_get_error outcome for a failure message. */
static const char *ssl_err_name(int e) {
  switch (e) {
  case SSL_ERROR_ZERO_RETURN: return "close_notify from the server";
  case SSL_ERROR_SYSCALL: return "syscall error or EOF";
  case SSL_ERROR_SSL: return "TLS protocol error";
  default: return "other SSL error";
  }
}

/* ------------------------------------------------------------------ hs */

enum phase { CONNECTING, HANDSHAKE, WRITING, READING };

struct slot {
  int fd;
  SSL *ssl;
  enum phase phase;
  uint32_t events; /* currently registered with epoll */
  uint8_t byte;    /* the byte this connection sends and expects back */
  double t_start;
};

static void want(int ep, struct slot *s, int idx, uint32_t events) {
  if (s->events == events) return;
  struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)idx};
  if (epoll_ctl(ep, s->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev) < 0)
    fail("epoll_ctl: %s", strerror(errno));
  s->events = events;
}

/* With --quickack 1, called whenever the slot has consumed all it received and waits for
 * more: ACK what arrived now. Otherwise a server with Nagle on holds a small write (its 1-byte
 * echo, after the session tickets it sent unacknowledged) until this kernel's delayed ACK
 * fires, 40 ms later, and the run measures that timer instead of the server. */
static void quickack(const struct opts *o, struct slot *s) {
  if (!o->quickack) return;
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

static void open_slot(int ep, struct slot *s, int idx, const struct opts *o, uint64_t seq) {
  s->fd = start_connect(o);
  s->ssl = NULL;
  s->phase = CONNECTING;
  s->events = 0;
  /* Never 0 and different from one connection to the next on the same slot. */
  s->byte = (uint8_t)(1 + (seq * 7 + (uint64_t)idx * 31) % 255);
  s->t_start = now();
  want(ep, s, idx, EPOLLOUT);
}

static void close_slot(int ep, struct slot *s) {
  if (s->ssl) {
    /* Sends close_notify; the reply is not awaited (non-blocking, the server may have gone). */
    SSL_shutdown(s->ssl);
    SSL_free(s->ssl);
  }
  epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
  close(s->fd);
  s->ssl = NULL;
  s->fd = -1;
}

/* Advances one slot as far as it can go; returns 1 when its connection completed. */
static int step(int ep, struct slot *s, int idx, SSL_CTX *ctx, const struct opts *o,
                char *proto, char *cipher) {
  for (;;) {
    switch (s->phase) {
    case CONNECTING: {
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err == EINPROGRESS) return 0;
      if (err != 0) fail("conn %d: connect: %s", idx, strerror(err));
      s->ssl = make_ssl(ctx, o, s->fd);
      s->phase = HANDSHAKE;
      break;
    }
    case HANDSHAKE: {
      int r = SSL_connect(s->ssl);
      if (r == 1) {
        if (SSL_version(s->ssl) != TLS1_3_VERSION)
          fail("conn %d: negotiated %s, not TLS 1.3", idx, SSL_get_version(s->ssl));
        if (SSL_get_verify_result(s->ssl) != X509_V_OK) fail("conn %d: verify failed", idx);
        if (!proto[0]) {
          snprintf(proto, 32, "%s", SSL_get_version(s->ssl));
          snprintf(cipher, 64, "%s", SSL_get_cipher_name(s->ssl));
        }
        s->phase = WRITING;
        break;
      }
      int e = SSL_get_error(s->ssl, r);
      if (e == SSL_ERROR_WANT_READ) return quickack(o, s), want(ep, s, idx, EPOLLIN), 0;
      if (e == SSL_ERROR_WANT_WRITE) return want(ep, s, idx, EPOLLOUT), 0;
      fail("conn %d: handshake failed: %s (verify result: %s)", idx, ssl_err_name(e),
           X509_verify_cert_error_string(SSL_get_verify_result(s->ssl)));
      return 0;
    }
    case WRITING: {
      int r = SSL_write(s->ssl, &s->byte, 1);
      if (r == 1) {
        s->phase = READING;
        break;
      }
      int e = SSL_get_error(s->ssl, r);
      if (e == SSL_ERROR_WANT_READ) return want(ep, s, idx, EPOLLIN), 0;
      if (e == SSL_ERROR_WANT_WRITE) return want(ep, s, idx, EPOLLOUT), 0;
      fail("conn %d: write: %s", idx, ssl_err_name(e));
      return 0;
    }
    case READING: {
      uint8_t buf[16];
      /* Post-handshake messages (session tickets) are consumed inside SSL_read. */
      int r = SSL_read(s->ssl, buf, sizeof buf);
      if (r > 0) {
        if (r != 1) fail("conn %d: server echoed %d bytes, 1 was sent", idx, r);
        if (buf[0] != s->byte)
          fail("conn %d: echo mismatch: sent 0x%02x, got 0x%02x", idx, s->byte, buf[0]);
        return 1;
      }
      int e = SSL_get_error(s->ssl, r);
      if (e == SSL_ERROR_WANT_READ) return quickack(o, s), want(ep, s, idx, EPOLLIN), 0;
      if (e == SSL_ERROR_WANT_WRITE) return want(ep, s, idx, EPOLLOUT), 0;
      fail("conn %d: read: %s before the echo", idx, ssl_err_name(e));
      return 0;
    }
    }
  }
}

static int run_hs(const struct opts *o) {
  int n = o->conns;
  SSL_CTX *ctx = make_ctx(o);
  struct slot *ss = calloc((size_t)n, sizeof *ss);
  if (!ss) fail("out of memory");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("epoll_create1: %s", strerror(errno));
  struct latencies lat;
  lat_init(&lat, 1 << 16);
  char proto[32] = "", cipher[64] = "";
  uint64_t total = 0, measured = 0, seq = 0;

  double t0 = now();
  struct window w;
  window_init(&w, t0, o->warmup, o->duration, o->server_pid);
  double last_progress = t0;
  for (int i = 0; i < n; i++) open_slot(ep, &ss[i], i, o, seq++);

  struct epoll_event evs[256];
  for (;;) {
    int k = wait_events(ep, evs, 256);
    double t = now();
    if (window_tick(&w, t) == WINDOW_CLOSED) break;
    for (int e = 0; e < k; e++) {
      int idx = (int)evs[e].data.u32;
      struct slot *s = &ss[idx];
      if (s->fd < 0) continue;
      if (!step(ep, s, idx, ctx, o, proto, cipher)) continue;
      last_progress = count_done(&w, &lat, &total, &measured, s->t_start);
      close_slot(ep, s);
      open_slot(ep, s, idx, o, seq++);
    }
    if (t - last_progress > o->timeout)
      fail("stalled: no connection completed for %.1f s (%llu done)", o->timeout,
           (unsigned long long)total);
  }
  double secs = window_close(&w);
  lat_sort(&lat);
  printf("{\"mode\":\"hs\",\"conns\":%d,\"seconds\":%.4f,\"handshakes\":%llu,\"hps\":%.1f,"
         "\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"proto\":\"%s\",\"cipher\":\"%s\","
         "\"quickack\":%d",
         n, secs, (unsigned long long)measured, (double)measured / secs,
         percentile(&lat, 0.50), percentile(&lat, 0.99), lat_max(&lat), proto, cipher,
         o->quickack);
  print_window_cpu(&w, secs);
  printf("}\n");
  fflush(stdout);
  if (measured == 0) fail("no connection completed in the measurement window");
  for (int i = 0; i < n; i++)
    if (ss[i].fd >= 0) close_slot(ep, &ss[i]);
  SSL_CTX_free(ctx);
  return 0;
}

/* ------------------------------------------------------------------ stream */

/* Blocks (with poll via epoll) until the handshake is done; not measured. */
static void handshake_blocking(SSL *ssl, int ep, int fd, double timeout) {
  double deadline = now() + timeout;
  for (;;) {
    int r = SSL_connect(ssl);
    if (r == 1) return;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
      fail("stream: handshake failed: %s (verify result: %s)", ssl_err_name(e),
           X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
    struct epoll_event ev = {.events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));
    struct epoll_event out;
    if (epoll_wait(ep, &out, 1, 100) < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
    if (now() > deadline) fail("stream: handshake took more than %.1f s", timeout);
  }
}

static int run_stream(const struct opts *o) {
  size_t block = (size_t)o->block;
  if (block > MAXCHUNK) fail("--block must be at most %u", MAXCHUNK);
  uint8_t *pattern = make_pattern();
  uint8_t *rbuf = malloc(65536);
  if (!rbuf) fail("out of memory");

  SSL_CTX *ctx = make_ctx(o);
  int fd = start_connect(o);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("epoll_create1: %s", strerror(errno));
  struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = 0};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));
  {
    struct epoll_event out;
    int k = epoll_wait(ep, &out, 1, (int)(o->timeout * 1000));
    int err = 0;
    socklen_t len = sizeof err;
    if (k != 1) fail("stream: connect timed out");
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) fail("stream: connect: %s", strerror(err));
  }
  SSL *ssl = make_ssl(ctx, o, fd);
  handshake_blocking(ssl, ep, fd, o->timeout);
  if (SSL_version(ssl) != TLS1_3_VERSION) fail("stream: negotiated %s", SSL_get_version(ssl));
  char proto[32], cipher[64];
  snprintf(proto, sizeof proto, "%s", SSL_get_version(ssl));
  snprintf(cipher, sizeof cipher, "%s", SSL_get_cipher_name(ssl));
  ev.events = EPOLLIN | EPOLLOUT;
  if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0) fail("epoll_ctl: %s", strerror(errno));

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
    if (k == 0) goto check_stall;
    /* Whatever the event, try both directions: OpenSSL may need a read to write or the
     * reverse, and either call stops at the first WANT_*. */
    for (;;) {
      int r = SSL_read(ssl, rbuf, 65536);
      if (r <= 0) {
        int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
        fail("stream: read: %s after %llu bytes echoed", ssl_err_name(e),
             (unsigned long long)recvd);
      }
      check_echo(pattern, recvd, sent, rbuf, (size_t)r);
      recvd += (uint64_t)r;
      last_progress = now();
    }
    for (;;) {
      /* Each write is the rest of the current block, so writes are block-sized. */
      size_t left = block - (size_t)(sent % block);
      int w = SSL_write(ssl, pattern + (sent % PERIOD), (int)left);
      if (w <= 0) {
        int e = SSL_get_error(ssl, w);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
        fail("stream: write: %s after %llu bytes sent", ssl_err_name(e),
             (unsigned long long)sent);
      }
      sent += (uint64_t)w;
    }
  check_stall:
    if (t - last_progress > o->timeout)
      fail("stream stalled: nothing echoed for %.1f s (%llu sent, %llu echoed)", o->timeout,
           (unsigned long long)sent, (unsigned long long)recvd);
  }
  double secs = window_close(&w);
  uint64_t bytes = recvd - recvd_at_measure;
  printf("{\"mode\":\"stream\",\"block\":%zu,\"seconds\":%.4f,\"bytes\":%llu,\"mbps\":%.2f,"
         "\"sent_total\":%llu,\"echoed_total\":%llu,\"proto\":\"%s\",\"cipher\":\"%s\"",
         block, secs, (unsigned long long)bytes, (double)bytes / 1e6 / secs,
         (unsigned long long)sent, (unsigned long long)recvd, proto, cipher);
  print_window_cpu(&w, secs);
  printf("}\n");
  fflush(stdout);
  if (bytes == 0) fail("stream: nothing echoed in the measurement window");
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return 0;
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
  fprintf(stderr,
          "usage: ssl_loadgen hs|stream --port P [--host 127.0.0.1] [--conns 8]\n"
          "               [--block 65536] [--ca tests/certs/ca.pem] [--name localhost]\n"
          "               [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]\n"
          "               [--quickack 0|1]\n");
  exit(64);
}

static double num_arg(const char *name, const char *v, double lo, double hi) {
  char *end;
  double d = strtod(v, &end);
  if (*v == 0 || *end != 0 || !(d >= lo && d <= hi)) {
    fprintf(stderr, "ssl_loadgen: bad value for %s: %s\n", name, v);
    usage();
  }
  return d;
}

int main(int argc, char **argv) {
  struct opts o = {.host = "127.0.0.1", .ca = "tests/certs/ca.pem", .name = "localhost",
                   .conns = 8, .block = 65536, .warmup = 0.5, .duration = 2.0, .timeout = 10.0};
  o.mode = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') { /* the mode, wherever it stands */
      if (o.mode) usage();
      o.mode = a;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--host")) o.host = v;
    else if (!strcmp(a, "--ca")) o.ca = v;
    else if (!strcmp(a, "--name")) o.name = v;
    else if (!strcmp(a, "--port")) o.port = (int)num_arg(a, v, 1, 65535);
    else if (!strcmp(a, "--conns")) o.conns = (int)num_arg(a, v, 1, 10000);
    else if (!strcmp(a, "--block")) o.block = (int)num_arg(a, v, 1, MAXCHUNK);
    else if (!strcmp(a, "--warmup")) o.warmup = num_arg(a, v, 0, 3600);
    else if (!strcmp(a, "--duration")) o.duration = num_arg(a, v, 0.01, 3600);
    else if (!strcmp(a, "--timeout")) o.timeout = num_arg(a, v, 0.1, 3600);
    else if (!strcmp(a, "--server-pid")) o.server_pid = (long)num_arg(a, v, 1, 1e9);
    else if (!strcmp(a, "--quickack")) o.quickack = (int)num_arg(a, v, 0, 1);
    else usage();
  }
  if (o.port == 0 || !o.mode) usage();
  set_signals(o.warmup, o.duration, o.timeout);
  if (!strcmp(o.mode, "hs")) return run_hs(&o);
  if (!strcmp(o.mode, "stream")) return run_stream(&o);
  usage();
  return 64;
}
