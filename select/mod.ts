/**
 * Python's `select` module for Deno: `select()`, `poll()` and `epoll()` over pynet sockets,
 * with Python's arguments, results and errors.
 *
 * Deno has no poll(2), so pynet sockets track their own readiness (a socket reads ahead to
 * learn that input is there, and keeps what it read for the next `recv`) and push every change
 * to whoever watches them. A wake-up therefore costs what is ready, not what is registered:
 * thousands of idle sockets do not slow one busy one, and there is no 1,024-descriptor limit.
 * "Readable" means a `recv` or `accept` settles at once (data, EOF, a connection, an error);
 * "writable" means `send` accepts bytes at once, or a connect has completed.
 *
 * What a program sends while it handles the events a wait reported goes out together, as it
 * waits again: the bytes a non-blocking or timed `send` (or `sendNow`) puts in an idle socket's
 * send buffer are held until the program's next wait of any kind (a `select()`, a blocking
 * call), or for one event-loop turn if it awaits something else. A loop that answers many
 * sockets thus sends its answers back to back, rather than waking each peer once per answer
 * (on a 2-core machine that made an asyncore echo server 10% faster). A blocking `send`
 * writes at once.
 *
 * The standard input and a child process's pipes can be watched too, through
 * {@linkcode StreamWrapper}.
 *
 * Reading ahead never keeps the process alive, and a wait does only while it is awaited (see
 * the `socket` module's docs): a script that has called `select()` ends when its work ends.
 * Except on the standard input: Deno cannot unref a read of it, so a script that has waited on
 * `StreamWrapper.stdin()` ends when its input does. A child process's pipes read unref'd once
 * `child.unref()` has been called.
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `select.select(r, w, x, timeout)` | `await select(r, w, x, timeout)` |
 * | `select.poll()`, `p.register`, `p.modify`, `p.unregister`, `p.poll(ms)` | `poll()`, same methods, `await p.poll(ms)` |
 * | `select.epoll(sizehint, flags)`, `register`, `modify`, `unregister`, `poll(timeout, maxevents)`, `close`, `closed`, `fileno` | `epoll(...)`, same names, `await ep.poll(...)`; `using ep = epoll()` |
 * | `POLLIN`, `POLLOUT`, `EPOLLIN`, `EPOLLET`, ... | same names, Linux values |
 * | (none) | an options object last: `select(r, w, x, timeout, { signal })`, `p.poll(ms, { signal })`, `ep.poll(t, maxevents, { signal })`: an `AbortSignal` cancels the wait, which rejects with its reason |
 * | `select.error` | `OSError` (from `@pynet/net/socket`) |
 * | a file object with `fileno()` (stdin, a pipe) | `new StreamWrapper(stream)`, `StreamWrapper.stdin()` |
 * | any object with `fileno()` that the kernel watches | a pynet extra: implement `Watchable` (`[readinessSource]()` returning a `ReadinessSource`) with a descriptor from `allocateFd()` (see below); `isWatchable(obj)` tells which objects are |
 *
 * `POLLPRI` (out-of-band data) is never reported: Deno gives no access to it. Descriptors are
 * pynet's pseudo descriptors (`sock.fileno()`); real OS descriptors are not visible in Deno.
 *
 * @example Waiting for the first of several sockets
 * ```ts
 * import { select } from "@pynet/net/select";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * const [c, d] = socketpair();
 * using _a = a, _b = b, _c = c, _d = d;
 * await c.send(new TextEncoder().encode("hi"));
 * const [readable] = await select([b, d], [], [], 5);
 * assertEquals(readable, [d]);
 * ```
 *
 * ## Making a new object selectable
 *
 * `select()`, `poll()`, `epoll()` and the selectors watch anything that hands out a
 * {@linkcode ReadinessSource} under the {@linkcode readinessSource} key and has a `fileno()`
 * (a pseudo descriptor from {@linkcode allocateFd}, given back with {@linkcode releaseFd}
 * when the object closes). The source reports the `POLL*` events that hold now
 * (`pollEvents()`: `POLLNVAL` once closed), and calls `readinessChanged(source)` on each of its
 * watchers, synchronously, after every change of them: pynet never polls, so a change not told
 * is a wake-up lost. `watch(watcher, interest)` with `POLLIN` in `interest` means someone waits
 * for input: an object that must read to learn of input starts reading then.
 *
 * @example Making a new object selectable
 * ```ts
 * import {
 *   allocateFd,
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
 * const waiting = select([flag], [], [], 5);
 * flag.raise();
 * const [readable] = await waiting;
 * assertEquals(readable, [flag]);
 * ```
 *
 * @module
 */

export * from "./_constants.ts";
export { select } from "./_select.ts";
export { Epoll, epoll, Poll, poll } from "./_poll.ts";
export { StreamWrapper, type WrappableStreams } from "./_stream_wrapper.ts";
export type { FileLike, HasFileno } from "../_core/fileobj.ts";
export {
  isWatchable,
  type ReadinessSource,
  readinessSource,
  type ReadinessWatcher,
  type Watchable,
} from "../_core/readiness.ts";
export { allocateFd, releaseFd } from "../_core/fd_table.ts";
