// asyncore.dispatcher: a socket with handlers, registered in a map keyed by fileno(), so that
// loop() can ask it what it waits for and call its handlers. Follows CPython 3.11's
// Lib/asyncore.py method for method; what can block returns a Promise.
import {
  type Address,
  AF_INET,
  osError,
  SO_ERROR,
  SO_REUSEADDR,
  SOCK_STREAM,
  Socket,
  socket as newSocket,
  SOL_SOCKET,
} from "../socket/mod.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLRDHUP, readinessSource } from "../select/mod.ts";
import {
  EAGAIN,
  EALREADY,
  EBADF,
  ECONNABORTED,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENOTCONN,
  EWOULDBLOCK,
} from "../_core/errno.ts";
import { DISCONNECTED, errorcode, hasErrno, strerror } from "./_errno.ts";
import { className, compactTraceback, errorText } from "./_traceback.ts";
import { type DispatcherSocket, type Predicate, type SocketMap, socketMap } from "./_socket_map.ts";

// Re-exported so that the files importing them from here (_loop.ts, _watch.ts, _file.ts,
// _with_send.ts, mod.ts) need not change.
export { type DispatcherSocket, type Predicate, type SocketMap, socketMap };

/** What `logInfo` leaves out unless told otherwise (CPython's `ignore_log_types`). */
const IGNORE_WARNINGS: ReadonlySet<string> = new Set(["warning"]);
const ACCEPT_RETRY: ReadonlySet<number> = new Set([EWOULDBLOCK, ECONNABORTED, EAGAIN]);
const CONNECT_UNDER_WAY: ReadonlySet<number> = new Set([EINPROGRESS, EALREADY, EWOULDBLOCK]);
const CLOSE_IGNORED: ReadonlySet<number> = new Set([ENOTCONN, EBADF]);
const NOT_CONNECTED: ReadonlySet<number> = new Set([ENOTCONN, EINVAL]);

let nextId = 1;

/**
 * Python's `asyncore.dispatcher`: a thin wrapper around a non-blocking socket that
 * {@linkcode loop} drives. Subclasses override the `handle*` methods (each may return a
 * Promise, which the loop awaits before the next handler) and the predicates
 * `readable()`/`writable()`, which the loop asks afresh on every pass.
 *
 * @typeParam S The socket type: a pynet `Socket` unless a subclass wraps something else.
 *
 * @example A client that connects, sends a line and reads the answer
 * ```ts
 * import { Dispatcher, loop } from "@pynet/net/asyncore";
 * import { createServer } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * using server = createServer(["127.0.0.1", 0]);
 * const serving = (async () => {
 *   const [conn] = await server.accept();
 *   using _conn = conn;
 *   await conn.sendall(await conn.recv(100));
 * })();
 *
 * const events: string[] = [];
 * class Client extends Dispatcher {
 *   override handleConnect() {
 *     events.push("connect");
 *   }
 *   override writable() {
 *     return !this.connected;
 *   }
 *   override async handleWrite() {
 *     await this.send(new TextEncoder().encode("hi\n"));
 *   }
 *   override async handleRead() {
 *     const data = await this.recv(100);
 *     if (data.length) events.push(new TextDecoder().decode(data));
 *   }
 *   override handleClose() {
 *     events.push("close");
 *     this.close();
 *   }
 * }
 * const map = new Map();
 * const client = new Client(null, map);
 * client.createSocket();
 * await client.connect(server.getsockname());
 * await loop({ timeout: 1, map });
 * await serving;
 * assertEquals(events, ["connect", "hi\n", "close"]);
 * ```
 */
export class Dispatcher<S extends DispatcherSocket = Socket> {
  /** Turns on `DispatcherWithSend`'s logging of what it sends. */
  debug = false;
  /** The socket is connected. */
  connected = false;
  /** The socket is listening (`listen()` was called). */
  accepting = false;
  /** A non-blocking connect is under way. */
  connecting = false;
  /** Kept for compatibility; asyncore itself never sets it. */
  closing = false;
  /** The address given to `bind()` or `connect()`, or the peer's for an accepted socket. */
  addr: Address | null = null;
  /** The `type`s `logInfo` does not print. */
  ignoreLogTypes: ReadonlySet<string> = IGNORE_WARNINGS;
  /** The socket, once set. */
  socket: S | null = null;
  /** `[family, type]` given to `createSocket`. */
  familyAndType: [number, number] | null = null;
  #map: SocketMap;
  #fileno: number | null = null;
  readonly #id = nextId++;

  /**
   * Creates a dispatcher, on `sock` if given: it is made non-blocking and joins the map, and
   * the dispatcher is `connected` when the socket has a peer.
   *
   * @param sock A socket to use (an accepted one, typically), or nothing.
   * @param map The map to join; {@linkcode socketMap} by default.
   * @throws {OSError} From `getpeername()`, other than "not connected".
   */
  constructor(sock?: NoInfer<S> | null, map?: SocketMap | null) {
    this.#map = map ?? socketMap;
    if (sock) {
      (sock as unknown as Socket).setblocking(false);
      this.setSocket(sock, map);
      this.connected = true;
      try {
        this.addr = (sock as unknown as Socket).getpeername();
      } catch (e) {
        if (hasErrno(e, NOT_CONNECTED)) {
          this.connected = false;
        } else {
          this.delChannel(map);
          throw e;
        }
      }
    }
  }

  /**
   * Python's `repr()`: `<Name connected 127.0.0.1:8080 at 0x1>` (`listening` for a server).
   *
   * @returns The text.
   */
  toString(): string {
    const status = [this.constructor.name];
    if (this.accepting && this.addr) status.push("listening");
    else if (this.connected) status.push("connected");
    if (this.addr !== null) {
      const addr = this.addr;
      status.push(
        Array.isArray(addr) && addr.length === 2 && typeof addr[1] === "number"
          ? `${addr[0]}:${addr[1]}`
          : pyRepr(addr),
      );
    }
    return `<${status.join(" ")} at 0x${this.#id.toString(16)}>`;
  }

  // ---- the map ------------------------------------------------------------------------------

  /**
   * Puts the dispatcher in `map` (its own map by default) under its socket's `fileno()`.
   *
   * @param map The map.
   */
  addChannel(map?: SocketMap | null): void {
    (map ?? this.#map).set(this.#fileno!, this as Dispatcher<DispatcherSocket>);
  }

  /**
   * Takes the dispatcher's descriptor out of `map` (its own map by default).
   *
   * @param map The map.
   */
  delChannel(map?: SocketMap | null): void {
    const fd = this.#fileno;
    const target = map ?? this.#map;
    if (fd !== null && target.has(fd)) target.delete(fd);
    this.#fileno = null;
  }

  // ---- the socket ---------------------------------------------------------------------------

  /**
   * Creates a non-blocking socket and sets it (`socket.socket(family, type)`).
   *
   * @param family `AF_INET` by default.
   * @param type `SOCK_STREAM` by default.
   */
  createSocket(family: number = AF_INET, type: number = SOCK_STREAM): void {
    this.familyAndType = [family, type];
    const sock = newSocket(family, type);
    sock.setblocking(false);
    this.setSocket(sock as unknown as S);
  }

  /**
   * Uses `sock` and joins the map under its `fileno()`.
   *
   * @param sock The socket.
   * @param map The map; the dispatcher's own by default.
   */
  setSocket(sock: S, map?: SocketMap | null): void {
    this.socket = sock;
    this.#fileno = sock.fileno();
    this.addChannel(map);
  }

  /** Sets `SO_REUSEADDR` on the socket, ignoring errors. */
  setReuseAddr(): void {
    try {
      const sock = this.socket as unknown as Socket;
      sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, sock.getsockopt(SOL_SOCKET, SO_REUSEADDR) | 1);
    } catch (e) {
      if (!(e instanceof Error && "errno" in e)) throw e;
    }
  }

  // ---- predicates ---------------------------------------------------------------------------

  /**
   * Whether the loop should watch the socket for reading; asked on every pass.
   *
   * @returns `true` here.
   */
  readable(): Predicate {
    return true;
  }

  /**
   * Whether the loop should watch the socket for writing; asked on every pass (a listening
   * dispatcher is never watched for writing).
   *
   * @returns `true` here.
   */
  writable(): Predicate {
    return true;
  }

  // ---- socket methods -----------------------------------------------------------------------

  /**
   * Listens for connections; the dispatcher is `accepting` from here on.
   *
   * @param num The backlog.
   */
  listen(num: number): void {
    this.accepting = true;
    (this.socket as unknown as Socket).listen(num);
  }

  /**
   * Binds the socket and records `addr`.
   *
   * @param addr The address.
   */
  bind(addr: Address): void {
    this.addr = addr;
    (this.socket as unknown as Socket).bind(addr);
  }

  /**
   * Starts connecting to `address`. Settles once the connect is under way (`connecting` is
   * then true, and the loop calls `handleConnect` when it completes), or after
   * `handleConnectEvent()` when it completed at once.
   *
   * @param address The peer's address.
   * @throws {OSError} When the connect fails at once (CPython puts the errno's name as text).
   */
  async connect(address: Address): Promise<void> {
    this.connected = false;
    this.connecting = true;
    const err = await (this.socket as unknown as Socket).connectEx(address);
    if (CONNECT_UNDER_WAY.has(err)) {
      this.addr = address;
      return;
    }
    if (err === 0 || err === EISCONN) {
      this.addr = address;
      await this.handleConnectEvent();
    } else {
      throw osError(err, errorcode(err));
    }
  }

  /**
   * Accepts a connection: `[socket, address]`, or `null` when there was none after all
   * (`EWOULDBLOCK`, `ECONNABORTED`).
   *
   * @returns The pair, or `null`.
   */
  async accept(): Promise<[Socket, Address] | null> {
    try {
      return await (this.socket as unknown as Socket).accept();
    } catch (e) {
      if (e instanceof TypeError) return null;
      if (hasErrno(e, ACCEPT_RETRY)) return null;
      throw e;
    }
  }

  /**
   * Sends what the socket takes now: the count, 0 when it takes nothing (`EWOULDBLOCK`), and 0
   * after calling `handleClose()` when the peer is gone.
   *
   * @param data The bytes.
   * @returns The count sent.
   */
  send(data: Uint8Array): Promise<number> {
    // A Promise chain rather than an async function: this runs for every send of a loop.
    let sending: Promise<number>;
    try {
      sending = this.socket!.send(data);
    } catch (e) {
      sending = Promise.reject(e);
    }
    return sending.then(undefined, this.#sendFailed ??= (e) => sendFailed(this, e));
  }

  #sendFailed: ((e: unknown) => Promise<number>) | undefined;

  /**
   * Receives up to `bufferSize` bytes. At EOF, or when the peer is gone, it calls
   * `handleClose()` and resolves to empty bytes.
   *
   * @param bufferSize The most bytes to return.
   * @returns The bytes.
   */
  recv(bufferSize: number): Promise<Uint8Array> {
    // A Promise chain rather than an async function: this runs for every read of a loop.
    let reading: Promise<Uint8Array>;
    try {
      const sock = this.socket;
      // Input buffered on a plain stream socket (readable, with no EOF, error or hang-up):
      // its recv gives bytes, neither empty nor failing, so there is nothing to watch for and
      // its Promise is returned as it is. That saves a Promise and its turn, and the lookup of
      // `then` on the bytes that settling a second Promise with them costs (Promises/A+).
      if (
        bufferSize > 0 && sock !== null && Object.getPrototypeOf(sock) === Socket.prototype &&
        ((sock as unknown as Socket)[readinessSource]().pollEvents() & READ_STATE) === POLLIN
      ) {
        return sock.recv(bufferSize);
      }
      reading = sock!.recv(bufferSize);
    } catch (e) {
      reading = Promise.reject(e);
    }
    return reading.then(
      this.#received ??= (data) => data.length === 0 ? this.#closedByPeer() : data,
      this.#recvFailed ??= (e) => this.#afterRecvError(e),
    );
  }

  #received: ((data: Uint8Array) => Uint8Array | Promise<Uint8Array>) | undefined;
  #recvFailed: ((e: unknown) => Promise<Uint8Array>) | undefined;

  async #closedByPeer(): Promise<Uint8Array> {
    await this.handleClose();
    return EMPTY;
  }

  async #afterRecvError(e: unknown): Promise<Uint8Array> {
    if (hasErrno(e, DISCONNECTED)) {
      await this.handleClose();
      return EMPTY;
    }
    throw e;
  }

  /** Leaves the map and closes the socket; the state flags turn false. */
  close(): void {
    this.connected = false;
    this.accepting = false;
    this.connecting = false;
    this.delChannel();
    if (this.socket !== null) {
      try {
        this.socket.close();
      } catch (e) {
        if (!hasErrno(e, CLOSE_IGNORED)) throw e;
      }
    }
  }

  // ---- logging ------------------------------------------------------------------------------

  /**
   * Writes `log: message` to standard error.
   *
   * @param message The message.
   */
  log(message: unknown): void {
    console.error(`log: ${String(message)}`);
  }

  /**
   * Prints `type: message` to standard output unless `type` is in `ignoreLogTypes`.
   *
   * @param message The message.
   * @param type `"info"` by default; `"warning"` is ignored by default.
   */
  logInfo(message: string, type: string = "info"): void {
    if (!this.ignoreLogTypes.has(type)) console.log(`${type}: ${message}`);
  }

  // ---- events: what the loop calls --------------------------------------------------------

  /**
   * The socket is readable: accept, complete a connect, or read. (It returns the handler's
   * result as it is, so that a handler that does not return a Promise costs no extra turn.)
   */
  handleReadEvent(): void | Promise<void> {
    if (this.accepting) return this.handleAccept();
    if (!this.connected && this.connecting) return this.#connectThen(() => this.handleRead());
    return this.handleRead();
  }

  async #connectThen(handler: () => void | Promise<void>): Promise<void> {
    await this.handleConnectEvent();
    await handler();
  }

  /**
   * A connect completed: raises its error if it failed, else calls `handleConnect()` and then
   * marks the dispatcher connected.
   *
   * @throws {OSError} The connect's error (`ConnectionRefusedError`, ...).
   */
  async handleConnectEvent(): Promise<void> {
    const err = this.socket!.getsockopt(SOL_SOCKET, SO_ERROR);
    if (err !== 0) throw osError(err, strerror(err));
    await this.handleConnect();
    this.connected = true;
    this.connecting = false;
  }

  /** The socket is writable: complete a connect first, then write (never for a listener). */
  handleWriteEvent(): void | Promise<void> {
    if (this.accepting) return;
    if (!this.connected && this.connecting) return this.#connectThen(() => this.handleWrite());
    return this.handleWrite();
  }

  /** An exceptional condition: a pending error closes, anything else is `handleExpt()`. */
  async handleExptEvent(): Promise<void> {
    const err = this.socket!.getsockopt(SOL_SOCKET, SO_ERROR);
    if (err !== 0) await this.handleClose();
    else await this.handleExpt();
  }

  // ---- handlers: what subclasses override -------------------------------------------------

  /**
   * A handler threw `error`: log a compact traceback through `logInfo(..., "error")`, then
   * `handleClose()`. Override it to re-throw (`throw error`, Python's bare `raise`) and the
   * loop stops with that error.
   *
   * @param error The error (Python's handler finds it in `sys.exc_info()`).
   */
  async handleError(error: unknown): Promise<void> {
    const [, type, value, info] = compactTraceback(error);
    let self: string;
    try {
      self = String(this);
    } catch {
      self = `<__repr__(self) failed for object at 0x${this.#id.toString(16)}>`;
    }
    this.logInfo(
      `uncaptured python exception, closing channel ${self} (${className(type, value)}:${
        errorText(value)
      } ${info})`,
      "error",
    );
    await this.handleClose();
  }

  /** Out-of-band data came (never, on Deno). */
  handleExpt(): void | Promise<void> {
    this.logInfo("unhandled incoming priority event", "warning");
  }

  /** Data (or EOF) can be read. */
  handleRead(): void | Promise<void> {
    this.logInfo("unhandled read event", "warning");
  }

  /** The socket can take bytes. */
  handleWrite(): void | Promise<void> {
    this.logInfo("unhandled write event", "warning");
  }

  /** The connect completed (`connected` turns true once this returns). */
  handleConnect(): void | Promise<void> {
    this.logInfo("unhandled connect event", "warning");
  }

  /** A connection is waiting: accept it and pass it to `handleAccepted`. */
  async handleAccept(): Promise<void> {
    const pair = await this.accept();
    if (pair !== null) await this.handleAccepted(...pair);
  }

  /**
   * A connection was accepted; by default it is closed.
   *
   * @param sock The new socket.
   * @param addr The peer's address.
   */
  handleAccepted(sock: Socket, addr: Address): void | Promise<void> {
    void addr;
    sock.close();
    this.logInfo("unhandled accepted event", "warning");
  }

  /** The peer is gone; by default the dispatcher closes. */
  handleClose(): void | Promise<void> {
    this.logInfo("unhandled close event", "warning");
    this.close();
  }
}

const EMPTY = new Uint8Array(0);
/** The events that tell what a stream's recv gives: `POLLIN` alone means buffered bytes. */
const READ_STATE = POLLIN | POLLRDHUP | POLLERR | POLLHUP | POLLNVAL;

/**
 * What `Dispatcher.send` makes of its socket's error: 0 for `EWOULDBLOCK`, 0 after
 * `handleClose()` when the peer is gone, else the error again. (A function of the module, so
 * that `DispatcherWithSend` can send with one Promise where it would chain two.)
 */
export async function sendFailed(d: Dispatcher<DispatcherSocket>, e: unknown): Promise<number> {
  if (hasErrno(e, WOULD_BLOCK)) return 0;
  if (hasErrno(e, DISCONNECTED)) {
    await d.handleClose();
    return 0;
  }
  throw e;
}

/** Python's `repr()` of an address: `'path'`, `('::1', 8080, 0, 0)`. */
function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `(${value.map(pyRepr).join(", ")})`;
  return String(value);
}
const WOULD_BLOCK: ReadonlySet<number> = new Set([EWOULDBLOCK]);
