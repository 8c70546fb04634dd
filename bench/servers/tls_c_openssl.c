/*
 * tls_c_openssl: a single-threaded epoll TLS echo server on the system OpenSSL, for
 * bench/ssl_bench.ts. Not a contender: it shows what the same machine and library do with no
 * language runtime in between (the server-side calibration row), and it is the fixed server of
 * the client-side rows, where it must not be the bottleneck.
 *
 *   tls_c_openssl [--cert tests/certs/server.pem] [--key tests/certs/server.key]
 *
 * Prints its port (127.0.0.1, ephemeral) on the first stdout line and serves until killed.
 * TLS_server_method with OpenSSL's defaults (TLS 1.2 and 1.3, two session tickets per TLS 1.3
 * handshake, as CPython's server sends); TCP_NODELAY on every accepted socket. Per connection:
 * SSL_accept until done, then SSL_read up to 64 KiB and write it all back (what is left of a
 * partial write is finished on EPOLLOUT before reading again). A failed connection is dropped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ 65536

struct conn {
  int fd;
  SSL *ssl;
  int handshaking;
  uint32_t events;
  int out_off, out_len; /* unsent part of buf */
  uint8_t buf[BUFSZ];
};

static int ep;

static void die(const char *what) {
  fprintf(stderr, "tls_c_openssl: %s: %s\n", what, strerror(errno));
  ERR_print_errors_fp(stderr);
  exit(1);
}

static void set_events(struct conn *c, uint32_t events) {
  if (c->events == events) return;
  struct epoll_event ev = {.events = events, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
  c->events = events;
}

static void drop(struct conn *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  SSL_free(c->ssl);
  close(c->fd);
  free(c);
}

/* Returns 0 if the connection was dropped or must wait, 1 to continue. */
static int want_or_drop(struct conn *c, int r) {
  int e = SSL_get_error(c->ssl, r);
  if (e == SSL_ERROR_WANT_READ) {
    set_events(c, EPOLLIN);
    return 0;
  }
  if (e == SSL_ERROR_WANT_WRITE) {
    set_events(c, EPOLLOUT);
    return 0;
  }
  ERR_clear_error();
  drop(c);
  return 0;
}

static void serve(struct conn *c) {
  if (c->handshaking) {
    int r = SSL_accept(c->ssl);
    if (r != 1) {
      want_or_drop(c, r);
      return;
    }
    c->handshaking = 0;
  }
  for (;;) {
    while (c->out_len > 0) {
      int w = SSL_write(c->ssl, c->buf + c->out_off, c->out_len);
      if (w <= 0) {
        want_or_drop(c, w);
        return;
      }
      c->out_off += w;
      c->out_len -= w;
    }
    int r = SSL_read(c->ssl, c->buf, BUFSZ);
    if (r <= 0) {
      int e = SSL_get_error(c->ssl, r);
      if (e == SSL_ERROR_ZERO_RETURN) {
        /* close_notify from the client: answer it and close. */
        SSL_shutdown(c->ssl);
        drop(c);
        return;
      }
      want_or_drop(c, r);
      return;
    }
    c->out_off = 0;
    c->out_len = r;
  }
}

int main(int argc, char **argv) {
  const char *cert = "tests/certs/server.pem", *key = "tests/certs/server.key";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--cert")) cert = argv[i + 1];
    else if (!strcmp(argv[i], "--key")) key = argv[i + 1];
    else {
      fprintf(stderr, "usage: tls_c_openssl [--cert FILE] [--key FILE]\n");
      return 64;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) die("SSL_CTX_new");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) die("certificate");
  if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) die("private key");
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  if (listen(lfd, 511) < 0) die("listen");
  socklen_t len = sizeof sa;
  if (getsockname(lfd, (struct sockaddr *)&sa, &len) < 0) die("getsockname");
  printf("%d\n", ntohs(sa.sin_port));
  fflush(stdout);

  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl");
  struct epoll_event evs[256];
  for (;;) {
    int k = epoll_wait(ep, evs, 256, -1);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < k; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c) {
        serve(c);
        continue;
      }
      for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) break;
          if (errno == EMFILE || errno == ENFILE) break;
          die("accept4");
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *nc = malloc(sizeof *nc);
        if (!nc) die("malloc");
        nc->fd = fd;
        nc->ssl = SSL_new(ctx);
        if (!nc->ssl) die("SSL_new");
        SSL_set_fd(nc->ssl, fd);
        nc->handshaking = 1;
        nc->out_off = nc->out_len = 0;
        nc->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
        serve(nc);
      }
    }
  }
}
