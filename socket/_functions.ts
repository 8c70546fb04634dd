// The module-level helpers that build sockets: create_connection, create_server, socketpair.
import { type Address, type IPv4Address, type IPv6Address, pyStr } from "./_address.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./_constants.ts";
import { EOPNOTSUPP } from "../_core/errno.ts";
import { OSError, osError, ValueError } from "../_core/errors.ts";
import { memoryPipePair } from "./_memory_pipe.ts";
import { asCLong, pyTypeName } from "../_core/args.ts";
import { getaddrinfo } from "./_resolve.ts";
import { Socket, wrapConn } from "./_socket.ts";
import { type AbortOptions, checkSignal, raceAbort } from "../_core/abort.ts";

/** Options of {@linkcode createConnection}; `signal` cancels the name lookup or the connect. */
export interface CreateConnectionOptions extends AbortOptions {
  /**
   * Reject with an `AggregateError` of every attempt's error (Python's `ExceptionGroup`)
   * instead of the first one's.
   * @default {false}
   */
  allErrors?: boolean;
}

/**
 * Connects to a TCP service, trying each address `host` resolves to in turn (Python's
 * `socket.create_connection`).
 *
 * @param address `[host, port]`.
 * @param timeout Seconds for the new socket (and its connect); `null` for none; left out, the
 * `getdefaulttimeout()` value.
 * @param sourceAddress `[host, port]` to connect from. Deno's connect cannot choose its local
 * address, so only a port of 0 is possible, and a host only when it is the one the system
 * picks anyway (as on loopback); anything else is `OSError` `EOPNOTSUPP`, never ignored.
 * @param options `allErrors`; `signal`, an `AbortSignal` that cancels the call (a pynet
 * addition): it rejects with the signal's reason and tries no further address.
 * @returns The connected socket.
 * @throws {ConnectionRefusedError} (and the other `OSError`s of `connect`).
 * @throws {TimeoutError} When the timeout runs out.
 * @throws {gaierror} When `host` does not resolve.
 *
 * @example A connection with a timeout
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createConnection, createServer } from "@pynet/net/socket";
 * using server = createServer(["127.0.0.1", 0]);
 * const [, port] = server.getsockname() as [string, number];
 * using client = await createConnection(["localhost", port], 5);
 * assertEquals(client.gettimeout(), 5);
 * ```
 */
export async function createConnection(
  address: [host: string | null, port: number | string],
  timeout?: number | null,
  sourceAddress: [host: string, port: number] | null = null,
  options: CreateConnectionOptions = {},
): Promise<Socket> {
  // As CPython's `host, port = address`: any iterable of two, else TypeError or ValueError.
  const pair = address as unknown;
  if (typeof (pair as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== "function") {
    throw new TypeError(`cannot unpack non-iterable ${pyTypeName(pair)} object`);
  }
  const parts = [...(pair as Iterable<unknown>)];
  if (parts.length < 2) {
    throw new ValueError(`not enough values to unpack (expected 2, got ${parts.length})`);
  }
  if (parts.length > 2) throw new ValueError("too many values to unpack (expected 2)");
  const [host, port] = parts as [string | null, number | string];
  const signal = options.signal;
  checkSignal(signal);
  const errors: unknown[] = [];
  const infos = await raceAbort(getaddrinfo(host, port, 0, SOCK_STREAM), signal);
  for (const [family, type, proto, , sockaddr] of infos) {
    const sock = new Socket(family, type, proto);
    try {
      if (timeout !== undefined) sock.settimeout(timeout);
      if (sourceAddress) sock.bind(sourceAddress);
      await sock.connect(sockaddr as Address, { signal });
      if (sourceAddress) checkSource(sock, sourceAddress);
      return sock;
    } catch (e) {
      sock.close();
      if (signal?.aborted) throw e;
      // As in CPython, only an OSError moves on to the next address (a bad timeout does not).
      if (!(e instanceof OSError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 0) throw new OSError(null, "getaddrinfo returns an empty list");
  if (options.allErrors) throw new AggregateError(errors, "create_connection failed");
  throw errors[0];
}

/** Refuses a connection whose local host is not the one `sourceAddress` asked for. */
function checkSource(sock: Socket, [host]: [string, number]): void {
  const local = sock.getsockname();
  const wildcard = host === "" || host === "0.0.0.0" || host === "::";
  if (!wildcard && Array.isArray(local) && local[0] !== host) {
    sock.close();
    throw new OSError(
      EOPNOTSUPP,
      `Operation not supported: Deno cannot connect from ${host} ` +
        `(Deno.connect has no local-address option; the system chose ${local[0]})`,
    );
  }
}

/** Options of {@linkcode createServer}, as Python's keyword arguments. */
export interface CreateServerOptions {
  /** `AF_INET` or `AF_INET6`. @default {AF_INET} */
  family?: number;
  /** Accepted for compatibility; Deno's listeners queue up to 511 connections. */
  backlog?: number | null;
  /** Set `SO_REUSEPORT`, so several listeners share the port (needs `--unstable-net`). @default {false} */
  reusePort?: boolean;
  /** With `AF_INET6`, accept IPv4 connections too. @default {false} */
  dualstackIpv6?: boolean;
}

/**
 * Creates a TCP socket bound to `address` and listening (Python's `socket.create_server`).
 * An `AF_INET6` server is IPv6-only unless `dualstackIpv6` is set, as in Python.
 *
 * @param address `[host, port]`; port 0 picks a free one.
 * @param options `family`, `backlog`, `reusePort`, `dualstackIpv6`.
 * @returns The listening socket.
 * @throws {OSError} When the address cannot be bound; the message names the address.
 * @throws {ValueError} For `dualstackIpv6` without `AF_INET6`.
 *
 * @example A listening server on a free port
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createServer } from "@pynet/net/socket";
 * using server = createServer(["127.0.0.1", 0]);
 * const [host, port] = server.getsockname() as [string, number];
 * assertEquals([host, port > 0], ["127.0.0.1", true]);
 * ```
 */
export function createServer(
  address: IPv4Address | IPv6Address,
  options: CreateServerOptions = {},
): Socket {
  const { family = AF_INET, backlog = null, reusePort = false, dualstackIpv6 = false } = options;
  if (dualstackIpv6 && family !== AF_INET6) {
    throw new ValueError("dualstack_ipv6 requires AF_INET6 family");
  }
  const sock = new Socket(family, SOCK_STREAM);
  try {
    sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (reusePort) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (family === AF_INET6) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, dualstackIpv6 ? 0 : 1);
    try {
      sock.bind(address);
    } catch (e) {
      if (e instanceof OSError && e.errno !== null) {
        throw osError(
          e.errno,
          `${e.strerror} (while attempting to bind on address ${pyStr(address)})`,
          e,
        );
      }
      throw e;
    }
    if (backlog === null) sock.listen();
    else sock.listen(backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/**
 * Whether `createServer` can make a socket accepting both IPv4 and IPv6 connections (Python's
 * `socket.has_dualstack_ipv6()`). Always `true` on the systems Deno runs pynet on.
 *
 * @returns `true`.
 *
 * @example Always true on Deno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hasDualstackIpv6 } from "@pynet/net/socket";
 * assertEquals(hasDualstackIpv6(), true);
 * ```
 */
export function hasDualstackIpv6(): boolean {
  return true;
}

/**
 * Whether IPv6 is supported (Python's `socket.has_ipv6`).
 *
 * @example Always true on Deno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hasIpv6 } from "@pynet/net/socket";
 * assertEquals(hasIpv6, true);
 * ```
 */
export const hasIpv6: boolean = true;

/**
 * A pair of connected sockets (Python's `socket.socketpair`). pynet's pair lives in memory, so
 * it needs no permission and no Deno resource; it is `AF_UNIX` / `SOCK_STREAM`, as Linux's
 * default. Linux supports no other family here either (`EOPNOTSUPP`).
 *
 * @param family `AF_UNIX` (the default).
 * @param type `SOCK_STREAM` (the default).
 * @param proto 0.
 * @returns Two connected sockets.
 * @throws {OSError} `EOPNOTSUPP` for another family or type.
 *
 * @example A connected pair in memory
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socketpair } from "@pynet/net/socket";
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * await a.sendall(new Uint8Array([42]));
 * assertEquals(await b.recv(1), new Uint8Array([42]));
 * ```
 */
export function socketpair(
  family: number = AF_UNIX,
  type: number = SOCK_STREAM,
  proto: number = 0,
): [Socket, Socket] {
  asCLong(family);
  asCLong(type);
  asCLong(proto);
  if (family !== AF_UNIX || type !== SOCK_STREAM || proto !== 0) {
    throw new OSError(
      EOPNOTSUPP,
      "Operation not supported: socketpair() makes AF_UNIX SOCK_STREAM pairs only",
    );
  }
  const [a, b] = memoryPipePair();
  return [wrapConn(AF_UNIX, a), wrapConn(AF_UNIX, b)];
}
