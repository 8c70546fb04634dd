// The read-ahead inbox (_core/inbox.ts) on its own, and StreamChannel (socket/_stream.ts) over a
// fake connection whose reads land when the test says: no byte is dropped or reordered, the end
// of input is held behind the bytes before it, and readiness follows the inbox level.
import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import type { ByteConn, ChannelOwner } from "../_core/channel.ts";
import { Inbox } from "../_core/inbox.ts";
import { OSError } from "../_core/errors.ts";
import { ECONNRESET, EPIPE } from "../_core/errno.ts";
import { POLLERR, POLLIN, POLLOUT, POLLRDHUP } from "../_core/readiness.ts";
import { StreamChannel } from "../socket/_stream.ts";
import { StreamWrapper } from "../select/mod.ts";
import { concat } from "./_helpers.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const range = (start: number, end: number) =>
  Uint8Array.from({ length: end - start }, (_, i) => (start + i) & 0xff);

Deno.test("Inbox: partial takes across chunks give every byte once, in order", () => {
  const inbox = new Inbox();
  const sent = range(0, 1000);
  for (const [from, to] of [[0, 7], [7, 300], [300, 301], [301, 1000]] as const) {
    inbox.push(sent.slice(from, to));
  }
  inbox.push(new Uint8Array(0));
  assertEquals(inbox.buffered, 1000);
  const got: Uint8Array[] = [];
  for (const n of [3, 5, 1, 400, 2, 1, 10_000]) {
    got.push(inbox.take(n));
    assertEquals(inbox.buffered, 1000 - concat(got).length);
  }
  assertEquals(concat(got), sent);
  assertEquals(inbox.take(10).length, 0);
});

Deno.test("Inbox: a peek leaves the bytes, and changing the copy changes nothing", () => {
  const inbox = new Inbox();
  inbox.push(bytes(1, 2, 3));
  inbox.push(bytes(4, 5));
  const whole = inbox.peek(10);
  assertEquals(whole, bytes(1, 2, 3, 4, 5));
  const part = inbox.peek(2);
  assertEquals(part, bytes(1, 2));
  whole.fill(0);
  part.fill(0);
  assertEquals(inbox.buffered, 5);
  assertEquals(inbox.take(10), bytes(1, 2, 3, 4, 5));
});

Deno.test("Inbox: unread bytes come back first, before bytes that landed since", () => {
  const inbox = new Inbox();
  inbox.push(bytes(1, 2, 3, 4));
  const taken = inbox.take(3);
  // A chunk lands between the take and the unread (the read-ahead ran meanwhile).
  inbox.push(bytes(5, 6));
  inbox.unread(taken);
  assertEquals(inbox.buffered, 6);
  assertEquals(inbox.take(100), bytes(1, 2, 3, 4, 5, 6));
});

Deno.test("Inbox: a chunk landing between partial takes queues behind the rest", () => {
  const inbox = new Inbox();
  inbox.push(range(0, 10));
  assertEquals(inbox.take(4), range(0, 4));
  inbox.push(range(10, 20));
  assertEquals(inbox.take(4), range(4, 8));
  assertEquals(inbox.take(20), range(8, 20));
});

Deno.test("Inbox: EOF is seen only once the bytes before it are taken", () => {
  const inbox = new Inbox();
  inbox.push(bytes(1, 2));
  inbox.end();
  assert(inbox.eof);
  assert(inbox.settled);
  assertEquals(inbox.take(1), bytes(1));
  assertEquals(inbox.take(5), bytes(2));
  assertEquals(inbox.take(5).length, 0);
  assert(inbox.settled);
});

Deno.test("Inbox: an error is held behind the bytes before it and reported once", () => {
  const inbox = new Inbox<OSError>();
  inbox.push(bytes(9, 8));
  inbox.fail(new OSError(ECONNRESET));
  assertEquals(inbox.take(5), bytes(9, 8));
  assertEquals(inbox.error?.errno, ECONNRESET);
  assertFalse(inbox.eof);
  assertEquals(inbox.takeError()?.errno, ECONNRESET);
  assert(inbox.eof);
  assertStrictEquals(inbox.takeError(), null);
});

Deno.test("Inbox: clear drops the bytes but keeps the end", () => {
  const inbox = new Inbox();
  inbox.push(bytes(1));
  inbox.end();
  inbox.clear();
  assertEquals(inbox.buffered, 0);
  assert(inbox.eof);
});

/** A connection whose reads stay pending until the test lands, ends or fails them. */
class FakeConn implements ByteConn {
  pending: { p: Uint8Array; resolve: (n: number | null) => void; reject: (e: unknown) => void }[] =
    [];
  written: Uint8Array[] = [];
  closed = false;

  read(p: Uint8Array): Promise<number | null> {
    return new Promise((resolve, reject) => this.pending.push({ p, resolve, reject }));
  }
  /** Lands as much of `data` as the pending read's buffer holds; returns the count. */
  land(data: Uint8Array): number {
    const read = this.pending.shift()!;
    const n = Math.min(data.length, read.p.length);
    read.p.set(data.subarray(0, n));
    read.resolve(n);
    return n;
  }
  end(): void {
    this.pending.shift()!.resolve(null);
  }
  fail(e: unknown): void {
    this.pending.shift()!.reject(e);
  }
  write(p: Uint8Array): Promise<number> {
    this.written.push(p.slice());
    return Promise.resolve(p.length);
  }
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
  /** The ref() and unref() calls, in order. */
  refs: ("ref" | "unref")[] = [];
  ref(): void {
    this.refs.push("ref");
  }
  unref(): void {
    this.refs.push("unref");
  }
}

/** Lets the read handlers run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function channelOver(conn: FakeConn): { channel: StreamChannel; changes: () => number } {
  let count = 0;
  const owner: ChannelOwner = { changed: () => count++ };
  return { channel: new StreamChannel(conn, owner), changes: () => count };
}

Deno.test("StreamChannel: readiness follows the inbox as bytes land and are taken", async () => {
  const conn = new FakeConn();
  const { channel, changes } = channelOver(conn);
  assertEquals(channel.pollEvents() & POLLIN, 0);
  assertFalse(channel.readable);
  channel.armRead();
  assertEquals(conn.pending.length, 1);
  // One read at a time: arming again while one is pending starts none.
  channel.armRead();
  assertEquals(conn.pending.length, 1);
  const before = changes();
  conn.land(range(0, 100));
  await settle();
  assert(changes() > before);
  assertEquals(channel.pollEvents() & (POLLIN | POLLOUT), POLLIN | POLLOUT);
  assert(channel.readable);
  // Input waiting: no read starts until it is taken.
  channel.armRead();
  assertEquals(conn.pending.length, 0);
  assertEquals(channel.take(30), range(0, 30));
  assertEquals(channel.pollEvents() & POLLIN, POLLIN);
  assertEquals(channel.take(70), range(30, 100));
  assertEquals(channel.pollEvents() & POLLIN, 0);
  assertFalse(channel.readable);
  channel.close();
  assert(conn.closed);
});

Deno.test("StreamChannel: every byte of many landings comes out once, in order", async () => {
  const conn = new FakeConn();
  const { channel } = channelOver(conn);
  const sent = range(0, 200_000);
  let landed = 0;
  const got: Uint8Array[] = [];
  const sizes = [1, 7, 4096, 3, 65_536, 100, 16_384];
  let i = 0;
  while (got.reduce((sum, chunk) => sum + chunk.length, 0) < sent.length) {
    channel.armRead(i % 2 ? 65_536 : 0);
    if (conn.pending.length > 0 && landed < sent.length) {
      landed += conn.land(sent.subarray(landed, landed + 70_000));
      await settle();
    }
    got.push(i % 3 ? channel.take(sizes[i % sizes.length]!) : channel.take(1 << 20));
    i++;
  }
  assertEquals(concat(got), sent);
  channel.close();
});

Deno.test("StreamChannel: bytes put back while a read is pending come before what it brings", async () => {
  const conn = new FakeConn();
  const { channel } = channelOver(conn);
  channel.armRead();
  conn.land(bytes(1, 2, 3));
  await settle();
  const taken = channel.take(3);
  channel.armRead();
  assertEquals(conn.pending.length, 1);
  // The caller who took them has gone (an aborted MSG_WAITALL): they go back...
  channel.unread(taken);
  // ...and the read already in flight lands after them.
  conn.land(bytes(4, 5));
  await settle();
  assertEquals(channel.take(2), bytes(1, 2));
  assertEquals(channel.take(100), bytes(3, 4, 5));
});

Deno.test("StreamChannel: EOF after data is seen after the data", async () => {
  const conn = new FakeConn();
  const { channel } = channelOver(conn);
  channel.armRead();
  conn.land(bytes(1, 2));
  await settle();
  // EOF cannot be read while bytes wait; a read starts once they are taken.
  assertEquals(channel.take(1), bytes(1));
  assertEquals(channel.take(1), bytes(2));
  channel.armRead();
  conn.end();
  await settle();
  assertEquals(channel.pollEvents() & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
  assertEquals(channel.take(10).length, 0);
  assertFalse(channel.canReadNow);
  channel.close();
});

Deno.test("StreamChannel: a reset after data is raised once, after the data", async () => {
  const conn = new FakeConn();
  const { channel } = channelOver(conn);
  channel.armRead();
  conn.land(bytes(7));
  await settle();
  assertEquals(channel.take(10), bytes(7));
  channel.armRead();
  conn.fail(new Deno.errors.ConnectionReset("reset"));
  await settle();
  assertEquals(channel.pollEvents() & (POLLIN | POLLERR), POLLIN | POLLERR);
  // A MSG_WAITALL recv holding bytes leaves the error for the next call.
  assertEquals(channel.take(10, false, true).length, 0);
  // A peek sees it without taking it.
  assertThrows(() => channel.take(10, true), OSError);
  const error = assertThrows(() => channel.take(10), OSError);
  assertEquals((error as OSError).errno, ECONNRESET);
  assertEquals(channel.take(10).length, 0);
  assertEquals(channel.takeSendError()?.errno, EPIPE);
  channel.close();
});

Deno.test("StreamChannel: readNow wakes its caller once the bytes are in, before the owner hears, and at once on a close", async () => {
  const conn = new FakeConn();
  const { channel, changes } = channelOver(conn);
  const seen: [buffered: number, changes: number][] = [];
  const wake = () => seen.push([channel.buffered, changes()]);
  const before = changes();
  channel.readNow(65_536, wake);
  conn.land(range(0, 50));
  await settle();
  // Woken once, with the bytes in the inbox and the owner not yet told.
  assertEquals(seen, [[50, before]]);
  assert(changes() > before);
  assertEquals(channel.take(100), range(0, 50));
  channel.readNow(65_536, wake);
  channel.close();
  // A close wakes the caller at once, without waiting for the read.
  assertEquals(seen.length, 2);
  assertEquals(channel.take(100).length, 0);
  // The read left pending lands on a closed channel: nothing is kept, nothing breaks.
  conn.land(range(0, 10));
  await settle();
  assertEquals(seen.length, 2);
  assertEquals(channel.buffered, 0);
});

Deno.test("StreamChannel: blocking reads hold the process, read-aheads and overtaken reads do not", async () => {
  const conn = new FakeConn();
  const { channel } = channelOver(conn);
  // Made unref'd: reading ahead must not hold the process.
  assertEquals(conn.refs, ["unref"]);
  let woken = 0;
  for (let i = 0; i < 3; i++) {
    channel.readNow(65_536, () => woken++);
    conn.land(bytes(i));
    await settle();
    channel.take(10);
  }
  assertEquals(woken, 3);
  // One ref for back-to-back blocking reads, not one ref and unref per read.
  assertEquals(conn.refs, ["unref", "ref"]);
  channel.armRead();
  assertEquals(conn.refs, ["unref", "ref", "unref"]);
  conn.land(bytes(7));
  await settle();
  channel.take(10);
  channel.readNow(65_536, () => woken++);
  assertEquals(conn.refs, ["unref", "ref", "unref", "ref"]);
  // A shutdown(SHUT_RD) wakes the caller; the read it leaves pending no longer holds.
  channel.shutdownRead();
  assertEquals(woken, 4);
  assertEquals(conn.refs, ["unref", "ref", "unref", "ref", "unref"]);
  channel.close();
});

Deno.test("StreamChannel: a new owner is told of changes after adopt", async () => {
  const conn = new FakeConn();
  const { channel, changes } = channelOver(conn);
  let adopted = 0;
  channel.adopt({ changed: () => adopted++ });
  const before = changes();
  channel.armRead();
  conn.land(bytes(1));
  await settle();
  assertEquals(changes(), before);
  assert(adopted > 0);
  channel.close();
});

Deno.test("StreamWrapper: the bytes before a stream's error come first, then the error once, then EOF", async () => {
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) });
  using wrapper = new StreamWrapper(readable);
  source.enqueue(bytes(1, 2, 3));
  assertEquals(await wrapper.read(2), bytes(1, 2));
  source.error(new Deno.errors.ConnectionReset("reset"));
  // The rest of the landed chunk is still there, before the error.
  assertEquals(await wrapper.read(10), bytes(3));
  const error = await wrapper.read(10).then(() => null, (e: unknown) => e);
  assertInstanceOf(error, OSError);
  assertEquals((error as OSError).errno, ECONNRESET);
  assertEquals((await wrapper.read(10)).length, 0);
});
