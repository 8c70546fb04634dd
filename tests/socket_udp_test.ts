// UDP sockets on loopback (Deno's datagram sockets need --unstable-net; the test task passes
// it), checked against CPython 3.11's behaviour.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  BlockingIOError,
  MSG_PEEK,
  OSError,
  OverflowError,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  SOL_SOCKET,
  TimeoutError,
} from "../socket/mod.ts";
import { POLLIN, POLLOUT, readinessSource, select } from "../select/mod.ts";
import {
  bytes,
  loopback,
  MSG,
  rejects,
  runDeno,
  sleep,
  socketModule,
  startPython,
  text,
  within,
} from "./_helpers.ts";

/** A datagram socket bound to an ephemeral port on the family's loopback address. */
function boundUdp(family = AF_INET): Socket {
  const s = new Socket(family, SOCK_DGRAM);
  try {
    s.bind([loopback(family), 0]);
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}

for (const family of [AF_INET, AF_INET6]) {
  const host = loopback(family);
  Deno.test(`sendto()/recvfrom() round trip on ${host}`, async () => {
    using a = boundUdp(family);
    using b = boundUdp(family);
    assertEquals(await within(a.sendto(MSG, b.getsockname())), MSG.length);
    const [data, from] = await within(b.recvfrom(1024));
    assertEquals(data, MSG);
    assertEquals(from, a.getsockname());
    if (family === AF_INET6) assertEquals((from as unknown[]).length, 4);
    // And back, with the three-argument form sendto(data, flags, address).
    assertEquals(await within(b.sendto(bytes("reply"), 0, from!)), 5);
    const [reply, replyFrom] = await within(a.recvfrom(1024));
    assertEquals(text(reply), "reply");
    assertEquals(replyFrom, b.getsockname());
  });
}

Deno.test("a datagram socket has type SOCK_DGRAM and a bound [host, port] name", () => {
  using s = boundUdp();
  assertEquals(s.type, SOCK_DGRAM);
  assertEquals(s.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  const [host, port] = s.getsockname() as [string, number];
  assertEquals(host, "127.0.0.1");
  assert(port > 0);
  assertEquals(
    String(s),
    `<socket.socket fd=${s.fileno()}, family=2, type=2, proto=0, laddr=('127.0.0.1', ${port})>`,
  );
});

Deno.test("recv() returns one datagram at a time, keeping message boundaries", async () => {
  using a = boundUdp();
  using b = boundUdp();
  await a.sendto(bytes("one"), b.getsockname());
  await a.sendto(bytes("two!"), b.getsockname());
  const first = text(await within(b.recv(1024)));
  const second = text(await within(b.recv(1024)));
  assertEquals([first, second].sort(), ["one", "two!"]);
});

Deno.test("recvfrom(n) truncates a longer datagram and drops the rest of it", async () => {
  using a = boundUdp();
  using b = boundUdp();
  await a.sendto(bytes("0123456789"), b.getsockname());
  const [data, from] = await within(b.recvfrom(4));
  assertEquals(text(data), "0123");
  assertEquals(from, a.getsockname());
  await a.sendto(bytes("next"), b.getsockname());
  assertEquals(text(await within(b.recv(1024))), "next");
});

Deno.test("each datagram received is the caller's own: later ones and writes to it do not mix", async () => {
  // Small datagrams are copied into a slab shared by many (socket/_read_buffers.ts, copyOut):
  // every one must still be a region of its own, through the direct and the queued path.
  using a = boundUdp();
  using b = boundUdp();
  const kept: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) {
    const size = 1 + (i * 37) % 600; // across the slab's limit and its refills
    await a.sendto(new Uint8Array(size).fill(i), b.getsockname());
    // Alternately received as it comes (direct) and after it was queued (select first).
    if (i % 2 === 1) await within(select([b], [], [], 5));
    kept.push(await within(b.recv(1024)));
    kept[i]![0] = 255 - (i % 256); // the caller writes to its bytes
  }
  for (let i = 0; i < kept.length; i++) {
    const size = 1 + (i * 37) % 600;
    assertEquals(kept[i]!.length, size);
    assertEquals(kept[i]![0], 255 - (i % 256));
    assert(kept[i]!.subarray(1).every((x) => x === i), `datagram ${i} changed`);
  }
});

Deno.test("recvfromInto() writes the datagram into the buffer", async () => {
  using a = boundUdp();
  using b = boundUdp();
  await a.sendto(MSG, b.getsockname());
  const buffer = new Uint8Array(1024);
  const [n, from] = await within(b.recvfromInto(buffer));
  assertEquals(n, MSG.length);
  assertEquals(buffer.subarray(0, n), MSG);
  assertEquals(from, a.getsockname());
});

Deno.test("recv() with MSG_PEEK leaves the datagram queued", async () => {
  using a = boundUdp();
  using b = boundUdp();
  await a.sendto(bytes("peek"), b.getsockname());
  const peeked = await within(b.recv(1024, MSG_PEEK));
  assertEquals(text(peeked), "peek");
  // The peeked bytes are the caller's: writing over them leaves the queued datagram alone.
  peeked.fill(0x78);
  assertEquals(text(await within(b.recv(1024))), "peek");
});

for (const family of [AF_INET, AF_INET6]) {
  Deno.test(`sendto() on an unbound socket binds it to an ephemeral port; the peer can reply (${loopback(family)})`, async () => {
    using client = new Socket(family, SOCK_DGRAM);
    using server = boundUdp(family);
    assertEquals((client.getsockname() as [string, number])[1], 0);
    await within(client.sendto(bytes("ping"), server.getsockname()));
    // The kernel would bind the wildcard address; with only loopback allowed, pynet binds
    // loopback (see implicitBindAddress in _socket.ts).
    const [host, port] = client.getsockname() as [string, number];
    assert(port > 0);
    assert(host === loopback(family) || host === (family === AF_INET ? "0.0.0.0" : "::"), host);
    const [data, from] = await within(server.recvfrom(1024));
    assertEquals(text(data), "ping");
    assertEquals((from as [string, number])[1], port);
    await within(server.sendto(bytes("pong"), from!));
    const [reply, replyFrom] = await within(client.recvfrom(1024));
    assertEquals(text(reply), "pong");
    assertEquals(replyFrom, server.getsockname());
  });
}

Deno.test("a connected UDP socket uses send()/recv() and drops other senders' datagrams", async () => {
  using a = boundUdp();
  using b = boundUdp();
  using stranger = boundUdp();
  await a.connect(b.getsockname());
  assertEquals(a.getpeername(), b.getsockname());
  assertEquals(await within(a.send(bytes("hello"))), 5);
  assertEquals(text(await within(b.recv(1024))), "hello");
  await stranger.sendto(bytes("not for you"), a.getsockname());
  await b.sendto(bytes("for you"), a.getsockname());
  assertEquals(text(await within(a.recv(1024))), "for you");
  a.settimeout(0.1);
  await rejects(() => a.recv(1024), TimeoutError);
});

Deno.test("nothing lost: a recv() timeout, then a datagram, then recv() gets it", async () => {
  using a = boundUdp();
  using b = boundUdp();
  b.settimeout(0.05);
  const e = await rejects(() => b.recv(1024), TimeoutError);
  assertEquals(e.message, "timed out");
  await a.sendto(bytes("late"), b.getsockname());
  await sleep(30);
  b.settimeout(5);
  const [data, from] = await within(b.recvfrom(1024));
  assertEquals(text(data), "late");
  assertEquals(from, a.getsockname());
});

Deno.test("nothing lost: a non-blocking miss, then datagrams, then each is received", async () => {
  using a = boundUdp();
  using b = boundUdp();
  b.setblocking(false);
  const e = await rejects(() => b.recvfrom(1024), BlockingIOError, 1000);
  assertEquals(e.errno, 11);
  for (const word of ["a", "bb", "ccc"]) await a.sendto(bytes(word), b.getsockname());
  b.settimeout(5);
  const got = [];
  for (let i = 0; i < 3; i++) got.push(text(await within(b.recv(1024))));
  assertEquals(got.sort(), ["a", "bb", "ccc"]);
});

Deno.test("a queued datagram makes the socket readable; it is always writable", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const source = b[readinessSource]();
  assert(source.pollEvents() & POLLOUT);
  assertEquals(source.pollEvents() & POLLIN, 0);
  await a.sendto(bytes("x"), b.getsockname());
  b.settimeout(5);
  // Receiving with MSG_PEEK waits for the datagram and leaves it queued.
  await within(b.recv(1, MSG_PEEK));
  assert(source.pollEvents() & POLLIN);
  await b.recv(1);
});

Deno.test("a datagram too large raises OSError EMSGSIZE (90)", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const e = await rejects(() => a.sendto(new Uint8Array(70_000), b.getsockname()), OSError);
  assertEquals(e.errno, 90);
  assertEquals(e.message, "[Errno 90] Message too long");
});

Deno.test("send() on an unconnected UDP socket raises OSError EDESTADDRREQ (89)", async () => {
  using a = boundUdp();
  const e = await rejects(() => a.send(bytes("x")), OSError);
  assertEquals(e.errno, 89);
  assertEquals(e.message, "[Errno 89] Destination address required");
});

Deno.test("sendto() validates its arguments as CPython does", async () => {
  using a = boundUdp();
  let e: Error = await rejects(
    () => a.sendto("x" as unknown as Uint8Array, ["127.0.0.1", 9]),
    TypeError,
  );
  assertEquals(e.message, "a bytes-like object is required, not 'str'");
  e = await rejects(
    () => a.sendto(bytes("x"), ["127.0.0.1"] as unknown as [string, number]),
    TypeError,
  );
  assertEquals(e.message, "AF_INET address must be a pair (host, port)");
  e = await rejects(() => a.sendto(bytes("x"), "127.0.0.1"), TypeError);
  assertEquals(e.message, "sendto(): AF_INET address must be tuple, not str");
  e = await rejects(() => a.sendto(bytes("x"), 0, ["127.0.0.1", 70000]), OverflowError);
  assertEquals(e.message, "sendto(): port must be 0-65535.");
});

Deno.test("sendto() on a TCP socket is refused", async () => {
  using s = new Socket(AF_INET, SOCK_STREAM);
  await rejects(() => s.sendto(bytes("x"), ["127.0.0.1", 9]), OSError);
});

Deno.test("a closed datagram socket raises EBADF", async () => {
  const s = boundUdp();
  s.close();
  assertEquals((await rejects(() => s.recvfrom(10), OSError)).errno, 9);
  assertEquals((await rejects(() => s.sendto(bytes("x"), ["127.0.0.1", 9]), OSError)).errno, 9);
  assertEquals(assertThrows(() => s.getsockname(), OSError).errno, 9);
});

Deno.test("without --unstable-net, SOCK_DGRAM and reusePort raise OSError naming the flag", async () => {
  const source = `
import { AF_INET, createServer, SOCK_DGRAM, socket } from ${JSON.stringify(socketModule("mod.ts"))};
const cases: [string, () => { close(): void }][] = [
  ["dgram", () => socket(AF_INET, SOCK_DGRAM)],
  ["reusePort", () => createServer(["127.0.0.1", 0], { reusePort: true })],
];
for (const [name, make] of cases) {
  try {
    make().close();
    console.log(JSON.stringify({ name, ok: true }));
  } catch (e) {
    const err = e as { errno?: unknown; message: string };
    console.log(JSON.stringify({ name, cls: (e as Error).constructor.name, errno: err.errno ?? null, message: err.message }));
  }
}
console.log("done");
`;
  const { code, stdout, stderr } = await runDeno(source);
  assertEquals(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assertEquals(lines.at(-1), "done");
  const results = lines.slice(0, -1).map((line) => JSON.parse(line));
  assertEquals(results.map((r) => r.name), ["dgram", "reusePort"]);
  for (const result of results) {
    assertEquals(result.cls, "OSError", JSON.stringify(result));
    assertEquals(result.errno, 95);
    assert(result.message.includes("--unstable-net"), result.message);
  }
});

Deno.test("connect() on an unbound UDP socket binds it; the peer's replies arrive", async () => {
  using server = boundUdp();
  using client = new Socket(AF_INET, SOCK_DGRAM);
  await client.connect(server.getsockname());
  const [, port] = client.getsockname() as [string, number];
  assert(port > 0);
  await within(client.send(bytes("hi")));
  const [data, from] = await within(server.recvfrom(10));
  assertEquals(text(data), "hi");
  await server.sendto(bytes("back"), from!);
  assertEquals(text(await within(client.recv(10))), "back");
});

Deno.test("close() in another task ends a blocking recvfrom() with EBADF", async () => {
  // The wait is on the datagram channel (socket/_datagram.ts `next`): close must end it.
  const s = boundUdp();
  const waiting = s.recvfrom(100);
  await sleep(20);
  s.close();
  assertEquals((await within(rejects(() => waiting, OSError))).errno, 9);
});

Deno.test("two recv() calls waiting at once each get a datagram", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const first = b.recv(100);
  const second = b.recv(100);
  await a.sendto(bytes("one"), b.getsockname());
  await sleep(20);
  await a.sendto(bytes("two"), b.getsockname());
  const got = [text(await within(first)), text(await within(second))];
  assertEquals(got.sort(), ["one", "two"]);
});

Deno.test("detach() of a connected UDP socket keeps its peer for send()", async () => {
  using a = boundUdp();
  using b = boundUdp();
  await a.connect(b.getsockname());
  const fd = a.detach();
  using again = new Socket(AF_INET, SOCK_DGRAM, 0, fd);
  assertEquals(again.getpeername(), b.getsockname());
  await within(again.send(bytes("still connected")));
  assertEquals(text(await within(b.recv(100))), "still connected");
});

Deno.test("recv(0) returns empty bytes at once and leaves the datagram queued", async () => {
  using unbound = new Socket(AF_INET, SOCK_DGRAM);
  assertEquals((await within(unbound.recv(0))).length, 0);
  using a = boundUdp();
  using b = boundUdp();
  assertEquals((await within(b.recv(0))).length, 0);
  await a.sendto(bytes("kept"), b.getsockname());
  assertEquals((await within(b.recv(0))).length, 0);
  assertEquals(text(await within(b.recv(10))), "kept");
});

// CPython sends `total` datagrams in windows; after each window it waits (up to a second) until
// the kernel's receive queue of our port is empty again, reading /proc/net/udp, so it never
// sends faster than the receiver's side empties the kernel's small buffer. It prints the
// kernel's drop count for our port at the end.
const PACED_SENDER = `
import socket, sys, time
port, total, window = map(int, sys.argv[1:4])
hexport = ":%04X" % port
def queue_and_drops():
    with open("/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(hexport):
                return int(fields[4].split(":")[1], 16), int(fields[-1])
    return 0, -1
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"start", ("127.0.0.1", port))
for first in range(0, total, window):
    for i in range(first, min(total, first + window)):
        s.sendto(b"%05d" % i + b"." * 95, ("127.0.0.1", port))
    deadline = time.monotonic() + 1
    while queue_and_drops()[0] > 0 and time.monotonic() < deadline:
        time.sleep(0.001)
print("sent", queue_and_drops()[1])
`;

Deno.test("nothing lost: a burst arriving while the program is busy is received in full", async () => {
  // Once started, the receive-ahead keeps receiving into the socket's queue, as the kernel's
  // buffer would (only larger): a program that reads later gets every datagram, in order.
  using s = boundUdp();
  const [, port] = s.getsockname() as [string, number];
  const total = 1000;
  await using py = startPython(PACED_SENDER, [String(port), String(total), "100"]);
  s.settimeout(10);
  assertEquals(text(await s.recv(100)), "start");
  // Busy elsewhere: no recv() until every datagram is sent.
  assertEquals(await py.readLine(20_000), "sent 0", "the kernel dropped datagrams");
  let inOrder = 0;
  s.settimeout(5);
  for (let i = 0; i < total; i++) {
    const data = await s.recv(200);
    if (text(data.subarray(0, 5)) === String(i).padStart(5, "0")) inOrder++;
  }
  assertEquals(inOrder, total);
});
