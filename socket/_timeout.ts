// Timeout values: Python's validation, and the module-wide default for new sockets.
import { OverflowError, ValueError } from "./_errors.ts";

/** The largest timeout CPython can hold: 2**63 nanoseconds. */
const MAX_TIMEOUT_SECONDS = 2 ** 63 / 1e9;
import { pyTypeName } from "./_pyargs.ts";

let defaultTimeout: number | null = null;

/** Checks a timeout as `settimeout()` does: `null`, or a finite number of seconds >= 0. */
export function checkTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0; // a Python bool is an int
  if (typeof value !== "number") {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(value)) throw new ValueError("Invalid value NaN (not a number)");
  // CPython keeps timeouts as int64 nanoseconds.
  if (Math.abs(value) >= MAX_TIMEOUT_SECONDS) {
    throw new OverflowError("timestamp out of range for platform time_t");
  }
  if (value < 0) throw new ValueError("Timeout value out of range");
  return value;
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
 */
export async function withTimeout<T>(
  work: Promise<T>,
  seconds: number | null,
  onTimeout: () => Error,
): Promise<T> {
  if (!seconds) return await work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), seconds * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
