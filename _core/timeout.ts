// Timeouts: Python's checks of a timeout in seconds, and timers as long as Python's clock allows.
import { OverflowError, ValueError } from "./errors.ts";
import { pyTypeName } from "./args.ts";

/**
 * CPython's _PyTime conversion of seconds: NaN is a ValueError; the range is int64
 * nanoseconds (about 292 years). `integer` says whether Python would see an int (its message
 * differs from a float's); JavaScript numbers do not say which one the user meant.
 */
export function checkSeconds(seconds: number, integer = false): void {
  if (Number.isNaN(seconds)) throw new ValueError("Invalid value NaN (not a number)");
  if (Math.abs(seconds) * 1e9 >= 2 ** 63) {
    throw new OverflowError(
      integer
        ? "timestamp too large to convert to C _PyTime_t"
        : "timestamp out of range for platform time_t",
    );
  }
}

/**
 * Checks a timeout as `settimeout()` does: `null`, or a number of seconds >= 0 that CPython's
 * clock (int64 nanoseconds, about 292 years) can hold. Larger values, `Infinity` included,
 * raise `OverflowError` with CPython's message: its int path for a safe integer, its float
 * path otherwise (JavaScript numbers do not say which one the user meant).
 */
export function checkTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0; // a Python bool is an int
  if (typeof value !== "number") {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  checkSeconds(value, Number.isSafeInteger(value));
  if (value < 0) throw new ValueError("Timeout value out of range");
  return value;
}

/** The longest delay `setTimeout` takes: a longer one fires at once, with a warning. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` after `ms` milliseconds, however long (a timeout of days or years chains
 * timers of at most 2^31 - 1 ms), and returns what cancels it. A caller that has computed the
 * deadline (`performance.now() + ms`) passes it, saving a clock read per timer.
 */
export function setLongTimeout(
  callback: () => void,
  ms: number,
  deadline: number = performance.now() + ms,
): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      const rest = deadline - performance.now();
      if (rest > 0) arm(rest);
      else callback();
    }, Math.min(Math.max(left, 0), MAX_DELAY_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/**
 * Settles like `work`, or rejects with `onTimeout()` once `seconds` pass first (`null` or 0:
 * no limit). The timer is always cleared, so nothing is left pending.
 *
 * Not `@std/async`'s `deadline`: it arms `AbortSignal.timeout(ms)`, whose timer is never
 * cleared when the work settles first, so every connect or TLS handshake under a 60 s timeout
 * would leave a live timer and signal behind for 60 s (a busy TLS server: ~100,000 of them);
 * it also costs more per call (measured here: 22-74 us against 10-27 us, noisy machine) and
 * rejects with a DOMException that would need mapping to Python's `TimeoutError`.
 */
export async function withTimeout<T>(
  work: Promise<T>,
  seconds: number | null,
  onTimeout: () => Error,
): Promise<T> {
  if (!seconds) return await work;
  let cancel = () => {};
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        cancel = setLongTimeout(() => reject(onTimeout()), seconds * 1000);
      }),
    ]);
  } finally {
    cancel();
  }
}
