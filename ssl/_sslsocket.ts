// SSLSocket: a pynet Socket whose connection runs TLS. It takes over a plain socket's
// connection (as Python's wrap_socket detaches the original), so select(), selectors and
// makefile() work on it unchanged, and readiness means decrypted data (or EOF) is waiting.
import { type Address, SO_ACCEPTCONN, SOCK_STREAM, Socket, SOL_SOCKET } from "../socket/mod.ts";
import type { BytesLike } from "../_core/bytes.ts";
import { EBADF, ENOTCONN } from "../_core/errno.ts";
import {
  BlockingIOError,
  fromDenoError,
  NotImplementedError,
  OSError,
  TimeoutError,
  ValueError,
} from "../_core/errors.ts";
import { POLLIN, POLLOUT } from "../_core/readiness.ts";
import { type AbortOptions, checkSignal, NO_OPTIONS } from "../_core/abort.ts";
import { waitSettled } from "../_core/wait_ready.ts";
import type { ByteConn } from "../_core/channel.ts";
import {
  pythonClassName,
  pythonNameOf,
  socketCore,
  type SocketPrivileges,
} from "../_core/privileged.ts";
import { type PeerCertificate, toPeerCertificate } from "./_certificate.ts";
import { sessionOptionsOf, type SSLContext } from "./_context.ts";
import { fromTlsError, SSLError, wantRead, wantWrite } from "./_errors.ts";
import { nodeSession } from "./_node_session.ts";
import { denoClient, denoClientCan, denoSession, type TlsSession } from "./_session.ts";
import { tlsErrorMapper, wrapSettings, type WrapSocketOptions } from "./_wrap.ts";

export type { WrapSocketOptions };

const constructing = Symbol("SSLSocket.constructing");
/** The key of `SSLSocket`'s static wrap, which only this file can name. */
const wrap: unique symbol = Symbol("SSLSocket.wrap");

/** `SSLContext.wrapSocket`'s work: `sock`'s connection, taken over by an `SSLSocket`. */
export function wrapWithContext(
  ctx: SSLContext,
  sock: Socket,
  options: WrapSocketOptions,
): Promise<SSLSocket> {
  return SSLSocket[wrap](ctx, sock, options);
}

/**
 * Python's `ssl.SSLSocket`: a {@linkcode Socket} over TLS, made by `SSLContext.wrapSocket`.
 * `recv`, `send`, `sendall`, `makefile`, timeouts and non-blocking mode, `select` and
 * `selectors` all work as on a plain socket; readable means decrypted data (or EOF) is
 * waiting, so bytes TLS has already decrypted are never missed.
 *
 * @example A client connection (needs a server)
 * ```ts ignore
 * import { createDefaultContext } from "@pynet/net/ssl";
 * import { createConnection } from "@pynet/net/socket";
 *
 * const ctx = createDefaultContext(undefined, { cafile: "ca.pem" });
 * using tls = await ctx.wrapSocket(await createConnection(["127.0.0.1", 8443]), {
 *   serverHostname: "localhost",
 * });
 * await tls.sendall(new TextEncoder().encode("hello"));
 * console.log(tls.version(), tls.cipher());
 * ```
 */
export class SSLSocket extends Socket {
  #context: SSLContext;
  #serverSide: boolean;
  #serverHostname: string | null;
  #doHandshakeOnConnect: boolean;
  #suppressRaggedEofs: boolean;
  #session: TlsSession | null = null;
  #handshaken = false;
  #handshaking: Promise<void> | null = null;
  #handshakeSettled = false;
  /** A non-blocking handshake runs: the socket is unready until it settles. */
  #readinessHeld = false;
  /** Accepted connections whose handshake inside `accept()` was aborted: the next accept's. */
  #handshakingAccepts: [SSLSocket, Address][] = [];

  /**
   * Not for direct use: `SSLContext.wrapSocket` makes SSL sockets.
   *
   * @throws {TypeError} Always, when called directly.
   */
  constructor(
    token: symbol,
    context: SSLContext,
    family: number,
    fd: number,
    options: Required<Omit<WrapSocketOptions, "signal">>,
  ) {
    if (token !== constructing) {
      throw new TypeError(
        "SSLSocket does not have a public constructor. Instances are returned by " +
          "SSLContext.wrapSocket().",
      );
    }
    super(family, SOCK_STREAM, 0, fd);
    this.#context = context;
    this.#serverSide = options.serverSide;
    this.#serverHostname = options.serverHostname;
    this.#doHandshakeOnConnect = options.doHandshakeOnConnect;
    this.#suppressRaggedEofs = options.suppressRaggedEofs;
  }

  /**
   * Python's qualified class name, for `repr()` (see _core/privileged.ts).
   *
   * @ignore
   */
  static override readonly [pythonClassName]: string = "ssl.SSLSocket";

  /** What ssl may do that a user may not (see _core/privileged.ts). */
  get #core(): SocketPrivileges {
    return this[socketCore];
  }

  /** The context the socket was wrapped with; it may be replaced (before the handshake). */
  get context(): SSLContext {
    return this.#context;
  }

  set context(ctx: SSLContext) {
    this.#context = ctx;
  }

  /** Whether this side is the server. */
  get serverSide(): boolean {
    return this.#serverSide;
  }

  /** The server name given to `wrapSocket`, or `null`. */
  get serverHostname(): string | null {
    return this.#serverHostname;
  }

  /**
   * `SSLContext.wrapSocket`'s work (see {@linkcode wrapWithContext}).
   *
   * @ignore
   */
  static async [wrap](
    ctx: SSLContext,
    sock: Socket,
    options: WrapSocketOptions,
  ): Promise<SSLSocket> {
    const settings = wrapSettings(ctx, sock, options);
    const timeout = sock.gettimeout();
    const listening = sock.getsockopt(SOL_SOCKET, SO_ACCEPTCONN) === 1;
    const fd = sock.detach();
    if (fd < 0) throw new OSError(EBADF);
    const tls = new SSLSocket(constructing, ctx, sock.family, fd, settings);
    tls.settimeout(timeout);
    if (listening && settings.serverSide) {
      try {
        tls.#listenNatively();
      } catch (e) {
        tls.close();
        throw e;
      }
    } else if (tls.#core.stream() && settings.doHandshakeOnConnect) {
      if (timeout === 0) {
        tls.close();
        throw new ValueError(
          "do_handshake_on_connect should not be specified for non-blocking sockets",
        );
      }
      try {
        await tls.doHandshake(options);
      } catch (e) {
        // An aborted handshake leaves the socket open (see doHandshake); this one nobody has.
        tls.close();
        throw e;
      }
    }
    return tls;
  }

  /**
   * A listening server socket whose context needs nothing Deno's own TLS server cannot do is
   * re-opened as `Deno.listenTls` on the same address: accepted connections are then TLS from
   * the start, at native speed. Otherwise each accepted connection goes through node:tls.
   */
  #listenNatively(): void {
    const options = sessionOptionsOf(this.#context, true, null);
    if (options.requestCert !== "no" || options.minVersion || options.maxVersion) return;
    if (!options.cert || !options.key) return;
    const { cert, key } = options;
    this.#core.replaceListener((address) => {
      // Mapped here: replaceListener passes an OSError (an SSLError) through as it is.
      try {
        return Deno.listenTls({
          transport: "tcp",
          hostname: address.hostname,
          port: address.port,
          cert,
          key,
          ...(options.alpnProtocols ? { alpnProtocols: options.alpnProtocols } : {}),
        });
      } catch (e) {
        throw fromTlsError(e, null, fromDenoError);
      }
    }, tlsErrorMapper(null, this.#suppressRaggedEofs));
  }

  /**
   * Performs the TLS handshake (once; later calls return at once). It honours the socket's
   * timeout. On a non-blocking socket it starts the handshake and rejects with
   * `SSLWantReadError` until the handshake has finished: the socket turns readable and
   * writable when it has, so CPython's loop of `doHandshake()` and `select()` works as it is.
   *
   * A failed handshake closes the socket. CPython closes it when the handshake runs inside
   * `wrapSocket`, `connect` or `accept`; pynet closes it after an explicit `doHandshake()`
   * too, since a Deno connection cannot be used once its TLS handshake has failed.
   *
   * An aborted `signal` settles the call with its reason but leaves the socket open and the
   * handshake running: a later `doHandshake()` waits for the same handshake.
   *
   * @param options `signal` to cancel the wait.
   * @throws {SSLWantReadError} Non-blocking, while the handshake is still running.
   * @throws {SSLCertVerificationError} When the peer's certificate does not verify.
   * @throws {SSLError} For another TLS failure.
   * @throws {TimeoutError} When the socket's timeout runs out first.
   * @throws {OSError} `ENOTCONN` when the socket is not connected.
   *
   * @example A non-blocking handshake driven by select, as in CPython
   * ```ts ignore
   * import { select } from "@pynet/net/select";
   * import { SSLWantReadError } from "@pynet/net/ssl";
   *
   * tls.setblocking(false);
   * for (;;) {
   *   try {
   *     await tls.doHandshake();
   *     break;
   *   } catch (e) {
   *     if (!(e instanceof SSLWantReadError)) throw e;
   *     await select([tls], [], [], 5);
   *   }
   * }
   * ```
   */
  async doHandshake(options: AbortOptions = NO_OPTIONS): Promise<void> {
    checkSignal(options.signal);
    if (this.#handshaken) return;
    if (!this.#core.stream()) throw new OSError(ENOTCONN);
    const timeout = this.gettimeout();
    const work = this.#handshakeWork();
    if (timeout === 0 && !this.#handshakeSettled) {
      if (!this.#readinessHeld) this.#core.holdReadiness(0);
      this.#readinessHeld = true;
      throw wantRead();
    }
    try {
      // The handshake's reads run unref'd, as read-aheads do: a timer holds a timed wait, an
      // untimed one holds the process itself. An abort ends the wait (and so the hold), not the
      // handshake.
      await waitSettled(
        work,
        timeout,
        () => new TimeoutError(null, "The handshake operation timed out"),
        { signal: options.signal, holder: this },
      );
      this.#handshaken = true;
    } catch (e) {
      if (!options.signal?.aborted) this.close();
      throw e;
    } finally {
      if (this.#readinessHeld) this.#core.holdReadiness(null);
      this.#readinessHeld = false;
    }
  }

  /**
   * The connection's handshake, started once and shared by every `doHandshake()` call; when
   * it settles, a socket held unready for a non-blocking handshake turns ready.
   */
  #handshakeWork(): Promise<void> {
    if (!this.#handshaking) {
      const settled = () => {
        this.#handshakeSettled = true;
        if (this.#readinessHeld && this.#core.stream()) {
          this.#core.holdReadiness(POLLIN | POLLOUT);
        }
      };
      this.#handshaking = this.#startSession();
      this.#handshaking.then(settled, settled);
    }
    return this.#handshaking;
  }

  async #startSession(): Promise<void> {
    const hostname = this.#serverHostname;
    const options = sessionOptionsOf(this.#context, this.#serverSide, hostname);
    const current = this.#core.stream()!;
    if (this.#session === null && isDenoTls(current.conn)) {
      // Accepted from a Deno.listenTls listener: TLS already.
      this.#session = denoSession(current.conn);
    }
    if (this.#session === null) {
      await this.#core.upgrade(async (conn, clean) => {
        let session: TlsSession;
        try {
          // A read left pending (a select() before the handshake) rules out Deno.startTls;
          // node:tls reads through it instead.
          session = clean && denoClientCan(conn, options)
            ? await denoClient(conn, options)
            : await nodeSession(conn, options);
        } catch (e) {
          throw fromTlsError(e, hostname, fromDenoError);
        }
        this.#session = session;
        return { conn: session.conn, mapError: tlsErrorMapper(hostname, this.#suppressRaggedEofs) };
      });
    }
    try {
      await this.#session!.handshake();
    } catch (e) {
      throw fromTlsError(e, hostname, fromDenoError);
    }
  }

  /**
   * Receives up to `bufsize` decrypted bytes; empty at EOF. Before the handshake it does the
   * handshake first, as OpenSSL's read does. Non-blocking with nothing decrypted yet, it
   * rejects with `SSLWantReadError`, as CPython's does.
   *
   * @param bufsize The most bytes to return.
   * @param flags Must be 0 once the socket is connected, as in CPython.
   * @param options `signal` to cancel the wait.
   * @returns The bytes.
   */
  override recv(
    bufsize: number = 1024,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<Uint8Array> {
    if (this.#plainPath(flags)) return super.recv(bufsize, 0, options);
    return this.#tlsIo("recv", flags, options, wantRead, () => super.recv(bufsize, flags, options));
  }

  /**
   * Receives decrypted bytes into `buffer`; `SSLWantReadError` when non-blocking and none are
   * there.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes; 0 means the buffer's length.
   * @param flags Must be 0 once the socket is connected, as in CPython.
   * @param options `signal` to cancel the wait.
   * @returns The count received.
   */
  override recvInto(
    buffer: Uint8Array,
    nbytes: number = 0,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    if (this.#plainPath(flags)) return super.recvInto(buffer, nbytes, 0, options);
    return this.#tlsIo(
      "recv_into",
      flags,
      options,
      wantRead,
      () => super.recvInto(buffer, nbytes, flags, options),
    );
  }

  /**
   * Sends bytes over TLS; `SSLWantWriteError` when non-blocking and the send buffer is full.
   *
   * @param data The bytes.
   * @param flags Must be 0 once the socket is connected, as in CPython.
   * @param options `signal` to cancel the wait.
   * @returns The count taken.
   */
  override send(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    if (this.#plainPath(flags)) return super.send(data, 0, options);
    return this.#tlsIo("send", flags, options, wantWrite, () => super.send(data, flags, options));
  }

  /**
   * Sends all of `data` over TLS; `SSLWantWriteError` when non-blocking and the send buffer
   * fills.
   *
   * @param data The bytes.
   * @param flags Must be 0 once the socket is connected, as in CPython.
   * @param options `signal` to cancel the wait.
   */
  override sendall(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<void> {
    if (this.#plainPath(flags)) return super.sendall(data, 0, options);
    return this.#tlsIo(
      "sendall",
      flags,
      options,
      wantWrite,
      () => super.sendall(data, flags, options),
    );
  }

  /**
   * Decrypted bytes that have arrived, synchronously (see `Socket.recvNow`), once the handshake
   * is done; `SSLWantReadError` when none have.
   *
   * @param bufsize The most bytes to return.
   * @returns The bytes; empty at EOF.
   * @throws {ValueError} Before the handshake is done: await `doHandshake()` first.
   */
  override recvNow(bufsize: number): Uint8Array {
    return this.#tlsNow("recvNow", wantRead, () => super.recvNow(bufsize));
  }

  /**
   * Encrypts and sends what the socket takes now, synchronously (see `Socket.sendNow`), once
   * the handshake is done; `SSLWantWriteError` when the send buffer is full.
   *
   * @param data The bytes.
   * @returns The count taken.
   * @throws {ValueError} Before the handshake is done: await `doHandshake()` first.
   */
  override sendNow(data: BytesLike): number {
    return this.#tlsNow("sendNow", wantWrite, () => super.sendNow(data));
  }

  /**
   * The synchronous twin of `#tlsIo` (recvNow, sendNow): a synchronous call cannot drive a
   * handshake, so it needs one that is done; its errors are mapped as `#tlsIo` maps them.
   */
  #tlsNow<T>(method: string, wouldBlock: () => SSLError, io: () => T): T {
    if (!this.#handshaken && this.#core.stream()) {
      throw new ValueError(`${method}() needs the handshake done: await doHandshake() first`);
    }
    try {
      return io();
    } catch (e) {
      throw this.#tlsError(e, wouldBlock);
    }
  }

  /** A plain socket's error as TLS I/O raises it: where it would block, OpenSSL's want-error. */
  #tlsError(e: unknown, wouldBlock: () => SSLError): unknown {
    return this.#session && e instanceof BlockingIOError ? wouldBlock() : e;
  }

  /** Whether I/O can take the plain socket's path as it is: no check or error to map. */
  #plainPath(flags: number): boolean {
    return this.#handshaken && flags === 0 && this.gettimeout() !== 0;
  }

  /**
   * I/O with CPython's checks first (no flags on a connected socket), the handshake OpenSSL's
   * read and write start on their own when `doHandshake()` has not run yet, and
   * `SSLWantReadError` / `SSLWantWriteError` where a plain socket would block.
   */
  async #tlsIo<T>(
    method: string,
    flags: number,
    options: AbortOptions,
    wouldBlock: () => SSLError,
    io: () => Promise<T>,
  ): Promise<T> {
    if (flags !== 0 && this.#core.stream()) {
      const name = pythonNameOf(this.constructor);
      throw new ValueError(
        `non-zero flags not allowed in calls to ${method}() on <class '${name}'>`,
      );
    }
    if (!this.#handshaken && this.#core.stream()) await this.doHandshake(options);
    try {
      return await io();
    } catch (e) {
      throw this.#tlsError(e, wouldBlock);
    }
  }

  /**
   * Connects, then does the handshake unless `doHandshakeOnConnect` was false.
   *
   * @param address The server's address.
   * @param options `signal` to cancel the connect or the handshake.
   */
  override async connect(address: Address, options: AbortOptions = NO_OPTIONS): Promise<void> {
    await super.connect(address, options);
    if (this.#doHandshakeOnConnect) await this.doHandshake(options);
  }

  /**
   * Like `connect`, resolving to an errno instead of rejecting with `OSError`.
   *
   * @param address The server's address.
   * @param options `signal` to cancel the connect or the handshake.
   * @returns 0, or the errno.
   */
  override async connectEx(address: Address, options: AbortOptions = NO_OPTIONS): Promise<number> {
    try {
      await this.connect(address, options);
      return 0;
    } catch (e) {
      if (e instanceof OSError && e.errno !== null && !(e instanceof SSLError)) return e.errno;
      throw e;
    }
  }

  /**
   * Accepts a connection on a listening server socket and returns it as an `SSLSocket`,
   * handshake done unless `doHandshakeOnConnect` was false.
   *
   * An aborted `signal` during the handshake keeps the connection for the next `accept()`,
   * its handshake still running: no connection is lost.
   *
   * @param options `signal` to cancel the wait for a connection or its handshake.
   * @returns `[sslSocket, address]`.
   */
  override async accept(options: AbortOptions = NO_OPTIONS): Promise<[SSLSocket, Address]> {
    checkSignal(options.signal);
    let next = this.#handshakingAccepts.shift();
    if (next === undefined) {
      // From a Deno.listenTls listener (#listenNatively), the connection is TLS already, and
      // its errors map as a TLS socket's.
      const [plain, address] = await super.accept(options);
      const fd = plain.detach();
      const conn = new SSLSocket(constructing, this.#context, this.family, fd, {
        serverSide: true,
        serverHostname: null,
        doHandshakeOnConnect: this.#doHandshakeOnConnect,
        suppressRaggedEofs: this.#suppressRaggedEofs,
      });
      next = [conn, address];
    }
    if (this.#doHandshakeOnConnect) {
      try {
        await next[0].doHandshake(options);
      } catch (e) {
        if (options.signal?.aborted && next[0].fileno() >= 0) {
          this.#handshakingAccepts.unshift(next);
        }
        throw e;
      }
    }
    return next;
  }

  /**
   * Closes the socket, and connections an aborted `accept()` kept for the next one.
   */
  override close(): void {
    for (const [conn] of this.#handshakingAccepts.splice(0)) conn.close();
    super.close();
  }

  #checkReadable(verb: "Read" | "Write"): void {
    if (this.fileno() < 0) throw new ValueError(`${verb} on closed or unwrapped SSL socket.`);
  }

  /**
   * Reads up to `len` decrypted bytes (Python's `SSLSocket.read`), or into `buffer`.
   *
   * @param len The most bytes to read.
   * @param buffer Where to put them (then the count is returned).
   * @returns The bytes, or the count when `buffer` is given.
   * @throws {ValueError} Once the socket is closed.
   */
  async read(len: number = 1024, buffer?: Uint8Array): Promise<Uint8Array | number> {
    this.#checkReadable("Read");
    if (buffer) return await this.recvInto(buffer, len);
    return await this.recv(len);
  }

  /**
   * Writes `data` (Python's `SSLSocket.write`).
   *
   * @param data The bytes.
   * @returns The count written.
   * @throws {ValueError} Once the socket is closed.
   */
  async write(data: Uint8Array): Promise<number> {
    this.#checkReadable("Write");
    return await this.send(data);
  }

  /** Decrypted bytes waiting to be read (Python's `pending()`). */
  pending(): number {
    return this.#core.stream()?.buffered ?? 0;
  }

  /** Rejects, as CPython does: TLS sockets have no datagram-style calls. */
  override recvfrom(_bufsize: number, _flags?: number): Promise<never> {
    return Promise.reject(this.#notAllowed("recvfrom"));
  }

  /** Rejects, as CPython does: TLS sockets have no datagram-style calls. */
  override recvfromInto(
    _buffer: Uint8Array,
    _nbytes?: number,
    _flags?: number,
  ): Promise<never> {
    return Promise.reject(this.#notAllowed("recvfrom_into"));
  }

  /** Rejects, as CPython does: TLS sockets have no datagram-style calls. */
  override sendto(
    _data: BytesLike,
    _flagsOrAddress: number | Address,
    _address?: Address,
  ): Promise<never> {
    return Promise.reject(this.#notAllowed("sendto"));
  }

  #notAllowed(method: string): Error {
    if (!this.#session) return new OSError(ENOTCONN);
    return new ValueError(`${method} not allowed on instances of ${this.constructor.name}`);
  }

  #requireHandshake(): TlsSession {
    if (!this.#core.stream()) throw new OSError(ENOTCONN);
    if (!this.#session || !this.#handshaken) throw new ValueError("handshake not done yet");
    return this.#session;
  }

  /**
   * The peer's certificate: CPython's dictionary, or its DER bytes with `binaryForm`. An
   * unverified certificate (`CERT_NONE`) gives `{}`, as in CPython; no certificate gives `null`.
   *
   * @param binaryForm Return the DER bytes.
   * @returns The certificate.
   * @throws {ValueError} Before the handshake.
   */
  getpeercert(
    binaryForm: boolean = false,
  ): PeerCertificate | Uint8Array | Record<never, never> | null {
    const session = this.#requireHandshake();
    const cert = session.peerCertificate();
    if (!cert) return null;
    if (binaryForm) return cert.raw ? new Uint8Array(cert.raw) : null;
    const options = sessionOptionsOf(this.#context, this.#serverSide, this.#serverHostname);
    return options.verify ? toPeerCertificate(cert) : {};
  }

  /**
   * `[cipherName, protocol, secretBits]`, or `null` before the handshake. With Deno's own TLS
   * engine (a verifying client with no client certificate, or a `Deno.listenTls` server) Deno
   * gives no way to learn the cipher, so it is `null` there too.
   *
   * @returns The cipher, or `null`.
   */
  cipher(): [string, string, number] | null {
    return this.#handshaken ? this.#session?.cipher() ?? null : null;
  }

  /**
   * The TLS version (`"TLSv1.3"`, ...), or `null` before the handshake. With Deno's own TLS
   * engine Deno gives no way to learn it, so it is `null` there too.
   *
   * @returns The version, or `null`.
   */
  version(): string | null {
    return this.#handshaken ? this.#session?.version() ?? null : null;
  }

  /**
   * The ALPN protocol agreed on, or `null`.
   *
   * @returns The protocol, or `null`.
   */
  selectedAlpnProtocol(): string | null {
    return this.#handshaken ? this.#session?.alpnProtocol() ?? null : null;
  }

  /**
   * Which TLS engine runs this socket: `"deno"` (Deno's own TLS) or `"node"` (node:tls over
   * the connection); `null` before the handshake. A pynet addition, for diagnostics.
   *
   * @returns The engine.
   */
  tlsEngine(): "deno" | "node" | null {
    return this.#session?.engine ?? null;
  }

  /**
   * Python's `unwrap()` (ENDTLS) cannot be done on Deno: neither Deno's TLS nor node:tls
   * over a connection hands the plain connection back after close_notify.
   *
   * @throws {NotImplementedError} Always.
   */
  unwrap(): Promise<Socket> {
    return Promise.reject(
      new NotImplementedError(
        "unwrap() is not possible on Deno: its TLS connections cannot hand back the plain " +
          "connection after close_notify",
      ),
    );
  }
}

function isDenoTls(conn: ByteConn): conn is Deno.TlsConn {
  // Only Deno's own TLS connections have handshake() among the connections a socket holds.
  return typeof (conn as Partial<Deno.TlsConn>).handshake === "function";
}
