// A connected byte stream (TCP, Unix, or an in-memory socketpair) with the read-ahead and the
// outgoing buffer ARCHITECTURE.md describes: input is known only by reading, so reads land in an
// inbox that recv() drains, and nothing a pending read brings in is ever dropped.
import { EBADF, ECONNRESET, EPIPE } from "../_core/errno.ts";
import { fromDenoError, OSError, osError } from "../_core/errors.ts";
import type { ByteConn, Channel, ChannelOwner, ErrorMapper } from "../_core/channel.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDHUP } from "../_core/readiness.ts";

const denoErrors: ErrorMapper = (e) => fromDenoError(e) as OSError;

/** Outgoing bytes buffered past this make the stream unwritable, as a full send buffer does. */
export const SEND_BUFFER_SIZE = 256 * 1024;
/** The largest send copied into a stream's staging buffer rather than a buffer of its own. */
const STAGE_SIZE = 1024;
const MIN_READ = 4 * 1024;
const MAX_READ = 256 * 1024;
/** The largest buffer kept between reads: an idle socket should hold little. */
const MAX_SPARE = 64 * 1024;
/**
 * Reads of a busy stream (16 to 64 KiB) are carved out of a shared slab and land as views of
 * it: in Deno 2.9.6 a new 16 KiB ArrayBuffer costs ~2.5 us, a view of one ~0.05 us, and a
 * TLS connection lands one 16 KiB record per read. A landing under SLAB_KEEP is copied out
 * instead, so a small chunk a caller keeps never holds a slab alive.
 */
const SLAB_SIZE = 256 * 1024;
const SLAB_READ_MIN = 16 * 1024;
const SLAB_KEEP = 4 * 1024;
const EMPTY = new Uint8Array(0);
/**
 * How long a closed stream waits for its peer to take any of the bytes still to send before it
 * gives up (README.md, "Closing"). A closed socket's send buffer is the kernel's business in
 * CPython: close() frees the descriptor at once and the kernel goes on sending. pynet's send
 * buffer (what non-blocking or timed sends accepted) is its own, and only an open Deno
 * connection can send it, so close() keeps the connection while the peer keeps reading; but a
 * peer that takes nothing for this long is not reading (a slow-reader attack, a stuck client):
 * the connection is closed and the rest dropped, so it costs no descriptor past this bound.
 */
const LINGER_STALL_MS = 2000;

export class StreamChannel implements Channel {
  readonly conn: ByteConn;
  /** Told after every change of the channel's readiness. */
  #owner: ChannelOwner;

  #inbox: Uint8Array[] = [];
  #buffered = 0;
  #reading = false;
  /** The read size the stream has proved it fills (see #readSizeFor). */
  #readSize = MIN_READ;
  /**
   * The last read came back short (the stream had no more at that moment), or none has landed
   * yet: the next read may wait long, so it is small (see #readSizeFor).
   */
  #caughtUp = true;
  /** A read buffer to use again: short reads are copied out of it. */
  #spare: Uint8Array | null = null;
  /** The slab busy reads are carved from, and how much of it has been handed out. */
  #slab: ArrayBuffer | null = null;
  #slabUsed = 0;
  #slabRegion: Uint8Array | null = null;
  #eof = false;
  #readShut = false;
  #readError: OSError | null = null;
  /** The connection was reset: it stays hung up after the error has been reported. */
  #reset = false;

  #outbox: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #writeError: OSError | null = null;
  /** A write failed: the connection is broken for writing, whatever comes after. */
  #writeFailed = false;
  #writeShut = false;
  #closed = false;
  /** Handed over for an upgrade: no read may start. */
  #parked = false;
  #drainWaiters: (() => void)[] = [];
  /** A write completed since the linger last looked (see LINGER_STALL_MS). */
  #progressed = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  /** A send timed out and the buffer has not emptied since: close() drops what is left. */
  #sendTimedOut = false;
  /** Waiting for the read in flight to land (an upgrade reading through it). */
  #landingWaiters: (() => void)[] = [];
  /**
   * Wakes a blocking recv waiting on its own read (`readNow`, `readInto`): a landing, or a
   * `shutdown(SHUT_RD)` or close, which Linux answers at once while the read stays pending.
   */
  #wakeReader: (() => void) | null = null;

  #mapError: ErrorMapper;

  constructor(conn: ByteConn, owner: ChannelOwner, mapError: ErrorMapper = denoErrors) {
    this.conn = conn;
    this.#owner = owner;
    this.#mapError = mapError;
    // Reading ahead must not hold the process: only a read the program awaits does (see
    // readNow and readInto), or a wait holding it (_core/keep_alive.ts).
    conn.unref?.();
  }

  /** Hands the channel to a new owner (a detached connection taken by a new socket). */
  adopt(owner: ChannelOwner): void {
    this.#owner = owner;
  }

  /** The `POLL*` events that hold now. */
  pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    let events = 0;
    if (this.#buffered > 0 || this.#eof || this.#readShut || this.#readError) events |= POLLIN;
    if (this.#eof || this.#readShut) events |= POLLRDHUP;
    if (this.#readError) events |= POLLERR | POLLHUP;
    if (this.#reset) events |= POLLHUP;
    if (this.#writeError) events |= POLLERR;
    if (this.#eof && this.#writeShut) events |= POLLHUP;
    if (this.#queued < SEND_BUFFER_SIZE) events |= POLLOUT;
    return events;
  }

  /** Whether a recv would settle at once. */
  get readable(): boolean {
    return this.#buffered > 0 || this.#eof || this.#readShut || this.#readError !== null ||
      this.#closed;
  }

  /**
   * Hands the connection over for an upgrade (STARTTLS): waits until every buffered outgoing
   * byte is written, then stops the read-ahead. Bytes already received came before the
   * upgrade, so they refuse it (the stream is left as it was). A read still pending will bring
   * the peer's first bytes of the new protocol: the connection handed over then reads them
   * first (`clean` is false), and an upgrade that needs the bare connection (Deno.startTls,
   * which fails while a read is pending) must choose another way.
   */
  async park(): Promise<{ conn: ByteConn; clean: boolean }> {
    this.#parked = true;
    try {
      while (this.#writing || this.#queued > 0) {
        if (this.#writeError || this.#closed) break;
        await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      }
      const error = this.takeWriteError();
      if (error) throw error;
      if (this.#closed) throw new OSError(EBADF);
      if (this.#buffered > 0) {
        throw new OSError(
          null,
          `Cannot start TLS: ${this.#buffered} bytes received before the handshake are unread`,
        );
      }
      if (!this.#reading) return { conn: this.conn, clean: true };
      return { conn: this.#afterPendingRead(), clean: false };
    } catch (e) {
      this.#parked = false;
      throw e;
    }
  }

  /** The connection, read through the pending read's bytes first. */
  #afterPendingRead(): ByteConn & {
    localAddr?: Deno.Addr | undefined;
    remoteAddr?: Deno.Addr | undefined;
  } {
    const { localAddr, remoteAddr } = this.conn as Partial<Deno.Conn>;
    return {
      localAddr,
      remoteAddr,
      read: async (p) => {
        while (this.#reading) {
          await new Promise<void>((resolve) => this.#landingWaiters.push(resolve));
        }
        if (this.#buffered > 0) {
          const data = this.take(p.length);
          p.set(data);
          return data.length;
        }
        if (this.#readError) throw this.#readError;
        if (this.#eof) return null;
        return await this.conn.read(p);
      },
      write: (p) => this.conn.write(p),
      closeWrite: () => this.conn.closeWrite(),
      close: () => this.conn.close(),
      ref: () => this.conn.ref?.(),
      unref: () => this.conn.unref?.(),
    };
  }

  #wakeLandingWaiters(): void {
    // Called on every landing: no new array unless someone waits.
    if (this.#landingWaiters.length === 0) return;
    const waiters = this.#landingWaiters;
    this.#landingWaiters = [];
    for (const wake of waiters) wake();
  }

  #wakeBlockedReader(): void {
    const wake = this.#wakeReader;
    if (wake === null) return;
    this.#wakeReader = null;
    wake();
  }

  /** Resumes the read-ahead after a refused or failed upgrade. */
  unpark(): void {
    this.#parked = false;
    this.#owner.changed();
  }

  /** Starts a read into the inbox, unless input is already waiting or cannot come. */
  armRead(sizeHint = 0): void {
    if (!this.canReadNow) return;
    const buffer = this.#startRead(sizeHint);
    // Handlers made once per stream, not per read: the buffer waits in #aheadBuffer.
    this.#aheadBuffer = buffer;
    this.conn.read(buffer).then(
      this.#aheadLanded ??= (n) => {
        const landed = this.#aheadBuffer!;
        this.#aheadBuffer = null;
        this.#landed(landed, n);
      },
      this.#aheadFailed ??= (e) => {
        this.#aheadBuffer = null;
        this.#failed(e);
      },
    );
  }

  /** The buffer of the read-ahead in flight (armRead), and that read's handlers. */
  #aheadBuffer: Uint8Array | null = null;
  #aheadLanded: ((n: number | null) => void) | undefined;
  #aheadFailed: ((e: unknown) => void) | undefined;

  /** Whether a read may start: none is running, and no input is waiting or can come. */
  get canReadNow(): boolean {
    return !(this.#parked || this.#reading || this.#buffered > 0 || this.#eof ||
      this.#readShut || this.#readError || this.#closed);
  }

  /**
   * Reads once into the inbox and waits for it to land: a blocking recv's fast path, with no
   * watcher and no timer. Call only when `canReadNow`.
   */
  async readNow(sizeHint: number): Promise<void> {
    const buffer = this.#startRead(sizeHint);
    const conn = this.conn;
    // The program awaits this read: it holds the process while it runs. The read lands on its
    // own (nothing it brings is lost); the caller waits for the landing or for a
    // shutdown(SHUT_RD) or close, which must not wait for the peer to send.
    conn.ref?.();
    try {
      await new Promise<void>((resolve) => {
        this.#wakeReader = resolve;
        conn.read(buffer).then(
          (n) => this.#landed(buffer, n),
          (e) => this.#failed(e),
        );
      });
    } finally {
      conn.unref?.();
    }
  }

  /**
   * Reads once straight into the caller's buffer, as a blocking `recv_into` does in CPython:
   * nothing is allocated or copied. Resolves to the count, 0 at EOF, or `null` when the read
   * failed or was overtaken (a close, a `shutdown(SHUT_RD)`): the inbox path then reports it.
   * Call only when `canReadNow`.
   */
  async readInto(p: Uint8Array): Promise<number | null> {
    this.#reading = true;
    // Settles with the count, or with null for a failure, or when a shutdown(SHUT_RD) or a
    // close overtakes the read. Such a read stays pending: should the peer still send, Deno
    // writes those bytes (which SHUT_RD discards) into `p` when it lands, as it cannot be
    // cancelled short of closing the connection.
    const conn = this.conn;
    // The program awaits this read: it holds the process while it runs.
    conn.ref?.();
    try {
      return await new Promise<number | null>((resolve) => {
        this.#wakeReader = () => resolve(null);
        conn.read(p).then(
          (n) => {
            if (this.#closed || this.#readShut) {
              this.#landed(EMPTY, 0);
              return;
            }
            this.#wakeReader = null;
            this.#landed(EMPTY, n === null ? null : 0);
            resolve(n ?? 0);
          },
          (e) => this.#failed(e),
        );
      });
    } finally {
      conn.unref?.();
    }
  }

  /**
   * How much the next read asks for. A pending read holds its buffer for as long as the peer
   * is silent, so a stream that may be idle reads small whatever a recv asked for: an idle
   * connection costs a 4 KiB buffer, not the 64 KiB of a recv(65536) (or the slab one would
   * pin). A stream is taken to be busy once its reads come back full: the size then doubles
   * read by read up to what the recv asked (a watcher's read-ahead: MAX_READ). A read that
   * brings less than asked and less than SLAB_READ_MIN means the stream has caught up with its
   * peer: the next read is a probe of at most SLAB_READ_MIN into a buffer of its own (never
   * the slab, which a pending read would pin), and if that one comes back full the stream goes
   * on at the size it had proved, so streaming keeps its large reads at the cost of one
   * smaller read each time it catches up. A probe is no smaller than 16 KiB once the stream has
   * proved that much, so as not to split a TLS record (a TLS connection lands one 16 KiB record
   * per read: a split record's rest would look like catching up, again and again). A short
   * read of SLAB_READ_MIN or more is data still flowing, in the pieces the transport lands.
   *
   * Left as it is: a stream whose last read before a silence was that large keeps a large
   * read pending (a region of its slab) through the silence.
   */
  #readSizeFor(sizeHint: number): number {
    const asked = sizeHint > 0 ? Math.max(sizeHint, MIN_READ) : MAX_READ;
    const size = Math.min(asked, this.#readSize, MAX_READ);
    return this.#caughtUp ? Math.min(size, SLAB_READ_MIN) : size;
  }

  #startRead(sizeHint: number): Uint8Array {
    this.#reading = true;
    const size = this.#readSizeFor(sizeHint);
    if (!this.#caughtUp && size >= SLAB_READ_MIN && size <= SLAB_SIZE / 4) {
      if (this.#slab === null || this.#slab.byteLength - this.#slabUsed < size) {
        this.#slab = new ArrayBuffer(SLAB_SIZE);
        this.#slabUsed = 0;
      }
      // A short landing leaves the region free: the next read reuses its view.
      const last = this.#slabRegion;
      if (
        last?.buffer === this.#slab && last.byteOffset === this.#slabUsed && last.length === size
      ) {
        return last;
      }
      return this.#slabRegion = new Uint8Array(this.#slab, this.#slabUsed, size);
    }
    // Not busy (or reading more than a slab should give): the slab is left to the chunks.
    this.#slab = null;
    this.#slabRegion = null;
    const spare = this.#spare;
    this.#spare = null;
    // The spare is used only when it fits: an idle stream's pending read must stay small.
    return spare && spare.length >= size && spare.length <= size * 2 ? spare : new Uint8Array(size);
  }

  #landed(buffer: Uint8Array, n: number | null): void {
    this.#reading = false;
    this.#wakeLandingWaiters();
    this.#wakeBlockedReader();
    if (this.#closed) return;
    if (n === null) {
      this.#eof = true;
    } else if (n > 0) {
      // Grow the read size while reads come back full; see #readSizeFor.
      if (n === buffer.length) {
        if (this.#caughtUp) {
          // The small read after catching up came back full: go on at the proved size.
          this.#caughtUp = false;
          this.#readSize = Math.max(this.#readSize, 2 * MIN_READ);
        } else {
          this.#readSize = Math.min(MAX_READ, Math.max(this.#readSize, buffer.length * 2));
        }
      } else {
        if (n < SLAB_READ_MIN) this.#caughtUp = true;
        if (n < buffer.length / 8) this.#readSize = MIN_READ;
      }
      // A short read is copied out and its buffer kept for the next read; a long one is handed
      // over whole, which saves the copy; a slab's read is handed over as a view of the slab.
      let chunk: Uint8Array;
      const fromSlab = buffer.buffer === this.#slab;
      if (fromSlab && n >= SLAB_KEEP) {
        chunk = buffer.subarray(0, n);
        this.#slabUsed += n;
      } else if (n <= buffer.length / 4) {
        chunk = buffer.slice(0, n);
        if (!fromSlab && buffer.length <= MAX_SPARE) this.#spare = buffer;
      } else {
        chunk = buffer.subarray(0, n);
      }
      if (!this.#readShut) {
        this.#inbox.push(chunk);
        this.#buffered += n;
      }
    }
    this.#owner.changed();
  }

  #failed(e: unknown): void {
    const error = this.#mapError(e, "read");
    if (error === null) {
      this.#landed(EMPTY, null);
      return;
    }
    this.#reading = false;
    this.#wakeLandingWaiters();
    if (this.#closed) {
      this.#wakeBlockedReader();
      return;
    }
    this.#readError = error;
    this.#wakeBlockedReader();
    this.#owner.changed();
  }

  #writeFailure(e: unknown): OSError {
    return this.#mapError(e, "write") ?? fromDenoError(e) as OSError;
  }

  /**
   * Takes up to `n` bytes of input; empty at EOF. A read error is raised once, after the
   * input before it; later calls see EOF, as Linux reports a reset once. With `holdError`, a
   * read error is left for the next call and the take is empty (a `MSG_WAITALL` recv returns
   * the bytes it has gathered first).
   */
  take(n: number, peek = false, holdError = false): Uint8Array {
    if (this.#buffered === 0) {
      if (holdError) return EMPTY;
      if (this.#readError && !peek) {
        const error = this.#readError;
        this.#readError = null;
        this.#eof = true;
        this.#reset = true;
        throw error;
      }
      if (this.#readError) throw this.#readError;
      return EMPTY;
    }
    const first = this.#inbox[0]!;
    // A peek returns a copy: the bytes stay in the inbox, and what the caller does to the
    // peeked ones must not change what the next recv returns.
    if (first.length <= n && (this.#inbox.length === 1 || first.length === n)) {
      if (peek) return first.slice();
      this.#consume(first.length);
      return first;
    }
    if (first.length >= n) {
      if (peek) return first.slice(0, n);
      this.#inbox[0] = first.subarray(n);
      this.#buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(Math.min(n, this.#buffered));
    let filled = 0;
    for (const chunk of this.#inbox) {
      const piece = chunk.subarray(0, out.length - filled);
      out.set(piece, filled);
      filled += piece.length;
      if (filled === out.length) break;
    }
    if (!peek) this.#consume(filled);
    return out;
  }

  /**
   * Puts `bytes` back at the front of the inbox: bytes taken for a caller who has gone (an
   * aborted MSG_WAITALL, a released stream reader) are the next call's, not lost.
   */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#closed || this.#readShut) return;
    this.#inbox.unshift(bytes);
    this.#buffered += bytes.length;
    this.#owner.changed();
  }

  /** Bytes waiting in the inbox. */
  get buffered(): number {
    return this.#buffered;
  }

  #consume(n: number): void {
    this.#buffered -= n;
    while (n > 0) {
      const first = this.#inbox[0]!;
      if (first.length <= n) {
        this.#inbox.shift();
        n -= first.length;
      } else {
        this.#inbox[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  /**
   * What a send must raise before it writes, as Linux's send does: an error a background write
   * met; a reset the read-ahead saw and no recv has reported yet (`ConnectionResetError`,
   * reported once, as the kernel reports it to whichever call comes first: the input before
   * it stays readable, then EOF); after a reported reset, or once a write has failed (its
   * error reported), `BrokenPipeError` every time: the connection takes no more bytes.
   */
  takeSendError(): OSError | null {
    const error = this.takeWriteError();
    if (error) return error;
    if (this.#reset || this.#writeFailed) return osError(EPIPE);
    const readError = this.#readError;
    if (readError?.errno === ECONNRESET) {
      this.#readError = null;
      this.#eof = true;
      this.#reset = true;
      this.#owner.changed();
      return readError;
    }
    return null;
  }

  /** Whether a background write met an error not yet reported. */
  get hasWriteError(): boolean {
    return this.#writeError !== null;
  }

  /** Raises, once, an error a background write met (as `SO_ERROR` would report it). */
  takeWriteError(): OSError | null {
    const error = this.#writeError;
    this.#writeError = null;
    return error;
  }

  /** Whether the fast path (writing straight from the caller's bytes) is open. */
  get idle(): boolean {
    return !this.#writing && this.#queued === 0;
  }

  /** One write straight from `data`, as a blocking `send` does; returns the count written. */
  async writeOnce(data: Uint8Array): Promise<number> {
    this.#writing = true;
    try {
      const n = await this.conn.write(data);
      this.#progressed = true;
      return n;
    } catch (e) {
      this.#writeFailed = true;
      throw this.#writeFailure(e);
    } finally {
      this.#wrote();
    }
  }

  /** Writes all of `data` straight from the caller's bytes, as a blocking `sendall` does. */
  async writeAll(data: Uint8Array): Promise<void> {
    this.#writing = true;
    try {
      let offset = 0;
      while (offset < data.length) {
        offset += await this.conn.write(offset === 0 ? data : data.subarray(offset));
        this.#progressed = true;
      }
    } catch (e) {
      this.#writeFailed = true;
      throw this.#writeFailure(e);
    } finally {
      this.#wrote();
    }
  }

  #wrote(): void {
    this.#writing = false;
    this.#pump();
  }

  /** Copies as much of `data` as the send buffer has room for; returns the count taken. */
  enqueue(data: Uint8Array): number {
    const room = SEND_BUFFER_SIZE - this.#queued;
    if (room <= 0) return 0;
    let taken: Uint8Array;
    if (this.#queued === 0 && !this.#writing && data.length <= STAGE_SIZE) {
      // A small send into an idle stream: copied into the stream's own staging buffer rather
      // than into a new ArrayBuffer (which costs more than the copy). Nothing else refers to
      // the stage once the stream is idle: its last write has settled and the outbox is empty.
      const stage = this.#stage ??= new Uint8Array(STAGE_SIZE);
      stage.set(data);
      taken = stage.subarray(0, data.length);
    } else {
      taken = data.length <= room ? data.slice() : data.slice(0, room);
    }
    this.#outbox.push(taken);
    this.#queued += taken.length;
    this.#pump();
    return taken.length;
  }

  #pump(): void {
    if (this.#writing) return;
    if (this.#queued === 0) {
      this.#afterDrain();
      return;
    }
    this.#writing = true;
    const batch = this.#outbox.length === 1 ? this.#outbox[0]! : this.#joinOutbox();
    // Handlers made once per stream, not per write: the batch waits in #batch.
    this.#batch = batch;
    this.conn.write(batch).then(
      this.#batchWritten ??= (n) => {
        const written = this.#batch;
        this.#batch = EMPTY;
        this.#writing = false;
        this.#progressed = true;
        this.#queued -= n;
        if (n < written.length) this.#outbox[0] = written.subarray(n);
        else this.#outbox.shift();
        this.#owner.changed();
        this.#pump();
      },
      this.#batchFailed ??= (e) => {
        this.#batch = EMPTY;
        this.#writing = false;
        this.#outbox = [];
        this.#queued = 0;
        if (!this.#closed) {
          this.#writeFailed = true;
          this.#writeError = this.#writeFailure(e);
          this.#owner.changed();
        }
        this.#afterDrain();
      },
    );
  }

  /** Where a small send into an idle stream is copied (enqueue); made on first use. */
  #stage: Uint8Array | null = null;

  /** The bytes of the background write in flight (#pump), and that write's handlers. */
  #batch: Uint8Array = EMPTY;
  #batchWritten: ((n: number) => void) | undefined;
  #batchFailed: ((e: unknown) => void) | undefined;

  #joinOutbox(): Uint8Array {
    const joined = new Uint8Array(this.#queued);
    let offset = 0;
    for (const chunk of this.#outbox) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    this.#outbox = [joined];
    return joined;
  }

  /** What waits for the outgoing buffer to empty: a half-close, then a close. */
  #afterDrain(): void {
    this.#sendTimedOut = false;
    this.#wakeDrainWaiters();
    if (this.#writeShut && !this.#closed) {
      this.conn.closeWrite().catch(() => {});
    }
    if (this.#closed) this.#release();
  }

  #wakeDrainWaiters(): void {
    // Called after every write: no new array unless someone waits.
    if (this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** `shutdown(SHUT_RD)`: input is discarded from now on and recv sees EOF. */
  shutdownRead(): void {
    this.#readShut = true;
    this.#inbox = [];
    this.#buffered = 0;
    // A recv blocked on its own read returns EOF at once, as Linux wakes it.
    this.#wakeBlockedReader();
    this.#owner.changed();
  }

  /** `shutdown(SHUT_WR)`: the peer sees EOF once what is buffered has been sent. */
  shutdownWrite(): void {
    if (this.#writeShut) return;
    this.#writeShut = true;
    if (!this.#writing && this.#queued === 0) this.#afterDrain();
    this.#owner.changed();
  }

  get writeShut(): boolean {
    return this.#writeShut;
  }

  /**
   * Records that a send or sendall with a timeout ran out of time: the peer is not taking the
   * bytes, and those the call left buffered are not owed (CPython's timed-out sendall sends
   * only what the kernel took), so a close() before the buffer empties drops them at once.
   */
  sendTimedOut(): void {
    if (this.#writing || this.#queued > 0) this.#sendTimedOut = true;
  }

  /**
   * Closes the stream; a pending read is cancelled. Bytes still buffered for sending go out
   * first, in the background, as the kernel sends a closed socket's buffer, for as long as
   * the peer keeps taking them (LINGER_STALL_MS); after a send timed out, they are dropped
   * and the connection closed at once.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox = [];
    this.#buffered = 0;
    this.#wakeDrainWaiters();
    this.#wakeBlockedReader();
    if (!this.#writing && this.#queued === 0) this.#release();
    else if (this.#sendTimedOut) this.#giveUp();
    else this.#linger();
  }

  #linger(): void {
    this.#progressed = false;
    const timer = setTimeout(() => {
      this.#lingerTimer = undefined;
      if (this.#released) return;
      if (this.#progressed) this.#linger();
      else this.#giveUp();
    }, LINGER_STALL_MS);
    // Waiting for a peer to read must not keep the process alive by itself.
    Deno.unrefTimer(timer);
    this.#lingerTimer = timer;
  }

  /** Drops what is left to send and closes the connection (cancelling a write in flight). */
  #giveUp(): void {
    this.#outbox = [];
    this.#queued = 0;
    this.#release();
  }

  #released = false;
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#lingerTimer !== undefined) {
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
    }
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer side of an in-memory pair, or by Deno after an error.
    }
  }
}
