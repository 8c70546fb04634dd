/**
 * asyncore and asynchat benchmark, two parts:
 *
 * - `rr`: 64-byte request/response over 50 connections (each request ends with "\n" and holds no
 *   other, so a line server can answer it) against pynet's asyncore echo and asynchat line
 *   server, CPython's same two servers, and raw Deno's echo, in the same run.
 * - `read1`, `read64k`: asynchat record parsing in process, 10-byte records (terminator
 *   included) fed through the real `handleRead` by an overridden `recv` in reads of 1 byte and of
 *   64 KiB, pynet against CPython (bench/asynchat_parse_*).
 *
 *   ./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write --allow-net=127.0.0.1 \
 *     --import-map=import_map.json bench/asyncore_bench.ts
 *
 * See bench/README.md for the harness and BENCHMARKS.md for the method and the figures.
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
  type RunRecord,
  runRounds,
  type ServerSpec,
  spawnPinned,
  splitList,
  takeFlags,
  withCleanup,
} from "./_harness.ts";

const COMMAND = benchCommand("bench/asyncore_bench.ts");

const USAGE = `usage: ${COMMAND} [flags]

  --servers raw,pynet-asyncore,pynet-asynchat,python-asyncore,python-asynchat
                                      echo servers for rr, in this order (default: all)
  --parsers pynet,python              asynchat parsers for read1/read64k (default: both)
  --modes rr,read1,read64k            which parts (default: all)
  --rounds 7                          rounds; contenders alternate within each round
  --warmup 0.5 --duration 2           seconds per mode, unmeasured then measured
  --conns 50 --size 64                rr: connections and request size in bytes
  --timeout 10                        loadgen stall limit in seconds
  --quiet-wait 60                     wait up to this long for an idle machine before each run
  --max-other 0.15                    redo a run if other processes used more cores...
  --retries 2                         ...up to this many times (then marked *, out of the medians)
  --server-core 0 --loadgen-core 1    taskset cores (a parser runs on the server core)
  --json FILE                         also write every run's raw result as JSON`;

// The pynet rows need the asyncore and asynchat modules; until they exist the script still
// runs the others.
const havePynet = await Deno.stat(`${ROOT}asynchat/mod.ts`).then(() => true, () => false) &&
  await Deno.stat(`${ROOT}asyncore/mod.ts`).then(() => true, () => false);

const deno = (file: string, ...flags: string[]): string[] => [
  Deno.execPath(),
  "run",
  "--quiet",
  ...flags,
  "--import-map=import_map.json",
  file,
];
const python = await pythonExecutable();

const SERVERS: ServerSpec[] = [
  { id: "raw", label: "raw Deno", cmd: deno("bench/servers/raw_deno.ts", "--allow-net=127.0.0.1") },
  {
    id: "pynet-asyncore",
    label: "pynet asyncore (DispatcherWithSend echo)",
    cmd: deno("bench/servers/pynet_asyncore.ts", "--allow-net=127.0.0.1"),
  },
  {
    id: "pynet-asynchat",
    label: "pynet asynchat (line server)",
    cmd: deno("bench/servers/pynet_asynchat.ts", "--allow-net=127.0.0.1"),
  },
  {
    id: "python-asyncore",
    label: "CPython asyncore (dispatcher_with_send echo)",
    cmd: [python, "bench/servers/cpython_asyncore.py"],
  },
  {
    id: "python-asynchat",
    label: "CPython asynchat (line server)",
    cmd: [python, "bench/servers/cpython_asynchat.py"],
  },
];

/** An in-process asynchat parser: argv before `--read N --warmup W --duration D`. */
interface ParserSpec {
  readonly id: string;
  readonly label: string;
  readonly cmd: readonly string[];
}
const PARSERS: ParserSpec[] = [
  { id: "pynet", label: "pynet AsyncChat", cmd: deno("bench/asynchat_parse_pynet.ts") },
  {
    id: "python",
    label: "CPython async_chat",
    cmd: [python, "bench/asynchat_parse_cpython.py"],
  },
];
const READS: Record<string, number> = { read1: 1, read64k: 65536 };

// ------------------------------------------------------------------------ options

const argv = [...Deno.args];
// --parsers is this script's own list flag; the harness parses the rest.
const own = takeFlags(argv, ["parsers"]);
let parserIds = own.parsers === undefined ? PARSERS.map((p) => p.id) : splitList(own.parsers);
const opts = parseOptions(argv, {
  servers: SERVERS.map((s) => s.id).filter((id) => havePynet || !id.startsWith("pynet")),
  modes: ["rr", "read1", "read64k"],
  extra: { conns: 50, size: 64 },
}, USAGE);
if (!havePynet) {
  parserIds = parserIds.filter((id) => id !== "pynet");
  console.error("asyncore/mod.ts or asynchat/mod.ts missing: running without the pynet rows");
}
const { conns, size } = opts.extra;

function usageError(msg: string): never {
  console.error(`${msg}\n\n${USAGE}`);
  Deno.exit(64);
}
for (const id of opts.servers) {
  if (!SERVERS.some((s) => s.id === id)) usageError(`unknown server ${id}`);
  if (!havePynet && id.startsWith("pynet")) usageError(`${id} needs asyncore/ and asynchat/`);
}
for (const id of parserIds) {
  if (!PARSERS.some((p) => p.id === id)) usageError(`unknown parser ${id}`);
}
for (const id of opts.modes) {
  if (id !== "rr" && !(id in READS)) usageError(`unknown mode ${id}`);
}
if (size < 2) usageError("--size must be at least 2 (a byte and the terminator)");

const RR: ModeSpec = {
  id: "rr",
  // Every server gets the same newline-terminated requests; the echoes ignore the newline.
  args: ["rr", "--conns", String(conns), "--size", String(size), "--terminator", "10"],
};
const parseModes = opts.modes.filter((m) => m in READS);

// ------------------------------------------------------------------------ parsing runs

/** One parser's modes in one round, each a fresh process pinned to the server core. */
async function runParser(id: string, round: number): Promise<RunRecord> {
  const parser = PARSERS.find((p) => p.id === id)!;
  const rec: RunRecord = { round, server: id, modes: {}, errors: {}, attempts: 1 };
  for (const mode of parseModes) {
    const args = [
      ...parser.cmd,
      "--read",
      String(READS[mode]),
      "--warmup",
      String(opts.warmup),
      "--duration",
      String(opts.duration),
    ];
    const child = spawnPinned(opts.serverCore, args);
    const limitMs = (opts.warmup + opts.duration + opts.timeout + 10) * 1000;
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    try {
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout).trim();
      if (!out.success) {
        throw new Error(
          `exit code ${out.code}${out.signal ? `, signal ${out.signal}` : ""}:\n` +
            `${new TextDecoder().decode(out.stderr).trim()}\n${stdout}`,
        );
      }
      const res = JSON.parse(stdout) as LoadgenResult;
      rec.modes[mode] = res;
      console.error(`round ${round}/${opts.rounds} ${id} ${mode}: ${stdout}`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      rec.errors[mode] = msg;
      console.error(`\n!!!!! FAILURE: round ${round} ${id} ${mode}\n${msg}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  return rec;
}

// ------------------------------------------------------------------------ tables

const num = (key: string) => (r: LoadgenResult): number | undefined => {
  const v = r[key];
  return typeof v === "number" ? v : undefined;
};
const rps: Column = { header: "req/s", mode: "rr", value: num("rps"), digits: 0 };
const usPerReq = (r: LoadgenResult) => {
  const cpu = r["server_cpu"], rate = r["rps"];
  return typeof cpu === "number" && typeof rate === "number" ? (cpu / rate) * 1e6 : undefined;
};
const echoSpec: BenchSpec = {
  title: "asyncore and asynchat: echo and line servers",
  command: COMMAND + (Deno.args.length ? ` ${Deno.args.join(" ")}` : ""),
  baseline: "raw",
  servers: SERVERS,
  modes: [RR],
  tables: [{
    title: `Medians: ${size}-byte request/response (newline-terminated) over ${conns} connections`,
    columns: [
      rps,
      { ...rps, header: "req/s ÷ raw", ratio: true, digits: 2 },
      { header: "p50 µs", mode: "rr", value: num("p50_us"), digits: 0 },
      { header: "p99 µs", mode: "rr", value: num("p99_us"), digits: 0 },
      { header: "server CPU", mode: "rr", value: num("server_cpu"), digits: 2 },
      { header: "server µs/req", mode: "rr", value: usPerReq, digits: 1 },
      { header: "outside load", mode: "rr", value: otherCpu, digits: 2 },
    ],
  }],
  spread: [rps],
};

const mb1: Column = { header: "1-byte reads MB/s", mode: "read1", value: num("mbps"), digits: 2 };
const mb64: Column = {
  header: "64 KiB reads MB/s",
  mode: "read64k",
  value: num("mbps"),
  digits: 1,
};
const parseSpec: BenchSpec = {
  title: "asynchat record parsing",
  command: echoSpec.command,
  baseline: "python",
  servers: PARSERS,
  modes: [],
  tables: [{
    title: "Medians: 10-byte records parsed in process (MB/s of input; ratio to CPython)",
    columns: [
      mb1,
      { ...mb1, header: "÷ CPython", ratio: true, digits: 1 },
      { header: "records/s", mode: "read1", value: num("records_per_s"), digits: 0 },
      mb64,
      { ...mb64, header: "÷ CPython", ratio: true, digits: 1 },
      { header: "records/s", mode: "read64k", value: num("records_per_s"), digits: 0 },
    ],
  }],
  spread: [mb1, mb64],
};

// ------------------------------------------------------------------------ the run

const ok = await withCleanup(async () => {
  const loadgen = await buildC("bench/loadgen.c", "bench/build/loadgen");
  const loadBefore = await loadAverage();
  const started = new Date();

  const echoRecords = opts.modes.includes("rr")
    ? await runRounds(
      opts.servers,
      (id, round) =>
        runContender(id, round, SERVERS.find((s) => s.id === id)!, loadgen, [RR], opts),
      opts,
    )
    : [];
  const parseRecords = parseModes.length > 0 ? await runRounds(parserIds, runParser, opts) : [];
  const loadAfter = await loadAverage();

  if (opts.json) {
    await Deno.writeTextFile(
      opts.json,
      JSON.stringify({ opts, parserIds, echoRecords, parseRecords }, null, 2),
    );
  }
  const parseOpts: BenchOptions = { ...opts, servers: parserIds };
  const report = [
    `## asyncore and asynchat`,
    "",
    `${started.toISOString()}: ${opts.rounds} rounds; ${opts.warmup} s warm-up + ` +
    `${opts.duration} s measured per mode; server (or parser) on core ${opts.serverCore}, ` +
    `loadgen on core ${opts.loadgenCore}; medians over rounds; a ratio is the median over ` +
    `rounds of the figure divided by the baseline's in the same round.`,
    "",
    await reportContext(echoSpec.command, loadBefore, loadAfter),
    echoRecords.length ? renderTables(echoSpec, opts, echoRecords) : "",
    parseRecords.length
      ? renderTables(parseSpec, parseOpts, parseRecords)
        .replaceAll("| server |", "| parser |")
        // A parser is one process with no loadgen: the harness's outside-load line (server and
        // loadgen CPU against the machine's) does not apply to it.
        .replace(/^Outside load.*\n?/m, "")
      : "",
  ].join("\n");
  console.log(report);
  return [...echoRecords, ...parseRecords].every((r) => Object.keys(r.errors).length === 0);
});
if (!ok) {
  console.error("\nSome runs FAILED (see above); their cells are medians of the rest.");
  Deno.exit(1);
}
