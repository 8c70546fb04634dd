/**
 * The `ssl` benchmark: TLS handshakes per second and TLS echo throughput, with the server
 * side and the client side measured separately, alternating implementations, medians.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write --allow-net=127.0.0.1 \
 *   --import-map=import_map.json bench/ssl_bench.ts [--servers raw,python,pynet,c]
 * ```
 *
 * Servers (part 1): each TLS echo server (bench/servers/tls_*) runs pinned to core 0 and is
 * driven by bench/ssl_loadgen.c (system OpenSSL, TLS 1.3 only, verifying tests/certs/ca.pem and
 * the name localhost) pinned to core 1:
 * - `hs`: 8 connections, each again and again: connect, full handshake, 1 byte out, the 1-byte
 *   echo back and checked, close_notify, close. The loadgen ACKs what it has received as soon
 *   as it waits for the echo (TCP_QUICKACK), so a server that leaves Nagle on is not held by
 *   the client kernel's 40 ms delayed-ACK timer;
 * - `hs-plain`: the same without that, as a plain client behaves;
 * - `stream`: one connection, 64 KiB writes streamed and echoed, every byte checked.
 *
 * Clients (part 2): each client implementation (bench/ssl_client_*.{ts,py}, and the C loadgen
 * as the ceiling) runs pinned to core 1 against one fixed server pinned to core 0 (default:
 * the C OpenSSL server, which has TCP_NODELAY and so never holds a client's echo back), with
 * the same `hs` (no ACK trick here: the client is what is measured) and `stream` patterns.
 * The ratio baseline is `raw-starttls` (Deno.connect, setNoDelay, Deno.startTls): a conn from
 * `Deno.connectTls` cannot turn Nagle off, and its every connection waits about 40 ms for a
 * delayed ACK (its row shows it), which no layer above it can change.
 *
 * Every run starts a fresh server; the order rotates each round; before each run the harness
 * waits for an idle machine and redoes runs disturbed by outside load (bench/_harness.ts's
 * round loop, as for bench/socket_bench.ts; only the two-part report is this script's own).
 * `--help` lists the flags. Exit status 1 if any run failed (a failure is printed in full; it
 * never yields a figure).
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

const COMMAND = benchCommand("bench/ssl_bench.ts");

const USAGE = `usage: ${COMMAND} [flags]

  --servers raw,python,pynet,pynet-accept,c
                                     part 1: which servers, in this order (default: these;
                                     the pynet ones only once ssl/mod.ts exists). Also:
                                     python-threads, python-asyncio, pynet-into (recvInto)
  --modes hs,hs-plain,stream        part 1 modes (default: all three)
  --clients c,raw,raw-starttls,python,pynet,pynet-into
                                     part 2: which clients (default: all; the pynet ones only
                                     once ssl/mod.ts exists); "none" skips part 2. Also:
                                     python-selectors (hs from one thread)
  --client-modes hs,stream           part 2 modes (default: both)
  --client-server c                  part 2's fixed server: any server id above (default c)
  --client-baseline raw-starttls     part 2's ratio baseline (default raw-starttls: see below)
  --rounds 5                         rounds; implementations alternate within each round
  --warmup 0.5 --duration 2          seconds per mode, unmeasured then measured
  --conns 8                          hs: concurrent connections
  --block 65536                      stream: bytes per write
  --timeout 10                       loadgen stall limit in seconds
  --quiet-wait 60                    wait up to this long for an idle machine before each run
  --max-other 0.15                   redo a run if other processes used more cores...
  --retries 2                        ...up to this many times (then marked *, out of the medians)
  --server-core 0 --loadgen-core 1   taskset cores
  --json FILE                        also write every run's raw result as JSON`;

const SSL_MOD = `${ROOT}ssl/mod.ts`;
const haveSsl = await Deno.stat(SSL_MOD).then(() => true, () => false);

// ------------------------------------------------------------------------ command line

const argv = [...Deno.args];
const own = takeFlags(argv, ["clients", "client-modes", "client-server", "client-baseline"]);

const PYTHON = await pythonExecutable();

// ------------------------------------------------------------------------ servers

const denoServer = (file: string): string[] => [
  Deno.execPath(),
  "run",
  "--quiet",
  "--allow-net=127.0.0.1",
  "--allow-read=tests/certs",
  "--import-map=import_map.json",
  file,
];

const SERVERS: ServerSpec[] = [
  {
    id: "raw",
    label: "raw Deno (Deno.listenTls)",
    cmd: denoServer("bench/servers/tls_raw_deno.ts"),
  },
  {
    id: "python",
    label: "CPython ssl (selectors)",
    cmd: [PYTHON, "bench/servers/tls_cpython.py", "--impl", "selectors"],
  },
  { id: "pynet", label: "pynet ssl", cmd: denoServer("bench/servers/tls_pynet.ts") },
  {
    id: "pynet-into",
    label: "pynet ssl (recvInto)",
    cmd: [...denoServer("bench/servers/tls_pynet.ts"), "--recv-into"],
  },
  {
    id: "pynet-accept",
    label: "pynet ssl (handshake inside accept())",
    cmd: [...denoServer("bench/servers/tls_pynet.ts"), "--handshake-in-accept"],
  },
  {
    id: "c",
    label: "C OpenSSL epoll (calibration)",
    // Built by buildSsl below, against the system OpenSSL.
    cmd: ["bench/build/tls_c_openssl"],
  },
  {
    id: "python-threads",
    label: "CPython ssl (thread per connection)",
    cmd: [PYTHON, "bench/servers/tls_cpython.py", "--impl", "threads"],
  },
  {
    id: "python-asyncio",
    label: "CPython ssl (asyncio streams)",
    cmd: [PYTHON, "bench/servers/tls_cpython.py", "--impl", "asyncio"],
  },
];
const DEFAULT_SERVERS = [
  "raw",
  "python",
  ...(haveSsl ? ["pynet", "pynet-into", "pynet-accept"] : []),
  "c",
];

// ------------------------------------------------------------------------ clients

/** A client under test: a program taking `<mode> [--conns N] [--block B]` plus the harness's
 * --port/--server-pid/--warmup/--duration/--timeout, printing the loadgen's JSON. */
interface ClientSpec {
  readonly id: string;
  readonly label: string;
  readonly program: string;
  readonly args: readonly string[];
}

const LOADGEN = "bench/build/ssl_loadgen";
const denoClient = (file: string, impl: string): ClientSpec["args"] => [
  "run",
  "--quiet",
  "--allow-net=127.0.0.1,localhost",
  "--allow-read=tests/certs",
  "--allow-run=cat",
  "--import-map=import_map.json",
  `${ROOT}${file}`,
  "--impl",
  impl,
];

const CLIENTS: ClientSpec[] = [
  {
    id: "c",
    label: "C OpenSSL loadgen (ceiling)",
    program: `${ROOT}${LOADGEN}`,
    args: ["--ca", `${ROOT}tests/certs/ca.pem`],
  },
  {
    id: "raw",
    label: "raw Deno (Deno.connectTls)",
    program: Deno.execPath(),
    args: denoClient("bench/ssl_client_deno.ts", "raw"),
  },
  {
    id: "raw-starttls",
    label: "raw Deno (connect + setNoDelay + startTls)",
    program: Deno.execPath(),
    args: denoClient("bench/ssl_client_deno.ts", "raw-starttls"),
  },
  {
    id: "python",
    label: "CPython ssl (threads)",
    program: PYTHON,
    args: [`${ROOT}bench/ssl_client_cpython.py`, "--impl", "threads"],
  },
  {
    id: "pynet",
    label: "pynet ssl",
    program: Deno.execPath(),
    args: denoClient("bench/ssl_client_pynet.ts", "pynet"),
  },
  {
    id: "pynet-into",
    label: "pynet ssl (recvInto)",
    program: Deno.execPath(),
    args: denoClient("bench/ssl_client_pynet.ts", "pynet-into"),
  },
  {
    id: "python-selectors",
    label: "CPython ssl (selectors)",
    program: PYTHON,
    args: [`${ROOT}bench/ssl_client_cpython.py`, "--impl", "selectors"],
  },
];
const DEFAULT_CLIENTS = [
  "c",
  "raw",
  "raw-starttls",
  "python",
  ...(haveSsl ? ["pynet", "pynet-into"] : []),
];

// ------------------------------------------------------------------------ options

const opts = parseOptions(argv, {
  servers: DEFAULT_SERVERS,
  modes: ["hs", "hs-plain", "stream"],
  extra: { conns: 8, block: 65536 },
}, USAGE);
if (!argv.includes("--rounds") && !argv.some((a) => a.startsWith("--rounds="))) opts.rounds = 5;
const { conns, block } = opts.extra;
const clientIds = own["clients"] === "none"
  ? []
  : splitList(own["clients"] ?? DEFAULT_CLIENTS.join());
const clientModeIds = splitList(own["client-modes"] ?? "hs,stream");
const clientServerId = own["client-server"] ?? "c";
const clientBaseline = own["client-baseline"] ?? "raw-starttls";

function usageError(msg: string): never {
  console.error(`${msg}\n\n${USAGE}`);
  Deno.exit(64);
}
for (const id of opts.servers) {
  if (!SERVERS.some((s) => s.id === id)) usageError(`unknown server ${id}`);
}
for (const id of clientIds) {
  if (!CLIENTS.some((c) => c.id === id)) usageError(`unknown client ${id}`);
}
const fixedServer = SERVERS.find((s) => s.id === clientServerId) ??
  usageError(`unknown --client-server ${clientServerId}`);
if (
  !haveSsl &&
  [...opts.servers, ...clientIds, clientServerId].some((id) => id.startsWith("pynet"))
) {
  usageError("pynet needs ssl/mod.ts, which does not exist yet");
}

const SERVER_MODES: ModeSpec[] = [
  { id: "hs", args: ["hs", "--conns", String(conns), "--quickack", "1"] },
  { id: "hs-plain", args: ["hs", "--conns", String(conns), "--quickack", "0"] },
  { id: "stream", args: ["stream", "--block", String(block)] },
].map((m) => ({ ...m, args: [...m.args, "--ca", `${ROOT}tests/certs/ca.pem`] }));
for (const id of opts.modes) {
  if (!SERVER_MODES.some((m) => m.id === id)) usageError(`unknown mode ${id}`);
}
const CLIENT_MODES: ModeSpec[] = [
  { id: "hs", args: ["hs", "--conns", String(conns)] },
  { id: "stream", args: ["stream", "--block", String(block)] },
];
for (const id of clientModeIds) {
  if (!CLIENT_MODES.some((m) => m.id === id)) usageError(`unknown client mode ${id}`);
}

// ------------------------------------------------------------------------ tables

const num = (key: string) => (r: LoadgenResult): number | undefined => {
  const v = r[key];
  return typeof v === "number" ? v : undefined;
};
const ms = (key: string) => (r: LoadgenResult): number | undefined => {
  const v = r[key];
  return typeof v === "number" ? v / 1000 : undefined;
};
const perHs = (cpuKey: string) => (r: LoadgenResult): number | undefined => {
  const cpu = r[cpuKey], rate = r["hps"];
  return typeof cpu === "number" && typeof rate === "number" && rate > 0
    ? (cpu / rate) * 1e6
    : undefined;
};
const perGB = (cpuKey: string) => (r: LoadgenResult): number | undefined => {
  const cpu = r[cpuKey], rate = r["mbps"];
  return typeof cpu === "number" && typeof rate === "number" && rate > 0
    ? cpu / (rate / 1000)
    : undefined;
};

/** Work per CPU-second of one side (a rate over that side's CPU) against the baseline's:
 * higher is cheaper. */
const perCpuRatio = (header: string, mode: string, rateKey: string, cpuKey: string): Column => ({
  header,
  mode,
  value: (r) => {
    const rate = r[rateKey], cpu = r[cpuKey];
    return typeof rate === "number" && typeof cpu === "number" && cpu > 0 ? rate / cpu : undefined;
  },
  digits: 2,
  ratio: true,
});

const outsideLoad: Column[] = [
  { header: "hs outside load", mode: "hs", value: otherCpu, digits: 2 },
  { header: "stream outside load", mode: "stream", value: otherCpu, digits: 2 },
];
const hps: Column = { header: "hs/s", mode: "hs", value: num("hps"), digits: 0 };
const mbps: Column = { header: "MB/s", mode: "stream", value: num("mbps"), digits: 0 };

const serverSpec: BenchSpec = {
  title: "ssl: TLS echo servers (part 1)",
  command: COMMAND + (Deno.args.length ? ` ${Deno.args.join(" ")}` : ""),
  baseline: "raw",
  servers: SERVERS,
  modes: SERVER_MODES,
  tables: [
    {
      title: `Servers, medians: handshakes/s over ${conns} connections (hs: the loadgen ACKs ` +
        `at once; hs-plain: it does not), ${block / 1024} KiB-write TLS echo over one. ` +
        `"per CPU" ratios compare the server's work per second of its own CPU`,
      columns: [
        hps,
        { ...hps, header: "hs/s ÷ raw", ratio: true, digits: 2 },
        perCpuRatio("hs per server CPU-s ÷ raw", "hs", "hps", "server_cpu"),
        { header: "p50 ms", mode: "hs", value: ms("p50_us"), digits: 1 },
        { header: "p99 ms", mode: "hs", value: ms("p99_us"), digits: 1 },
        { header: "hs/s (hs-plain)", mode: "hs-plain", value: num("hps"), digits: 0 },
        { header: "p50 ms (hs-plain)", mode: "hs-plain", value: ms("p50_us"), digits: 1 },
        mbps,
        { ...mbps, header: "MB/s ÷ raw", ratio: true, digits: 2 },
        perCpuRatio("MB per server CPU-s ÷ raw", "stream", "mbps", "server_cpu"),
      ],
    },
    {
      title: "Servers, medians: CPU (fraction of one core; µs and s are CPU time)",
      columns: [
        { header: "hs server CPU", mode: "hs", value: num("server_cpu"), digits: 2 },
        { header: "hs loadgen CPU", mode: "hs", value: num("client_cpu"), digits: 2 },
        { header: "server µs/hs", mode: "hs", value: perHs("server_cpu"), digits: 0 },
        { header: "loadgen µs/hs", mode: "hs", value: perHs("client_cpu"), digits: 0 },
        { header: "stream server CPU", mode: "stream", value: num("server_cpu"), digits: 2 },
        { header: "stream loadgen CPU", mode: "stream", value: num("client_cpu"), digits: 2 },
        { header: "server s/GB", mode: "stream", value: perGB("server_cpu"), digits: 2 },
        { header: "loadgen s/GB", mode: "stream", value: perGB("client_cpu"), digits: 2 },
        ...outsideLoad,
      ],
    },
  ],
  spread: [
    hps,
    { header: "hs/s (hs-plain)", mode: "hs-plain", value: num("hps"), digits: 0 },
    mbps,
  ],
};

const clientSpec: BenchSpec = {
  title: "ssl: TLS clients (part 2)",
  command: serverSpec.command,
  baseline: clientBaseline,
  servers: CLIENTS.map((c) => ({ id: c.id, label: c.label, cmd: [c.program, ...c.args] })),
  modes: CLIENT_MODES,
  tables: [
    {
      title: `Clients against ${fixedServer.label}, medians: handshakes/s over ${conns} ` +
        `connections, ${block / 1024} KiB-write TLS echo over one; ratios to ${clientBaseline}`,
      columns: [
        hps,
        { ...hps, header: `hs/s ÷ ${clientBaseline}`, ratio: true, digits: 2 },
        perCpuRatio(`hs per client CPU-s ÷ ${clientBaseline}`, "hs", "hps", "client_cpu"),
        { header: "p50 ms", mode: "hs", value: ms("p50_us"), digits: 1 },
        mbps,
        { ...mbps, header: `MB/s ÷ ${clientBaseline}`, ratio: true, digits: 2 },
        perCpuRatio(`MB per client CPU-s ÷ ${clientBaseline}`, "stream", "mbps", "client_cpu"),
      ],
    },
    {
      title: "Clients, medians: CPU (fraction of one core; µs and s are CPU time)",
      columns: [
        { header: "hs client CPU", mode: "hs", value: num("client_cpu"), digits: 2 },
        { header: "hs server CPU", mode: "hs", value: num("server_cpu"), digits: 2 },
        { header: "client µs/hs", mode: "hs", value: perHs("client_cpu"), digits: 0 },
        { header: "stream client CPU", mode: "stream", value: num("client_cpu"), digits: 2 },
        { header: "stream server CPU", mode: "stream", value: num("server_cpu"), digits: 2 },
        { header: "client s/GB", mode: "stream", value: perGB("client_cpu"), digits: 2 },
        ...outsideLoad,
      ],
    },
  ],
  spread: [hps, mbps],
};

// ------------------------------------------------------------------------ main

const buildSsl = (src: string, out: string) =>
  buildC(
    src,
    out,
    ["-lssl", "-lcrypto"],
    "the OpenSSL headers: /usr/include/openssl/ssl.h, Debian package libssl-dev",
  );

const ok = await withCleanup(async () => {
  const loadgen = await buildSsl("bench/ssl_loadgen.c", LOADGEN);
  await buildSsl("bench/servers/tls_c_openssl.c", "bench/build/tls_c_openssl");
  const loadBefore = await loadAverage();
  const started = new Date();

  const serverModes = SERVER_MODES.filter((m) => opts.modes.includes(m.id));
  const serverRecords = await runRounds(
    opts.servers,
    (id, round) =>
      runContender(id, round, SERVERS.find((s) => s.id === id)!, loadgen, serverModes, opts),
    opts,
  );

  const clientModes = CLIENT_MODES.filter((m) => clientModeIds.includes(m.id));
  const clientRecords = await runRounds(clientIds, (id, round) => {
    const c = CLIENTS.find((x) => x.id === id)!;
    // The client's own argv goes first; the mode and the harness's flags follow it.
    const modes = clientModes.map((m) => ({ id: m.id, args: [...c.args, ...m.args] }));
    return runContender(id, round, fixedServer, c.program, modes, opts);
  }, opts);
  const loadAfter = await loadAverage();

  if (opts.json) {
    await Deno.writeTextFile(
      opts.json,
      JSON.stringify({ opts, serverRecords, clientRecords }, null, 2),
    );
  }
  const clientOpts: BenchOptions = { ...opts, servers: clientIds, modes: clientModeIds };
  const report = [
    `## ssl`,
    "",
    `${started.toISOString()}: ${opts.rounds} rounds; ${opts.warmup} s warm-up + ` +
    `${opts.duration} s measured per mode; server on core ${opts.serverCore}, load ` +
    `generator or client under test on core ${opts.loadgenCore}; medians over rounds; a ` +
    `ratio is the median over rounds of the figure divided by the baseline's in the same ` +
    `round. TLS 1.3, the server certificate tests/certs/server.pem (RSA 2048), verified ` +
    `against tests/certs/ca.pem for the name localhost.`,
    "",
    await reportContext(serverSpec.command, loadBefore, loadAfter),
    serverRecords.length ? renderTables(serverSpec, opts, serverRecords) : "",
    clientRecords.length
      ? renderTables(clientSpec, clientOpts, clientRecords).replaceAll("| server |", "| client |")
      : "",
  ].join("\n");
  console.log(report);
  return [...serverRecords, ...clientRecords].every((r) => Object.keys(r.errors).length === 0);
});
if (!ok) {
  console.error("\nSome runs FAILED (see above); their cells are medians of the rest.");
  Deno.exit(1);
}
