// A listening socket under hostile peers: a connection reset before accept() never makes
// accept() fail, and after an error that is the listener's own (EMFILE), select(), poll,
// epoll and every selector report the listener readable again when a connection waits.
import { assert, assertEquals } from "@std/assert";
import { createServer, type Socket } from "../socket/mod.ts";
import { epoll, EPOLLIN, poll, POLLIN, select } from "../select/mod.ts";
import { DefaultSelector, EVENT_READ, PollSelector, SelectSelector } from "../selectors/mod.ts";
import { runCommand, startPython, text, within } from "./_helpers.ts";

/** A way of waiting until a listener has a connection, as a server would. */
interface Waiter extends Disposable {
  /** Whether the listener was reported readable within 10 s. */
  readable(): Promise<boolean>;
}

/** Every way a pynet server waits for its listener: accept() itself, select, poll, epoll, selectors. */
const WAITERS: [string, (listener: Socket) => Waiter][] = [
  ["accept()", () => ({ readable: () => Promise.resolve(true), [Symbol.dispose]() {} })],
  ["select.select()", (listener) => ({
    readable: async () => (await select([listener], [], [], 10))[0].length > 0,
    [Symbol.dispose]() {},
  })],
  ["select.poll()", (listener) => {
    const p = poll();
    p.register(listener, POLLIN);
    return {
      readable: async () => (await p.poll(10_000)).length > 0,
      [Symbol.dispose]: () => p.unregister(listener),
    };
  }],
  ["select.epoll()", (listener) => {
    const ep = epoll();
    ep.register(listener, EPOLLIN);
    return {
      readable: async () => (await ep.poll(10)).length > 0,
      [Symbol.dispose]: () => ep.close(),
    };
  }],
  ...([
    ["DefaultSelector", DefaultSelector],
    ["SelectSelector", SelectSelector],
    ["PollSelector", PollSelector],
  ] as const).map(([name, Selector]): [string, (listener: Socket) => Waiter] => [
    name,
    (listener) => {
      const sel = new Selector();
      sel.register(listener, EVENT_READ);
      return {
        readable: async () => (await sel.select(10)).length > 0,
        [Symbol.dispose]: () => sel.close(),
      };
    },
  ]),
];

// CPython connects and resets (SO_LINGER 0) `count` times before the server looks, then a
// well-behaved client sends "hello" and expects it back.
const RST_THEN_HELLO = `
import socket, struct, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
print("reset", flush=True)
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    s.sendall(b"hello")
    print(s.recv(100).decode())
`;

for (const [name, makeWaiter] of WAITERS) {
  Deno.test(`listener: connections reset before accept never fail accept() (${name})`, async () => {
    using server = createServer(["127.0.0.1", 0]);
    const [, port] = server.getsockname() as [string, number];
    await using py = startPython(RST_THEN_HELLO, [String(port), "5"]);
    // The five dead connections wait in the backlog before the listener is watched, so each
    // one reaches Deno's accept (which fails on it) before the live one.
    assertEquals(await py.readLine(), "reset");
    using waiter = makeWaiter(server);
    if (name !== "accept()") server.setblocking(false);
    else server.settimeout(10);
    assert(await within(waiter.readable(), 15_000, "readiness"), "listener never readable");
    // Pynet skips a connection that died before accept (Deno has closed it already and
    // never told its address): the first connection accepted is the live one.
    const [conn] = await within(server.accept(), 15_000, "accept");
    using _conn = conn;
    conn.settimeout(10);
    const data = await conn.recv(100);
    assertEquals(text(data), "hello");
    await conn.sendall(data);
    assertEquals(await py.readLine(), "hello");
    assertEquals((await py.finish()).code, 0);
  });
}

// A child with few descriptors: once they are all used, accept() fails with EMFILE. Then a few
// descriptors are freed, and the listener must be reported readable again and the waiting
// connection accepted, for each way of waiting, in turn.
const EMFILE_CHILD = (root: string) => `
import { createServer, OSError } from "${root}socket/mod.ts";
import { EPOLLIN, epoll, poll, POLLIN, select } from "${root}select/mod.ts";
import { DefaultSelector, EVENT_READ, PollSelector, SelectSelector } from "${root}selectors/mod.ts";

let server;
const fillers = [];
const fill = () => { try { for (;;) fillers.push(Deno.openSync("/dev/null")); } catch { /* EMFILE */ } };
const free = (n) => { for (let i = 0; i < n && fillers.length; i++) fillers.pop().close(); };

function waiterFor(kind) {
  switch (kind) {
    case "accept()": return { readable: async () => true, close() {} };
    case "select.select()": return { readable: async () => (await select([server], [], [], 10))[0].length > 0, close() {} };
    case "select.poll()": { const p = poll(); p.register(server, POLLIN); return { readable: async () => (await p.poll(10000)).length > 0, close: () => p.unregister(server) }; }
    case "select.epoll()": { const ep = epoll(); ep.register(server, EPOLLIN); return { readable: async () => (await ep.poll(10)).length > 0, close: () => ep.close() }; }
    default: {
      const Selector = { DefaultSelector, SelectSelector, PollSelector }[kind];
      const sel = new Selector(); sel.register(server, EVENT_READ);
      return { readable: async () => (await sel.select(10)).length > 0, close: () => sel.close() };
    }
  }
}

for (const kind of Deno.args) {
  // A listener of its own: nothing accepts ahead until the waiter is set up.
  server = createServer(["127.0.0.1", 0]);
  const [host, port] = server.getsockname();
  const client = await Deno.connect({ hostname: host, port });
  fill();
  const waiter = waiterFor(kind);
  if (kind === "accept()") server.settimeout(10); else server.setblocking(false);
  let firstError = null, served = false, tries = 0, readable = await waiter.readable();
  try { (await server.accept())[0].close(); } catch (e) { firstError = e instanceof OSError ? e.errno : String(e); }
  // Three: Deno itself may need a pair of descriptors while it waits (it panics without them).
  free(3);
  // An error met by an accept that ran ahead may be reported once more (as a level-triggered
  // loop meets EMFILE again until a descriptor is free), then the connection comes.
  while (readable && !served && tries < 3) {
    tries++;
    readable = await waiter.readable();
    if (!readable) break;
    try { (await server.accept())[0].close(); served = true; } catch (e) { if (!(e instanceof OSError)) throw e; }
  }
  waiter.close();
  client.close();
  server.close();
  free(fillers.length);
  console.log(JSON.stringify({ kind, firstError, readable, served }));
}
`;

Deno.test("listener: after an accept error (EMFILE), every way of waiting sees the next connection", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pynet-emfile-" });
  try {
    const file = `${dir}/child.ts`;
    await Deno.writeTextFile(file, EMFILE_CHILD(new URL("../", import.meta.url).href));
    const kinds = WAITERS.map(([name]) => name);
    // `ulimit -n` lowers both limits, so Deno cannot raise its own at startup.
    const { code, stdout, stderr } = await runCommand(
      "sh",
      [
        "-c",
        'ulimit -n 128 && exec "$0" run --no-config --no-lock --allow-net=127.0.0.1 ' +
        '--allow-read=/dev/null "$@"',
        Deno.execPath(),
        file,
        ...kinds,
      ],
      120_000,
      "EMFILE child",
    );
    assertEquals(code, 0, stderr);
    const results = stdout.trim().split("\n").map((line) => JSON.parse(line));
    assertEquals(
      results,
      kinds.map((kind) => ({ kind, firstError: 24, readable: true, served: true })),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
