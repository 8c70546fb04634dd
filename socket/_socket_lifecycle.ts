// The documented face of a socket's lifecycle calls: bind, listen, accept, connect, close,
// detach, fileno. `Socket` (_socket.ts) implements it; the work is in _socket_connect.ts and
// _socket_core.ts. The interface carries the documentation, which Socket's members inherit,
// so that no file of the socket grows past a reader's reach (see ARCHITECTURE.md, "Layers").
import type { Address } from "./_address.ts";
import type { AbortOptions } from "../_core/abort.ts";
import type { Socket } from "./_socket.ts";

/** A socket's lifecycle calls, as Python's: implemented by {@linkcode Socket}. */
export interface SocketLifecycle {
  /**
   * Binds the socket to `address`. A stream socket is bound and listening in Deno from here on
   * (Deno has no separate bind), so `getsockname()` reports the real port at once.
   *
   * @param address `[host, port]`, `[host, port, flowinfo, scopeId]` or a Unix path.
   * @throws {OSError} `EADDRINUSE`, `EINVAL` when already bound, `PermissionError` naming the
   * Deno flag to add when permission is missing.
   * @throws {TypeError} For an address of the wrong shape.
   * @throws {OverflowError} For a port outside 0-65535.
   *
   * @example Binding to an ephemeral port
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * const [, port] = s.getsockname() as [string, number];
   * assertEquals(port > 0, true);
   * ```
   */
  bind(address: Address): void;

  /**
   * Starts accepting connections. An unbound stream socket is first bound to an ephemeral port
   * on all interfaces, as Linux does.
   *
   * @param backlog Accepted for compatibility; Deno's listeners queue up to 511 connections.
   * @throws {OSError} `EOPNOTSUPP` on a datagram socket.
   *
   * @example Listening with a backlog
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * s.listen(5);
   * ```
   */
  listen(backlog?: number): void;

  /**
   * Waits for a connection and returns a new socket for it with the peer's address. The new
   * socket takes `getdefaulttimeout()`, not the listener's timeout, as in Python. A connection
   * its peer reset before it was accepted is skipped (Deno has closed it already), never an
   * error: the next connection is returned.
   *
   * @returns `[socket, address]`.
   * @throws {BlockingIOError} Non-blocking, with no connection waiting.
   * @throws {TimeoutError} When the timeout runs out.
   * @throws {OSError} `EINVAL` when not listening, `EBADF` when closed.
   *
   * @example Accepting a connection
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { createConnection, createServer } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = await createConnection(server.getsockname() as [string, number]);
   * const [conn, address] = await server.accept();
   * using _conn = conn;
   * assertEquals(address[0], "127.0.0.1");
   * ```
   */
  accept(options?: AbortOptions): Promise<[Socket, Address]>;

  /**
   * Connects to `address`. Non-blocking, it rejects with `BlockingIOError` (`EINPROGRESS`)
   * while the connection goes on; the socket turns writable when it is made, or readable and
   * writable with `SO_ERROR` set when it fails. A datagram socket only records its peer.
   *
   * @param address The peer's address.
   * @throws {ConnectionRefusedError} Nothing listens there.
   * @throws {TimeoutError} The timeout ran out.
   * @throws {gaierror} The host name does not resolve.
   * @throws {OSError} `EISCONN` when already connected, `EOPNOTSUPP` when the socket was bound
   * to a fixed port first (Deno's connect cannot choose the local address).
   *
   * @example Connecting to a listening server
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { createServer, socket } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = socket();
   * await client.connect(server.getsockname());
   * assertEquals(client.getpeername(), server.getsockname());
   * ```
   */
  connect(address: Address, options?: AbortOptions): Promise<void>;

  /**
   * Like `connect`, but resolves to an error number instead of rejecting with `OSError`:
   * 0 on success, `EINPROGRESS` (115) for a non-blocking connect under way.
   *
   * @param address The peer's address.
   * @returns 0 or an errno value.
   *
   * @example An error number instead of an exception
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * assertEquals(await s.connectEx(["127.0.0.1", 1]), 111); // ECONNREFUSED
   * ```
   */
  connectEx(address: Address, options?: AbortOptions): Promise<number>;

  /**
   * Closes the socket. Calling it again is harmless. A file object from `makefile()` keeps the
   * connection open until it is closed too, as in Python. Bytes already accepted by `send`
   * are still delivered in the background, as the kernel delivers a closed socket's buffer,
   * while the peer keeps taking them: after two seconds in which it takes nothing, or at once
   * when a `send`/`sendall` timed out, the rest is dropped and the connection closed, so a
   * peer that never reads cannot hold the connection (see README.md, "Closing").
   *
   * @example Closing twice is harmless
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * const s = socket();
   * s.close();
   * s.close();
   * assertEquals(s.fileno(), -1);
   * ```
   */
  close(): void;

  /**
   * Hands the connection over to a pseudo descriptor and leaves this object closed;
   * `new Socket(family, type, 0, fd)` wraps it again.
   *
   * @returns The pseudo descriptor.
   *
   * @example Handing a connection over and wrapping it again
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { AF_INET, SOCK_STREAM, Socket } from "@pynet/net/socket";
   * const s = new Socket();
   * const fd = s.detach();
   * using again = new Socket(AF_INET, SOCK_STREAM, 0, fd);
   * assertEquals([s.fileno(), again.fileno() >= 0], [-1, true]);
   * ```
   */
  detach(): number;

  /**
   * The socket's pseudo descriptor: a number unique among open pynet objects (Deno exposes no
   * real descriptors), or -1 once closed. `select` accepts it in place of the socket.
   *
   * @example A pseudo descriptor
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * assertEquals(s.fileno() >= 3, true);
   * ```
   */
  fileno(): number;
}
