/**
 * UDP receive under a burst: how many of a burst of datagrams a receiver gets, for pynet's
 * blocking `recvfrom(65536)` loop beside raw Deno's `await conn.receive(buf)` loop. A
 * receiver that costs more per datagram drains the kernel's receive buffer more slowly, and
 * the kernel drops what overflows it.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --import-map=import_map.json --unstable-net --allow-run \
 *   --allow-read --allow-sys=loadavg --allow-net=127.0.0.1 bench/udp_receive_bench.ts
 * ```
 *
 * Each run is a fresh pair of processes: a receiver (this script with `--receiver raw` or
 * `--receiver pynet`) binds 127.0.0.1:0 and prints its port; python3 running
 * {@linkcode BLASTER} sends `--count` datagrams of `--size` bytes to it as fast as it can
 * (no pacing). The receiver counts datagrams until none came for `--idle` seconds, and prints
 * the count. The receivers alternate, run after run, so that a change of machine load falls on
 * both; the table gives the median and the range of each.
 *
 * Flags: `--count 3000`, `--sizes 64,1400`, `--runs 5` (runs per receiver and size),
 * `--idle 0.5`, `--python python3`.
 *
 * @module
 */
import { AF_INET, SOCK_DGRAM, Socket } from "../socket/mod.ts";

const COMMAND = "./tools/node_modules/.bin/deno run --import-map=import_map.json " +
  "--unstable-net --allow-run --allow-read --allow-sys=loadavg --allow-net=127.0.0.1 bench/udp_receive_bench.ts";

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

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1]! : fallback;
}

/** Prints the count once no datagram came for `idle` seconds since the first one. */
function reportWhenIdle(counter: { n: number }, idle: number): void {
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

async function receiveRaw(idle: number): Promise<void> {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  console.log(JSON.stringify({ port: (conn.addr as Deno.NetAddr).port }));
  const counter = { n: 0 };
  reportWhenIdle(counter, idle);
  const buf = new Uint8Array(65536);
  for (;;) {
    const [_data, _addr] = await conn.receive(buf);
    counter.n++;
  }
}

async function receivePynet(idle: number): Promise<void> {
  const sock = new Socket(AF_INET, SOCK_DGRAM);
  sock.bind(["127.0.0.1", 0]);
  console.log(JSON.stringify({ port: (sock.getsockname() as [string, number])[1] }));
  const counter = { n: 0 };
  reportWhenIdle(counter, idle);
  for (;;) {
    const [_data, _addr] = await sock.recvfrom(65536);
    counter.n++;
  }
}

async function oneRun(
  receiver: string,
  size: number,
  count: number,
  idle: number,
  python: string,
): Promise<number> {
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
  const sender = await new Deno.Command(python, {
    args: ["-c", BLASTER, String(port), String(count), String(size)],
  }).output();
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
  return JSON.parse(line).received as number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const idle = Number(flag("idle", "0.5"));
  const receiver = flag("receiver", "");
  if (receiver === "raw") return await receiveRaw(idle);
  if (receiver === "pynet") return await receivePynet(idle);
  const count = Number(flag("count", "3000"));
  const sizes = flag("sizes", "64,1400").split(",").map(Number);
  const runs = Number(flag("runs", "5"));
  const python = flag("python", "python3");
  const receivers = ["raw", "pynet"];
  console.log(`# ${COMMAND} --count ${count} --sizes ${sizes} --runs ${runs}`);
  console.log(`# load before: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const results = new Map<string, number[]>();
  for (let run = 0; run < runs; run++) {
    for (const size of sizes) {
      // Alternate which receiver goes first, so neither always follows the other.
      const order = run % 2 ? [...receivers].reverse() : receivers;
      for (const r of order) {
        const got = await oneRun(r, size, count, idle, python);
        const key = `${r} ${size}`;
        results.set(key, [...(results.get(key) ?? []), got]);
        console.log(`run ${run + 1} ${key} B: ${got}`);
      }
    }
  }
  console.log(`# load after: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`| receiver | size | median received of ${count} | min-max | runs |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const size of sizes) {
    for (const r of receivers) {
      const xs = results.get(`${r} ${size}`)!;
      console.log(
        `| ${r} | ${size} B | ${median(xs)} | ${Math.min(...xs)}-${Math.max(...xs)} | ${
          xs.join(", ")
        } |`,
      );
    }
  }
}

if (import.meta.main) await main();
