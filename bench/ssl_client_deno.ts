/**
 * A TLS load client written in Deno, for the client-side rows of bench/ssl_bench.ts: the same
 * two traffic patterns as bench/ssl_loadgen.c, and the same JSON result, so the harness treats
 * it as a loadgen. The client under test is the one pinned to its core; the server is fixed.
 *
 *   deno run --allow-net=127.0.0.1,localhost --allow-read=tests/certs --allow-run=cat \
 *     bench/ssl_client_deno.ts --impl raw|raw-starttls hs|stream --port P [--conns 8]
 *     [--block 65536] [--warmup 0.5] [--duration 2] [--timeout 10] [--server-pid PID]
 *
 * - `raw`: `Deno.connectTls({ hostname: "localhost", port, caCerts: [ca.pem] })` (the name is
 *   resolved by Deno, verified against the certificate and sent as SNI).
 * - `raw-starttls`: `Deno.connect` to 127.0.0.1 with `setNoDelay(true)`, then
 *   `Deno.startTls(conn, { hostname: "localhost", caCerts })`: the same address, name and
 *   verification as the C and CPython clients, and Nagle off as they have it.
 * bench/ssl_client_pynet.ts runs the same driver on pynet's SSLSocket.
 *
 * hs: N concurrent loops, each: connect, handshake (verifying the chain and the name),
 * write 1 byte, read the 1-byte echo and check it, close. stream: one connection; a writer
 * sends `block`-byte writes of a known pattern while a reader checks every echoed byte.
 * Only work completed inside the measured window counts. CPU: this process's, the server's and
 * each core's busy time over the window, read from /proc through `cat` (Deno reads /proc only
 * with --allow-all). Any failure: "LOADGEN FAILURE: ..." on stderr and exit 2; a hard timer
 * exits 3.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** One client connection, as each implementation provides it. */
export interface ClientConn {
  /** Writes all of `data`. */
  writeAll(data: Uint8Array): Promise<void>;
  /** Reads what is available (at most `buf.length` bytes) into `buf`; 0 at EOF. */
  readSome(buf: Uint8Array): Promise<number>;
  close(): void;
}

/** An implementation under test: opens a verified TLS connection with the handshake done. */
export interface ClientImpl {
  readonly name: string;
  connect(port: number): Promise<ClientConn>;
}

interface Options {
  mode: "hs" | "stream";
  port: number;
  conns: number;
  block: number;
  warmup: number;
  duration: number;
  timeout: number;
  serverPid: number;
}

export const CA_PATH = "tests/certs/ca.pem";
export const SERVER_NAME = "localhost";

class LoadgenFailure extends Error {}

function fail(msg: string): never {
  throw new LoadgenFailure(msg);
}

function parseArgs(args: readonly string[]): { impl: string; opts: Options } {
  const opts: Options = {
    mode: "hs",
    port: 0,
    conns: 8,
    block: 65536,
    warmup: 0.5,
    duration: 2,
    timeout: 10,
    serverPid: 0,
  };
  let impl = "";
  let mode = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (!a.startsWith("--")) {
      mode = a;
      continue;
    }
    const v = args[++i];
    if (v === undefined) fail(`${a} needs a value`);
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) fail(`bad value for ${a}: ${v}`);
      return n;
    };
    switch (a) {
      case "--impl":
        impl = v;
        break;
      case "--port":
        opts.port = num();
        break;
      case "--conns":
        opts.conns = Math.max(1, Math.floor(num()));
        break;
      case "--block":
        opts.block = Math.max(1, Math.floor(num()));
        break;
      case "--warmup":
        opts.warmup = num();
        break;
      case "--duration":
        opts.duration = num();
        break;
      case "--timeout":
        opts.timeout = num();
        break;
      case "--server-pid":
        opts.serverPid = num();
        break;
      default:
        fail(`unknown flag ${a}`);
    }
  }
  if (mode !== "hs" && mode !== "stream") fail(`mode must be hs or stream, not ${mode || "none"}`);
  if (opts.port <= 0) fail("--port is required");
  opts.mode = mode;
  return { impl, opts };
}

// ------------------------------------------------------------------------ CPU accounting

interface Snapshot {
  /** Per-core [busy, total] ticks. */
  cores: [number, number][];
  self: number;
  server: number | undefined;
}

function procCpu(stat: string | undefined): number | undefined {
  if (stat === undefined) return undefined;
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  // After ")": state is field 3; utime and stime are fields 14 and 15 (proc(5)), in ticks of
  // 1/100 s on Linux x86_64.
  const f = stat.slice(close + 2).split(" ");
  const utime = Number(f[11]), stime = Number(f[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : undefined;
}

async function snapshot(serverPid: number): Promise<Snapshot> {
  const files = ["/proc/stat", `/proc/${Deno.pid}/stat`];
  if (serverPid > 0) files.push(`/proc/${serverPid}/stat`);
  const out = await new Deno.Command("cat", { args: files, stdout: "piped", stderr: "null" })
    .output();
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  const cores: [number, number][] = [];
  for (const line of lines) {
    const m = /^cpu\d+ (.*)$/.exec(line);
    if (!m) continue;
    const v = (m[1] ?? "").split(/\s+/).map(Number);
    const at = (i: number) => v[i] ?? 0;
    const busy = at(0) + at(1) + at(2) + at(5) + at(6);
    cores.push([busy, busy + at(3) + at(4) + at(7)]);
  }
  const stats = lines.filter((l) => / \(.*\) [A-Za-z] /.test(l));
  const self = procCpu(stats.find((l) => l.startsWith(`${Deno.pid} `)));
  const server = serverPid > 0
    ? procCpu(stats.find((l) => l.startsWith(`${serverPid} `)))
    : undefined;
  if (self === undefined) fail("cannot read this process's CPU time from /proc");
  return { cores, self, server };
}

function cpuFields(a: Snapshot, b: Snapshot, secs: number): Record<string, unknown> {
  const out: Record<string, unknown> = { client_cpu: round((b.self - a.self) / secs, 3) };
  if (a.server !== undefined && b.server !== undefined) {
    out.server_cpu = round((b.server - a.server) / secs, 3);
  }
  if (a.cores.length > 0 && a.cores.length === b.cores.length) {
    out.cores_busy = a.cores.map(([busy0, total0], i) => {
      const [busy1, total1] = b.cores[i] ?? [busy0, total0];
      return total1 > total0 ? round((busy1 - busy0) / (total1 - total0), 3) : 0;
    });
  }
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

// ------------------------------------------------------------------------ the window

/** Tracks the warm-up, the measured window and stalls; every loop polls `over`. */
class Window {
  measuring = false;
  over = false;
  /** Set once the window is closed: errors after that (connections torn down) are expected. */
  finished = false;
  start = 0;
  end = 0;
  lastProgress = performance.now();
  first: Snapshot | undefined;
  last: Snapshot | undefined;
  failure: unknown;

  constructor(private readonly opts: Options, private readonly onStart: () => void) {}

  async run(): Promise<void> {
    const o = this.opts;
    await sleep(o.warmup * 1000);
    this.first = await snapshot(o.serverPid);
    this.onStart();
    this.start = performance.now();
    this.measuring = true;
    const stopAt = this.start + o.duration * 1000;
    while (!this.over) {
      const now = performance.now();
      if (now >= stopAt) break;
      if (now - this.lastProgress > o.timeout * 1000) {
        this.failure = new LoadgenFailure(`stalled: no progress for ${o.timeout} s`);
        break;
      }
      await sleep(Math.min(50, stopAt - now));
    }
    this.end = performance.now();
    this.measuring = false;
    this.over = true;
    this.finished = true;
    this.last = await snapshot(o.serverPid);
  }

  abort(e: unknown): void {
    if (this.finished) return;
    this.failure ??= e;
    this.over = true;
  }
}

/** Gives the loops up to 2 s to notice the end; the figures are taken already, and a loop
 * parked on an operation that close() did not end must not turn the run into a hang. */
async function settle(tasks: readonly Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((r) => timer = setTimeout(r, 2000));
  await Promise.race([Promise.all(tasks), grace]);
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

// ------------------------------------------------------------------------ hs

async function runHs(impl: ClientImpl, o: Options): Promise<Record<string, unknown>> {
  const lat: number[] = [];
  let done = 0, measured = 0;
  const win = new Window(o, () => {});
  const worker = async (idx: number) => {
    const got = new Uint8Array(16);
    for (let seq = 0; !win.over; seq++) {
      const byte = 1 + ((seq * 7 + idx * 31) % 255);
      const t0 = performance.now();
      const conn = await impl.connect(o.port);
      try {
        await conn.writeAll(new Uint8Array([byte]));
        const n = await conn.readSome(got);
        if (n === 0) fail(`conn ${idx}: server closed before the echo`);
        if (n !== 1) fail(`conn ${idx}: server echoed ${n} bytes, 1 was sent`);
        if (got[0] !== byte) fail(`conn ${idx}: echo mismatch: sent ${byte}, got ${got[0]}`);
      } finally {
        conn.close();
      }
      const t1 = performance.now();
      done++;
      win.lastProgress = t1;
      if (win.measuring) {
        measured++;
        lat.push((t1 - t0) * 1000);
      }
    }
  };
  const workers = Array.from(
    { length: o.conns },
    (_, i) => worker(i).catch((e) => win.abort(e)),
  );
  await win.run();
  await settle(workers);
  if (win.failure) throw win.failure;
  const secs = (win.end - win.start) / 1000;
  lat.sort((a, b) => a - b);
  if (measured === 0) fail(`no connection completed in the measurement window (${done} in all)`);
  return {
    mode: "hs",
    impl: impl.name,
    conns: o.conns,
    seconds: round(secs, 4),
    handshakes: measured,
    hps: round(measured / secs, 1),
    p50_us: round(percentile(lat, 0.5), 1),
    p99_us: round(percentile(lat, 0.99), 1),
    max_us: round(lat[lat.length - 1] ?? 0, 1),
    ...cpuFields(win.first!, win.last!, secs),
  };
}

// ------------------------------------------------------------------------ stream

/** As in bench/loadgen.c: byte i of the stream is PATTERN[i % PERIOD], a prime period. */
const PERIOD = 65521;

function makePattern(extra: number): Uint8Array {
  const p = new Uint8Array(PERIOD + extra);
  let x = 0x243F6A8885A308D3n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < PERIOD; i++) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    p[i] = Number(x & 0xffn);
  }
  for (let i = PERIOD; i < p.length; i++) p[i] = p[i - PERIOD] ?? 0;
  return p;
}

async function runStream(impl: ClientImpl, o: Options): Promise<Record<string, unknown>> {
  const readMax = 65536;
  const pattern = makePattern(Math.max(o.block, readMax));
  const conn = await impl.connect(o.port);
  let sent = 0, recvd = 0, recvdAtStart = 0;
  const win = new Window(o, () => {
    recvdAtStart = recvd;
  });
  const writer = async () => {
    while (!win.over) {
      const off = sent % PERIOD;
      // Counted before the write resolves: the echo of its first records can arrive first.
      sent += o.block;
      await conn.writeAll(pattern.subarray(off, off + o.block));
    }
  };
  const reader = async () => {
    const buf = new Uint8Array(readMax);
    while (!win.over) {
      const n = await conn.readSome(buf);
      if (n === 0) fail(`stream: server closed the connection after echoing ${recvd} bytes`);
      if (recvd + n > sent) fail(`stream: server echoed ${recvd + n} bytes, ${sent} were sent`);
      const off = recvd % PERIOD;
      // Buffer.compare is a native memcmp; a JavaScript loop over every byte would cost more
      // than the TLS work and make the check, not the client, the limit.
      if (Buffer.compare(buf.subarray(0, n), pattern.subarray(off, off + n)) !== 0) {
        let i = 0;
        while (buf[i] === pattern[off + i]) i++;
        fail(
          `stream: echo mismatch at stream offset ${recvd + i}: sent ${pattern[off + i]}, ` +
            `got ${buf[i]}`,
        );
      }
      recvd += n;
      win.lastProgress = performance.now();
    }
  };
  const tasks = [writer(), reader()].map((p) => p.catch((e) => win.abort(e)));
  await win.run();
  // The writer or the reader may be parked on a socket the server keeps feeding; closing it
  // ends both.
  conn.close();
  await settle(tasks);
  if (win.failure) throw win.failure;
  const secs = (win.end - win.start) / 1000;
  const bytes = recvd - recvdAtStart;
  if (bytes === 0) fail("stream: nothing echoed in the measurement window");
  return {
    mode: "stream",
    impl: impl.name,
    block: o.block,
    seconds: round(secs, 4),
    bytes,
    mbps: round(bytes / 1e6 / secs, 2),
    sent_total: sent,
    echoed_total: recvd,
    ...cpuFields(win.first!, win.last!, secs),
  };
}

// ------------------------------------------------------------------------ entry point

/** Parses the command line, runs the mode with `impls[--impl]`, prints one JSON line. */
export async function main(impls: Readonly<Record<string, () => Promise<ClientImpl>>>) {
  let opts: Options | undefined;
  try {
    const parsed = parseArgs(Deno.args);
    opts = parsed.opts;
    const make = impls[parsed.impl];
    if (!make) fail(`--impl must be one of ${Object.keys(impls).join(", ")}`);
    const o = opts;
    // Backstop for a hang no stall check sees (a connect that never completes).
    const hard = setTimeout(() => {
      console.error("LOADGEN FAILURE: hard timeout reached");
      Deno.exit(3);
    }, (o.warmup + o.duration + 2 * o.timeout + 1) * 1000);
    const impl = await make();
    const result = o.mode === "hs" ? await runHs(impl, o) : await runStream(impl, o);
    clearTimeout(hard);
    console.log(JSON.stringify(result));
    // Connections still closing or an idle pynet selector must not keep the process alive.
    Deno.exit(0);
  } catch (e) {
    const msg = e instanceof LoadgenFailure ? e.message : `${e instanceof Error ? e.stack : e}`;
    console.error(`LOADGEN FAILURE: ${msg}`);
    Deno.exit(2);
  }
}

// ------------------------------------------------------------------------ raw Deno

class DenoConn implements ClientConn {
  constructor(private readonly conn: Deno.Conn) {}
  async writeAll(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) off += await this.conn.write(data.subarray(off));
  }
  async readSome(buf: Uint8Array): Promise<number> {
    return (await this.conn.read(buf)) ?? 0;
  }
  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed (the stream's reader and writer both end on it).
    }
  }
}

/** The raw Deno implementations. */
export const RAW_IMPLS: Readonly<Record<string, () => Promise<ClientImpl>>> = {
  raw: async () => {
    const caCerts = [await Deno.readTextFile(CA_PATH)];
    return {
      name: "Deno.connectTls",
      connect: async (port) => {
        const conn = await Deno.connectTls({ hostname: SERVER_NAME, port, caCerts });
        await conn.handshake();
        return new DenoConn(conn);
      },
    };
  },
  "raw-starttls": async () => {
    const caCerts = [await Deno.readTextFile(CA_PATH)];
    return {
      name: "Deno.connect + Deno.startTls",
      connect: async (port) => {
        const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
        tcp.setNoDelay(true);
        const conn = await Deno.startTls(tcp, { hostname: SERVER_NAME, caCerts });
        await conn.handshake();
        return new DenoConn(conn);
      },
    };
  },
};

if (import.meta.main) await main(RAW_IMPLS);
