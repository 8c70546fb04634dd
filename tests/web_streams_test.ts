// A socket's Web Streams (readable / writable): byte-for-byte transfers, half-close, cancel,
// timeouts, the lock rule against Python-style calls, TLS, and non-blocking sockets.
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { toBytes } from "@std/streams/to-bytes";
import { select } from "../select/mod.ts";
import { OSError, SOCK_DGRAM, Socket, socket, socketpair, TimeoutError } from "../socket/mod.ts";
import {
  bytes,
  pattern,
  recvAll,
  rejects,
  runDenoFile,
  sameBytes,
  tcpPair,
  text,
  within,
} from "./_helpers.ts";
import { ENGINES, tlsPair } from "./_ssl_helpers.ts";

/** `data` as a stream of `size`-byte chunks. */
function chunksOf(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

const EBUSY = 16;
const ENOTCONN = 107;

Deno.test("streams: 8 MiB through writable, echoed by readable.pipeTo(writable), byte for byte", async () => {
  using pair = await tcpPair();
  const data = pattern(8 * 1024 * 1024);
  const echoing = pair.conn.readable.pipeTo(pair.conn.writable);
  const sending = chunksOf(data, 100_000).pipeTo(pair.client.writable);
  const received = await within(toBytes(pair.client.readable) as Promise<Uint8Array>);
  await within(Promise.all([sending, echoing]));
  assertEquals(received.length, data.length);
  assert(sameBytes(received, data));
});

Deno.test("streams: a BYOB reader reads straight into its own buffer", async () => {
  using pair = await tcpPair();
  await pair.client.sendall(bytes("abcdef"));
  const reader = pair.conn.readable.getReader({ mode: "byob" });
  const { value, done } = await within(reader.read(new Uint8Array(16)));
  assertEquals(done, false);
  assertEquals(text(value!), "abcdef");
  assertEquals(value!.buffer.byteLength, 16);
  reader.releaseLock();
});

Deno.test("streams: bytes already read ahead come out of the readable first", async () => {
  using pair = await tcpPair();
  await pair.client.sendall(bytes("first "));
  // select() starts the read-ahead and sees the bytes land in the socket's inbox.
  const [readable] = await within(select([pair.conn], [], [], 5));
  assertEquals(readable.length, 1);
  await pair.client.sendall(bytes("second"));
  pair.client.close();
  assertEquals(
    text(await within(toBytes(pair.conn.readable) as Promise<Uint8Array>)),
    "first second",
  );
});

Deno.test("streams: closing the writable half-closes; the peer reads EOF and can still answer", async () => {
  using pair = await tcpPair();
  const writer = pair.client.writable.getWriter();
  await writer.write(bytes("request"));
  await writer.close();
  assertEquals(text(await within(recvAll(pair.conn))), "request");
  await pair.conn.sendall(bytes("answer"));
  pair.conn.close();
  assertEquals(text(await within(recvAll(pair.client))), "answer");
  // The writable is closed for good; a send now is a broken pipe, as after shutdown(SHUT_WR).
  await rejects(() => pair.client.send(bytes("x")), OSError);
});

Deno.test("streams: cancelling the readable stops reading; the socket can still send", async () => {
  using pair = await tcpPair();
  await pair.conn.readable.cancel();
  await pair.client.sendall(bytes("dropped"));
  assertEquals((await within(pair.conn.recv(100))).length, 0); // SHUT_RD: EOF
  await pair.conn.sendall(bytes("still writing"));
  assertEquals(text(await within(pair.client.recv(100))), "still writing");
});

Deno.test("streams: cancelling while a read is pending ends that read; later input is dropped", async () => {
  using pair = await tcpPair();
  const reader = pair.conn.readable.getReader();
  const pending = reader.read();
  await reader.cancel();
  assertEquals(await within(pending), { value: undefined, done: true });
  await pair.client.sendall(bytes("after cancel"));
  assertEquals((await within(pair.conn.recv(100))).length, 0); // SHUT_RD: EOF
});

Deno.test("streams: a stream that ended no longer refuses recv, though its reader holds it", async () => {
  using pair = await tcpPair();
  pair.conn.settimeout(0.05);
  const reader = pair.conn.readable.getReader();
  assertInstanceOf(await within(reader.read().then(() => null, (e) => e)), TimeoutError);
  // Errored by the timeout, still locked by `reader`: recv is free again.
  await pair.client.sendall(bytes("late"));
  pair.conn.settimeout(5);
  assertEquals(text(await within(pair.conn.recv(100))), "late");
  // toText() never releases its reader; after the EOF it read, recv reports EOF too.
  pair.client.close();
  const [a, b] = socketpair();
  using _a = a, _b = b;
  a.close();
  assertEquals(await within(toBytes(b.readable) as Promise<Uint8Array>), new Uint8Array(0));
  assertEquals((await within(b.recv(10))).length, 0);
  // A writable that was closed no longer refuses send: the send itself is a broken pipe.
  const [c, d] = socketpair();
  using _c = c, _d = d;
  const writer = c.writable.getWriter();
  await writer.close();
  const error = await rejects(() => c.send(bytes("x")), OSError);
  assert(error.errno !== EBUSY);
});

Deno.test("streams: a TLS socket's BYOB reader reads decrypted bytes into its own buffer", async () => {
  using pair = await tlsPair(ENGINES[0].server(), ENGINES[0].client());
  await pair.client.sendall(bytes("decrypted"));
  const reader = pair.conn.readable.getReader({ mode: "byob" });
  const { value } = await within(reader.read(new Uint8Array(4)));
  assertEquals(text(value!), "decr");
  const rest = await within(reader.read(new Uint8Array(32)));
  assertEquals(text(rest.value!), "ypted");
  reader.releaseLock();
});

Deno.test("streams: a read keeps to the socket's timeout, and the late bytes stay for recv", async () => {
  using pair = await tcpPair();
  pair.conn.settimeout(0.05);
  const reader = pair.conn.readable.getReader();
  const error = await within(reader.read().then(() => null, (e) => e));
  assertInstanceOf(error, TimeoutError);
  reader.releaseLock();
  await pair.client.sendall(bytes("late"));
  pair.conn.settimeout(5);
  assertEquals(text(await within(pair.conn.recv(100))), "late");
});

Deno.test("streams: a write keeps to the socket's timeout", async () => {
  using pair = await tcpPair();
  pair.client.settimeout(0.05);
  // Nobody reads: the kernel's buffers fill and sendall times out.
  const error = await within(
    chunksOf(new Uint8Array(64 * 1024 * 1024), 1024 * 1024).pipeTo(pair.client.writable)
      .then(() => null, (e) => e),
  );
  assertInstanceOf(error, TimeoutError);
});

Deno.test("streams: while the readable is locked, recv raises EBUSY; released, no byte is lost", async () => {
  using pair = await tcpPair();
  const reader = pair.conn.readable.getReader();
  const pending = reader.read();
  const error = await rejects(() => pair.conn.recv(10), OSError);
  assertEquals(error.errno, EBUSY);
  await rejects(() => pair.conn.recvInto(new Uint8Array(4)), OSError);
  // Released while its read is pending: the bytes that read brings go to the next recv.
  reader.releaseLock();
  await pending.catch(() => {});
  await pair.client.sendall(bytes("kept"));
  assertEquals(text(await within(pair.conn.recv(100))), "kept");
  // A new reader gets what follows.
  await pair.client.sendall(bytes("then"));
  const again = pair.conn.readable.getReader();
  assertEquals(text((await within(again.read())).value!), "then");
  again.releaseLock();
});

Deno.test("streams: while the writable is locked, send raises EBUSY", async () => {
  using pair = await tcpPair();
  const writer = pair.client.writable.getWriter();
  const error = await rejects(() => pair.client.sendall(bytes("x")), OSError);
  assertEquals(error.errno, EBUSY);
  writer.releaseLock();
  await pair.client.sendall(bytes("ok"));
  assertEquals(text(await within(pair.conn.recv(10))), "ok");
});

Deno.test("streams: a non-blocking socket's streams wait instead of failing", async () => {
  using pair = await tcpPair();
  pair.conn.setblocking(false);
  pair.client.setblocking(false);
  const data = pattern(2 * 1024 * 1024);
  const receiving = toBytes(pair.conn.readable) as Promise<Uint8Array>;
  await within(chunksOf(data, 256 * 1024).pipeTo(pair.client.writable));
  const received = await within(receiving);
  assert(sameBytes(received, data));
});

Deno.test("streams: the streams of a socketpair work in memory", async () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  const data = pattern(1024 * 1024);
  const receiving = toBytes(b.readable) as Promise<Uint8Array>;
  await within(chunksOf(data, 70_000).pipeTo(a.writable));
  assert(sameBytes(await within(receiving), data));
});

Deno.test("streams: a socket that is not a connected stream has no streams", () => {
  using s = socket();
  let error: unknown;
  try {
    s.readable;
  } catch (e) {
    error = e;
  }
  assertInstanceOf(error, OSError);
  assertEquals((error as OSError).errno, ENOTCONN);
  using d = new Socket(2, SOCK_DGRAM);
  try {
    d.writable;
    error = null;
  } catch (e) {
    error = e;
  }
  assertInstanceOf(error, OSError);
});

for (const { engine, server, client } of ENGINES) {
  Deno.test(`streams: TLS (${engine}): 2 MiB echoed through readable.pipeTo(writable)`, async () => {
    using pair = await tlsPair(server(), client());
    const data = pattern(2 * 1024 * 1024);
    const echoing = pair.conn.readable.pipeTo(pair.conn.writable);
    const sending = chunksOf(data, 100_000).pipeTo(pair.client.writable);
    const received = await within(toBytes(pair.client.readable) as Promise<Uint8Array>);
    await within(Promise.all([sending, echoing]));
    assert(sameBytes(received, data));
  });

  Deno.test(`streams: TLS (${engine}): non-blocking sockets' streams wait through want-read/write`, async () => {
    using pair = await tlsPair(server(), client());
    pair.conn.setblocking(false);
    pair.client.setblocking(false);
    const data = pattern(1024 * 1024);
    const receiving = toBytes(pair.conn.readable) as Promise<Uint8Array>;
    await within(chunksOf(data, 100_000).pipeTo(pair.client.writable));
    assert(sameBytes(await within(receiving), data));
  });

  Deno.test(`streams: TLS (${engine}): a read keeps to the timeout; the late bytes stay for recv`, async () => {
    using pair = await tlsPair(server(), client());
    pair.conn.settimeout(0.05);
    const reader = pair.conn.readable.getReader();
    assertInstanceOf(await within(reader.read().then(() => null, (e) => e)), TimeoutError);
    reader.releaseLock();
    await pair.client.sendall(bytes("late over tls"));
    pair.conn.settimeout(5);
    assertEquals(text(await within(pair.conn.recv(100))), "late over tls");
  });
}

Deno.test("examples/web_streams.ts: runs its four joins to the end and exits 0", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const { code, stdout, stderr } = await runDenoFile(`${root}examples/web_streams.ts`, [
    `--import-map=${root}import_map.json`,
    "--allow-net=127.0.0.1",
    `--allow-read=${root}examples`,
  ]);
  assertEquals(code, 0, stderr);
  assertEquals(stdout.split("\n").filter((line: string) => line.startsWith("line:")), [
    "line: +OK one",
    "line: +OK two",
    "line: +OK three",
  ]);
  assert(stdout.includes('http body: "+OK one\\r\\n+OK two\\r\\n+OK three\\r\\n"'), stdout);
  const file = /file \((\d+) bytes\): \+GOT (\d+) bytes/.exec(stdout);
  assert(file !== null && file[1] === file[2], stdout);
  assert(stdout.includes('toText: "+TIME 12:00\\r\\n"'), stdout);
  assert(stdout.includes("toBytes: 13 bytes"), stdout);
});
