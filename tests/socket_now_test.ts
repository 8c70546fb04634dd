// recvNow and sendNow: Python's recv and send on a non-blocking socket, synchronously. Each
// case is what CPython 3.11 does with a non-blocking socket in the same scenario on Linux
// (BlockingIOError 11, ConnectionResetError 104 once after the bytes before it, then b"";
// BrokenPipeError 32 after a reset, on a fresh TCP socket and after SHUT_WR; OSError 107 for a
// recv on a fresh socket, 9 once closed), checked against python3 when this file was written.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  AF_INET,
  BlockingIOError,
  BrokenPipeError,
  ConnectionResetError,
  OSError,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socketpair,
  ValueError,
} from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { bytes, startPython, tcpPair, text, within } from "./_helpers.ts";
import { selectReadable } from "./_select_helpers.ts";

Deno.test("recvNow: BlockingIOError until input arrives, then the bytes; empty at EOF", async () => {
  using pair = await tcpPair();
  pair.conn.setblocking(false);
  const e = assertThrows(() => pair.conn.recvNow(10), BlockingIOError);
  assertEquals(e.errno, 11);
  await pair.client.sendall(bytes("hello"));
  await selectReadable(pair.conn);
  assertEquals(text(pair.conn.recvNow(3)), "hel");
  assertEquals(text(pair.conn.recvNow(10)), "lo");
  assertEquals(pair.conn.recvNow(0).length, 0);
  pair.client.shutdown(SHUT_WR);
  await selectReadable(pair.conn);
  assertEquals(pair.conn.recvNow(10).length, 0);
});

Deno.test("recvNow works in any timeout mode and never waits", async () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  assertEquals(b.gettimeout(), null);
  assertThrows(() => b.recvNow(10), BlockingIOError);
  await a.sendall(bytes("x"));
  await selectReadable(b);
  assertEquals(text(b.recvNow(10)), "x");
});

Deno.test("recvNow after a reset: the bytes before it, ConnectionResetError once, then EOF; sendNow then BrokenPipeError", async () => {
  using listener = new Socket(AF_INET, SOCK_STREAM);
  listener.bind(["127.0.0.1", 0]);
  listener.listen();
  // Once accepted, CPython sends "abc" and resets (SO_LINGER 0), which Deno's sockets cannot.
  await using peer = startPython(
    `import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(1)
s.sendall(b"abc")
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
print("reset")`,
    [String((listener.getsockname() as [string, number])[1])],
  );
  const [conn] = await within(listener.accept());
  using _conn = conn;
  await conn.sendall(bytes("!")); // accepted: the peer may go on
  conn.setblocking(false);
  assertEquals(await peer.readLine(), "reset");
  await selectReadable(conn);
  assertEquals(text(conn.recvNow(10)), "abc");
  // The reset lands after the bytes, in Deno's own time: until then recvNow has nothing.
  let error: unknown = null;
  for (let i = 0; i < 100 && error === null; i++) {
    await selectReadable(conn);
    try {
      assertEquals(conn.recvNow(10).length, 0, "EOF before the reset");
    } catch (e) {
      error = e;
    }
  }
  assertEquals((error as OSError).constructor, ConnectionResetError);
  assertEquals((error as OSError).errno, 104);
  assertEquals(conn.recvNow(10).length, 0);
  assertEquals(assertThrows(() => conn.sendNow(bytes("x")), BrokenPipeError).errno, 32);
});

Deno.test("sendNow: the count taken; the peer reads it all", async () => {
  using pair = await tcpPair();
  pair.client.setblocking(false);
  assertEquals(pair.client.sendNow(bytes("ping")), 4);
  assertEquals(pair.client.sendNow(new Uint8Array(0)), 0);
  assertEquals(text(await within(pair.conn.recv(10))), "ping");
});

Deno.test("sendNow: BlockingIOError once the send buffer is full, as CPython's non-blocking send", async () => {
  using pair = await tcpPair();
  pair.client.setblocking(false);
  const chunk = new Uint8Array(65536);
  let total = 0;
  let error: unknown = null;
  // Bounded: the peer never reads, so the kernel's and pynet's buffers fill within a few MB.
  for (let i = 0; i < 10_000 && error === null; i++) {
    try {
      total += pair.client.sendNow(chunk);
    } catch (e) {
      error = e;
    }
    // Let Deno's background writes move bytes to the kernel meanwhile.
    if (i % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assertEquals((error as OSError)?.constructor, BlockingIOError);
  assertEquals((error as OSError).errno, 11);
  assertEquals(total > 0, true);
});

Deno.test("select() waiting to write on a full send buffer wakes once the peer reads", async () => {
  // Watchers hear of a completed write only when it frees room in a full buffer
  // (socket/_stream_writer.ts): this is the wake-up that must not be lost.
  using pair = await tcpPair();
  pair.client.setblocking(false);
  const chunk = new Uint8Array(65536);
  let sent = 0;
  // Full for good: the kernel's buffers too, so that no write completes until the peer reads
  // (bounded: they take a few MB).
  let full = false;
  for (let round = 0; round < 1000 && !full; round++) {
    try {
      for (let i = 0; i < 100; i++) sent += pair.client.sendNow(chunk);
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
    }
    const [, writable] = await select([], [pair.client], [], 0.05);
    full = writable.length === 0;
  }
  assertEquals(full, true);
  const waiting = select([], [pair.client], [], 10);
  // The peer reads everything: room comes back as Deno's writes complete.
  let received = 0;
  for (let i = 0; i < 10_000 && received < sent; i++) {
    received += (await within(pair.conn.recv(1 << 20))).length;
  }
  assertEquals(received, sent);
  const [, writable] = await within(waiting);
  assertEquals(writable, [pair.client]);
});

Deno.test("sendNow and recvNow on sockets that cannot: CPython's errors", async () => {
  using fresh = new Socket(AF_INET, SOCK_STREAM);
  fresh.setblocking(false);
  assertEquals(assertThrows(() => fresh.recvNow(10), OSError).errno, 107);
  assertEquals(assertThrows(() => fresh.sendNow(bytes("x")), BrokenPipeError).errno, 32);
  assertThrows(() => fresh.recvNow(-1), ValueError, "negative buffersize in recvNow");

  using pair = await tcpPair();
  pair.client.shutdown(SHUT_WR);
  assertEquals(assertThrows(() => pair.client.sendNow(bytes("x")), BrokenPipeError).errno, 32);
  pair.conn.close();
  assertEquals(assertThrows(() => pair.conn.sendNow(bytes("x")), OSError).errno, 9);
  assertEquals(assertThrows(() => pair.conn.recvNow(1), OSError).errno, 9);

  using udp = new Socket(AF_INET, SOCK_DGRAM);
  assertEquals(assertThrows(() => udp.recvNow(10), OSError, "stream socket").errno, 95);
  assertEquals(assertThrows(() => udp.sendNow(bytes("x")), OSError, "stream socket").errno, 95);
});

Deno.test("sendNow while a non-blocking connect is under way: BlockingIOError (EAGAIN), as Linux", async () => {
  using listener = new Socket(AF_INET, SOCK_STREAM);
  listener.bind(["127.0.0.1", 0]);
  listener.listen();
  using client = new Socket(AF_INET, SOCK_STREAM);
  client.setblocking(false);
  assertEquals(await client.connectEx(listener.getsockname()), 115); // EINPROGRESS
  // pynet's connect settles in Deno's own time, at the earliest a turn of the event loop
  // after connectEx returns: until then the connect is under way.
  assertEquals(isConnecting(client), true);
  assertEquals(assertThrows(() => client.sendNow(bytes("x")), BlockingIOError).errno, 11);
  assertEquals(assertThrows(() => client.recvNow(1), BlockingIOError).errno, 11);
  // recv says the same, as Linux's does (it said ENOTCONN before).
  await assertRejects(() => client.recv(1), BlockingIOError);
  const [, writable] = await within(select([], [client], [], 5), 6_000, "connect");
  assertEquals(writable, [client]);
  assertEquals(client.sendNow(bytes("x")), 1);
  const [conn] = await within(listener.accept());
  using _conn = conn;
  assertEquals(text(await within(conn.recv(1))), "x");
});

/** Whether `sock`'s connect is still under way (getpeername raises ENOTCONN until done). */
function isConnecting(sock: Socket): boolean {
  try {
    sock.getpeername();
    return false;
  } catch {
    return true;
  }
}

Deno.test("recvNow and sendNow refuse while the socket's Web Stream holds the direction", () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  const reader = b.readable.getReader();
  assertEquals(assertThrows(() => b.recvNow(1), OSError).errno, 16);
  reader.releaseLock();
  const writer = a.writable.getWriter();
  assertEquals(assertThrows(() => a.sendNow(bytes("x")), OSError).errno, 16);
  writer.releaseLock();
});
