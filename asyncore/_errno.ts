// The errno values asyncore tests, its `DISCONNECTED` set, and the two errno helpers CPython's
// asyncore.py imports from `errno` and `os` (errorcode, strerror). The values themselves are the
// shared table's, _core/errno.ts.
import {
  EBADF,
  ECONNABORTED,
  ECONNRESET,
  ENOTCONN,
  EPIPE,
  errnoByName,
  ESHUTDOWN,
} from "../_core/errno.ts";
import { OSError } from "../socket/mod.ts";

// _loop.ts takes EBADF from here, with DISCONNECTED.
export { EBADF } from "../_core/errno.ts";

/**
 * Python's `asyncore._DISCONNECTED`: the errno values that mean "the peer is gone", which a
 * dispatcher's `recv` and `send` turn into `handleClose()` (and asynchat's synchronous reads
 * and sends too): `ECONNRESET`, `ENOTCONN`, `ESHUTDOWN`, `ECONNABORTED`, `EPIPE`, `EBADF`.
 *
 * @example Telling a disconnect from another error
 * ```ts
 * import { DISCONNECTED } from "@pynet/net/asyncore";
 * import { ConnectionResetError, TimeoutError } from "@pynet/net/socket";
 * import { assert } from "@std/assert";
 *
 * assert(DISCONNECTED.has(new ConnectionResetError(104).errno!));
 * assert(!DISCONNECTED.has(new TimeoutError(110).errno!));
 * ```
 */
export const DISCONNECTED: ReadonlySet<number> = new Set([
  ECONNRESET,
  ENOTCONN,
  ESHUTDOWN,
  ECONNABORTED,
  EPIPE,
  EBADF,
]);

/** errno value -> name; the first name wins, so 11 is "EAGAIN" (not "EWOULDBLOCK"), as in Python. */
const NAMES: ReadonlyMap<number, string> = new Map(
  [...errnoByName].reverse().map(([name, value]) => [value, name]),
);

/** `errno.errorcode[err]`: the symbolic name, as `dispatcher.connect()` puts in its error. */
export function errorcode(err: number): string {
  return NAMES.get(err) ?? `Unknown error ${err}`;
}

/** asyncore's `_strerror(err)`: the system's text for `err`. */
export function strerror(err: number): string {
  return new OSError(err).strerror ?? `Unknown error ${err}`;
}

/** Whether `e` is an `OSError` whose errno is in `set`. */
export function hasErrno(e: unknown, set: ReadonlySet<number>): e is OSError {
  return e instanceof OSError && e.errno !== null && set.has(e.errno);
}
