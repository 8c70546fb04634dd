// A datagram socket's receive-ahead: datagrams are queued with their sender's address, so a
// timed-out recvfrom() never drops one. A UDP socket whose receive-ahead was started (by a
// readiness watcher, a timed or non-blocking recv) keeps receiving until its queue is full, as
// the kernel's receive buffer does: a loopback burst overflows the kernel's small buffer
// (about 256 small datagrams) in the time a busy program takes to call recv again. An AF_UNIX
// one cannot: Deno refuses to send on it while a receive is pending ("Busy"), so it receives
// only while someone waits, and stops at the first datagram.
//
// A blocking recv that finds nothing queued and no receive running receives the datagram
// itself (`receiveNow`), as a raw Deno loop does: one receive and one continuation per
// datagram, no queue and no wake-up: under an unpaced burst, what a cold receiver pays per
// datagram decides how much the kernel drops (BENCHMARKS.md, "UDP receive"). Such a receive
// starts no receive-ahead after it: between two blocking recvs the datagrams wait in the
// kernel's buffer, as they do for CPython. A blocking recv that has to wait for a
// receive-ahead's datagram stops the receive-ahead, so that the program's next blocking recv
// receives directly again.
import { type DenoTarget, sameEndpoint } from "./_address.ts";
import { EBADF } from "../_core/errno.ts";
import { fromDenoError, OSError } from "../_core/errors.ts";
import { POLLERR, POLLIN, POLLNVAL, POLLOUT } from "../_core/readiness.ts";
import { type Channel, type ChannelOwner, ReadHold } from "../_core/channel.ts";
import { copyOut } from "./_read_buffers.ts";

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
  /** The receive running is a blocking recv's own (`receiveNow`): its caller takes what lands. */
  #direct = false;
  /** The size the direct receive's caller asked for. */
  #directSize = 0;
  /** Whether to keep receiving ahead (UDP), or only on demand (AF_UNIX; see above). */
  #continuous: boolean;
  /** The receive-ahead was started and goes on after each landing (UDP only; see above). */
  #ahead = false;
  /**
   * Whether the conn's receives hold the process: only a pending receive can, so the conn may
   * stay ref'd between a blocking recv's receives; it is released when a receive starts that
   * nobody awaits.
   */
  readonly #hold: ReadHold;
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
    this.#hold = new ReadHold(conn as Deno.DatagramConn & { ref?(): void; unref?(): void });
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
    if (this.#continuous) this.#ahead = true;
    this.#receiveAhead();
  }

  /** Starts one receive into the queue, unless one is running or none may start. */
  #receiveAhead(): void {
    if (this.#receiving || this.#full || this.#error || this.#closed) return;
    if (!this.#continuous && this.#queue.length > 0) return;
    this.#receiving = true;
    // Nobody awaits this receive: it must not hold the process.
    if (this.#waits === 0) this.#hold.release();
    // One receive at a time: several pending receives may complete out of order.
    this.#buffer ??= new Uint8Array(MAX_DATAGRAM);
    this.conn.receive(this.#buffer).then(this.#landed, this.#failed);
  }

  // The receive's handlers are made once, not per datagram: a burst lands thousands of them.
  #landed = ([data, from]: [Uint8Array, Deno.Addr]): void => {
    this.#receiving = false;
    if (this.#closed) return;
    if (this.peer && !sameEndpoint(from, this.peer)) {
      this.#receiveAhead();
      return;
    }
    this.#enqueue(data, from);
    if (this.#ahead) this.#receiveAhead();
    this.#wake();
    // Every datagram tells the watchers: an edge-triggered epoll reports each arrival.
    this.#owner.changed();
  };

  #enqueue(data: Uint8Array, from: Deno.Addr): void {
    // Keep only the datagram's bytes: the receive buffer is used again at once.
    this.#queue.push([copyOut(data), from]);
    this.#queuedBytes += data.length;
  }

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
    // The program waits for its datagram: it keeps up, and needs no receive-ahead (its next
    // blocking recv receives directly; see the file's head).
    this.#ahead = false;
    this.#waits++;
    this.#hold.hold();
    this.#receiveAhead();
    try {
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    } finally {
      // A direct receive still running is awaited too: it keeps its hold.
      if (--this.#waits === 0 && !this.#direct) this.#hold.release();
    }
  }

  /**
   * A blocking recv's own receive, into the channel's buffer, for `size` bytes; null unless
   * nothing is queued, no receive is running and no error waits to be reported (the recv then
   * takes the full path). The caller hands what settles to `landedNow` or `failedNow`, and owns
   * the datagram only through them.
   */
  receiveNow(size: number): Promise<[Uint8Array, Deno.Addr]> | null {
    if (this.#receiving || this.#queue.length > 0 || this.#error !== null || this.#closed) {
      return null;
    }
    this.#receiving = true;
    this.#direct = true;
    this.#directSize = size;
    // The program awaits this receive: it holds the process while it runs.
    this.#hold.hold();
    return this.conn.receive(this.#buffer ??= new Uint8Array(MAX_DATAGRAM));
  }

  /**
   * The direct receive landed: its datagram, cut to the size asked and copied out of the
   * channel's buffer (which the next receive reuses), for a caller that `takes` it; or `null`
   * when the channel was closed meanwhile or the datagram came from another than the
   * connected peer (the caller then takes the full path). A caller that cannot take it (its
   * socket was detached meanwhile) leaves the datagram queued for whoever adopts the channel.
   */
  landedNow(data: Uint8Array, from: Deno.Addr, takes: boolean): Uint8Array | null {
    let got: Uint8Array | null = null;
    if (this.#closed) {
      // Dropped, as closing drops the queue.
    } else if (!takes) {
      this.#enqueue(data, from);
    } else if (this.peer === null || sameEndpoint(from, this.peer)) {
      const size = this.#directSize;
      got = copyOut(data.length > size ? data.subarray(0, size) : data);
    }
    // Only now, the datagram copied: a receive for waiting recvs may land in the buffer at once.
    this.#endDirect();
    if (!takes && !this.#closed) {
      this.#wake();
      this.#owner.changed();
    }
    return got;
  }

  /**
   * The direct receive failed: the error its caller raises (EBADF once closed). A caller that
   * cannot take it (see `landedNow`) leaves the error for the channel's next recv.
   */
  failedNow(e: unknown, takes: boolean): OSError {
    this.#endDirect();
    if (this.#closed) return new OSError(EBADF);
    const error = fromDenoError(e) as OSError;
    if (takes) return error;
    this.#error = error;
    this.#wake();
    this.#owner.changed();
    return new OSError(EBADF);
  }

  #endDirect(): void {
    this.#receiving = false;
    this.#direct = false;
    // Blocking recvs waiting meanwhile (see `next`) need a receive of their own.
    if (this.#waits > 0) this.#receiveAhead();
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
      if (this.#ahead) this.#receiveAhead();
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
