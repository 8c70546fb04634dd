// A listening socket's accept-ahead: an accept() started on behalf of a waiter or a watcher
// keeps running after a timeout, and the connection it brings is queued, never dropped.
import { ECONNABORTED, ENOTCONN } from "./_errno.ts";
import { fromDenoError, type OSError } from "./_errors.ts";
import { POLLERR, POLLIN, POLLNVAL } from "./_readiness.ts";
import type { ErrorMapper } from "./_stream.ts";

export class ListenerChannel {
  readonly listener: Deno.Listener;
  /** Called after every change of the channel's readiness. */
  onChange: () => void;
  #accepted: Deno.Conn[] = [];
  #accepting = false;
  #error: OSError | null = null;
  #closed = false;
  /** Connections to drop instead of queueing (an IPv6-only socket's IPv4 peers). */
  reject: ((conn: Deno.Conn) => boolean) | null = null;
  /** How accepted connections' errors map to a socket's (a TLS listener's); Deno's by default. */
  acceptedErrors: ErrorMapper | undefined = undefined;

  constructor(listener: Deno.Listener, onChange: () => void) {
    this.listener = listener;
    this.onChange = onChange;
    // Accepting ahead must not hold the process: a blocking accept() holds it while it waits.
    listener.unref();
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
        if (this.reject?.(conn)) {
          conn.close();
          this.armRead();
          return;
        }
        this.#accepted.push(conn);
        this.onChange();
      },
      (e) => {
        this.#accepting = false;
        if (this.#closed) return;
        const error = fromDenoError(e) as OSError;
        // A peer that reset before Deno took its connection (Deno asks the peer's address and
        // gets ENOTCONN) costs that connection only: Linux would hand it out; Deno has already
        // closed it. Accept the next one instead of failing the listener.
        if (error.errno === ENOTCONN || error.errno === ECONNABORTED) {
          this.armRead();
          return;
        }
        this.#error = error;
        this.onChange();
      },
    );
  }

  /** The next queued connection; raises, once, an error the accept met (`EMFILE`, ...). */
  take(): Deno.Conn | null {
    const conn = this.#accepted.shift();
    if (conn) return conn;
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
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
