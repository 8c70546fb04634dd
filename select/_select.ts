// select.select(): Python's call over the readiness core. It takes lists, so it registers and
// unregisters per call (O(n) in its arguments, like the C call), but has no FD_SETSIZE limit.
import { EBADF } from "../_core/errno.ts";
import { OSError } from "../_core/errors.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../_core/readiness.ts";
import { descriptorOf, sourceOf } from "../_core/fileobj.ts";
import { type Entry, ReadySet } from "../_core/ready_set.ts";
import { selectTimeoutMs } from "../_core/wait_timeout.ts";
import type { AbortOptions } from "../socket/mod.ts";

const READ = POLLIN | POLLHUP | POLLERR;
const WRITE = POLLOUT | POLLERR;

/**
 * Waits until some of the given objects are ready (Python's `select.select`): readable
 * (`recv` or `accept` settles at once: data, EOF, a connection, an error), writable (`send`
 * accepts bytes at once, a connect has completed) or exceptional (never reported: Deno gives
 * no access to out-of-band data).
 *
 * @param rlist Objects to watch for reading: sockets, pseudo descriptors, or anything with
 * `fileno()`.
 * @param wlist Objects to watch for writing.
 * @param xlist Objects to watch for exceptional conditions.
 * @param timeout Seconds; `null` or left out waits without limit; 0 polls.
 * @param options `signal` cancels the wait (a pynet addition): the call rejects with its
 * reason, and nothing is taken from the watched objects.
 * @returns Three new lists: the ready subsets, with the caller's objects in the caller's order.
 * @throws {TypeError} For a list item without `fileno()`, or a timeout that is not a number.
 * @throws {ValueError} For a negative timeout, or a closed socket (its `fileno()` is -1).
 * @throws {OSError} `EBADF` for a descriptor that is not open.
 *
 * @example
 * ```ts
 * import { select } from "@pynet/net/select";
 * import { socketpair } from "@pynet/net/socket";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * await a.send(new Uint8Array([1]));
 * const [readable, writable] = await select([b], [a], [], 1);
 * console.log(readable[0] === b, writable[0] === a); // true true
 * ```
 */
export async function select<R, W, X>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null,
  options: AbortOptions = {},
): Promise<[R[], W[], X[]]> {
  // CPython converts the timeout before it looks at the lists.
  const timeoutMs = selectTimeoutMs(timeout);
  const lists = [toList(rlist), toList(wlist), toList(xlist)] as const;
  const wants = [READ, WRITE, POLLPRI];
  const set = new ReadySet();
  const byFd = new Map<number, Entry>();
  const fds = lists.map((list, which) =>
    list.map((obj) => {
      const fd = descriptorOf(obj);
      let entry = byFd.get(fd);
      if (!entry) {
        const source = sourceOf(obj, fd);
        if (!source || source.pollEvents() & POLLNVAL) throw new OSError(EBADF);
        entry = { fd, source, interest: 0, edge: false, oneShot: false, disabled: false };
        byFd.set(fd, entry);
      }
      entry.interest |= wants[which]!;
      return fd;
    })
  );
  try {
    for (const entry of byFd.values()) set.add(entry);
    const ready = new Map<number, number>();
    const found = await set.wait(timeoutMs, Infinity, options.signal);
    for (const [entry, events] of found) ready.set(entry.fd, events);
    return lists.map((list, which) =>
      list.filter((_, i) => ((ready.get(fds[which]![i]!) ?? 0) & wants[which]!) !== 0)
    ) as [R[], W[], X[]];
  } finally {
    set.clear();
  }
}

function toList<T>(items: Iterable<T>): T[] {
  if (items === null || typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== "function") {
    throw new TypeError("arguments 1-3 must be sequences");
  }
  return [...items];
}
