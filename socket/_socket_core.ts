// The core of one socket: its state (ARCHITECTURE.md, "Layers"), its channel, its watchers,
// its timeout and options, and the privileged operations the `ssl` module reaches through
// `socketCore` (_core/privileged.ts). `Socket` (_socket.ts) is Python's face over it; the
// operations live by purpose in _socket_connect.ts, _socket_recv.ts and _socket_send.ts.
//
// The core is held by its socket alone. Its channels reach it weakly (see `ownerOf`): a socket
// the program can no longer reach is collected with its core, and its pseudo descriptor's entry
// then closes what it leaves (`#leftover`), as CPython closes a socket object it frees (see
// _core/fd_table.ts). Nothing outside may hold the core for this, not even a read-ahead
// running; what the program awaits holds it (_core/keep_alive.ts).
import { type Address, type DenoTarget, fromDenoAddr, unboundAddress } from "./_address.ts";
import {
  AF_UNIX,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  SO_ACCEPTCONN,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_PROTOCOL,
  SO_TYPE,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./_constants.ts";
import { EAGAIN, EBADF, EINVAL, ENOTCONN } from "../_core/errno.ts";
import { BlockingIOError, fromDenoError, OSError, timedOut } from "../_core/errors.ts";
import { allocateFd, releaseFd } from "../_core/fd_table.ts";
import type { DatagramChannel } from "./_datagram.ts";
import { ListenerChannel } from "./_listener.ts";
import { optionKey } from "./_options.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  type ReadinessSource,
  sourceFor,
  WatcherSet,
} from "../_core/readiness.ts";
import { waitReady, WAKE_ALWAYS } from "../_core/wait_ready.ts";
import type { ByteConn, ChannelOwner, ErrorMapper } from "../_core/channel.ts";
import type { SocketPrivileges, StreamView, UpgradedConn } from "../_core/privileged.ts";
import { StreamChannel } from "./_stream.ts";
import type { IoRefs } from "./_socket_file.ts";

/** A socket's state and, where it has one, its channel. */
export type State =
  | { kind: "fresh" }
  | { kind: "bound"; channel: ListenerChannel }
  | { kind: "listening"; channel: ListenerChannel }
  | { kind: "connecting"; abort: AbortController; done: Promise<void> }
  | { kind: "failed"; error: OSError }
  | { kind: "connected"; channel: StreamChannel }
  | { kind: "datagram"; channel: DatagramChannel }
  | { kind: "closed" };

/** The events every wait wakes for, whatever it asked: an error, a hang-up, a close. */
export const ALWAYS = WAKE_ALWAYS;

/** What a connection handed over by `detach()` keeps, as the kernel keeps it on a descriptor. */
interface Detached {
  family: number;
  type: number;
  state: State;
  options: Map<string, number>;
  peer: DenoTarget | null;
}

/** Connections handed over by `detach()`, by pseudo descriptor. */
const detached = new Map<number, Detached>();

/** What a socket dropped without `close()` leaves to close: held apart from the socket. */
interface Leftover {
  channel: { close(): void } | null;
}

/**
 * Whether the socket's readiness source has watchers, kept apart from the core (whose channel
 * holds it only weakly) so that a change with none to tell needs no deref.
 */
interface Watched {
  any: boolean;
}

/** The core of one socket (see the file's head). */
export class SocketCore implements SocketPrivileges {
  readonly family: number;
  readonly type: number;
  fd: number;
  state: State = { kind: "fresh" };
  timeout: number | null;
  options: Map<string, number> = new Map();
  /** A datagram socket's connected peer. */
  peer: DenoTarget | null = null;
  /** The port bind() asked for: Deno can connect from an ephemeral port only. */
  bindPort = 0;
  /** `close()` was called: the socket closes once its files let go (see `ioRefs`). */
  closeRequested = false;
  readonly watchers: WatcherSet = new WatcherSet();
  readonly source: ReadinessSource;
  /** What the channels tell of their changes: this core, weakly. */
  readonly owner: ChannelOwner;
  /** Connections a listener channel drops (an IPv6-only socket's IPv4 peers). */
  readonly rejects: (conn: Deno.Conn) => boolean;
  /** The refs a `makefile()` file holds. */
  readonly ioRefs: IoRefs;
  #ioRefCount = 0;
  /** Readiness held by `holdReadiness` while a connected socket's handshake runs. */
  #heldEvents: number | null = null;
  #leftover: Leftover = { channel: null };

  /**
   * Makes the core of `face`, which gets its pseudo descriptor, or takes over the connection
   * `detach()` left at `fileno`.
   *
   * @throws {OSError} `EBADF` for a `fileno` nothing was detached to, `EINVAL` for one of
   * another family or type.
   */
  constructor(
    face: object,
    family: number,
    type: number,
    timeout: number | null,
    fileno: number | null,
  ) {
    this.family = family;
    this.type = type;
    this.timeout = timeout;
    const self = new WeakRef(this);
    const watched: Watched = { any: false };
    [this.owner, this.rejects, this.ioRefs] = SocketCore.#callbacks(self, watched);
    this.source = SocketCore.#sourceOf(this, this.watchers, watched);
    if (fileno !== null) {
      const found = detached.get(fileno);
      if (!found) throw new OSError(EBADF);
      if (found.family !== family || found.type !== type) throw new OSError(EINVAL);
      detached.delete(fileno);
      this.state = found.state;
      this.options = found.options;
      this.peer = found.peer;
      if ("channel" in found.state) {
        found.state.channel.adopt(this.owner);
        this.#leftover.channel = found.state.channel;
      }
    }
    this.fd = allocateFd(face, new WeakRef(face), SocketCore.#closerOf(this.#leftover));
  }

  /**
   * The channels' and files' callbacks, made here rather than in the constructor: V8 gives the
   * closures of one scope one shared context, and the constructor's other closures hold `this`.
   */
  static #callbacks(
    self: WeakRef<SocketCore>,
    watched: Watched,
  ): [owner: ChannelOwner, rejects: (conn: Deno.Conn) => boolean, ioRefs: IoRefs] {
    return [
      {
        // With no watcher, `changed` has nothing to do; and a deref costs a runtime call (it
        // keeps the core alive to the end of the job), paid on every landing and write.
        changed: () => {
          if (watched.any) self.deref()?.changed();
        },
      },
      (conn) => {
        const core = self.deref();
        return core ? core.#rejectsPeer(conn) : false;
      },
      {
        retain: () => {
          const core = self.deref();
          if (core) core.#ioRefCount++;
        },
        release: () => {
          const core = self.deref();
          if (!core) return;
          core.#ioRefCount--;
          if (core.#ioRefCount === 0 && core.closeRequested) core.#realClose();
        },
      },
    ];
  }

  /**
   * The readiness source. Its watchers (a selector) hold the socket itself anyway; made here
   * for the reason `#callbacks` gives.
   */
  static #sourceOf(core: SocketCore, watchers: WatcherSet, watched: Watched): ReadinessSource {
    const source = sourceFor({
      fileno: () => core.fd,
      pollEvents: () => core.pollEvents(),
      armRead: () => core.armRead(),
    }, watchers);
    const { watch, unwatch } = source;
    return {
      ...source,
      watch(watcher, interest) {
        watched.any = true;
        watch(watcher, interest);
      },
      unwatch(watcher) {
        unwatch(watcher);
        watched.any = watchers.size > 0;
      },
    };
  }

  /** What closes a collected socket's leftover: it must not hold the socket either. */
  static #closerOf(leftover: Leftover): () => void {
    return () => leftover.channel?.close();
  }

  /** Enters `state`, whose channel (if any) is the one a collected socket leaves to close. */
  enter(state: State): void {
    this.state = state;
    this.#leftover.channel = "channel" in state ? state.channel : null;
  }

  /** Connects the socket over `conn`, whose errors map through `mapError`. */
  attach(conn: ByteConn, mapError?: ErrorMapper): void {
    this.enter({ kind: "connected", channel: new StreamChannel(conn, this.owner, mapError) });
    this.changed();
  }

  // ---- readiness -------------------------------------------------------------------------

  pollEvents(): number {
    const state = this.state;
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

  armRead(sizeHint = 0): void {
    const state = this.state;
    if (state.kind === "connected") state.channel.armRead(sizeHint);
    else if (state.kind === "listening" || state.kind === "datagram") state.channel.armRead();
  }

  /** The channel's readiness may have changed: read ahead for watchers, and tell them. */
  changed(): void {
    if (this.watchers.interest & POLLIN) this.armRead();
    this.watchers.notify(this.source);
  }

  /**
   * Waits until `events` (or an error, hang-up or close) hold: at once or `BlockingIOError`
   * when `timeout` is 0, up to `timeout` seconds, or without limit.
   */
  async ready(
    events: number,
    timeout: number | null,
    sizeHint = 0,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.pollEvents() & (events | ALWAYS)) return;
    if (events & POLLIN) this.armRead(sizeHint);
    // An untimed wait holds this core, which the waiting task reaches through its socket.
    if (!await waitReady(this.source, events, timeout, { signal, holder: this })) {
      throw timeout === 0 ? new BlockingIOError(EAGAIN) : timedOut();
    }
  }

  // ---- state -------------------------------------------------------------------------------

  /** The state of an open socket. @throws {OSError} `EBADF` once closed. */
  open(): State {
    if (this.state.kind === "closed") throw new OSError(EBADF);
    return this.state;
  }

  /**
   * A connected socket's stream channel. A failed connect raises its error, once.
   *
   * @throws {OSError} `ENOTCONN` when not connected, `EBADF` once closed.
   */
  streamChannel(): StreamChannel {
    const state = this.open();
    if (state.kind === "connected") return state.channel;
    if (state.kind === "failed") {
      this.state = { kind: "fresh" };
      throw state.error;
    }
    throw new OSError(ENOTCONN);
  }

  /** An IPv6-only listener drops IPv4-mapped peers, since Deno cannot set IPV6_V6ONLY. */
  #rejectsPeer(conn: Deno.Conn): boolean {
    if (!this.options.get(optionKey(IPPROTO_IPV6, IPV6_V6ONLY))) return false;
    const remote = conn.remoteAddr;
    return "hostname" in remote && remote.hostname.toLowerCase().startsWith("::ffff:");
  }

  /** Applies the options Deno's connections take (`TCP_NODELAY`, `SO_KEEPALIVE`). */
  applyConnOptions(): void {
    const state = this.state;
    if (state.kind !== "connected") return;
    const conn = state.channel.conn as Partial<Deno.TcpConn>;
    const noDelay = this.options.get(optionKey(IPPROTO_TCP, TCP_NODELAY));
    const keepAlive = this.options.get(optionKey(SOL_SOCKET, SO_KEEPALIVE));
    try {
      if (noDelay !== undefined) conn.setNoDelay?.(noDelay !== 0);
      if (keepAlive !== undefined) conn.setKeepAlive?.(keepAlive !== 0);
    } catch (e) {
      throw fromDenoError(e);
    }
  }

  /** The socket's own address (`getsockname`). */
  sockname(): Address {
    const state = this.open();
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

  /** The peer's address (`getpeername`). @throws {OSError} `ENOTCONN` when there is none. */
  peername(): Address {
    const state = this.open();
    if (state.kind === "connected") {
      const conn = state.channel.conn as Partial<Deno.Conn>;
      return fromDenoAddr(this.family, conn.remoteAddr);
    }
    const peer = this.peer;
    if (state.kind === "datagram" && peer) return fromDenoAddr(this.family, peer as Deno.Addr);
    throw new OSError(ENOTCONN);
  }

  /**
   * An option's value (`getsockopt`, its arguments checked): the value set, or the socket's own
   * state for `SO_TYPE`, `SO_DOMAIN`, `SO_PROTOCOL`, `SO_ACCEPTCONN` and `SO_ERROR` (which
   * clears the pending error).
   */
  option(level: number, option: number): number {
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
          return this.state.kind === "listening" ? 1 : 0;
        case SO_ERROR:
          return this.takeSocketError();
      }
    }
    return this.options.get(optionKey(level, option)) ?? 0;
  }

  /** `SO_ERROR`: the pending error's number, which reading clears. */
  takeSocketError(): number {
    const state = this.state;
    if (state.kind === "failed") {
      this.state = { kind: "fresh" };
      return state.error.errno ?? 0;
    }
    if (state.kind === "connected") return state.channel.takeWriteError()?.errno ?? 0;
    return 0;
  }

  // ---- closing -----------------------------------------------------------------------------

  /** Closes the socket, or marks it to close once its files let go. */
  close(): void {
    this.closeRequested = true;
    if (this.#ioRefCount === 0) this.#realClose();
  }

  #realClose(): void {
    const state = this.state;
    if (state.kind === "closed") return;
    this.enter({ kind: "closed" });
    if (state.kind === "connecting") state.abort.abort();
    if ("channel" in state) state.channel.close();
    this.#releaseFd();
  }

  /** Hands the connection over to the pseudo descriptor, which it returns; -1 once closed. */
  detach(): number {
    const state = this.state;
    if (state.kind === "closed") return -1;
    const fd = this.fd;
    detached.set(fd, {
      family: this.family,
      type: this.type,
      state,
      options: this.options,
      peer: this.peer,
    });
    this.enter({ kind: "closed" });
    this.#releaseFd();
    return fd;
  }

  #releaseFd(): void {
    releaseFd(this.fd);
    this.fd = -1;
    this.watchers.notify(this.source);
  }

  // ---- privileged (_core/privileged.ts) ----------------------------------------------------

  async upgrade(
    upgrade: (conn: ByteConn, clean: boolean) => Promise<UpgradedConn>,
  ): Promise<void> {
    const state = this.open();
    if (state.kind !== "connected") throw new OSError(ENOTCONN);
    const { conn, clean } = await state.channel.park();
    let upgraded: UpgradedConn;
    try {
      upgraded = await upgrade(conn, clean);
    } catch (e) {
      state.channel.unpark();
      throw e;
    }
    if (this.state !== state) {
      upgraded.conn.close();
      throw new OSError(EBADF);
    }
    this.attach(upgraded.conn, upgraded.mapError);
  }

  replaceListener(
    make: (address: Deno.NetAddr) => Deno.Listener,
    acceptedErrors?: ErrorMapper,
  ): void {
    const state = this.open();
    if (state.kind !== "listening" && state.kind !== "bound") throw new OSError(EINVAL);
    const address = state.channel.listener.addr;
    if (!("hostname" in address)) throw new OSError(EINVAL);
    state.channel.close();
    let listener: Deno.Listener;
    try {
      listener = make(address);
    } catch (e) {
      this.enter({ kind: "fresh" });
      throw fromDenoError(e);
    }
    const channel = new ListenerChannel(listener, this.owner, {
      reject: this.rejects,
      acceptedErrors,
    });
    this.enter({ kind: state.kind, channel });
    this.changed();
  }

  holdReadiness(events: number | null): void {
    this.#heldEvents = events;
    this.changed();
  }

  stream(): StreamView | null {
    const state = this.state;
    if (state.kind !== "connected") return null;
    return { conn: state.channel.conn, buffered: state.channel.buffered };
  }
}
