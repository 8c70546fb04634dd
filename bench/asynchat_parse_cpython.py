"""asynchat record parsing throughput in CPython, for bench/asyncore_bench.ts.

An `async_chat` with no socket whose `recv` is overridden to hand out a prepared stream of
10-byte records (nine bytes and the terminator b"\\n") in reads of `--read` bytes; the loop calls
the real `handle_read`, which scans, calls `collect_incoming_data` and `found_terminator` as for
a socket. bench/asynchat_parse_pynet.ts does the same on pynet, step for step.

Prints one JSON line: bytes and records parsed per second over the measured window.

    python3 bench/asynchat_parse_cpython.py --read 1 [--warmup 0.5] [--duration 2]
"""

import argparse
import json
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asynchat

RECORD = b"abcdefghi\n"
# Ten 64 KiB reads' worth, a whole number of records and of reads of every size used, so the
# stream wraps around on a record boundary.
STREAM = RECORD * 65536
CHECK_EVERY = 65536  # bytes between clock reads


class Parser(asynchat.async_chat):
    def __init__(self, read_size):
        asynchat.async_chat.__init__(self)
        self.set_terminator(b"\n")
        self.read_size = read_size
        self.pos = 0
        self.line = []
        self.records = 0

    def recv(self, buffer_size):
        n = min(buffer_size, self.read_size)
        data = STREAM[self.pos : self.pos + n]
        self.pos = (self.pos + n) % len(STREAM)
        return data

    def collect_incoming_data(self, data):
        self.line.append(data)

    def found_terminator(self):
        record = b"".join(self.line)
        self.line = []
        if len(record) != 9:
            raise SystemExit(f"PARSE FAILURE: a record of {len(record)} bytes: {record!r}")
        self.records += 1


def run(parser, seconds):
    """Feeds reads for about `seconds`; returns (elapsed, bytes, records)."""
    reads = max(1, CHECK_EVERY // parser.read_size)
    start = time.perf_counter()
    end = start + seconds
    first = parser.records
    nbytes = 0
    while True:
        for _ in range(reads):
            parser.handle_read()
        nbytes += reads * parser.read_size
        now = time.perf_counter()
        if now >= end:
            return now - start, nbytes, parser.records - first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--read", type=int, required=True)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--duration", type=float, default=2.0)
    a = ap.parse_args()
    if a.read < 1 or len(STREAM) % a.read:
        raise SystemExit(f"--read must divide {len(STREAM)}")
    parser = Parser(a.read)
    run(parser, a.warmup)
    cpu0 = time.process_time()
    secs, nbytes, records = run(parser, a.duration)
    cpu = (time.process_time() - cpu0) / secs
    print(json.dumps({
        "mode": f"parse{a.read}",
        "read": a.read,
        "seconds": round(secs, 4),
        "bytes": nbytes,
        "records": records,
        "mbps": round(nbytes / 1e6 / secs, 3),
        "records_per_s": round(records / secs, 1),
        "client_cpu": round(cpu, 3),
    }))


if __name__ == "__main__":
    main()
