// A stream socket's bytes and errors under peers that misbehave (reset, trickle, never read),
// checked against CPython 3.11 run in python3 on the same scenarios (issue 11): nothing received
// is lost, nothing sent is claimed falsely, a shutdown wakes a waiting recv, and resources come
// back.
import { assert, assertEquals } from "@std/assert";
import {
  AF_INET,
  BrokenPipeError,
  ConnectionResetError,
  MSG_WAITALL,
  type OSError,
  SHUT_RD,
  SHUT_RDWR,
  type Socket,
  socket,
  TimeoutError,
} from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
// Internal: the Deno connection under a socket, to see when close() lets it go; a socket over
// a connection of the test's, to see the reads it makes.
import { wrapConn } from "../socket/_socket.ts";
import { socketCore } from "../_core/privileged.ts";
import type { ByteConn } from "../_core/channel.ts";
import {
  bytes,
  pattern,
  rejects,
  sameBytes,
  startPython,
  tcpPair,
  text,
  within,
} from "./_helpers.ts";

/** A listening socket on loopback and its port, for a python3 peer to connect to. */
function listening(): [Socket, string] {
  const server = socket();
  server.bind(["127.0.0.1", 0]);
  server.listen();
  return [server, String((server.getsockname() as [string, number])[1])];
}

/**
 * python3 that connects to argv[1], waits for "!" (sent by {@linkcode accepted}: a reset before
 * accept is another matter), runs `body` with `c` the connection, then exits.
 */
function pythonPeer(body: string, port: string) {
  return startPython(
    `
import socket, struct, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
assert c.recv(1) == b"!"
def reset():
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
def pattern(n):
    return bytes(((i * 7 + (i >> 8)) & 0xff) for i in range(n))
${body}
`,
    [port],
  );
}

/** Accepts the python3 peer's connection and lets it go on. */
async function accepted(server: Socket): Promise<Socket> {
  const [conn] = await within(server.accept());
  await within(conn.sendall(bytes("!")));
  return conn;
}

/**
 * The accepted end (timeout 5 s) of a connection the python3 peer has reset (SO_LINGER 0, then
 * close) and reported so; disposing of it closes that end, the peer and the listener.
 */
async function resetConnection(): Promise<{ conn: Socket } & AsyncDisposable> {
  const [server, port] = listening();
  using serverScope = new DisposableStack();
  serverScope.use(server);
  await using peerScope = new AsyncDisposableStack();
  const peer = peerScope.use(pythonPeer(`reset()\nprint("reset", flush=True)`, port));
  const conn = await accepted(server);
  using connScope = new DisposableStack();
  connScope.use(conn);
  assertEquals(await peer.readLine(), "reset");
  conn.settimeout(5);
  // Handed over: from here the caller's disposal closes them, in the same order as before.
  const owned = { conn: connScope.move(), peer: peerScope.move(), server: serverScope.move() };
  return {
    conn,
    async [Symbol.asyncDispose]() {
      owned.conn.dispose();
      await owned.peer.disposeAsync();
      owned.server.dispose();
    },
  };
}

// ---- MSG_WAITALL ----------------------------------------------------------------------------

Deno.test("recv(MSG_WAITALL) with a timeout returns what has arrived, as CPython's does", async () => {
  // CPython's timed socket is non-blocking underneath, where Linux's MSG_WAITALL returns what
  // is there: 1,000 bytes at once, not a timeout after waiting for 100,000.
  const [server, port] = listening();
  using _server = server;
  await using peer = pythonPeer(
    `c.sendall(b"x" * 1000)
print("sent", flush=True)
time.sleep(30)`,
    port,
  );
  const conn = await accepted(server);
  using _conn = conn;
  assertEquals(await peer.readLine(), "sent");
  conn.settimeout(5);
  const data = await within(conn.recv(100_000, MSG_WAITALL));
  assert(data.length > 0 && data.length <= 1000, `got ${data.length} bytes`);
  assert(data.every((b) => b === 0x78));
});

Deno.test("recv(MSG_WAITALL) with a timeout loses no byte of a trickling peer", async () => {
  // The peer sends 300,000 bytes in pieces and, after each, waits until a call of ours has
  // timed out (we then send "g"): calls return bytes or time out, and what they return is
  // exactly what was sent.
  const [server, port] = listening();
  using _server = server;
  const total = 300_000;
  await using peer = pythonPeer(
    `data = pattern(${total})
for i in range(0, len(data), 30000):
    c.sendall(data[i:i + 30000])
    assert c.recv(1) == b"g"
c.shutdown(socket.SHUT_WR)
while c.recv(100):
    pass
print("done", flush=True)`,
    port,
  );
  const conn = await accepted(server);
  using _conn = conn;
  conn.settimeout(0.05);
  const received = new Uint8Array(total);
  let filled = 0;
  let timeouts = 0;
  // Bounded: each pass takes bytes, reaches EOF, or times out (0.05 s).
  for (let pass = 0; pass < 10_000; pass++) {
    let piece: Uint8Array;
    try {
      piece = await within(conn.recv(total, MSG_WAITALL));
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      timeouts++;
      await within(conn.sendall(bytes("g")));
      continue;
    }
    if (piece.length === 0) break;
    assert(filled + piece.length <= total, "more bytes than were sent");
    received.set(piece, filled);
    filled += piece.length;
  }
  assertEquals(filled, total);
  assert(sameBytes(received, pattern(total)), "the bytes differ from what was sent");
  assert(timeouts > 0);
  conn.close();
  assertEquals(await peer.readLine(), "done");
});

Deno.test("recv(MSG_WAITALL) returns the bytes before a reset, then raises it, then EOF", async () => {
  // CPython (blocking): 1000 bytes, then ConnectionResetError, then b"".
  for (const timeout of [null, 5]) {
    const [server, port] = listening();
    using _server = server;
    await using peer = pythonPeer(
      `c.sendall(b"y" * 1000)\nreset()\nprint("reset", flush=True)`,
      port,
    );
    const conn = await accepted(server);
    using _conn = conn;
    conn.settimeout(timeout);
    if (timeout !== null) assertEquals(await peer.readLine(), "reset");
    let got = 0;
    // With a timeout each call returns what there is: gather the 1,000 bytes (bounded).
    for (let i = 0; i < 1000 && got < 1000; i++) {
      const piece = await within(conn.recv(100_000, MSG_WAITALL));
      assert(piece.length > 0, `EOF after ${got} bytes`);
      assert(piece.every((b) => b === 0x79));
      got += piece.length;
    }
    assertEquals(got, 1000);
    await rejects(() => conn.recv(100_000, MSG_WAITALL), ConnectionResetError);
    assertEquals((await within(conn.recv(100_000, MSG_WAITALL))).length, 0);
    assertEquals((await peer.finish()).code, 0);
  }
});

// ---- sending after a reset -----------------------------------------------------------------

Deno.test("send() after recv() raised ConnectionResetError raises BrokenPipeError, in every mode", async () => {
  // CPython: recv raises ConnectionResetError; then send, sendall raise BrokenPipeError (EPIPE),
  // blocking, with a timeout or non-blocking alike; recv then returns b"".
  for (const mode of [null, 5, 0]) {
    await using reset = await resetConnection();
    const conn = reset.conn;
    await rejects(() => conn.recv(10), ConnectionResetError);
    conn.settimeout(mode);
    for (let i = 0; i < 2; i++) {
      const e = await rejects(() => conn.send(bytes("abc")), BrokenPipeError);
      assertEquals(e.errno, 32);
    }
    await rejects(() => conn.sendall(bytes("abc")), BrokenPipeError);
    conn.settimeout(5);
    assertEquals((await within(conn.recv(10))).length, 0);
  }
});

Deno.test("send() reports a reset no recv() has reported yet, once; recv() then sees EOF", async () => {
  // CPython: select() says readable, send raises ConnectionResetError, then BrokenPipeError;
  // recv returns b"".
  await using reset = await resetConnection();
  const conn = reset.conn;
  const [readable] = await within(select([conn], [], [], 5));
  assertEquals(readable, [conn]);
  await rejects(() => conn.send(bytes("abc")), ConnectionResetError);
  await rejects(() => conn.send(bytes("abc")), BrokenPipeError);
  assertEquals((await within(conn.recv(10))).length, 0);
});

Deno.test("once a background write has failed, every send raises BrokenPipeError", async () => {
  // CPython: send after a reset raises ConnectionResetError, then BrokenPipeError each time.
  // pynet's timed send buffers, so the failure shows at a later call; after it, no send may
  // claim success.
  await using reset = await resetConnection();
  const conn = reset.conn;
  let failed: unknown = null;
  // Bounded: the first sends may be buffered, and the background write fails at once.
  for (let i = 0; i < 200 && failed === null; i++) {
    try {
      await within(conn.send(bytes("abc")));
      await new Promise((resolve) => setTimeout(resolve, 5));
    } catch (e) {
      failed = e;
    }
  }
  assert(failed instanceof ConnectionResetError || failed instanceof BrokenPipeError, `${failed}`);
  for (let i = 0; i < 3; i++) await rejects(() => conn.send(bytes("abc")), BrokenPipeError);
  await rejects(() => conn.sendall(bytes("abc")), BrokenPipeError);
});

// ---- shutdown wakes a waiting recv ---------------------------------------------------------

Deno.test("shutdown(SHUT_RD / SHUT_RDWR) wakes a blocking recv() waiting in another task", async () => {
  // CPython: a recv blocked in another thread returns b"" at once.
  for (const how of [SHUT_RD, SHUT_RDWR]) {
    for (const timeout of [null, 30]) {
      using pair = await tcpPair();
      pair.conn.settimeout(timeout);
      const waiting = pair.conn.recv(65536);
      const waitingAll = pair.conn.recv(100, MSG_WAITALL);
      // Let both reach their wait on the wire first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      pair.conn.shutdown(how);
      assertEquals((await within(waiting, 5000, "recv after shutdown")).length, 0);
      assertEquals((await within(waitingAll, 5000, "recv(MSG_WAITALL) after shutdown")).length, 0);
    }
  }
});

Deno.test("shutdown(SHUT_RD) wakes a blocking recvInto() waiting in another task", async () => {
  using pair = await tcpPair();
  const buffer = new Uint8Array(64);
  const waiting = pair.conn.recvInto(buffer);
  await new Promise((resolve) => setTimeout(resolve, 20));
  pair.conn.shutdown(SHUT_RD);
  assertEquals(await within(waiting, 5000, "recvInto after shutdown"), 0);
  // The other direction still works.
  await pair.conn.sendall(bytes("still open"));
  assertEquals(text(await within(pair.client.recv(64))), "still open");
});

// ---- close() with bytes the peer has not taken ---------------------------------------------

/**
 * A python3 client that connects twice (data, then control), reads nothing on the data
 * connection until a byte arrives on the control one, then reads the data connection to EOF
 * (at `pace` seconds per 64 KiB) and prints how many bytes came and whether they were the
 * pattern's prefix.
 */
function lateReader(port: string, pace = 0) {
  return startPython(
    `
import socket, sys, time
port = int(sys.argv[1])
c = socket.create_connection(("127.0.0.1", port))
ctl = socket.create_connection(("127.0.0.1", port))
print("connected", flush=True)
assert ctl.recv(1) == b"!"
parts = []
while True:
    d = c.recv(65536)
    if not d:
        break
    parts.append(d)
    time.sleep(${pace})
data = b"".join(parts)
expected = bytes(((i * 7 + (i >> 8)) & 0xff) for i in range(min(len(data), 1 << 20)))
print(len(data), data[:len(expected)] == expected, flush=True)
`,
    [port],
  );
}

/** Resolves when `sock`'s Deno connection is closed (it is patched to tell). */
function connClosed(sock: Socket): Promise<void> {
  const stream = sock[socketCore].stream();
  if (stream === null) throw new Error("not a connected stream");
  const conn = stream.conn;
  const close = conn.close.bind(conn);
  return new Promise((resolve) => {
    conn.close = () => {
      close();
      resolve();
    };
  });
}

/**
 * Sends the pattern to `sock` until its sends stop taking bytes (a sendall times out; a
 * non-blocking socket stays unwritable for half a second); returns the count taken.
 */
async function fill(sock: Socket, block: Uint8Array): Promise<number> {
  let sent = 0;
  // Bounded: the kernel's and pynet's buffers hold far less than 4,096 sends of up to 1 MiB.
  for (let i = 0; i < 4096; i++) {
    try {
      if (sock.gettimeout() === 0) {
        sent += await within(sock.send(block.subarray(sent % block.length)));
      } else {
        await within(sock.sendall(block));
        sent += block.length;
      }
    } catch (e) {
      if (e instanceof TimeoutError) return sent;
      if ((e as OSError).errno !== 11) throw e;
      const [, writable] = await within(select([], [sock], [], 0.5));
      if (writable.length === 0) return sent;
    }
  }
  throw new Error("the sends never stopped taking bytes");
}

for (const mode of ["a sendall() timed out", "non-blocking sends filled the buffer"]) {
  Deno.test(`close() after ${mode} to a client that never reads frees the connection`, async () => {
    // CPython frees the descriptor at close(); the kernel sends what it holds, then FIN. pynet
    // closes its Deno connection (at once after a timeout, after the linger's bound otherwise):
    // the client, reading only then, gets a prefix of what was sent, then EOF.
    const [server, port] = listening();
    using _server = server;
    await using peer = lateReader(port);
    const [conn] = await within(server.accept());
    const [ctl] = await within(server.accept());
    using _ctl = ctl;
    assertEquals(await peer.readLine(), "connected");
    conn.settimeout(mode.startsWith("a sendall") ? 0.3 : 0);
    const block = pattern(1 << 20);
    await fill(conn, block);
    const closed = connClosed(conn);
    conn.close();
    await within(closed, 10_000, "the Deno connection's close");
    await ctl.sendall(bytes("!"));
    const [count, intact] = (await peer.readLine()).split(" ");
    assert(Number(count) > 0, "the client got none of the bytes");
    assertEquals(intact, "True");
    assertEquals((await peer.finish()).code, 0);
  });
}

Deno.test("close() after non-blocking sends delivers them all to a client that reads slowly", async () => {
  const [server, port] = listening();
  using _server = server;
  await using peer = lateReader(port, 0.02);
  const [conn] = await within(server.accept());
  const [ctl] = await within(server.accept());
  using _ctl = ctl;
  assertEquals(await peer.readLine(), "connected");
  conn.setblocking(false);
  const sent = await fill(conn, pattern(1 << 20));
  conn.close();
  await ctl.sendall(bytes("!"));
  assertEquals(await peer.readLine(30_000), `${sent} True`);
  assertEquals((await peer.finish()).code, 0);
});

// ---- memory of an idle stream ----------------------------------------------------------------

/** A connection whose reads the test answers, recording the size of each read's buffer. */
class ScriptedConn implements ByteConn {
  sizes: number[] = [];
  #pending: { p: Uint8Array; resolve: (n: number | null) => void } | null = null;

  read(p: Uint8Array): Promise<number | null> {
    this.sizes.push(p.length);
    return new Promise((resolve) => this.#pending = { p, resolve });
  }

  /** Lands the pending read with `n` bytes `fill` (all of its buffer when `n` is omitted). */
  land(n?: number, fill = 0x61): number {
    const pending = this.#pending;
    if (pending === null) throw new Error("no read is pending");
    this.#pending = null;
    const count = n ?? pending.p.length;
    pending.p.fill(fill, 0, count);
    pending.resolve(count);
    return count;
  }

  write(p: Uint8Array): Promise<number> {
    return Promise.resolve(p.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.#pending?.resolve(null);
    this.#pending = null;
  }
}

Deno.test("an idle stream's pending recv(65536) holds a 4 KiB buffer, not 64 KiB or a slab", async () => {
  // Issue 11: a pending recv(n >= 16 KiB) held a 256 KiB slab per idle connection.
  const conn = new ScriptedConn();
  using sock = wrapConn(AF_INET, conn);
  for (const n of [65536, 1 << 20, 16384]) {
    const receiving = sock.recv(n);
    // Should an assertion fail first, the close at the end rejects this recv: no stray error.
    receiving.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    const size = conn.sizes.at(-1)!;
    assert(size <= 24 * 1024, `an idle stream's read asked for ${size} bytes`);
    assertEquals(size, 4096);
    conn.land(10);
    assertEquals((await within(receiving)).length, 10);
  }
});

Deno.test("a busy stream's reads grow to what recv asks; a short one makes the next small", async () => {
  const conn = new ScriptedConn();
  using sock = wrapConn(AF_INET, conn);
  const receive = async (n: number, land?: number) => {
    const receiving = sock.recv(n);
    // Should an assertion fail first, the close at the end rejects this recv: no stray error.
    receiving.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    const size = conn.sizes.at(-1)!;
    const landed = conn.land(land);
    assertEquals((await within(receiving)).length, landed);
    return size;
  };
  // Full reads: the size doubles up to what recv asks.
  const sizes = [];
  for (let i = 0; i < 6; i++) sizes.push(await receive(65536));
  assertEquals(sizes, [4096, 8192, 16384, 32768, 65536, 65536]);
  // A short read of 16 KiB or more (a TLS record) is data still flowing: reads stay large.
  assertEquals(await receive(65536, 16384), 65536);
  assertEquals(await receive(65536, 30000), 65536);
  // A small short read (the stream caught up): the next read is a 16 KiB probe; full, reads
  // go back to 64 KiB.
  assertEquals(await receive(65536, 10000), 65536);
  assertEquals(await receive(65536), 16384);
  assertEquals(await receive(65536), 65536);
  // A tiny read (the stream went quiet) starts over from 4 KiB.
  assertEquals(await receive(65536, 100), 65536);
  assertEquals(await receive(65536), 4096);
  assertEquals(await receive(65536), 8192);
  // recv(n) never reads more than n.
  assertEquals(await receive(16384), 16384);
});

Deno.test("small chunks a program keeps stay intact while later reads land (shared small slab)", async () => {
  // Short reads are copied into regions of a slab shared by every stream: each kept chunk
  // must keep its own bytes as the slab fills and the next one starts.
  const conn = new ScriptedConn();
  using sock = wrapConn(AF_INET, conn);
  const kept: [Uint8Array, number, number][] = [];
  for (let i = 0; i < 300; i++) {
    const n = 1 + (i * 37) % 700; // 1 to 700 bytes: either side of the slab's 512-byte limit
    const fill = i & 0xff;
    const receiving = sock.recv(65536);
    // Should an assertion fail first, the close at the end rejects this recv: no stray error.
    receiving.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    conn.land(n, fill);
    kept.push([await within(receiving), n, fill]);
  }
  for (const [chunk, n, fill] of kept) {
    assertEquals(chunk.length, n);
    assert(chunk.every((b) => b === fill), `a kept ${n}-byte chunk changed`);
  }
});

Deno.test("a stream's input reaches a selector registered after blocking recvs ran without one", async () => {
  using pair = await tcpPair();
  const { client, conn } = pair;
  // Blocking recvs with no watcher: each landing is the recv's whole answer, or a part of it.
  for (let i = 0; i < 3; i++) {
    await client.sendall(bytes(`ping ${i}`));
    assertEquals(text(await within(conn.recv(1024))), `ping ${i}`);
  }
  await client.sendall(bytes("hello"));
  assertEquals(text(await within(conn.recv(3))), "hel");
  assertEquals(text(await within(conn.recv(1024))), "lo");
  using sel = new DefaultSelector();
  for (let round = 0; round < 2; round++) {
    sel.register(conn, EVENT_READ);
    assertEquals(await sel.select(0), []);
    await client.sendall(bytes(`round ${round}`));
    const ready = await within(sel.select(5));
    assertEquals(ready.length, 1);
    assertEquals(text(await within(conn.recv(1024))), `round ${round}`);
    sel.unregister(conn);
    // Unwatched again: a blocking recv reads for itself.
    await client.sendall(bytes(`after ${round}`));
    assertEquals(text(await within(conn.recv(1024))), `after ${round}`);
  }
});
