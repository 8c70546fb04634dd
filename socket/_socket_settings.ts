// The documented face of a socket's addresses, modes and options: getsockname, getpeername,
// setblocking, settimeout, setsockopt and their getters. `Socket` (_socket.ts) implements it.
// The interface carries the documentation, which Socket's members inherit.
import type { Address } from "./_address.ts";

/** A socket's addresses, blocking mode, timeout and options, as Python's. */
export interface SocketSettings {
  /**
   * The socket's own address.
   *
   * @returns `[host, port]`, `[host, port, flowinfo, scopeId]` or a Unix path.
   * @throws {OSError} `EBADF` when closed.
   *
   * @example An unbound socket's address
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * assertEquals(s.getsockname(), ["0.0.0.0", 0]);
   * ```
   */
  getsockname(): Address;

  /**
   * The peer's address.
   *
   * @returns The address the socket is connected to.
   * @throws {OSError} `ENOTCONN` when not connected.
   *
   * @example The peer of a connected socket
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { createConnection, createServer } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = await createConnection(server.getsockname() as [string, number]);
   * assertEquals(client.getpeername(), server.getsockname());
   * ```
   */
  getpeername(): Address;

  /**
   * Sets blocking (`true`: no timeout) or non-blocking (`false`: timeout 0) mode.
   *
   * @param flag The mode.
   *
   * @example Non-blocking mode is timeout 0
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.setblocking(false);
   * assertEquals(s.gettimeout(), 0);
   * ```
   */
  setblocking(flag: boolean): void;

  /**
   * Whether the socket blocks (its timeout is not 0).
   *
   * @returns `false` in non-blocking mode.
   *
   * @example A timed socket blocks
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.settimeout(10);
   * assertEquals(s.getblocking(), true);
   * ```
   */
  getblocking(): boolean;

  /**
   * Sets the timeout of blocking calls: seconds, 0 for non-blocking, `null` for none.
   *
   * @param value The timeout.
   * @throws {ValueError} For a negative value.
   * @throws {OverflowError} For a value too large for CPython's clock (`Infinity`, 1e10).
   * @throws {TypeError} For something not a number.
   *
   * @example Setting a timeout
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.settimeout(2.5);
   * assertEquals(s.gettimeout(), 2.5);
   * ```
   */
  settimeout(value: number | null): void;

  /**
   * The timeout in seconds, 0 when non-blocking, or `null` when calls wait without limit.
   *
   * @returns The timeout.
   *
   * @example No timeout by default
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * assertEquals(s.gettimeout(), null); // unless setdefaulttimeout() was called
   * ```
   */
  gettimeout(): number | null;

  /**
   * Sets a socket option Deno can honour: `SO_REUSEADDR` (Deno's listeners always reuse
   * addresses), `SO_REUSEPORT` (needs `--unstable-net`), `SO_KEEPALIVE`, `SO_BROADCAST`
   * (Deno's datagram sockets always allow broadcast), `TCP_NODELAY`, `IPV6_V6ONLY` (an
   * IPv6-only listener drops IPv4 peers). Others: `OSError` `ENOPROTOOPT` naming Deno, which
   * has no `setsockopt()` (`SO_RCVBUF`, `TCP_KEEPIDLE`, `IP_TTL`, ... are taken by Linux but
   * cannot be applied). As in CPython, the arguments' types are checked first (`TypeError`,
   * `OverflowError`), and a call Linux itself refuses raises Linux's errno (`EINVAL` for
   * `SO_LINGER` given an int, `ENOPROTOOPT` for an IPv6 option on an `AF_INET` socket, ...).
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP` or `IPPROTO_IPV6`.
   * @param option The option.
   * @param value An integer or boolean (or 4 bytes, little-endian).
   * @throws {OSError} `ENOPROTOOPT` for an option Deno cannot honour, Linux's errno for a call
   * Linux refuses.
   * @throws {TypeError} For a value neither an int nor bytes.
   *
   * @example Disabling Nagle's algorithm
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { IPPROTO_TCP, socket, TCP_NODELAY } from "@pynet/net/socket";
   * using s = socket();
   * s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
   * assertEquals(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
   * ```
   */
  setsockopt(level: number, option: number, value: number | boolean | Uint8Array): void;

  /**
   * Reads a socket option: the value set, or the socket's own state for `SO_TYPE`,
   * `SO_DOMAIN`, `SO_PROTOCOL`, `SO_ACCEPTCONN` and `SO_ERROR` (which clears the pending error).
   *
   * @param level The level.
   * @param option The option.
   * @param buflen Accepted for compatibility; the value is always returned as a number.
   * @returns The option's value.
   * @throws {OSError} `ENOPROTOOPT` for an option pynet does not keep (naming Deno where Linux
   * would answer), Linux's errno for a call Linux refuses (`EOPNOTSUPP` for an IPv6 option on an
   * `AF_INET` socket), and, as CPython, an `OSError` for a `buflen` outside 0..1024.
   *
   * @example The socket's own state
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { SO_ERROR, SO_TYPE, SOL_SOCKET, socket } from "@pynet/net/socket";
   * using s = socket();
   * assertEquals(s.getsockopt(SOL_SOCKET, SO_TYPE), 1); // SOCK_STREAM
   * assertEquals(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
   * ```
   */
  getsockopt(level: number, option: number, buflen?: number): number;
}
