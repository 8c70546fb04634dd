// Timeout arguments of select(), poll() and epoll.poll(), checked as CPython checks them.
import { OverflowError, ValueError } from "../socket/_errors.ts";

/** The largest timeout poll(2) and epoll_wait(2) take, in milliseconds (a C int). */
const INT_MAX = 2 ** 31 - 1;

/** CPython's _PyTime conversion: NaN is a ValueError; the range is int64 nanoseconds. */
function checkSeconds(seconds: number): void {
  if (Number.isNaN(seconds)) throw new ValueError("Invalid value NaN (not a number)");
  if (Math.abs(seconds) * 1e9 >= 2 ** 63) {
    throw new OverflowError("timestamp out of range for platform time_t");
  }
}

/** poll(2) and epoll_wait(2) take a C int of milliseconds. */
function checkInt(ms: number): number {
  if (ms > INT_MAX || ms < -INT_MAX - 1) throw new OverflowError("timeout is too large");
  return ms;
}

/** select.select()'s timeout, in seconds, as milliseconds; null waits without limit. */
export function selectTimeoutMs(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout === "boolean") timeout = timeout ? 1 : 0; // a Python bool is an int
  if (typeof timeout !== "number") throw new TypeError("timeout must be a float or None");
  checkSeconds(timeout);
  if (timeout < 0) throw new ValueError("timeout must be non-negative");
  return timeout * 1000;
}

/** poll.poll()'s timeout, in milliseconds; negative or null waits without limit. */
export function pollTimeoutMs(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  checkSeconds(timeout / 1000);
  // Rounded away from zero, as _PyTime_ROUND_TIMEOUT does: -0.5 waits without limit too.
  const ms = checkInt(timeout < 0 ? Math.floor(timeout) : Math.ceil(timeout));
  return ms < 0 ? null : ms;
}

/** epoll.poll()'s timeout, in seconds, as milliseconds; negative or null waits without limit. */
export function epollTimeoutMs(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  checkSeconds(timeout);
  return timeout < 0 ? null : checkInt(Math.ceil(timeout * 1000));
}
