// The one wait of a blocking call: until a readiness source reports what the call needs
// (`waitReady`), or until a piece of work settles (`waitSettled`, a TLS handshake), each up to
// a timeout, cancelled by an AbortSignal, and holding the process alive only while the program
// awaits it (see keep_alive.ts and ARCHITECTURE.md, "Rules every change keeps").
import { raceAbort } from "./abort.ts";
import { awaiting } from "./keep_alive.ts";
import {
  nextTurn,
  POLLERR,
  POLLHUP,
  POLLNVAL,
  type ReadinessSource,
  type ReadinessWatcher,
} from "./readiness.ts";
import { setLongTimeout } from "./timeout.ts";
import { endBatch } from "./write_batch.ts";

/** The events that end every readiness wait, as poll(2) always reports them. */
export const WAKE_ALWAYS: number = POLLERR | POLLHUP | POLLNVAL;

/** Options of {@linkcode waitReady} and {@linkcode waitSettled}. */
export interface WaitOptions {
  /** Cancels the wait: it rejects with `signal.reason`, and leaves nothing pending. */
  signal?: AbortSignal | undefined;
  /**
   * What an untimed wait holds reachable while it waits: the object whose task waits (a
   * socket's core), since the reads it waits on run unref'd and reach it only weakly. The
   * source (or the work) itself by default.
   */
  holder?: object | undefined;
}

const NO_WAIT_OPTIONS: WaitOptions = Object.freeze({});

/**
 * Waits until `source` reports one of `events`, or an error, hang-up or close (which end every
 * wait, as poll(2) reports them whatever was asked).
 *
 * `timeout` is in seconds: `null` waits without limit, holding the process alive meanwhile (a
 * source's read-ahead does not: see keep_alive.ts); 0 waits one event-loop turn, long enough
 * for input that has already arrived to land. A watched `POLLIN` makes the source look for
 * input (`ReadinessSource.watch`); a caller that wants a read of a certain size, or input
 * looked for in a zero-timeout wait, arms it before.
 *
 * @param source What to watch.
 * @param events The `POLL*` events wanted.
 * @param timeout Seconds; 0 for one turn; `null` for no limit.
 * @param options `signal` cancels the wait; `holder` is what an untimed wait holds reachable.
 * @returns `true` once ready, `false` when the time ran out first.
 * @throws The signal's reason when it aborts first; the watcher and timer are removed.
 *
 * @example Ready at once, and a wait that times out
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { POLLIN, POLLOUT, sourceFor, WatcherSet } from "./readiness.ts";
 * import { waitReady } from "./wait_ready.ts";
 *
 * const watchers = new WatcherSet();
 * const source = sourceFor({ fileno: () => 3, pollEvents: () => POLLOUT, armRead() {} }, watchers);
 * assertEquals(await waitReady(source, POLLOUT, null), true);
 * assertEquals(await waitReady(source, POLLIN, 0.01), false);
 * assertEquals(watchers.size, 0);
 * ```
 */
export function waitReady(
  source: ReadinessSource,
  events: number,
  timeout: number | null,
  options: WaitOptions = NO_WAIT_OPTIONS,
): Promise<boolean> {
  // A held write may be what the wait is for (a reply to it, room after it): it goes now.
  endBatch();
  const wanted = events | WAKE_ALWAYS;
  if (source.pollEvents() & wanted) return Promise.resolve(true);
  if (timeout === 0) return raceAbort(oneTurn(source, wanted), options.signal);
  let undo = () => {};
  const waiting = new Promise<boolean>((resolve) => {
    let cancelTimer: (() => void) | undefined;
    const watcher: ReadinessWatcher = {
      readinessChanged: () => {
        if (!(source.pollEvents() & wanted)) return;
        source.unwatch(watcher);
        cancelTimer?.();
        resolve(true);
      },
    };
    source.watch(watcher, events);
    if (timeout !== null) {
      cancelTimer = setLongTimeout(() => {
        source.unwatch(watcher);
        resolve(false);
      }, timeout * 1000);
    }
    // An abort: the wait is over (and settled, so nothing that holds it stays held).
    undo = () => {
      source.unwatch(watcher);
      cancelTimer?.();
      resolve(false);
    };
    // Watching may itself have made the source ready (input already landed).
    watcher.readinessChanged(source);
  });
  // The timer holds a timed wait; an untimed one waits on unref'd reads, so it holds the
  // process (and its holder) itself.
  const held = timeout === null ? awaiting(options.holder ?? source, waiting) : waiting;
  return raceAbort(held, options.signal, () => undo());
}

/** A zero-timeout wait: one event-loop turn, then the source's answer. */
async function oneTurn(source: ReadinessSource, wanted: number): Promise<boolean> {
  await nextTurn();
  return (source.pollEvents() & wanted) !== 0;
}

/**
 * Waits until `work` settles, as {@linkcode waitReady} waits for readiness: up to `timeout`
 * seconds (`null` or 0: no limit, holding the process alive meanwhile, as work that runs on
 * unref'd reads does not), cancelled by `signal`. Neither a timeout nor an abort stops the work
 * itself: a later wait may wait for the same work.
 *
 * @param work What to wait for.
 * @param timeout Seconds; `null` or 0 for no limit.
 * @param onTimeout The error to reject with when the time runs out first.
 * @param options `signal` cancels the wait; `holder` is what an untimed wait holds reachable.
 * @returns What `work` resolves to.
 * @throws What `work` rejects with, `onTimeout()`, or the signal's reason.
 *
 * @example A wait that times out, while the work goes on
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { waitSettled } from "./wait_ready.ts";
 *
 * let finish = (_: string) => {};
 * const work = new Promise<string>((resolve) => finish = resolve);
 * await assertRejects(() => waitSettled(work, 0.01, () => new Error("late")), Error, "late");
 * finish("done");
 * assertEquals(await waitSettled(work, null, () => new Error("late")), "done");
 * ```
 */
export function waitSettled<T>(
  work: Promise<T>,
  timeout: number | null,
  onTimeout: () => Error,
  options: WaitOptions = NO_WAIT_OPTIONS,
): Promise<T> {
  endBatch(); // as waitReady
  if (!timeout) {
    return awaiting(options.holder ?? work, raceAbort(work, options.signal));
  }
  let undo = () => {};
  const waiting = new Promise<T>((resolve, reject) => {
    const cancelTimer = setLongTimeout(() => reject(onTimeout()), timeout * 1000);
    undo = cancelTimer;
    work.then(
      (value) => {
        cancelTimer();
        resolve(value);
      },
      (error) => {
        cancelTimer();
        reject(error);
      },
    );
  });
  return raceAbort(waiting, options.signal, () => undo());
}
