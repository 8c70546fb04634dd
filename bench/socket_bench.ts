/**
 * Socket benchmark: 64-byte request/response over many connections, and 64 KiB streaming over
 * one, against the same echo written on raw Deno, pynet's Socket, Node's net and CPython.
 *
 *   ./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write --allow-net=127.0.0.1 \
 *     --import-map=import_map.json bench/socket_bench.ts \
 *     [--servers raw,pynet,raw-streams,pynet-streams,node,python,c]
 *
 * See bench/README.md for the flags and BENCHMARKS.md for the method.
 *
 * @module
 */
import {
  benchCommand,
  type BenchSpec,
  type Column,
  type LoadgenResult,
  otherCpu,
  parseOptions,
  pythonExecutable,
  runBench,
  type ServerSpec,
} from "./_harness.ts";

const COMMAND = benchCommand("bench/socket_bench.ts");

const USAGE = `usage: ${COMMAND} [flags]

  --servers raw,pynet,raw-streams,pynet-streams,node,python,c
                                      which servers, in this order (default: all)
  --modes rr,stream                   which loadgen modes (default: both)
  --rounds 7                          rounds; servers alternate within each round
  --warmup 0.5 --duration 2           seconds per mode, unmeasured then measured
  --conns 50 --size 64                rr: connections and request size in bytes
  --block 65536                       stream: bytes per write
  --timeout 10                        loadgen stall limit in seconds
  --quiet-wait 60                     wait up to this long for an idle machine before each server
  --max-other 0.15                    redo a server's runs if other processes used more cores...
  --retries 2                         ...up to this many times (then marked *, out of the medians)
  --server-core 0 --loadgen-core 1    taskset cores
  --json FILE                         also write every run's raw result as JSON
  --ref DIR                           also run DIR's pynet echo (server "pynet-ref", beside
                                      "pynet" in every round): an A/B of two commits in one
                                      run, e.g. after \`git worktree add DIR <commit>\``;

const deno = (file: string): string[] => [
  Deno.execPath(),
  "run",
  "--quiet",
  "--allow-net=127.0.0.1",
  "--import-map=import_map.json",
  file,
];

/** `--ref DIR`, taken out of the arguments before the shared flags are parsed. */
function takeRef(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === "--ref" || a.startsWith("--ref="));
  if (i < 0) return undefined;
  const flag = args[i]!;
  const [dir] = flag === "--ref" ? args.splice(i, 2).slice(1) : [args.splice(i, 1)[0]!.slice(6)];
  if (!dir) {
    console.error(`--ref needs a directory\n\n${USAGE}`);
    Deno.exit(64);
  }
  return dir.replace(/\/+$/, "");
}

const args = [...Deno.args];
const ref = takeRef(args);

const SERVERS: ServerSpec[] = [
  { id: "raw", label: "raw Deno", cmd: deno("bench/servers/raw_deno.ts") },
  { id: "pynet", label: "pynet Socket", cmd: deno("bench/servers/pynet_socket.ts") },
  // The same echo from another checkout (--ref): its own library and import map.
  ...(ref === undefined ? [] : [{
    id: "pynet-ref",
    label: `pynet Socket (${ref})`,
    cmd: [
      Deno.execPath(),
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      `--import-map=${ref}/import_map.json`,
      `${ref}/bench/servers/pynet_socket.ts`,
    ],
  }]),
  // The Web Streams pair: the same echo as one readable.pipeTo(writable), raw and pynet.
  {
    id: "raw-streams",
    label: "raw Deno pipeTo",
    cmd: deno("bench/servers/raw_deno_streams.ts"),
  },
  {
    id: "pynet-streams",
    label: "pynet Socket pipeTo",
    cmd: deno("bench/servers/pynet_streams.ts"),
  },
  { id: "node", label: "Node net", cmd: ["node", "bench/servers/node_net.mjs"] },
  {
    id: "python",
    label: "CPython selectors",
    cmd: [await pythonExecutable(), "bench/servers/cpython_echo.py"],
  },
  {
    id: "c",
    label: "C epoll (loadgen ceiling)",
    cmd: ["bench/build/c_echo"],
    build: { src: "bench/servers/c_echo.c", out: "bench/build/c_echo" },
  },
];

const num = (key: string) => (r: LoadgenResult): number | undefined => {
  const v = r[key];
  return typeof v === "number" ? v : undefined;
};
const rps: Column = { header: "req/s", mode: "rr", value: num("rps"), digits: 0 };
const mbps: Column = { header: "MB/s", mode: "stream", value: num("mbps"), digits: 0 };
// Server CPU per unit of work stays meaningful when the loadgen, not the server, is the limit.
const usPerReq = (r: LoadgenResult) => {
  const cpu = r["server_cpu"], rate = r["rps"];
  return typeof cpu === "number" && typeof rate === "number" ? (cpu / rate) * 1e6 : undefined;
};
const secPerGB = (r: LoadgenResult) => {
  const cpu = r["server_cpu"], rate = r["mbps"];
  return typeof cpu === "number" && typeof rate === "number" ? cpu / (rate / 1000) : undefined;
};

const opts = parseOptions(args, {
  servers: SERVERS.map((s) => s.id),
  modes: ["rr", "stream"],
  extra: { conns: 50, size: 64, block: 65536 },
}, USAGE);
const { conns, size, block } = opts.extra;

const spec: BenchSpec = {
  title: "socket: echo servers",
  command: COMMAND + (Deno.args.length ? ` ${Deno.args.join(" ")}` : ""),
  baseline: "raw",
  servers: SERVERS,
  modes: [
    { id: "rr", args: ["rr", "--conns", String(conns), "--size", String(size)] },
    { id: "stream", args: ["stream", "--block", String(block)] },
  ],
  tables: [
    {
      title: `Medians: ${size}-byte request/response over ${conns} connections; ` +
        `${block / 1024} KiB-write streaming over one`,
      columns: [
        rps,
        { ...rps, header: "req/s ÷ raw", ratio: true, digits: 2 },
        { header: "p50 µs", mode: "rr", value: num("p50_us"), digits: 0 },
        { header: "p99 µs", mode: "rr", value: num("p99_us"), digits: 0 },
        mbps,
        { ...mbps, header: "MB/s ÷ raw", ratio: true, digits: 2 },
        // pynet's streams against raw Deno's streams, round by round (target >= 0.9x).
        { ...rps, header: "req/s ÷ raw pipeTo", ratio: true, digits: 2, baseline: "raw-streams" },
        { ...mbps, header: "MB/s ÷ raw pipeTo", ratio: true, digits: 2, baseline: "raw-streams" },
        // With --ref: each server against the other checkout's pynet, round by round.
        ...(ref === undefined ? [] : [
          { ...rps, header: "req/s ÷ ref", ratio: true, digits: 2, baseline: "pynet-ref" },
          { ...mbps, header: "MB/s ÷ ref", ratio: true, digits: 2, baseline: "pynet-ref" },
        ]),
      ],
    },
    {
      title: "Medians: CPU (fraction of one core; µs and s are server CPU time)",
      columns: [
        { header: "rr server CPU", mode: "rr", value: num("server_cpu"), digits: 2 },
        { header: "rr loadgen CPU", mode: "rr", value: num("client_cpu"), digits: 2 },
        { header: "server µs/req", mode: "rr", value: usPerReq, digits: 1 },
        { header: "stream server CPU", mode: "stream", value: num("server_cpu"), digits: 2 },
        { header: "stream loadgen CPU", mode: "stream", value: num("client_cpu"), digits: 2 },
        { header: "server s/GB", mode: "stream", value: secPerGB, digits: 2 },
        { header: "rr outside load", mode: "rr", value: otherCpu, digits: 2 },
        { header: "stream outside load", mode: "stream", value: otherCpu, digits: 2 },
      ],
    },
  ],
  spread: [rps, mbps],
};

const ok = await runBench(spec, opts);
if (!ok) {
  console.error("\nSome runs FAILED (see above); their cells are medians of the rest.");
  Deno.exit(1);
}
