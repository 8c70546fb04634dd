/**
 * The `socketserver` benchmark: pynet's ThreadingTCPServer beside raw Deno, Node's `net` and
 * CPython's ThreadingTCPServer on three loads, and pynet's ForkingTCPServer against its
 * ThreadingTCPServer on a CPU-bound handler.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write --allow-net=127.0.0.1 \
 *   --import-map=import_map.json bench/socketserver_bench.ts
 * ```
 *
 * Part 1, echo servers pinned to core 0, bench/loadgen.c pinned to core 1:
 * - `rr`: 64-byte request/response over 50 connections, every byte checked;
 * - `stream`: 64 KiB writes streamed over one connection and echoed back. pynet's figure here
 *   is bimodal, and socketserver's own code is under 2% of the server's CPU in it: every
 *   `recv` returns new bytes, which V8 frees only in batches at its scavenges, so whether a run
 *   reuses warm heap memory or page-faults on fresh memory (glibc has trimmed the heap, or is
 *   still mapping 256 KiB read slabs apart) decides its speed. Minor faults per GB of the
 *   server tell the two apart (`/proc/PID/stat`, field 10): 0-4 thousand in a fast run, 20-60
 *   thousand in a slow one, about 1 thousand for raw Deno; the plain pynet Socket echo
 *   (servers/pynet_socket.ts) behaves the same;
 * - `churn`: 20 at a time, each connection connects, sends one 64-byte request, reads the whole
 *   echo, checks it and closes (connections/s): what a server pays per connection (accept, a
 *   handler object, setup/finish, close) rather than per byte.
 *
 * Part 2, multi-core: the same echo, but each request first spends about 2 ms of CPU in a
 * deterministic busy loop (FNV-1a over the request, `--work` rounds), over 16 connections (mode
 * `cpu`; Deno's load balancer splits a handful of connections unevenly, 2:6 of 8 was seen, and a
 * worker left with none would idle, so there are enough that each worker always has some). ForkingTCPServer with two workers against ThreadingTCPServer (one isolate). These
 * servers are allowed BOTH cores (`taskset -c 0,1`), the threading one too so that the two
 * rows differ only in the server; the loadgen stays on core 1 and so shares it with the second
 * worker, which costs little at this rate (its CPU is in the table).
 *
 * The rest is bench/_harness.ts's: fresh server per run, rotating order, idle-machine wait and
 * redo of disturbed runs, medians; `--help` lists the flags. Exit status 1 if any run failed.
 *
 * @module
 */
import {
  benchCommand,
  type BenchOptions,
  type BenchSpec,
  buildC,
  type Column,
  loadAverage,
  type LoadgenResult,
  type ModeSpec,
  otherCpu,
  parseOptions,
  pythonExecutable,
  renderTables,
  reportContext,
  ROOT,
  runContender,
  runRounds,
  type ServerSpec,
  splitList,
  takeFlags,
  withCleanup,
} from "./_harness.ts";

const COMMAND = benchCommand("bench/socketserver_bench.ts");

const USAGE = `usage: ${COMMAND} [flags]

  --servers raw,pynet,node,python     part 1: which servers, in this order (default: these;
                                      pynet only once socketserver/mod.ts exists). Also:
                                      pynet-stream (a StreamRequestHandler echo)
  --modes rr,stream,churn             part 1 modes (default: all three)
  --cpu-servers threading,forking     part 2: which servers (default: both; "none" skips
                                      part 2). Also: python-threading, python-forking
                                      (its children's CPU counts as outside load, so give
                                      it --max-other 2)
  --rounds 7                          rounds; servers alternate within each round
  --warmup 0.5 --duration 2           seconds per mode, unmeasured then measured
  --conns 50 --size 64                rr: connections and request size in bytes
  --block 65536                       stream: bytes per write
  --churn-conns 20                    churn: connections open at a time
  --cpu-conns 16                      cpu: connections
  --work 25000                        cpu: busy-loop rounds per request in the pynet servers
                                      (about 2 ms here; the table shows server µs/req)
  --py-work 480                       cpu: the same for the CPython servers (about 2 ms)
  --workers 2                         cpu: ForkingTCPServer's workers
  --timeout 10                        loadgen stall limit in seconds
  --quiet-wait 60                     wait up to this long for an idle machine before each server
  --max-other 0.15                    redo a server's runs if other processes used more cores...
  --retries 2                         ...up to this many times (then marked *, out of the medians)
  --server-core 0 --loadgen-core 1    taskset cores (part 2's servers get both, see above)
  --json FILE                         also write every run's raw result as JSON`;

const haveModule = await Deno.stat(`${ROOT}socketserver/mod.ts`).then(() => true, () => false);

const argv = [...Deno.args];
const own = takeFlags(argv, ["cpu-servers"]);

const opts = parseOptions(argv, {
  servers: haveModule ? ["raw", "pynet", "node", "python"] : ["raw", "node", "python"],
  modes: ["rr", "stream", "churn"],
  extra: {
    conns: 50,
    size: 64,
    block: 65536,
    "churn-conns": 20,
    "cpu-conns": 16,
    work: 25000,
    "py-work": 480,
    workers: 2,
  },
}, USAGE);
const { conns, size, block, workers } = opts.extra;
const churnConns = opts.extra["churn-conns"], cpuConns = opts.extra["cpu-conns"];
const work = opts.extra.work, pyWork = opts.extra["py-work"];
const cpuIds = own["cpu-servers"] === "none"
  ? []
  : own["cpu-servers"]
  ? splitList(own["cpu-servers"])
  : haveModule
  ? ["threading", "forking"]
  : [];

// ------------------------------------------------------------------------ servers

const PYTHON = await pythonExecutable();
const deno = (file: string, ...args: string[]): string[] => [
  Deno.execPath(),
  "run",
  "--quiet",
  "--allow-net=127.0.0.1",
  // ForkingTCPServer's workers load the server's module again (socketserver/mod.ts docs).
  "--allow-read",
  "--import-map=import_map.json",
  file,
  ...args,
];
const PYNET = "bench/servers/socketserver_pynet.ts";
const CPYTHON = "bench/servers/socketserver_cpython.py";

const SERVERS: ServerSpec[] = [
  { id: "raw", label: "raw Deno", cmd: deno("bench/servers/raw_deno.ts") },
  {
    id: "pynet",
    label: "pynet ThreadingTCPServer",
    cmd: deno(PYNET, "--server", "threading", "--handler", "base"),
  },
  {
    id: "pynet-stream",
    label: "pynet ThreadingTCPServer (StreamRequestHandler)",
    cmd: deno(PYNET, "--server", "threading", "--handler", "stream"),
  },
  { id: "node", label: "Node net", cmd: ["node", "bench/servers/node_net.mjs"] },
  {
    id: "python",
    label: "CPython ThreadingTCPServer",
    cmd: [PYTHON, CPYTHON, "--server", "threading"],
  },
];

const BOTH_CORES = `${opts.serverCore},${opts.loadgenCore}`;
const CPU_SERVERS: ServerSpec[] = [
  {
    id: "threading",
    label: "pynet ThreadingTCPServer",
    cmd: deno(PYNET, "--server", "threading", "--work", String(work)),
    cores: BOTH_CORES,
  },
  {
    id: "forking",
    label: `pynet ForkingTCPServer, ${workers} workers`,
    cmd: deno(PYNET, "--server", "forking", "--workers", String(workers), "--work", String(work)),
    cores: BOTH_CORES,
  },
  {
    id: "python-threading",
    label: "CPython ThreadingTCPServer",
    cmd: [PYTHON, CPYTHON, "--server", "threading", "--work", String(pyWork)],
    cores: BOTH_CORES,
  },
  {
    id: "python-forking",
    label: "CPython ForkingTCPServer (a process per connection)",
    cmd: [PYTHON, CPYTHON, "--server", "forking", "--work", String(pyWork)],
    cores: BOTH_CORES,
  },
];

const unknown = [
  ...opts.servers.filter((id) => !SERVERS.some((s) => s.id === id)),
  ...cpuIds.filter((id) => !CPU_SERVERS.some((s) => s.id === id)),
];
if (unknown.length > 0) {
  console.error(`unknown server(s): ${unknown.join(", ")}\n\n${USAGE}`);
  Deno.exit(64);
}
if (!haveModule && [...opts.servers, ...cpuIds].some((id) => !id.match(/^(raw|node|python)/))) {
  console.error("socketserver/mod.ts does not exist yet: only raw, node and python can run");
  Deno.exit(64);
}

const MODES: ModeSpec[] = [
  { id: "rr", args: ["rr", "--conns", String(conns), "--size", String(size)] },
  { id: "stream", args: ["stream", "--block", String(block)] },
  { id: "churn", args: ["churn", "--conns", String(churnConns), "--size", String(size)] },
];
const CPU_MODES: ModeSpec[] = [
  { id: "cpu", args: ["rr", "--conns", String(cpuConns), "--size", String(size)] },
];

// ------------------------------------------------------------------------ tables

const num = (key: string) => (r: LoadgenResult): number | undefined => {
  const v = r[key];
  return typeof v === "number" ? v : undefined;
};
/** Server CPU time per unit of work: `rate` units per second, in `scale` units of time. */
const serverPer = (rate: string, scale: number) => (r: LoadgenResult) => {
  const cpu = r["server_cpu"], n = r[rate];
  return typeof cpu === "number" && typeof n === "number" && n > 0 ? (cpu / n) * scale : undefined;
};
const rps: Column = { header: "req/s", mode: "rr", value: num("rps"), digits: 0 };
const mbps: Column = { header: "MB/s", mode: "stream", value: num("mbps"), digits: 0 };
const cps: Column = { header: "conn/s", mode: "churn", value: num("cps"), digits: 0 };
const cpuRps: Column = { header: "req/s", mode: "cpu", value: num("rps"), digits: 0 };
const outside = (mode: string): Column => ({
  header: `${mode} outside load`,
  mode,
  value: otherCpu,
  digits: 2,
});

const spec: BenchSpec = {
  title: "socketserver: echo servers (part 1)",
  command: COMMAND + (Deno.args.length ? ` ${Deno.args.join(" ")}` : ""),
  baseline: "raw",
  servers: SERVERS,
  modes: MODES,
  tables: [
    {
      title: `Medians: ${size}-byte request/response over ${conns} connections; ` +
        `${block / 1024} KiB-write streaming over one; churn (connect, one ${size}-byte ` +
        `request, close) ${churnConns} at a time`,
      columns: [
        rps,
        { ...rps, header: "req/s ÷ raw", ratio: true, digits: 2 },
        { header: "rr p99 µs", mode: "rr", value: num("p99_us"), digits: 0 },
        mbps,
        { ...mbps, header: "MB/s ÷ raw", ratio: true, digits: 2 },
        cps,
        { ...cps, header: "conn/s ÷ raw", ratio: true, digits: 2 },
        { ...cps, header: "conn/s ÷ CPython", ratio: true, digits: 2, baseline: "python" },
        { header: "churn p99 µs", mode: "churn", value: num("p99_us"), digits: 0 },
      ],
    },
    {
      title: "Medians: CPU (fraction of one core; µs and s are server CPU time)",
      columns: [
        { header: "rr server CPU", mode: "rr", value: num("server_cpu"), digits: 2 },
        { header: "server µs/req", mode: "rr", value: serverPer("rps", 1e6), digits: 1 },
        { header: "stream server CPU", mode: "stream", value: num("server_cpu"), digits: 2 },
        { header: "server s/GB", mode: "stream", value: serverPer("mbps", 1e3), digits: 2 },
        { header: "churn server CPU", mode: "churn", value: num("server_cpu"), digits: 2 },
        { header: "server µs/conn", mode: "churn", value: serverPer("cps", 1e6), digits: 0 },
        { header: "churn loadgen CPU", mode: "churn", value: num("client_cpu"), digits: 2 },
        outside("rr"),
        outside("stream"),
        outside("churn"),
      ],
    },
  ],
  spread: [rps, mbps, cps],
};

const cpuSpec: BenchSpec = {
  title: "socketserver: multi-core (part 2)",
  command: spec.command,
  baseline: "threading",
  servers: CPU_SERVERS,
  modes: CPU_MODES,
  tables: [
    {
      title: `Medians: ${size}-byte request/response over ${cpuConns} connections, each ` +
        `request first running a busy loop (about 2 ms of CPU); servers allowed cores ` +
        `${BOTH_CORES}, loadgen on core ${opts.loadgenCore}`,
      columns: [
        cpuRps,
        { ...cpuRps, header: "req/s ÷ threading", ratio: true, digits: 2 },
        { header: "p50 ms", mode: "cpu", value: (r) => (num("p50_us")(r) ?? NaN) / 1e3, digits: 1 },
        { header: "server CPU", mode: "cpu", value: num("server_cpu"), digits: 2 },
        { header: "server ms/req", mode: "cpu", value: serverPer("rps", 1e3), digits: 2 },
        { header: "loadgen CPU", mode: "cpu", value: num("client_cpu"), digits: 2 },
        outside("cpu"),
      ],
    },
  ],
  spread: [cpuRps],
};

// ------------------------------------------------------------------------ main

const ok = await withCleanup(async () => {
  const loadgen = await buildC("bench/loadgen.c", "bench/build/loadgen");
  const loadBefore = await loadAverage();
  const started = new Date();

  const modes = MODES.filter((m) => opts.modes.includes(m.id));
  const records = await runRounds(
    opts.servers,
    (id, round) => runContender(id, round, SERVERS.find((s) => s.id === id)!, loadgen, modes, opts),
    opts,
  );
  const cpuRecords = await runRounds(
    cpuIds,
    (id, round) =>
      runContender(id, round, CPU_SERVERS.find((s) => s.id === id)!, loadgen, CPU_MODES, opts),
    opts,
  );
  const loadAfter = await loadAverage();

  if (opts.json) {
    await Deno.writeTextFile(opts.json, JSON.stringify({ opts, records, cpuRecords }, null, 2));
  }
  const cpuOpts: BenchOptions = { ...opts, servers: cpuIds, modes: ["cpu"] };
  console.log([
    "## socketserver",
    "",
    `${started.toISOString()}: ${opts.rounds} rounds; ${opts.warmup} s warm-up + ` +
    `${opts.duration} s measured per mode; part 1: server on core ${opts.serverCore}, ` +
    `loadgen on core ${opts.loadgenCore}; part 2: servers on cores ${BOTH_CORES}; medians ` +
    `over rounds; a ratio is the median over rounds of the figure divided by the baseline's ` +
    `in the same round.`,
    "",
    await reportContext(spec.command, loadBefore, loadAfter),
    records.length ? renderTables(spec, opts, records) : "",
    cpuRecords.length ? renderTables(cpuSpec, cpuOpts, cpuRecords) : "",
  ].join("\n"));
  return [...records, ...cpuRecords].every((r) => Object.keys(r.errors).length === 0);
});
if (!ok) {
  console.error("\nSome runs FAILED (see above); their cells are medians of the rest.");
  Deno.exit(1);
}
