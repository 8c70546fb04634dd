/*
 * What bench/loadgen.c and bench/ssl_loadgen.c share: failing loudly, the hard-timeout alarm,
 * clocks, the epoll wait, latency percentiles, the stream mode's byte pattern and its check,
 * the measured window, and the CPU accounting every run reports (its own, the server's from
 * /proc/<pid>/stat, and each core's from /proc/stat). Included once by each; not a library.
 */
#ifndef PYNET_BENCH_LOADGEN_COMMON_H
#define PYNET_BENCH_LOADGEN_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Each loadgen defines it: what to print after a failure's message (ssl_loadgen: OpenSSL's
 * error queue, which says why a handshake or a record failed). */
static void fail_detail(void);

/* Any error ends the run with exit status 2, so a broken server can never yield a figure. */
static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("LOADGEN FAILURE: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fail_detail();
  exit(2);
}

static void on_alarm(int sig) {
  (void)sig;
  /* Only async-signal-safe calls here. */
  static const char msg[] = "LOADGEN FAILURE: hard timeout reached\n";
  ssize_t r = write(2, msg, sizeof msg - 1);
  (void)r;
  _exit(3);
}

/* A server that closes early must show as a failed write, not kill the loadgen silently. The
 * alarm is the backstop for a hang the stall check cannot see (e.g. a connect that never
 * completes): the whole run may take at most warm-up + duration + 2 timeouts. */
static void set_signals(double warmup, double duration, double timeout) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm((unsigned)(warmup + duration + 2 * timeout) + 1);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double self_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Waits at most 100 ms, so that the window and the stall check move on while nothing
 * happens; returns the number of events. */
static int wait_events(int ep, struct epoll_event *evs, int max) {
  for (;;) {
    int k = epoll_wait(ep, evs, max, 100);
    if (k >= 0) return k;
    if (errno != EINTR) fail("epoll_wait: %s", strerror(errno));
  }
}

/* The latency (µs) of everything that completed inside the window. */
struct latencies {
  double *v;
  size_t n, cap;
};

static void lat_init(struct latencies *l, size_t cap) {
  l->v = malloc(cap * sizeof *l->v);
  if (!l->v) fail("out of memory");
  l->n = 0;
  l->cap = cap;
}

static void lat_add(struct latencies *l, double us) {
  if (l->n == l->cap) {
    l->cap *= 2;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    if (!l->v) fail("out of memory");
  }
  l->v[l->n++] = us;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void lat_sort(struct latencies *l) { qsort(l->v, l->n, sizeof *l->v, cmp_double); }

/* Nearest-rank percentile; after lat_sort. */
static double percentile(const struct latencies *l, double q) {
  if (l->n == 0) return 0;
  size_t rank = (size_t)(q * (double)l->n + 0.999999999);
  if (rank < 1) rank = 1;
  if (rank > l->n) rank = l->n;
  return l->v[rank - 1];
}

static double lat_max(const struct latencies *l) { return l->n ? l->v[l->n - 1] : 0.0; }

/* The stream's byte at offset i is pattern[i % PERIOD]. A prime period, not a divisor of the
 * block size, means a dropped, repeated or reordered block shifts the pattern and fails the
 * check. The buffer is extended by MAXCHUNK so any chunk is one contiguous memcmp. */
#define PERIOD 65521u
#define MAXCHUNK (1u << 20)

static uint8_t *make_pattern(void) {
  uint8_t *pattern = malloc(PERIOD + MAXCHUNK);
  if (!pattern) fail("out of memory");
  uint64_t x = 0x243F6A8885A308D3ull;
  for (size_t i = 0; i < PERIOD; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    pattern[i] = (uint8_t)x;
  }
  for (size_t i = PERIOD; i < PERIOD + MAXCHUNK; i++) pattern[i] = pattern[i - PERIOD];
  return pattern;
}

/* Checks `n` echoed bytes in `buf`, which follow the `recvd` already checked; `sent` bytes
 * have been written so far. */
static void check_echo(const uint8_t *pattern, uint64_t recvd, uint64_t sent, const uint8_t *buf,
                       size_t n) {
  if (recvd + n > sent)
    fail("stream: server echoed %llu bytes but only %llu were sent",
         (unsigned long long)(recvd + n), (unsigned long long)sent);
  const uint8_t *expect = pattern + (recvd % PERIOD);
  if (memcmp(expect, buf, n) != 0) {
    size_t at = 0;
    while (expect[at] == buf[at]) at++;
    fail("stream: echo mismatch at stream offset %llu: sent 0x%02x, got 0x%02x",
         (unsigned long long)(recvd + at), expect[at], buf[at]);
  }
}

/* utime+stime of another process (all its threads), in seconds; -1 if unreadable. */
static double proc_cpu(long pid) {
  if (pid <= 0) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  /* The command name may contain spaces; fields resume after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  unsigned long utime = 0, stime = 0;
  /* After ')': state(3) ... utime is field 14, stime 15 (1-based in proc(5)). */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  long hz = sysconf(_SC_CLK_TCK);
  return (double)(utime + stime) / (double)(hz > 0 ? hz : 100);
}

/* Per-core tick counters from /proc/stat, to see whether anything besides the server and the
 * loadgen used the CPUs during the window (the machine may be shared with other work). */
#define MAXCORES 64
struct cores {
  int n;
  unsigned long long busy[MAXCORES], total[MAXCORES], steal[MAXCORES];
};

static void read_cores(struct cores *c) {
  c->n = 0;
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return;
  char line[512];
  while (c->n < MAXCORES && fgets(line, sizeof line, f)) {
    int id;
    unsigned long long v[8] = {0};
    /* "cpuN user nice system idle iowait irq softirq steal ...", after the aggregate "cpu ". */
    if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9') continue;
    if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &id, &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7]) < 8)
      continue;
    c->busy[c->n] = v[0] + v[1] + v[2] + v[5] + v[6];
    c->steal[c->n] = v[7];
    c->total[c->n] = c->busy[c->n] + v[3] + v[4] + v[7];
    c->n++;
  }
  fclose(f);
}

/* Appends ,"cores_busy":[...],"steal":x (fractions of each core over the window). */
static void print_cores(const struct cores *a, const struct cores *b) {
  if (a->n == 0 || a->n != b->n) return;
  unsigned long long steal = 0, total = 0;
  printf(",\"cores_busy\":[");
  for (int i = 0; i < a->n; i++) {
    unsigned long long dt = b->total[i] - a->total[i];
    printf("%s%.3f", i ? "," : "", dt ? (double)(b->busy[i] - a->busy[i]) / (double)dt : 0.0);
    steal += b->steal[i] - a->steal[i];
    total += dt;
  }
  printf("],\"steal\":%.3f", total ? (double)steal / (double)total * a->n : 0.0);
}

/* The measured window: it opens when the warm-up is over and lasts `duration`; only work done
 * inside it counts, and the CPU figures (this process's, the server's, each core's) cover it. */
struct window {
  int measuring;
  double start, end, duration, cpu0, cpu, srv0, srv1;
  long server_pid;
  struct cores cores0, cores1;
};

enum { WINDOW_WARMING, WINDOW_OPENED, WINDOW_OPEN, WINDOW_CLOSED };

static void window_init(struct window *w, double t0, double warmup, double duration, long pid) {
  memset(w, 0, sizeof *w);
  w->start = t0 + warmup;
  w->duration = duration;
  w->end = w->start + duration;
  w->srv0 = -1;
  w->server_pid = pid;
}

/* Where time `t` stands in the window; the first call past the warm-up opens it. */
static int window_tick(struct window *w, double t) {
  if (!w->measuring) {
    if (t < w->start) return WINDOW_WARMING;
    w->measuring = 1;
    w->cpu0 = self_cpu();
    w->srv0 = proc_cpu(w->server_pid);
    read_cores(&w->cores0);
    w->start = t;
    w->end = t + w->duration;
    return WINDOW_OPENED;
  }
  return t >= w->end ? WINDOW_CLOSED : WINDOW_OPEN;
}

/* Takes the closing CPU readings; returns the seconds measured. */
static double window_close(struct window *w) {
  double stop = now();
  w->cpu = self_cpu() - w->cpu0;
  w->srv1 = proc_cpu(w->server_pid);
  read_cores(&w->cores1);
  return stop - w->start;
}

/* One request (or connection, or handshake) done at now(), started at t_start: counted in total,
 * and in measured with its latency when the window is open. Returns now(), the last progress. */
static double count_done(const struct window *w, struct latencies *lat, uint64_t *total,
                         uint64_t *measured, double t_start) {
  double done = now();
  (*total)++;
  if (w->measuring) {
    (*measured)++;
    lat_add(lat, (done - t_start) * 1e6);
  }
  return done;
}

/* Appends ,"client_cpu":x[,"server_cpu":y],"cores_busy":[...],"steal":z to the result. */
static void print_window_cpu(const struct window *w, double secs) {
  printf(",\"client_cpu\":%.3f", w->cpu / secs);
  if (w->srv0 >= 0 && w->srv1 >= 0) printf(",\"server_cpu\":%.3f", (w->srv1 - w->srv0) / secs);
  print_cores(&w->cores0, &w->cores1);
}

#endif
