/**
 * UDP receive under a burst: how many of a burst of datagrams a receiver gets, for pynet's
 * blocking `recvfrom(65536)` loop beside raw Deno's `await conn.receive(buf)` loop, and beside
 * the floor of any Python-faithful receiver (`floor`: raw Deno's loop plus the copy and the
 * address pair Python's `recvfrom` must give; see receiveFloor). A receiver that costs more per
 * datagram drains the kernel's receive buffer more slowly, and the kernel drops what overflows
 * it.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --import-map=import_map.json --unstable-net --allow-run \
 *   --allow-read --allow-sys=loadavg --allow-net=127.0.0.1 bench/udp_receive_bench.ts
 * ```
 *
 * Each run is a fresh pair of processes: a receiver (this script with `--receiver raw`,
 * `floor` or `pynet`) binds 127.0.0.1:0 and prints its port; python3 running
 * {@linkcode BLASTER} sends `--count` datagrams of `--size` bytes to it as fast as it can
 * (no pacing). The receiver counts datagrams until none came for `--idle` seconds, and prints
 * the count. The receivers' order alternates, run after run, so that a change of machine load
 * falls on all; the table gives the median and the range of each.
 *
 * Flags: `--count 3000`, `--sizes 64,1400`, `--runs 5` (runs per receiver and size),
 * `--idle 0.5`, `--python python3`, `--sender python|deno`. With `--sender deno` the unpaced
 * sender is a Deno process (this script with `--send`: `await conn.send(...)` in a loop), about
 * as fast per datagram as raw Deno's receiver, so a receiver that keeps up gets nearly all.
 *
 * The count is noisy on a shared machine: a receiver descheduled for a few milliseconds loses
 * what the kernel drops meanwhile. `--cpu N` measures instead what a receiver costs, which load
 * barely changes: python3 sends N datagrams in bursts of 50 with 2 ms pauses, 4 ms from 1 KiB
 * (so that none is lost; a run that loses some anyway is reported and not counted), and the
 * receiver reports its CPU time (user + sys, all its threads) per datagram over the first 1,000
 * (cold: most of its code not yet optimised, as in an unpaced burst) and over all N.
 *
 * @module
 */
import process from "node:process";
import { AF_INET, SOCK_DGRAM, Socket } from "../socket/mod.ts";

const COMMAND = "./tools/node_modules/.bin/deno run --import-map=import_map.json " +
  "--unstable-net --allow-run --allow-read --allow-sys=loadavg --allow-net=127.0.0.1 bench/udp_receive_bench.ts";

/**
 * The `--cpu` sender: bursts of 50, 2 ms apart (4 ms from 1 KiB: the kernel's buffer holds
 * fewer large datagrams), slow enough that the kernel drops none.
 */
const PACED = `
import socket, sys, time
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * size
for first in range(0, count, 50):
    for _ in range(min(50, count - first)):
        s.sendto(payload, ("127.0.0.1", port))
    time.sleep(0.002 * max(1, size // 512))
`;

/** Datagrams counted as cold in `--cpu` mode. */
const COLD = 1000;

/** The sender: one unpaced loop of sendto. */
const BLASTER = `
import socket, sys
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
payload = b"x" * size
for _ in range(count):
    s.sendto(payload, ("127.0.0.1", port))
`;

/** `--send PORT COUNT SIZE`: the Deno sender, one unpaced loop of `send`. */
async function sendDeno(port: number, count: number, size: number): Promise<void> {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const payload = new Uint8Array(size).fill(0x78);
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  for (let i = 0; i < count; i++) await conn.send(payload, to);
  conn.close();
}

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1]! : fallback;
}

/**
 * Counts datagrams; with `total` (`--cpu` mode) it reads the process's CPU time at the first,
 * the (COLD + 1)th and the last, prints the CPU per datagram, and exits.
 */
class Counter {
  n = 0;
  #total: number;
  #marks: number[] = [];

  constructor(total: number) {
    this.#total = total;
  }

  add(): void {
    const n = ++this.n;
    if (this.#total === 0 || (n !== 1 && n !== COLD + 1 && n !== this.#total)) return;
    const { user, system } = process.cpuUsage();
    this.#marks.push(user + system);
    if (n < this.#total) return;
    const [first, cold, last] = this.#marks as [number, number, number];
    const all = (last - first) / (n - 1);
    console.log(JSON.stringify({ received: n, cold: (cold - first) / COLD, all }));
    Deno.exit(0);
  }
}

/** Prints the count once no datagram came for `idle` seconds since the first one. */
function reportWhenIdle(counter: Counter, idle: number): void {
  let last = -1;
  let lastChange = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (counter.n !== last) {
      last = counter.n;
      lastChange = now;
    } else if (counter.n > 0 && now - lastChange > idle * 1000) {
      console.log(JSON.stringify({ received: counter.n }));
      Deno.exit(0);
    }
  }, 50);
}

/** A Deno datagram socket on 127.0.0.1, its port printed, and the counter it reports through. */
function denoReceiver(idle: number, total: number): [Deno.DatagramConn, Counter] {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  console.log(JSON.stringify({ port: (conn.addr as Deno.NetAddr).port }));
  const counter = new Counter(total);
  reportWhenIdle(counter, idle);
  return [conn, counter];
}

async function receiveRaw(idle: number, total: number): Promise<void> {
  const [conn, counter] = denoReceiver(idle, total);
  const buf = new Uint8Array(65536);
  for (;;) {
    const [_data, _addr] = await conn.receive(buf);
    counter.add();
  }
}

/**
 * The floor of any Python-faithful receiver on Deno: raw Deno's loop plus only what Python's
 * `recvfrom` must give, in plain Deno. The bytes are the caller's own (copied out of the receive
 * buffer, into a shared slab as pynet copies a small datagram), and the sender is a
 * `[host, port]` pair, made in one continuation of the receive.
 */
async function receiveFloor(idle: number, total: number): Promise<void> {
  const [conn, counter] = denoReceiver(idle, total);
  const buf = new Uint8Array(65536);
  let slab = new ArrayBuffer(4096);
  let used = 0;
  const own = (landed: [Uint8Array, Deno.Addr]): [Uint8Array, [string, number]] => {
    const data = landed[0], from = landed[1] as Deno.NetAddr;
    const n = data.length;
    let copy: Uint8Array;
    if (n <= 512) {
      if (slab.byteLength - used < n) {
        slab = new ArrayBuffer(4096);
        used = 0;
      }
      copy = new Uint8Array(slab, used, n);
      used += n;
      copy.set(data);
    } else {
      copy = data.slice();
    }
    return [copy, [from.hostname, from.port]];
  };
  for (;;) {
    const [_data, _addr] = await conn.receive(buf).then(own);
    counter.add();
  }
}

async function receivePynet(idle: number, total: number): Promise<void> {
  const sock = new Socket(AF_INET, SOCK_DGRAM);
  sock.bind(["127.0.0.1", 0]);
  console.log(JSON.stringify({ port: (sock.getsockname() as [string, number])[1] }));
  const counter = new Counter(total);
  reportWhenIdle(counter, idle);
  for (;;) {
    const [_data, _addr] = await sock.recvfrom(65536);
    counter.add();
  }
}

/** What a receiver printed: its count, and in `--cpu` mode its CPU µs per datagram. */
interface Outcome {
  received: number;
  cold?: number;
  all?: number;
}

async function oneRun(
  receiver: string,
  size: number,
  count: number,
  cpu: number,
  idle: number,
  python: string,
): Promise<Outcome> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--import-map=import_map.json",
      "--unstable-net",
      "--allow-net=127.0.0.1",
      "--allow-read",
      import.meta.filename!,
      "--receiver",
      receiver,
      "--idle",
      String(idle),
      "--total",
      String(cpu),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  while (!buffered.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`receiver ${receiver} ended before printing its port`);
    buffered += value;
  }
  const port = JSON.parse(buffered.split("\n")[0]!).port as number;
  const sender = await (python === "deno" && !cpu
    ? new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--unstable-net",
        "--allow-net=127.0.0.1",
        import.meta.filename!,
        "--send",
        String(port),
        String(count),
        String(size),
      ],
    })
    : new Deno.Command(python, {
      args: ["-c", cpu ? PACED : BLASTER, String(port), String(cpu || count), String(size)],
    })).output();
  if (!sender.success) throw new Error(new TextDecoder().decode(sender.stderr));
  let rest = buffered.slice(buffered.indexOf("\n") + 1);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
  }
  await child.status;
  const line = rest.split("\n").find((l) => l.includes("received"));
  if (!line) throw new Error(`receiver ${receiver} printed no count`);
  return JSON.parse(line) as Outcome;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const idle = Number(flag("idle", "0.5"));
  const send = Deno.args.indexOf("--send");
  if (send >= 0) {
    const [port, count, size] = Deno.args.slice(send + 1, send + 4).map(Number);
    return await sendDeno(port!, count!, size!);
  }
  const receiver = flag("receiver", "");
  const total = Number(flag("total", "0"));
  if (receiver === "raw") return await receiveRaw(idle, total);
  if (receiver === "pynet") return await receivePynet(idle, total);
  if (receiver === "floor") return await receiveFloor(idle, total);
  const count = Number(flag("count", "3000"));
  const cpu = Number(flag("cpu", "0"));
  const sizes = flag("sizes", "64,1400").split(",").map(Number);
  const runs = Number(flag("runs", "5"));
  // The sender: python3 (or `--python PATH`), or "deno" for a Deno process.
  const python = flag("sender", "python") === "deno" ? "deno" : flag("python", "python3");
  const receivers = ["raw", "floor", "pynet"];
  const what = cpu ? `--cpu ${cpu}` : `--count ${count}`;
  const senderFlag = python === "deno" ? " --sender deno" : "";
  console.log(`# ${COMMAND} ${what} --sizes ${sizes} --runs ${runs}${senderFlag}`);
  console.log(`# load before: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const results = new Map<string, Outcome[]>();
  for (let run = 0; run < runs; run++) {
    for (const size of sizes) {
      // Alternate the order, so that no receiver always follows the same one.
      const order = run % 2 ? [...receivers].reverse() : receivers;
      for (const r of order) {
        const got = await oneRun(r, size, count, cpu, idle, python);
        const key = `${r} ${size}`;
        if (cpu && got.all === undefined) {
          // The kernel dropped some of the paced bursts: no CPU figure for this run.
          console.log(`run ${run + 1} ${key} B: ${got.received} of ${cpu}, lost some: not counted`);
          continue;
        }
        results.set(key, [...(results.get(key) ?? []), got]);
        const cost = cpu ? ` (cold ${got.cold!.toFixed(1)} µs, all ${got.all!.toFixed(1)} µs)` : "";
        console.log(`run ${run + 1} ${key} B: ${got.received}${cost}`);
      }
    }
  }
  console.log(`# load after: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (cpu) {
    console.log(
      `| receiver | size | CPU µs/datagram, first ${COLD} (median, min-max) | all ${cpu} | runs |`,
    );
  } else {
    console.log(`| receiver | size | median received of ${count} | min-max | runs |`);
  }
  console.log("| --- | --- | --- | --- | --- |");
  const cell = (xs: number[]) =>
    `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  for (const size of sizes) {
    for (const r of receivers) {
      const outcomes = results.get(`${r} ${size}`);
      if (!outcomes) {
        console.log(`| ${r} | ${size} B | no run without loss | | |`);
        continue;
      }
      const xs = outcomes.map((o) => o.received);
      if (cpu) {
        const cold = outcomes.map((o) => o.cold!);
        const all = outcomes.map((o) => o.all!);
        console.log(
          `| ${r} | ${size} B | ${cell(cold)} | ${cell(all)} | ${
            all.map((x) => x.toFixed(1)).join(", ")
          } |`,
        );
      } else {
        console.log(
          `| ${r} | ${size} B | ${median(xs)} | ${Math.min(...xs)}-${Math.max(...xs)} | ${
            xs.join(", ")
          } |`,
        );
      }
    }
  }
}

if (import.meta.main) await main();
