// What keeps the process alive: only what the program awaits. Read-aheads run unref'd (a
// Python script ends after its last line, whatever its sockets still hold), so a wait that
// has no Deno op or timer of its own keeping the event loop turning (a recv waiting on a
// read-ahead, a select() with no timeout) holds the process here instead, at O(1) whatever it
// watches. A hold also keeps its target reachable: unref'd reads reach their sockets only
// weakly (so that a dropped socket can be collected and closed), and the program's waiting
// task must not be collected with them while it waits.

/** The longest interval a timer takes (2^31 - 1 ms); the timer only needs to be pending. */
const FOREVER_MS = 2 ** 31 - 1;

/**
 * One held target and its count in fields of their own (the usual case: one wait at a
 * time), any other in a Map. A wait takes and ends a hold per wake-up: in a Map alone, each
 * set and delete of one key made the Map a new hash table every few waits, which links to the
 * next from the one it replaces, so that one table promoted by a scavenge kept every later
 * one alive through the next.
 */
let single: object | null = null;
let singleCount = 0;
const held = new Map<object, number>();

function stayAwake(): void {}

/**
 * One interval for every hold, made once (when this module loads) and ref'd only while
 * something is held: a pending ref'd timer keeps Deno's event loop turning. Making and
 * clearing a timer per wait cost about 2 µs (a Node-style Timeout object each time), a
 * tenth of an in-process select() wake-up; ref'ing one costs a tenth of that.
 */
const timer = setInterval(stayAwake, FOREVER_MS);
Deno.unrefTimer(timer);

/** Holds the process alive, and `target` reachable, until as many `release(target)` calls. */
export function hold(target: object): void {
  if (single === null && held.size === 0) Deno.refTimer(timer);
  if (single === target) singleCount++;
  else if (single === null && !held.has(target)) {
    single = target;
    singleCount = 1;
  } else held.set(target, (held.get(target) ?? 0) + 1);
}

/** Ends one `hold(target)`; the last release lets the process end when nothing else runs. */
export function release(target: object): void {
  if (single === target) {
    if (--singleCount === 0) single = null;
  } else {
    const count = held.get(target);
    if (count === undefined) return;
    if (count > 1) held.set(target, count - 1);
    else held.delete(target);
  }
  if (single === null && held.size === 0) Deno.unrefTimer(timer);
}

/** Settles like `work`, holding the process alive and `target` reachable until then. */
export async function awaiting<T>(target: object, work: Promise<T>): Promise<T> {
  hold(target);
  try {
    return await work;
  } finally {
    release(target);
  }
}
