// A blocking datagram recv with nothing queued receives its datagram itself (receiveNow in
// socket/_datagram.ts) rather than through the receive-ahead's queue. These tests hold it to
// every guarantee of the queued path: order across the two, select readiness, close and detach
// while it waits, errors, truncation, and results the caller owns.
import { assertEquals } from "@std/assert";
import {
  AF_INET,
  BlockingIOError,
  OSError,
  SOCK_DGRAM,
  Socket,
  TimeoutError,
} from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { bytes, loopback, rejects, sleep, text, within } from "./_helpers.ts";

function boundUdp(): Socket {
  const s = new Socket(AF_INET, SOCK_DGRAM);
  s.bind([loopback(AF_INET), 0]);
  return s;
}

Deno.test("direct recv: results are the caller's; the receive buffer used again changes none", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const kept: Uint8Array[] = [];
  for (const word of ["first", "second!", "3"]) {
    const pending = b.recv(100);
    await a.sendto(bytes(word), b.getsockname());
    kept.push(await within(pending));
  }
  assertEquals(kept.map(text), ["first", "second!", "3"]);
  // Each result is a copy of its own (small ones regions of a slab they share, never of the
  // receive buffer): writing to one changes no other.
  kept[0]!.fill(0x2a);
  assertEquals(kept.slice(1).map(text), ["second!", "3"]);
  assertEquals(text(kept[0]!), "*****");
});

Deno.test("direct recv: a datagram longer than bufsize is cut, its rest dropped", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const pending = b.recvfrom(4);
  await a.sendto(bytes("truncated"), b.getsockname());
  const [data, from] = await within(pending);
  assertEquals(text(data), "trun");
  assertEquals(from, a.getsockname());
  const next = b.recv(100);
  await a.sendto(bytes("next"), b.getsockname());
  assertEquals(text(await within(next)), "next");
});

Deno.test("direct recv_into/recvfrom_into: the datagram lands in the caller's buffer, cut to nbytes", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const buffer = new Uint8Array(10).fill(0x2e);
  const pending = b.recvfromInto(buffer, 5);
  await a.sendto(bytes("abcdefgh"), b.getsockname());
  const [n, from] = await within(pending);
  assertEquals([n, from], [5, a.getsockname()]);
  assertEquals(text(buffer), "abcde.....");
  const into = b.recvInto(buffer);
  await a.sendto(bytes("xyz"), b.getsockname());
  assertEquals(await within(into), 3);
  assertEquals(text(buffer), "xyzde.....");
});

Deno.test("direct recv: datagrams keep their order across the queue and the direct path", async () => {
  using a = boundUdp();
  using b = boundUdp();
  // A non-blocking miss starts the receive-ahead: what comes next is queued.
  b.setblocking(false);
  await rejects(() => b.recv(100), BlockingIOError);
  for (const word of ["1", "2", "3"]) await a.sendto(bytes(word), b.getsockname());
  b.setblocking(true);
  const got: string[] = [];
  // Queued first, then a recv that waits on the receive-ahead, then direct receives; a burst
  // sent while a direct receive waits arrives whole and in order.
  for (let i = 0; i < 3; i++) got.push(text(await within(b.recv(100))));
  const fourth = b.recv(100);
  await sleep(10);
  await a.sendto(bytes("4"), b.getsockname());
  got.push(text(await within(fourth)));
  const fifth = b.recv(100);
  for (const word of ["5", "6", "7", "8"]) await a.sendto(bytes(word), b.getsockname());
  got.push(text(await within(fifth)));
  for (let i = 0; i < 3; i++) got.push(text(await within(b.recv(100))));
  assertEquals(got, ["1", "2", "3", "4", "5", "6", "7", "8"]);
});

Deno.test("direct recv: a select() started while it waits sees the next datagram", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const first = b.recv(100);
  await sleep(10);
  const ready = select([b], [], [], 5);
  await a.sendto(bytes("one"), b.getsockname());
  assertEquals(text(await within(first)), "one");
  // The blocked recv took "one"; the watcher's receive-ahead resumes after it.
  await sleep(10);
  await a.sendto(bytes("two"), b.getsockname());
  const [readable] = await within(ready);
  assertEquals(readable, [b]);
  assertEquals(text(await within(b.recv(100))), "two");
});

Deno.test("direct recv: close() ends it with EBADF; later calls and select() see a closed socket", async () => {
  using a = boundUdp();
  const b = boundUdp();
  const waiting = b.recvfrom(100);
  await sleep(10);
  b.close();
  assertEquals((await within(rejects(() => waiting, OSError))).errno, 9);
  assertEquals((await rejects(() => b.recv(100), OSError)).errno, 9);
  await rejects(() => select([b], [], [], 0), Error);
  void a;
});

Deno.test("direct recv: a datagram landing after detach() waits for the socket that takes it over", async () => {
  using a = boundUdp();
  const b = boundUdp();
  const address = b.getsockname();
  const waiting = b.recv(100);
  await sleep(10);
  const fd = b.detach();
  await a.sendto(bytes("kept"), address);
  assertEquals((await within(rejects(() => waiting, OSError))).errno, 9);
  using again = new Socket(AF_INET, SOCK_DGRAM, 0, fd);
  again.settimeout(5);
  assertEquals(text(await within(again.recv(100))), "kept");
});

Deno.test("direct recv: two blocking recvs at once, and a timed one beside, each get their own", async () => {
  using a = boundUdp();
  using b = boundUdp();
  const direct = b.recv(100);
  const queued = b.recv(100);
  for (const word of ["x", "y"]) await a.sendto(bytes(word), b.getsockname());
  assertEquals([text(await within(direct)), text(await within(queued))].sort(), ["x", "y"]);
  // A timed recv after a direct one: no datagram, a timeout, nothing lost after it.
  const pending = b.recv(100);
  b.settimeout(0.05);
  await rejects(() => b.recv(100), TimeoutError);
  await a.sendto(bytes("z"), b.getsockname());
  assertEquals(text(await within(pending)), "z");
});

Deno.test("direct recv: a connected socket's direct receive skips another sender's datagram", async () => {
  using a = boundUdp();
  using b = boundUdp();
  using stranger = boundUdp();
  b.connect(a.getsockname());
  const pending = b.recvfrom(100);
  await stranger.sendto(bytes("not for you"), b.getsockname());
  await sleep(10);
  await a.sendto(bytes("for you"), b.getsockname());
  const [data, from] = await within(pending);
  assertEquals([text(data), from], ["for you", a.getsockname()]);
});
