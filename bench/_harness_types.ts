// The data a benchmark script hands the harness (servers, loadgen modes, tables, options) and
// what a run records: the shapes every other _harness_*.ts file shares.

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

/** A server started by startServer. */
export interface RunningServer {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly pid: number;
  /** Rejects (with the server's stderr) if it exits while the harness still needs it. */
  readonly alive: () => Promise<void>;
  readonly stop: () => Promise<void>;
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
