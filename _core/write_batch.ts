// The writes of one readiness batch go out together. A readiness loop (asyncore, a selectors
// server) wakes with many sockets ready and answers each in turn. Written one by one, each answer
// left after the previous one's handling, and a peer that handles an answer faster than the loop
// makes the next one slept between them: every answer then paid for waking it, on both sides (on
// a 2-core VM, a cross-core wake-up costs more than an answer's own send). So the bytes a stream
// is given while a batch is open (from the moment a readiness wait reports events until the
// program waits again) are held, and every held stream writes, back to back, at the next wait of
// any kind: Redis answers its clients the same way, just before it sleeps. A ref'd immediate
// writes them should the program await something else instead, so that no byte waits on a wait
// that may never come, and a script that ends after a send still sends it.

import { truncate } from "./arrays.ts";

/** Whether a readiness wait has reported events and no wait has begun since. */
let open = false;
/** What starts each held stream's write, in the order the streams were given bytes. */
const held: (() => void)[] = [];
/** The fallback's handle (see above), pending while something is held. */
let fallback: unknown;

interface Immediates {
  setImmediate?: (callback: () => void) => unknown;
  clearImmediate?: (handle: unknown) => void;
}
const immediates = globalThis as Immediates;
/**
 * Runs `callback` after the event loop's next poll for I/O: Deno's `setImmediate` (Node's), which
 * costs a seventh of a zero-delay `setTimeout` to make and clear and runs within microseconds,
 * where Deno's timer waits a millisecond or more; the timer where there is no `setImmediate`.
 */
const later: (callback: () => void) => unknown = immediates.setImmediate ??
  ((callback) => setTimeout(callback, 0));
const cancel: (handle: unknown) => void = immediates.clearImmediate ??
  ((handle) => clearTimeout(handle as number));

/** The program awaited something other than a wait of pynet's: the batch ends anyway. */
function fallBack(): void {
  fallback = undefined;
  endBatch();
}

/**
 * Opens a batch: called by a readiness wait (`ReadySet.wait`) as it reports events to the
 * program.
 */
export function openBatch(): void {
  open = true;
}

/**
 * Holds a stream's write until the batch ends, when a batch is open.
 *
 * @param start Starts the stream's write; called once, when the batch ends.
 * @returns Whether the write is held (else the caller writes now).
 *
 * @example A write given bytes inside a batch starts when the next wait begins
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { endBatch, holdWrite, openBatch } from "./write_batch.ts";
 *
 * const started: string[] = [];
 * assertEquals(holdWrite(() => started.push("a")), false); // no batch: write now
 * openBatch();
 * assertEquals(holdWrite(() => started.push("b")), true);
 * assertEquals(holdWrite(() => started.push("c")), true);
 * assertEquals(started, []);
 * endBatch();
 * assertEquals(started, ["b", "c"]);
 * ```
 */
export function holdWrite(start: () => void): boolean {
  if (!open) return false;
  held.push(start);
  fallback ??= later(fallBack);
  return true;
}

/**
 * Forgets a held write that its stream has started itself (its bytes are awaited, shut or
 * closed); the fallback goes with the last one, so nothing is left pending for nothing.
 *
 * @param start What {@linkcode holdWrite} was given.
 *
 * @example The last held write started early leaves no fallback behind
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { dropHeld, endBatch, holdWrite, openBatch } from "./write_batch.ts";
 *
 * const started: string[] = [];
 * const start = () => started.push("a");
 * openBatch();
 * holdWrite(start);
 * dropHeld(start);
 * endBatch();
 * assertEquals(started, []);
 * ```
 */
export function dropHeld(start: () => void): void {
  const i = held.indexOf(start);
  if (i < 0) return;
  held.splice(i, 1);
  if (held.length === 0 && fallback !== undefined) {
    cancel(fallback);
    fallback = undefined;
  }
}

/**
 * Ends the batch: every held write starts, in order. Called as any wait begins (a readiness
 * wait, a blocking call's wait), and by the fallback.
 */
export function endBatch(): void {
  open = false;
  if (held.length === 0) return;
  if (fallback !== undefined) {
    cancel(fallback);
    fallback = undefined;
  }
  // Indexed: a start never holds again (the batch is closed), so the list does not grow.
  for (let i = 0; i < held.length; i++) held[i]!();
  truncate(held, 0);
}
