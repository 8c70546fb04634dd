// select.select(): Python's call over the readiness core, with no FD_SETSIZE limit. It takes
// lists, and a loop usually passes the same objects call after call, so the registrations of
// the last call are kept (lazy unregistration) and reused when the new lists hold the same
// objects in the same order: a call then costs one pass of pointer compares and fileno()
// calls over its arguments, not a registration and an unregistration per descriptor (which
// made a call over 5,000 idle sockets cost milliseconds; BENCHMARKS.md "select and selectors").
import { EBADF } from "../_core/errno.ts";
import { OSError } from "../_core/errors.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../_core/readiness.ts";
import type { ReadinessSource } from "../_core/readiness.ts";
import { descriptorOf, sourceOf } from "../_core/fileobj.ts";
import { type Entry, ReadySet } from "../_core/ready_set.ts";
import { selectTimeoutMs } from "../_core/wait_timeout.ts";
import type { AbortOptions } from "../socket/mod.ts";

const READ = POLLIN | POLLHUP | POLLERR;
const WRITE = POLLOUT | POLLERR;
const WANTS = [READ, WRITE, POLLPRI] as const;

/** A watched descriptor of a select() call. */
interface SelectEntry extends Entry {
  /** The call that last checked this entry's source, so each is checked once per call. */
  checked: number;
}

/** Three lists of the caller's objects, as the call got them. */
type Lists = readonly [readonly unknown[], readonly unknown[], readonly unknown[]];

/** The registrations of one call, kept for the next one with the same objects. */
interface Registered {
  readonly lists: Lists;
  /** The entry of each list item, by list and position. */
  readonly at: readonly [SelectEntry[], SelectEntry[], SelectEntry[]];
  /** The positions of each entry in each list, for results in the caller's order. */
  readonly positions: readonly [
    Map<SelectEntry, number[]>,
    Map<SelectEntry, number[]>,
    Map<SelectEntry, number[]>,
  ];
  readonly set: ReadySet;
  /** A call is waiting on these registrations: another call at the same time makes its own. */
  busy: boolean;
}

/**
 * The last call's registrations. Held weakly: the watched sockets hold them (as their
 * watcher), so they live as long as the sockets do, and a socket the program dropped can
 * still be collected (and closed, see _core/fd_table.ts) with them.
 */
let last: WeakRef<Registered> | undefined;
/** Counts calls, to mark the entries a call has checked. */
let calls = 0;

/**
 * Waits until some of the given objects are ready (Python's `select.select`): readable
 * (`recv` or `accept` settles at once: data, EOF, a connection, an error), writable (`send`
 * accepts bytes at once, a connect has completed) or exceptional (never reported: Deno gives
 * no access to out-of-band data).
 *
 * A call with the same objects as the last one reuses its registrations, so a loop over
 * thousands of sockets pays a pointer compare per socket, not a registration. The last call's
 * objects therefore stay watched (a socket keeps reading ahead, as for a `poll` object) until
 * a call with other objects: `select([], [], [], 0)` ends that at once.
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
 * @example Waiting for a readable and a writable socket
 * ```ts
 * import { select } from "@pynet/net/select";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * await a.send(new Uint8Array([1]));
 * const [readable, writable, exceptional] = await select([b], [a], [], 1);
 * assertEquals([readable, writable, exceptional], [[b], [a], []]);
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
  const lists: Lists = [toList(rlist), toList(wlist), toList(xlist)];
  const reg = registrations(lists);
  reg.busy = true;
  try {
    const found = await reg.set.wait(timeoutMs, Infinity, options.signal);
    return results(reg, found) as [R[], W[], X[]];
  } finally {
    reg.busy = false;
    // Registrations no longer kept for the next call (another call replaced them meanwhile, or
    // they were made beside busy ones) end with this call.
    if (last?.deref() !== reg) reg.set.clear();
  }
}

/**
 * The registrations for `lists`: the last call's when they hold the same objects (with the
 * same descriptors and sources), else new ones. Checks every item in order, as CPython does,
 * so the first bad item raises whichever registrations are used.
 */
function registrations(lists: Lists): Registered {
  const kept = last?.deref();
  let reuse = kept !== undefined && !kept.busy &&
    kept.lists.every((list, which) => list.length === lists[which]!.length);
  // A source that closed since told the kept set (its entry is ready with POLLNVAL), so only
  // those are asked, not every source.
  const closed = reuse ? kept!.set.readyWith(POLLNVAL) : null;
  const mark = ++calls;
  const at: [SelectEntry[], SelectEntry[], SelectEntry[]] = [[], [], []];
  let byFd: Map<number, SelectEntry> | null = null;
  for (let which = 0; which < 3; which++) {
    const list = lists[which]!;
    for (let i = 0; i < list.length; i++) {
      const obj = list[i];
      const fd = descriptorOf(obj);
      if (reuse) {
        const entry = kept!.at[which]![i]!;
        if (obj === kept!.lists[which]![i] && fd === entry.fd) {
          if (entry.checked === mark) continue;
          entry.checked = mark;
          if (sourceOf(obj, fd) === entry.source) {
            if (closed !== null && closed.has(entry)) throw new OSError(EBADF);
            continue;
          }
        }
        // Not the same objects: new registrations, with the items checked so far.
        reuse = false;
        byFd = new Map();
        for (let w = 0; w <= which; w++) {
          const done = lists[w]!;
          for (let j = 0; j < (w === which ? i : done.length); j++) {
            at[w]!.push(entryFor(byFd, done[j], kept!.at[w]![j]!.fd, w));
          }
        }
      }
      byFd ??= new Map();
      at[which]!.push(entryFor(byFd, obj, fd, which));
    }
  }
  if (reuse) return kept!;
  const reg: Registered = {
    // Copies: the caller may change its lists before the next call compares them.
    lists: [lists[0].slice(), lists[1].slice(), lists[2].slice()],
    at,
    positions: [positionsOf(at[0]), positionsOf(at[1]), positionsOf(at[2])],
    set: new ReadySet(),
    busy: false,
  };
  // The last call's registrations end here (lazily, instead of when that call returned),
  // unless a call still waits on them: that call ends them.
  if (kept !== undefined && !kept.busy) kept.set.clear();
  for (const entry of byFd?.values() ?? []) reg.set.add(entry);
  last = new WeakRef(reg);
  return reg;
}

/** The entry of descriptor `fd` among `byFd`, made on its first sight; `which` adds interest. */
function entryFor(
  byFd: Map<number, SelectEntry>,
  obj: unknown,
  fd: number,
  which: number,
): SelectEntry {
  let entry = byFd.get(fd);
  if (!entry) {
    const source = sourceOf(obj, fd);
    checkOpen(source);
    entry = {
      fd,
      source,
      interest: 0,
      edge: false,
      oneShot: false,
      disabled: false,
      queued: false,
      checked: 0,
    };
    byFd.set(fd, entry);
  }
  entry.interest |= WANTS[which]!;
  return entry;
}

function checkOpen(source: ReadinessSource | null): asserts source is ReadinessSource {
  if (!source || source.pollEvents() & POLLNVAL) throw new OSError(EBADF);
}

function positionsOf(at: readonly SelectEntry[]): Map<SelectEntry, number[]> {
  const positions = new Map<SelectEntry, number[]>();
  for (let i = 0; i < at.length; i++) {
    const entry = at[i]!;
    const list = positions.get(entry);
    if (list) list.push(i);
    else positions.set(entry, [i]);
  }
  return positions;
}

/** The ready items of each list, in the caller's order: costs what is ready, not N. */
function results(reg: Registered, found: readonly [Entry, number][]): unknown[][] {
  return reg.lists.map((list, which) => {
    const want = WANTS[which]!;
    const positions = reg.positions[which]!;
    const indexes: number[] = [];
    for (let k = 0; k < found.length; k++) {
      const pair = found[k]!;
      if ((pair[1] & want) === 0) continue;
      const at = positions.get(pair[0] as SelectEntry);
      if (at) indexes.push(...at);
    }
    if (indexes.length > 1) indexes.sort((a, b) => a - b);
    return indexes.map((i) => list[i]);
  });
}

/** The items of a select() argument: an array as it is (compared, not copied), else a copy. */
function toList<T>(items: Iterable<T>): readonly T[] {
  if (items === null || typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== "function") {
    throw new TypeError("arguments 1-3 must be sequences");
  }
  return Array.isArray(items) ? items : [...items];
}
