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
import { ENOPROTOOPT, EOPNOTSUPP } from "./_errno.ts";
import { OSError } from "./_errors.ts";
import { pyTypeName } from "./_pyargs.ts";

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

/** Options that only report the socket's own state. */
const READ_ONLY = new Set([SO_ERROR, SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN]);

/** The key of an option in a socket's option record. */
export function optionKey(level: number, option: number): string {
  return `${level}:${option}`;
}

/** Checks a `setsockopt()` call and returns the integer value to record. */
export function checkSetOption(level: unknown, option: unknown, value: unknown): number {
  if (typeof level !== "number" || typeof option !== "number") {
    throw new TypeError(
      `'${
        pyTypeName(typeof level !== "number" ? level : option)
      }' object cannot be interpreted as an integer`,
    );
  }
  if (level === SOL_SOCKET && READ_ONLY.has(option)) {
    throw new OSError(ENOPROTOOPT, "Protocol not available");
  }
  if (!SETTABLE.has(optionKey(level, option))) {
    throw new OSError(
      ENOPROTOOPT,
      `Protocol not available: Deno cannot set option ${option} at level ${level}`,
    );
  }
  // Every settable option is a boolean one, which Linux reads back as 0 or 1 whatever
  // non-zero value was set.
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" && Number.isInteger(value)) return value !== 0 ? 1 : 0;
  if (value instanceof Uint8Array && value.length >= 4) {
    return new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true) !== 0 ? 1 : 0;
  }
  throw new TypeError(`a bytes-like object is required, not '${pyTypeName(value)}'`);
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
