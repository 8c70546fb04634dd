// The errno values asyncore tests (Linux's, as CPython's `errno` module has them). They are
// plain numbers here because the socket module exports no errno table; its errors carry these
// numbers in `errno` (see socket/mod.ts).
import { OSError } from "../socket/mod.ts";

export const EBADF = 9;
export const EAGAIN = 11;
/** The same number as `EAGAIN` on Linux. */
export const EWOULDBLOCK = 11;
export const EINVAL = 22;
export const EPIPE = 32;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const EALREADY = 114;
export const EINPROGRESS = 115;

/** Errors that mean "the peer is gone": asyncore turns them into `handleClose()`. */
export const DISCONNECTED: ReadonlySet<number> = new Set([
  ECONNRESET,
  ENOTCONN,
  ESHUTDOWN,
  ECONNABORTED,
  EPIPE,
  EBADF,
]);

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, "EPERM"],
  [2, "ENOENT"],
  [4, "EINTR"],
  [9, "EBADF"],
  [11, "EAGAIN"],
  [13, "EACCES"],
  [22, "EINVAL"],
  [24, "EMFILE"],
  [32, "EPIPE"],
  [97, "EAFNOSUPPORT"],
  [98, "EADDRINUSE"],
  [99, "EADDRNOTAVAIL"],
  [101, "ENETUNREACH"],
  [103, "ECONNABORTED"],
  [104, "ECONNRESET"],
  [106, "EISCONN"],
  [107, "ENOTCONN"],
  [110, "ETIMEDOUT"],
  [111, "ECONNREFUSED"],
  [113, "EHOSTUNREACH"],
  [114, "EALREADY"],
  [115, "EINPROGRESS"],
]);

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
