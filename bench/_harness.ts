/**
 * Shared machinery for pynet's loopback benchmarks: builds the C loadgen, starts each echo
 * server pinned to one core, drives it with the loadgen pinned to the other, alternates the
 * servers round by round, and prints medians as Markdown.
 *
 * A benchmark script (socket_bench.ts, later select_bench.ts, ssl_bench.ts) supplies the data:
 * which servers, which loadgen modes, which columns. Nothing here is specific to one module.
 *
 * @module
 */

/** The repository root; every path below is relative to it. */
export const ROOT: string = new URL("../", import.meta.url).pathname;
/** Where compiled C helpers go (git-ignored). */
export const BUILD_DIR: string = `${ROOT}bench/build`;

/** One echo server under test. */
export interface ServerSpec {
  /** Short name used by `--servers` and as the ratio baseline. */
  readonly id: string;
  /** Row label in the tables. */
  readonly label: string;
  /** argv; run from the repository root, prefixed with `taskset -c <core>`. It must print
   * its port on the first line of stdout and run until killed. */
  readonly cmd: readonly string[];
  /** A C source to compile (into bench/build/) before the run; `cmd` refers to the output. */
  readonly build?: { readonly src: string; readonly out: string };
  /** The `taskset -c` CPU list for this server instead of `--server-core` (e.g. "0,1" for a
   * server that spreads its work over several cores; the loadgen's core is then shared). */
  readonly cores?: string;
}

/** One loadgen run per server per round. */
export interface ModeSpec {
  /** Name used by `--modes` and to look results up (`result.modes[id]`). */
  readonly id: string;
  /** loadgen argv after the program name, without --port/--server-pid/--warmup/--duration. */
  readonly args: readonly string[];
}

/** The JSON line the loadgen prints: numbers, the `mode` string, `cores_busy` per core. */
export type LoadgenResult = Readonly<Record<string, number | string | readonly number[]>>;

/** One column of a results table. */
export interface Column {
  readonly header: string;
  /** Which mode's result the value comes from. */
  readonly mode: string;
  /** The figure for one run; undefined if the run lacks it. */
  readonly value: (r: LoadgenResult) => number | undefined;
  /** Decimal places shown. */
  readonly digits: number;
  /** Show instead the median over rounds of (this server's figure / the baseline's figure
   * in the same round). */
  readonly ratio?: boolean;
  /** The server a ratio divides by, if not the table's `BenchSpec.baseline`. */
  readonly baseline?: string;
}

/** A results table: rows are servers, cells are medians over rounds. */
export interface TableSpec {
  readonly title: string;
  readonly columns: readonly Column[];
}

/** Settings shared by every benchmark script, from the command line. `E` holds the
 * script's own numeric flags (e.g. conns, size, block). */
export interface BenchOptions<E extends Record<string, number> = Record<string, number>> {
  servers: string[];
  modes: string[];
  rounds: number;
  warmup: number;
  duration: number;
  /** Per-run stall limit passed to the loadgen (seconds without progress). */
  timeout: number;
  serverCore: number;
  loadgenCore: number;
  /** Before each server's runs, wait up to this many seconds for the machine to go idle. */
  quietWait: number;
  /** CPU (in cores) used by anything but the server and the loadgen during a measured
   * window above which that server's runs are redone... */
  maxOther: number;
  /** ...at most this many times; the last attempt is kept either way, and marked. */
  retries: number;
  /** Write every run's raw result here as JSON, if set. */
  json?: string;
  extra: E;
}

/** One server's results in one round: mode id -> loadgen result, or the failure message. */
export interface RunRecord {
  readonly round: number;
  readonly server: string;
  readonly modes: Record<string, LoadgenResult>;
  readonly errors: Record<string, string>;
  /** 1 + the number of times this run was redone because of outside load. */
  attempts: number;
  /** The highest outside load (cores) seen in any of the kept attempt's modes. */
  other?: number;
}

// ---------------------------------------------------------------- command line

/** The command line that runs a harness bench script from the repository root (for --help and
 * the reports' "reproduce" lines). */
export function benchCommand(file: string): string {
  return "./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write " +
    `--allow-net=127.0.0.1 --import-map=import_map.json ${file}`;
}

/** A comma-separated flag value as its non-empty, trimmed items. */
export function splitList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Removes a script's own string flags (`--name value` or `--name=value`) from `args` before
 * parseOptions sees the rest; returns them by name. */
export function takeFlags(args: string[], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    for (const name of names) {
      if (a === `--${name}` && i + 1 < args.length) {
        out[name] = args[i + 1] ?? "";
        args.splice(i, 2);
        i--;
      } else if (a.startsWith(`--${name}=`)) {
        out[name] = a.slice(name.length + 3);
        args.splice(i, 1);
        i--;
      }
    }
  }
  return out;
}

/** Parses `--name value` (or `--name=value`) flags. `defaults.extra` declares the script's
 * own numeric flags and their defaults. */
export function parseOptions<E extends Record<string, number>>(
  args: readonly string[],
  defaults: { servers: readonly string[]; modes: readonly string[]; extra: E },
  usage: string,
): BenchOptions<E> {
  const opts: BenchOptions<E> = {
    servers: [...defaults.servers],
    modes: [...defaults.modes],
    rounds: 7,
    warmup: 0.5,
    duration: 2,
    timeout: 10,
    serverCore: 0,
    loadgenCore: 1,
    quietWait: 60,
    maxOther: 0.15,
    retries: 2,
    extra: { ...defaults.extra },
  };
  const bad = (msg: string): never => {
    console.error(`${msg}\n\n${usage}`);
    Deno.exit(64);
  };
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0) bad(`bad value for --${name}: ${v}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    if (flag === "--help" || flag === "-h") {
      console.log(usage);
      Deno.exit(0);
    }
    if (!flag.startsWith("--")) bad(`unexpected argument: ${flag}`);
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(2, eq) : flag.slice(2);
    const value = eq >= 0 ? flag.slice(eq + 1) : args[++i];
    if (value === undefined) return bad(`--${name} needs a value`);
    const list = () => splitList(value);
    switch (name) {
      case "servers":
        opts.servers = list();
        break;
      case "modes":
        opts.modes = list();
        break;
      case "rounds":
        opts.rounds = Math.max(1, Math.floor(num(name, value)));
        break;
      case "warmup":
        opts.warmup = num(name, value);
        break;
      case "duration":
        opts.duration = num(name, value);
        break;
      case "timeout":
        opts.timeout = num(name, value);
        break;
      case "server-core":
        opts.serverCore = num(name, value);
        break;
      case "loadgen-core":
        opts.loadgenCore = num(name, value);
        break;
      case "quiet-wait":
        opts.quietWait = num(name, value);
        break;
      case "max-other":
        opts.maxOther = num(name, value);
        break;
      case "retries":
        opts.retries = Math.floor(num(name, value));
        break;
      case "json":
        opts.json = value;
        break;
      default:
        if (Object.hasOwn(opts.extra, name)) {
          (opts.extra as Record<string, number>)[name] = num(name, value);
        } else bad(`unknown flag --${name}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------- select_peer.c workers

/**
 * The worker side of bench/select_peer.c (idle_memory_bench.ts, select_bench.ts): accepts the
 * busy connection, then the idle ones batch by batch, letting the peer go on (`go`) after each
 * batch. Returns the busy one, the idle ones, and `measure()` taken before the idle ones came.
 */
export async function acceptAll<C, M>(
  n: number,
  batch: number,
  accept: () => Promise<C>,
  go: (busy: C) => Promise<unknown>,
  measure: () => M,
): Promise<[C, C[], M]> {
  const busy = await accept();
  await go(busy);
  const base = measure();
  const idle: C[] = [];
  while (idle.length < n) {
    const k = Math.min(batch, n - idle.length);
    for (let i = 0; i < k; i++) idle.push(await accept());
    await go(busy);
  }
  return [busy, idle, base];
}

// ---------------------------------------------------------------- processes

/** Every child still running; killed on any exit path so no server outlives the harness. */
const live = new Set<Deno.ChildProcess>();

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited between the check and the kill.
    }
  }
  live.clear();
}

/**
 * Starts `argv` pinned to `core` (a core number or a `taskset -c` list; stdout and stderr piped),
 * tracked so that `withCleanup` kills it should the script end first.
 */
export function spawnPinned(core: number | string, argv: readonly string[]): Deno.ChildProcess {
  const child = new Deno.Command("taskset", {
    args: ["-c", String(core), ...argv],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  child.status.finally(() => live.delete(child));
  return child;
}

/** Runs `body` with every child killed afterwards, on return, throw, Ctrl-C or SIGTERM. */
export async function withCleanup<T>(body: () => Promise<T>): Promise<T> {
  const onSignal = () => {
    killAll();
    console.error("\ninterrupted: children killed");
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  // Deno.exit() elsewhere skips `finally`, but does fire unload.
  globalThis.addEventListener("unload", killAll);
  try {
    return await body();
  } finally {
    killAll();
    globalThis.removeEventListener("unload", killAll);
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

/** Compiles a C helper unless the binary is newer than its source. `libs` go after the
 * source, where the linker needs them; `needs`, if given, tells in the error what a failed
 * build most likely lacks (e.g. a library's headers). */
export async function buildC(
  src: string,
  out: string,
  libs: readonly string[] = [],
  needs?: string,
): Promise<string> {
  const srcPath = `${ROOT}${src}`;
  const outPath = `${ROOT}${out}`;
  // A binary is stale when its source or a local header it includes is newer.
  const dir = srcPath.slice(0, srcPath.lastIndexOf("/") + 1);
  const headers = [...(await Deno.readTextFile(srcPath)).matchAll(/^#include "([^"]+)"/gm)]
    .map((m) => `${dir}${m[1]}`);
  const [o, ...inputs] = await Promise.all([
    Deno.stat(outPath).catch(() => null),
    ...[srcPath, ...headers].map((path) => Deno.stat(path)),
  ]);
  const newest = Math.max(...inputs.map((info) => info.mtime?.getTime() ?? Infinity));
  if (o?.mtime && o.mtime.getTime() > newest) return outPath;
  await Deno.mkdir(outPath.slice(0, outPath.lastIndexOf("/")), { recursive: true });
  const r = await new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-o", outPath, srcPath, ...libs],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) {
    throw new Error(`gcc failed to build ${src}${needs ? ` (it needs ${needs})` : ""}`);
  }
  return outPath;
}

/** A server started by startServer. */
export interface RunningServer {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly pid: number;
  /** Rejects (with the server's stderr) if it exits while the harness still needs it. */
  readonly alive: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** The last `limit` characters of a stream's text so far, to show why a process failed. */
export function tail(stream: ReadableStream<Uint8Array>, limit = 4000): () => string {
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      text = (text + dec.decode(chunk, { stream: true })).slice(-limit);
    }
  })().catch(() => {});
  return () => text;
}

/** Rejects, naming `what`, if `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Reads a stream line by line; null at its end. */
export function lineReader(stream: ReadableStream<Uint8Array>): () => Promise<string | null> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return async () => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buf += value;
    }
  };
}

/** Kills (SIGKILL) each child given (null: never started) and waits for its end. */
export async function stopChildren(children: readonly (Deno.ChildProcess | null)[]): Promise<void> {
  for (const child of children) {
    if (!child) continue;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  }
}

/** Starts a server pinned to `core` (or to its own `cores`) and waits for the port on its
 * first stdout line. */
export async function startServer(spec: ServerSpec, core: number): Promise<RunningServer> {
  const child = spawnPinned(spec.cores ?? core, spec.cmd);
  const stderr = tail(child.stderr);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const died = status.then((s) => {
    throw new Error(
      `server ${spec.id} exited (code ${s.code}) before printing its port:\n${stderr()}`,
    );
  });
  died.catch(() => {});

  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const firstLine = (async () => {
    let buf = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`server ${spec.id} closed stdout before printing its port`);
      buf += value;
      const nl = buf.indexOf("\n");
      if (nl >= 0) return buf.slice(0, nl).trim();
    }
  })();
  let line: string;
  try {
    line = await withTimeout(Promise.race([firstLine, died]), 30_000, `server ${spec.id} port`);
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await status;
    throw e;
  }
  // Keep draining so a chatty server can never block on a full pipe.
  (async () => {
    while (!(await lines.read()).done);
  })().catch(() => {});

  const port = Number(line);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    child.kill("SIGKILL");
    await status;
    throw new Error(`server ${spec.id} printed ${JSON.stringify(line)}, not a port`);
  }
  return {
    spec,
    port,
    pid: child.pid,
    alive: () => {
      if (!exited) return Promise.resolve();
      return status.then((s) => {
        throw new Error(
          `server ${spec.id} died (code ${s.code}, signal ${s.signal}):\n${stderr()}`,
        );
      });
    },
    stop: async () => {
      if (exited) return;
      child.kill("SIGTERM");
      try {
        await withTimeout(status, 3000, `server ${spec.id} SIGTERM`);
      } catch {
        if (!exited) child.kill("SIGKILL");
        await status;
      }
    },
  };
}

/** Runs the loadgen pinned to `core`; throws (loudly, with its stderr) on any failure. */
export async function runLoadgen(
  loadgen: string,
  mode: ModeSpec,
  server: RunningServer,
  opts: BenchOptions,
): Promise<LoadgenResult> {
  const args = [
    "-c",
    String(opts.loadgenCore),
    loadgen,
    ...mode.args,
    "--port",
    String(server.port),
    "--server-pid",
    String(server.pid),
    "--warmup",
    String(opts.warmup),
    "--duration",
    String(opts.duration),
    "--timeout",
    String(opts.timeout),
  ];
  const child = new Deno.Command("taskset", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  // The loadgen has its own alarm; this is the backstop should it hang anyway.
  const limitMs = (opts.warmup + opts.duration + 3 * opts.timeout + 10) * 1000;
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  try {
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (!out.success) {
      throw new Error(
        `loadgen ${mode.id} against ${server.spec.id} failed ` +
          `(code ${out.code}${out.signal ? `, signal ${out.signal}` : ""}):\n${stderr}\n${stdout}`,
      );
    }
    const parsed: unknown = JSON.parse(stdout);
    if (typeof parsed !== "object" || parsed === null) throw new Error(`bad loadgen output`);
    return parsed as LoadgenResult;
  } finally {
    clearTimeout(timer);
    live.delete(child);
  }
}

// ---------------------------------------------------------------- the run

/** CPU (in cores) that neither the server nor the loadgen used during the measured window:
 * the machine may be shared, and a figure taken while something else ran is not comparable. */
export function otherCpu(r: LoadgenResult): number | undefined {
  const cores = r["cores_busy"], server = r["server_cpu"], client = r["client_cpu"];
  if (!Array.isArray(cores) || typeof server !== "number" || typeof client !== "number") {
    return undefined;
  }
  const busy = cores.reduce((a: number, b: number) => a + b, 0);
  return Math.max(0, busy - server - client);
}

/** Busy cores (summed over all cores) over about `ms`, from /proc/stat. */
async function busyCores(ms: number): Promise<number> {
  const sample = async () => {
    const line = await procFile("/proc/stat");
    // "cpu user nice system idle iowait irq softirq steal ...": all cores together.
    const v = line.split(/\s+/).slice(1, 9).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  };
  const a = await sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = await sample();
  const dt = b.total - a.total;
  return dt > 0 ? ((b.busy - a.busy) / dt) * navigator.hardwareConcurrency : 0;
}

/** Waits until the machine is idle (the harness's own sampling aside); returns false if it
 * never was within `opts.quietWait` seconds. */
export async function waitQuiet(
  opts: Pick<BenchOptions, "quietWait" | "maxOther">,
): Promise<boolean> {
  const deadline = Date.now() + opts.quietWait * 1000;
  let told = false;
  for (;;) {
    const busy = await busyCores(500);
    if (busy < opts.maxOther) return true;
    if (Date.now() >= deadline) {
      console.error(`machine still busy (${busy.toFixed(2)} cores); running anyway`);
      return false;
    }
    if (!told) console.error(`waiting for the machine to go idle (${busy.toFixed(2)} cores busy)`);
    told = true;
  }
}

/** Everything a benchmark script hands to runBench. */
export interface BenchSpec {
  readonly title: string;
  /** All known servers; `opts.servers` picks and orders the ones run. */
  readonly servers: readonly ServerSpec[];
  /** All known modes; `opts.modes` picks the ones run, in this order. */
  readonly modes: readonly ModeSpec[];
  readonly tables: readonly TableSpec[];
  /** Server id the ratio columns divide by. */
  readonly baseline: string;
  /** Column used for the per-round spread lines under the tables. */
  readonly spread?: readonly Column[];
  /** The command that reproduces the run, printed with the results. */
  readonly command: string;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function fmtNum(x: number | undefined, digits: number): string {
  if (x === undefined || !Number.isFinite(x)) return "n/a";
  return x.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A run taken while something else used the CPUs; shown, but left out of the medians. */
function disturbed(r: RunRecord, opts: BenchOptions): boolean {
  return r.other !== undefined && r.other > opts.maxOther;
}

function values(
  records: readonly RunRecord[],
  server: string,
  col: Column,
  opts: BenchOptions,
): number[] {
  const out: number[] = [];
  for (const r of records) {
    if (r.server !== server || disturbed(r, opts)) continue;
    const res = r.modes[col.mode];
    const v = res ? col.value(res) : undefined;
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** This server's figure over the baseline's, round by round: both ran minutes apart at most,
 * so a slow phase of the machine that hits a whole round cancels out of the ratio. */
function pairedRatios(
  records: readonly RunRecord[],
  server: string,
  baseline: string,
  col: Column,
  opts: BenchOptions,
): number[] {
  const out: number[] = [];
  const at = (id: string, round: number) => {
    const rec = records.find((r) => r.server === id && r.round === round);
    const res = rec && !disturbed(rec, opts) ? rec.modes[col.mode] : undefined;
    return res ? col.value(res) : undefined;
  };
  for (const r of records) {
    if (r.server !== server) continue;
    const v = at(server, r.round), b = at(baseline, r.round);
    if (v !== undefined && b !== undefined && b > 0) out.push(v / b);
  }
  return out;
}

function oneLine(msg: string): string {
  const flat = msg.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" / ");
  return flat.length > 400 ? `${flat.slice(0, 400)}...` : flat;
}

/** Renders the median tables as Markdown. */
export function renderTables(
  spec: BenchSpec,
  opts: BenchOptions,
  records: readonly RunRecord[],
): string {
  const servers = opts.servers
    .map((id) => spec.servers.find((s) => s.id === id))
    .filter((s): s is ServerSpec => s !== undefined);
  const out: string[] = [];
  for (const table of spec.tables) {
    const cols = table.columns.filter((c) => opts.modes.includes(c.mode));
    if (cols.length === 0) continue;
    out.push(`### ${table.title}`, "");
    out.push(`| server | ${cols.map((c) => c.header).join(" | ")} |`);
    out.push(`| :-- | ${cols.map(() => "--:").join(" | ")} |`);
    for (const s of servers) {
      const cells = cols.map((c) => {
        if (!c.ratio) return fmtNum(median(values(records, s.id, c, opts)), c.digits);
        const r = median(pairedRatios(records, s.id, c.baseline ?? spec.baseline, c, opts));
        return r === undefined ? "n/a" : `${fmtNum(r, c.digits)}×`;
      });
      out.push(`| ${s.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  const spread = (spec.spread ?? []).filter((c) => opts.modes.includes(c.mode));
  if (spread.length > 0) {
    out.push("### Every round (run order rotates each round)", "");
    out.push(`| server | ${spread.map((c) => `${c.header} per round`).join(" | ")} |`);
    out.push(`| :-- | ${spread.map(() => ":--").join(" | ")} |`);
    for (const s of servers) {
      const cells = spread.map((c) => {
        const per = [];
        for (let round = 1; round <= opts.rounds; round++) {
          const r = records.find((x) => x.server === s.id && x.round === round);
          const res = r?.modes[c.mode];
          const v = res ? c.value(res) : undefined;
          const mark = r && disturbed(r, opts) ? "*" : "";
          per.push(v === undefined ? "FAILED" : fmtNum(v, c.digits) + mark);
        }
        return per.join(", ");
      });
      out.push(`| ${s.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  const redone = records.reduce((n, r) => n + r.attempts - 1, 0);
  const busy = records.filter((r) => disturbed(r, opts)).length;
  const others = records.map((r) => r.other).filter((x) => x !== undefined);
  out.push(
    `Outside load (CPU used by neither server nor loadgen in a measured window): median ` +
      `${fmtNum(median(others), 2)}, max ${fmtNum(Math.max(...others), 2)} cores; ` +
      `${redone} server run(s) redone for exceeding ${opts.maxOther} cores, ` +
      `${busy} still above it after ${opts.retries} retries` +
      `${busy ? " (marked *, left out of the medians)" : ""}.`,
    "",
  );
  const failures = records.flatMap((r) =>
    Object.entries(r.errors).map(([mode, msg]) =>
      `- round ${r.round}, ${r.server}, ${mode}: ${msg}`
    )
  );
  if (failures.length > 0) {
    out.push("### FAILURES", "", ...failures.map(oneLine), "");
  }
  return out.join("\n");
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(r.success ? r.stdout : r.stderr);
    return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "?";
  } catch {
    return "?";
  }
}

/** Deno demands --allow-all to read /proc, so ask cat, which --allow-run already covers. */
function procFile(path: string): Promise<string> {
  return firstLine("cat", [path]);
}

/** /proc/loadavg, for the report: before and after a benchmark, as a hint of outside load. */
export function loadAverage(): Promise<string> {
  return procFile("/proc/loadavg");
}

/** The real interpreter behind a pyenv shim, so the pid the harness watches is python's own. */
export async function pythonExecutable(): Promise<string> {
  const r = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  }).output();
  const exe = new TextDecoder().decode(r.stdout).trim();
  return r.success && exe !== "" ? exe : "python3";
}

/** A description of the machine and tool versions, for the report. */
export async function machineInfo(): Promise<string> {
  const model = (await firstLine("grep", ["-m1", "model name", "/proc/cpuinfo"]))
    .split(":")[1]?.trim();
  const kernel = await firstLine("uname", ["-sr"]);
  const [gcc, node, python] = await Promise.all([
    firstLine("gcc", ["--version"]),
    firstLine("node", ["--version"]),
    firstLine("python3", ["--version"]),
  ]);
  return [
    `- CPU: ${navigator.hardwareConcurrency} × ${model ?? "?"}, ${kernel}`,
    `- deno ${Deno.version.deno} (V8 ${Deno.version.v8}), node ${node}, ${python}, ${gcc}`,
  ].join("\n");
}

/** What a report says after its opening paragraph: the machine, the load average around the
 * run, and the command that reproduces it; ends with a blank line. */
export async function reportContext(
  command: string,
  loadBefore: string,
  loadAfter: string,
): Promise<string> {
  return [
    await machineInfo(),
    `- load average before: ${loadBefore}; after: ${loadAfter}`,
    "",
    "```sh",
    command,
    "```",
    "",
  ].join("\n");
}

/** One contender's modes in one round, on a fresh server process. The contender, `id`, is
 * either that server or a client (then `loadgen`) measured against a fixed server. */
export async function runContender(
  id: string,
  round: number,
  server: ServerSpec,
  loadgen: string,
  modes: readonly ModeSpec[],
  opts: BenchOptions,
): Promise<RunRecord> {
  const rec: RunRecord = { round, server: id, modes: {}, errors: {}, attempts: 1 };
  let running: RunningServer | undefined;
  try {
    for (const m of modes) {
      try {
        running ??= await startServer(server, opts.serverCore);
        const res = await runLoadgen(loadgen, m, running, opts);
        await running.alive();
        rec.modes[m.id] = res;
        console.error(`round ${round}/${opts.rounds} ${id} ${m.id}: ${JSON.stringify(res)}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        rec.errors[m.id] = msg;
        console.error(`\n!!!!! FAILURE: round ${round} ${id} ${m.id}\n${msg}\n`);
        // A dead server cannot serve the next mode, and a mismatch may have left it
        // wedged: the next mode gets a fresh one.
        await running?.stop();
        running = undefined;
      }
    }
  } finally {
    await running?.stop();
  }
  return rec;
}

/** Runs `one` for every contender in every round, each run redone while outside load spoils
 * it (the last attempt is kept either way, and marked by renderTables). */
export async function runRounds(
  ids: readonly string[],
  one: (id: string, round: number) => Promise<RunRecord>,
  opts: BenchOptions,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    // Rotating the start means every contender runs in every position once per n rounds, so
    // a slow drift of the machine (another tenant, thermal) does not favour one of them.
    const shift = (round - 1) % Math.max(1, ids.length);
    const order = [...ids.slice(shift), ...ids.slice(0, shift)];
    for (const id of order) {
      for (let attempt = 1;; attempt++) {
        await waitQuiet(opts);
        const rec = await one(id, round);
        rec.attempts = attempt;
        const others = Object.values(rec.modes).map(otherCpu).filter((x) => x !== undefined);
        if (others.length > 0) rec.other = Math.max(...others);
        const busy = rec.other !== undefined && rec.other > opts.maxOther;
        if (!busy || attempt > opts.retries || Object.keys(rec.errors).length > 0) {
          records.push(rec);
          break;
        }
        console.error(
          `round ${round} ${id}: ${rec.other?.toFixed(2)} cores of outside load; redoing`,
        );
      }
    }
  }
  return records;
}

/** Builds, runs every round, prints progress on stderr and the Markdown report on stdout.
 * Returns false if any run failed. */
export async function runBench(spec: BenchSpec, opts: BenchOptions): Promise<boolean> {
  const unknownServers = opts.servers.filter((id) => !spec.servers.some((s) => s.id === id));
  const unknownModes = opts.modes.filter((id) => !spec.modes.some((m) => m.id === id));
  if (unknownServers.length || unknownModes.length) {
    throw new Error(
      `unknown ${unknownServers.length ? `servers: ${unknownServers.join(", ")}` : ""}` +
        `${unknownModes.length ? ` modes: ${unknownModes.join(", ")}` : ""}; known servers: ` +
        `${spec.servers.map((s) => s.id).join(", ")}; modes: ${
          spec.modes.map((m) => m.id).join(", ")
        }`,
    );
  }
  const servers = opts.servers.map((id) => spec.servers.find((s) => s.id === id)!);
  const modes = spec.modes.filter((m) => opts.modes.includes(m.id));

  return await withCleanup(async () => {
    const loadgen = await buildC("bench/loadgen.c", "bench/build/loadgen");
    for (const s of servers) if (s.build) await buildC(s.build.src, s.build.out);

    const loadBefore = await loadAverage();
    const started = new Date();
    const records = await runRounds(
      servers.map((s) => s.id),
      (id, round) =>
        runContender(id, round, servers.find((s) => s.id === id)!, loadgen, modes, opts),
      opts,
    );
    const loadAfter = await loadAverage();

    if (opts.json) {
      await Deno.writeTextFile(
        opts.json,
        JSON.stringify({ spec: spec.title, opts, records }, null, 2),
      );
    }
    const report = [
      `## ${spec.title}`,
      "",
      `${started.toISOString()}: ${opts.rounds} rounds × ${servers.length} servers, ` +
      `${opts.warmup} s warm-up + ${opts.duration} s measured per mode; ` +
      `server on core ${opts.serverCore}, loadgen on core ${opts.loadgenCore}; ` +
      `medians over rounds; a ratio is the median over rounds of the figure divided by ` +
      `the ${spec.baseline} server's figure in the same round.`,
      "",
      await reportContext(spec.command, loadBefore, loadAfter),
      renderTables(spec, opts, records),
    ].join("\n");
    console.log(report);
    return records.every((r) => Object.keys(r.errors).length === 0);
  });
}
