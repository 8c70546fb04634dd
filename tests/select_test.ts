// select.select(), poll() and epoll(), checked against CPython 3.11 (test_select.py and
// scenarios run in python3): argument errors, readiness over socketpairs and real TCP on
// loopback, and the rule that nothing read ahead is ever lost.
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import {
  Epoll,
  epoll,
  EPOLLERR,
  EPOLLET,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  poll,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  select,
  StreamWrapper,
} from "../select/mod.ts";
import {
  BlockingIOError,
  FileExistsError,
  FileNotFoundError,
  KeyError,
  OSError,
  OverflowError,
  SO_ERROR,
  Socket,
  SOL_SOCKET,
  ValueError,
} from "../socket/mod.ts";
import { bytes, concat, pattern, sameBytes, sleep, startPython, text, within } from "./_helpers.ts";
import { freePort, listener, SocketBag, timed } from "./_select_helpers.ts";

/** Loose enough for the untyped npm build of std: what the error-class argument accepts. */
// deno-lint-ignore no-explicit-any
type AnyError = new (...args: any[]) => Error;

/** Polls `p` (with `ms`-millisecond waits) until `done(result)` holds or 5 s pass. */
async function pollUntil(
  p: { poll(timeout: number): Promise<[number, number][]> },
  done: (result: [number, number][]) => boolean,
  ms = 50,
): Promise<[number, number][]> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const result = await p.poll(ms);
    if (done(result) || performance.now() > deadline) return result;
  }
}

/** The events reported for `fd` in a poll result (0 when absent). */
function eventsFor(result: [number, number][], fd: number): number {
  return result.find(([reported]) => reported === fd)?.[1] ?? 0;
}

// ---- select.select(): test_select.py ---------------------------------------------------------

Deno.test("select: non-sequence arguments are a TypeError (select(1, 2, 3))", async () => {
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => (select as any)(1, 2, 3),
    TypeError,
    "arguments 1-3 must be sequences",
  );
});

Deno.test("select: an object without fileno() is a TypeError", async () => {
  await assertRejects(
    () => select([{}] as never[], [], []),
    TypeError,
    "argument must be an int, or have a fileno() method.",
  );
});

Deno.test("select: fileno() returning a non-integer is a TypeError", async () => {
  const bad = { fileno: () => "not an int" as unknown as number };
  await assertRejects(() => select([], [bad], [], 0), TypeError, "fileno() returned a non-integer");
});

Deno.test("select: a timeout that is not a number is a TypeError", async () => {
  await assertRejects(
    () => select([], [], [], "not a number" as unknown as number),
    TypeError,
    "timeout must be a float or None",
  );
});

Deno.test("select: a negative timeout is a ValueError, checked before the lists", async () => {
  await assertRejects(() => select([], [], [], -1), ValueError, "timeout must be non-negative");
  // CPython converts the timeout first: the bad object is never looked at.
  await assertRejects(
    () => select([{}] as never[], [], [], -1),
    ValueError,
    "timeout must be non-negative",
  );
  await assertRejects(
    () => select([], [], [], NaN),
    ValueError,
    "Invalid value NaN (not a number)",
  );
});

Deno.test("select: errors reject the Promise instead of throwing synchronously", async () => {
  let promise: Promise<unknown> | undefined;
  // deno-lint-ignore no-explicit-any
  const call = () => promise = (select as any)(1, 2, 3);
  call();
  assertInstanceOf(promise, Promise);
  await assertRejects(() => promise!, TypeError);
});

Deno.test("select: a closed socket is a ValueError (its fileno() is -1)", async () => {
  const sock = new Socket();
  sock.close();
  await assertRejects(
    () => select([sock], [], [], 0),
    ValueError,
    "file descriptor cannot be a negative integer (-1)",
  );
});

Deno.test("select: a closed descriptor number is OSError EBADF (test_errno)", async () => {
  const [a, b] = new SocketBag().pair();
  const fd = a.fileno();
  a.close();
  b.close();
  const error = await assertRejects(() => select([fd], [], [], 0), OSError as AnyError);
  assertEquals(error.errno, 9);
  assertEquals(error.message, "[Errno 9] Bad file descriptor");
});

Deno.test("select: the three returned lists are distinct objects", async () => {
  using bag = new SocketBag();
  const [a] = bag.pair();
  for (const lists of [await select([], [], [], 0), await select([a], [a], [a], 0)]) {
    const [r, w, x] = lists;
    assert(r !== w && r !== x && w !== x);
  }
});

Deno.test("select: a child's pipe with timeouts 0, 10, 20, 40 ms and none, to EOF (test_select)", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "for i in 0 1 2 3 4 5 6 7 8 9; do echo testing...; sleep 0.02; done"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  using pipe = new StreamWrapper(child.stdout);
  const received: Uint8Array[] = [];
  let eof = false;
  try {
    for (const tout of [0, 0.01, 0.02, 0.04, ...Array<null>(40).fill(null)]) {
      const [rfd, wfd, xfd] = await within(select([pipe], [], [], tout), 5_000, "select");
      assertEquals(wfd, []);
      assertEquals(xfd, []);
      if (rfd.length === 0) continue;
      assertEquals(rfd, [pipe]);
      const data = await pipe.read();
      if (data.length === 0) {
        eof = true;
        break;
      }
      received.push(data);
    }
  } finally {
    if (!eof) child.kill("SIGKILL");
    await child.status;
  }
  assert(eof, "EOF was never readable");
  assertEquals(text(concat(received)), "testing...\n".repeat(10));
});

Deno.test("select: readiness of a socketpair, the caller's objects back in order", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  const [c, d] = bag.pair();
  // Fresh: both ends writable, nothing readable; nothing is ever exceptional.
  assertEquals(await select([a, b, c, d], [d, c], [a, b], 0), [[], [d, c], []]);
  await c.send(bytes("x"));
  const [r, w] = await select([a, b, c, d], [b], [], 5);
  assertEquals(r, [d]);
  assertEquals(w, [b]);
  // The same object in two lists, and a descriptor number instead of the socket.
  assertEquals(await select([d, d.fileno()], [d.fileno()], [], 5), [[d, d.fileno()], [
    d.fileno(),
  ], []]);
  assertEquals(text(await d.recv(10)), "x");
  assertEquals(await select([d], [], [], 0), [[], [], []]);
});

Deno.test("select: a timeout of 0 polls and a short timeout waits (coarse bounds)", async () => {
  using bag = new SocketBag();
  const [, b] = bag.pair();
  const [r0, polled] = await timed(() => select([b], [], [], 0));
  assertEquals(r0, [[], [], []]);
  assert(polled < 500, `select(0) took ${polled} ms`);
  const [r1, waited] = await timed(() => select([b], [], [], 0.2));
  assertEquals(r1, [[], [], []]);
  assert(waited >= 150, `select(0.2) returned after ${waited} ms`);
});

Deno.test("select: 5,000 socketpairs (no 1,024 limit): only the one written to is ready", async () => {
  using bag = new SocketBag();
  const pairs = Array.from({ length: 5_000 }, () => bag.pair());
  const readers = pairs.map(([, reader]) => reader);
  assert(Math.max(...readers.map((s) => s.fileno())) > 1024);
  assertEquals(await select(readers, [], [], 0), [[], [], []]);
  const chosen = Math.floor(Math.random() * pairs.length);
  await pairs[chosen]![0].send(bytes("ping"));
  const [r, w, x] = await within(select(readers, [], [], 5), 10_000, "select");
  assertEquals(r.length, 1);
  assert(r[0] === readers[chosen]);
  assertEquals([w, x], [[], []]);
  assertEquals(text(await readers[chosen]!.recv(10)), "ping");
});

// ---- readiness over real TCP on 127.0.0.1 ----------------------------------------------------

Deno.test("select: a listener is readable when a connection waits; accept() then settles at once", async () => {
  using bag = new SocketBag();
  const [server] = bag.add(listener());
  server.setblocking(false);
  assertEquals(await select([server], [], [], 0), [[], [], []]);
  await assertRejects(() => server.accept(), BlockingIOError);
  const [client] = bag.add(new Socket());
  await within(client.connect(server.getsockname()), 5_000, "connect");
  assertEquals(await select([server], [], [], 5), [[server], [], []]);
  const [conn] = await within(server.accept(), 1_000, "non-blocking accept");
  bag.add(conn);
  assertEquals(conn.getpeername(), client.getsockname());
  assertEquals(await select([server], [], [], 0), [[], [], []]);
});

Deno.test("select: a non-blocking connect turns writable when made, SO_ERROR 0", async () => {
  using bag = new SocketBag();
  const [server, client] = bag.add(listener(), new Socket());
  client.setblocking(false);
  const error = await assertRejects(
    () => client.connect(server.getsockname()),
    BlockingIOError as AnyError,
  );
  assertEquals(error.errno, 115);
  assertEquals(await select([], [client], [], 5), [[], [client], []]);
  assertEquals(client.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  const [conn] = await within(server.accept(), 5_000, "accept");
  bag.add(conn);
  assertEquals(client.getpeername(), conn.getsockname());
});

Deno.test("select: a refused non-blocking connect is readable and writable, SO_ERROR 111", async () => {
  using bag = new SocketBag();
  const [client] = bag.add(new Socket());
  client.setblocking(false);
  const error = await assertRejects(
    () => client.connect(["127.0.0.1", freePort()]),
    BlockingIOError as AnyError,
  );
  assertEquals(error.errno, 115);
  // As CPython on Linux: r and w hold the socket, x stays empty; the error is read once.
  assertEquals(await select([client], [client], [client], 5), [[client], [client], []]);
  assertEquals(client.getsockopt(SOL_SOCKET, SO_ERROR), 111);
  assertEquals(client.getsockopt(SOL_SOCKET, SO_ERROR), 0);
});

Deno.test("select: a TCP socket at EOF is readable and recv() returns empty", async () => {
  using bag = new SocketBag();
  const [server, client] = bag.add(listener(), new Socket());
  await client.connect(server.getsockname());
  const [conn] = bag.add((await server.accept())[0]);
  assertEquals(await select([conn], [], [], 0), [[], [], []]);
  await client.send(bytes("last"));
  client.close();
  assertEquals(await select([conn], [], [], 5), [[conn], [], []]);
  assertEquals(text(await conn.recv(100)), "last");
  assertEquals(await select([conn], [], [], 5), [[conn], [], []]);
  assertEquals((await conn.recv(100)).length, 0);
});

Deno.test("select: no byte lost when select() times out while data is arriving (TCP)", async () => {
  using bag = new SocketBag();
  const [server, client] = bag.add(listener(), new Socket());
  await client.connect(server.getsockname());
  const [conn] = bag.add((await server.accept())[0]);
  const ROUNDS = 150;
  const expected: Uint8Array[] = [];
  const sends: Promise<number>[] = [];
  const received: Uint8Array[] = [];
  let timeouts = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const chunk = pattern(1 + (i * 37) % 3000).map((v) => v ^ i);
    // A select() arms the read-ahead and times out; the peer writes right after the timeout,
    // while that read is still pending and nobody selects: its bytes must land in the buffer.
    const [r] = await select([conn], [], [], 0.001);
    if (r.length === 0) {
      timeouts++;
      expected.push(chunk);
      sends.push(client.send(chunk));
    } else {
      received.push(await conn.recv(65536));
    }
  }
  const sent = (await Promise.all(sends)).reduce((n, count) => n + count, 0);
  const total = concat(expected);
  assertEquals(sent, total.length);
  const deadline = performance.now() + 10_000;
  let got = received.reduce((n, part) => n + part.length, 0);
  while (got < total.length && performance.now() < deadline) {
    const [r] = await select([conn], [], [], 1);
    if (r.length === 0) continue;
    const piece = await conn.recv(65536);
    assert(piece.length > 0, "unexpected EOF");
    received.push(piece);
    got += piece.length;
  }
  assert(timeouts > 0, "no select() timed out with data on the way");
  assert(
    sameBytes(concat(received), total),
    `received ${got} of ${total.length} bytes, or out of order`,
  );
});

// ---- poll() ----------------------------------------------------------------------------------

Deno.test("poll: register, modify and unregister; KeyError and FileNotFoundError when absent", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  const p = poll();
  const error = assertThrows(() => p.modify(a, POLLIN), FileNotFoundError as AnyError);
  assertEquals(error.errno, 2);
  const missing = assertThrows(() => p.unregister(a), KeyError as AnyError);
  assertEquals(missing.message, String(a.fileno()));
  p.register(a, POLLOUT);
  p.register(b.fileno(), POLLIN);
  assertEquals(await p.poll(0), [[a.fileno(), POLLOUT]]);
  p.modify(a, POLLIN);
  assertEquals(await p.poll(0), []);
  // Registering again changes the mask, as CPython's poll does.
  p.register(b, POLLIN | POLLOUT);
  assertEquals(await p.poll(0), [[b.fileno(), POLLOUT]]);
  p.unregister(b);
  p.unregister(a.fileno());
  assertThrows(() => p.unregister(a), KeyError);
  assertEquals(await p.poll(0), []);
});

Deno.test("poll: the default mask and POLLIN / POLLOUT as [fd, events] pairs", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  const p = poll();
  p.register(b);
  assertEquals(await p.poll(0), [[b.fileno(), POLLOUT]]);
  await a.send(bytes("hello"));
  const result = await pollUntil(p, (r) => (eventsFor(r, b.fileno()) & POLLIN) !== 0);
  assertEquals(result, [[b.fileno(), POLLIN | POLLOUT]]);
  assertEquals(text(await b.recv(100)), "hello");
  assertEquals(await p.poll(0), [[b.fileno(), POLLOUT]]);
  // A wait with nothing ready lasts at least about its timeout (milliseconds).
  p.modify(b, POLLIN);
  const [idle, waited] = await timed(() => p.poll(200));
  assertEquals(idle, []);
  assert(waited >= 150, `poll(200) returned after ${waited} ms`);
  // Timeout arguments: negative waits without limit, a string is a TypeError.
  await a.send(bytes("!"));
  assertEquals(await within(p.poll(-1), 5_000, "poll(-1)"), [[b.fileno(), POLLIN]]);
  await assertRejects(
    () => p.poll("x" as unknown as number),
    TypeError,
    "timeout must be an integer or None",
  );
  await assertRejects(() => p.poll(NaN), ValueError, "Invalid value NaN (not a number)");
});

Deno.test("poll: a closed registered socket is POLLNVAL, an unknown descriptor too", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  const p = poll();
  p.register(a, POLLIN);
  const fd = a.fileno();
  a.close();
  assertEquals(await p.poll(0), [[fd, POLLNVAL]]);
  p.unregister(fd);
  p.register(99_999, POLLIN);
  assertEquals(await within(p.poll(), 5_000, "poll()"), [[99_999, POLLNVAL]]);
  // The peer of the closed socket sees EOF: POLLIN, as a TCP peer's close.
  p.unregister(99_999);
  p.register(b, POLLIN);
  assertEquals(await pollUntil(p, (r) => r.length > 0), [[b.fileno(), POLLIN]]);
  assertEquals((await b.recv(10)).length, 0);
});

/** The TCP scenario below, as CPython runs it: poll results by step, for both ends. */
const PY_POLL_SCENARIO = `
import json, select, socket, struct, time
M = select.POLLIN | select.POLLOUT | select.POLLPRI
def tcp():
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
out = {}
a, b = tcp()
p = select.poll(); p.register(a, M); p.register(b, M)
def step(name):
    r = dict(p.poll(0)); out[name] = [r.get(a.fileno(), 0), r.get(b.fileno(), 0)]
step("fresh")
a.send(b"x"); time.sleep(0.05); step("data")
fa = a.fileno(); a.close(); time.sleep(0.05)
r = dict(p.poll(0)); out["peer closed"] = [r.get(fa, 0), r.get(b.fileno(), 0)]
b.recv(10); b.recv(10)
r = dict(p.poll(0)); out["at EOF"] = [r.get(fa, 0), r.get(b.fileno(), 0)]
a, b = tcp()
p = select.poll(); p.register(b, M)
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); a.close()
time.sleep(0.05)
out["reset"] = dict(p.poll(0)).get(b.fileno(), 0)
print(json.dumps(out))
`;

Deno.test("poll: a TCP pair reports what CPython's poll reports (data, peer close, EOF)", async () => {
  await using py = startPython(PY_POLL_SCENARIO);
  const expected = JSON.parse(await py.readLine());
  assertEquals((await py.finish()).code, 0);
  using bag = new SocketBag();
  const [server, a] = bag.add(listener(), new Socket());
  await a.connect(server.getsockname());
  const [b] = bag.add((await server.accept())[0]);
  const fa = a.fileno(), fb = b.fileno();
  const M = POLLIN | POLLOUT | POLLPRI;
  const p = poll();
  p.register(a, M);
  p.register(b, M);
  const both = (r: [number, number][]) => [eventsFor(r, fa), eventsFor(r, fb)];
  const same = (name: string) => (r: [number, number][]) =>
    JSON.stringify(both(r)) === JSON.stringify(expected[name]);
  assertEquals(both(await p.poll(0)), expected["fresh"]);
  await a.send(bytes("x"));
  assertEquals(both(await pollUntil(p, same("data"))), expected["data"]);
  a.close();
  assertEquals(both(await pollUntil(p, same("peer closed"))), expected["peer closed"]);
  assertEquals(text(await b.recv(10)), "x");
  assertEquals((await b.recv(10)).length, 0);
  assertEquals(both(await p.poll(0)), expected["at EOF"]);
  assertEquals(expected["reset"] & (POLLERR | POLLHUP), POLLERR | POLLHUP);
});

Deno.test("poll: a reset from a python3 peer (SO_LINGER 0) is POLLERR | POLLHUP", async () => {
  using bag = new SocketBag();
  const [server] = bag.add(listener());
  await using py = startPython(
    `
import socket, struct, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected")
c.recv(1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
print("reset")
`,
    [String((server.getsockname() as [string, number])[1])],
  );
  const [conn] = bag.add((await within(server.accept(), 5_000, "accept"))[0]);
  assertEquals(await py.readLine(), "connected");
  const p = poll();
  p.register(conn, POLLIN | POLLOUT);
  assertEquals(await p.poll(0), [[conn.fileno(), POLLOUT]]);
  await conn.send(bytes("!"));
  assertEquals(await py.readLine(), "reset");
  const result = await pollUntil(p, (r) => (eventsFor(r, conn.fileno()) & POLLERR) !== 0);
  // CPython reports POLLIN | POLLOUT | POLLERR | POLLHUP (29) for the same reset.
  assertEquals(eventsFor(result, conn.fileno()), POLLIN | POLLOUT | POLLERR | POLLHUP);
  const error = await assertRejects(() => conn.recv(10), OSError as AnyError);
  assertEquals(error.errno, 104);
  assertEquals((await py.finish()).code, 0);
});

// ---- epoll() ---------------------------------------------------------------------------------

Deno.test("epoll: register twice is FileExistsError; modify / unregister absent is FileNotFoundError", () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using ep = epoll();
  ep.register(a, EPOLLIN);
  const exists = assertThrows(() => ep.register(a, EPOLLIN), FileExistsError as AnyError);
  assertEquals(exists.errno, 17);
  assertEquals(exists.message, "[Errno 17] File exists");
  const modify = assertThrows(() => ep.modify(b, EPOLLIN), FileNotFoundError as AnyError);
  assertEquals(modify.errno, 2);
  const unregister = assertThrows(() => ep.unregister(b), FileNotFoundError as AnyError);
  assertEquals(unregister.errno, 2);
  // A descriptor that is not open at all: EBADF, as from epoll_ctl.
  for (
    const call of [
      () => ep.register(99_999),
      () => ep.modify(99_999, 1),
      () => ep.unregister(99_999),
    ]
  ) {
    assertEquals(assertThrows(call, OSError as AnyError).errno, 9);
  }
  ep.unregister(a);
  ep.register(a.fileno(), EPOLLOUT);
});

Deno.test("epoll: closed, poll / fileno / register are ValueError; maxevents 0 and sizehint 0 too", async () => {
  const ep = new Epoll();
  assert(ep.fileno() >= 0);
  assertEquals(ep.closed, false);
  await assertRejects(() => ep.poll(0, 0), ValueError, "maxevents must be greater than 0, got 0");
  await assertRejects(() => ep.poll(0, -2), ValueError, "maxevents must be greater than 0, got -2");
  ep.close();
  ep.close();
  assertEquals(ep.closed, true);
  await assertRejects(() => ep.poll(0), ValueError, "I/O operation on closed epoll object");
  assertThrows(() => ep.fileno(), ValueError, "I/O operation on closed epoll object");
  assertThrows(() => ep.register(0), ValueError, "I/O operation on closed epoll object");
  assertThrows(() => epoll(0), ValueError, "negative sizehint");
  let escaped: Epoll;
  {
    using scoped = epoll();
    assertEquals(scoped.closed, false);
    escaped = scoped;
  }
  assertEquals(escaped.closed, true);
});

Deno.test("epoll: level-triggered by default: reported while the data stays unread", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using ep = epoll();
  ep.register(b, EPOLLIN);
  assertEquals(await ep.poll(0), []);
  await a.send(bytes("abc"));
  assertEquals(await ep.poll(5), [[b.fileno(), EPOLLIN]]);
  assertEquals(await ep.poll(0), [[b.fileno(), EPOLLIN]]);
  assertEquals(await ep.poll(1), [[b.fileno(), EPOLLIN]]);
  assertEquals(text(await b.recv(10)), "abc");
  assertEquals(await ep.poll(0), []);
});

Deno.test("epoll: EPOLLET reports a change once, again when new data comes", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using ep = epoll();
  ep.register(b, EPOLLIN | EPOLLET);
  await a.send(bytes("one"));
  assertEquals(await ep.poll(5), [[b.fileno(), EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
  assertEquals(await ep.poll(0.05), []);
  assertEquals(text(await b.recv(10)), "one");
  await a.send(bytes("two"));
  assertEquals(await ep.poll(5), [[b.fileno(), EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
  assertEquals(text(await b.recv(10)), "two");
});

Deno.test("epoll: EPOLLONESHOT reports once, until modify() re-arms it", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using ep = epoll();
  ep.register(a, EPOLLOUT | EPOLLONESHOT);
  assertEquals(await ep.poll(0), [[a.fileno(), EPOLLOUT]]);
  assertEquals(await ep.poll(0), []);
  assertEquals(await ep.poll(0.05), []);
  ep.modify(a, EPOLLOUT | EPOLLONESHOT);
  assertEquals(await ep.poll(0), [[a.fileno(), EPOLLOUT]]);
  assertEquals(await ep.poll(0), []);
  ep.modify(a, EPOLLOUT);
  assertEquals(await ep.poll(0), [[a.fileno(), EPOLLOUT]]);
  assertEquals(await ep.poll(0), [[a.fileno(), EPOLLOUT]]);
  // Input too: more data does not re-arm it, modify() does.
  ep.unregister(a);
  ep.register(b, EPOLLIN | EPOLLONESHOT);
  await a.send(bytes("one"));
  assertEquals(await ep.poll(5), [[b.fileno(), EPOLLIN]]);
  await a.send(bytes("two"));
  assertEquals(await ep.poll(0.05), []);
  ep.modify(b, EPOLLIN | EPOLLONESHOT);
  assertEquals(await ep.poll(0), [[b.fileno(), EPOLLIN]]);
});

Deno.test("epoll: maxevents limits each poll, and every ready descriptor gets its turn", async () => {
  using bag = new SocketBag();
  const writers = Array.from({ length: 5 }, () => bag.pair()[0]);
  using ep = epoll();
  for (const w of writers) ep.register(w, EPOLLOUT);
  const seen = new Set<number>();
  for (let i = 0; i < 3; i++) {
    const result = await ep.poll(0, 2);
    assert(result.length <= 2, `maxevents 2 gave ${result.length}`);
    for (const [fd, events] of result) {
      assertEquals(events, EPOLLOUT);
      seen.add(fd);
    }
  }
  assertEquals(
    [...seen].sort((x, y) => x - y),
    writers.map((w) => w.fileno()).sort((x, y) => x - y),
  );
  assertEquals((await ep.poll(0)).length, 5);
});

Deno.test("epoll: a closed registered socket is dropped silently", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  using ep = epoll();
  ep.register(a, EPOLLIN | EPOLLOUT);
  ep.register(b, EPOLLOUT);
  const fa = a.fileno();
  a.close();
  // The peer's close shows on b as CPython's epoll shows a peer close: EPOLLOUT still holds.
  const result = await ep.poll(0);
  assertEquals(result.map(([fd]) => fd), [b.fileno()]);
  assertEquals(result[0]![1] & (EPOLLOUT | EPOLLERR), EPOLLOUT);
  assertEquals((await ep.poll(0)).map(([fd]) => fd), [b.fileno()]);
  // Linux forgot the closed descriptor: it is not registered (nor open) any more.
  assertEquals(assertThrows(() => ep.unregister(fa), OSError as AnyError).errno, 9);
});

// ---- StreamWrapper: stdin and child pipes ----------------------------------------------------

Deno.test("StreamWrapper: a python3 child's stdout watched with select(), read back exactly", async () => {
  const child = new Deno.Command("python3", {
    args: [
      "-u",
      "-c",
      "import sys, time\nfor i in range(20):\n  sys.stdout.write('line %d\\n' % i * (i + 1))\n  time.sleep(0.005)",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  using out = new StreamWrapper({ readable: child.stdout });
  out.setblocking(false);
  const parts: Uint8Array[] = [];
  let eof = false;
  try {
    for (let i = 0; i < 500 && !eof; i++) {
      const [r] = await within(select([out], [], [], 5), 10_000, "select");
      assertEquals(r, [out]);
      const data = await out.read(100);
      if (data.length === 0) eof = true;
      else parts.push(data);
    }
  } finally {
    if (!eof) child.kill("SIGKILL");
    assertEquals((await child.status).code, eof ? 0 : 137);
  }
  assert(eof, "no EOF");
  let expected = "";
  for (let i = 0; i < 20; i++) expected += `line ${i}\n`.repeat(i + 1);
  assertEquals(text(concat(parts)), expected);
  // Non-blocking at EOF: an empty read, not BlockingIOError.
  assertEquals((await out.read()).length, 0);
});

Deno.test("StreamWrapper: `cat` with stdin writable and stdout readable", async () => {
  const child = new Deno.Command("cat", { stdin: "piped", stdout: "piped", stderr: "null" })
    .spawn();
  const input = new StreamWrapper({ writable: child.stdin });
  using output = new StreamWrapper({ readable: child.stdout });
  const payload = pattern(100_000);
  const parts: Uint8Array[] = [];
  let written = 0;
  let eof = false;
  try {
    for (let i = 0; i < 5_000 && !eof; i++) {
      const wlist = written < payload.length ? [input] : [];
      const [r, w] = await within(select([output], wlist, [], 5), 10_000, "select");
      if (w.length > 0) {
        written += await input.write(payload.subarray(written, written + 8192));
        if (written === payload.length) input.close();
      }
      if (r.length > 0) {
        const data = await output.read();
        if (data.length === 0) eof = true;
        else parts.push(data);
      }
    }
  } finally {
    input.close();
    if (!eof) child.kill("SIGKILL");
    await child.status;
  }
  assert(eof, "no EOF");
  assert(sameBytes(concat(parts), payload), "cat's output differs from its input");
  // A closed wrapper has no descriptor, and select() refuses it.
  assertEquals(input.fileno(), -1);
  await assertRejects(() => select([], [input], [], 0), ValueError);
});

Deno.test("StreamWrapper: stdin() in a deno child that selects on its stdin and echoes", async () => {
  const module = new URL("../select/mod.ts", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "pynet-select-child-" });
  const file = `${dir}/child.ts`;
  await Deno.writeTextFile(
    file,
    `import { select, StreamWrapper } from ${JSON.stringify(module)};
using input = StreamWrapper.stdin();
for (let i = 0; i < 10_000; i++) {
  const [r] = await select([input], [], [], 20);
  if (r.length === 0) Deno.exit(3);
  const data = await input.read(65536);
  if (data.length === 0) break;
  let off = 0;
  while (off < data.length) off += await Deno.stdout.write(data.subarray(off));
}
`,
  );
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", file],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new Response(child.stdout).arrayBuffer();
    const stderr = new Response(child.stderr).text();
    const chunks = Array.from({ length: 20 }, (_, i) => bytes(`chunk ${i} `.repeat(i * 50 + 1)));
    const writer = child.stdin.getWriter();
    try {
      for (const chunk of chunks) {
        await writer.write(chunk);
        await sleep(5);
      }
      await writer.close();
      const status = await within(child.status, 30_000, "deno child");
      assertEquals(status.code, 0, await stderr);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited already.
      }
      await child.status;
    }
    assertEquals(text(new Uint8Array(await stdout)), text(concat(chunks)));
    await stderr;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("timeouts: CPython's range checks, and a long timeout waits instead of spinning", async () => {
  using bag = new SocketBag();
  const [a, b] = bag.pair();
  await assertRejects(
    () => select([a], [], [], Infinity),
    OverflowError,
    "timestamp out of range for platform time_t",
  );
  const p = poll();
  p.register(a, POLLOUT);
  await assertRejects(() => p.poll(2 ** 31), OverflowError, "timeout is too large");
  await assertRejects(() => p.poll(1e20), OverflowError, "timestamp out of range");
  assertEquals(await p.poll(2 ** 31 - 1), [[a.fileno(), POLLOUT]]);
  assertEquals(await p.poll(-0.5), [[a.fileno(), POLLOUT]]);
  using ep = epoll();
  ep.register(a, EPOLLOUT);
  await assertRejects(() => ep.poll(3e6), OverflowError, "timeout is too large");
  assertEquals(await ep.poll(2147483.647), [[a.fileno(), EPOLLOUT]]);
  // 30 days, longer than a timer takes: the wait must sleep (in pieces), not fire at once.
  let settled = false;
  const waiting = select([b], [], [], 30 * 86_400).then((result) => {
    settled = true;
    return result;
  });
  await sleep(100);
  assertEquals(settled, false);
  await a.send(bytes("wake"));
  assertEquals(await within(waiting, 5_000, "select"), [[b], [], []]);
});

Deno.test("poll and epoll: a closed socket's number taken by a new socket is watched anew", async () => {
  using bag = new SocketBag();
  const [a] = bag.pair();
  const p = poll();
  p.register(a, POLLOUT);
  using ep = epoll();
  ep.register(a, EPOLLOUT);
  const fd = a.fileno();
  a.close();
  assertEquals(await p.poll(0), [[fd, POLLNVAL]]);
  // As in CPython: the lowest free number goes to the next socket; a fresh TCP socket is
  // POLLOUT | POLLHUP (20).
  const [fresh] = bag.add(new Socket());
  assertEquals(fresh.fileno(), fd);
  p.register(fresh, POLLOUT);
  assertEquals(await p.poll(0), [[fd, POLLOUT | POLLHUP]]);
  ep.register(fresh, EPOLLOUT);
  assertEquals(await ep.poll(0), [[fd, EPOLLOUT | POLLHUP]]);
});
