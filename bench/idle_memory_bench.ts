/**
 * Memory per idle connection: what a server pays for a connection whose peer sends nothing
 * (a slowloris, a keep-alive client) while the server waits on it, for pynet's
 * `recv(65536)`, `recv(4096)` and a `DefaultSelector` registration, beside raw Deno's pending
 * `conn.read()` into a 64 KiB buffer and CPython's selector.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --import-map=import_map.json --allow-run --allow-read \
 *   --allow-write --allow-net=127.0.0.1 bench/idle_memory_bench.ts
 * ```
 *
 * Each measurement is a fresh pair of processes: a worker (this script with `--worker`, or
 * python3 running {@linkcode CPYTHON_WORKER}) listens on 127.0.0.1; bench/select_peer.c opens
 * one busy connection and N idle ones to it, batch by batch (see that file), and never sends
 * on the idle ones. The worker reads its memory after accepting them all, then starts the wait
 * on every idle one, lets it settle and reads its memory again: the difference, divided by N,
 * is what one waiting idle connection costs. Deno figures come from `Deno.memoryUsage()`
 * after two forced GCs; CPython's is VmRSS. Memory does not depend on timing, so the machine
 * need not be idle.
 *
 * Flags: `--n 500` (idle connections), `--rounds 3`, `--impls` (ids of IMPLS below),
 * `--batch 100`, `--python python3`.
 *
 * @module
 */
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import { Socket } from "../socket/mod.ts";
import {
  acceptAll,
  buildC,
  lineReader,
  machineInfo,
  ROOT,
  spawnPinned,
  stopChildren,
  tail,
  withCleanup,
  withTimeout,
} from "./_harness.ts";

const COMMAND = "./tools/node_modules/.bin/deno run --import-map=import_map.json --allow-run " +
  "--allow-read --allow-write --allow-net=127.0.0.1 bench/idle_memory_bench.ts";

interface Impl {
  id: string;
  label: string;
}

const IMPLS: Impl[] = [
  { id: "raw", label: "raw Deno: pending conn.read(64 KiB buffer)" },
  { id: "recv65536", label: "pynet: pending recv(65536)" },
  { id: "recv4096", label: "pynet: pending recv(4096)" },
  { id: "selector", label: "pynet: registered in a DefaultSelector (read-ahead armed)" },
  { id: "cpython", label: "CPython: registered in selectors.DefaultSelector" },
];

const GO = new Uint8Array([0x41]);

/** Memory at one moment (bytes); CPython gives only rss. */
interface MemPoint {
  rss: number;
  heapUsed?: number;
  external?: number;
}

/**
 * What a worker prints: memory before accepting the idle connections, after, and while every
 * idle connection waits.
 */
interface WorkerResult {
  base: MemPoint;
  accepted: MemPoint;
  waiting: MemPoint;
}

// ------------------------------------------------------------------------ the Deno worker

function memPoint(): MemPoint {
  const collect = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass can leave weakly held garbage that only the second frees.
  collect?.();
  collect?.();
  const m = Deno.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

async function rawWorker(n: number, batch: number): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(String((listener.addr as Deno.NetAddr).port));
  const [busy, idle, base] = await acceptAll(
    n,
    batch,
    () => listener.accept(),
    (b) => b.write(GO),
    memPoint,
  );
  const accepted = memPoint();
  // Closing the connections at exit rejects these reads; nothing to report then.
  for (const conn of idle) conn.read(new Uint8Array(65536)).catch(() => {});
  await settle();
  const waiting = memPoint();
  console.log(JSON.stringify({ base, accepted, waiting } satisfies WorkerResult));
  for (const conn of [busy, ...idle]) conn.close();
  listener.close();
}

async function pynetWorker(kind: string, n: number, batch: number): Promise<void> {
  const listener = new Socket();
  listener.bind(["127.0.0.1", 0]);
  listener.listen(1024);
  console.log(String(listener.getsockname()[1]));
  const [busy, idle, base] = await acceptAll(
    n,
    batch,
    async () => (await listener.accept())[0],
    (b) => b.sendall(GO),
    memPoint,
  );
  const accepted = memPoint();
  using sel = new DefaultSelector();
  if (kind === "selector") {
    for (const s of idle) sel.register(s, EVENT_READ);
    // A zero-timeout select arms every registered socket's read-ahead.
    await sel.select(0);
  } else {
    const size = kind === "recv4096" ? 4096 : 65536;
    // Closing the sockets at exit rejects these recvs with EBADF; nothing to report then.
    for (const s of idle) s.recv(size).catch(() => {});
  }
  await settle();
  const waiting = memPoint();
  console.log(JSON.stringify({ base, accepted, waiting } satisfies WorkerResult));
  for (const s of [busy, ...idle]) s.close();
  listener.close();
}

/** The CPython worker: the same protocol, idle sockets registered in a DefaultSelector. */
const CPYTHON_WORKER = `
import json, selectors, socket, sys
n, batch = int(sys.argv[1]), int(sys.argv[2])
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
srv = socket.create_server(("127.0.0.1", 0), backlog=1024)
print(srv.getsockname()[1], flush=True)
busy, _ = srv.accept()
busy.sendall(b"A")
base = rss()
idle = []
while len(idle) < n:
    for _ in range(min(batch, n - len(idle))):
        idle.append(srv.accept()[0])
    busy.sendall(b"A")
accepted = rss()
sel = selectors.DefaultSelector()
for s in idle:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
sel.select(0)
print(json.dumps({"base": {"rss": base}, "accepted": {"rss": accepted},
                  "waiting": {"rss": rss()}}), flush=True)
for s in [busy, *idle]:
    s.close()
`;

// ------------------------------------------------------------------------ the orchestrator

interface Options {
  n: number;
  rounds: number;
  batch: number;
  impls: Impl[];
  python: string;
}

function parseArgs(args: string[]): Options {
  const opts: Options = { n: 500, rounds: 3, batch: 100, impls: IMPLS, python: "python3" };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`usage: ${COMMAND} [--n 500] [--rounds 3] ...`);
    if (flag === "--n") opts.n = Number(value);
    else if (flag === "--rounds") opts.rounds = Number(value);
    else if (flag === "--batch") opts.batch = Number(value);
    else if (flag === "--python") opts.python = value;
    else if (flag === "--impls") {
      opts.impls = value.split(",").map((id) => {
        const impl = IMPLS.find((i) => i.id === id);
        if (!impl) throw new Error(`unknown impl ${id}: ${IMPLS.map((i) => i.id).join(",")}`);
        return impl;
      });
    } else throw new Error(`unknown flag ${flag}`);
  }
  return opts;
}

async function runOne(impl: Impl, opts: Options, peerPath: string): Promise<WorkerResult> {
  const params = [String(opts.n), String(opts.batch)];
  const argv = impl.id === "cpython" ? [opts.python, "-c", CPYTHON_WORKER, ...params] : [
    Deno.execPath(),
    "run",
    "--v8-flags=--expose-gc",
    `--import-map=${ROOT}import_map.json`,
    "--allow-net=127.0.0.1",
    `${ROOT}bench/idle_memory_bench.ts`,
    "--worker",
    impl.id,
    ...params,
  ];
  const worker = spawnPinned(0, argv);
  const workerErr = tail(worker.stderr);
  const nextLine = lineReader(worker.stdout);
  let peer: Deno.ChildProcess | null = null;
  try {
    const port = Number(await withTimeout(nextLine(), 60_000, `${impl.id} port`));
    if (!Number.isInteger(port) || port <= 0) throw new Error(`${impl.id}: no port`);
    peer = spawnPinned(1, [peerPath, String(port), String(opts.n), String(opts.batch)]);
    const line = await withTimeout(nextLine(), 120_000, `${impl.id} result`);
    if (line === null) throw new Error(`${impl.id} exited without a result: ${workerErr()}`);
    return JSON.parse(line) as WorkerResult;
  } finally {
    await stopChildren([worker, peer]);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(opts: Options): Promise<void> {
  const peerPath = await buildC("bench/select_peer.c", "bench/build/select_peer");
  const results = new Map<string, WorkerResult[]>();
  for (let round = 0; round < opts.rounds; round++) {
    for (const impl of opts.impls) {
      console.error(`round ${round + 1}/${opts.rounds}: ${impl.id}, N=${opts.n}`);
      const result = await runOne(impl, opts, peerPath);
      results.set(impl.id, [...(results.get(impl.id) ?? []), result]);
    }
  }
  const perConn = (runs: WorkerResult[], key: keyof MemPoint, from: "base" | "accepted") => {
    if (runs.some((r) => r.waiting[key] === undefined)) return "";
    const kib = median(runs.map((r) => (r.waiting[key]! - r[from][key]!) / opts.n / 1024));
    return kib.toFixed(1);
  };
  const lines = [
    "## Memory per idle connection",
    "",
    await machineInfo(),
    "",
    `N = ${opts.n} idle connections (peer: bench/select_peer.c, another process), ` +
    `${opts.rounds} rounds, medians; per connection, KiB = 1,024 bytes. _Waiting_: while ` +
    "every idle connection waits, minus after accepting them; _whole connection_: the same " +
    "minus before accepting them (the runtime's own share included). Kernel socket buffers " +
    "are in no process's RSS.",
    "",
    "| waiting how | waiting: RSS KiB | V8 heap KiB | external KiB | whole connection: RSS KiB |",
    "| :-- | --: | --: | --: | --: |",
    ...opts.impls.map((impl) => {
      const runs = results.get(impl.id)!;
      return `| ${impl.label} | ${perConn(runs, "rss", "accepted")} | ${
        perConn(runs, "heapUsed", "accepted")
      } | ${perConn(runs, "external", "accepted")} | ${perConn(runs, "rss", "base")} |`;
    }),
    "",
    "```sh",
    `${COMMAND} --n ${opts.n} --rounds ${opts.rounds}`,
    "```",
  ];
  console.log(lines.join("\n"));
}

if (Deno.args[0] === "--worker") {
  const [, kind, n, batch] = Deno.args;
  if (kind === "raw") await rawWorker(Number(n), Number(batch));
  else await pynetWorker(kind!, Number(n), Number(batch));
} else {
  await withCleanup(() => main(parseArgs(Deno.args)));
}
