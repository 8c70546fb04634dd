// Python's socket object on Deno's sockets: the face over a socket's core (_socket_core.ts),
// which owns its state, channel, watchers, timeout and options. Every call that can block in
// Python returns a Promise that settles when Python's call would return; readiness is the
// socket's own (see _core/readiness.ts), so select() and a blocked recv() wait on the same
// events. The work lives by purpose in _socket_connect.ts, _socket_recv.ts and _socket_send.ts;
// the calls' documentation in the interfaces Socket implements (_socket_lifecycle.ts,
// _socket_receiving.ts, _socket_sending.ts, _socket_settings.ts), whose docs its members inherit.
import { type Address, fromDenoAddr, toDenoTarget } from "./_address.ts";
import { asBytes, type BytesLike, checkFlags, checkSize } from "../_core/bytes.ts";
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "./_constants.ts";
import { EAGAIN, EBUSY, EINVAL, ENOPROTOOPT, ENOTCONN, EPIPE } from "../_core/errno.ts";
import { OSError, osError, TimeoutError, ValueError } from "../_core/errors.ts";
import {
  checkGetOption,
  checkSetOption,
  optionKey,
  parseGetOption,
  parseSetOption,
} from "./_options.ts";
import {
  POLLIN,
  POLLOUT,
  type ReadinessSource,
  readinessSource,
  type Watchable,
} from "../_core/readiness.ts";
import type { ByteConn, ErrorMapper } from "../_core/channel.ts";
import { pythonClassName, socketCore } from "../_core/privileged.ts";
import { asCInt, asCLong } from "../_core/args.ts";
import { creatableArgs } from "./_socket_args.ts";
import { checkTimeout } from "../_core/timeout.ts";
import { inheritOptions } from "./_wrap_conn.ts";
import { socketRepr } from "./_socket_repr.ts";
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
  checkMakefileArgs,
  type MakefileOptions,
  makeSocketFile,
  type SocketFile,
  type TextMode,
} from "./_socket_file.ts";
import { ALWAYS, SocketCore } from "./_socket_core.ts";
import { DirectDatagrams } from "./_datagram_direct.ts";
import { DirectStreamRecv } from "./_stream_direct.ts";
import { fulfilled } from "./_fulfilled.ts";
import type { SocketLifecycle } from "./_socket_lifecycle.ts";
import type { SocketReceiving } from "./_socket_receiving.ts";
import type { SocketSending } from "./_socket_sending.ts";
import type { SocketSettings } from "./_socket_settings.ts";
import { acceptConn, bind, connect, listen } from "./_socket_connect.ts";
import { recvDatagram, recvInto, recvStream } from "./_socket_recv.ts";
import { send, sendall, sendDatagram, writableStream } from "./_socket_send.ts";
import { recvNow, sendNow } from "./_socket_now.ts";

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
  if (options) inheritOptions(core, options);
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
export class Socket
  implements
    Watchable,
    Disposable,
    SocketLifecycle,
    SocketReceiving,
    SocketSending,
    SocketSettings {
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
  /** A datagram socket's blocking recvs with nothing queued (_datagram_direct.ts), made on use. */
  #direct: DirectDatagrams | undefined;
  /** The blocking stream recv's direct path, made on the first one (_stream_direct.ts). */
  #directStream: DirectStreamRecv | undefined;

  /** `#direct`, made on first use. */
  get #directDatagrams(): DirectDatagrams {
    return this.#direct ??= new DirectDatagrams(this, this.#core);
  }

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
    const [f, kind, p, nonblocking] = creatableArgs(family, type, proto, fileno);
    this.family = f;
    this.type = kind;
    this.proto = p;
    const timeout = nonblocking ? 0 : getdefaulttimeout();
    this.#core = new SocketCore(this, f, kind, timeout, fileno);
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

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  bind(address: Address): void {
    bind(this.#core, address);
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  listen(backlog?: number): void {
    if (backlog !== undefined) asCInt(backlog);
    listen(this.#core);
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  async accept(options: AbortOptions = NO_OPTIONS): Promise<[Socket, Address]> {
    checkSignal(options.signal);
    const [conn, mapError] = await acceptConn(this.#core, options.signal);
    const sock = wrapConn(this.family, conn, this.#core.options, mapError);
    return [sock, fromDenoAddr(this.family, conn.remoteAddr)];
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  async connect(address: Address, options: AbortOptions = NO_OPTIONS): Promise<void> {
    checkSignal(options.signal);
    await connect(this.#core, address, options.signal);
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
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

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  close(): void {
    this.#core.close();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
  detach(): number {
    return this.#core.detach();
  }

  // Documented in SocketLifecycle (_socket_lifecycle.ts).
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

  // Documented in SocketReceiving (_socket_receiving.ts).
  recv(
    bufsize: number,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<Uint8Array> {
    if (this.type === SOCK_DGRAM && flags === 0 && options === NO_OPTIONS) {
      const landing = this.#directDatagrams.recv(bufsize);
      if (landing !== null) return landing;
    }
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
        return fulfilled(data);
      }
      // Blocking with nothing buffered: one read, and the take when it lands, without the
      // async path's frames (recvStream does the same in more steps).
      if (state.kind === "connected" && core.timeout === null && state.channel.canReadNow) {
        return (this.#directStream ??= new DirectStreamRecv(this, core)).recv(
          state.channel,
          bufsize,
        );
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

  // Documented in SocketReceiving (_socket_receiving.ts).
  recvfrom(
    bufsize: number,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<[Uint8Array, Address | null]> {
    if (this.type === SOCK_DGRAM && flags === 0 && options === NO_OPTIONS) {
      const landing = this.#directDatagrams.recvfrom(bufsize);
      if (landing !== null) return landing;
    }
    return this.#recvfrom(bufsize, flags, options);
  }

  async #recvfrom(
    bufsize: number,
    flags: number,
    options: AbortOptions,
  ): Promise<[Uint8Array, Address | null]> {
    checkSize(bufsize, "recvfrom");
    checkFlags(flags);
    this.#enter(options, this.#readable);
    if (this.type === SOCK_DGRAM) return recvDatagram(this.#core, bufsize, flags, options.signal);
    return [await recvStream(this.#core, bufsize, flags, options.signal), null];
  }

  // Documented in SocketReceiving (_socket_receiving.ts).
  async recvInto(
    buffer: Uint8Array,
    nbytes: number = 0,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    return (await this.#recvInto(buffer, nbytes, flags, "recv_into", options))[0];
  }

  // Documented in SocketReceiving (_socket_receiving.ts).
  async recvfromInto(
    buffer: Uint8Array,
    nbytes: number = 0,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<[number, Address | null]> {
    return await this.#recvInto(buffer, nbytes, flags, "recvfrom_into", options);
  }

  /** Not async: the core's receive is the call's one async frame (a busy stream's cost). */
  #recvInto(
    buffer: Uint8Array,
    nbytes: number,
    flags: number,
    caller: string,
    options: AbortOptions,
  ): Promise<[number, Address | null]> {
    try {
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
      const size = nbytes || target.length;
      if (this.type === SOCK_DGRAM && flags === 0 && options === NO_OPTIONS) {
        // Blocking with nothing queued: the datagram received directly, into the channel's
        // buffer (a datagram the call does not take never touches the caller's).
        const landing = this.#directDatagrams.recvfrom(size);
        if (landing !== null) {
          return landing.then(([data, from]) => {
            target.set(data);
            return [data.length, from];
          });
        }
      }
      return recvInto(this.#core, target.subarray(0, size), flags, options.signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // Documented in SocketReceiving (_socket_receiving.ts).
  recvNow(bufsize: number): Uint8Array {
    checkSize(bufsize, "recvNow");
    this.#enter(NO_OPTIONS, this.#readable);
    return recvNow(this.#core, bufsize);
  }

  // ---- sending ------------------------------------------------------------------------------

  // Documented in SocketSending (_socket_sending.ts).
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

  // Documented in SocketSending (_socket_sending.ts).
  sendNow(data: BytesLike): number {
    const bytes = asBytes(data);
    this.#enter(NO_OPTIONS, this.#writable);
    return sendNow(this.#core, bytes);
  }

  /** Not async: the core's send is the call's one async frame. */
  #send(data: BytesLike, flags: number, options: AbortOptions): Promise<number> {
    try {
      const bytes = asBytes(data);
      checkFlags(flags);
      this.#enter(options, this.#writable);
      return send(this.#core, bytes, flags, options.signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // Documented in SocketSending (_socket_sending.ts).
  sendall(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<void> {
    // Not async: the core's sendall takes the fewest frames it can (see _socket_send.ts).
    try {
      const bytes = asBytes(data);
      checkFlags(flags);
      this.#enter(options, this.#writable);
      return sendall(this.#core, bytes, flags, options.signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // Documented in SocketSending (_socket_sending.ts).
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

  // Documented in SocketSending (_socket_sending.ts).
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

  // Documented in SocketReceiving (_socket_receiving.ts).
  get readable(): ReadableStream<Uint8Array> {
    this.#connectedStream();
    const core = this.#core;
    return this.#readable ??= socketReadable(this, (bytes) => {
      const state = core.state;
      if (state.kind === "connected") state.channel.unread(bytes);
    });
  }

  // Documented in SocketSending (_socket_sending.ts).
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

  // Documented in SocketSettings (_socket_settings.ts).
  getsockname(): Address {
    return this.#core.sockname();
  }

  // Documented in SocketSettings (_socket_settings.ts).
  getpeername(): Address {
    return this.#core.peername();
  }

  // Documented in SocketSettings (_socket_settings.ts).
  setblocking(flag: boolean): void {
    // CPython reads the flag as a C long (None and floats are TypeErrors) before it sets
    // O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    asCLong(flag);
    this.#core.open();
    this.#core.timeout = flag ? null : 0;
  }

  // Documented in SocketSettings (_socket_settings.ts).
  getblocking(): boolean {
    return this.#core.timeout !== 0;
  }

  // Documented in SocketSettings (_socket_settings.ts).
  settimeout(value: number | null): void {
    const timeout = checkTimeout(value);
    // CPython sets O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    this.#core.open();
    this.#core.timeout = timeout;
  }

  // Documented in SocketSettings (_socket_settings.ts).
  gettimeout(): number | null {
    return this.#core.timeout;
  }

  // ---- options --------------------------------------------------------------------------------

  // Documented in SocketSettings (_socket_settings.ts).
  setsockopt(level: number, option: number, value: number | boolean | Uint8Array): void {
    const parsed = parseSetOption(level, option, value);
    this.#core.open();
    const recorded = checkSetOption(this.family, this.type, level, option, parsed);
    if (level === IPPROTO_IPV6 && this.family !== AF_INET6) throw new OSError(ENOPROTOOPT);
    this.#core.options.set(optionKey(level, option), recorded);
    this.#core.applyConnOptions();
  }

  // Documented in SocketSettings (_socket_settings.ts).
  getsockopt(level: number, option: number, buflen?: number): number {
    parseGetOption(level, option, buflen);
    this.#core.open();
    checkGetOption(this.family, this.type, level, option);
    return this.#core.option(level, option);
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
    checkMakefileArgs(mode, options);
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
    return socketRepr(this, this.#core);
  }
}

/** Whether a call's optional argument is an options object rather than an address. */
function isOptions(value: unknown): value is AbortOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
