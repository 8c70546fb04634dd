// A datagram socket's receive-ahead: datagrams are queued with their sender's address, so a
// timed-out recvfrom() never drops one.
import { type DenoTarget, sameEndpoint } from "./_address.ts";
import { fromDenoError, type OSError } from "./_errors.ts";
import { POLLERR, POLLIN, POLLNVAL, POLLOUT } from "./_readiness.ts";

/** Large enough for any UDP datagram: a shorter buffer would truncate silently. */
const MAX_DATAGRAM = 65536;
/** Datagrams kept unread before the receive-ahead stops, as a full receive buffer drops them. */
const QUEUE_LIMIT = 1024;

export class DatagramChannel {
  readonly conn: Deno.DatagramConn;
  /** Called after every change of the channel's readiness. */
  onChange: () => void;
  #queue: [Uint8Array, Deno.Addr][] = [];
  #receiving = false;
  #error: OSError | null = null;
  #closed = false;
  /** The connected peer: datagrams from anyone else are dropped, as the kernel does. */
  peer: DenoTarget | null = null;

  constructor(conn: Deno.DatagramConn, onChange: () => void) {
    this.conn = conn;
    this.onChange = onChange;
    // Receiving ahead must not hold the process: a blocking recv holds it while it waits.
    // (DatagramConn has ref/unref at run time; Deno 2.9.6's types leave them out.)
    (conn as Deno.DatagramConn & { unref?(): void }).unref?.();
  }

  pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    return POLLOUT | (this.#queue.length > 0 ? POLLIN : 0) |
      (this.#error ? POLLIN | POLLERR : 0);
  }

  get readable(): boolean {
    return this.#queue.length > 0 || this.#error !== null || this.#closed;
  }

  armRead(): void {
    if (this.#receiving || this.#queue.length > 0 || this.#error || this.#closed) return;
    this.#receiving = true;
    this.conn.receive(new Uint8Array(MAX_DATAGRAM)).then(
      ([data, from]) => {
        this.#receiving = false;
        if (this.#closed) return;
        if (this.peer && !sameEndpoint(from, this.peer)) {
          this.armRead();
          return;
        }
        // Keep only the datagram's bytes, not the whole receive buffer.
        if (this.#queue.length < QUEUE_LIMIT) this.#queue.push([data.slice(), from]);
        this.onChange();
      },
      (e) => {
        this.#receiving = false;
        if (this.#closed) return;
        this.#error = fromDenoError(e) as OSError;
        this.onChange();
      },
    );
  }

  /** The next datagram and its sender; raises, once, a receive error. */
  take(peek = false): [Uint8Array, Deno.Addr] | null {
    // A peek returns a copy, so that what the caller does to it cannot change the datagram
    // the next recv returns.
    const next = peek ? this.#queue[0] : this.#queue.shift();
    if (next) return peek ? [next[0].slice(), next[1]] : next;
    if (this.#error) {
      const error = this.#error;
      if (!peek) this.#error = null;
      throw error;
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}
