// select_bench's shared pieces: the implementations it compares, the worker's result, the
// options. The worker (_select_worker.ts), the report (_select_report.ts) and the orchestrator
// (select_bench.ts) all use them.

export const COMMAND =
  "./tools/node_modules/.bin/deno run --import-map=import_map.json --allow-run " +
  "--allow-read --allow-write --allow-net=127.0.0.1 --allow-env --allow-sys " +
  "bench/select_bench.ts";

/** One wait of the worker's loop; a lost wake-up fails the run instead of hanging it. */
export const WAIT_S = 5;
/** Returns without the busy socket tolerated per iteration (none are expected). */
export const MAX_EMPTY_WAITS = 100;
export const PING = 0x78;
export const GO = new Uint8Array([0x41]);

export type Kind =
  | "selector"
  | "poll"
  | "select"
  | "raw"
  | "selector-inproc"
  | "selector-inproc-timed"
  | "raw-inproc";

export interface Impl {
  readonly id: string;
  readonly label: string;
  readonly runtime: "deno" | "cpython";
  readonly kind: Kind;
  /** The client connections are the worker's own: no peer process. */
  readonly inproc?: boolean;
}

export const IMPLS: readonly Impl[] = [
  {
    id: "deno-raw",
    label: "Deno, no pynet (reference: pending reads)",
    runtime: "deno",
    kind: "raw",
  },
  { id: "pynet-selector", label: "pynet DefaultSelector", runtime: "deno", kind: "selector" },
  { id: "pynet-poll", label: "pynet poll()", runtime: "deno", kind: "poll" },
  { id: "pynet-select", label: "pynet select()", runtime: "deno", kind: "select" },
  {
    id: "cpython-selector",
    label: "CPython selectors.DefaultSelector",
    runtime: "cpython",
    kind: "selector",
  },
  { id: "cpython-poll", label: "CPython select.poll", runtime: "cpython", kind: "poll" },
  { id: "cpython-select", label: "CPython select.select", runtime: "cpython", kind: "select" },
  {
    id: "deno-raw-inproc",
    label: "Deno, no pynet, client in process (reference: reads into a ready queue)",
    runtime: "deno",
    kind: "raw-inproc",
    inproc: true,
  },
  {
    id: "pynet-selector-inproc",
    label: "pynet DefaultSelector, client in process",
    runtime: "deno",
    kind: "selector-inproc",
    inproc: true,
  },
  {
    id: "pynet-selector-inproc-timed",
    label: "pynet DefaultSelector, client in process, select(5)",
    runtime: "deno",
    kind: "selector-inproc-timed",
    inproc: true,
  },
];

/** Deno's memory figures at one moment (bytes). */
export interface MemPoint {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** What a pynet worker measures around registration. */
export interface PynetMem {
  /** After the busy connection, before the idle ones are accepted. */
  base: MemPoint;
  /** After accepting the idle connections, before registering anything. */
  accepted: MemPoint;
  /** Registered, with every read-ahead armed. */
  registered: MemPoint;
  /** After the timed loop: growth here would mean a wake-up leaves something behind. */
  after: MemPoint;
}

/** What a CPython worker measures around registration. */
export interface CpythonMem {
  rssBefore: number;
  rssAfter: number;
}

/** The JSON line a worker prints when done. */
export interface WorkerResult {
  samples?: number[];
  /** CPU time (user + system) of the process under test per timed iteration, µs. */
  cpuPerIter?: number;
  /** CPU time of the whole worker process, start-up included, µs. */
  cpuTotal?: number;
  mem?: PynetMem | CpythonMem;
  error?: string;
}

export interface Options {
  rounds: number;
  iters: number;
  warmup: number;
  counts: number[];
  impls: Impl[];
  batch: number;
  timeout: number;
  /** Pause between measurements, ms: lets the last pair's thousands of connections die. */
  settle: number;
  /** Seconds to wait for an idle machine before each measurement. */
  quietWait: number;
  /** Cores of outside load tolerated, before and during a measurement. */
  maxOther: number;
  /** Times a measurement disturbed by outside load is redone. */
  retries: number;
  /** The CPython to compare with; resolved to its real executable before the run. */
  python: string;
  out: string;
  json: string | null;
}

export interface Run {
  readonly round: number;
  readonly impl: string;
  readonly n: number;
  readonly result: WorkerResult;
  readonly seconds: number;
  /** Cores busy with something other than this benchmark's processes during the run. */
  readonly other?: number;
  readonly attempts?: number;
}

/** Busy and total CPU time of the whole machine so far, in seconds. */
