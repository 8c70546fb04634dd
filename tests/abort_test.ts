// AbortSignal on every blocking call: a signal already aborted refuses the call, one aborted
// while the call waits settles it with the signal's reason, and nothing received is lost (the
// bytes, connection or datagram that comes later is the next call's). The op sanitizer checks
// that an aborted wait leaves no timer or watcher behind.
import { assert, assertEquals, assertInstanceOf, assertStrictEquals } from "@std/assert";
import { delay } from "@std/async/delay";
import { epoll, EPOLLIN, poll, POLLIN, select } from "../select/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import {
  AF_INET,
  createConnection,
  createServer,
  MSG_WAITALL,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socketpair,
} from "../socket/mod.ts";
import { bytes, pattern, recvAll, runDeno, sameBytes, tcpPair, text, within } from "./_helpers.ts";
import { clientContext, serverContext } from "./_ssl_helpers.ts";

/** A reason no library code would make: the rejection must be this very object. */
class Stop extends Error {}

/** Calls `start(signal)`, aborts once the call is waiting, and returns what it rejected with. */
async function abortWhileWaiting(
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const controller = new AbortController();
  const call = start(controller.signal);
  // Two event-loop turns: the call is past its checks and waiting.
  await delay(0);
  await delay(0);
  const reason = new Stop("stop");
  controller.abort(reason);
  const error = await within(call.then(() => null, (e) => e));
  assertStrictEquals(error, reason);
  return error;
}

/** Calls `start(signal)` with a signal aborted already, and checks it rejects with its reason. */
async function refusedWhenAborted(start: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const reason = new Stop("already");
  const error = await within(start(AbortSignal.abort(reason)).then(() => null, (e) => e));
  assertStrictEquals(error, reason);
}

// ---- receiving -------------------------------------------------------------------------------

for (const timeout of [null, 5]) {
  Deno.test(`abort: recv (timeout ${timeout}) aborted while waiting; the late bytes are the next recv's`, async () => {
    using pair = await tcpPair();
    pair.conn.settimeout(timeout);
    await abortWhileWaiting((signal) => pair.conn.recv(100, 0, { signal }));
    await pair.client.sendall(bytes("late"));
    assertEquals(text(await within(pair.conn.recv(100))), "late");
  });
}

Deno.test("abort: recv with a signal already aborted takes nothing", async () => {
  using pair = await tcpPair();
  await pair.client.sendall(bytes("waiting"));
  await refusedWhenAborted((signal) => pair.conn.recv(100, 0, { signal }));
  assertEquals(text(await within(pair.conn.recv(100))), "waiting");
});

Deno.test("abort: the default reason is Deno's AbortError", async () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  const controller = new AbortController();
  const call = b.recv(10, 0, { signal: controller.signal });
  controller.abort();
  const error = await within(call.then(() => null, (e) => e));
  assertInstanceOf(error, DOMException);
  assertEquals((error as DOMException).name, "AbortError");
});

Deno.test("abort: recv with a signal that never aborts receives as usual", async () => {
  using pair = await tcpPair();
  const controller = new AbortController();
  const receiving = pair.conn.recv(100, 0, { signal: controller.signal });
  await pair.client.sendall(bytes("normal"));
  assertEquals(text(await within(receiving)), "normal");
});

Deno.test("abort: recvInto, recvfrom and recvfromInto aborted while waiting lose nothing", async () => {
  using pair = await tcpPair();
  const buffer = new Uint8Array(16);
  await abortWhileWaiting((signal) => pair.conn.recvInto(buffer, 0, 0, { signal }));
  await abortWhileWaiting((signal) => pair.conn.recvfrom(16, 0, { signal }));
  await abortWhileWaiting((signal) => pair.conn.recvfromInto(buffer, 0, 0, { signal }));
  await refusedWhenAborted((signal) => pair.conn.recvInto(buffer, 0, 0, { signal }));
  await pair.client.sendall(bytes("after"));
  assertEquals(await within(pair.conn.recvInto(buffer)), 5);
  assertEquals(text(buffer.subarray(0, 5)), "after");
});

Deno.test("abort: recv(MSG_WAITALL) aborted part way gives its bytes back to the next recv", async () => {
  using pair = await tcpPair();
  await pair.client.sendall(bytes("part"));
  await abortWhileWaiting((signal) => pair.conn.recv(10, MSG_WAITALL, { signal }));
  await pair.client.sendall(bytes("-rest"));
  assertEquals(text(await within(pair.conn.recv(9, MSG_WAITALL))), "part-rest");
});

Deno.test("abort: a datagram recvfrom aborted while waiting leaves the next datagram queued", async () => {
  using a = new Socket(AF_INET, SOCK_DGRAM);
  using b = new Socket(AF_INET, SOCK_DGRAM);
  b.bind(["127.0.0.1", 0]);
  await abortWhileWaiting((signal) => b.recvfrom(100, 0, { signal }));
  await a.sendto(bytes("datagram"), b.getsockname());
  const [data] = await within(b.recvfrom(100));
  assertEquals(text(data), "datagram");
  await refusedWhenAborted((signal) => a.sendto(bytes("x"), b.getsockname(), { signal }));
});

// ---- accepting and connecting ------------------------------------------------------------------

Deno.test("abort: accept aborted while waiting; the connection that comes is the next accept's", async () => {
  using server = createServer(["127.0.0.1", 0]);
  await abortWhileWaiting((signal) => server.accept({ signal }));
  await refusedWhenAborted((signal) => server.accept({ signal }));
  using client = await within(createConnection(server.getsockname() as [string, number]));
  const [conn] = await within(server.accept());
  using _conn = conn;
  await client.sendall(bytes("hi"));
  assertEquals(text(await within(conn.recv(10))), "hi");
});

Deno.test("abort: connect aborted before it completes leaves the socket free to connect again", async () => {
  using server = createServer(["127.0.0.1", 0]);
  using client = new Socket(AF_INET, SOCK_STREAM);
  await refusedWhenAborted((signal) => client.connect(server.getsockname(), { signal }));
  const controller = new AbortController();
  const connecting = client.connect(server.getsockname(), { signal: controller.signal });
  const reason = new Stop("stop");
  controller.abort(reason); // Deno.connect is still in flight: its own signal aborts it
  assertStrictEquals(await within(connecting.then(() => null, (e) => e)), reason);
  await within(client.connect(server.getsockname()));
  const [conn] = await within(server.accept());
  conn.close();
});

Deno.test("abort: createConnection with a signal connects, and an aborted one tries no address", async () => {
  using server = createServer(["127.0.0.1", 0]);
  const address = server.getsockname() as [string, number];
  await refusedWhenAborted((signal) => createConnection(address, null, null, { signal }));
  const controller = new AbortController();
  const connecting = createConnection(address, null, null, { signal: controller.signal });
  const reason = new Stop("stop");
  controller.abort(reason);
  assertStrictEquals(await within(connecting.then(() => null, (e) => e)), reason);
  using client = await within(
    createConnection(address, null, null, { signal: new AbortController().signal }),
  );
  const [conn] = await within(server.accept());
  using _conn = conn;
  await client.sendall(bytes("signal never fired"));
  assertEquals(text(await within(conn.recv(100))), "signal never fired");
});

// ---- sending -----------------------------------------------------------------------------------

Deno.test("abort: send and sendall with a signal already aborted send nothing", async () => {
  using pair = await tcpPair();
  await refusedWhenAborted((signal) => pair.client.send(bytes("no"), 0, { signal }));
  await refusedWhenAborted((signal) => pair.client.sendall(bytes("no"), 0, { signal }));
  await pair.client.sendall(bytes("yes"));
  pair.client.close();
  assertEquals(text(await within(recvAll(pair.conn))), "yes");
});

Deno.test("abort: sendall aborted while the peer does not read sends a prefix, never garbage", async () => {
  using pair = await tcpPair();
  const big = pattern(32 * 1024 * 1024);
  await abortWhileWaiting((signal) => pair.client.sendall(big, 0, { signal }));
  // A send aborted while it waits for room, too.
  const send = abortWhileWaiting((signal) => pair.client.send(bytes("x"), 0, { signal }));
  await send;
  const receiving = recvAll(pair.conn, 64 * 1024 * 1024);
  await within(pair.client.sendall(bytes("END")));
  pair.client.close();
  const received = await within(receiving, 30_000);
  const prefix = received.length - 3;
  assert(prefix > 0 && prefix < big.length);
  assert(sameBytes(received.subarray(0, prefix), big.subarray(0, prefix)));
  assertEquals(text(received.subarray(prefix)), "END");
});

// ---- select, poll, epoll, selectors -------------------------------------------------------------

Deno.test("abort: select, poll, epoll and a selector aborted while waiting still see later input", async () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  await abortWhileWaiting((signal) => select([b], [], [], null, { signal }));
  await abortWhileWaiting((signal) => select([b], [], [], 30, { signal })); // its timer too
  const p = poll();
  p.register(b, POLLIN);
  await abortWhileWaiting((signal) => p.poll(null, { signal }));
  using ep = epoll();
  ep.register(b, EPOLLIN);
  await abortWhileWaiting((signal) => ep.poll(30, -1, { signal }));
  using sel = new DefaultSelector();
  sel.register(b, EVENT_READ);
  await abortWhileWaiting((signal) => sel.select(null, { signal }));
  await refusedWhenAborted((signal) => sel.select(0, { signal }));
  await refusedWhenAborted((signal) => select([b], [], [], 0, { signal }));

  await a.sendall(bytes("ready"));
  const [readable] = await within(select([b], [], [], 5));
  assertEquals(readable, [b]);
  assertEquals((await within(sel.select(5))).length, 1);
  assertEquals(await within(p.poll(5000)), [[b.fileno(), POLLIN]]);
  assertEquals(await within(ep.poll(5)), [[b.fileno(), EPOLLIN]]);
  assertEquals(text(await within(b.recv(10))), "ready");
});

// ---- TLS ---------------------------------------------------------------------------------------

Deno.test("abort: a TLS handshake aborted while waiting leaves the socket open; a later one finishes it", async () => {
  using server = createServer(["127.0.0.1", 0]);
  const address = server.getsockname() as [string, number];
  // The client's handshake waits for a server that has not started TLS yet.
  const tls = await within(
    clientContext().wrapSocket(await createConnection(address), {
      serverHostname: "localhost",
      doHandshakeOnConnect: false,
    }),
  );
  using _tls = tls;
  const [plain] = await within(server.accept());
  await abortWhileWaiting((signal) => tls.doHandshake({ signal }));
  assert(tls.fileno() >= 0);
  await refusedWhenAborted((signal) => tls.doHandshake({ signal }));
  // Now the server side starts TLS, and the same handshake completes.
  const [serving, handshaking] = [
    serverContext().wrapSocket(plain, { serverSide: true }),
    tls.doHandshake(),
  ];
  using conn = await within(serving);
  await within(handshaking);
  await tls.sendall(bytes("secret"));
  assertEquals(text(await within(conn.recv(10))), "secret");
});

Deno.test("abort: an SSLSocket accept aborted during the handshake keeps the connection for the next accept", async () => {
  using server = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  const address = server.getsockname() as [string, number];
  await abortWhileWaiting((signal) => server.accept({ signal })); // no client yet
  // A client connects but does not start TLS: the accept waits in the handshake.
  const plain = await within(createConnection(address));
  // Once the connection is queued, accept() takes it at once and waits in its handshake.
  assertEquals((await within(select([server], [], [], 5)))[0], [server]);
  await abortWhileWaiting((signal) => server.accept({ signal }));
  // The client starts TLS now: the next accept returns that same connection, handshaken.
  const [accepting, connecting] = [
    server.accept(),
    clientContext().wrapSocket(plain, { serverHostname: "localhost" }),
  ];
  using client = await within(connecting);
  const [conn] = await within(accepting);
  using _conn = conn;
  await client.sendall(bytes("over tls"));
  assertEquals(text(await within(conn.recv(20))), "over tls");
});

// ---- an abort ends the wait's hold on the process ----------------------------------------------

Deno.test("abort: a script whose waits were aborted ends by itself (nothing stays held)", async () => {
  const module = (path: string) => JSON.stringify(new URL(`../${path}`, import.meta.url).href);
  // Sockets left open on purpose: read-aheads do not hold the process, and neither may an
  // aborted wait (a recv, accept and select without a timeout, a stream's pull).
  const source = `import * as socket from ${module("socket/mod.ts")};
import * as select from ${module("select/mod.ts")};
const server = socket.createServer(["127.0.0.1", 0]);
const client = await socket.createConnection(server.getsockname() as [string, number]);
const [conn] = await server.accept();
const aborted = (start: (signal: AbortSignal) => Promise<unknown>) => {
  const controller = new AbortController();
  const call = start(controller.signal);
  setTimeout(() => controller.abort(), 20);
  return call.then(() => "settled", (e) => e.name);
};
console.log(await aborted((signal) => conn.recv(10, 0, { signal })));
console.log(await aborted((signal) => server.accept({ signal })));
console.log(await aborted((signal) => select.select([conn], [], [], null, { signal })));
client.setblocking(false);
console.log(await aborted((signal) => client.recv(10, 0, { signal }).catch((e) => {
  if (e.name === "BlockingIOError") return select.select([client], [], [], null, { signal });
  throw e;
})));
console.log("done");
`;
  const { code, stdout, stderr } = await runDeno(source, ["--allow-net=127.0.0.1"], 30_000);
  assertEquals(code, 0, stderr);
  assertEquals(stdout.trim().split("\n"), [
    "AbortError",
    "AbortError",
    "AbortError",
    "AbortError",
    "done",
  ]);
});
