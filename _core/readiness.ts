// The readiness core. Deno has no poll(2), so every pynet socket tracks its own readiness and
// pushes each change to whoever watches it (a selector, a poll object, a blocked recv()).

/**
 * `select.POLLIN` (Linux value 0x1): there is data to read (or EOF, a queued connection or
 * datagram, a pending error).
 */
export const POLLIN = 0x001;
/** `select.POLLPRI` (Linux value 0x2): urgent data; never reported (Deno gives no access to TCP out-of-band data). */
export const POLLPRI = 0x002;
/** `select.POLLOUT` (Linux value 0x4): `send` will accept bytes at once. */
export const POLLOUT = 0x004;
/** `select.POLLERR` (Linux value 0x8): an error is pending. */
export const POLLERR = 0x008;
/** `select.POLLHUP` (Linux value 0x10): hang-up, the connection is gone in both directions. */
export const POLLHUP = 0x010;
/** `select.POLLNVAL` (Linux value 0x20): the object is closed. */
export const POLLNVAL = 0x020;
/** `select.POLLRDHUP` (Linux value 0x2000): the peer closed its writing side. */
export const POLLRDHUP = 0x2000;

/** Someone interested in a readiness source's changes. */
export interface ReadinessWatcher {
  /** Called synchronously after each change of `source`'s events; must not throw. */
  readinessChanged(source: ReadinessSource): void;
}

/**
 * What `select`, `poll` and `selectors` need from anything they watch: its current `POLL*`
 * events, and a way to be told when they change. `watch` with `POLLIN` in the interest makes
 * the source look for input (a socket starts its read-ahead), since in Deno reading is the
 * only way to learn that input is there.
 */
export interface ReadinessSource {
  /** The pseudo descriptor, or -1 once closed. */
  fileno(): number;
  /** The `POLL*` events that hold now. */
  pollEvents(): number;
  /** Adds `watcher`, or replaces its interest mask. */
  watch(watcher: ReadinessWatcher, interest: number): void;
  /** Removes `watcher`; a no-op when it is not watching. */
  unwatch(watcher: ReadinessWatcher): void;
}

/**
 * The key under which sockets (and other watchable objects) hand out their readiness source:
 * an object with a `fileno()` and a method under this key is selectable. See "Making a new
 * object selectable" in the `select` module's docs for the rules a source follows.
 *
 * @example A flag that select() reports readable once raised
 * ```ts
 * import {
 *   allocateFd,
 *   isWatchable,
 *   POLLIN,
 *   POLLNVAL,
 *   readinessSource,
 *   type ReadinessSource,
 *   type ReadinessWatcher,
 *   releaseFd,
 *   select,
 * } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * // A flag that turns readable once raised.
 * class Flag implements Disposable {
 *   #fd = allocateFd(this);
 *   #raised = false;
 *   #watchers = new Set<ReadinessWatcher>();
 *   #source: ReadinessSource = {
 *     fileno: () => this.#fd,
 *     pollEvents: () => (this.#fd < 0 ? POLLNVAL : this.#raised ? POLLIN : 0),
 *     watch: (watcher) => void this.#watchers.add(watcher),
 *     unwatch: (watcher) => void this.#watchers.delete(watcher),
 *   };
 *   fileno(): number {
 *     return this.#fd;
 *   }
 *   [readinessSource](): ReadinessSource {
 *     return this.#source;
 *   }
 *   raise(): void {
 *     this.#raised = true;
 *     this.#changed();
 *   }
 *   [Symbol.dispose](): void {
 *     releaseFd(this.#fd);
 *     this.#fd = -1;
 *     this.#changed();
 *   }
 *   // Every change of pollEvents() is told to every watcher, at once.
 *   #changed(): void {
 *     for (const watcher of [...this.#watchers]) watcher.readinessChanged(this.#source);
 *   }
 * }
 *
 * using flag = new Flag();
 * assertEquals(isWatchable(flag), true);
 * assertEquals((await select([flag], [], [], 0))[0], []);
 * flag.raise();
 * assertEquals((await select([flag], [], [], 0))[0], [flag]);
 * ```
 */
export const readinessSource: unique symbol = Symbol.for("pynet.readinessSource");

/** An object that can be watched by `select` and friends. */
export interface Watchable {
  /** Returns the object's readiness source. */
  [readinessSource](): ReadinessSource;
}

/** Whether `obj` can be watched by `select` and friends. */
export function isWatchable(obj: unknown): obj is Watchable {
  return typeof obj === "object" && obj !== null &&
    typeof (obj as Partial<Watchable>)[readinessSource] === "function";
}

/** The watcher list and interest bookkeeping shared by every readiness source. */
export class WatcherSet {
  #watchers = new Map<ReadinessWatcher, number>();
  #interest = 0;
  /**
   * The watchers to notify, made when they change rather than on every notification (one per
   * landing and per write): a watcher added or removed meanwhile changes the next one only.
   */
  #list: ReadinessWatcher[] = [];

  /** The union of every watcher's interest. */
  get interest(): number {
    return this.#interest;
  }

  get size(): number {
    return this.#watchers.size;
  }

  add(watcher: ReadinessWatcher, interest: number): void {
    this.#watchers.set(watcher, interest);
    this.#recompute();
  }

  delete(watcher: ReadinessWatcher): void {
    if (this.#watchers.delete(watcher)) this.#recompute();
  }

  notify(source: ReadinessSource): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) list[i]!.readinessChanged(source);
  }

  #recompute(): void {
    this.#list = [...this.#watchers.keys()];
    let interest = 0;
    for (const mask of this.#watchers.values()) interest |= mask;
    this.#interest = interest;
  }
}

/** What an object that reads ahead tells {@linkcode sourceFor} about itself. */
export interface SourceParts {
  fileno(): number;
  pollEvents(): number;
  /** Starts looking for input (a read-ahead), as a watcher wants to know when it comes. */
  armRead(): void;
}

/** The readiness source of an object that keeps `watchers` and reads ahead on demand. */
export function sourceFor(parts: SourceParts, watchers: WatcherSet): ReadinessSource {
  return {
    fileno: parts.fileno,
    pollEvents: parts.pollEvents,
    watch(watcher, interest) {
      watchers.add(watcher, interest);
      if (interest & POLLIN) parts.armRead();
    },
    unwatch(watcher) {
      watchers.delete(watcher);
    },
  };
}

/**
 * Resolves after one turn of the event loop, long enough for I/O that has already arrived to
 * complete a pending read (microtasks alone never let it).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediateOrTimeout(resolve));
}

const setImmediateOrTimeout: (callback: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (globalThis as unknown as { setImmediate(cb: () => void): void }).setImmediate
    : (callback) => setTimeout(callback, 0);
