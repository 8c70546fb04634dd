"""A TLS load client on CPython's ssl, for the client-side rows of bench/ssl_bench.ts: the same
traffic patterns and JSON result as bench/ssl_loadgen.c.

    python3 bench/ssl_client_cpython.py hs|stream --port P [--conns 8] [--block 65536]
        [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID] [--impl threads|selectors]

Context: ssl.create_default_context(cafile=tests/certs/ca.pem) (CERT_REQUIRED, hostname
checking), minimum_version = TLSv1_3, server_hostname="localhost", connecting to 127.0.0.1,
TCP_NODELAY.

hs: N concurrent connections, each again and again: connect, handshake, send 1 byte, read the
1-byte echo and check it, close. `--impl threads` (default): N threads with blocking sockets,
each running that loop (the handshake and socket calls release the GIL). `--impl selectors`:
one thread, non-blocking sockets driven by selectors.DefaultSelector.
stream: one connection, non-blocking, selectors: 64 KiB writes of a known pattern while every
echoed byte is checked (a blocking socket cannot write and read at once, and an SSLSocket must
not be used from two threads at a time).

Only work completed inside the measured window counts. CPU: this process's, the server's and
each core's busy time over the window, from /proc. Any failure: "LOADGEN FAILURE: ..." on
stderr, exit 2; a hard alarm exits 3.
"""

import argparse
import json
import math
import os
import selectors
import signal
import socket
import ssl
import sys
import threading
import time

CA = "tests/certs/ca.pem"
NAME = "localhost"
PERIOD = 65521


class Failure(Exception):
    pass


# ------------------------------------------------------------------ CPU accounting


def proc_cpu(pid: int) -> "float | None":
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_cores() -> "list[tuple[int, int]]":
    out = []
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu") or not line[3].isdigit():
                continue
            v = [int(x) for x in line.split()[1:9]]
            busy = v[0] + v[1] + v[2] + v[5] + v[6]
            out.append((busy, busy + v[3] + v[4] + v[7]))
    return out


class Snapshot:
    def __init__(self, server_pid: int) -> None:
        self.cores = read_cores()
        self.self_cpu = sum(os.times()[:2])
        self.server = proc_cpu(server_pid) if server_pid > 0 else None


def cpu_fields(a: Snapshot, b: Snapshot, secs: float) -> dict:
    out: dict = {"client_cpu": round((b.self_cpu - a.self_cpu) / secs, 3)}
    if a.server is not None and b.server is not None:
        out["server_cpu"] = round((b.server - a.server) / secs, 3)
    if a.cores and len(a.cores) == len(b.cores):
        out["cores_busy"] = [
            round((b1 - b0) / (t1 - t0), 3) if t1 > t0 else 0.0
            for (b0, t0), (b1, t1) in zip(a.cores, b.cores)
        ]
    return out


def percentile(xs: "list[float]", q: float) -> float:
    if not xs:
        return 0.0
    rank = min(len(xs), max(1, math.ceil(q * len(xs))))
    return xs[rank - 1]


def make_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=CA)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def new_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Window:
    """Warm-up, then the measured window; `over` tells the loops to stop."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.measuring = False
        self.over = False
        self.t0 = time.monotonic()
        self.t_measure = self.t0 + args.warmup
        self.t_end = 0.0
        self.first: "Snapshot | None" = None
        self.last: "Snapshot | None" = None
        self.last_progress = self.t0
        self.failure: "BaseException | None" = None

    def tick(self, now: float) -> None:
        """Called often from the loops (or a timer thread): opens and closes the window."""
        a = self.args
        if not self.measuring and not self.over and now >= self.t_measure:
            self.first = Snapshot(a.server_pid)
            self.t_measure = time.monotonic()
            self.t_end = self.t_measure + a.duration
            self.measuring = True
        elif self.measuring and now >= self.t_end:
            self.t_end = time.monotonic()
            self.measuring = False
            self.over = True
            self.last = Snapshot(a.server_pid)
        if not self.over and now - self.last_progress > a.timeout:
            self.abort(Failure(f"stalled: no progress for {a.timeout} s"))

    def abort(self, e: BaseException) -> None:
        if self.failure is None and not self.over:
            self.failure = e
        self.over = True

    def seconds(self) -> float:
        return self.t_end - self.t_measure


# ------------------------------------------------------------------ hs


def run_hs_threads(args: argparse.Namespace) -> dict:
    ctx = make_context()
    win = Window(args)
    lock = threading.Lock()
    lat: "list[float]" = []
    counts = {"done": 0, "measured": 0}

    def worker(idx: int) -> None:
        seq = 0
        try:
            while not win.over:
                byte = 1 + (seq * 7 + idx * 31) % 255
                seq += 1
                t0 = time.monotonic()
                sock = new_socket()
                sock.settimeout(args.timeout)
                sock.connect(("127.0.0.1", args.port))
                with ctx.wrap_socket(sock, server_hostname=NAME) as tls:
                    if tls.version() != "TLSv1.3":
                        raise Failure(f"negotiated {tls.version()}, not TLSv1.3")
                    tls.sendall(bytes([byte]))
                    got = tls.recv(16)
                    if len(got) != 1 or got[0] != byte:
                        raise Failure(f"conn {idx}: echo {got!r}, sent {bytes([byte])!r}")
                t1 = time.monotonic()
                with lock:
                    counts["done"] += 1
                    win.last_progress = t1
                    if win.measuring:
                        counts["measured"] += 1
                        lat.append((t1 - t0) * 1e6)
        except BaseException as e:  # noqa: BLE001 - reported as the run's failure
            win.abort(e)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.conns)]
    for t in threads:
        t.start()
    while not win.over:
        time.sleep(0.01)
        with lock:
            win.tick(time.monotonic())
    for t in threads:
        t.join(args.timeout + 1)
    if win.failure is not None:
        raise win.failure
    return hs_result(args, win, lat, counts["measured"], "threads")


def run_hs_selectors(args: argparse.Namespace) -> dict:
    ctx = make_context()
    win = Window(args)
    sel = selectors.DefaultSelector()
    lat: "list[float]" = []
    measured = 0

    class Slot:
        __slots__ = ("idx", "seq", "sock", "tls", "phase", "byte", "t0")

    def open_slot(s: "Slot") -> None:
        s.byte = 1 + (s.seq * 7 + s.idx * 31) % 255
        s.seq += 1
        s.t0 = time.monotonic()
        s.sock = new_socket()
        s.sock.setblocking(False)
        err = s.sock.connect_ex(("127.0.0.1", args.port))
        if err not in (0, 115):  # EINPROGRESS
            raise Failure(f"connect: {os.strerror(err)}")
        s.phase = "connect"
        sel.register(s.sock, selectors.EVENT_WRITE, s)

    def step(s: "Slot") -> bool:
        while True:
            if s.phase == "connect":
                err = s.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise Failure(f"connect: {os.strerror(err)}")
                sel.unregister(s.sock)
                s.tls = ctx.wrap_socket(s.sock, server_hostname=NAME, do_handshake_on_connect=False)
                sel.register(s.tls, selectors.EVENT_READ, s)
                s.phase = "handshake"
            elif s.phase == "handshake":
                try:
                    s.tls.do_handshake()
                except ssl.SSLWantReadError:
                    sel.modify(s.tls, selectors.EVENT_READ, s)
                    return False
                except ssl.SSLWantWriteError:
                    sel.modify(s.tls, selectors.EVENT_WRITE, s)
                    return False
                if s.tls.version() != "TLSv1.3":
                    raise Failure(f"negotiated {s.tls.version()}, not TLSv1.3")
                s.tls.send(bytes([s.byte]))  # 1 byte into an empty socket buffer
                s.phase = "read"
            else:
                try:
                    got = s.tls.recv(16)
                except ssl.SSLWantReadError:
                    sel.modify(s.tls, selectors.EVENT_READ, s)
                    return False
                if len(got) != 1 or got[0] != s.byte:
                    raise Failure(f"conn {s.idx}: echo {got!r}, sent {bytes([s.byte])!r}")
                return True

    slots = []
    for i in range(args.conns):
        s = Slot()
        s.idx, s.seq = i, 0
        open_slot(s)
        slots.append(s)
    while not win.over:
        for key, _ in sel.select(0.05):
            s = key.data
            if not step(s):
                continue
            t1 = time.monotonic()
            win.last_progress = t1
            if win.measuring:
                measured += 1
                lat.append((t1 - s.t0) * 1e6)
            sel.unregister(s.tls)
            s.tls.close()
            open_slot(s)
        win.tick(time.monotonic())
    if win.failure is not None:
        raise win.failure
    return hs_result(args, win, lat, measured, "selectors")


def hs_result(args, win: Window, lat: "list[float]", measured: int, impl: str) -> dict:
    if measured == 0:
        raise Failure("no connection completed in the measurement window")
    secs = win.seconds()
    lat.sort()
    return {
        "mode": "hs",
        "impl": f"CPython ssl ({impl})",
        "conns": args.conns,
        "seconds": round(secs, 4),
        "handshakes": measured,
        "hps": round(measured / secs, 1),
        "p50_us": round(percentile(lat, 0.5), 1),
        "p99_us": round(percentile(lat, 0.99), 1),
        "max_us": round(lat[-1], 1),
        **cpu_fields(win.first, win.last, secs),
    }


# ------------------------------------------------------------------ stream


def run_stream(args: argparse.Namespace) -> dict:
    block = args.block
    x = 0x243F6A8885A308D3
    mask = (1 << 64) - 1
    pat = bytearray(PERIOD)
    for i in range(PERIOD):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
        pat[i] = x & 0xFF
    reps = (block + 65536) // PERIOD + 2
    pattern = bytes(pat) * reps
    view = memoryview(pattern)

    ctx = make_context()
    sock = new_socket()
    sock.settimeout(args.timeout)
    sock.connect(("127.0.0.1", args.port))
    tls = ctx.wrap_socket(sock, server_hostname=NAME)
    if tls.version() != "TLSv1.3":
        raise Failure(f"negotiated {tls.version()}, not TLSv1.3")
    tls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(tls, selectors.EVENT_READ | selectors.EVENT_WRITE)
    win = Window(args)
    sent = recvd = recvd_at_start = offered = 0
    while not win.over:
        was_measuring = win.measuring
        win.tick(time.monotonic())
        if win.measuring and not was_measuring:
            recvd_at_start = recvd
        if win.over:
            break
        events = sel.select(0.1)
        if not events:
            continue
        # Both directions on every wake-up: either may have become possible.
        while True:
            try:
                data = tls.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            if not data:
                raise Failure(f"stream: server closed the connection after {recvd} bytes")
            n = len(data)
            # A send that raised SSLWantWriteError may already have put some of its records
            # on the wire (it is retried with the same data): up to `offered` may come back.
            if recvd + n > offered:
                raise Failure(f"stream: server echoed {recvd + n} bytes, {offered} were sent")
            off = recvd % PERIOD
            if data != view[off : off + n]:
                at = next(i for i in range(n) if data[i] != pattern[off + i])
                raise Failure(
                    f"stream: echo mismatch at offset {recvd + at}: sent {pattern[off + at]}, "
                    f"got {data[at]}"
                )
            recvd += n
            win.last_progress = time.monotonic()
        while True:
            off = sent % PERIOD
            left = block - sent % block
            offered = max(offered, sent + left)
            try:
                n = tls.send(view[off : off + left])
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            sent += n
    if win.failure is not None:
        raise win.failure
    secs = win.seconds()
    nbytes = recvd - recvd_at_start
    if nbytes == 0:
        raise Failure("stream: nothing echoed in the measurement window")
    tls.close()
    return {
        "mode": "stream",
        "impl": "CPython ssl (selectors)",
        "block": block,
        "seconds": round(secs, 4),
        "bytes": nbytes,
        "mbps": round(nbytes / 1e6 / secs, 2),
        "sent_total": sent,
        "echoed_total": recvd,
        **cpu_fields(win.first, win.last, secs),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["hs", "stream"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--block", type=int, default=65536)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--server-pid", type=int, default=0)
    ap.add_argument("--impl", choices=["threads", "selectors"], default="threads")
    args = ap.parse_args()

    def on_alarm(signum, frame):  # noqa: ARG001
        os.write(2, b"LOADGEN FAILURE: hard timeout reached\n")
        os._exit(3)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.warmup + args.duration + 2 * args.timeout) + 1)
    try:
        if args.mode == "stream":
            result = run_stream(args)
        elif args.impl == "threads":
            result = run_hs_threads(args)
        else:
            result = run_hs_selectors(args)
    except Exception as e:  # noqa: BLE001 - every failure ends the run loudly
        print(f"LOADGEN FAILURE: {type(e).__name__}: {e}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(2)
    print(json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
