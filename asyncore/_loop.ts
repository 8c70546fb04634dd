// asyncore's loop and the functions it is made of: poll() (select's rules), poll2() (poll's
// rules), and the per-object read/write/readwrite wrappers that route a handler's error to
// handleError(), except ExitNow, which ends the loop.
import { OSError, ValueError } from "../socket/mod.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../select/mod.ts";
import {
  type Dispatcher,
  type DispatcherSocket,
  type SocketMap,
  socketMap,
} from "./_dispatcher.ts";
import { DISCONNECTED, EBADF } from "./_errno.ts";
import { releaseWatch, watchOf } from "./_watch.ts";

/**
 * Python's `asyncore.ExitNow`: thrown from a handler, it is not passed to `handleError()` but
 * ends `poll()` and `loop()`, which reject with it.
 *
 * @example Leaving the loop from a handler
 * ```ts
 * import { Dispatcher, ExitNow, loop } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertRejects } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a;
 * class Quitter extends Dispatcher {
 *   override handleWrite() {
 *     throw new ExitNow("done");
 *   }
 * }
 * const map = new Map();
 * const d = new Quitter(b, map);
 * await assertRejects(() => loop({ map }), ExitNow);
 * d.close();
 * ```
 */
export class ExitNow extends Error {
  /**
   * Creates the error.
   *
   * @param message Optional text.
   */
  constructor(message?: string) {
    super(message);
    this.name = "ExitNow";
  }
}

/** CPython's `read()`/`write()`: one event entry point, its error to `handleError()`. */
function guarded(
  obj: Dispatcher<DispatcherSocket>,
  event: "handleReadEvent" | "handleWriteEvent",
): Promise<void> {
  // A Promise chain rather than an async function: this runs for every event of a loop.
  let r: void | Promise<void>;
  try {
    r = obj[event]();
  } catch (e) {
    return handled(obj, e);
  }
  return r ? r.then(undefined, (e) => handled(obj, e)) : Promise.resolve();
}

/** The error of an event handler: to `handleError()`, except ExitNow, which ends the loop. */
async function handled(obj: Dispatcher<DispatcherSocket>, e: unknown): Promise<void> {
  if (e instanceof ExitNow) throw e;
  await obj.handleError(e);
}

/**
 * Python's `asyncore.read(obj)`: `handleReadEvent()`, an error going to `handleError()`.
 *
 * @param obj The dispatcher.
 *
 * @example An error in a read handler goes to handleError
 * ```ts
 * import { Dispatcher, read } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * let handled: unknown;
 * class Failing extends Dispatcher {
 *   override handleReadEvent(): Promise<void> {
 *     throw new Error("boom");
 *   }
 *   override handleError(error: unknown) {
 *     handled = error;
 *     return Promise.resolve();
 *   }
 * }
 * await read(new Failing(null, new Map()));
 * assertEquals((handled as Error).message, "boom");
 * ```
 */
export function read(obj: Dispatcher<DispatcherSocket>): Promise<void> {
  return guarded(obj, "handleReadEvent");
}

/**
 * Python's `asyncore.write(obj)`: `handleWriteEvent()`, an error going to `handleError()`.
 *
 * @param obj The dispatcher.
 *
 * @example A write event calls handleWrite
 * ```ts
 * import { Dispatcher, write } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const calls: string[] = [];
 * class Writer extends Dispatcher {
 *   override handleWrite() {
 *     calls.push("write");
 *   }
 * }
 * await write(new Writer(null, new Map()));
 * assertEquals(calls, ["write"]);
 * ```
 */
export function write(obj: Dispatcher<DispatcherSocket>): Promise<void> {
  return guarded(obj, "handleWriteEvent");
}

/**
 * Python's `asyncore.readwrite(obj, flags)`: the handlers for a `poll()` result, in one guard:
 * `POLLIN` -> `handleReadEvent`, `POLLOUT` -> `handleWriteEvent`, `POLLPRI` ->
 * `handleExptEvent`, `POLLHUP`/`POLLERR`/`POLLNVAL` -> `handleClose`. An `OSError` meaning
 * "disconnected" is `handleClose()`, another error `handleError()`; the later flags are then
 * skipped.
 *
 * @param obj The dispatcher.
 * @param flags `POLL*` bits.
 *
 * @example Input and a hang-up in one result: handleRead, then handleClose
 * ```ts
 * import { Dispatcher, readwrite } from "@pynet/net/asyncore";
 * import { POLLHUP, POLLIN } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * const calls: string[] = [];
 * class Recorder extends Dispatcher {
 *   override handleRead() {
 *     calls.push("read");
 *   }
 *   override handleClose() {
 *     calls.push("close");
 *   }
 * }
 * await readwrite(new Recorder(null, new Map()), POLLIN | POLLHUP);
 * assertEquals(calls, ["read", "close"]);
 * ```
 */
export async function readwrite(obj: Dispatcher<DispatcherSocket>, flags: number): Promise<void> {
  try {
    if (flags & POLLIN) {
      const r = obj.handleReadEvent();
      if (r) await r;
    }
    if (flags & POLLOUT) {
      const r = obj.handleWriteEvent();
      if (r) await r;
    }
    if (flags & POLLPRI) await obj.handleExptEvent();
    if (flags & (POLLHUP | POLLERR | POLLNVAL)) await obj.handleClose();
  } catch (e) {
    if (e instanceof OSError) {
      if (e.errno === null || !DISCONNECTED.has(e.errno)) await obj.handleError(e);
      else await obj.handleClose();
    } else if (e instanceof ExitNow) {
      throw e;
    } else {
      await obj.handleError(e);
    }
  }
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds * 1000)));
}

/** Events select() counts as readable and as writable (Linux's POLLIN_SET, POLLOUT_SET). */
const SELECT_READ = POLLIN | POLLHUP | POLLERR;
const SELECT_WRITE = POLLOUT | POLLERR;

/**
 * One pass with `select()`'s rules (Python's `asyncore.poll`): every dispatcher is asked
 * `readable()` and `writable()` (a listening one is never watched for writing), then the
 * ready ones get their read events, then their write events, each in map order; a dispatcher
 * that left the map meanwhile is skipped. With nothing to watch it sleeps `timeout`.
 *
 * @param timeout Seconds to wait; `null` waits without limit.
 * @param map The map; {@linkcode socketMap} by default.
 * @throws {OSError} `EBADF` for a dispatcher whose socket was closed while it stayed in the map,
 * as select() raises it.
 *
 * @example One pass serves a dispatcher with input
 * ```ts
 * import { Dispatcher, poll } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a;
 * const calls: string[] = [];
 * class Reader extends Dispatcher {
 *   override writable() {
 *     return false;
 *   }
 *   override async handleRead() {
 *     calls.push(new TextDecoder().decode(await this.recv(10)));
 *   }
 * }
 * const map = new Map();
 * const reader = new Reader(b, map);
 * await a.send(new TextEncoder().encode("hi"));
 * await poll(1, map);
 * assertEquals(calls, ["hi"]);
 * reader.close();
 * ```
 */
export async function poll(
  timeout: number | null = 0.0,
  map: SocketMap = socketMap,
): Promise<void> {
  if (map.size === 0) return releaseWatch(map);
  if (timeout !== null && timeout < 0) throw new ValueError("timeout must be non-negative");
  const watch = watchOf(map);
  let registered = watch.ask(map);
  if (typeof registered !== "number") registered = await registered;
  if (registered === 0) {
    if (timeout === null) {
      throw new TypeError("'NoneType' object cannot be interpreted as an integer");
    }
    await sleep(timeout);
    return;
  }
  const ready = await watch.wait(timeout === null ? null : Math.ceil(timeout * 1000), map);
  const reads: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < ready.length; i++) {
    const reg = ready[i]!, events = reg.events;
    if (events & POLLNVAL) throw new OSError(EBADF);
    if (reg.flags & POLLIN && events & SELECT_READ) reads.push(reg.fd);
    if (reg.flags & POLLOUT && events & SELECT_WRITE) writes.push(reg.fd);
  }
  // CPython's read() and write(), inline: a handler's Promise is awaited as it is, with no
  // Promise of the guard's own per event (see guarded()).
  for (let i = 0; i < reads.length; i++) {
    const obj = map.get(reads[i]!);
    if (obj === undefined) continue;
    try {
      const r = obj.handleReadEvent();
      if (r) await r;
    } catch (e) {
      await handled(obj, e);
    }
  }
  for (let i = 0; i < writes.length; i++) {
    const obj = map.get(writes[i]!);
    if (obj === undefined) continue;
    try {
      const r = obj.handleWriteEvent();
      if (r) await r;
    } catch (e) {
      await handled(obj, e);
    }
  }
}

/**
 * One pass with `poll()`'s rules (Python's `asyncore.poll2`): every dispatcher is asked
 * `readable()` and `writable()`, and each ready one gets {@linkcode readwrite} with its
 * events, in map order.
 *
 * @param timeout Seconds to wait (cut to whole milliseconds); `null` or negative waits without
 * limit.
 * @param map The map; {@linkcode socketMap} by default.
 *
 * @example A peer's close with poll's rules: the read finds EOF
 * ```ts
 * import { Dispatcher, poll2 } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * const calls: string[] = [];
 * class Reader extends Dispatcher {
 *   override writable() {
 *     return false;
 *   }
 *   override async handleRead() {
 *     calls.push(`read ${(await this.recv(10)).length}`);
 *   }
 *   override handleClose() {
 *     calls.push("close");
 *     this.close();
 *   }
 * }
 * const map = new Map();
 * new Reader(b, map);
 * a.close();
 * await poll2(1, map);
 * assertEquals(calls, ["close", "read 0"]);
 * ```
 */
export async function poll2(
  timeout: number | null = 0.0,
  map: SocketMap = socketMap,
): Promise<void> {
  const ms = timeout === null ? null : Math.trunc(timeout * 1000);
  if (map.size === 0) return releaseWatch(map);
  const watch = watchOf(map);
  const asking = watch.ask(map);
  if (typeof asking !== "number") await asking;
  const ready = await watch.wait(ms !== null && ms < 0 ? null : ms, map);
  for (let i = 0; i < ready.length; i++) {
    const obj = map.get(ready[i]!.fd);
    if (obj !== undefined) await readwrite(obj, ready[i]!.events);
  }
}

/**
 * Python's name for {@linkcode poll2}, kept for old code.
 *
 * @example The same function
 * ```ts
 * import { poll2, poll3 } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(poll3, poll2);
 * ```
 */
export const poll3: typeof poll2 = poll2;

/**
 * Options of {@linkcode loop}, Python's keyword arguments.
 *
 * @example `asyncore.loop(timeout=1, use_poll=True, map=m, count=1)`
 * ```ts
 * import { type LoopOptions, loop } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const map = new Map();
 * const options: LoopOptions = { timeout: 1, usePoll: true, map, count: 1 };
 * await loop(options); // an empty map: returns at once
 * assertEquals(map.size, 0);
 * ```
 */
export interface LoopOptions {
  /**
   * Seconds each pass waits; `null` waits without limit.
   *
   * @default {30}
   */
  timeout?: number | null;
  /**
   * Use `poll()`'s rules ({@linkcode poll2}) instead of `select()`'s ({@linkcode poll}).
   *
   * @default {false}
   */
  usePoll?: boolean;
  /**
   * The map to serve.
   *
   * @default {socketMap}
   */
  map?: SocketMap;
  /**
   * The most passes; `null` runs until the map is empty.
   *
   * @default {null}
   */
  count?: number | null;
}

/**
 * Python's `asyncore.loop()`: passes of {@linkcode poll} (or {@linkcode poll2} with
 * `usePoll`) until the map is empty or `count` passes are done.
 *
 * @param options `timeout`, `usePoll`, `map`, `count`.
 * @returns A Promise that settles when the loop ends; it rejects with {@linkcode ExitNow}, or
 * with an error a `handleError()` threw.
 *
 * @example Counting passes
 * ```ts
 * import { Dispatcher, loop } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a;
 * let writes = 0;
 * class Writer extends Dispatcher {
 *   override handleWrite() {
 *     writes++;
 *   }
 * }
 * const map = new Map();
 * const d = new Writer(b, map);
 * await loop({ timeout: 1, map, count: 3 });
 * assertEquals(writes, 3);
 * d.close();
 * ```
 */
export async function loop(options: LoopOptions = {}): Promise<void> {
  const { timeout = 30.0, usePoll = false, map = socketMap, count = null } = options;
  const pollFun = usePoll ? poll2 : poll;
  if (count === null) {
    while (map.size > 0) await pollFun(timeout, map);
  } else {
    for (let left = count; map.size > 0 && left > 0; left--) await pollFun(timeout, map);
  }
  releaseWatch(map);
}

/**
 * Python's `asyncore.close_all()`: closes every dispatcher of `map` and empties it. An
 * `OSError` `EBADF` is ignored; other errors are thrown unless `ignoreAll`.
 *
 * @param map The map; {@linkcode socketMap} by default.
 * @param ignoreAll Ignore every error (but {@linkcode ExitNow}).
 *
 * @example Closing every dispatcher of a map
 * ```ts
 * import { closeAll, Dispatcher } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const map = new Map();
 * for (let i = 0; i < 3; i++) new Dispatcher(null, map).createSocket();
 * closeAll(map);
 * assertEquals(map.size, 0);
 * ```
 */
export function closeAll(map: SocketMap = socketMap, ignoreAll: boolean = false): void {
  for (const x of Array.from(map.values())) {
    try {
      x.close();
    } catch (e) {
      if (e instanceof OSError && e.errno === EBADF) continue;
      if (e instanceof ExitNow) throw e;
      if (!ignoreAll) throw e;
    }
  }
  map.clear();
}
