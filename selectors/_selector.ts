// BaseSelector and the one implementation every pynet selector shares: registrations kept in
// the readiness core's ready set, so select() costs what is ready, not what is registered.
import { EBADF } from "../_core/errno.ts";
import { KeyError, OSError, RuntimeError, ValueError } from "../_core/errors.ts";
import { pyTypeName } from "../_core/args.ts";
import { POLLIN, POLLNVAL, POLLOUT } from "../_core/readiness.ts";
import type { FileLike } from "../select/mod.ts";
import { sourceOf } from "../_core/fileobj.ts";
import { type Entry, ReadySet } from "../_core/ready_set.ts";
import { selectorTimeoutMs } from "../_core/wait_timeout.ts";
import {
  type DataArg,
  EVENT_READ,
  EVENT_WRITE,
  fileobjToFd,
  reprOf,
  type SelectorKey,
} from "./_key.ts";
import { SelectorMapping } from "./_mapping.ts";
import type { AbortOptions } from "../socket/mod.ts";
import { NO_OPTIONS } from "../_core/abort.ts";

/** The system call under each kind of CPython selector, which decides its timeout's range. */
const SYSCALL = { raise: "select", report: "poll", drop: "epoll" } as const;

/** A selector's timeout in seconds as milliseconds, checked as CPython's selectors check it. */
function timeoutMs(timeout: unknown, policy: ClosedPolicy): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `'<=' not supported between instances of '${pyTypeName(timeout)}' and 'int'`,
    );
  }
  // NaN would otherwise wait in a busy loop: CPython's math.ceil() refuses it.
  if (Number.isNaN(timeout)) throw new ValueError("cannot convert float NaN to integer");
  return selectorTimeoutMs(timeout, SYSCALL[policy]);
}

/** The data of `register`/`modify`'s rest argument: Python's default `None` when left out. */
function dataOf<T>(rest: readonly unknown[]): T {
  return (rest[0] === undefined ? null : rest[0]) as T;
}

/** What a selector does with a registered descriptor that has been closed. */
export type ClosedPolicy = "raise" | "report" | "drop";

/**
 * Python's `selectors.BaseSelector`: register file objects for `EVENT_READ` / `EVENT_WRITE`
 * with some data, then `select()` the ready ones. pynet's selectors are all built on one
 * engine; they differ as CPython's do only where a closed descriptor is concerned (`select`
 * raises `EBADF`, `poll` reports it ready, `epoll` forgets it).
 *
 * `T` is the type of the data registered and `F` that of the file objects: a port gives them
 * (`new DefaultSelector<Callback, Socket>()`) and reads `key.data` and `key.fileobj` with no
 * cast. `data` may be left out only when `T` admits `null` (Python's default `None`).
 *
 * @example An echo server loop, as in Python's documentation
 * ```ts
 * import { DefaultSelector, EVENT_READ } from "@pynet/net/selectors";
 * import { createServer, type Socket } from "@pynet/net/socket";
 *
 * using sel = new DefaultSelector<string, Socket>();
 * using server = createServer(["127.0.0.1", 0]);
 * server.setblocking(false);
 * sel.register(server, EVENT_READ, "accept");
 * for (const [key] of await sel.select(0)) {
 *   if (key.data === "accept") {
 *     const [conn] = await key.fileobj.accept();
 *     conn.close();
 *   }
 * }
 * ```
 */
export abstract class BaseSelector<T = unknown, F extends FileLike = FileLike>
  implements Disposable {
  #keys: Map<number, SelectorKey<T, F>> = new Map();
  #closed = false;
  #entries = new Map<number, Entry>();
  #ready = new ReadySet();
  #map: SelectorMapping<T, F>;
  #closedPolicy: ClosedPolicy;

  /**
   * Creates the selector.
   *
   * @param closedPolicy What `select()` does with a closed registered descriptor.
   */
  constructor(closedPolicy: ClosedPolicy) {
    this.#closedPolicy = closedPolicy;
    this.#map = new SelectorMapping(this.#keys, (fileobj) => this.#lookup(fileobj));
  }

  #table(): Map<number, SelectorKey<T, F>> {
    return this.#keys;
  }

  /** CPython's check of `register()`'s events: `TypeError` for a non-int, `ValueError` else. */
  #checkEvents(events: unknown): number {
    if (events === undefined) {
      throw new TypeError("register() missing 1 required positional argument: 'events'");
    }
    if (events === null || events === 0 || events === false) {
      throw new ValueError(`Invalid events: ${events === null ? "None" : 0}`);
    }
    if (typeof events !== "number" || !Number.isInteger(events)) {
      throw new TypeError(
        `unsupported operand type(s) for &: '${pyTypeName(events)}' and 'int'`,
      );
    }
    if (events < 0 || events > (EVENT_READ | EVENT_WRITE)) {
      throw new ValueError(`Invalid events: ${events}`);
    }
    return events;
  }

  /** The descriptor of `fileobj`, or of the registered object itself once it is closed. */
  #lookup(fileobj: FileLike): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      for (const key of this.#keys.values()) {
        if (key.fileobj === fileobj) return key.fd;
      }
      throw e;
    }
  }

  /**
   * Registers `fileobj` for `events`.
   *
   * @param fileobj A socket, descriptor, or anything with `fileno()`.
   * @param events `EVENT_READ`, `EVENT_WRITE`, or both.
   * @param data Anything to keep in the key (`null` when left out).
   * @returns The new key.
   * @throws {ValueError} For invalid events or a negative descriptor.
   * @throws {TypeError} For events that are not an int, as CPython's `events & ~3`.
   * @throws {KeyError} When the object (or its descriptor) is registered already.
   */
  register(fileobj: F, events: number, ...rest: DataArg<T>): SelectorKey<T, F> {
    const data = dataOf<T>(rest);
    const table = this.#table();
    this.#checkEvents(events);
    const fd = this.#lookup(fileobj);
    const existing = table.get(fd);
    if (existing) throw new KeyError(`${reprOf(fileobj)} (FD ${fd}) is already registered`);
    // CPython's EpollSelector registers with its closed epoll object.
    if (this.#closed && this.#closedPolicy === "drop") {
      throw new ValueError("I/O operation on closed epoll object");
    }
    const key: SelectorKey<T, F> = Object.freeze({ fileobj, fd, events, data });
    const source = sourceOf(fileobj, fd);
    if (!source && this.#closedPolicy === "drop") throw new OSError(EBADF);
    table.set(fd, key);
    const entry: Entry = {
      fd,
      source,
      interest: (events & EVENT_READ ? POLLIN : 0) | (events & EVENT_WRITE ? POLLOUT : 0),
      edge: false,
      oneShot: false,
      disabled: false,
      queued: false,
    };
    this.#entries.set(fd, entry);
    this.#ready.add(entry);
    return key;
  }

  /**
   * Unregisters `fileobj`; works after the object was closed, too.
   *
   * @returns The key it had.
   * @throws {KeyError} When it is not registered.
   * @throws {ValueError} For an invalid file object (no `fileno()`, a negative descriptor).
   */
  unregister(fileobj: FileLike): SelectorKey<T, F> {
    const table = this.#table();
    // As CPython: an invalid file object is a ValueError, an unknown one a KeyError.
    const fd = this.#lookup(fileobj);
    const key = table.get(fd);
    if (!key) throw new KeyError(`${reprOf(fileobj)} is not registered`);
    table.delete(fd);
    const entry = this.#entries.get(fd);
    if (entry) {
      this.#entries.delete(fd);
      this.#ready.remove(entry);
    }
    return key;
  }

  /**
   * Changes the events or data of a registered object. A change of events re-registers it (a
   * new key); a change of data alone only replaces the key.
   *
   * @returns The new key.
   * @throws {KeyError} When it is not registered.
   */
  modify(fileobj: F, events: number, ...rest: DataArg<T>): SelectorKey<T, F> {
    const data = dataOf<T>(rest);
    const table = this.#table();
    let key = table.get(this.#lookup(fileobj));
    if (!key) throw new KeyError(`${reprOf(fileobj)} is not registered`);
    if (events !== key.events) {
      if (this.#closedPolicy !== "raise") {
        // CPython's poll and epoll selectors take any int here (their bits, not a check).
        if (typeof events !== "number" || !Number.isInteger(events)) {
          throw new TypeError(
            `unsupported operand type(s) for &: '${pyTypeName(events)}' and 'int'`,
          );
        }
        const entry = this.#entries.get(key.fd);
        const interest = (events & EVENT_READ ? POLLIN : 0) | (events & EVENT_WRITE ? POLLOUT : 0);
        if (entry) this.#ready.modify(entry, interest, false, false);
        key = Object.freeze({ ...key, events, data });
        table.set(key.fd, key);
        return key;
      }
      this.unregister(fileobj);
      return this.register(fileobj, events, ...rest);
    }
    if (data !== key.data) {
      key = Object.freeze({ ...key, data });
      table.set(key.fd, key);
    }
    return key;
  }

  /**
   * Waits until registered objects are ready.
   *
   * @param timeout Seconds; `null` or left out waits without limit; 0 or less polls.
   * @returns `[key, events]` pairs, `events` being the ready subset of the key's events.
   * @param options `signal` cancels the wait (a pynet addition): the call rejects with its
   * reason, and nothing is taken from the registered objects.
   * @throws {OSError} `EBADF` (select-based selector only) when a registered object was closed.
   * @throws {OverflowError} For a timeout CPython's selector of the same kind refuses: more than
   * 2^31 - 1 ms (24.8 days) or `Infinity` for poll and epoll, about 292 years for select.
   */
  async select(
    timeout?: number | null,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<[SelectorKey<T, F>, number][]> {
    const ms = timeoutMs(timeout, this.#closedPolicy);
    if (this.#closed) {
      // CPython's EpollSelector polls its closed epoll object; the others find nothing.
      if (this.#closedPolicy === "drop") {
        throw new ValueError("I/O operation on closed epoll object");
      }
      return [];
    }
    const found = await this.#ready.wait(ms, Infinity, options.signal);
    // The result is built in the array and pairs the wait returned, which are fresh and this
    // call's alone: no second array and no second tuple per ready key.
    const ready = found as unknown as [SelectorKey<T, F>, number][];
    let kept = 0;
    // Indexed, not destructured: no iterator per pair.
    for (let i = 0; i < found.length; i++) {
      const pair = found[i]!;
      const entry = pair[0], polled = pair[1];
      const key = this.#keys.get(entry.fd);
      if (!key) continue;
      if (polled & POLLNVAL) {
        if (this.#closedPolicy === "raise") throw new OSError(EBADF);
        if (this.#closedPolicy === "drop") {
          this.#entries.delete(entry.fd);
          this.#ready.remove(entry);
          continue;
        }
      }
      // As CPython's poll-based selectors: an error or hang-up wakes readers and writers.
      let events = 0;
      if (polled & ~POLLOUT) events |= EVENT_READ;
      if (polled & ~POLLIN) events |= EVENT_WRITE;
      events &= key.events;
      if (events) {
        const out = pair as unknown as [SelectorKey<T, F>, number];
        out[0] = key;
        out[1] = events;
        ready[kept++] = out;
      }
    }
    ready.length = kept;
    return ready;
  }

  /**
   * Closes the selector: every registration is dropped. Then, as in CPython, `getKey` raises
   * `RuntimeError`, `getMap` gives `null`, `unregister`/`modify` raise `KeyError`, and an epoll
   * selector raises `ValueError` on `register`/`select` (the others go on working).
   */
  close(): void {
    this.#ready.clear();
    this.#entries.clear();
    this.#keys.clear();
    this.#closed = true;
  }

  /**
   * The key of a registered object.
   *
   * @throws {KeyError} When it is not registered.
   * @throws {RuntimeError} When the selector is closed.
   */
  getKey(fileobj: FileLike): SelectorKey<T, F> {
    if (this.#closed) throw new RuntimeError("Selector is closed");
    return this.#map.getItem(fileobj);
  }

  /** A live, read-only view of the registrations, or `null` once closed. */
  getMap(): SelectorMapping<T, F> | null {
    return this.#closed ? null : this.#map;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
