// A datagram socket's receive-ahead: datagrams are queued with their sender's address, so a
// timed-out recvfrom() never drops one. A UDP socket, once started, keeps receiving until its
// queue is full, as the kernel's receive buffer does: a loopback burst overflows the kernel's
// small buffer (about 256 small datagrams) in the time a busy program takes to call recv
// again. An AF_UNIX one cannot: Deno refuses to send on it while a receive is pending
// ("Busy"), so it receives only while someone waits, and stops at the first datagram.
import { type DenoTarget, sameEndpoint } from "./_address.ts";
import { fromDenoError, type OSError } from "../_core/errors.ts";
import { POLLERR, POLLIN, POLLNVAL, POLLOUT } from "../_core/readiness.ts";
import type { Channel, ChannelOwner } from "../_core/channel.ts";

/** Large enough for any UDP datagram: a shorter buffer would truncate silently. */
const MAX_DATAGRAM = 65536;
/**
 * Datagrams (and bytes) kept unread before the receive-ahead stops; then the kernel's own
 * buffer fills and drops what comes next, as a full receive buffer does.
 */
const QUEUE_LIMIT = 1024;
const QUEUE_BYTES = 4 * 1024 * 1024;

/** A datagram socket's receive-ahead queue (see the file's head). */
export class DatagramChannel implements Channel {
  readonly conn: Deno.DatagramConn;
  /** Told after every change of the channel's readiness. */
  #owner: ChannelOwner;
  #queue: [Uint8Array, Deno.Addr][] = [];
  #queuedBytes = 0;
  /** The one receive buffer: only one receive runs at a time, and each datagram is copied out. */
  #buffer: Uint8Array | null = null;
  #receiving = false;
  /** Whether to keep receiving ahead (UDP), or only on demand (AF_UNIX; see above). */
  #continuous: boolean;
  #error: OSError | null = null;
  #closed = false;
  /** The connected peer: datagrams from anyone else are dropped, as the kernel does. */
  peer: DenoTarget | null = null;
  /** Blocking receives waiting now (see `next`), and how to wake them. */
  #waits = 0;
  #wakers: (() => void)[] = [];

  constructor(conn: Deno.DatagramConn, owner: ChannelOwner) {
    this.conn = conn;
    this.#owner = owner;
    // Receiving ahead must not hold the process: a blocking recv holds it while it waits.
    // (DatagramConn has ref/unref at run time; Deno 2.9.6's types leave them out.)
    (conn as Deno.DatagramConn & { unref?(): void }).unref?.();
    this.#continuous = conn.addr.transport === "udp";
  }

  /** Hands the channel to a new owner (a detached socket's channel taken by a new socket). */
  adopt(owner: ChannelOwner): void {
    this.#owner = owner;
  }

  pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    return POLLOUT | (this.#queue.length > 0 ? POLLIN : 0) |
      (this.#error ? POLLIN | POLLERR : 0);
  }

  get readable(): boolean {
    return this.#queue.length > 0 || this.#error !== null || this.#closed;
  }

  get #full(): boolean {
    return this.#queue.length >= QUEUE_LIMIT || this.#queuedBytes >= QUEUE_BYTES;
  }

  /**
   * Starts receiving ahead; on UDP it goes on, one receive at a time, until the queue is full.
   */
  armRead(): void {
    if (this.#receiving || this.#full || this.#error || this.#closed) return;
    if (!this.#continuous && this.#queue.length > 0) return;
    this.#receiving = true;
    // One receive at a time: several pending receives may complete out of order.
    this.#buffer ??= new Uint8Array(MAX_DATAGRAM);
    this.conn.receive(this.#buffer).then(this.#landed, this.#failed);
  }

  // The receive's handlers are made once, not per datagram: a burst lands thousands of them.
  #landed = ([data, from]: [Uint8Array, Deno.Addr]): void => {
    this.#receiving = false;
    if (this.#closed) return;
    if (this.peer && !sameEndpoint(from, this.peer)) {
      this.armRead();
      return;
    }
    // Keep only the datagram's bytes: the receive buffer is used again at once.
    this.#queue.push([data.slice(), from]);
    this.#queuedBytes += data.length;
    if (this.#continuous) this.armRead();
    this.#wake();
    // Every datagram tells the watchers: an edge-triggered epoll reports each arrival.
    this.#owner.changed();
  };

  #failed = (e: unknown): void => {
    this.#receiving = false;
    if (this.#closed) return;
    this.#error = fromDenoError(e) as OSError;
    this.#wake();
    this.#owner.changed();
  };

  /**
   * Waits for the channel's next change (a datagram, an error, close), for a blocking receive
   * that found the queue empty. It waits here rather than among the socket's readiness
   * watchers, and the pending receive, ref'd meanwhile, holds the process; the receive
   * reaches the channel, whose wakers hold the waiting task (and so its socket).
   * A receiver that keeps up with a burst waits once per datagram: here it pays neither a
   * keep-alive timer (see _core/keep_alive.ts) nor a readiness watcher for each one
   * (BENCHMARKS.md, "UDP receive").
   */
  async next(): Promise<void> {
    this.armRead();
    if (this.#waits++ === 0) (this.conn as Deno.DatagramConn & { ref?(): void }).ref?.();
    try {
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    } finally {
      if (--this.#waits === 0) (this.conn as Deno.DatagramConn & { unref?(): void }).unref?.();
    }
  }

  #wake(): void {
    if (this.#wakers.length === 0) return;
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }

  /** The next datagram and its sender; raises, once, a receive error. */
  take(peek = false): [Uint8Array, Deno.Addr] | null {
    // A peek returns a copy, so that what the caller does to it cannot change the datagram
    // the next recv returns.
    const next = peek ? this.#queue[0] : this.#queue.shift();
    if (next) {
      if (peek) return [next[0].slice(), next[1]];
      this.#queuedBytes -= next[0].length;
      if (this.#continuous) this.armRead();
      return next;
    }
    if (this.#error) {
      const error = this.#error;
      if (peek) throw error;
      this.#error = null;
      // A change of readiness: the socket receives ahead again for its watchers.
      this.#owner.changed();
      throw error;
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#wake();
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}
