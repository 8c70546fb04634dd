// The engine behind select(), poll, epoll and every selector: a set of watched sources and a
// ready set that their readiness pushes fill. A wake-up costs what is ready, not what is
// registered, and the wait is a race of two promises only: the ready set's and the timeout's.
import {
  nextTurn,
  POLLERR,
  POLLHUP,
  POLLNVAL,
  type ReadinessSource,
  type ReadinessWatcher,
} from "./readiness.ts";
import { checkSignal, raceAbort } from "./abort.ts";
import { truncate } from "./arrays.ts";
import { hold, release } from "./keep_alive.ts";
import { setLongTimeout } from "./timeout.ts";
import { endBatch, openBatch } from "./write_batch.ts";

/** Events reported whatever the interest, as poll(2) does. */
const ALWAYS = POLLERR | POLLHUP | POLLNVAL;

/** One watched descriptor. */
export interface Entry {
  readonly fd: number;
  /** Null for a descriptor pynet does not know: it reports `POLLNVAL`, as the kernel does. */
  readonly source: ReadinessSource | null;
  /** The `POLL*` events asked for. */
  interest: number;
  /** Edge-triggered: reported once per change, not while the events hold. */
  edge: boolean;
  /** Reported once, then disabled until modified. */
  oneShot: boolean;
  /** A one-shot entry that has fired. */
  disabled: boolean;
  /** In its ready set's queue: kept by the set alone (false when made). */
  queued: boolean;
}

export class ReadySet {
  #entries = new Map<ReadinessSource, Entry>();
  /**
   * The ready entries, in the order they became ready; each has `queued` set. An array and a
   * flag rather than a Set: an entry joins and leaves once per wake-up, and a Set churned so
   * gets a new hash table every few wake-ups, which the table it replaces points to (see
   * `#waker`).
   */
  #ready: Entry[] = [];
  /**
   * The waits in progress, woken together: several may share one selector or poll object.
   * The usual one has a field of its own and the rest (rare) a list, rather than a Set: each
   * clear, and every few adds and deletes, gave a Set a new hash table that links to the next
   * from the one it replaces, so that one table promoted by a scavenge kept every later one
   * (and what they held) alive through the next; per wake-up, that is what made a selector's
   * scavenges promote and cost more as the heap grew.
   */
  #waker: (() => void) | null = null;
  #otherWakers: (() => void)[] = [];

  /**
   * What each entry's source tells of a change: the entry's own watcher, which goes straight
   * to it, rather than the set, which would look the source up in `#entries` on every landing
   * and every write. Made on the entry's first add; kept weakly, with the entry.
   */
  #watchers = new WeakMap<Entry, ReadinessWatcher>();

  #watcherOf(entry: Entry): ReadinessWatcher {
    let watcher = this.#watchers.get(entry);
    if (watcher === undefined) {
      watcher = { readinessChanged: () => this.#consider(entry) };
      this.#watchers.set(entry, watcher);
    }
    return watcher;
  }

  /** Starts watching; a source already ready joins the ready set at once. */
  add(entry: Entry): void {
    if (entry.source) {
      this.#entries.set(entry.source, entry);
      entry.source.watch(this.#watcherOf(entry), entry.interest);
    }
    this.#consider(entry);
  }

  /** Changes what an entry asks for (and re-enables a one-shot entry). */
  modify(entry: Entry, interest: number, edge: boolean, oneShot: boolean): void {
    entry.interest = interest;
    entry.edge = edge;
    entry.oneShot = oneShot;
    entry.disabled = false;
    entry.source?.watch(this.#watcherOf(entry), interest);
    this.#consider(entry);
  }

  remove(entry: Entry): void {
    if (entry.source && this.#entries.get(entry.source) === entry) {
      this.#entries.delete(entry.source);
      entry.source.unwatch(this.#watcherOf(entry));
    }
    if (entry.queued) {
      entry.queued = false;
      const ready = this.#ready;
      ready.splice(ready.indexOf(entry), 1);
    }
  }

  clear(): void {
    for (const entry of [...this.#entries.values()]) this.remove(entry);
    for (const entry of this.#ready) entry.queued = false;
    this.#ready = [];
    this.#wakeUp();
  }

  #consider(entry: Entry): void {
    if (entry.disabled || entry.queued) return;
    if (eventsOf(entry) !== 0) {
      entry.queued = true;
      this.#ready.push(entry);
      this.#wakeUp();
    }
  }

  #wakeUp(): void {
    const wake = this.#waker;
    this.#waker = null;
    const others = this.#otherWakers;
    if (others.length > 0) {
      // Taken before waking: a woken wait that waits again joins the next round.
      this.#otherWakers = [];
      for (const other of others) other();
    }
    wake?.();
  }

  #addWaker(wake: () => void): void {
    if (this.#waker === null) this.#waker = wake;
    else this.#otherWakers.push(wake);
  }

  #removeWaker(wake: () => void): void {
    if (this.#waker === wake) {
      this.#waker = null;
      return;
    }
    const others = this.#otherWakers;
    const i = others.indexOf(wake);
    if (i >= 0) others.splice(i, 1);
  }

  /**
   * The ready entries and their events, at most `max`. An entry that is no longer ready
   * leaves the ready set; one reported stays (level-triggered) but moves to the back, so a
   * small `max` still serves every ready entry in turn.
   */
  collect(max = Infinity): [Entry, number][] {
    const out: [Entry, number][] = [];
    const ready = this.#ready;
    // Nothing ready (a wait's first look, usually).
    if (ready.length === 0) return out;
    if (max === Infinity) {
      // Everything ready is reported, so moving a level-triggered entry to the back would leave
      // the order as it is: the entries that stay are compacted in place, in order.
      let kept = 0;
      for (let i = 0; i < ready.length; i++) {
        const entry = ready[i]!;
        const events = entry.disabled ? 0 : eventsOf(entry);
        if (events !== 0) {
          out.push([entry, events]);
          if (entry.oneShot) entry.disabled = true;
        }
        if (events === 0 || entry.oneShot || entry.edge) entry.queued = false;
        else ready[kept++] = entry;
      }
      truncate(ready, kept);
      return out;
    }
    // The first entries, up to `max` reported, leave the front; those that stay ready
    // (level-triggered) join the back, after the entries not looked at.
    let i = 0;
    const back: Entry[] = [];
    for (; i < ready.length && out.length < max; i++) {
      const entry = ready[i]!;
      const events = entry.disabled ? 0 : eventsOf(entry);
      if (events !== 0) {
        out.push([entry, events]);
        if (entry.oneShot) entry.disabled = true;
        else if (!entry.edge) {
          back.push(entry);
          continue;
        }
      }
      entry.queued = false;
    }
    this.#ready = ready.slice(i).concat(back);
    return out;
  }

  /** The ready entries with some of `events` now, or null when there are none. */
  readyWith(events: number): Set<Entry> | null {
    let found: Set<Entry> | null = null;
    for (const entry of this.#ready) {
      if (eventsOf(entry) & events) (found ??= new Set()).add(entry);
    }
    return found;
  }

  /** Drops the entries that are no longer ready (a level-triggered entry stays after a report). */
  #prune(): void {
    const ready = this.#ready;
    let kept = 0;
    for (let i = 0; i < ready.length; i++) {
      const entry = ready[i]!;
      if (entry.disabled || eventsOf(entry) === 0) entry.queued = false;
      else ready[kept++] = entry;
    }
    truncate(ready, kept);
  }

  /**
   * Waits until something is ready or `timeoutMs` passes (`null`: no limit; 0: poll, after
   * one event-loop turn so that input already arrived is seen), or rejects with the reason of
   * `signal` once it aborts (nothing is taken from the watched sources).
   */
  async wait(
    timeoutMs: number | null,
    max = Infinity,
    signal?: AbortSignal,
  ): Promise<[Entry, number][]> {
    checkSignal(signal);
    // The writes of the batch the last wait opened go out now, together (write_batch.ts).
    endBatch();
    // With something ready, one event-loop turn before looking: reads whose bytes have already
    // arrived land, so input sent before the call is seen with it (as the kernel would report
    // it), and a caller that always finds something ready (a writable socket) cannot starve
    // every pending read, which only an event-loop turn completes. An idle wait yields anyway.
    if (this.#ready.length > 0) this.#prune();
    if (this.#ready.length > 0 || timeoutMs !== null && timeoutMs <= 0) await nextTurn();
    let found = this.collect(max);
    if (found.length > 0) return reported(found);
    if (timeoutMs !== null && timeoutMs <= 0) return found;
    const deadline = timeoutMs === null ? null : performance.now() + timeoutMs;
    // The first turn's remaining time is the timeout: no second clock read.
    let remaining = timeoutMs;
    for (;; remaining = deadline === null ? null : deadline - performance.now()) {
      if (remaining !== null && remaining <= 0) return [];
      let cancelTimer: (() => void) | undefined;
      let wake = () => {};
      const sleeping = new Promise<void>((resolve) => {
        wake = resolve;
        this.#addWaker(wake);
        if (remaining !== null) cancelTimer = setLongTimeout(resolve, remaining, deadline!);
      });
      // The timer holds a timed wait; one without a timeout waits on unref'd read-aheads, so
      // it holds the process (and this set, with what it watches) itself, in O(1). The hold
      // is taken and ended here rather than through keep_alive's `awaiting`: one async frame,
      // one promise and their microtask hops fewer per wait.
      const untimed = cancelTimer === undefined;
      if (untimed) hold(this);
      try {
        // No abort closure without a signal: the usual wait has none.
        await (signal === undefined ? sleeping : raceAbort(sleeping, signal, () => {
          cancelTimer?.();
          this.#removeWaker(wake);
          wake(); // nothing left pending for an aborted wait
        }));
      } finally {
        if (untimed) release(this);
      }
      cancelTimer?.();
      this.#removeWaker(wake);
      found = this.collect(max);
      if (found.length > 0) return reported(found);
      if (deadline === null && this.#entries.size === 0) return found;
    }
  }
}

/** Ready entries on their way to the program: what it writes in answer makes one batch. */
function reported(found: [Entry, number][]): [Entry, number][] {
  openBatch();
  return found;
}

/** The events of `entry` that hold now: what it asked for, plus errors and hang-ups. */
export function eventsOf(entry: Entry): number {
  if (!entry.source) return POLLNVAL;
  return entry.source.pollEvents() & (entry.interest | ALWAYS);
}
