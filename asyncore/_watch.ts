// The loop's registrations, kept between passes. CPython builds fresh select()/poll() lists on
// every pass; here one select.poll() object per map keeps them, and a pass only changes the
// registration of a descriptor whose readable()/writable() answer changed. The predicates are
// still asked of every dispatcher on every pass, in map order, as CPython asks them: only the
// cost of telling the poll object differs (see README.md, asyncore).
import type { Socket } from "../socket/mod.ts";
import { isWatchable, type Poll, poll as newPoll, POLLIN, POLLOUT } from "../select/mod.ts";
import type { Dispatcher, DispatcherSocket, Predicate, SocketMap } from "./_dispatcher.ts";

/** One registered descriptor, as {@linkcode Watch.wait} reports it. */
export interface Registration {
  readonly fd: number;
  obj: Dispatcher<DispatcherSocket>;
  sock: DispatcherSocket | null;
  /** `POLLIN` (readable) and `POLLOUT` (writable and not accepting). */
  flags: number;
  /** The dispatcher's position in the map in the last pass: results are reported in it. */
  order: number;
  /** The last pass that saw it in the map. */
  pass: number;
  /** The events the last wait reported for it. */
  events: number;
}

/** Map order, for sorting a wait's results. */
const byOrder = (a: Registration, b: Registration) => a.order - b.order;

/**
 * `ready` in map order. The orders are distinct and below `registered` (the last pass gave
 * them, and a registration dropped since leaves a gap, not a renumbering): when much of the
 * map is ready, as under load, each result goes straight to its place, in time linear in the
 * map, rather than through a sort's comparisons.
 */
function inMapOrder(ready: Registration[], registered: number): Registration[] {
  if (ready.length * 4 < registered) return ready.sort(byOrder);
  const slots: (Registration | undefined)[] = new Array(registered);
  for (let i = 0; i < ready.length; i++) slots[ready[i]!.order] = ready[i];
  let n = 0;
  for (let i = 0; i < registered; i++) {
    const reg = slots[i];
    if (reg !== undefined) ready[n++] = reg;
  }
  return ready;
}

/** One map's poll object and what is registered in it. */
export class Watch {
  readonly #poll: Poll = newPoll();
  readonly #regs = new Map<number, Registration>();
  #pass = 0;
  /** How many the last pass registered: every registration's order is below it. */
  #registered = 0;

  /**
   * Asks every dispatcher of `map` (a snapshot, as CPython's `list(map.items())`) for
   * `readable()` and `writable()`, and brings the registrations up to date.
   *
   * @returns How many descriptors are registered: a number when no predicate returned a
   * Promise (the pass then costs no Promise of its own here), else a Promise of it.
   */
  ask(map: SocketMap): number | Promise<number> {
    // A snapshot, as CPython's list(map.items()): handlers may change the map meanwhile.
    return this.#askFrom(Array.from(map.keys()), Array.from(map.values()), 0, ++this.#pass, 0);
  }

  /** The rest of a pass's questions, from dispatcher `i` on; `order` registered so far. */
  #askFrom(
    fds: number[],
    objs: Dispatcher<DispatcherSocket>[],
    i: number,
    pass: number,
    order: number,
  ): number | Promise<number> {
    for (; i < fds.length; i++) {
      const obj = objs[i]!;
      const r = obj.readable();
      if (r instanceof Promise) return this.#askAsync(fds, objs, i, pass, order, r);
      const w = obj.writable();
      if (w instanceof Promise) return this.#askAsync(fds, objs, i, pass, order, r, w);
      if (this.#update(fds[i]!, obj, r, w, pass, order)) order++;
    }
    return this.#finish(pass, order);
  }

  /**
   * Dispatcher `i`'s answers once its predicate's Promise settles (`writable()` is asked only
   * after `readable()`'s settles, as an awaited call would be), then the rest of the pass.
   */
  async #askAsync(
    fds: number[],
    objs: Dispatcher<DispatcherSocket>[],
    i: number,
    pass: number,
    order: number,
    readable: Predicate,
    writable?: Predicate,
  ): Promise<number> {
    const obj = objs[i]!;
    const r = await readable;
    const w = await (writable === undefined ? obj.writable() : writable);
    if (this.#update(fds[i]!, obj, r, w, pass, order)) order++;
    return await this.#askFrom(fds, objs, i + 1, pass, order);
  }

  /**
   * Brings `fd`'s registration up to date with its dispatcher's answers.
   *
   * @returns Whether `fd` is registered (at position `order`).
   */
  #update(
    fd: number,
    obj: Dispatcher<DispatcherSocket>,
    r: unknown,
    w: unknown,
    pass: number,
    order: number,
  ): boolean {
    const flags = (r ? POLLIN : 0) | (w && !obj.accepting ? POLLOUT : 0);
    let reg = this.#regs.get(fd);
    if (flags === 0) {
      if (reg) this.#drop(fd);
      return false;
    }
    if (!reg || reg.obj !== obj || reg.sock !== obj.socket) {
      if (reg) this.#drop(fd);
      // The socket itself when it still holds that number (an SSLSocket keeps its own
      // readiness), else the number, as CPython registers it.
      const sock = obj.socket;
      this.#poll.register(
        isWatchable(sock) && sock.fileno() === fd ? sock as unknown as Socket : fd,
        flags,
      );
      reg = { fd, obj, sock, flags, order, pass, events: 0 };
      this.#regs.set(fd, reg);
    } else if (reg.flags !== flags) {
      this.#poll.modify(fd, flags);
      reg.flags = flags;
    }
    reg.order = order;
    reg.pass = pass;
    return true;
  }

  /** Drops the registrations of dispatchers the pass did not see; returns `order`. */
  #finish(pass: number, order: number): number {
    this.#registered = order;
    if (this.#regs.size > order) {
      for (const [fd, reg] of this.#regs) if (reg.pass !== pass) this.#drop(fd);
    }
    return order;
  }

  /** Forgets every registration (the map is empty: nothing is left to watch). */
  clear(): void {
    for (const fd of [...this.#regs.keys()]) this.#drop(fd);
  }

  #drop(fd: number): void {
    this.#regs.delete(fd);
    this.#poll.unregister(fd);
  }

  /**
   * Waits for registered descriptors, as `poll.poll(ms)`; the ready registrations (their
   * `events` set) in map order.
   *
   * Unlike CPython's select(), which blocks the whole program, the wait lets other tasks run
   * (timers, other connections' code): a dispatcher they closed or replaced meanwhile is not
   * reported (CPython could not have asked about it), and its registration goes.
   *
   * @param ms Milliseconds; null waits without limit.
   * @param map The map the registrations were made from.
   */
  async wait(ms: number | null, map: SocketMap): Promise<Registration[]> {
    const ready = await this.#poll.poll(ms);
    // One lookup per result, and the sort compares numbers held in the registrations: this
    // runs on every pass, for every ready descriptor.
    const regs = this.#regs;
    const out: Registration[] = [];
    for (let i = 0; i < ready.length; i++) {
      // Indexed, not destructured: no iterator per pair.
      const fd = ready[i]![0];
      const reg = regs.get(fd);
      if (reg === undefined) continue;
      if (map.get(fd) !== reg.obj) {
        this.#drop(fd);
        continue;
      }
      reg.events = ready[i]![1];
      out.push(reg);
    }
    if (out.length > 1) return inMapOrder(out, this.#registered);
    return out;
  }
}

const watches = new WeakMap<SocketMap, Watch>();

/**
 * Drops the registrations of an empty map, so that no socket that left it stays watched (and
 * reading ahead) once the loop is over.
 */
export function releaseWatch(map: SocketMap): void {
  const watch = watches.get(map);
  if (watch && map.size === 0) {
    watch.clear();
    watches.delete(map);
  }
}

/** The registrations of `map`, created on first use and dropped with the map. */
export function watchOf(map: SocketMap): Watch {
  let watch = watches.get(map);
  if (!watch) {
    watch = new Watch();
    watches.set(map, watch);
  }
  return watch;
}
