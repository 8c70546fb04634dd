// The socket core's own pieces, with fakes: the one readiness wait (_core/wait_ready.ts), the
// privileged symbol ssl reaches the core through (_core/privileged.ts), and the channels'
// owner (_core/channel.ts), which a detached connection's new socket adopts.
import { assert, assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import {
  POLLERR,
  POLLIN,
  POLLOUT,
  type ReadinessSource,
  sourceFor,
  WatcherSet,
} from "../_core/readiness.ts";
import { waitReady, waitSettled } from "../_core/wait_ready.ts";
import { pythonClassName, pythonNameOf, socketCore } from "../_core/privileged.ts";
import type { ByteConn, ChannelOwner } from "../_core/channel.ts";
import { StreamChannel } from "../socket/_stream.ts";
import { ListenerChannel } from "../socket/_listener.ts";
import { AF_UNIX, SOCK_STREAM, Socket, socketpair } from "../socket/mod.ts";
import { SSLSocket } from "../ssl/mod.ts";
import { select } from "../select/mod.ts";
import { within } from "./_helpers.ts";

/** A readiness source whose events the test sets, and what it was asked. */
class FakeSource {
  events = 0;
  armed = 0;
  readonly watchers = new WatcherSet();
  readonly source: ReadinessSource = sourceFor({
    fileno: () => 3,
    pollEvents: () => this.events,
    armRead: () => this.armed++,
  }, this.watchers);

  set(events: number): void {
    this.events = events;
    this.watchers.notify(this.source);
  }
}

Deno.test("waitReady: ready at once resolves true without watching", async () => {
  const fake = new FakeSource();
  fake.events = POLLOUT;
  assertEquals(await waitReady(fake.source, POLLOUT, null), true);
  assertEquals(fake.watchers.size, 0);
  assertEquals(fake.armed, 0);
});

Deno.test("waitReady: ready later resolves true, unwatches, and clears its timer", async () => {
  const fake = new FakeSource();
  for (const timeout of [null, 60]) {
    fake.events = 0;
    const waiting = waitReady(fake.source, POLLIN, timeout);
    assertEquals(fake.watchers.size, 1);
    assertEquals(fake.watchers.interest, POLLIN);
    fake.set(POLLOUT); // not what the wait wants: it goes on
    assertEquals(fake.watchers.size, 1);
    fake.set(POLLIN);
    assertEquals(await waiting, true);
    assertEquals(fake.watchers.size, 0);
  }
  // Watching for input made the source look for it.
  assert(fake.armed > 0);
  // (A timer or keep-alive interval left behind fails this test through the op sanitizer.)
});

Deno.test("waitReady: an error, hang-up or close ends any wait", async () => {
  const fake = new FakeSource();
  const waiting = waitReady(fake.source, POLLOUT, null);
  fake.set(POLLERR);
  assertEquals(await waiting, true);
});

Deno.test("waitReady: a timeout resolves false and unwatches", async () => {
  const fake = new FakeSource();
  assertEquals(await waitReady(fake.source, POLLIN, 0.01), false);
  assertEquals(fake.watchers.size, 0);
});

Deno.test("waitReady: timeout 0 waits one turn, then answers", async () => {
  const fake = new FakeSource();
  assertEquals(await waitReady(fake.source, POLLIN, 0), false);
  const waiting = waitReady(fake.source, POLLIN, 0);
  fake.events = POLLIN; // lands within the turn, as input already arrived would
  assertEquals(await waiting, true);
  assertEquals(fake.watchers.size, 0);
});

Deno.test("waitReady: an abort rejects with the reason and leaves nothing watching", async () => {
  const fake = new FakeSource();
  for (const timeout of [null, 60]) {
    const controller = new AbortController();
    const waiting = waitReady(fake.source, POLLIN, timeout, { signal: controller.signal });
    assertEquals(fake.watchers.size, 1);
    const reason = new Error("stop");
    controller.abort(reason);
    const error = await assertRejects(() => waiting);
    assertStrictEquals(error, reason);
    assertEquals(fake.watchers.size, 0);
  }
  const aborted = AbortSignal.abort(new Error("already"));
  await assertRejects(
    () => waitReady(fake.source, POLLIN, null, { signal: aborted }),
    Error,
    "already",
  );
  assertEquals(fake.watchers.size, 0);
});

Deno.test("waitSettled: the work's value, a timeout that leaves the work running, an abort", async () => {
  assertEquals(await waitSettled(Promise.resolve(7), 60, () => new Error("late")), 7);
  let finish = (_: number) => {};
  const work = new Promise<number>((resolve) => finish = resolve);
  await assertRejects(() => waitSettled(work, 0.01, () => new Error("late")), Error, "late");
  const controller = new AbortController();
  const aborted = waitSettled(work, 60, () => new Error("late"), { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assertRejects(() => aborted, Error, "stop");
  finish(9);
  assertEquals(await waitSettled(work, null, () => new Error("late")), 9);
  await assertRejects(
    () => waitSettled(Promise.reject(new Error("failed")), null, () => new Error("late")),
    Error,
    "failed",
  );
});

Deno.test("the privileged symbol is no export of any public mod.ts, nor a registered symbol", async () => {
  const root = new URL("../", import.meta.url);
  const mods = ["mod.ts"];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
    try {
      await Deno.stat(new URL(`${entry.name}/mod.ts`, root));
      mods.push(`${entry.name}/mod.ts`);
    } catch {
      // Not a module folder.
    }
  }
  assert(mods.includes("socket/mod.ts") && mods.includes("ssl/mod.ts"));
  const privileged = new Set<unknown>([socketCore, pythonClassName, pythonNameOf]);
  for (const mod of mods) {
    const exports = await import(new URL(mod, root).href);
    for (const [name, value] of Object.entries(exports)) {
      assert(!privileged.has(value), `${mod} exports ${name}, a privileged value`);
    }
  }
  assertEquals(Symbol.keyFor(socketCore), undefined);
  assertEquals(Symbol.keyFor(pythonClassName), undefined);
});

Deno.test("the core behind the symbol: a connected stream's view, held readiness", async () => {
  const [a, b] = socketpair();
  using _a = a, _b = b;
  const core = a[socketCore];
  assertEquals(core.stream()?.buffered, 0);
  await b.sendall(new Uint8Array([1, 2, 3]));
  const [readable] = await within(select([a], [], [], 5));
  assertEquals(readable, [a]);
  assertEquals(core.stream()?.buffered, 3);
  // A held readiness is what select sees, until released.
  core.holdReadiness(0);
  assertEquals((await within(select([a], [a], [], 0)))[0], []);
  core.holdReadiness(null);
  assertEquals((await within(select([a], [], [], 0)))[0], [a]);
  using fresh = new Socket();
  assertEquals(fresh[socketCore].stream(), null);
});

Deno.test("a class's Python name is its own: socket.socket, ssl.SSLSocket, a subclass's own", () => {
  class MySocket extends Socket {}
  assertEquals(pythonNameOf(Socket), "socket.socket");
  assertEquals(pythonNameOf(SSLSocket), "ssl.SSLSocket");
  assertEquals(pythonNameOf(MySocket), "MySocket");
  using mine = new MySocket();
  assert(String(mine).startsWith("<MySocket fd="), String(mine));
});

/** A channel owner that counts what it is told. */
class CountingOwner implements ChannelOwner {
  changes = 0;
  changed(): void {
    this.changes++;
  }
}

/** A connection whose one read the test lands. */
class OneReadConn implements ByteConn {
  #land: ((n: number | null) => void) | null = null;
  #buffer: Uint8Array | null = null;
  read(p: Uint8Array): Promise<number | null> {
    this.#buffer = p;
    return new Promise((resolve) => this.#land = resolve);
  }
  land(bytes: number[]): void {
    this.#buffer!.set(bytes);
    this.#land!(bytes.length);
  }
  write(p: Uint8Array): Promise<number> {
    return Promise.resolve(p.length);
  }
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.#land?.(null);
  }
}

Deno.test("a stream channel tells its owner, and after adopt() only the new one", async () => {
  const first = new CountingOwner();
  const second = new CountingOwner();
  const conn = new OneReadConn();
  const channel = new StreamChannel(conn, first);
  channel.armRead();
  channel.adopt(second);
  conn.land([1, 2]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals([first.changes, second.changes > 0], [0, true]);
  assertEquals(channel.readable, true);
  assertEquals(channel.take(10), new Uint8Array([1, 2]));
  channel.close();
});

Deno.test("a listener channel tells its owner, and after adopt() only the new one", async () => {
  const first = new CountingOwner();
  const second = new CountingOwner();
  let accepted = (_: Deno.Conn) => {};
  const fakeConn = { close() {}, remoteAddr: { transport: "tcp", hostname: "::1", port: 1 } };
  const listener = {
    addr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    accept: () => new Promise<Deno.Conn>((resolve) => accepted = resolve),
    unref() {},
    close() {},
  } as unknown as Deno.Listener;
  const channel = new ListenerChannel(listener, first, { reject: () => false });
  channel.armRead();
  channel.adopt(second);
  accepted(fakeConn as unknown as Deno.Conn);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals([first.changes, second.changes], [0, 1]);
  assertStrictEquals(channel.take(), fakeConn as unknown as Deno.Conn);
  assertEquals(channel.acceptedErrors, undefined);
  channel.close();
});

Deno.test("a detached connection's new socket adopts its channel: select() sees its input", async () => {
  const [a, b] = socketpair();
  using _b = b;
  const fd = a.detach();
  using again = new Socket(AF_UNIX, SOCK_STREAM, 0, fd);
  assertEquals(a.fileno(), -1);
  await b.sendall(new Uint8Array([5]));
  const [readable] = await within(select([again], [], [], 5));
  assertEquals(readable, [again]);
  assertEquals(await again.recv(10), new Uint8Array([5]));
});
