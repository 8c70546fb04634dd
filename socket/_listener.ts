// A listening socket's accept-ahead: an accept() started on behalf of a waiter or a watcher
// keeps running after a timeout, and the connection it brings is queued, never dropped.
import {
  ECONNABORTED,
  ECONNRESET,
  EHOSTDOWN,
  EHOSTUNREACH,
  ENETDOWN,
  ENETUNREACH,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
} from "../_core/errno.ts";
import { fromDenoError, type OSError } from "../_core/errors.ts";
import { POLLERR, POLLIN, POLLNVAL } from "../_core/readiness.ts";
import type { Channel, ChannelOwner, ErrorMapper } from "../_core/channel.ts";

/** Linux's `EPROTO` and `ENONET`, which accept(2) lists among the errors to retry. */
const EPROTO = 71;
const ENONET = 64;

/**
 * Errors of one connection that died before it was accepted, not of the listener. A peer that
 * connects and resets at once (SO_LINGER 0) makes Deno's accept() fail with `ENOTCONN`: Linux
 * hands the connection over, Deno's accept asks for its peer address, fails, and closes it.
 * CPython would return the connection (its first recv raising ConnectionResetError), but Deno
 * has already closed it and never told its address, so there is nothing to return: the
 * connection is skipped and the next one accepted, as Linux's accept(2) advises for the
 * network errors it lists (and as BSD kernels skip ECONNABORTED ones). Deno's listener itself
 * is unharmed and accepts the next connection, so no server dies of a hostile client.
 */
const CONNECTION_GONE = new Set([
  ENOTCONN,
  ECONNABORTED,
  ECONNRESET,
  EPROTO,
  ENONET,
  ENETDOWN,
  ENETUNREACH,
  EHOSTDOWN,
  EHOSTUNREACH,
  ENOPROTOOPT,
  EOPNOTSUPP,
]);

/** What a listener channel is made with, besides its listener and owner. */
export interface ListenerChannelOptions {
  /** Connections to drop instead of queueing (an IPv6-only socket's IPv4 peers). */
  reject?: ((conn: Deno.Conn) => boolean) | undefined;
  /** How accepted connections' errors map to a socket's (a TLS listener's); Deno's by default. */
  acceptedErrors?: ErrorMapper | undefined;
}

/** A listener's accept-ahead queue (see the file's head). */
export class ListenerChannel implements Channel {
  readonly listener: Deno.Listener;
  /** Told after every change of the channel's readiness. */
  #owner: ChannelOwner;
  #accepted: Deno.Conn[] = [];
  #accepting = false;
  #error: OSError | null = null;
  #closed = false;
  #reject: ((conn: Deno.Conn) => boolean) | undefined;
  #acceptedErrors: ErrorMapper | undefined;

  constructor(
    listener: Deno.Listener,
    owner: ChannelOwner,
    options: ListenerChannelOptions = {},
  ) {
    this.listener = listener;
    this.#owner = owner;
    this.#reject = options.reject;
    this.#acceptedErrors = options.acceptedErrors;
    // Accepting ahead must not hold the process: a blocking accept() holds it while it waits.
    listener.unref();
  }

  /** Hands the channel to a new owner (a detached listener taken by a new socket). */
  adopt(owner: ChannelOwner): void {
    this.#owner = owner;
  }

  /** How accepted connections' errors map to a socket's; `undefined` for Deno's own. */
  get acceptedErrors(): ErrorMapper | undefined {
    return this.#acceptedErrors;
  }

  pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    return (this.#accepted.length > 0 ? POLLIN : 0) | (this.#error ? POLLIN | POLLERR : 0);
  }

  get readable(): boolean {
    return this.#accepted.length > 0 || this.#error !== null || this.#closed;
  }

  /** Starts an accept, unless a connection is already queued. */
  armRead(): void {
    if (this.#accepting || this.#accepted.length > 0 || this.#error || this.#closed) return;
    this.#accepting = true;
    this.listener.accept().then(
      (conn) => {
        this.#accepting = false;
        if (this.#closed) {
          conn.close();
          return;
        }
        if (this.#reject?.(conn)) {
          conn.close();
          this.armRead();
          return;
        }
        this.#accepted.push(conn);
        this.#owner.changed();
      },
      (e) => {
        this.#accepting = false;
        if (this.#closed) return;
        const error = fromDenoError(e) as OSError;
        if (error.errno !== null && CONNECTION_GONE.has(error.errno)) {
          this.armRead();
          return;
        }
        this.#error = error;
        this.#owner.changed();
      },
    );
  }

  /**
   * The next queued connection; raises, once, an error the accept met (`EMFILE`, ...). Either
   * is a change of readiness: telling the owner lets the socket accept ahead again for its watchers,
   * so a listener whose accept failed is reported readable again when the next connection
   * waits, as the kernel's poll(2) does.
   */
  take(): Deno.Conn | null {
    const conn = this.#accepted.shift();
    if (conn) {
      this.#owner.changed();
      return conn;
    }
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      this.#owner.changed();
      throw error;
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of this.#accepted) conn.close();
    this.#accepted = [];
    try {
      this.listener.close();
    } catch {
      // Already closed.
    }
  }
}
