// Python's socket object on Deno's sockets. Every call that can block in Python returns a
// Promise that settles when Python's call would return; readiness is the socket's own
// (see _core/readiness.ts), so select() and a blocked recv() wait on the same events.
import type { DatagramSocket } from "./_datagram_socket.ts";
import {
  type Address,
  type DenoTarget,
  fromDenoAddr,
  pyStr,
  toDenoTarget,
  unboundAddress,
} from "./_address.ts";
import { asBytes, type BytesLike, checkFlags, checkSize } from "../_core/bytes.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DENO_LOADBALANCED,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_PROTOCOL,
  SO_REUSEPORT,
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
  EALREADY,
  EBADF,
  EBUSY,
  ECONNREFUSED,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  EPROTONOSUPPORT,
} from "../_core/errno.ts";
import {
  BlockingIOError,
  fromDenoError,
  OSError,
  osError,
  timedOut,
  TimeoutError,
  ValueError,
} from "../_core/errors.ts";
import { allocateFd, releaseFd } from "../_core/fd_table.ts";
import { DatagramChannel } from "./_datagram.ts";
import { ListenerChannel } from "./_listener.ts";
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
  nextTurn,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  type ReadinessSource,
  readinessSource,
  type ReadinessWatcher,
  sourceFor,
  type Watchable,
  WatcherSet,
} from "../_core/readiness.ts";
import { awaiting } from "../_core/keep_alive.ts";
import type { ByteConn, ChannelOwner, ErrorMapper } from "../_core/channel.ts";
import { StreamChannel } from "./_stream.ts";
import { asCInt, asCLong, pyTypeName } from "../_core/args.ts";
import { socketArgs } from "./_socket_args.ts";
import { checkTimeout, setLongTimeout, withTimeout } from "../_core/timeout.ts";
import { getdefaulttimeout } from "./_default_timeout.ts";
import { type AbortOptions, checkSignal, NO_OPTIONS, raceAbort } from "../_core/abort.ts";
import {
  fromStream,
  isLive,
  socketReadable,
  socketWritable,
  type StreamCallOptions,
} from "./_web_streams.ts";
import {
  type BinaryMode,
  type IoRefs,
  type MakefileOptions,
  makeSocketFile,
  type SocketFile,
  type TextMode,
} from "./_socket_file.ts";

type State =
  | { kind: "fresh" }
  | { kind: "bound"; channel: ListenerChannel }
  | { kind: "listening"; channel: ListenerChannel }
  | { kind: "connecting"; abort: AbortController; done: Promise<void> }
  | { kind: "failed"; error: OSError }
  | { kind: "connected"; channel: StreamChannel }
  | { kind: "datagram"; channel: DatagramChannel }
  | { kind: "closed" };

const ALWAYS = POLLERR | POLLHUP | POLLNVAL;
/** Options an accepted connection takes from its listener, as Linux's accepted sockets do. */
const INHERITED_OPTIONS = [
  optionKey(IPPROTO_TCP, TCP_NODELAY),
  optionKey(SOL_SOCKET, SO_KEEPALIVE),
];

/**
 * The port a load-balanced listener binds: Deno shares such a listener between isolates by the
 * address asked for, so port 0 would give each isolate a port of its own. A free port is found
 * first with a plain listener (closed at once) and then bound by everyone.
 */
function freePortFor(hostname: string, port: number): number {
  if (port !== 0) return port;
  const probe = Deno.listen({ transport: "tcp", hostname, port: 0 });
  const found = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return found;
}

/**
 * Wraps a connection Deno gave us (from `accept()`, `Deno.connect()` or an in-memory pair) in
 * a connected socket, with `options` (a listener's) applied. Internal to pynet.
 */
export let wrapConn: (
  family: number,
  conn: ByteConn,
  options?: Map<string, number>,
  mapError?: ErrorMapper,
) => Socket;

/**
 * Replaces a connected stream socket's connection by what `upgrade` makes of it (a TLS
 * connection), once its read-ahead is parked and its send buffer drained; the socket object,
 * its descriptor and its watchers stay. On failure the plain connection is left as it was.
 * Internal to pynet: the `ssl` module's STARTTLS.
 */
export let upgradeConn: (
  sock: Socket,
  upgrade: (conn: ByteConn, clean: boolean) => Promise<UpgradedConn>,
) => Promise<void>;

/** What an upgrade makes: the new connection, and how its errors map to a socket's. */
export interface UpgradedConn {
  conn: ByteConn;
  mapError?: ErrorMapper;
}

/** A connected stream socket's connection and the count of received bytes not yet read. */
export let streamOf: (sock: Socket) => { conn: ByteConn; buffered: number } | null;

/**
 * Replaces a listening stream socket's listener by `make(address)` (a `Deno.listenTls` on the
 * same address), whose accepted connections' errors map through `acceptedErrors`. Internal to
 * pynet: the `ssl` module's server sockets.
 */
export let replaceListener: (
  sock: Socket,
  make: (address: Deno.NetAddr) => Deno.Listener,
  acceptedErrors?: ErrorMapper,
) => void;

/**
 * Python's qualified names of pynet's socket classes, for `repr()` (`socket.socket`,
 * `ssl.SSLSocket`); a user's subclass shows its own name, as CPython's `__main__.Name` does.
 * Internal to pynet.
 */
export const pythonClassNames: Map<unknown, string> = new Map();

/**
 * Makes a connected stream socket report `events` as its readiness instead of its
 * connection's, until called again with `null`. Internal to pynet: a non-blocking TLS
 * handshake runs in the background, and the socket must look ready only once it has settled
 * (CPython's `select` wakes for the handshake's progress, not for the plain connection's).
 */
export let holdReadiness: (sock: Socket, events: number | null) => void;

/**
 * Connections handed over by `detach()`, by pseudo descriptor, with what the kernel would keep
 * on the descriptor: the options set and a datagram socket's peer.
 */
const detached = new Map<
  number,
  {
    family: number;
    type: number;
    state: State;
    options: Map<string, number>;
    peer: DenoTarget | null;
  }
>();

/** What a socket dropped without `close()` leaves to close: held apart from the socket. */
interface Leftover {
  channel: { close(): void } | null;
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
 * console.log(new TextDecoder().decode(await conn.recv(1024))); // "ping"
 * ```
 */
export class Socket implements Watchable, Disposable {
  /** The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`). */
  readonly family: number;
  /** The socket type (`SOCK_STREAM`, `SOCK_DGRAM`), without creation flags. */
  readonly type: number;
  /** The protocol number given at creation (usually 0). */
  readonly proto: number;

  #fd: number;
  #state: State = { kind: "fresh" };
  #timeout: number | null;
  #options = new Map<string, number>();
  #watchers = new WatcherSet();
  #source: ReadinessSource;
  #ioRefs = 0;
  #closeRequested = false;
  #peer: DenoTarget | null = null;
  /** The port bind() asked for: Deno can connect from an ephemeral port only. */
  #bindPort = 0;
  /** Readiness held by `holdReadiness` while a connected socket's handshake runs. */
  #heldEvents: number | null = null;
  /** The Web Streams, made on first use (see _web_streams.ts). */
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;
  /**
   * This socket, weakly: what its channels and files call back through. A socket the program
   * can no longer reach is collected, and its pseudo descriptor's entry then closes what it
   * leaves (`#leftover`), as CPython closes a socket object it frees (see _core/fd_table.ts). Nothing
   * outside the socket may hold it for this, not even a read-ahead running; what the program
   * awaits holds it (_core/keep_alive.ts).
   */
  #self: WeakRef<Socket>;
  /** What the channels tell of their changes (see `#callbacks`). */
  #owner: ChannelOwner;
  /** The listener channel's `reject`. */
  #rejects: (conn: Deno.Conn) => boolean;
  #leftover: Leftover = { channel: null };

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
    this.family = family;
    this.type = kind;
    this.proto = proto;
    this.#timeout = type & SOCK_NONBLOCK ? 0 : getdefaulttimeout();
    this.#self = new WeakRef(this);
    [this.#owner, this.#rejects] = Socket.#callbacks(this.#self);
    this.#source = sourceFor({
      fileno: () => this.#fd,
      pollEvents: () => this.#pollEvents(),
      armRead: () => this.#armRead(),
    }, this.#watchers);
    if (fileno !== null) {
      asCLong(fileno);
      if (fileno < 0) throw new ValueError("negative file descriptor");
      const found = detached.get(fileno);
      if (!found) throw new OSError(EBADF);
      if (found.family !== family || found.type !== kind) throw new OSError(EINVAL);
      detached.delete(fileno);
      this.#state = found.state;
      this.#options = found.options;
      this.#peer = found.peer;
      if ("channel" in found.state) {
        found.state.channel.adopt(this.#owner);
        this.#leftover.channel = found.state.channel;
      }
    }
    this.#fd = allocateFd(this, this.#self, Socket.#closerOf(this.#leftover));
  }

  static {
    pythonClassNames.set(Socket, "socket.socket");
    wrapConn = (family, conn, options, mapError) => {
      const sock = new Socket(family, SOCK_STREAM);
      sock.#attach(conn, mapError);
      if (options) {
        for (const key of INHERITED_OPTIONS) {
          const value = options.get(key);
          if (value) sock.#options.set(key, value);
        }
        sock.#applyConnOptions();
      }
      return sock;
    };
    upgradeConn = async (sock, upgrade) => {
      const state = sock.#open();
      if (state.kind !== "connected") throw new OSError(ENOTCONN);
      const { conn, clean } = await state.channel.park();
      let upgraded: UpgradedConn;
      try {
        upgraded = await upgrade(conn, clean);
      } catch (e) {
        state.channel.unpark();
        throw e;
      }
      if (sock.#state !== state) {
        upgraded.conn.close();
        throw new OSError(EBADF);
      }
      sock.#attach(upgraded.conn, upgraded.mapError);
    };
    holdReadiness = (sock, events) => {
      sock.#heldEvents = events;
      sock.#changed();
    };
    streamOf = (sock) => {
      const state = sock.#state;
      if (state.kind !== "connected") return null;
      return { conn: state.channel.conn, buffered: state.channel.buffered };
    };
    replaceListener = (sock, make, acceptedErrors) => {
      const state = sock.#open();
      if (state.kind !== "listening" && state.kind !== "bound") throw new OSError(EINVAL);
      const address = state.channel.listener.addr;
      if (!("hostname" in address)) throw new OSError(EINVAL);
      state.channel.close();
      let listener: Deno.Listener;
      try {
        listener = make(address);
      } catch (e) {
        sock.#state = { kind: "fresh" };
        throw fromDenoError(e);
      }
      const channel = new ListenerChannel(listener, sock.#owner, {
        reject: sock.#rejects,
        acceptedErrors,
      });
      sock.#state = { kind: state.kind, channel };
      sock.#leftover.channel = channel;
      sock.#changed();
    };
  }

  /**
   * The channels' callbacks, made here rather than in the constructor: V8 gives the closures
   * of one scope one shared context, and the constructor's other closures hold `this`.
   */
  static #callbacks(
    self: WeakRef<Socket>,
  ): [owner: ChannelOwner, rejects: (conn: Deno.Conn) => boolean] {
    return [
      {
        changed: () => {
          const sock = self.deref();
          if (sock) sock.#changed();
        },
      },
      (conn) => {
        const sock = self.deref();
        return sock ? sock.#rejectsPeer(conn) : false;
      },
    ];
  }

  /** What closes a collected socket's leftover: it must not hold the socket either. */
  static #closerOf(leftover: Leftover): () => void {
    return () => leftover.channel?.close();
  }

  /** The refs a `makefile()` file holds, through `self` (see `#callbacks`). */
  static #ioRefsOf(self: WeakRef<Socket>): IoRefs {
    return {
      retain: () => {
        const sock = self.deref();
        if (sock) sock.#ioRefs++;
      },
      release: () => {
        const sock = self.deref();
        if (!sock) return;
        sock.#ioRefs--;
        if (sock.#ioRefs === 0 && sock.#closeRequested) sock.#realClose();
      },
    };
  }

  #attach(conn: ByteConn, mapError?: ErrorMapper): void {
    const channel = new StreamChannel(conn, this.#owner, mapError);
    this.#state = { kind: "connected", channel };
    this.#leftover.channel = channel;
    this.#changed();
  }

  // ---- readiness -------------------------------------------------------------------------

  /** The readiness source `select` and `selectors` watch. */
  [readinessSource](): ReadinessSource {
    return this.#source;
  }

  #pollEvents(): number {
    const state = this.#state;
    switch (state.kind) {
      case "closed":
        return POLLNVAL;
      case "fresh":
      case "bound":
        return this.type === SOCK_STREAM ? POLLOUT | POLLHUP : POLLOUT;
      case "connecting":
        return 0;
      case "failed":
        return POLLIN | POLLOUT | POLLERR | POLLHUP;
      case "connected":
        return this.#heldEvents ?? state.channel.pollEvents();
      default:
        return state.channel.pollEvents();
    }
  }

  #armRead(sizeHint = 0): void {
    const state = this.#state;
    if (state.kind === "connected") state.channel.armRead(sizeHint);
    else if (state.kind === "listening" || state.kind === "datagram") state.channel.armRead();
  }

  #changed(): void {
    if (this.#watchers.interest & POLLIN) this.#armRead();
    this.#watchers.notify(this.#source);
  }

  /**
   * Waits until `events` (or an error, hang-up or close) hold, as the socket's mode says:
   * at once or `BlockingIOError` when non-blocking, up to the timeout, or without limit.
   */
  async #ready(
    events: number,
    flags = 0,
    sizeHint = 0,
    timeout = flags & MSG_DONTWAIT ? 0 : this.#timeout,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#pollEvents() & (events | ALWAYS)) return;
    if (events & POLLIN) this.#armRead(sizeHint);
    if (timeout === 0) {
      // One event-loop turn lets input that has already arrived complete the read-ahead.
      await nextTurn();
      if (this.#pollEvents() & (events | ALWAYS)) return;
      throw new BlockingIOError(EAGAIN);
    }
    let undo = () => {};
    const waiting = new Promise<void>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      const watcher: ReadinessWatcher = {
        readinessChanged: () => {
          if (!(this.#pollEvents() & (events | ALWAYS))) return;
          this.#watchers.delete(watcher);
          cancelTimer?.();
          resolve();
        },
      };
      this.#watchers.add(watcher, events);
      if (timeout !== null) {
        cancelTimer = setLongTimeout(() => {
          this.#watchers.delete(watcher);
          reject(timedOut());
        }, timeout * 1000);
      }
      // An abort: the wait is over (and settled, so nothing that holds it stays held).
      undo = () => {
        this.#watchers.delete(watcher);
        cancelTimer?.();
        resolve();
      };
    });
    // The timer holds a timed wait; an untimed one waits on unref'd reads, so it holds the
    // process (and this socket) itself.
    await raceAbort(timeout === null ? awaiting(this, waiting) : waiting, signal, () => undo());
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
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * const [, port] = s.getsockname() as [string, number];
   * console.log(port > 0); // true
   * ```
   */
  bind(address: Address): void {
    const state = this.#open();
    if (state.kind !== "fresh") throw new OSError(EINVAL);
    const datagram = this.type === SOCK_DGRAM;
    const target = toDenoTarget(this.family, datagram, address, "bind");
    this.#bindPort = "port" in target ? target.port : 0;
    if (datagram) {
      const channel = this.#openDatagram(target);
      this.#state = { kind: "datagram", channel };
      this.#leftover.channel = channel;
      return;
    }
    const reusePort = (this.#options.get(optionKey(SOL_SOCKET, SO_REUSEPORT)) ?? 0) !== 0;
    // Deno exits the whole process on reusePort without --unstable-net: check first.
    if (reusePort && !hasUnstableNet()) throw unstableNetError("SO_REUSEPORT");
    const loadBalanced =
      (this.#options.get(optionKey(SOL_SOCKET, SO_DENO_LOADBALANCED)) ?? 0) !== 0;
    let listener: Deno.Listener;
    try {
      listener = "path" in target
        ? Deno.listen({ transport: "unix", path: target.path })
        : Deno.listen({
          transport: "tcp",
          hostname: target.hostname,
          port: loadBalanced ? freePortFor(target.hostname, target.port) : target.port,
          ...(reusePort ? { reusePort: true } : {}),
          ...(loadBalanced ? { loadBalanced: true } : {}),
        });
    } catch (e) {
      throw fromDenoError(e);
    }
    const channel = new ListenerChannel(listener, this.#owner, { reject: this.#rejects });
    this.#state = { kind: "bound", channel };
    this.#leftover.channel = channel;
  }

  #openDatagram(target: DenoTarget): DatagramChannel {
    try {
      const conn = "path" in target
        ? Deno.listenDatagram({ transport: "unixpacket", path: target.path })
        : Deno.listenDatagram({
          transport: "udp",
          hostname: target.hostname,
          port: target.port,
        });
      return new DatagramChannel(conn, this.#owner);
    } catch (e) {
      throw fromDenoError(e);
    }
  }

  /** An IPv6-only listener drops IPv4-mapped peers, since Deno cannot set IPV6_V6ONLY. */
  #rejectsPeer(conn: Deno.Conn): boolean {
    if (!this.#options.get(optionKey(IPPROTO_IPV6, IPV6_V6ONLY))) return false;
    const remote = conn.remoteAddr;
    return "hostname" in remote && remote.hostname.toLowerCase().startsWith("::ffff:");
  }

  /**
   * Starts accepting connections. An unbound stream socket is first bound to an ephemeral port
   * on all interfaces, as Linux does.
   *
   * @param backlog Accepted for compatibility; Deno's listeners queue up to 511 connections.
   * @throws {OSError} `EOPNOTSUPP` on a datagram socket.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * s.listen(5);
   * ```
   */
  listen(backlog?: number): void {
    if (backlog !== undefined) asCInt(backlog);
    let state = this.#open();
    if (this.type !== SOCK_STREAM) throw new OSError(EOPNOTSUPP);
    if (state.kind === "fresh") {
      this.bind(this.family === AF_UNIX ? "" : unboundAddress(this.family));
      state = this.#state;
    }
    if (state.kind === "bound") {
      this.#state = { kind: "listening", channel: state.channel };
      this.#changed();
    } else if (state.kind !== "listening") {
      throw new OSError(EINVAL);
    }
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
   * @example
   * ```ts
   * import { createConnection, createServer } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = await createConnection(server.getsockname() as [string, number]);
   * const [conn, address] = await server.accept();
   * using _conn = conn;
   * console.log(address[0]); // "127.0.0.1"
   * ```
   */
  async accept(options: AbortOptions = NO_OPTIONS): Promise<[Socket, Address]> {
    checkSignal(options.signal);
    const state = this.#open();
    if (this.type !== SOCK_STREAM) throw new OSError(EOPNOTSUPP);
    if (state.kind !== "listening") throw new OSError(EINVAL);
    const start = performance.now();
    let conn: Deno.Conn | null = null;
    // Another accept() waiting at the same time may take the connection first: wait on.
    while (conn === null) {
      await this.#ready(POLLIN, 0, 0, timeLeft(this.#timeout, start), options.signal);
      this.#open();
      // Taking a connection (or an error) lets the channel accept ahead again for watchers.
      conn = state.channel.take();
    }
    const sock = wrapConn(this.family, conn, this.#options, state.channel.acceptedErrors);
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
   * @example
   * ```ts
   * import { createServer, socket } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = socket();
   * await client.connect(server.getsockname());
   * console.log(client.getpeername()); // the server's address
   * ```
   */
  async connect(address: Address, options: AbortOptions = NO_OPTIONS): Promise<void> {
    checkSignal(options.signal);
    const state = this.#open();
    const datagram = this.type === SOCK_DGRAM;
    const target = toDenoTarget(this.family, datagram, address, "connect");
    if (datagram) {
      this.#connectDatagram(target);
      return;
    }
    switch (state.kind) {
      case "connected":
        throw new OSError(EISCONN);
      case "connecting":
        throw new BlockingIOError(EALREADY);
      case "listening":
        throw new OSError(EISCONN); // as Linux
      case "bound":
        this.#unbindForConnect(state.channel);
    }
    const done = this.#startConnect(target);
    if (this.#timeout === 0) {
      done.catch(() => {}); // reported through readiness and SO_ERROR
      throw new BlockingIOError(EINPROGRESS);
    }
    try {
      await raceAbort(withTimeout(done, this.#timeout, timedOut), options.signal);
    } catch (e) {
      const current = this.#state;
      if (current.kind === "connecting") current.abort.abort();
      done.catch(() => {});
      // A blocking connect reports its error itself; the socket may try again.
      if (this.#state.kind === "failed" || this.#state.kind === "connecting") {
        this.#state = { kind: "fresh" };
      }
      throw e;
    }
  }

  /** Deno cannot connect from a chosen local address: only an ephemeral bind is undone. */
  #unbindForConnect(channel: ListenerChannel): void {
    channel.close();
    this.#state = { kind: "fresh" };
    if (this.family === AF_UNIX || this.#bindPort !== 0) {
      throw new OSError(
        EOPNOTSUPP,
        "Operation not supported: Deno cannot connect from a chosen local address " +
          "(Deno.connect has no local-address option); connect without bind()",
      );
    }
  }

  #startConnect(target: DenoTarget): Promise<void> {
    const abort = new AbortController();
    const connecting = "path" in target
      ? Deno.connect({ transport: "unix", path: target.path })
      : target.port === 0
      // Linux refuses port 0 at once; Deno would raise a TypeError.
      ? Promise.reject(osError(ECONNREFUSED))
      : Deno.connect({ hostname: target.hostname, port: target.port, signal: abort.signal });
    // Compared by identity: an abandoned (timed-out, aborted) connect that completes late must
    // not take over the socket while a newer connect runs.
    const done = connecting.then(
      (conn) => {
        if (this.#state !== mine) {
          conn.close();
          throw new OSError(EBADF);
        }
        this.#attach(conn);
        this.#applyConnOptions();
      },
      (e) => {
        const error = e instanceof DOMException && e.name === "AbortError"
          ? timedOut()
          : fromDenoError(e) as OSError;
        if (this.#state === mine) {
          this.#state = { kind: "failed", error };
          this.#changed();
        }
        throw error;
      },
    );
    const mine: State = { kind: "connecting", abort, done };
    this.#state = mine;
    return done;
  }

  #connectDatagram(target: DenoTarget): void {
    const channel = this.#datagramChannel(target);
    channel.peer = target;
    this.#peer = target;
  }

  /** The datagram channel, binding an unbound socket to an ephemeral port first. */
  #datagramChannel(toward: DenoTarget): DatagramChannel {
    const state = this.#open();
    if (state.kind === "datagram") return state.channel;
    if ("path" in toward) {
      throw new OSError(
        EOPNOTSUPP,
        "Operation not supported: Deno cannot send from an unbound AF_UNIX datagram socket; " +
          "bind() it to a path first",
      );
    }
    this.bind(implicitBindAddress(this.family, toward));
    return (this.#state as { channel: DatagramChannel }).channel;
  }

  /**
   * Like `connect`, but resolves to an error number instead of rejecting with `OSError`:
   * 0 on success, `EINPROGRESS` (115) for a non-blocking connect under way.
   *
   * @param address The peer's address.
   * @returns 0 or an errno value.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * console.log(await s.connectEx(["127.0.0.1", 1])); // 111 (ECONNREFUSED)
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
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * const s = socket();
   * s.close();
   * s.close();
   * console.log(s.fileno()); // -1
   * ```
   */
  close(): void {
    this.#closeRequested = true;
    if (this.#ioRefs === 0) this.#realClose();
  }

  #realClose(): void {
    const state = this.#state;
    if (state.kind === "closed") return;
    this.#state = { kind: "closed" };
    this.#leftover.channel = null;
    if (state.kind === "connecting") state.abort.abort();
    if ("channel" in state) state.channel.close();
    releaseFd(this.#fd);
    this.#fd = -1;
    this.#watchers.notify(this.#source);
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
   * @example
   * ```ts
   * import { AF_INET, SOCK_STREAM, Socket } from "@pynet/net/socket";
   * const s = new Socket();
   * const fd = s.detach();
   * using again = new Socket(AF_INET, SOCK_STREAM, 0, fd);
   * console.log(s.fileno(), again.fileno() >= 0); // -1 true
   * ```
   */
  detach(): number {
    const state = this.#state;
    if (state.kind === "closed") return -1;
    const fd = this.#fd;
    detached.set(fd, {
      family: this.family,
      type: this.type,
      state,
      options: this.#options,
      peer: this.#peer,
    });
    this.#state = { kind: "closed" };
    this.#leftover.channel = null;
    releaseFd(fd);
    this.#fd = -1;
    this.#watchers.notify(this.#source);
    return fd;
  }

  /**
   * The socket's pseudo descriptor: a number unique among open pynet objects (Deno exposes no
   * real descriptors), or -1 once closed. `select` accepts it in place of the socket.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * console.log(s.fileno() >= 3); // true
   * ```
   */
  fileno(): number {
    return this.#fd;
  }

  #open(): State {
    if (this.#state.kind === "closed") throw new OSError(EBADF);
    return this.#state;
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

  #stream(): StreamChannel {
    const state = this.#open();
    if (state.kind === "connected") return state.channel;
    if (state.kind === "failed") {
      this.#state = { kind: "fresh" };
      throw state.error;
    }
    throw new OSError(ENOTCONN);
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
   * @example
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("hello"));
   * console.log(new TextDecoder().decode(await b.recv(1024))); // "hello"
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
      const state = this.#state;
      if (state.kind === "connected" && state.channel.buffered > 0) {
        const data = state.channel.take(bufsize);
        if (this.#watchers.interest & POLLIN) state.channel.armRead();
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
      return (await this.#recvDatagram(bufsize, flags, options.signal))[0];
    }
    return await this.#recvStream(bufsize, flags, options.signal);
  }

  /**
   * A stream recv. With `holdError` (a `MSG_WAITALL` recv that has gathered bytes), a pending
   * error is left for the next call and the result is empty, so no gathered byte is lost.
   */
  async #recvStream(
    bufsize: number,
    flags: number,
    signal?: AbortSignal,
    holdError = false,
  ): Promise<Uint8Array> {
    let channel = this.#stream();
    if (bufsize === 0) return new Uint8Array(0);
    const peek = (flags & MSG_PEEK) !== 0;
    const timeout = flags & MSG_DONTWAIT ? 0 : this.#timeout;
    if (flags & MSG_WAITALL && !peek && timeout === null) {
      return await this.#recvAll(bufsize, flags, signal);
    }
    // With a signal, the read-ahead path below: an abort leaves its read running.
    if (timeout === null && channel.canReadNow && !signal) {
      // Blocking with nothing buffered: read straight away, the cost of a raw Deno read.
      await channel.readNow(bufsize);
      channel = this.#stream();
    }
    // Only a timed call needs the clock (timeLeft leaves null and 0 as they are).
    const start = timeout ? performance.now() : 0;
    // Another recv() waiting at the same time may take the input first: wait on.
    while (!channel.readable) {
      await this.#ready(POLLIN, flags, bufsize, timeLeft(timeout, start), signal);
      channel = this.#stream();
      // A background write error wakes the wait too; like a pending SO_ERROR, recv reports it.
      if (channel.readable) break;
      if (holdError && channel.hasWriteError) return new Uint8Array(0);
      const error = channel.takeWriteError();
      if (error) throw error;
    }
    const data = channel.take(bufsize, peek, holdError);
    if (this.#watchers.interest & POLLIN) channel.armRead();
    return data;
  }

  /**
   * A blocking `MSG_WAITALL` recv: reads until `bufsize` bytes, EOF or an error. The bytes
   * gathered are returned first and the error raised by the next call, as Linux's recv
   * returns what it has copied when the connection fails. With a timeout (or non-blocking)
   * CPython's socket is non-blocking underneath, where Linux ignores MSG_WAITALL: a plain
   * recv, whose bytes a timeout cannot lose. An abort part way gives the gathered bytes back
   * for the next recv.
   */
  async #recvAll(bufsize: number, flags: number, signal?: AbortSignal): Promise<Uint8Array> {
    const out = new Uint8Array(bufsize);
    let filled = 0;
    while (filled < bufsize) {
      let piece: Uint8Array;
      try {
        piece = await this.#recvStream(bufsize - filled, flags & ~MSG_WAITALL, signal, filled > 0);
      } catch (e) {
        // Aborted part way: what was gathered goes back for the next recv, not lost.
        if (signal?.aborted && this.#state.kind === "connected") {
          this.#state.channel.unread(out.slice(0, filled));
        }
        throw e;
      }
      if (piece.length === 0) break;
      out.set(piece, filled);
      filled += piece.length;
    }
    return filled === bufsize ? out : out.slice(0, filled);
  }

  async #recvDatagram(
    bufsize: number,
    flags: number,
    signal?: AbortSignal,
  ): Promise<[Uint8Array, Address]> {
    let state = this.#open();
    const timeout = flags & MSG_DONTWAIT ? 0 : this.#timeout;
    // Only a timed wait reads the clock: a burst's datagrams are received one call each.
    const start = timeout === null ? 0 : performance.now();
    if (state.kind !== "datagram") {
      // An unbound datagram socket waits forever in Python; here it waits for its timeout.
      await this.#ready(POLLIN, flags, 0, timeLeft(timeout, start), signal);
      state = this.#open();
      if (state.kind !== "datagram") throw new OSError(EINVAL);
    }
    const channel = state.channel;
    let next = channel.take((flags & MSG_PEEK) !== 0);
    // Another recv() waiting at the same time may take the datagram first: wait on.
    while (next === null) {
      // A blocking wait waits on the channel itself, cheaply (see `next` in _datagram.ts); one
      // with a signal takes the readiness wait, which an abort can end.
      if (timeout === null && !signal) await channel.next();
      else await this.#ready(POLLIN, flags, 0, timeLeft(timeout, start), signal);
      this.#open();
      next = channel.take((flags & MSG_PEEK) !== 0);
    }
    if (this.#watchers.interest & POLLIN) channel.armRead();
    const [data, from] = next;
    return [data.length > bufsize ? data.slice(0, bufsize) : data, fromDenoAddr(this.family, from)];
  }

  /**
   * Receives up to `bufsize` bytes and the sender's address (`null` for a connected stream).
   *
   * @param bufsize The most bytes to return.
   * @param flags As for `recv`.
   * @returns `[data, address]`.
   *
   * @example
   * ```ts
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * // Datagram sockets need Deno's --unstable-net flag.
   * using a = new Socket(AF_INET, SOCK_DGRAM);
   * using b = new Socket(AF_INET, SOCK_DGRAM);
   * b.bind(["127.0.0.1", 0]);
   * await a.sendto(new Uint8Array([1, 2, 3]), b.getsockname());
   * const [data, from] = await b.recvfrom(1024);
   * console.log(data.length, from); // 3 ["127.0.0.1", <a's port>]
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
    if (this.type === SOCK_DGRAM) return this.#recvDatagram(bufsize, flags, options.signal);
    return [await this.#recvStream(bufsize, flags, options.signal), null];
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
   * @example
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([7, 8, 9]));
   * const buffer = new Uint8Array(16);
   * console.log(await b.recvInto(buffer)); // 3
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
   * @example
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([1]));
   * console.log(await b.recvfromInto(new Uint8Array(4))); // [1, null]
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
    const signal = options.signal;
    checkSize(nbytes, caller);
    if (nbytes > target.length) {
      throw new ValueError(
        caller === "recv_into"
          ? "buffer too small for requested bytes"
          : "nbytes is greater than the length of the buffer",
      );
    }
    const size = nbytes || target.length;
    // The private paths, not recvfrom(): a subclass (SSLSocket) may refuse recvfrom().
    checkFlags(flags);
    this.#enter(options, this.#readable);
    if (this.type === SOCK_STREAM && flags === 0 && this.#timeout === null && size > 0 && !signal) {
      const channel = this.#stream();
      if (channel.canReadNow) {
        // Blocking with nothing buffered: read straight into the caller's buffer.
        const n = await channel.readInto(target.subarray(0, size));
        this.#stream();
        if (n !== null) return [n, null];
      }
    }
    const [data, from] = this.type === SOCK_DGRAM
      ? await this.#recvDatagram(size, flags, signal)
      : [await this.#recvStream(size, flags, signal), null];
    target.set(data);
    return [data.length, from];
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
   * @example
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * console.log(await a.send(new Uint8Array(10))); // 10
   * ```
   */
  send(
    data: BytesLike,
    flags: number = 0,
    options: AbortOptions = NO_OPTIONS,
  ): Promise<number> {
    // A non-blocking send with room in the send buffer: taken now, without the async path's
    // frames. The checks are the async path's, in its order.
    if (
      flags === 0 && options === NO_OPTIONS && this.#timeout === 0 &&
      this.#state.kind === "connected" && !this.#writable?.locked
    ) {
      try {
        const bytes = asBytes(data);
        const channel = this.#writableStream();
        if (bytes.length === 0) return Promise.resolve(0);
        if (this.#pollEvents() & (POLLOUT | ALWAYS)) return Promise.resolve(channel.enqueue(bytes));
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
    if (this.type === SOCK_DGRAM) return await this.#sendDatagram(bytes, null, options.signal);
    // Linux waits for a connect under way (EAGAIN when non-blocking), not ENOTCONN.
    if (this.#state.kind === "connecting") {
      await this.#ready(POLLOUT, flags, 0, undefined, options.signal);
    }
    const channel = this.#writableStream();
    if (bytes.length === 0) return 0;
    // With a signal, the buffered path below: its wait can be cancelled, a write cannot.
    if (channel.idle && this.#timeout === null && !(flags & MSG_DONTWAIT) && !options.signal) {
      return await channel.writeOnce(bytes);
    }
    // With room in the send buffer, no wait (and no extra Promise) before taking the bytes.
    if (!(this.#pollEvents() & (POLLOUT | ALWAYS))) {
      await this.#sendReady(channel, flags, this.#timeout, options.signal);
    }
    return this.#writableStream().enqueue(bytes);
  }

  /** Waits until the send buffer has room; a timeout there tells the stream its peer stalled. */
  async #sendReady(
    channel: StreamChannel,
    flags: number,
    timeout: number | null,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.#ready(POLLOUT, flags, 0, flags & MSG_DONTWAIT ? 0 : timeout, signal);
    } catch (e) {
      if (e instanceof TimeoutError) channel.sendTimedOut();
      throw e;
    }
  }

  /**
   * Sends all of `data`. With a timeout, the whole call must finish within it.
   *
   * @param data The bytes.
   * @param flags As for `send`.
   * @throws {TimeoutError} When the timeout runs out (some bytes may have been sent).
   * @throws {BrokenPipeError} The peer has closed.
   *
   * @example
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
    if (this.type === SOCK_DGRAM) {
      await this.#sendDatagram(bytes, null, options.signal);
      return;
    }
    if (this.#state.kind === "connecting") {
      await this.#ready(POLLOUT, flags, 0, undefined, options.signal);
    }
    const channel = this.#writableStream();
    if (channel.idle && this.#timeout === null && !(flags & MSG_DONTWAIT) && !options.signal) {
      return await channel.writeAll(bytes);
    }
    const timeout = flags & MSG_DONTWAIT ? 0 : this.#timeout;
    const start = timeout ? performance.now() : 0;
    let offset = 0;
    while (offset < bytes.length) {
      let left: number | null;
      try {
        left = timeLeft(timeout, start);
      } catch (e) {
        channel.sendTimedOut();
        throw e;
      }
      await this.#sendReady(channel, flags, left, options.signal);
      offset += this.#writableStream().enqueue(bytes.subarray(offset));
    }
  }

  #writableStream(): StreamChannel {
    const kind = this.#state.kind;
    // Linux: a send on a TCP socket never connected is EPIPE (ENOTCONN for AF_UNIX).
    if ((kind === "fresh" || kind === "bound" || kind === "listening") && this.family !== AF_UNIX) {
      throw osError(EPIPE);
    }
    const channel = this.#stream();
    const error = channel.takeSendError();
    if (error) throw error;
    if (channel.writeShut) throw osError(EPIPE); // BrokenPipeError, as CPython raises
    return channel;
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
   * @example
   * ```ts
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * using s = new Socket(AF_INET, SOCK_DGRAM);
   * using peer = new Socket(AF_INET, SOCK_DGRAM);
   * peer.bind(["127.0.0.1", 0]);
   * console.log(await s.sendto(new Uint8Array(3), peer.getsockname())); // 3
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
      const state = this.#open();
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
    return await this.#sendDatagram(bytes, to, options.signal);
  }

  async #sendDatagram(
    bytes: Uint8Array,
    to: DenoTarget | null,
    signal?: AbortSignal,
  ): Promise<number> {
    const target = to ?? this.#peer;
    if (target === null) throw new OSError(89, "Destination address required");
    const channel = this.#datagramChannel(target);
    try {
      // An abort settles the call; a datagram already handed to Deno may still go, as one
      // handed to the kernel would.
      return await raceAbort(channel.conn.send(bytes, target as Deno.Addr), signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      throw fromDenoError(e);
    }
  }

  /**
   * Shuts down one or both halves of the connection: `SHUT_RD` (a recv waiting in another
   * task returns EOF at once, as do later ones), `SHUT_WR` (the peer reads EOF once the
   * buffered bytes are sent) or `SHUT_RDWR`.
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @throws {OSError} `ENOTCONN` when not connected, `EINVAL` for another `how`.
   *
   * @example
   * ```ts
   * import { SHUT_WR, socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * a.shutdown(SHUT_WR);
   * console.log((await b.recv(10)).length); // 0: EOF
   * ```
   */
  shutdown(how: number): void {
    asCInt(how);
    // As CPython: the descriptor (EBADF) before the value (EINVAL).
    const state = this.#open();
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
    return this.#readable ??= socketReadable(this, (bytes) => {
      const state = this.#state;
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
    this.#stream();
  }

  // ---- addresses and modes -------------------------------------------------------------------

  /**
   * The socket's own address.
   *
   * @returns `[host, port]`, `[host, port, flowinfo, scopeId]` or a Unix path.
   * @throws {OSError} `EBADF` when closed.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * console.log(s.getsockname()); // ["0.0.0.0", 0]
   * ```
   */
  getsockname(): Address {
    const state = this.#open();
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
   * @example
   * ```ts
   * import { createConnection, createServer } from "@pynet/net/socket";
   * using server = createServer(["127.0.0.1", 0]);
   * using client = await createConnection(server.getsockname() as [string, number]);
   * console.log(client.getpeername()); // the server's address
   * ```
   */
  getpeername(): Address {
    const state = this.#open();
    if (state.kind === "connected") {
      const conn = state.channel.conn as Partial<Deno.Conn>;
      return fromDenoAddr(this.family, conn.remoteAddr);
    }
    if (state.kind === "datagram" && this.#peer) {
      return fromDenoAddr(this.family, this.#peer as Deno.Addr);
    }
    throw new OSError(ENOTCONN);
  }

  /**
   * Sets blocking (`true`: no timeout) or non-blocking (`false`: timeout 0) mode.
   *
   * @param flag The mode.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.setblocking(false);
   * console.log(s.gettimeout()); // 0
   * ```
   */
  setblocking(flag: boolean): void {
    // CPython reads the flag as a C long (None and floats are TypeErrors) before it sets
    // O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    asCLong(flag);
    this.#open();
    this.#timeout = flag ? null : 0;
  }

  /**
   * Whether the socket blocks (its timeout is not 0).
   *
   * @returns `false` in non-blocking mode.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.settimeout(10);
   * console.log(s.getblocking()); // true
   * ```
   */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /**
   * Sets the timeout of blocking calls: seconds, 0 for non-blocking, `null` for none.
   *
   * @param value The timeout.
   * @throws {ValueError} For a negative value.
   * @throws {OverflowError} For a value too large for CPython's clock (`Infinity`, 1e10).
   * @throws {TypeError} For something not a number.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * s.settimeout(2.5);
   * console.log(s.gettimeout()); // 2.5
   * ```
   */
  settimeout(value: number | null): void {
    const timeout = checkTimeout(value);
    // CPython sets O_NONBLOCK on the descriptor, so a closed socket raises EBADF.
    this.#open();
    this.#timeout = timeout;
  }

  /**
   * The timeout in seconds, 0 when non-blocking, or `null` when calls wait without limit.
   *
   * @returns The timeout.
   *
   * @example
   * ```ts
   * import { socket } from "@pynet/net/socket";
   * using s = socket();
   * console.log(s.gettimeout()); // null (unless setdefaulttimeout() was called)
   * ```
   */
  gettimeout(): number | null {
    return this.#timeout;
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
   * @example
   * ```ts
   * import { IPPROTO_TCP, socket, TCP_NODELAY } from "@pynet/net/socket";
   * using s = socket();
   * s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
   * console.log(s.getsockopt(IPPROTO_TCP, TCP_NODELAY)); // 1
   * ```
   */
  setsockopt(level: number, option: number, value: number | boolean | Uint8Array): void {
    const parsed = parseSetOption(level, option, value);
    this.#open();
    const recorded = checkSetOption(this.family, this.type, level, option, parsed);
    if (level === IPPROTO_IPV6 && this.family !== AF_INET6) throw new OSError(ENOPROTOOPT);
    this.#options.set(optionKey(level, option), recorded);
    this.#applyConnOptions();
  }

  #applyConnOptions(): void {
    const state = this.#state;
    if (state.kind !== "connected") return;
    const conn = state.channel.conn as Partial<Deno.TcpConn>;
    const noDelay = this.#options.get(optionKey(IPPROTO_TCP, TCP_NODELAY));
    const keepAlive = this.#options.get(optionKey(SOL_SOCKET, SO_KEEPALIVE));
    try {
      if (noDelay !== undefined) conn.setNoDelay?.(noDelay !== 0);
      if (keepAlive !== undefined) conn.setKeepAlive?.(keepAlive !== 0);
    } catch (e) {
      throw fromDenoError(e);
    }
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
   * @example
   * ```ts
   * import { SO_ERROR, SO_TYPE, SOL_SOCKET, socket } from "@pynet/net/socket";
   * using s = socket();
   * console.log(s.getsockopt(SOL_SOCKET, SO_TYPE)); // 1 (SOCK_STREAM)
   * console.log(s.getsockopt(SOL_SOCKET, SO_ERROR)); // 0
   * ```
   */
  getsockopt(level: number, option: number, buflen?: number): number {
    parseGetOption(level, option, buflen);
    const state = this.#open();
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
          return this.#takeSocketError(state);
        case SO_BROADCAST:
          return this.#options.get(optionKey(level, option)) ?? 0;
      }
    }
    return this.#options.get(optionKey(level, option)) ?? 0;
  }

  #takeSocketError(state: State): number {
    if (state.kind === "failed") {
      this.#state = { kind: "fresh" };
      return state.error.errno ?? 0;
    }
    if (state.kind === "connected") return state.channel.takeWriteError()?.errno ?? 0;
    return 0;
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
   * @example
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("one\ntwo\n"));
   * await using reader = b.makefile("r", { encoding: "utf-8" });
   * console.log(await reader.readline()); // "one\n"
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
    this.#open();
    // The file holds this socket (as CPython's does); its refs must not, since they are what
    // the file leaves behind when it is collected unclosed (see _socket_file.ts).
    return makeSocketFile(this, mode, options, Socket.#ioRefsOf(this.#self));
  }

  /**
   * Python's `repr()` of the socket. CPython 3.11 prints the family and type as numbers (its
   * enums' `str()`), and each address that is not empty, as `str()` prints it.
   */
  toString(): string {
    // Python marks the socket closed at close(), even while a makefile() file keeps it open.
    const closed = this.#state.kind === "closed" || this.#closeRequested ? " [closed]" : "";
    const name = pythonClassNames.get(this.constructor) ?? this.constructor.name;
    let text = `<${name}${closed} fd=${this.#fd}, family=${this.family}, ` +
      `type=${this.type}, proto=${this.proto}`;
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

/**
 * What is left of `timeout` seconds since `start` (a `performance.now()` time), for a call that
 * may wait more than once: the whole call keeps to the timeout, as CPython's calls do. `null`
 * (no limit) and 0 (non-blocking) stay as they are.
 */
function timeLeft(timeout: number | null, start: number): number | null {
  if (!timeout) return timeout;
  const left = timeout - (performance.now() - start) / 1000;
  if (left <= 0) throw timedOut();
  return left;
}

/** Whether a call's optional argument is an options object rather than an address. */
function isOptions(value: unknown): value is AbortOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Where an unbound datagram socket is bound before its first send or connect. The kernel binds
 * to the wildcard address, but Deno asks net permission for the bind address as well: a program
 * allowed only `--allow-net=127.0.0.1` could not even send to 127.0.0.1. So when the wildcard
 * is not granted and the peer is on loopback, the socket binds to loopback instead (the route
 * the kernel would take anyway); otherwise the wildcard, whose permission error names the flag.
 */
function implicitBindAddress(family: number, toward: DenoTarget): [string, number] {
  const wildcard = unboundAddress(family) as [string, number];
  if (!("hostname" in toward)) return wildcard;
  const host = toward.hostname.toLowerCase();
  const loopback = family === AF_INET6
    ? (host === "::1" || host === "[::1]" ? "::1" : null)
    : (/^127\./.test(host) ? "127.0.0.1" : null);
  if (loopback === null) return wildcard;
  const asked = family === AF_INET6 ? "[::]:0" : "0.0.0.0:0";
  const { state } = Deno.permissions.querySync({ name: "net", host: asked });
  return state === "granted" ? wildcard : [loopback, 0];
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
 * @example
 * ```ts
 * import { AF_INET, SOCK_STREAM, socket } from "@pynet/net/socket";
 * using s = socket(AF_INET, SOCK_STREAM);
 * console.log(s.family, s.type); // 2 1
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
