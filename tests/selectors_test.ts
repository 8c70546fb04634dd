// selectors, checked against CPython 3.11's test_selectors.py (its generic tests run for
// DefaultSelector, SelectSelector, PollSelector and EpollSelector, as CPython runs them on
// Linux), the echo server of Python's documentation, and the rule that nothing is lost.
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  RuntimeError,
  type SelectorKey,
  SelectorMapping,
} from "../selectors/mod.ts";
import { KeyError, OSError, SHUT_WR, Socket, ValueError } from "../socket/mod.ts";
import { StreamWrapper } from "../select/mod.ts";
import {
  bytes,
  concat,
  pattern,
  recvAll,
  runDenoFile,
  sameBytes,
  startPython,
  text,
  within,
} from "./_helpers.ts";
import { listener, readyFor, SELECTORS, serveEcho, SocketBag, timed } from "./_select_helpers.ts";

/** Loose enough for the untyped npm build of std: what the error-class argument accepts. */
// deno-lint-ignore no-explicit-any
type AnyError = new (...args: any[]) => Error;

for (const [name, Selector] of SELECTORS) {
  Deno.test(`${name}: register returns a SelectorKey with the fields given`, () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    const data = { any: "thing" };
    const key = s.register(rd, EVENT_READ, data);
    assertEquals(key, { fileobj: rd, fd: rd.fileno(), events: EVENT_READ, data });
    assert(key.fileobj === rd && key.data === data);
    assertEquals(s.register(wr, EVENT_WRITE).data, null);
  });

  Deno.test(`${name}: register validates events and descriptors, and refuses duplicates`, () => {
    using bag = new SocketBag();
    const [rd] = bag.pair();
    using s = new Selector();
    assertThrows(() => s.register(rd, 999999), ValueError, "Invalid events: 999999");
    assertThrows(() => s.register(rd, 0), ValueError, "Invalid events: 0");
    assertThrows(() => s.register(-10, EVENT_READ), ValueError, "Invalid file descriptor: -10");
    assertThrows(
      () => s.register({ fileno: () => "x" } as unknown as Socket, EVENT_READ),
      ValueError,
      "Invalid file object: ",
    );
    assertEquals(s.getMap()!.size, 0);
    s.register(rd, EVENT_READ);
    const twice = assertThrows(() => s.register(rd, EVENT_READ), KeyError as AnyError);
    assert(twice.message.endsWith(`(FD ${rd.fileno()}) is already registered`), twice.message);
    const byFd = assertThrows(() => s.register(rd.fileno(), EVENT_WRITE), KeyError as AnyError);
    assertEquals(byFd.message, `${rd.fileno()} (FD ${rd.fileno()}) is already registered`);
    assertEquals(s.getMap()!.size, 1);
  });

  Deno.test(`${name}: unregister returns the key; unknown or twice is a KeyError`, () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    const key = s.register(rd, EVENT_READ);
    assertThrows(() => s.unregister(wr), KeyError, "is not registered");
    assert(s.unregister(rd) === key);
    assertThrows(() => s.unregister(rd), KeyError, "is not registered");
    assertThrows(() => s.unregister(99_999), KeyError, "99999 is not registered");
  });

  Deno.test(`${name}: unregister works after the socket was closed, and after fd reuse`, () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    s.register(rd, EVENT_READ);
    s.register(wr, EVENT_WRITE);
    const fd = rd.fileno();
    rd.close();
    s.unregister(rd);
    // wr's pseudo descriptor is handed out again after close, lowest first, as the OS does.
    const wfd = wr.fileno();
    wr.close();
    const [again] = bag.add(new Socket());
    assertEquals(again.fileno(), Math.min(fd, wfd));
    s.unregister(wr);
    assertEquals(s.getMap()!.size, 0);
    s.register(again, EVENT_WRITE);
    assertEquals(s.getKey(again).fd, again.fileno());
  });

  Deno.test(`${name}: modify: new events give a new key; new data alone keeps the registration`, () => {
    using bag = new SocketBag();
    const [rd] = bag.pair();
    let registers = 0;
    let unregisters = 0;
    class Counting extends (Selector as new () => BaseSelector) {
      override register(fileobj: Socket | number, events: number, data: unknown = null) {
        registers++;
        return super.register(fileobj, events, data);
      }
      override unregister(fileobj: Socket | number) {
        unregisters++;
        return super.unregister(fileobj);
      }
    }
    using s = new Counting();
    const key = s.register(rd, EVENT_READ);
    const key2 = s.modify(rd, EVENT_WRITE);
    assert(key.events !== key2.events);
    assertEquals(key2, s.getKey(rd));
    assertEquals(key2.events, EVENT_WRITE);
    s.unregister(rd);

    const d1 = { d: 1 }, d2 = { d: 2 }, d3 = { d: 3 };
    const key3 = s.register(rd, EVENT_READ, d1);
    const key4 = s.modify(rd, EVENT_READ, d2);
    assertEquals(key3.events, key4.events);
    assert(key4.data === d2 && key3.data === d1);
    assertEquals(key4, s.getKey(rd));
    assertThrows(() => s.modify(999_999, EVENT_READ), KeyError, "999999 is not registered");
    // The shortcut: neither unregister nor register is called.
    const [before, beforeUn] = [registers, unregisters];
    const key5 = s.modify(rd, EVENT_READ, d3);
    assertEquals([registers, unregisters], [before, beforeUn]);
    assert(key5.data === d3 && s.getKey(rd) === key5);
    // Nothing changes: the same key.
    assert(s.modify(rd, EVENT_READ, d3) === key5);
  });

  Deno.test(`${name}: modify with events out of range: SelectSelector fails and unregisters, poll and epoll take them (CPython 3.11)`, () => {
    using bag = new SocketBag();
    const [rd] = bag.pair();
    using s = new Selector();
    s.register(rd, EVENT_READ);
    assertEquals(s.getMap()!.size, 1);
    if (name === "SelectSelector") {
      assertThrows(() => s.modify(rd, 999999), ValueError, "Invalid events: 999999");
      assertEquals(s.getMap()!.size, 0);
      assertThrows(() => s.getKey(rd), KeyError);
    } else {
      assertEquals(s.modify(rd, 999999).events, 999999);
      assertEquals(s.getMap()!.size, 1);
      assertThrows(() => s.modify(rd, "x" as unknown as number), TypeError);
    }
  });

  Deno.test(`${name}: close: getKey is a RuntimeError, the old mapping a KeyError`, async () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    const s = new Selector();
    s.register(rd, EVENT_READ);
    s.register(wr, EVENT_WRITE);
    const mapping = s.getMap()!;
    s.close();
    s.close();
    assertThrows(() => s.getKey(rd), RuntimeError, "Selector is closed");
    assertThrows(() => s.getKey(wr), RuntimeError, "Selector is closed");
    assertThrows(() => mapping.getItem(rd), KeyError);
    assertThrows(() => mapping.getItem(wr.fileno()), KeyError);
    assertEquals(mapping.size, 0);
    assertEquals(s.getMap(), null);
    assertInstanceOf(new RuntimeError("x"), Error);
    if (s instanceof EpollSelector) {
      assertThrows(() => s.fileno(), ValueError, "I/O operation on closed epoll object");
      await assertRejects(() => s.select(0), ValueError, "I/O operation on closed epoll object");
    }
  });

  Deno.test(`${name}: \`using\` closes the selector`, () => {
    using bag = new SocketBag();
    const [rd] = bag.pair();
    let escaped: BaseSelector;
    {
      using s = new Selector();
      s.register(rd, EVENT_READ);
      escaped = s;
    }
    assertEquals(escaped.getMap(), null);
    assertThrows(() => escaped.getKey(rd), RuntimeError);
  });

  Deno.test(`${name}: getKey returns the registered key; unknown is a KeyError`, () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    const key = s.register(rd, EVENT_READ, "data");
    assert(s.getKey(rd) === key);
    assert(s.getKey(rd.fileno()) === key);
    assertThrows(() => s.getKey(wr), KeyError, "is not registered");
    assertThrows(() => s.getKey(99_999), KeyError, "99999 is not registered");
  });

  Deno.test(`${name}: getMap is a live, read-only view keyed by fd that accepts file objects`, () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    const keys = s.getMap()!;
    assertInstanceOf(keys, SelectorMapping);
    assertEquals(keys.size, 0);
    assertEquals([...keys], []);
    const key = s.register(rd, EVENT_READ, "data");
    assert(keys === s.getMap());
    assertEquals(keys.size, 1);
    assert(keys.has(rd) && keys.has(rd.fileno()) && !keys.has(wr));
    assert(keys.getItem(rd) === key && keys.getItem(rd.fileno()) === key);
    assert(keys.get(wr) === undefined);
    assertThrows(() => keys.getItem(wr), KeyError, "is not registered");
    assertEquals([...keys], [rd.fileno()]);
    assertEquals([...keys.keys()], [rd.fileno()]);
    assertEquals([...keys.values()], [key]);
    assertEquals([...keys.entries()], [[rd.fileno(), key]]);
    // Read-only: no way to delete or set through the view (Python: `del keys[rd]` TypeError).
    const view = keys as unknown as Record<string, unknown>;
    assertEquals([view.delete, view.set, view.clear], [undefined, undefined, undefined]);
    s.register(wr, EVENT_WRITE);
    assertEquals(keys.size, 2);
    s.unregister(rd);
    assertEquals([...keys], [wr.fileno()]);
  });

  Deno.test(`${name}: select on a fresh socketpair: only the writer is ready`, async () => {
    using bag = new SocketBag();
    const [rd, wr] = bag.pair();
    using s = new Selector();
    s.register(rd, EVENT_READ);
    const wrKey = s.register(wr, EVENT_WRITE);
    const result = await s.select();
    assertEquals(result, [[wrKey, EVENT_WRITE]]);
    assert(result[0]![0] === wrKey);
  });

  Deno.test(`${name}: READ | WRITE are reported together for data sent before select`, async () => {
    using bag = new SocketBag();
    const [sock1, sock2] = bag.pair();
    using s = new Selector();
    await sock2.send(bytes("foo"));
    const myKey = s.register(sock1, EVENT_READ | EVENT_WRITE);
    const result = await s.select();
    assert(result.length <= 2);
    let seenRead = false, seenWrite = false;
    for (const [key, events] of result) {
      assert(key === myKey);
      assertEquals(events & ~(EVENT_READ | EVENT_WRITE), 0);
      if (events & EVENT_READ) {
        assert(!seenRead);
        seenRead = true;
      }
      if (events & EVENT_WRITE) {
        assert(!seenWrite);
        seenWrite = true;
      }
    }
    assert(seenRead && seenWrite, JSON.stringify(result.map(([, e]) => e)));
  });

  Deno.test(`${name}: 12 socketpairs: a write to a random one makes exactly its reader ready`, async () => {
    using bag = new SocketBag();
    using s = new Selector();
    const MSG = bytes(" This is a test.");
    const readers: Socket[] = [];
    let writers: Socket[] = [];
    const r2w = new Map<Socket, Socket>();
    const w2r = new Map<Socket, Socket>();
    for (let i = 0; i < 12; i++) {
      const [rd, wr] = bag.pair();
      s.register(rd, EVENT_READ);
      s.register(wr, EVENT_WRITE);
      readers.push(rd);
      writers.push(wr);
      r2w.set(rd, wr);
      w2r.set(wr, rd);
    }
    const bufs: Uint8Array[] = [];
    for (let round = 0; writers.length > 0 && round < 100; round++) {
      const readyWriters = readyFor(await within(s.select(), 5_000, "select"), EVENT_WRITE);
      assert(readyWriters.length > 0, "no sockets ready for writing");
      const wr = readyWriters[Math.floor(Math.random() * readyWriters.length)] as Socket;
      await wr.send(MSG);
      let readyReaders: unknown[] = [];
      for (let i = 0; i < 10 && readyReaders.length === 0; i++) {
        readyReaders = readyFor(await within(s.select(0.1), 5_000, "select"), EVENT_READ);
      }
      assertEquals(readyReaders, [w2r.get(wr)]);
      const rd = readyReaders[0] as Socket;
      const buf = await rd.recv(MSG.length);
      assertEquals(buf.length, MSG.length);
      bufs.push(buf);
      s.unregister(r2w.get(rd)!);
      s.unregister(rd);
      writers = writers.filter((w) => w !== r2w.get(rd));
    }
    assertEquals(bufs, Array(12).fill(MSG));
    assertEquals(readers.length, 12);
  });

  Deno.test(`${name}: an empty selector: select(0) is [], select(0.2) waits`, async () => {
    using s = new Selector();
    assertEquals(await s.select(0), []);
    const [result, waited] = await timed(() => s.select(0.2));
    assertEquals(result, []);
    assert(waited >= 150, `select(0.2) returned after ${waited} ms`);
  });

  Deno.test(`${name}: select(0) and select(-1) do not block; select(0.2) waits`, async () => {
    using bag = new SocketBag();
    const [rd] = bag.pair();
    using s = new Selector();
    s.register(rd, EVENT_READ);
    for (const timeout of [0, -1]) {
      const [result, took] = await timed(() => s.select(timeout));
      assertEquals(result, []);
      assert(took < 500, `select(${timeout}) took ${took} ms`);
    }
    const [result, waited] = await timed(() => s.select(0.2));
    assertEquals(result, []);
    assert(waited >= 150, `select(0.2) returned after ${waited} ms`);
  });

  Deno.test(`${name}: a select(0) loop with a ready writer still sees input arrive`, async () => {
    using bag = new SocketBag();
    const [server, client] = bag.add(listener(), new Socket());
    await client.connect(server.getsockname());
    const [conn] = bag.add((await server.accept())[0]);
    using s = new Selector();
    const key = s.register(conn, EVENT_READ | EVENT_WRITE);
    await client.send(bytes("late"));
    // Only event-loop turns complete a pending read: a loop finding the writer ready every
    // time must still let it land (CPython sees the bytes at once; a few calls are fine).
    let events = 0;
    for (let i = 0; i < 10_000 && !(events & EVENT_READ); i++) {
      const result = await s.select(0);
      assertEquals(result.length, 1);
      assert(result[0]![0] === key);
      events = result[0]![1];
    }
    assertEquals(events, EVENT_READ | EVENT_WRITE);
    assertEquals(text(await conn.recv(10)), "late");
  });

  Deno.test(`${name}: no byte lost by a select(0) loop while data is arriving`, async () => {
    using bag = new SocketBag();
    const [server, client] = bag.add(listener(), new Socket());
    await client.connect(server.getsockname());
    const [conn] = bag.add((await server.accept())[0]);
    using s = new Selector();
    s.register(conn, EVENT_READ);
    const payload = pattern(300_000);
    const sending = (async () => {
      for (let offset = 0; offset < payload.length; offset += 7_919) {
        await client.sendall(payload.subarray(offset, offset + 7_919));
        if (offset % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      client.close();
    })();
    const parts: Uint8Array[] = [];
    let eof = false;
    let empty = 0;
    const deadline = performance.now() + 20_000;
    while (!eof && performance.now() < deadline) {
      const ready = await s.select(0);
      if (ready.length === 0) {
        empty++;
        continue;
      }
      const data = await conn.recv(4096);
      if (data.length === 0) eof = true;
      else parts.push(data);
    }
    await sending;
    assert(eof, "no EOF in time");
    assert(empty > 0, "select(0) never came back empty: the loop did not race the data");
    assert(sameBytes(concat(parts), payload), "bytes lost or out of order");
  });
}

// ---- selector-specific behaviour -------------------------------------------------------------

Deno.test("EpollSelector: fileno() is a non-negative int; DefaultSelector is EpollSelector", () => {
  using s = new EpollSelector();
  assert(Number.isInteger(s.fileno()) && s.fileno() >= 0);
  using d = new DefaultSelector();
  assertInstanceOf(d, EpollSelector);
  assert(d.fileno() !== s.fileno());
});

Deno.test("a closed registered socket: SelectSelector raises EBADF, PollSelector reports it, EpollSelector drops it", async () => {
  using bag = new SocketBag();
  for (const [name, Selector] of SELECTORS.slice(1)) {
    const [rd] = bag.pair();
    using s = new Selector();
    const key = s.register(rd, EVENT_READ);
    rd.close();
    if (name === "SelectSelector") {
      const error = await assertRejects(() => s.select(0), OSError as AnyError);
      assertEquals(error.errno, 9);
    } else if (name === "PollSelector") {
      assertEquals(await s.select(0), [[key, EVENT_READ]]);
    } else {
      assertEquals(await s.select(0), []);
    }
    s.unregister(rd);
  }
});

Deno.test("EpollSelector: registering a descriptor that is not open is OSError EBADF, not kept", () => {
  using s = new EpollSelector();
  const error = assertThrows(() => s.register(99_999, EVENT_READ), OSError as AnyError);
  assertEquals(error.errno, 9);
  assertThrows(() => s.getKey(99_999), KeyError);
});

// ---- the echo server of Python's documentation -------------------------------------------------

/** A python3 client opening `n` connections at once, each echoing a message of its own. */
const PY_CLIENTS = `
import selectors, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
def message(i):
    return (b"client %d says hello " % i) * (1 + (i * 13) % 300)
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(30)
    socks.append(s)
for i, s in enumerate(socks):
    s.sendall(message(i))
    s.shutdown(socket.SHUT_WR)
bad = 0
for i, s in enumerate(socks):
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    if bytes(got) != message(i):
        bad += 1
    s.close()
print("done", n, "bad", bad)
`;

Deno.test("echo server (selectors, as in Python's docs): 200 concurrent python3 clients", async () => {
  using server = listener(511);
  const port = (server.getsockname() as [string, number])[1];
  await using py = startPython(PY_CLIENTS, [String(port), "200"]);
  const served = await within(serveEcho(server, 200), 60_000, "echo server");
  assertEquals(served, { accepted: 200, closed: 200 });
  assertEquals(await py.readLine(), "done 200 bad 0");
  assertEquals((await py.finish()).code, 0);
});

Deno.test("echo server (selectors, as in Python's docs): 200 concurrent clients of our own", async () => {
  for (const [name, Selector] of [SELECTORS[0]!, SELECTORS[1]!]) {
    using server = listener(511);
    const message = (i: number) => bytes(`${name} client ${i} `.repeat(1 + (i * 17) % 400));
    const clients = Array.from({ length: 200 }, async (_, i) => {
      using sock = new Socket();
      await sock.connect(server.getsockname());
      await sock.sendall(message(i));
      sock.shutdown(SHUT_WR);
      return sameBytes(await recvAll(sock), message(i));
    });
    const serving = serveEcho(server, 200, 60_000, () => new Selector());
    const [served, results] = await within(
      Promise.all([serving, Promise.all(clients)]),
      60_000,
      "echo round",
    );
    assertEquals(served, { accepted: 200, closed: 200 });
    assertEquals(results.filter((ok) => !ok).length, 0, `${name}: clients got wrong bytes`);
  }
});

Deno.test("selectors: keys are SelectorKey objects of the registered file object", () => {
  using bag = new SocketBag();
  const [rd] = bag.pair();
  using s = new DefaultSelector<string>();
  const key: SelectorKey<string> = s.register(rd, EVENT_READ, "x");
  assert(Object.isFrozen(key));
  assertEquals(Object.keys(key), ["fileobj", "fd", "events", "data"]);
});

Deno.test("selectors: a listener reports each waiting connection in turn (accept re-arms)", async () => {
  for (const [name, Selector] of SELECTORS) {
    using bag = new SocketBag();
    const [server] = bag.add(listener());
    server.setblocking(false);
    using s = new Selector();
    const key = s.register(server, EVENT_READ);
    for (let i = 0; i < 3; i++) {
      const [client] = bag.add(new Socket());
      await client.connect(server.getsockname());
    }
    for (let i = 0; i < 3; i++) {
      assertEquals(await within(s.select(5), 10_000, "select"), [[key, EVENT_READ]], name);
      bag.add((await server.accept())[0]);
    }
    assertEquals(await s.select(0), [], name);
  }
});

Deno.test("StreamWrapper: a python3 child's stdout registered with a selector, read back exactly", async () => {
  const child = new Deno.Command("python3", {
    args: [
      "-u",
      "-c",
      "import sys, time\nfor i in range(30):\n  sys.stdout.write('%d,' % i * 50)\n  time.sleep(0.003)",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  using out = new StreamWrapper(child.stdout);
  using s = new DefaultSelector<string>();
  const key = s.register(out, EVENT_READ, "child");
  assertEquals(key.fd, out.fileno());
  const parts: Uint8Array[] = [];
  let eof = false;
  try {
    for (let i = 0; i < 1_000 && !eof; i++) {
      const ready = await within(s.select(5), 10_000, "select");
      assertEquals(ready, [[key, EVENT_READ]]);
      const data = await out.read(512);
      if (data.length === 0) eof = true;
      else parts.push(data);
    }
  } finally {
    if (!eof) child.kill("SIGKILL");
    await child.status;
  }
  assert(eof, "no EOF");
  let expected = "";
  for (let i = 0; i < 30; i++) expected += `${i},`.repeat(50);
  assertEquals(text(concat(parts)), expected);
  s.unregister(out);
});

Deno.test("examples/select_echo_server.ts: --demo serves its own two clients and exits 0", async () => {
  const example = new URL("../examples/select_echo_server.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await runDenoFile(example, ["--allow-net=127.0.0.1"], [
    "--demo",
  ]);
  assertEquals(code, 0, stderr);
  const lines = stdout.split("\n");
  assert(/^port \d+$/.test(lines[0]!), lines[0]);
  assertEquals(lines.filter((line) => line.startsWith("accepted ")).length, 2);
  assertEquals(lines.filter((line) => line.startsWith("closing ")).length, 2);
  assertEquals(lines.filter((line) => line.endsWith(": ok")).length, 2);
});

Deno.test("examples/select_echo_server.ts: serves --clients 3 python3 clients, then exits", async () => {
  const example = new URL("../examples/select_echo_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--allow-net=127.0.0.1", example, "--clients", "3"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const first = await within(lines.read(), 30_000, "port line");
    const port = /^port (\d+)\n/.exec(first.value ?? "")?.[1] ?? "";
    assert(port, `no port line: ${first.value}`);
    await using py = startPython(PY_CLIENTS, [port, "3"]);
    assertEquals(await py.readLine(), "done 3 bad 0");
    assertEquals((await within(child.status, 30_000, "example exit")).code, 0);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await child.status;
    while (!(await lines.read()).done) {
      // Drains the rest of the output.
    }
  }
});

Deno.test("selectors: a timeout that is not a number is refused instead of spinning", async () => {
  using s = new DefaultSelector();
  await assertRejects(
    () => s.select("x" as unknown as number),
    TypeError,
    "'<=' not supported between instances of 'str' and 'int'",
  );
  await assertRejects(() => s.select(NaN), ValueError, "cannot convert float NaN to integer");
});

Deno.test("selectors: two select() calls waiting on one selector are both woken", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using s = new DefaultSelector();
  const key = s.register(b, EVENT_READ);
  const first = s.select();
  const second = s.select();
  await a.send(bytes("x"));
  const [r1, r2] = await within(Promise.all([first, second]), 10_000, "both selects");
  // Level-triggered, as two threads in epoll_wait on one level-triggered descriptor.
  assertEquals(r1, [[key, EVENT_READ]]);
  assertEquals(r2, [[key, EVENT_READ]]);
});
