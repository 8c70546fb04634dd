// Which socket options Deno can honour, and how each is kept. Deno exposes no setsockopt():
// options are recorded and applied through the calls Deno has (setNoDelay, setKeepAlive,
// reusePort, ...); an option Deno cannot honour is refused, never silently ignored.
import {
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DENO_LOADBALANCED,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_PROTOCOL,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_TYPE,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./_constants.ts";
import { EINVAL, ENOPROTOOPT, EOPNOTSUPP } from "../_core/errno.ts";
import { OSError, osError } from "../_core/errors.ts";
import { linuxGetErrno, linuxSetErrno } from "./_linux_options.ts";
import { asCInt, pyTypeName } from "../_core/args.ts";

/** Options a program may set, by `level:option`. */
const SETTABLE = new Set([
  `${SOL_SOCKET}:${SO_REUSEADDR}`,
  `${SOL_SOCKET}:${SO_REUSEPORT}`,
  `${SOL_SOCKET}:${SO_KEEPALIVE}`,
  `${SOL_SOCKET}:${SO_BROADCAST}`,
  `${SOL_SOCKET}:${SO_DENO_LOADBALANCED}`,
  `${IPPROTO_TCP}:${TCP_NODELAY}`,
  `${IPPROTO_IPV6}:${IPV6_V6ONLY}`,
]);

/** Options that only report the socket's own state (Linux refuses to set them). */
const READ_ONLY = new Set([SO_ERROR, SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN]);

/** The key of an option in a socket's option record. */
export function optionKey(level: number, option: number): string {
  return `${level}:${option}`;
}

/**
 * Converts `setsockopt()`'s arguments as CPython does, before it looks at the socket: `level`
 * and `option` are C ints, `value` a C int (or bool) or a bytes-like object (read as a C int).
 * Wrong types raise `TypeError`, ints out of range `OverflowError`, whatever the option.
 *
 * @returns The value as an int; `null` for bytes shorter than an int (which Linux refuses).
 */
export function parseSetOption(level: unknown, option: unknown, value: unknown): number | null {
  asCInt(level);
  asCInt(option);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (
    typeof value === "number" && Number.isInteger(value) && value >= -2147483648 &&
    value <= 2147483647
  ) {
    return value;
  }
  if (value instanceof Uint8Array) {
    if (value.length < 4) return null;
    return new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
  }
  // CPython tries the int form, then the bytes form, and reports the last failure.
  throw new TypeError(`a bytes-like object is required, not '${pyTypeName(value)}'`);
}

/**
 * Checks a `setsockopt()` call (after {@linkcode parseSetOption}) on a socket of this family
 * and type, and returns the integer value to record: Linux's errno where Linux would refuse
 * the call, `ENOPROTOOPT` naming Deno where Linux would take an option Deno cannot apply.
 */
export function checkSetOption(
  family: number,
  type: number,
  level: number,
  option: number,
  value: number | null,
): number {
  if (level === SOL_SOCKET && option === SO_DENO_LOADBALANCED) return value ? 1 : 0;
  if (value === null) throw osError(EINVAL);
  const errno = linuxSetErrno(family, type, level, option, value);
  if (errno !== null) throw osError(errno);
  if (!SETTABLE.has(optionKey(level, option))) {
    throw new OSError(
      ENOPROTOOPT,
      `Protocol not available: Deno cannot set option ${option} at level ${level}`,
    );
  }
  // Every settable option is a boolean one, which Linux reads back as 0 or 1 whatever
  // non-zero value was set.
  return value !== 0 ? 1 : 0;
}

/**
 * Converts `getsockopt()`'s arguments as CPython does, before it looks at the socket.
 *
 * @throws {OSError} (no errno) for a `buflen` outside 0..1024, as CPython.
 */
export function parseGetOption(level: unknown, option: unknown, buflen: unknown): void {
  asCInt(level);
  asCInt(option);
  if (buflen === undefined) return;
  const n = asCInt(buflen);
  // As CPython: 0 asks for an int, as no buflen does.
  if (n < 0 || n > 1024) throw new OSError(null, "getsockopt buflen out of range");
}

/**
 * Checks that `getsockopt()` of this option can be answered on a socket of this family and
 * type: Linux's errno where Linux would refuse it, `ENOPROTOOPT` naming Deno where Linux would
 * answer but Deno gives no way to read the option.
 */
export function checkGetOption(family: number, type: number, level: number, option: number): void {
  if (level === SOL_SOCKET && option === SO_DENO_LOADBALANCED) return; // pynet's own
  const errno = linuxGetErrno(family, type, level, option);
  if (errno !== null) throw osError(errno);
  if (!isKnownOption(level, option)) {
    throw new OSError(
      ENOPROTOOPT,
      `Protocol not available: Deno cannot read option ${option} at level ${level}`,
    );
  }
}

/** Whether a `getsockopt()` of this option can be answered. */
export function isKnownOption(level: number, option: number): boolean {
  return SETTABLE.has(optionKey(level, option)) || (level === SOL_SOCKET && READ_ONLY.has(option));
}

/** The error for `SO_REUSEPORT` (and datagram sockets) without Deno's `--unstable-net` flag. */
export function unstableNetError(what: string): OSError {
  return new OSError(
    EOPNOTSUPP,
    `${what} needs Deno's --unstable-net flag (or "unstable": ["net"] in deno.json)`,
  );
}

/** Whether Deno runs with `--unstable-net` (only then does `Deno.listenDatagram` exist). */
export function hasUnstableNet(): boolean {
  return typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function";
}
