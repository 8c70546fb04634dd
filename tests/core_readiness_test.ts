// The readiness core (_core/readiness.ts, _core/ready_set.ts) and what select, poll, epoll and
// the selectors make of it, driven by fake sources: no sockets, so every readiness change is
// made by the test, at a known moment.
import { assertEquals, assertRejects } from "@std/assert";
import {
  allocateFd,
  epoll,
  EPOLLET,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  poll,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  type ReadinessSource,
  readinessSource,
  type ReadinessWatcher,
  releaseFd,
  select,
} from "../select/mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../selectors/mod.ts";
import { OSError, ValueError } from "../socket/mod.ts";
import { EBADF } from "../_core/errno.ts";
import { WatcherSet } from "../_core/readiness.ts";
import { type Entry, ReadySet } from "../_core/ready_set.ts";

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => OSError;

/** A selectable object whose events the test sets; it counts what the core asks of it. */
class Fake implements Disposable {
  fd: number;
  events = 0;
  /** Calls of pollEvents(), watch() and unwatch(). */
  polls = 0;
  watches = 0;
  unwatches = 0;
  readonly watchers = new WatcherSet();
  readonly source: ReadinessSource = {
    fileno: () => this.fd,
    pollEvents: () => {
      this.polls++;
      return this.events;
    },
    watch: (watcher: ReadinessWatcher, interest: number) => {
      this.watches++;
      this.watchers.add(watcher, interest);
    },
    unwatch: (watcher: ReadinessWatcher) => {
      this.unwatches++;
      this.watchers.delete(watcher);
    },
  };

  constructor() {
    this.fd = allocateFd(this);
  }

  fileno(): number {
    return this.fd;
  }

  [readinessSource](): ReadinessSource {
    return this.source;
  }

  /** Sets the events and tells the watchers, as a source must after every change. */
  set(events: number): void {
    this.events = events;
    this.watchers.notify(this.source);
  }

  close(): void {
    if (this.fd < 0) return;
    releaseFd(this.fd);
    this.fd = -1;
    this.set(POLLNVAL);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function entryOf(fake: Fake, interest: number, edge = false, oneShot = false): Entry {
  return {
    fd: fake.fd,
    source: fake.source,
    interest,
    edge,
    oneShot,
    disabled: false,
    queued: false,
  };
}

/** Whether `promise` has settled after one macrotask turn. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("ReadySet: a level-triggered source is reported while it stays ready, then no more", async () => {
  using a = new Fake();
  const set = new ReadySet();
  const entry = entryOf(a, POLLIN);
  set.add(entry);
  assertEquals(await set.wait(0), []);
  a.set(POLLIN);
  assertEquals(await set.wait(0), [[entry, POLLIN]]);
  assertEquals(await set.wait(0), [[entry, POLLIN]]);
  a.set(0);
  assertEquals(await set.wait(0), []);
  set.clear();
  assertEquals(a.watchers.size, 0);
});

Deno.test("ReadySet: a wait in progress wakes when a source turns ready", async () => {
  using a = new Fake();
  const set = new ReadySet();
  const entry = entryOf(a, POLLIN);
  set.add(entry);
  const waiting = set.wait(null);
  assertEquals(await settled(waiting), false);
  a.set(POLLIN);
  assertEquals(await waiting, [[entry, POLLIN]]);
  set.clear();
});

Deno.test("ReadySet: with many sources and one ready, a wake-up asks only the ready one", async () => {
  const fakes = Array.from({ length: 1000 }, () => new Fake());
  try {
    const set = new ReadySet();
    const entries = fakes.map((f) => entryOf(f, POLLIN));
    for (const e of entries) set.add(e);
    const waiting = set.wait(null);
    await settled(waiting);
    for (const f of fakes) f.polls = 0;
    fakes[500]!.set(POLLIN);
    assertEquals(await waiting, [[entries[500]!, POLLIN]]);
    const asked = fakes.filter((f) => f.polls > 0);
    assertEquals(asked, [fakes[500]]);
    set.clear();
  } finally {
    for (const f of fakes) f.close();
  }
});

Deno.test("epoll: EPOLLET reports a source once per change, not while it stays ready", async () => {
  using a = new Fake();
  using ep = epoll();
  ep.register(a, EPOLLIN | EPOLLET);
  a.set(POLLIN);
  assertEquals(await ep.poll(0), [[a.fd, EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
  a.set(POLLIN); // more input: a new edge
  assertEquals(await ep.poll(0), [[a.fd, EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
});

Deno.test("epoll: EPOLLONESHOT reports once, then nothing until modify() re-arms it", async () => {
  using a = new Fake();
  using ep = epoll();
  ep.register(a, EPOLLIN | EPOLLONESHOT);
  a.set(POLLIN);
  assertEquals(await ep.poll(0), [[a.fd, EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
  a.set(POLLIN);
  assertEquals(await ep.poll(0), []);
  ep.modify(a, EPOLLIN | EPOLLONESHOT);
  assertEquals(await ep.poll(0), [[a.fd, EPOLLIN]]);
  assertEquals(await ep.poll(0), []);
});

Deno.test("poll: modify() to POLLOUT only stops reporting POLLIN", async () => {
  using a = new Fake();
  const p = poll();
  p.register(a, POLLIN | POLLOUT);
  a.set(POLLIN | POLLOUT);
  assertEquals(await p.poll(0), [[a.fd, POLLIN | POLLOUT]]);
  p.modify(a, POLLOUT);
  assertEquals(await p.poll(0), [[a.fd, POLLOUT]]);
  a.set(POLLIN);
  assertEquals(await p.poll(0), []);
  p.unregister(a);
  assertEquals(a.watchers.size, 0);
});

Deno.test("selector: modify() to EVENT_WRITE only stops reporting EVENT_READ", async () => {
  using a = new Fake();
  using sel = new DefaultSelector();
  sel.register(a, EVENT_READ | EVENT_WRITE);
  a.set(POLLIN | POLLOUT);
  assertEquals((await sel.select(0)).map(([, ev]) => ev), [EVENT_READ | EVENT_WRITE]);
  sel.modify(a, EVENT_WRITE);
  assertEquals((await sel.select(0)).map(([, ev]) => ev), [EVENT_WRITE]);
  a.set(POLLIN);
  assertEquals(await sel.select(0), []);
});

Deno.test("poll: a source unregistered during a wait does not end it", async () => {
  using a = new Fake();
  using b = new Fake();
  const p = poll();
  p.register(a, POLLIN);
  p.register(b, POLLIN);
  const waiting = p.poll(-1);
  assertEquals(await settled(waiting), false);
  p.unregister(a);
  assertEquals(a.watchers.size, 0);
  a.set(POLLIN);
  assertEquals(await settled(waiting), false);
  b.set(POLLIN);
  assertEquals(await waiting, [[b.fd, POLLIN]]);
});

Deno.test("selector: with many sources and one ready, a wake-up asks only the ready one", async () => {
  const fakes = Array.from({ length: 1000 }, () => new Fake());
  try {
    using sel = new DefaultSelector();
    for (const f of fakes) sel.register(f, EVENT_READ);
    const waiting = sel.select(null);
    await settled(waiting);
    for (const f of fakes) f.polls = 0;
    fakes[7]!.set(POLLIN);
    const ready = await waiting;
    assertEquals(ready.map(([key]) => key.fileobj), [fakes[7]]);
    assertEquals(fakes.filter((f) => f.polls > 0), [fakes[7]]);
  } finally {
    for (const f of fakes) f.close();
  }
});

Deno.test("poll: a descriptor released and reused by a new object names the new one", async () => {
  const a = new Fake();
  const fd = a.fd;
  const p = poll();
  p.register(fd, POLLIN);
  a.close();
  using b = new Fake();
  assertEquals(b.fd, fd);
  p.register(fd, POLLIN);
  assertEquals(a.watchers.size, 0);
  b.set(POLLIN);
  assertEquals(await p.poll(0), [[fd, POLLIN]]);
  p.unregister(fd);
});

Deno.test("ReadySet: the old object's changes do not count for a new one on its descriptor", async () => {
  const a = new Fake();
  const set = new ReadySet();
  const old = entryOf(a, POLLIN);
  set.add(old);
  a.close();
  assertEquals(await set.wait(0), [[old, POLLNVAL]]);
  set.remove(old);
  using b = new Fake();
  const entry = entryOf(b, POLLIN);
  assertEquals(entry.fd, old.fd);
  set.add(entry);
  a.set(POLLIN); // the closed object's source, still telling its (former) watchers
  assertEquals(await set.wait(0), []);
  b.set(POLLIN);
  assertEquals(await set.wait(0), [[entry, POLLIN]]);
  set.clear();
});

Deno.test("selector: a descriptor reused after close and unregister is the new object's", async () => {
  const a = new Fake();
  using sel = new DefaultSelector();
  sel.register(a, EVENT_READ, "old");
  sel.unregister(a);
  a.close();
  using b = new Fake();
  sel.register(b, EVENT_READ, "new");
  b.set(POLLIN);
  const ready = await sel.select(0);
  assertEquals(ready.map(([key]) => [key.fileobj, key.data]), [[b, "new"]]);
});

Deno.test("select(): the same lists again reuse the registrations; other lists replace them", async () => {
  using a = new Fake();
  using b = new Fake();
  using c = new Fake();
  a.set(POLLIN);
  assertEquals(await select([a, b], [], [], 0), [[a], [], []]);
  assertEquals([a.watches, b.watches], [1, 1]);
  // Kept after the call (lazy unregistration), and reused: no new watch.
  assertEquals([a.watchers.size, b.watchers.size], [1, 1]);
  assertEquals(await select([a, b], [], [], 0), [[a], [], []]);
  b.set(POLLIN);
  assertEquals(await select([a, b], [], [], 0), [[a, b], [], []]);
  assertEquals([a.watches, b.watches], [1, 1]);
  // Other lists: the old registrations end, new ones begin.
  assertEquals(await select([c], [a], [], 0), [[], [], []]);
  assertEquals([b.watchers.size, b.unwatches, c.watches], [0, 1, 1]);
  a.set(POLLOUT);
  assertEquals(await select([c], [a], [], 0), [[], [a], []]);
  // Left over registrations end with the next different call.
  assertEquals(await select([], [], [], 0), [[], [], []]);
  assertEquals([a.watchers.size, c.watchers.size], [0, 0]);
});

Deno.test("select(): a descriptor number reused by a new object reports the new object", async () => {
  const a = new Fake();
  const fd = a.fd;
  assertEquals(await select([fd], [], [], 0), [[], [], []]);
  a.close();
  using b = new Fake();
  assertEquals(b.fd, fd);
  b.set(POLLIN);
  assertEquals(await select([fd], [], [], 0), [[fd], [], []]);
  assertEquals(a.watchers.size, 0);
  await select([], [], [], 0);
});

Deno.test("select(): a closed object in the same lists raises as on a first call", async () => {
  const a = new Fake();
  using b = new Fake();
  await select([a, b], [], [], 0);
  a.close();
  await assertRejects(() => select([a, b], [], [], 0), ValueError);
  b.set(POLLIN);
  assertEquals(await select([b], [], [], 0), [[b], [], []]);
  await select([], [], [], 0);
});

Deno.test("select(): a kept source that turned POLLNVAL is EBADF, as on a first call", async () => {
  using a = new Fake();
  using b = new Fake();
  await select([a, b], [], [], 0);
  b.set(POLLNVAL); // closed behind its descriptor's back: the number still answers
  const error = await assertRejects(() => select([a, b], [], [], 0), OSError as ErrorClass);
  assertEquals(error.errno, EBADF);
  await select([], [], [], 0);
});

Deno.test("select(): a list changed in place after a call is looked at again", async () => {
  using a = new Fake();
  using b = new Fake();
  b.set(POLLIN);
  const list = [a];
  assertEquals(await select(list, [], [], 0), [[], [], []]);
  list[0] = b;
  assertEquals(await select(list, [], [], 0), [[b], [], []]);
  assertEquals(a.watchers.size, 0);
  await select([], [], [], 0);
});

Deno.test("select(): an item twice, in several lists, comes back in the caller's order", async () => {
  using a = new Fake();
  using b = new Fake();
  a.set(POLLIN | POLLOUT);
  b.set(POLLIN);
  for (let i = 0; i < 2; i++) { // the second call reuses the registrations
    assertEquals(await select([b, a, b], [b, a, a], [], 0), [[b, a, b], [a, a], []]);
  }
  await select([], [], [], 0);
});

Deno.test("select(): calls at the same time over the same lists are all woken", async () => {
  using a = new Fake();
  const first = select([a], [], [], null);
  const second = select([a], [], [], null);
  assertEquals(await settled(Promise.race([first, second])), false);
  a.set(POLLIN);
  assertEquals(await Promise.all([first, second]), [[[a], [], []], [[a], [], []]]);
  await select([], [], [], 0);
  assertEquals(a.watchers.size, 0);
});

Deno.test("timeouts: a timed wait on nothing ready ends empty, and leaves no timer", async () => {
  using a = new Fake();
  const p = poll();
  p.register(a, POLLIN);
  assertEquals(await p.poll(0), []);
  assertEquals(await p.poll(5), []);
  using ep = epoll();
  ep.register(a, EPOLLIN | EPOLLOUT);
  assertEquals(await ep.poll(0.005), []);
  assertEquals(await select([a], [], [], 0.005), [[], [], []]);
  await select([], [], [], 0);
});

Deno.test("timeouts: a wait longer than setTimeout allows waits (it does not fire at once)", async () => {
  using a = new Fake();
  // 3e6 s is more than 2^31 ms: one setTimeout would fire at once; setLongTimeout chains timers.
  const waiting = select([a], [], [], 3e6);
  assertEquals(await settled(waiting), false);
  a.set(POLLIN);
  assertEquals(await waiting, [[a], [], []]);
  const aborted = new AbortController();
  const selecting = select([a], [], [], 3e7, { signal: aborted.signal });
  a.set(0);
  assertEquals(await settled(selecting), false);
  aborted.abort(new Error("stop"));
  await assertRejects(() => selecting, Error, "stop");
  await select([], [], [], 0);
});

Deno.test("WatcherSet: the interest is the union of the watchers' masks", () => {
  const set = new WatcherSet();
  const w1: ReadinessWatcher = { readinessChanged() {} };
  const w2: ReadinessWatcher = { readinessChanged() {} };
  set.add(w1, POLLIN);
  set.add(w2, POLLOUT);
  assertEquals(set.interest, POLLIN | POLLOUT);
  set.add(w2, POLLIN);
  assertEquals(set.interest, POLLIN);
  set.delete(w1);
  set.delete(w2);
  assertEquals([set.interest, set.size], [0, 0]);
});
