// Cancelling a blocking call with an AbortSignal, as Deno's own APIs can (Deno.connect's
// `signal`). One race, used by every wait that can block: the socket's readiness wait, a
// connect, a TLS handshake, select() and the selectors. An abort cancels the wait only: a read
// still pending keeps its bytes for the next call.
//
// The race is written here rather than taken from @std/async's `abortable`, which does the
// same: importing any package from the socket layer made pynet unloadable without a config
// or import map (`deno run --no-config`, a vendored copy), and the suite's child runs of
// examples and permission checks failed with `Import "@std/async/abortable" not a dependency`.
// pynet itself has no runtime dependency; @std/async serves its tests.

/**
 * Options of a call that can block: `signal` cancels the wait, and the call rejects with the
 * signal's `reason` (a `DOMException` named `AbortError` unless the signal was given another).
 * Nothing received is lost: bytes, a connection or a datagram that arrives after the abort is
 * kept for the next call.
 */
export interface AbortOptions {
  /** Cancels the call's wait; the call rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** A call's options when none are given: shared, so a call without options allocates nothing. */
export const NO_OPTIONS: AbortOptions = Object.freeze({});

/** Throws the signal's reason when it has already aborted: the call does nothing at all. */
export function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/**
 * Settles like `wait`, or rejects with `signal.reason` once `signal` aborts first; `undo` then
 * takes back what the wait had set up (a watcher, a timer), so nothing is left pending. Without
 * a signal `wait` itself is returned: a call without one pays nothing.
 */
export function raceAbort<T>(
  wait: Promise<T>,
  signal: AbortSignal | undefined,
  undo?: () => void,
): Promise<T> {
  if (signal === undefined) return wait;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      undo?.();
      reject(signal.reason);
    };
    wait.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
