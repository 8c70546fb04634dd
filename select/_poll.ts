// select.poll(): registrations kept between calls, results from the ready set.
import { EBADF, EEXIST, EINVAL, ENOENT } from "../_core/errno.ts";
import { KeyError, OSError, osError, OverflowError, ValueError } from "../_core/errors.ts";
import { asCInt, asCLong, asCUIntMask } from "../_core/args.ts";
import { allocateFd, releaseFd } from "../_core/fd_table.ts";
import { POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../_core/readiness.ts";
import {
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
} from "./_constants.ts";
import { descriptorOf, type FileLike, sourceOf } from "../_core/fileobj.ts";
import { type Entry, ReadySet } from "../_core/ready_set.ts";
import { epollTimeoutMs, pollTimeoutMs } from "../_core/wait_timeout.ts";
import type { AbortOptions } from "../socket/mod.ts";

/** `select.EPOLL_CLOEXEC`, the one flag `epoll()` takes. */
const EPOLL_CLOEXEC = 0o2000000;

/** The flags that select a mode rather than an event. */
const MODE_FLAGS = EPOLLET | EPOLLONESHOT;

class Registrations {
  readonly set = new ReadySet();
  readonly entries = new Map<number, Entry>();

  add(obj: FileLike, mask: number): Entry {
    const fd = descriptorOf(obj);
    const entry: Entry = {
      fd,
      source: sourceOf(obj, fd),
      interest: mask & ~MODE_FLAGS,
      edge: (mask & EPOLLET) !== 0,
      oneShot: (mask & EPOLLONESHOT) !== 0,
      disabled: false,
      queued: false,
    };
    this.entries.set(fd, entry);
    this.set.add(entry);
    return entry;
  }

  modify(entry: Entry, mask: number): void {
    this.set.modify(entry, mask & ~MODE_FLAGS, (mask & EPOLLET) !== 0, (mask & EPOLLONESHOT) !== 0);
  }

  remove(entry: Entry): void {
    this.entries.delete(entry.fd);
    this.set.remove(entry);
  }
}

/**
 * The epoll entry of `fd`, unless its object has been closed: Linux drops a closed descriptor
 * from every epoll set at once, so its number is free to register again.
 */
function liveEntry(reg: Registrations, fd: number): Entry | undefined {
  const entry = reg.entries.get(fd);
  if (entry?.source && entry.source.pollEvents() & POLLNVAL) {
    reg.remove(entry);
    return undefined;
  }
  return entry;
}

function checkMask(mask: unknown): number {
  // CPython's poll takes a C unsigned short.
  const n = asCLong(mask);
  if (n < 0n) throw new ValueError("value must be positive");
  if (n > 0xffffn) throw new OverflowError("Python int too large for C unsigned short");
  return Number(n);
}

/** EPOLLEXCLUSIVE: Linux takes it only on its own with the event bits, and only in add. */
const EPOLLEXCLUSIVE = 1 << 28;
const EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | (1 << 29) | EPOLLET |
  EPOLLEXCLUSIVE;

/** CPython's epoll takes a C unsigned int, wrapped without an overflow check; Linux checks. */
function checkEpollMask(mask: unknown, adding: boolean): number {
  const n = asCUIntMask(mask);
  if (n & EPOLLEXCLUSIVE && (!adding || (n & ~EXCLUSIVE_OK) !== 0)) throw osError(EINVAL);
  return n;
}

/**
 * Python's `select.poll()` object: descriptors registered with an event mask, kept between
 * calls; `poll()` reports `[fd, events]` pairs with Linux's `POLL*` bits (a peer's close is
 * `POLLIN` with EOF, a reset adds `POLLERR | POLLHUP`, a closed registered socket `POLLNVAL`).
 *
 * @example Waiting for input on a registered socket
 * ```ts
 * import { poll, POLLIN } from "@pynet/net/select";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * const p = poll();
 * p.register(b, POLLIN);
 * await a.send(new Uint8Array([1]));
 * assertEquals(await p.poll(1000), [[b.fileno(), POLLIN]]);
 * p.unregister(b);
 * ```
 */
export class Poll {
  #reg = new Registrations();

  /**
   * Watches `fd` for `eventmask` (default `POLLIN | POLLPRI | POLLOUT`); registering it again
   * changes its mask.
   *
   * @param fd A socket, pseudo descriptor or object with `fileno()`.
   * @param eventmask `POLL*` bits.
   */
  register(fd: FileLike, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    // CPython converts the descriptor first, then the mask.
    const key = descriptorOf(fd);
    const mask = checkMask(eventmask);
    const existing = this.#reg.entries.get(key);
    // poll(2) watches numbers: if the registered object was closed and its number now names
    // another one, the new one is watched.
    if (existing && existing.source === sourceOf(fd, key)) {
      this.#reg.modify(existing, mask);
    } else {
      if (existing) this.#reg.remove(existing);
      this.#reg.add(fd, mask);
    }
  }

  /**
   * Changes the mask of a registered descriptor.
   *
   * @throws {FileNotFoundError} When `fd` is not registered.
   */
  modify(fd: FileLike, eventmask: number): void {
    const key = descriptorOf(fd);
    const mask = checkMask(eventmask);
    const entry = this.#reg.entries.get(key);
    if (!entry) throw osError(ENOENT);
    this.#reg.modify(entry, mask);
  }

  /**
   * Stops watching `fd`.
   *
   * @throws {KeyError} When `fd` is not registered.
   */
  unregister(fd: FileLike): void {
    const key = descriptorOf(fd);
    const entry = this.#reg.entries.get(key);
    if (!entry) throw new KeyError(String(key));
    this.#reg.remove(entry);
  }

  /**
   * Waits for registered descriptors to be ready.
   *
   * @param timeout Milliseconds; negative, `null` or left out waits without limit; 0 polls.
   * @param options `signal` cancels the wait (a pynet addition): the call rejects with its
   * reason.
   * @returns `[fd, events]` pairs.
   */
  async poll(timeout?: number | null, options: AbortOptions = {}): Promise<[number, number][]> {
    const ms = pollTimeoutMs(timeout);
    // Not destructured: no iterator per pair.
    const found = await this.#reg.set.wait(ms, Infinity, options.signal);
    return found.map((pair) => [pair[0].fd, pair[1]]);
  }
}

/**
 * Creates a poll object (Python's `select.poll()`).
 *
 * @returns A new {@linkcode Poll}.
 *
 * @example A poll object with nothing registered finds nothing
 * ```ts
 * import { poll } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * const p = poll();
 * assertEquals(await p.poll(0), []);
 * ```
 */
export function poll(): Poll {
  return new Poll();
}

/**
 * Python's `select.epoll` object: like {@linkcode Poll} with `EPOLL*` masks, timeouts in
 * seconds, `maxevents`, edge-triggered (`EPOLLET`) and one-shot (`EPOLLONESHOT`) modes, and a
 * pseudo descriptor of its own.
 *
 * @example Waiting for input with epoll
 * ```ts
 * import { EPOLLIN, epoll } from "@pynet/net/select";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * using ep = epoll();
 * ep.register(b, EPOLLIN);
 * await a.send(new Uint8Array([1]));
 * assertEquals(await ep.poll(1), [[b.fileno(), EPOLLIN]]);
 * ```
 */
export class Epoll implements Disposable {
  #reg: Registrations | null = new Registrations();
  #fd: number;

  /**
   * Creates an epoll object.
   *
   * @param sizehint Accepted for compatibility (-1 or positive).
   * @param flags Accepted for compatibility (0 or `EPOLL_CLOEXEC`).
   */
  constructor(sizehint: number = -1, flags: number = 0) {
    asCInt(sizehint);
    asCInt(flags);
    if (sizehint === 0 || sizehint < -1) throw new ValueError("negative sizehint");
    if (flags && flags !== EPOLL_CLOEXEC) throw new OSError(null, "invalid flags");
    this.#fd = allocateFd(this);
  }

  #open(): Registrations {
    if (!this.#reg) throw new ValueError("I/O operation on closed epoll object");
    return this.#reg;
  }

  /** Whether the epoll object is closed. */
  get closed(): boolean {
    return this.#reg === null;
  }

  /** The epoll object's pseudo descriptor. */
  fileno(): number {
    this.#open();
    return this.#fd;
  }

  /**
   * Watches `fd` for `eventmask` (default `EPOLLIN | EPOLLOUT | EPOLLPRI`).
   *
   * @throws {FileExistsError} When `fd` is registered already.
   * @throws {OSError} `EBADF` when `fd` is not an open descriptor pynet knows.
   */
  register(fd: FileLike, eventmask: number = EPOLLIN | EPOLLOUT | EPOLLPRI): void {
    // CPython converts the arguments before it finds the epoll object closed.
    const key = descriptorOf(fd);
    asCUIntMask(eventmask);
    const reg = this.#open();
    const mask = checkEpollMask(eventmask, true);
    if (liveEntry(reg, key)) throw osError(EEXIST);
    if (!sourceOf(fd, key)) throw new OSError(EBADF);
    reg.add(fd, mask | EPOLLERR | EPOLLHUP);
  }

  /**
   * Changes the mask of a registered descriptor (re-arming an `EPOLLONESHOT` one).
   *
   * @throws {FileNotFoundError} When `fd` is not registered.
   */
  modify(fd: FileLike, eventmask: number): void {
    const key = descriptorOf(fd);
    asCUIntMask(eventmask);
    const reg = this.#open();
    const mask = checkEpollMask(eventmask, false);
    const entry = liveEntry(reg, key);
    if (!entry) throw sourceOf(fd, key) ? osError(ENOENT) : new OSError(EBADF);
    reg.modify(entry, mask | EPOLLERR | EPOLLHUP);
  }

  /**
   * Stops watching `fd`.
   *
   * @throws {FileNotFoundError} When `fd` is not registered.
   */
  unregister(fd: FileLike): void {
    const key = descriptorOf(fd);
    const reg = this.#open();
    const entry = liveEntry(reg, key);
    if (!entry) throw sourceOf(fd, key) ? osError(ENOENT) : new OSError(EBADF);
    reg.remove(entry);
  }

  /**
   * Waits for registered descriptors to be ready.
   *
   * @param timeout Seconds; negative, `null` or left out waits without limit; 0 polls.
   * @param maxevents The most pairs to return; -1 for no limit.
   * @param options `signal` cancels the wait (a pynet addition): the call rejects with its
   * reason.
   * @returns `[fd, events]` pairs.
   * @throws {ValueError} When closed, or for `maxevents` of 0 or below -1.
   */
  async poll(
    timeout?: number | null,
    maxevents: number = -1,
    options: AbortOptions = {},
  ): Promise<[number, number][]> {
    asCInt(maxevents);
    const reg = this.#open();
    const ms = epollTimeoutMs(timeout);
    if (maxevents === 0 || maxevents < -1) {
      throw new ValueError(`maxevents must be greater than 0, got ${maxevents}`);
    }
    const found = await reg.set.wait(ms, maxevents === -1 ? Infinity : maxevents, options.signal);
    const out: [number, number][] = [];
    for (const [entry, events] of found) {
      // Linux drops a closed descriptor from every epoll set instead of reporting it.
      if (events & POLLNVAL) reg.remove(entry);
      else out.push([entry.fd, events]);
    }
    return out;
  }

  /** Closes the epoll object; closing again is harmless. */
  close(): void {
    if (!this.#reg) return;
    this.#reg.set.clear();
    this.#reg = null;
    releaseFd(this.#fd);
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Creates an epoll object (Python's `select.epoll(sizehint, flags)`).
 *
 * @param sizehint Accepted for compatibility.
 * @param flags Accepted for compatibility.
 * @returns A new {@linkcode Epoll}.
 *
 * @example An epoll object with nothing registered finds nothing
 * ```ts
 * import { epoll } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * using ep = epoll();
 * assertEquals(await ep.poll(0), []);
 * ```
 */
export function epoll(sizehint: number = -1, flags: number = 0): Epoll {
  return new Epoll(sizehint, flags);
}
