// Python's socket object on Deno's sockets: the face over a socket's core (_socket_core.ts),
// which owns its state, channel, watchers, timeout and options. Every call that can block in
// Python returns a Promise that settles when Python's call would return; readiness is the
// socket's own (see _core/readiness.ts), so select() and a blocked recv() wait on the same
// events. The operations live by purpose: _socket_connect.ts, _socket_recv.ts, _socket_send.ts.
import type { DatagramSocket } from "./_datagram_socket.ts";
import { type Address, fromDenoAddr, pyStr, toDenoTarget, unboundAddress } from "./_address.ts";
import { asBytes, type BytesLike, checkFlags, checkSize } from "../_core/bytes.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_PROTOCOL,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./_constants.ts";
import {
  EAFNOSUPPORT,
  EAGAIN,
  EBUSY,
  EINVAL,
  ENOPROTOOPT,
  ENOTCONN,
  EPIPE,
  EPROTONOSUPPORT,
} from "../_core/errno.ts";
import { OSError, osError, TimeoutError, ValueError } from "../_core/errors.ts";
import {
  checkGetOption,
  checkSetOption,
  hasUnstableNet,
  optionKey,
  parseGetOption,
  parseSetOption,
  unstableNetError,
} from "./_options.ts";
import {
  POLLIN,
  POLLOUT,
  type ReadinessSource,
  readinessSource,
  type Watchable,
} from "../_core/readiness.ts";
import type { ByteConn, ErrorMapper } from "../_core/channel.ts";
import { pythonClassName, pythonNameOf, socketCore } from "../_core/privileged.ts";
import { asCInt, asCLong, pyTypeName } from "../_core/args.ts";
import { socketArgs } from "./_socket_args.ts";
import { checkTimeout } from "../_core/timeout.ts";
import { getdefaulttimeout } from "./_default_timeout.ts";
import { type AbortOptions, checkSignal, NO_OPTIONS } from "../_core/abort.ts";
import {
  fromStream,
  isLive,
  socketReadable,
  socketWritable,
  type StreamCallOptions,
} from "./_web_streams.ts";
import {
  type BinaryMode,
  type MakefileOptions,
  makeSocketFile,
  type SocketFile,
  type TextMode,
} from "./_socket_file.ts";
import { ALWAYS, SocketCore } from "./_socket_core.ts";
import { acceptConn, bind, connect, listen } from "./_socket_connect.ts";
import { recvDatagram, recvInto, recvStream } from "./_socket_recv.ts";
import { send, sendall, sendDatagram, writableStream } from "./_socket_send.ts";

/** Options an accepted connection takes from its listener, as Linux's accepted sockets do. */
const INHERITED_OPTIONS = [
  optionKey(IPPROTO_TCP, TCP_NODELAY),
  optionKey(SOL_SOCKET, SO_KEEPALIVE),
];

/**
 * Wraps a connection Deno gave us (from `accept()`, `Deno.connect()` or an in-memory pair) in
 * a connected socket, with `options` (a listener's) applied. Internal to pynet.
 */
export function wrapConn(
  family: number,
  conn: ByteConn,
  options?: Map<string, number>,
  mapError?: ErrorMapper,
): Socket {
  const sock = new Socket(family, SOCK_STREAM);
  const core = sock[socketCore];
  core.attach(conn, mapError);
  if (options) {
    for (const key of INHERITED_OPTIONS) {
      const value = options.get(key);
      if (value) core.options.set(key, value);
    }
    core.applyConnOptions();
  }
  return sock;
}

/**
 * Python's `socket.socket`: a TCP, UDP or Unix socket on Deno's own sockets.
 *
 * Blocking calls (`accept`, `connect`, `recv*`, `send*`) return Promises. Their mode is
 * Python's: with no timeout the Promise settles when the call completes; with a timeout it
 * rejects with `TimeoutError("timed out")` when the time runs out; in non-blocking mode it
 * settles at once, with data or `BlockingIOError`. Nothing received is ever lost: a read that
 * outlives a timeout keeps its bytes for the next `recv`.
 *
 * @example A TCP echo round trip on loopback
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, SOCK_STREAM, Socket } from "@pynet/net/socket";
 *
 * using server = new Socket(AF_INET, SOCK_STREAM);
 * server.bind(["127.0.0.1", 0]);
 * server.listen();
 * using client = new Socket(AF_INET, SOCK_STREAM);
 * await client.connect(server.getsockname());
 * const [conn] = await server.accept();
 * using _conn = conn;
 * await client.sendall(new TextEncoder().encode("ping"));
 * assertEquals(new TextDecoder().decode(await conn.recv(1024)), "ping");
 * ```
 */
export class Socket implements Watchable, Disposable {
  /** The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`). */
  readonly family: number;
  /** The socket type (`SOCK_STREAM`, `SOCK_DGRAM`), without creation flags. */
  readonly type: number;
  /** The protocol number given at creation (usually 0). */
  readonly proto: number;

  /** The state, channel, watchers, timeout and options (see _socket_core.ts). */
  #core: SocketCore;
  /** The Web Streams, made on first use (see _web_streams.ts). */
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * Creates a socket, as Python's `socket.socket(family, type, proto, fileno)` does.
   *
   * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
   * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`, optionally or-ed with
   * `SOCK_NONBLOCK` / `SOCK_CLOEXEC`.
   * @param proto 0, or the protocol matching `type` (`IPPROTO_TCP`, `IPPROTO_UDP`).
   * @param fileno A pseudo descriptor returned by `detach()`, to wrap that connection again.
   * @throws {OSError} For an unsupported family or type (`EAFNOSUPPORT`, `EINVAL`), or a
   * datagram socket without Deno's `--unstable-net` flag.
   */
  constructor(
    family: number = AF_INET,
    type: number = SOCK_STREAM,
    proto: number = 0,
    fileno: number | null = null,
  ) {
    [family, type, proto] = socketArgs(family, type, proto);
    if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) {
      throw new OSError(EAFNOSUPPORT);
    }
    const kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (kind !== SOCK_STREAM && kind !== SOCK_DGRAM) throw new OSError(EINVAL);
    if (
      proto !== 0 && family !== AF_UNIX &&
      proto !== (kind === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP)
    ) {
      throw new OSError(EPROTONOSUPPORT);
    }
    if (kind === SOCK_DGRAM && !hasUnstableNet()) {
      throw unstableNetError("A datagram socket (SOCK_DGRAM)");
    }
    if (fileno !== null) {
      asCLong(fileno);
      if (fileno < 0) throw new ValueError("negative file descriptor");
    }
    this.family = family;
    this.type = kind;
    this.proto = proto;
    const timeout = type & SOCK_NONBLOCK ? 0 : getdefaulttimeout();
    this.#core = new SocketCore(this, family, kind, timeout, fileno);
  }

  /**
   * Python's qualified class name, for `repr()` (see _core/privileged.ts).
   *
   * @ignore
   */
  static readonly [pythonClassName]: string = "socket.socket";

  /**
   * The socket's core, for the `ssl` module's privileged operations (see
   * _core/privileged.ts). Not part of the public API.
   *
   * @ignore
   */
  get [socketCore](): SocketCore {
    return this.#core;
  }

  /** The readiness source `select` and `selectors` watch. */
  [readinessSource](): ReadinessSource {
    return this.#core.source;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

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
  bind(address: Address): void {
    bind(this.#core, address);
  }

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
  listen(backlog?: number): void {
    if (backlog !== undefined) asCInt(backlog);
    listen(this.#core);
  }

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
  async accept(options: AbortOptions = NO_OPTIONS): Promise<[Socket, Address]> {
    checkSignal(options.signal);
    const [conn, mapError] = await acceptConn(this.#core, options.signal);
    const sock = wrapConn(this.family, conn, this.#core.options, mapError);
    return [sock, fromDenoAddr(this.family, conn.remoteAddr)];
  }

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
  async connect(address: Address, options: AbortOptions = NO_OPTIONS): Promise<void> {
    checkSignal(options.signal);
    await connect(this.#core, address, options.signal);
  }

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
  async connectEx(address: Address, options: AbortOptions = NO_OPTIONS): Promise<number> {
    try {
      await this.connect(address, options);
      return 0;
    } catch (e) {
      if (e instanceof TimeoutError && e.errno === null) return EAGAIN;
      if (e instanceof OSError && e.errno !== null && e.errno >= 0) return e.errno;
      throw e;
    }
  }

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
  close(): void {
    this.#core.close();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

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
  detach(): number {
    return this.#core.detach();
  }

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
  fileno(): number {
    return this.#core.fd;
  }

  /**
   * A blocking call's first check: an aborted signal refuses it, and so does a locked stream
   * of its direction, unless the call is the stream's own (see `readable`).
   */
  #enter(options: StreamCallOptions, stream: ReadableStream | WritableStream | undefined): void {
    checkSignal(options.signal);
    if (stream?.locked && !options[fromStream] && isLive(stream)) {
      const which = stream === this.#readable ? "readable" : "writable";
      throw new OSError(
        EBUSY,
        `Device or resource busy: the socket's ${which} stream is locked; release its reader ` +
          "or writer (or let its pipe finish) before calling recv/send",
      );
    }
  }

  // ---- receiving ----------------------------------------------------------------------------

  /**
   * Receives up to `bufsize` bytes. Resolves to an empty array at EOF (the peer closed).
   * For a datagram socket, one datagram, cut to `bufsize` bytes.
   *
   * The bytes are the caller's, as Python's new `bytes` are; on a busy stream they may be a
   * view of a larger read buffer (mind `byteOffset` before using `.buffer`). `recvInto`
   * reads into a buffer of the caller's instead, with no allocation.
   *
   * @param bufsize The most bytes to return.
   * @param flags `MSG_PEEK` (leave the bytes for the next call), `MSG_DONTWAIT` (do not wait),
   * `MSG_WAITALL` (blocking: wait for all `bufsize` bytes, or EOF, or an error, which the next
   * call raises after this one returned the bytes before it; with a timeout or non-blocking,
   * as in CPython, a plain recv).
   * @returns The bytes received.
   * @throws {BlockingIOError} Non-blocking, with nothing to read.
   * @throws {TimeoutError} When the timeout runs out (the bytes of a late read are kept).
   * @throws {ConnectionResetError} When the peer reset the connection.
   * @throws {ValueError} For a negative `bufsize`.
   *
   * @example Receiving what the peer sent
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("hello"));
   * assertEquals(new TextDecoder().decode(await b.recv(1024)), "hello");
   * ```
   */
  recv(
    bufsize: number,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<Uint8Array> {
    // Input already buffered on a stream: the answer is known now, so it is given without the
    // async path's frames (a readiness loop's recv finds its input buffered). Anything else
    // (flags, a signal, a locked stream, an odd size) takes the async path and its checks.
    if (
      flags === 0 && options === NO_OPTIONS && this.type === SOCK_STREAM &&
      Number.isInteger(bufsize) && bufsize > 0 && bufsize <= 0x7fffffff &&
      !this.#readable?.locked
    ) {
      const core = this.#core;
      const state = core.state;
      if (state.kind === "connected" && state.channel.buffered > 0) {
        const data = state.channel.take(bufsize);
        if (core.watchers.interest & POLLIN) state.channel.armRead();
        return Promise.resolve(data);
      }
    }
    return this.#recv(bufsize, flags, options);
  }

  async #recv(bufsize: number, flags: number, options: AbortOptions): Promise<Uint8Array> {
    checkSize(bufsize, "recv");
    checkFlags(flags);
    this.#enter(options, this.#readable);
    // CPython answers recv(0) at once without touching the socket: no datagram is consumed,
    // and an unbound or closed socket does not wait or fail.
    if (bufsize === 0) return new Uint8Array(0);
    if (this.type === SOCK_DGRAM) {
      return (await recvDatagram(this.#core, bufsize, flags, options.signal))[0];
    }
    return await recvStream(this.#core, bufsize, flags, options.signal);
  }

  /**
   * Receives up to `bufsize` bytes and the sender's address (`null` for a connected stream).
   *
   * @param bufsize The most bytes to return.
   * @param flags As for `recv`.
   * @returns `[data, address]`.
   *
   * @example A datagram and its sender
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * // Datagram sockets need Deno's --unstable-net flag.
   * using a = new Socket(AF_INET, SOCK_DGRAM);
   * using b = new Socket(AF_INET, SOCK_DGRAM);
   * b.bind(["127.0.0.1", 0]);
   * await a.sendto(new Uint8Array([1, 2, 3]), b.getsockname());
   * const [data, from] = await b.recvfrom(1024);
   * assertEquals(data.length, 3);
   * assertEquals((from as [string, number])[1], (a.getsockname() as [string, number])[1]);
   * ```
   */
  async recvfrom(
    bufsize: number,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<[Uint8Array, Address | null]> {
    checkSize(bufsize, "recvfrom");
    checkFlags(flags);
    this.#enter(options, this.#readable);
    if (this.type === SOCK_DGRAM) return recvDatagram(this.#core, bufsize, flags, options.signal);
    return [await recvStream(this.#core, bufsize, flags, options.signal), null];
  }

  /**
   * Receives into `buffer` and resolves to the number of bytes written there.
   *
   * A blocking call with nothing buffered reads straight into `buffer`. Deno cannot cancel
   * that read short of closing the connection: when `shutdown(SHUT_RD)` ends the call (0),
   * bytes the peer still sends may yet land in `buffer`, though no call reports them.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes to receive; 0 means the buffer's length.
   * @param flags As for `recv`.
   * @returns The count received (0 at EOF).
   * @throws {ValueError} When `nbytes` is negative or larger than the buffer.
   *
   * @example Receiving into a buffer of one's own
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([7, 8, 9]));
   * const buffer = new Uint8Array(16);
   * assertEquals(await b.recvInto(buffer), 3);
   * ```
   */
  async recvInto(
    buffer: Uint8Array,
    nbytes: number = 0,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    return (await this.#recvInto(buffer, nbytes, flags, "recv_into", options))[0];
  }

  /**
   * Like `recvInto`, also giving the sender's address.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes to receive; 0 means the buffer's length.
   * @param flags As for `recv`.
   * @returns `[count, address]`.
   *
   * @example A stream's address is null
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([1]));
   * assertEquals(await b.recvfromInto(new Uint8Array(4)), [1, null]);
   * ```
   */
  async recvfromInto(
    buffer: Uint8Array,
    nbytes: number = 0,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<[number, Address | null]> {
    return await this.#recvInto(buffer, nbytes, flags, "recvfrom_into", options);
  }

  async #recvInto(
    buffer: Uint8Array,
    nbytes: number,
    flags: number,
    caller: string,
    options: AbortOptions,
  ): Promise<[number, Address | null]> {
    const target = asBytes(buffer);
    checkSize(nbytes, caller);
    if (nbytes > target.length) {
      throw new ValueError(
        caller === "recv_into"
          ? "buffer too small for requested bytes"
          : "nbytes is greater than the length of the buffer",
      );
    }
    // The core's paths, not recvfrom(): a subclass (SSLSocket) may refuse recvfrom().
    checkFlags(flags);
    this.#enter(options, this.#readable);
    return await recvInto(
      this.#core,
      target.subarray(0, nbytes || target.length),
      flags,
      options.signal,
    );
  }

  // ---- sending ------------------------------------------------------------------------------

  /**
   * Sends bytes and resolves to how many were taken, which may be fewer than given. A
   * non-blocking or timed socket buffers them and sends in the background; an error met there
   * is reported by the next send (or `getsockopt(SOL_SOCKET, SO_ERROR)`).
   *
   * @param data The bytes.
   * @param flags `MSG_DONTWAIT` to not wait; other flags are accepted and ignored.
   * @returns The count taken.
   * @throws {BrokenPipeError} The peer has closed.
   * @throws {BlockingIOError} Non-blocking, with the send buffer full or a connect under way.
   * @throws {TypeError} For a string or other non-bytes.
   *
   * @example Sending bytes
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * assertEquals(await a.send(new Uint8Array(10)), 10);
   * ```
   */
  send(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    // A non-blocking send with room in the send buffer: taken now, without the async path's
    // frames. The checks are the async path's, in its order.
    const core = this.#core;
    if (
      flags === 0 && options === NO_OPTIONS && core.timeout === 0 &&
      core.state.kind === "connected" && !this.#writable?.locked
    ) {
      try {
        const bytes = asBytes(data);
        const channel = writableStream(core);
        if (bytes.length === 0) return Promise.resolve(0);
        if (core.pollEvents() & (POLLOUT | ALWAYS)) return Promise.resolve(channel.enqueue(bytes));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#send(data, flags, options);
  }

  async #send(data: BytesLike, flags: number, options: AbortOptions): Promise<number> {
    const bytes = asBytes(data);
    checkFlags(flags);
    this.#enter(options, this.#writable);
    return await send(this.#core, bytes, flags, options.signal);
  }

  /**
   * Sends all of `data`. With a timeout, the whole call must finish within it.
   *
   * @param data The bytes.
   * @param flags As for `send`.
   * @throws {TimeoutError} When the timeout runs out (some bytes may have been sent).
   * @throws {BrokenPipeError} The peer has closed.
   *
   * @example Sending all of a large buffer
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array(100_000));
   * ```
   */
  async sendall(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<void> {
    const bytes = asBytes(data);
    checkFlags(flags);
    this.#enter(options, this.#writable);
    await sendall(this.#core, bytes, flags, options.signal);
  }

  /**
   * Sends a datagram to `address`; an unbound socket is bound to an ephemeral port first, as
   * the kernel does. Python's three-argument form `sendto(data, flags, address)` works too.
   *
   * @param data The bytes.
   * @param flagsOrAddress The address, or flags when a third argument follows.
   * @param address The address, in the three-argument form.
   * @returns The count sent.
   * @throws {TypeError} For a wrong address shape.
   * @throws {OSError} `EMSGSIZE` for a datagram too large.
   *
   * @example Sending a datagram
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * using s = new Socket(AF_INET, SOCK_DGRAM);
   * using peer = new Socket(AF_INET, SOCK_DGRAM);
   * peer.bind(["127.0.0.1", 0]);
   * assertEquals(await s.sendto(new Uint8Array(3), peer.getsockname()), 3);
   * ```
   */
  async sendto(
    data: BytesLike,
    flagsOrAddress: number | Address,
    addressOrOptions?: Address | AbortOptions,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    // sendto(data, address, options) or sendto(data, flags, address, options).
    let address: Address | undefined;
    if (isOptions(addressOrOptions)) options = addressOrOptions;
    else address = addressOrOptions;
    const bytes = asBytes(data);
    const target = address === undefined ? flagsOrAddress : address;
    if (address !== undefined) checkFlags(flagsOrAddress);
    if (this.type !== SOCK_DGRAM) {
      toDenoTarget(this.family, false, target, "sendto");
      const state = this.#core.open();
      // Linux ignores the address of a connected stream socket's sendto(), as CPython shows.
      if (state.kind === "connected") {
        return await this.send(
          bytes,
          address === undefined ? 0 : flagsOrAddress as number,
          options,
        );
      }
      throw osError(EPIPE); // BrokenPipeError, as CPython raises
    }
    const to = toDenoTarget(this.family, true, target, "sendto");
    this.#enter(options, undefined);
    return await sendDatagram(this.#core, bytes, to, options.signal);
  }

  /**
   * Shuts down one or both halves of the connection: `SHUT_RD` (a recv waiting in another
   * task returns EOF at once, as do later ones), `SHUT_WR` (the peer reads EOF once the
   * buffered bytes are sent) or `SHUT_RDWR`.
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @throws {OSError} `ENOTCONN` when not connected, `EINVAL` for another `how`.
   *
   * @example Half-closing: the peer reads EOF
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { SHUT_WR, socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * a.shutdown(SHUT_WR);
   * assertEquals((await b.recv(10)).length, 0); // EOF
   * ```
   */
  shutdown(how: number): void {
    asCInt(how);
    // As CPython: the descriptor (EBADF) before the value (EINVAL).
    const state = this.#core.open();
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new OSError(EINVAL);
    if (state.kind !== "connected") throw new OSError(ENOTCONN);
    if (how !== SHUT_WR) state.channel.shutdownRead();
    if (how !== SHUT_RD) state.channel.shutdownWrite();
  }

  // ---- Web Streams -----------------------------------------------------------------------------

  /**
   * The bytes the peer sends, as a Web `ReadableStream`, shaped like `Deno.Conn`'s `readable`:
   * a byte stream (a BYOB reader reads straight into its buffer), ending at EOF. Bytes already
   * read ahead (by a `select`, a timed-out `recv`) come out first. Each read keeps to the
   * socket's timeout (a `TimeoutError` errors the stream, and bytes that come later stay for
   * `recv`); a non-blocking socket's stream waits. Cancelling it is `shutdown(SHUT_RD)`: later
   * input is dropped, and the socket stays open for writing (`Deno.Conn`'s cancel closes the
   * whole connection).
   *
   * While it is locked (a reader, a `pipeTo`) and has not ended, `recv`, `recvInto`,
   * `recvfrom` and `recvfromInto` raise `OSError` (`EBUSY`) instead of taking bytes from under
   * it. Once the lock is released, or the stream has ended (EOF, cancel, an error such as a
   * timeout), they work again, and bytes a read was bringing in when the lock was released are
   * theirs (or the next reader's): none is lost.
   *
   * @returns The same stream on every call.
   * @throws {OSError} `ENOTCONN` when the socket is not a connected stream, `EBADF` when closed.
   *
   * @example Reading lines with `TextLineStream`
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { TextLineStream } from "@std/streams/text-line-stream";
   * import { socketpair } from "@pynet/net/socket";
   *
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("HELO one\r\nQUIT\r\n"));
   * a.close();
   * const lines = await Array.fromAsync(
   *   b.readable.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream()),
   * );
   * assertEquals(lines, ["HELO one", "QUIT"]);
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#connectedStream();
    const core = this.#core;
    return this.#readable ??= socketReadable(this, (bytes) => {
      const state = core.state;
      if (state.kind === "connected") state.channel.unread(bytes);
    });
  }

  /**
   * The bytes to send, as a Web `WritableStream`, shaped like `Deno.Conn`'s `writable`: each
   * chunk is sent whole (`sendall`, so the socket's timeout applies to each); closing it is
   * `shutdown(SHUT_WR)`: the peer reads EOF once every byte has gone, and can still answer.
   * Aborting it half-closes too. While it is locked and has not ended, `send` and `sendall`
   * raise `OSError` (`EBUSY`), so no bytes interleave with a chunk.
   *
   * @returns The same stream on every call.
   * @throws {OSError} `ENOTCONN` when the socket is not a connected stream, `EBADF` when closed.
   *
   * @example Writing, then half-closing
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { toText } from "@std/streams/to-text";
   * import { socketpair } from "@pynet/net/socket";
   *
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await ReadableStream.from([new TextEncoder().encode("hello")]).pipeTo(a.writable);
   * assertEquals(await toText(b.readable), "hello"); // ends: a's writable half-closed it
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    this.#connectedStream();
    return this.#writable ??= socketWritable(this);
  }

  /** A stream face needs a connected stream socket (a failed connect raises its error). */
  #connectedStream(): void {
    if (this.type !== SOCK_STREAM) throw new OSError(ENOTCONN);
    this.#core.streamChannel();
  }

  // ---- addresses and modes -------------------------------------------------------------------

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
  getsockname(): Address {
    const state = this.#core.open();
    switch (state.kind) {
      case "bound":
      case "listening":
        return fromDenoAddr(this.family, state.channel.listener.addr);
      case "connected": {
        const conn = state.channel.conn as Partial<Deno.Conn>;
        return fromDenoAddr(this.family, conn.localAddr);
      }
      case "datagram":
        return fromDenoAddr(this.family, state.channel.conn.addr);
      default:
        return unboundAddress(this.family);
    }
  }

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
  getpeername(): Address {
    const state = this.#core.open();
    if (state.kind === "connected") {
      const conn = state.channel.conn as Partial<Deno.Conn>;
      return fromDenoAddr(this.family, conn.remoteAddr);
    }
    const peer = this.#core.peer;
    if (state.kind === "datagram" && peer) return fromDenoAddr(this.family, peer as Deno.Addr);
    throw new OSError(ENOTCONN);
  }

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
  setblocking(flag: boolean): void {
    // CPython reads the flag as a C long (None and floats are TypeErrors) before it sets
    // O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    asCLong(flag);
    this.#core.open();
    this.#core.timeout = flag ? null : 0;
  }

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
  getblocking(): boolean {
    return this.#core.timeout !== 0;
  }

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
  settimeout(value: number | null): void {
    const timeout = checkTimeout(value);
    // CPython sets O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    this.#core.open();
    this.#core.timeout = timeout;
  }

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
  gettimeout(): number | null {
    return this.#core.timeout;
  }

  // ---- options --------------------------------------------------------------------------------

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
  setsockopt(level: number, option: number, value: number | boolean | Uint8Array): void {
    const parsed = parseSetOption(level, option, value);
    this.#core.open();
    const recorded = checkSetOption(this.family, this.type, level, option, parsed);
    if (level === IPPROTO_IPV6 && this.family !== AF_INET6) throw new OSError(ENOPROTOOPT);
    this.#core.options.set(optionKey(level, option), recorded);
    this.#core.applyConnOptions();
  }

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
  getsockopt(level: number, option: number, buflen?: number): number {
    parseGetOption(level, option, buflen);
    const state = this.#core.open();
    checkGetOption(this.family, this.type, level, option);
    if (level === SOL_SOCKET) {
      switch (option) {
        case SO_TYPE:
          return this.type;
        case SO_DOMAIN:
          return this.family;
        case SO_PROTOCOL:
          return this.family === AF_UNIX
            ? 0
            : this.type === SOCK_STREAM
            ? IPPROTO_TCP
            : IPPROTO_UDP;
        case SO_ACCEPTCONN:
          return state.kind === "listening" ? 1 : 0;
        case SO_ERROR:
          return this.#core.takeSocketError();
        case SO_BROADCAST:
          return this.#core.options.get(optionKey(level, option)) ?? 0;
      }
    }
    return this.#core.options.get(optionKey(level, option)) ?? 0;
  }

  // ---- files ----------------------------------------------------------------------------------

  /**
   * A file object on the socket, as Python's `makefile`: buffered `read`, `readline`,
   * `readlines`, `write`, `flush`, and text mode with an encoding. The socket stays open
   * until the file is closed too.
   *
   * @param mode `"r"`, `"rb"`, `"w"`, `"wb"`, `"rw"`, `"rwb"` (default `"r"`).
   * @param options `buffering`, `encoding`, `errors`, `newline`.
   * @returns The file object.
   * @throws {ValueError} For another mode.
   *
   * @example Reading lines through a text file
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("one\ntwo\n"));
   * await using reader = b.makefile("r", { encoding: "utf-8" });
   * assertEquals(await reader.readline(), "one\n");
   * ```
   */
  makefile(mode: BinaryMode, options?: MakefileOptions): SocketFile<Uint8Array>;
  /**
   * A text file object (`"r"`, `"w"`, `"rw"`): data is `string`. See the binary form.
   *
   * @param mode A text mode.
   * @param options `buffering`, `encoding`, `errors`, `newline`.
   * @returns The file object.
   */
  makefile(mode?: TextMode, options?: MakefileOptions): SocketFile<string>;
  /**
   * A file object for a mode known only at run time. See the binary form.
   *
   * @param mode Any mode.
   * @param options `buffering`, `encoding`, `errors`, `newline`.
   * @returns The file object.
   */
  makefile(mode?: string, options?: MakefileOptions): SocketFile;
  makefile(mode: string = "r", options: MakefileOptions = {}): SocketFile {
    // CPython's makefile() iterates the mode and compares the buffering with 0.
    if (typeof mode !== "string" && !((mode as unknown) instanceof Uint8Array)) {
      throw new TypeError(`'${pyTypeName(mode)}' object is not iterable`);
    }
    const buffering = options?.buffering as unknown;
    if (buffering !== undefined && buffering !== null) {
      if (typeof buffering !== "number" && typeof buffering !== "boolean") {
        throw new TypeError(
          `'<' not supported between instances of '${pyTypeName(buffering)}' and 'int'`,
        );
      }
      if (buffering !== 0) checkSize(Math.abs(Number(buffering)), "makefile");
    }
    this.#core.open();
    // The file holds this socket (as CPython's does); its refs must not, since they are what
    // the file leaves behind when it is collected unclosed (see _socket_file.ts).
    return makeSocketFile(this, mode, options, this.#core.ioRefs);
  }

  /**
   * Python's `repr()` of the socket. CPython 3.11 prints the family and type as numbers (its
   * enums' `str()`), and each address that is not empty, as `str()` prints it.
   */
  toString(): string {
    // Python marks the socket closed at close(), even while a makefile() file keeps it open.
    const core = this.#core;
    const closed = core.state.kind === "closed" || core.closeRequested ? " [closed]" : "";
    let text = `<${pythonNameOf(this.constructor)}${closed} fd=${core.fd}, ` +
      `family=${this.family}, type=${this.type}, proto=${this.proto}`;
    if (!closed) {
      const local = this.getsockname();
      if (local.length > 0) text += `, laddr=${pyStr(local)}`;
      try {
        const remote = this.getpeername();
        if (remote.length > 0) text += `, raddr=${pyStr(remote)}`;
      } catch {
        // Not connected: no raddr, as in Python.
      }
    }
    return `${text}>`;
  }
}

/** Whether a call's optional argument is an options object rather than an address. */
function isOptions(value: unknown): value is AbortOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Creates a socket: Python's `socket.socket(family, type, proto, fileno)`.
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0 or the matching protocol.
 * @param fileno A pseudo descriptor from `detach()`.
 * @returns The new socket; typed `DatagramSocket` for `SOCK_DGRAM`, whose `recvfrom` gives
 * an address, never `null`.
 *
 * @example A TCP socket
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, SOCK_STREAM, socket } from "@pynet/net/socket";
 * using s = socket(AF_INET, SOCK_STREAM);
 * assertEquals([s.family, s.type], [2, 1]); // AF_INET, SOCK_STREAM
 * ```
 */
export function socket(
  family: number,
  type: typeof SOCK_DGRAM,
  proto?: number,
  fileno?: number | null,
): DatagramSocket;
/**
 * Creates a socket, as Python's `socket.socket()` does (see the `SOCK_DGRAM` signature).
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0 or the matching protocol.
 * @param fileno A pseudo descriptor from `detach()`.
 * @returns The new socket.
 *
 * @example A TCP socket
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socket } from "@pynet/net/socket";
 * using s = socket();
 * assertEquals(s.type, 1);
 * ```
 */
export function socket(
  family?: number,
  type?: number,
  proto?: number,
  fileno?: number | null,
): Socket;
export function socket(
  family: number = AF_INET,
  type: number = SOCK_STREAM,
  proto: number = 0,
  fileno: number | null = null,
): Socket {
  return new Socket(family, type, proto, fileno);
}
