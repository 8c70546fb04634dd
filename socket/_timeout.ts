// Timeout values: Python's validation, and the module-wide default for new sockets.
import { OverflowError, ValueError } from "./_errors.ts";
import { pyTypeName } from "./_pyargs.ts";

let defaultTimeout: number | null = null;

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
  if (Number.isNaN(value)) throw new ValueError("Invalid value NaN (not a number)");
  if (Math.abs(value) * 1e9 >= 2 ** 63) {
    throw new OverflowError(
      Number.isSafeInteger(value)
        ? "timestamp too large to convert to C _PyTime_t"
        : "timestamp out of range for platform time_t",
    );
  }
  if (value < 0) throw new ValueError("Timeout value out of range");
  return value;
}

/** The longest delay `setTimeout` takes: a longer one fires at once, with a warning. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` after `ms` milliseconds, however long (a timeout of days or years chains
 * timers of at most 2^31 - 1 ms), and returns what cancels it.
 */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  const deadline = performance.now() + ms;
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
 * The default timeout, in seconds, of new socket objects; `null` means new sockets block
 * without a limit (Python's `socket.getdefaulttimeout()`).
 *
 * @returns The default timeout, or `null`.
 *
 * @example
 * ```ts
 * import { getdefaulttimeout } from "@pynet/net/socket";
 * console.log(getdefaulttimeout()); // null
 * ```
 */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the default timeout of new socket objects (Python's `socket.setdefaulttimeout()`).
 * Sockets returned by `accept()` take it too.
 *
 * @param timeout Seconds, or `null` for blocking sockets.
 * @throws {ValueError} When `timeout` is negative.
 * @throws {OverflowError} When `timeout` is too large for CPython's clock (`Infinity`, 1e10).
 * @throws {TypeError} When `timeout` is not a number or `null`.
 *
 * @example
 * ```ts
 * import { getdefaulttimeout, setdefaulttimeout } from "@pynet/net/socket";
 * setdefaulttimeout(10);
 * console.log(getdefaulttimeout()); // 10
 * setdefaulttimeout(null);
 * ```
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
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
