// select_bench's worker: the process under test. It listens, takes the peer's connections,
// registers them with the implementation under test and times the wake-ups (see
// select_bench.ts for the method).
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import { poll, POLLIN, select } from "../select/mod.ts";
import { IPPROTO_TCP, Socket, TCP_NODELAY } from "../socket/mod.ts";
import { acceptAll } from "./_harness.ts";
import process from "node:process";
import {
  GO,
  type Kind,
  MAX_EMPTY_WAITS,
  type MemPoint,
  PING,
  type PynetMem,
  WAIT_S,
  type WorkerResult,
} from "./_select_shared.ts";

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass can leave weakly held garbage that only the second frees.
  collect?.();
  collect?.();
}

function memPoint(): MemPoint {
  gc();
  const m = Deno.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
}

/** This process's CPU time so far (user + system), µs. */
function cpuTotal(): number {
  const used = process.cpuUsage();
  return used.user + used.system;
}

/** The steps of one timed iteration, whatever the implementation. */
interface Loop {
  send(): Promise<void>;
  /** Resolves true once the busy connection is reported readable. */
  wait(timeout: number): Promise<boolean>;
  recv(): Promise<Uint8Array>;
}

/** The timed loop; returns the samples (µs) and the process's CPU time per iteration (µs). */
async function timedLoop(loop: Loop, iters: number, warmup: number): Promise<[number[], number]> {
  const samples: number[] = [];
  let cpu = process.cpuUsage();
  for (let i = 0; i < warmup + iters; i++) {
    if (i === warmup) cpu = process.cpuUsage();
    const t0 = performance.now();
    await loop.send();
    let empty = 0;
    while (!(await loop.wait(WAIT_S))) {
      if (++empty > MAX_EMPTY_WAITS) {
        throw new Error(`iteration ${i}: the busy socket never became readable`);
      }
    }
    const t1 = performance.now();
    const echo = await loop.recv();
    if (echo.length !== 1 || echo[0] !== PING) {
      throw new Error(`iteration ${i}: the echo does not match`);
    }
    if (i >= warmup) samples.push((t1 - t0) * 1000);
  }
  const used = process.cpuUsage(cpu);
  return [samples, (used.user + used.system) / iters];
}

/** Runs the timed loop, then prints the worker's result line with its memory points. */
async function timeAndReport(
  loop: Loop,
  iters: number,
  warmup: number,
  mem: Omit<PynetMem, "after">,
): Promise<void> {
  const [samples, cpuPerIter] = await timedLoop(loop, iters, warmup);
  const after = memPoint();
  const result: WorkerResult = {
    samples,
    cpuPerIter,
    cpuTotal: cpuTotal(),
    mem: { ...mem, after },
  };
  console.log(JSON.stringify(result));
}

async function worker(
  kind: "selector" | "poll" | "select",
  n: number,
  iters: number,
  warmup: number,
  batch: number,
) {
  const listener = new Socket();
  listener.bind(["127.0.0.1", 0]);
  listener.listen(1024);
  console.log(String(listener.getsockname()[1]));
  const [busy, idle, base] = await acceptAll(
    n,
    batch,
    async () => (await listener.accept())[0],
    (busy) => busy.sendall(GO),
    memPoint,
  );
  busy.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const socks = [busy, ...idle];
  const accepted = memPoint();

  const sel = new DefaultSelector();
  const p = poll();
  const busyFd = busy.fileno();
  let wait: (timeout: number) => Promise<boolean>;
  if (kind === "selector") {
    for (const s of socks) sel.register(s, EVENT_READ);
    wait = async (t) => (await sel.select(t)).some(([key]) => key.fileobj === busy);
  } else if (kind === "poll") {
    for (const s of socks) p.register(s, POLLIN);
    wait = async (t) => (await p.poll(t * 1000)).some(([fd]) => fd === busyFd);
  } else {
    wait = async (t) => (await select(socks, [], [], t))[0].includes(busy);
  }
  // A zero-timeout wait arms every read-ahead (select() does it per call), so the memory
  // figure below is what N idle sockets cost while they wait.
  await wait(0);
  const registered = memPoint();

  const ping = new Uint8Array([PING]);
  await timeAndReport(
    {
      send: async () => void await busy.send(ping),
      wait,
      recv: () => busy.recv(16),
    },
    iters,
    warmup,
    { base, accepted, registered },
  );
  sel.close();
  for (const s of socks) s.close();
  listener.close();
}

/**
 * The reference under pynet: Deno's own connections, each idle one with a pending 4 KiB read
 * (what pynet's read-ahead amounts to), the busy one read directly. No readiness layer at all,
 * so this is the floor any Deno implementation of select can reach on this machine.
 */
async function rawWorker(n: number, iters: number, warmup: number, batch: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(String((listener.addr as Deno.NetAddr).port));
  const [busy, idle, base] = await acceptAll(
    n,
    batch,
    () => listener.accept(),
    async (busy) => void await busy.write(GO),
    memPoint,
  );
  busy.setNoDelay(true);
  const accepted = memPoint();
  // Closing the connections at exit rejects these reads; nothing to report then.
  for (const conn of idle) conn.read(new Uint8Array(4096)).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 10));
  const registered = memPoint();

  const ping = new Uint8Array([PING]);
  const buf = new Uint8Array(16);
  let got = 0;
  await timeAndReport(
    {
      send: async () => void await busy.write(ping),
      wait: async () => (got = (await busy.read(buf)) ?? 0) > 0,
      recv: () => Promise.resolve(buf.subarray(0, got)),
    },
    iters,
    warmup,
    { base, accepted, registered },
  );
  for (const conn of [busy, ...idle]) conn.close();
  listener.close();
}

/**
 * The client's ends of `n` idle and one busy connection, opened by this process to its own
 * `listen`ing port, with the server's ends from `accept`.
 */
async function connectOwn<S>(
  port: number,
  n: number,
  accept: () => Promise<S>,
): Promise<{ clients: Deno.TcpConn[]; servers: S[] }> {
  const clients: Deno.TcpConn[] = [];
  const servers: S[] = [];
  for (let i = 0; i <= n; i++) {
    const connecting = Deno.connect({ hostname: "127.0.0.1", port });
    servers.push(await accept());
    clients.push(await connecting);
  }
  clients[0]!.setNoDelay(true);
  return { clients, servers };
}

/**
 * In-process mode, pynet: the connections' client ends are this process's own (Deno's
 * connections); the server ends are pynet sockets registered with a `DefaultSelector`. The
 * client writes a byte on the busy connection; timed until the selector reports it readable.
 * `select()` waits without a timeout, as an event loop does with nothing scheduled and as the
 * reference row waits; `timed` passes the harness's 5 s instead, and then each wait also
 * makes and clears a Deno timer.
 */
async function selectorInprocWorker(n: number, iters: number, warmup: number, timed: boolean) {
  const listener = new Socket();
  listener.bind(["127.0.0.1", 0]);
  listener.listen(1024);
  console.log("0"); // no peer to start
  const base = memPoint();
  const { clients, servers } = await connectOwn(
    listener.getsockname()[1] as number,
    n,
    async () => (await listener.accept())[0],
  );
  const accepted = memPoint();
  const busy = servers[0]!;
  const sel = new DefaultSelector();
  for (const s of servers) sel.register(s, EVENT_READ);
  await sel.select(0); // every read-ahead armed
  const registered = memPoint();
  const ping = new Uint8Array([PING]);
  await timeAndReport(
    {
      send: async () => void await clients[0]!.write(ping),
      wait: async (t) =>
        (await sel.select(timed ? t : null)).some((pair) => pair[0].fileobj === busy),
      recv: () => busy.recv(16),
    },
    iters,
    warmup,
    { base, accepted, registered },
  );
  sel.close();
  for (const s of servers) s.close();
  for (const c of clients) c.close();
  listener.close();
}

/**
 * In-process mode, the floor under pynet: Deno's own connections, each server end with a
 * pending 4 KiB read that, once it resolves, puts the connection in a ready queue and wakes
 * the waiter (what a selector does, without pynet); taking it from the queue reads again.
 */
async function rawInprocWorker(n: number, iters: number, warmup: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log("0"); // no peer to start
  const base = memPoint();
  const { clients, servers } = await connectOwn(
    (listener.addr as Deno.NetAddr).port,
    n,
    () => listener.accept(),
  );
  const accepted = memPoint();
  const busy = servers[0]!;
  const queue: [Deno.Conn, Uint8Array][] = [];
  let wake: (() => void) | null = null;
  const arm = (conn: Deno.Conn) => {
    const buf = new Uint8Array(4096);
    // Closing the connections at exit rejects these reads; nothing to report then.
    conn.read(buf).then((got) => {
      queue.push([conn, buf.subarray(0, got ?? 0)]);
      const waker = wake;
      wake = null;
      waker?.();
    }, () => {});
  };
  for (const conn of servers) arm(conn);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const registered = memPoint();
  const ping = new Uint8Array([PING]);
  await timeAndReport(
    {
      send: async () => void await clients[0]!.write(ping),
      wait: async () => {
        if (queue.length === 0) await new Promise<void>((resolve) => wake = resolve);
        return queue.some((item) => item[0] === busy);
      },
      recv: () => {
        const i = queue.findIndex((item) => item[0] === busy);
        const [conn, data] = queue.splice(i, 1)[0]!;
        arm(conn);
        return Promise.resolve(data);
      },
    },
    iters,
    warmup,
    { base, accepted, registered },
  );
  for (const conn of [...servers, ...clients]) conn.close();
  listener.close();
}

/** The worker's entry: `KIND N ITERS WARMUP BATCH`, as select_bench.ts passes them. */
export async function runWorker(args: readonly string[]): Promise<void> {
  const [kind, ...rest] = args;
  const [n, iters, warmup, batch] = rest.map(Number) as [number, number, number, number];
  const k = kind as Kind;
  if (k === "raw") await rawWorker(n, iters, warmup, batch);
  else if (k === "raw-inproc") await rawInprocWorker(n, iters, warmup);
  else if (k === "selector-inproc") await selectorInprocWorker(n, iters, warmup, false);
  else if (k === "selector-inproc-timed") await selectorInprocWorker(n, iters, warmup, true);
  else if (k === "selector" || k === "poll" || k === "select") {
    await worker(k, n, iters, warmup, batch);
  } else throw new Error(`unknown worker kind ${kind}`);
}
