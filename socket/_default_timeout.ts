// The module-wide default timeout of new sockets: Python's socket.getdefaulttimeout().
import { checkTimeout } from "../_core/timeout.ts";

let defaultTimeout: number | null = null;

/**
 * The default timeout, in seconds, of new socket objects; `null` means new sockets block
 * without a limit (Python's `socket.getdefaulttimeout()`).
 *
 * @returns The default timeout, or `null`.
 *
 * @example New sockets block by default
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getdefaulttimeout } from "@pynet/net/socket";
 *
 * assertEquals(getdefaulttimeout(), null);
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
 * @example A default timeout for the sockets made next
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getdefaulttimeout, setdefaulttimeout, socket } from "@pynet/net/socket";
 *
 * setdefaulttimeout(10);
 * using s = socket();
 * assertEquals(s.gettimeout(), 10);
 * setdefaulttimeout(null);
 * assertEquals(getdefaulttimeout(), null);
 * ```
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
}
