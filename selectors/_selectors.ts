// The concrete selectors: CPython's names, one engine underneath.
import { allocateFd, releaseFd } from "../_core/fd_table.ts";
import { ValueError } from "../_core/errors.ts";
import { BaseSelector } from "./_selector.ts";
import type { SelectorKey } from "./_key.ts";
import type { AbortOptions } from "../socket/mod.ts";
import type { FileLike } from "../select/mod.ts";

/**
 * Python's `selectors.SelectSelector`, on `select.select()` semantics: a registered object
 * that gets closed makes `select()` raise `OSError` (`EBADF`).
 *
 * @example A connected socket is writable at once
 * ```ts
 * import { EVENT_WRITE, SelectSelector } from "@pynet/net/selectors";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * using sel = new SelectSelector();
 * sel.register(a, EVENT_WRITE);
 * const ready = await sel.select(0);
 * assertEquals(ready.map(([key, events]) => [key.fileobj, events]), [[a, EVENT_WRITE]]);
 * ```
 */
export class SelectSelector<T = unknown, F extends FileLike = FileLike> extends BaseSelector<T, F> {
  /** Creates the selector. */
  constructor() {
    super("raise");
  }
}

/**
 * Python's `selectors.PollSelector`, on `select.poll()` semantics: a registered object that
 * gets closed is reported ready (`POLLNVAL`), for both events.
 *
 * @example The data registered comes back with the ready key
 * ```ts
 * import { EVENT_READ, PollSelector, type SelectorKey } from "@pynet/net/selectors";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * using sel = new PollSelector();
 * sel.register(b, EVENT_READ, "b");
 * await a.send(new Uint8Array([1]));
 * const [[key, events]] = (await sel.select(1)) as [[SelectorKey, number]];
 * assertEquals([key.data, events], ["b", EVENT_READ]);
 * ```
 */
export class PollSelector<T = unknown, F extends FileLike = FileLike> extends BaseSelector<T, F> {
  /** Creates the selector. */
  constructor() {
    super("report");
  }
}

/**
 * Python's `selectors.EpollSelector`, on `select.epoll()` semantics: it has a `fileno()`, and a
 * registered object that gets closed is silently dropped. `DefaultSelector` is this class.
 *
 * @example An epoll selector has a descriptor of its own
 * ```ts
 * import { EpollSelector } from "@pynet/net/selectors";
 * import { assert } from "@std/assert";
 *
 * using sel = new EpollSelector();
 * assert(sel.fileno() >= 0);
 * ```
 */
export class EpollSelector<T = unknown, F extends FileLike = FileLike> extends BaseSelector<T, F> {
  #fd: number;

  /** Creates the selector. */
  constructor() {
    super("drop");
    this.#fd = allocateFd(this);
  }

  /**
   * The selector's pseudo descriptor.
   *
   * @throws {ValueError} When the selector is closed.
   */
  fileno(): number {
    if (this.#fd < 0) throw new ValueError("I/O operation on closed epoll object");
    return this.#fd;
  }

  /** Closes the selector and frees its descriptor. */
  override close(): void {
    super.close();
    if (this.#fd >= 0) {
      releaseFd(this.#fd);
      this.#fd = -1;
    }
  }

  /**
   * Waits until registered objects are ready.
   *
   * @param timeout Seconds; `null` or left out waits without limit; 0 or less polls.
   * @param options `signal` cancels the wait.
   * @throws {ValueError} When the selector is closed.
   */
  override select(
    timeout?: number | null,
    options?: AbortOptions,
  ): Promise<[SelectorKey<T, F>, number][]> {
    if (this.#fd < 0) {
      return Promise.reject(new ValueError("I/O operation on closed epoll object"));
    }
    return super.select(timeout, options);
  }
}

/**
 * The most efficient selector available: {@linkcode EpollSelector}, as on Linux CPython.
 *
 * @example Nothing to read yet
 * ```ts
 * import { DefaultSelector, EVENT_READ } from "@pynet/net/selectors";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * using sel = new DefaultSelector();
 * sel.register(b, EVENT_READ);
 * assertEquals(await sel.select(0), []);
 * ```
 */
export const DefaultSelector: typeof EpollSelector = EpollSelector;
/** The type of {@linkcode DefaultSelector} instances. */
export type DefaultSelector<T = unknown, F extends FileLike = FileLike> = EpollSelector<T, F>;
