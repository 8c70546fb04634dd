/**
 * The `select` / `selectors` benchmark: how long one busy socket takes to wake its process
 * while N idle sockets stay registered, for pynet's `DefaultSelector`, `poll()` and `select()`
 * beside CPython's `selectors.DefaultSelector`, `select.poll` and `select.select`, in one run.
 * Also: pynet's memory per idle registered socket, and select() past FD_SETSIZE.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --import-map=import_map.json --allow-run --allow-read \
 *   --allow-write --allow-net=127.0.0.1 --allow-env --allow-sys bench/select_bench.ts
 * ```
 *
 * Each measurement is a fresh pair of processes: a worker (this script with `--worker`, or
 * bench/select_cpython.py) pinned to core 0 listens on 127.0.0.1; bench/select_peer.c,
 * pinned to core 1, opens one busy and N idle connections to it. The worker registers all
 * N + 1 accepted sockets for reading, then, again and again, sends one byte on the busy
 * connection (the peer echoes it at once) and times the span from that send until its
 * select()/poll() reports the busy socket readable; then it recv()s the byte. A reference row
 * does the same on Deno's own connections without pynet (each idle one with a pending read),
 * which is the floor for anything built on Deno here.
 *
 * In-process mode (`deno-raw-inproc`, `pynet-selector-inproc`, `pynet-selector-inproc-timed`):
 * no peer; the worker opens the N + 1 client connections itself (Deno's connections),
 * registers the server ends, and times the span from its client's write on the busy
 * connection until the wait reports the server end readable. Its reference row gives every
 * server end a pending read that, once it resolves, puts the connection in a ready queue and
 * wakes the waiter: Deno's own floor for a selector whose client is in the same process. Its waits have no timeout, and neither have
 * `pynet-selector-inproc`'s (`select()`); `pynet-selector-inproc-timed` waits with `select(5)`.
 *
 * The order of the implementations rotates every round; samples of all rounds are pooled.
 * Memory is read in separate runs (forced GCs would disturb the timed ones). The machine may
 * be shared: each measurement waits for it to be idle, and is redone when something else ran
 * during it (from /proc/stat, minus the CPU time of the worker, the peer and this process).
 *
 * Flags (`--help`): `--rounds 5`, `--iters 2000`, `--warmup 200`, `--counts 10,100,1000,5000`,
 * `--impls` (ids of IMPLS below), `--batch 100`, `--timeout 300` (seconds per measurement),
 * `--settle 500` (ms between measurements), `--quiet-wait 120`, `--max-other 0.25`,
 * `--retries 3`, `--python python3`, `--out bench/select_results.md` (`--out -`: stdout only),
 * `--json FILE` (every run's samples and figures).
 *
 * @module
 */
import {
  buildC,
  lineReader,
  machineInfo,
  ROOT,
  spawnPinned,
  stopChildren,
  tail,
  waitQuiet,
  withCleanup,
  withTimeout,
} from "./_harness.ts";
import process from "node:process";
import {
  COMMAND,
  type Impl,
  IMPLS,
  type Options,
  type Run,
  type WorkerResult,
} from "./_select_shared.ts";
import { fmt, medianOf, render } from "./_select_report.ts";
import { runWorker } from "./_select_worker.ts";

// ------------------------------------------------------------------------ the orchestrator

const USAGE = `usage: ${COMMAND} [--rounds 5] [--iters 2000] [--warmup 200]
  [--counts 10,100,1000,5000] [--impls ${IMPLS.map((i) => i.id).join(",")}]
  [--batch 100] [--timeout 300] [--settle 500]
  [--quiet-wait 120] [--max-other 0.25] [--retries 3] [--python python3] [--out bench/select_results.md | --out -] [--json FILE]`;

function parseArgs(args: readonly string[]): Options {
  const opts: Options = {
    rounds: 5,
    iters: 2000,
    warmup: 200,
    counts: [10, 100, 1000, 5000],
    impls: [...IMPLS],
    batch: 100,
    timeout: 300,
    settle: 500,
    quietWait: 120,
    maxOther: 0.25,
    retries: 3,
    python: "python3",
    out: "bench/select_results.md",
    json: null,
  };
  const bad = (msg: string): never => {
    console.error(`${msg}\n\n${USAGE}`);
    Deno.exit(64);
  };
  const int = (name: string, v: string, min: number): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) bad(`bad value for --${name}: ${v}`);
    return x;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    }
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(2, eq) : flag.slice(2);
    const value = eq >= 0 ? flag.slice(eq + 1) : args[++i];
    if (!flag.startsWith("--") || value === undefined) return bad(`bad argument: ${flag}`);
    const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    switch (name) {
      case "rounds":
        opts.rounds = int(name, value, 1);
        break;
      case "iters":
        opts.iters = int(name, value, 1);
        break;
      case "warmup":
        opts.warmup = int(name, value, 0);
        break;
      case "batch":
        opts.batch = int(name, value, 1);
        break;
      case "timeout":
        opts.timeout = int(name, value, 1);
        break;
      case "settle":
        opts.settle = int(name, value, 0);
        break;
      case "quiet-wait":
        opts.quietWait = int(name, value, 0);
        break;
      case "retries":
        opts.retries = int(name, value, 0);
        break;
      case "max-other": {
        const x = Number(value);
        if (!(x >= 0)) bad(`bad value for --max-other: ${value}`);
        opts.maxOther = x;
        break;
      }
      case "counts":
        opts.counts = list.map((v) => int(name, v, 1)).sort((a, b) => a - b);
        break;
      case "impls":
        opts.impls = list.map((id) => IMPLS.find((x) => x.id === id) ?? bad(`unknown impl ${id}`));
        break;
      case "python":
        opts.python = value;
        break;
      case "out":
        opts.out = value;
        break;
      case "json":
        opts.json = value;
        break;
      default:
        bad(`unknown flag --${name}`);
    }
  }
  return opts;
}

async function machineCpu(): Promise<{ busy: number; total: number }> {
  // Through cat: Deno reads /proc/stat only with --allow-all.
  const out = await new Deno.Command("cat", { args: ["/proc/stat"], stderr: "null" }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n", 1)[0] ?? "";
  // "cpu user nice system idle iowait irq softirq steal": all cores, in USER_HZ (100) ticks.
  const v = line.split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0) / 100;
  return { busy: total - ((v[3] ?? 0) + (v[4] ?? 0)) / 100, total };
}

async function runOne(
  impl: Impl,
  n: number,
  opts: Options,
  peerPath: string,
  memory: boolean,
): Promise<[WorkerResult, number | undefined]> {
  const params = [
    impl.kind,
    String(n),
    String(opts.iters),
    String(opts.warmup),
    String(opts.batch),
  ];
  const argv = impl.runtime === "deno"
    ? [
      Deno.execPath(),
      "run",
      // Forced collections make the memory figures exact, but they also compact the heap the
      // timed loop then runs on; latency runs go without them.
      ...(memory ? ["--v8-flags=--expose-gc"] : []),
      `--import-map=${ROOT}import_map.json`,
      "--allow-net=127.0.0.1",
      `${ROOT}bench/select_bench.ts`,
      "--worker",
      ...params,
    ]
    : [opts.python, `${ROOT}bench/select_cpython.py`, ...params];
  // Whatever the machine did during the run beyond the worker, the peer and this process is
  // outside load (another benchmark, a build): the figure would not be comparable.
  const cpu0 = await machineCpu();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  const worker = spawnPinned(0, argv);
  const workerErr = tail(worker.stderr);
  const nextLine = lineReader(worker.stdout);
  let peer: Deno.ChildProcess | null = null;
  let peerErr = () => "";
  const failure = (what: string) =>
    new Error(
      `${impl.id} N=${n}: ${what}\nworker stderr:\n${workerErr()}\npeer stderr:\n${peerErr()}`,
    );
  try {
    const limit = opts.timeout * 1000;
    const portLine = await withTimeout(nextLine(), 60_000, `${impl.id} port`);
    const port = Number(portLine);
    let peerOut = () => '{"cpuUs":0}';
    if (!impl.inproc) {
      // In-process mode: the worker opens its connections itself, and prints 0.
      if (!Number.isInteger(port) || port <= 0) throw failure(`printed ${portLine}, not a port`);
      peer = spawnPinned(1, [peerPath, String(port), String(n), String(opts.batch)]);
      peerErr = tail(peer.stderr);
      peerOut = tail(peer.stdout);
    }
    const line = await withTimeout(nextLine(), limit, `${impl.id} N=${n}`);
    if (line === null) {
      const status = await worker.status;
      throw failure(`worker exited (code ${status.code}) without a result`);
    }
    const result = JSON.parse(line) as WorkerResult;
    const status = await withTimeout(worker.status, 30_000, `${impl.id} exit`);
    if (!status.success) throw failure(`worker exited with code ${status.code}`);
    if (peer) await withTimeout(peer.status, 30_000, `peer of ${impl.id} exit`);
    const cpu1 = await machineCpu();
    const self = process.cpuUsage(self0);
    const wall = (performance.now() - wall0) / 1000;
    const peerCpu = (JSON.parse(peerOut().trim() || "{}") as { cpuUs?: number }).cpuUs;
    if (result.cpuTotal === undefined || peerCpu === undefined) return [result, undefined];
    const ours = (result.cpuTotal + peerCpu + self.user + self.system) / 1e6;
    return [result, Math.max(0, cpu1.busy - cpu0.busy - ours) / wall];
  } catch (e) {
    if (e instanceof Error && !e.message.includes("worker stderr")) {
      throw failure(e.message);
    }
    throw e;
  } finally {
    await stopChildren([worker, peer]);
  }
}

async function orchestrate(opts: Options): Promise<boolean> {
  const peerPath = await buildC("bench/select_peer.c", "bench/build/select_peer");
  // A pyenv shim runs a few shell processes before Python starts: their CPU time would count
  // as outside load, and their start-up is not what is measured.
  const exe = await new Deno.Command(opts.python, {
    args: ["-c", "import sys; print(sys.executable)"],
    stderr: "inherit",
  }).output();
  const python = new TextDecoder().decode(exe.stdout).trim();
  if (!exe.success || python === "") throw new Error(`${opts.python} did not run`);
  opts = { ...opts, python };
  const info = `${await machineInfo()}\n- ${new Date().toISOString().slice(0, 10)}`;
  const runs: Run[] = [];
  const memRuns: Run[] = [];
  const failures: Run[] = [];
  const maxN = opts.counts[opts.counts.length - 1]!;
  const denoImpls = opts.impls.filter((i) => i.runtime === "deno");
  const total = opts.rounds * (opts.counts.length * opts.impls.length + denoImpls.length);
  let done = 0;
  let redone = 0;
  const measure = async (round: number, impl: Impl, n: number, memory: boolean) => {
    if (opts.settle > 0) await new Promise((resolve) => setTimeout(resolve, opts.settle));
    const started = performance.now();
    const tag = `round ${round + 1}, N=${n}, ${impl.id}${memory ? " (memory)" : ""}`;
    let result: WorkerResult;
    let other: number | undefined;
    let attempts = 0;
    for (;;) {
      attempts++;
      await waitQuiet(opts);
      try {
        [result, other] = await runOne(impl, n, opts, peerPath, memory);
      } catch (e) {
        result = { error: e instanceof Error ? e.message : String(e) };
        failures.push({ round, impl: impl.id, n, result, seconds: 0 });
        console.error(`[${++done}/${total}] FAILED ${tag}:\n${result.error}`);
        return;
      }
      if (other === undefined || other <= opts.maxOther || attempts > opts.retries) break;
      redone++;
      console.error(`${tag}: ${other.toFixed(2)} cores of outside load; measuring again`);
    }
    const seconds = (performance.now() - started) / 1000;
    const run: Run = { round, impl: impl.id, n, result, seconds, attempts };
    (memory ? memRuns : runs).push(other === undefined ? run : { ...run, other });
    const what = result.samples
      ? `median ${fmt(medianOf(result.samples))} µs, CPU ${fmt(result.cpuPerIter ?? NaN)} µs`
      : `error: ${result.error}`;
    const load = other === undefined ? "" : `, outside load ${fmt(other, 2)} cores`;
    console.error(`[${++done}/${total}] ${tag}: ${what} (${fmt(seconds)} s${load})`);
  };
  for (let round = 0; round < opts.rounds; round++) {
    // Rotating the order spreads any slow phase of the machine over every implementation.
    const order = opts.impls.map((_, i) => opts.impls[(i + round) % opts.impls.length]!);
    for (const n of opts.counts) {
      for (const impl of order) await measure(round, impl, n, false);
    }
    for (const impl of denoImpls) await measure(round, impl, maxN, true);
  }
  const kept = [...runs, ...memRuns].flatMap((r) => r.other ?? []);
  const loadNote = `Outside load: before each measurement the harness waited for an idle ` +
    `machine (under ${opts.maxOther} busy cores), and redid a measurement (up to ` +
    `${opts.retries} times) when other processes used more than that during it; ${redone} ` +
    `were redone; the largest outside load left in a kept measurement was ` +
    `${fmt(Math.max(0, ...kept), 2)} cores (median ${fmt(medianOf(kept), 2)}).`;
  const report = render(opts, runs, memRuns, failures, `${info}\n\n${loadNote}`);
  console.log(report);
  if (opts.out !== "-") {
    const path = opts.out.startsWith("/") ? opts.out : `${ROOT}${opts.out}`;
    await Deno.writeTextFile(path, report);
    // The repository checks Markdown with deno fmt, which pads the tables.
    const fmtRun = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] })
      .output();
    if (!fmtRun.success) console.error(`deno fmt ${opts.out} failed; the file is unformatted`);
  }
  if (opts.json) {
    await Deno.writeTextFile(opts.json, JSON.stringify({ runs, memRuns, failures }, null, 1));
  }
  return failures.length === 0;
}

// ------------------------------------------------------------------------ entry point

if (import.meta.main) {
  const args = Deno.args;
  if (args[0] === "--worker") {
    await runWorker(args.slice(1));
    // Closed sockets may leave cancelled reads settling; nothing else remains to do.
    Deno.exit(0);
  }
  const opts = parseArgs(args);
  const ok = await withCleanup(() => orchestrate(opts));
  Deno.exit(ok ? 0 : 1);
}
