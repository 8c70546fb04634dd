"""CPython's side of select_bench: the same wake-up loop as pynet's worker, on CPython's own
selectors.DefaultSelector, select.poll or select.select.

    python3 bench/select_cpython.py IMPL N ITERS WARMUP BATCH

IMPL is selector, poll or select. Prints the listening port on the first line of stdout, then
(once the peer, bench/select_peer.c, has connected one busy and N idle connections) a JSON
line with the latency samples in microseconds, or with "error" when the call itself fails
(select.select above FD_SETSIZE).
"""

import gc
import json
import resource
import select
import selectors
import socket
import sys
import time

WAIT_S = 5.0  # one wait; a lost wake-up fails the run instead of hanging it
MAX_EMPTY_WAITS = 100  # spurious returns without the busy socket, per iteration


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    impl, n, iters, warmup, batch = sys.argv[1], *map(int, sys.argv[2:6])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    print(listener.getsockname()[1], flush=True)

    busy, _ = listener.accept()
    busy.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    go = b"A"
    busy.sendall(go)
    idle = []
    while len(idle) < n:
        for _ in range(min(batch, n - len(idle))):
            idle.append(listener.accept()[0])
        busy.sendall(go)
    socks = [busy, *idle]

    gc.collect()
    rss_before = rss_bytes()
    if impl == "selector":
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)

        def wait():
            return any(key.fileobj is busy for key, _ in sel.select(WAIT_S))
    elif impl == "poll":
        p = select.poll()
        for s in socks:
            p.register(s, select.POLLIN)
        busy_fd = busy.fileno()

        def wait():
            return any(fd == busy_fd for fd, _ in p.poll(WAIT_S * 1000))
    elif impl == "select":
        try:
            select.select(socks, [], [], 0)
        except (ValueError, OSError) as e:
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
            return

        def wait():
            return busy in select.select(socks, [], [], WAIT_S)[0]
    else:
        raise SystemExit(f"unknown implementation {impl}")
    gc.collect()
    rss_after = rss_bytes()

    byte = b"x"
    samples = []
    cpu = time.process_time_ns()
    for i in range(warmup + iters):
        if i == warmup:
            cpu = time.process_time_ns()
        t0 = time.perf_counter_ns()
        busy.send(byte)
        empty = 0
        while not wait():
            empty += 1
            if empty > MAX_EMPTY_WAITS:
                raise SystemExit(f"iteration {i}: the busy socket never became readable")
        t1 = time.perf_counter_ns()
        if busy.recv(16) != byte:
            raise SystemExit(f"iteration {i}: the echo does not match")
        if i >= warmup:
            samples.append((t1 - t0) / 1000)

    print(
        json.dumps(
            {
                "samples": samples,
                "cpuPerIter": (time.process_time_ns() - cpu) / 1000 / iters,
                "cpuTotal": time.process_time_ns() / 1000,
                "mem": {"rssBefore": rss_before, "rssAfter": rss_after, "n": n},
            }
        ),
        flush=True,
    )
    for s in socks:
        s.close()
    listener.close()


if __name__ == "__main__":
    main()
