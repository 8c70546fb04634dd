// Timeout arguments of select(), poll(), epoll.poll() and the selectors, checked and converted
// as CPython checks them.
import { OverflowError, ValueError } from "./errors.ts";
import { checkSeconds } from "./timeout.ts";

/** The largest timeout poll(2) and epoll_wait(2) take, in milliseconds (a C int). */
const INT_MAX = 2 ** 31 - 1;

/** What Python would most likely have been given: an int for a safe integer, else a float. */
function looksInt(value: number): boolean {
  return Number.isSafeInteger(value);
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
  checkSeconds(timeout, looksInt(timeout));
  if (timeout < 0) throw new ValueError("timeout must be non-negative");
  return timeout * 1000;
}

/** poll.poll()'s timeout, in milliseconds; negative or null waits without limit. */
export function pollTimeoutMs(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  checkSeconds(timeout / 1000, looksInt(timeout));
  // Rounded away from zero, as _PyTime_ROUND_TIMEOUT does: -0.5 waits without limit too.
  const ms = checkInt(timeout < 0 ? Math.floor(timeout) : Math.ceil(timeout));
  return ms < 0 ? null : ms;
}

/** epoll.poll()'s timeout, in seconds, as milliseconds; negative or null waits without limit. */
export function epollTimeoutMs(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new TypeError("timeout must be an integer or None");
  checkSeconds(timeout, looksInt(timeout));
  return timeout < 0 ? null : checkInt(Math.ceil(timeout * 1000));
}

/**
 * A selector's timeout, in seconds, as milliseconds, converted as CPython's selector of that
 * kind converts it before its system call: `SelectSelector` passes it to select();
 * `PollSelector` rounds it up to whole milliseconds for poll(); `EpollSelector` rounds it up to
 * a millisecond for epoll.poll(). So poll and epoll refuse more than 2^31 - 1 ms (24.8 days),
 * and `Infinity`, as CPython's do. Zero or less polls.
 */
export function selectorTimeoutMs(timeout: number, kind: "select" | "poll" | "epoll"): number {
  if (timeout <= 0) return 0;
  if (kind === "select") return selectTimeoutMs(timeout)!;
  if (!Number.isFinite(timeout)) {
    throw new OverflowError("cannot convert float infinity to integer");
  }
  // math.ceil() gives Python an int: poll() takes it as one.
  const ms = Math.ceil(timeout * 1e3);
  if (kind === "poll") {
    checkSeconds(ms / 1000, true);
    return checkInt(ms);
  }
  // Times 1e-3, a float again for epoll.poll().
  const seconds = ms * 1e-3;
  checkSeconds(seconds);
  return checkInt(Math.ceil(seconds * 1000));
}
