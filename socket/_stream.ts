// A connected byte stream (TCP, Unix, or an in-memory socketpair) with the read-ahead and the
// outgoing buffer ARCHITECTURE.md describes: input is known only by reading, so reads land in an
// inbox that recv() drains (_core/inbox.ts), and nothing a pending read brings in is ever
// dropped. Where reads land is _read_buffers.ts; the write side is _stream_writer.ts.
import { EBADF, ECONNRESET, EPIPE } from "../_core/errno.ts";
import { fromDenoError, OSError, osError } from "../_core/errors.ts";
import {
  type ByteConn,
  type Channel,
  type ChannelOwner,
  type ErrorMapper,
  ReadHold,
} from "../_core/channel.ts";
import { Inbox } from "../_core/inbox.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDHUP } from "../_core/readiness.ts";
import { endBatch } from "../_core/write_batch.ts";
import { ReadBuffers } from "./_read_buffers.ts";
import { StreamWriter } from "./_stream_writer.ts";

export { SEND_BUFFER_SIZE } from "./_stream_writer.ts";

const denoErrors: ErrorMapper = (e) => fromDenoError(e) as OSError;
const EMPTY = new Uint8Array(0);

export class StreamChannel implements Channel {
  readonly conn: ByteConn;
  #owner: ChannelOwner;
  /** Tells the owner, whoever it is now; made once, for the writer. */
  readonly #changed = (): void => this.#owner.changed();

  #inbox = new Inbox<OSError>();
  #buffers = new ReadBuffers();
  #reading = false;
  #readShut = false;
  /** The connection was reset: it stays hung up after the error has been reported. */
  #reset = false;
  #closed = false;
  /** Handed over for an upgrade: no read may start. */
  #parked = false;
  /** Waiting for the read in flight to land (an upgrade reading through it). */
  #landingWaiters: (() => void)[] = [];
  /**
   * Wakes a blocking recv waiting on its own read (`readNow`, `readInto`): a landing, or a
   * `shutdown(SHUT_RD)` or close, which Linux answers at once while the read stays pending.
   * Called with the landed chunk when it is handed over straight (see `readNow`), else null.
   */
  #wakeReader: ((chunk: Uint8Array | null) => void) | null = null;
  /** The most bytes the waiting reader takes straight from its read's landing (readNow). */
  #handSize = 0;
  /**
   * Whether the connection's reads hold the process: a blocking recv's read holds it, a
   * read-ahead does not (see readNow and readInto), nor does a wait holding the process itself
   * (_core/keep_alive.ts).
   */
  readonly #hold: ReadHold;
  /** The buffer of the read-ahead in flight (armRead), and that read's handlers. */
  #aheadBuffer: Uint8Array | null = null;
  #aheadLanded: ((n: number | null) => void) | undefined;
  #aheadFailed: ((e: unknown) => void) | undefined;

  #writer: StreamWriter;
  #mapError: ErrorMapper;

  constructor(conn: ByteConn, owner: ChannelOwner, mapError: ErrorMapper = denoErrors) {
    this.conn = conn;
    this.#owner = owner;
    this.#mapError = mapError;
    this.#writer = new StreamWriter(conn, mapError, this.#changed);
    this.#hold = new ReadHold(conn);
  }

  /** Hands the channel to a new owner (a socket made from a detached descriptor). */
  adopt(owner: ChannelOwner): void {
    this.#owner = owner;
  }

  /** The `POLL*` events that hold now. */
  pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    const inbox = this.#inbox;
    const eof = inbox.eof;
    const error = inbox.error !== null;
    let events = 0;
    if (inbox.buffered > 0 || eof || this.#readShut || error) events |= POLLIN;
    if (eof || this.#readShut) events |= POLLRDHUP;
    if (error) events |= POLLERR | POLLHUP;
    if (this.#reset) events |= POLLHUP;
    if (this.#writer.hasError) events |= POLLERR;
    if (eof && this.#writer.shut) events |= POLLHUP;
    if (this.#writer.hasRoom) events |= POLLOUT;
    return events;
  }

  /** Whether a recv would settle at once. */
  get readable(): boolean {
    return this.#inbox.settled || this.#readShut || this.#closed;
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
      while (this.#writer.busy) {
        if (this.#writer.hasError || this.#closed) break;
        await this.#writer.drained();
      }
      const error = this.takeWriteError();
      if (error) throw error;
      if (this.#closed) throw new OSError(EBADF);
      if (this.#inbox.buffered > 0) {
        throw new OSError(
          null,
          `Cannot start TLS: ${this.#inbox.buffered} bytes received before the handshake are unread`,
        );
      }
      // The new layer's reads run unref'd, as read-aheads do.
      this.#hold.release();
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
        if (this.#inbox.buffered > 0) {
          const data = this.#inbox.take(p.length);
          p.set(data);
          return data.length;
        }
        if (this.#inbox.error) throw this.#inbox.error;
        if (this.#inbox.eof) return null;
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
    this.#handSize = 0;
    wake(null);
  }

  /**
   * Wakes a recv blocked on the read in flight, which a `shutdown(SHUT_RD)` or a close
   * overtook: that read stays pending and no longer holds the process.
   */
  #wakeOvertaken(): void {
    if (this.#wakeReader === null) return;
    this.#hold.release();
    this.#wakeBlockedReader();
  }

  /** Resumes the read-ahead after a refused or failed upgrade. */
  unpark(): void {
    this.#parked = false;
    // The upgrade had the connection: whether its reads hold the process is not known.
    this.#hold.forget();
    this.#owner.changed();
  }

  /** Starts a read into the inbox, unless input is already waiting or cannot come. */
  armRead(sizeHint = 0): void {
    if (!this.canReadNow) return;
    const buffer = this.#startRead(sizeHint);
    // Handlers made once per stream, not per read: the buffer waits in #aheadBuffer.
    this.#aheadBuffer = buffer;
    // Reading ahead must not hold the process.
    this.#hold.release();
    this.conn.read(buffer).then(this.#landedAhead(), this.#failedAhead());
  }

  /** Whether a read may start: none is running, and no input is waiting or can come. */
  get canReadNow(): boolean {
    return !(this.#parked || this.#reading || this.#inbox.settled || this.#readShut ||
      this.#closed);
  }

  /**
   * Reads once into the inbox for a blocking recv, with no watcher and no timer: `wake` is
   * called once the read has landed (its bytes in the inbox, before the owner hears of them),
   * or at once on a `shutdown(SHUT_RD)` or close, which Linux answers while the read stays
   * pending. With `handSize`, a landing of at most that many bytes into an empty inbox is
   * handed to `wake` instead, the recv's whole answer, without passing through the inbox (the
   * inbox would hand the same chunk over whole). Call only when `canReadNow`.
   */
  readNow(sizeHint: number, wake: (chunk: Uint8Array | null) => void, handSize = 0): void {
    // The buffer waits in #aheadBuffer, as a read-ahead's does: the handlers are made once.
    const buffer = this.#aheadBuffer = this.#startRead(sizeHint);
    // The read lands on its own (nothing it brings is lost).
    this.#awaited();
    this.#wakeReader = wake;
    this.#handSize = handSize;
    this.conn.read(buffer).then(this.#landedAhead(), this.#failedAhead());
  }

  #landedAhead(): (n: number | null) => void {
    return this.#aheadLanded ??= (n) => {
      const landed = this.#aheadBuffer!;
      this.#aheadBuffer = null;
      this.#landed(landed, n);
    };
  }

  #failedAhead(): (e: unknown) => void {
    return this.#aheadFailed ??= (e) => {
      this.#aheadBuffer = null;
      this.#failed(e);
    };
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
    // An overtaken read is released by what overtook it (see #wakeOvertaken).
    this.#awaited();
    return await new Promise<number | null>((resolve) => {
      this.#wakeReader = () => resolve(null);
      this.#handSize = 0;
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
  }

  /**
   * A read the program awaits (readNow, readInto) begins: it holds the process while it runs,
   * and the writes held for the readiness batch go first, since the input awaited may be the
   * answer to one of them (_core/write_batch.ts).
   */
  #awaited(): void {
    endBatch();
    this.#hold.hold();
  }

  #startRead(sizeHint: number): Uint8Array {
    this.#reading = true;
    return this.#buffers.next(sizeHint);
  }

  #landed(buffer: Uint8Array, n: number | null): void {
    this.#reading = false;
    this.#wakeLandingWaiters();
    if (this.#closed) {
      this.#wakeBlockedReader();
      return;
    }
    if (n === null) {
      this.#buffers.ended(buffer);
      this.#inbox.end();
    } else if (n > 0) {
      const chunk = this.#buffers.landed(buffer, n);
      if (this.#readShut) {
        // Discarded, as SHUT_RD discards what arrives.
      } else if (chunk.length <= this.#handSize && this.#inbox.buffered === 0) {
        // The blocked recv's whole answer: handed over, then watchers hear that none is left.
        const wake = this.#wakeReader!;
        this.#wakeReader = null;
        this.#handSize = 0;
        wake(chunk);
        this.#owner.changed();
        return;
      } else {
        this.#inbox.push(chunk);
      }
    }
    // A recv blocked on this read takes its bytes first, as the kernel hands a segment to the
    // reader it wakes; watchers then hear of what is left.
    this.#wakeBlockedReader();
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
    this.#inbox.fail(error);
    this.#wakeBlockedReader();
    this.#owner.changed();
  }

  /**
   * Takes up to `n` bytes of input; empty at EOF. A read error is raised once, after the
   * input before it; later calls see EOF, as Linux reports a reset once. With `holdError`, a
   * read error is left for the next call and the take is empty (a `MSG_WAITALL` recv returns
   * the bytes it has gathered first).
   */
  take(n: number, peek = false, holdError = false): Uint8Array {
    const inbox = this.#inbox;
    if (inbox.buffered === 0) {
      if (holdError || inbox.error === null) return EMPTY;
      if (peek) throw inbox.error;
      this.#reset = true;
      throw inbox.takeError();
    }
    // A peek returns a copy: the bytes stay in the inbox, and what the caller does to the
    // peeked ones must not change what the next recv returns.
    return peek ? inbox.peek(n) : inbox.take(n);
  }

  /**
   * Puts `bytes` back at the front of the inbox: bytes taken for a caller who has gone (an
   * aborted MSG_WAITALL, a released stream reader) are the next call's, not lost.
   */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#closed || this.#readShut) return;
    this.#inbox.unread(bytes);
    this.#owner.changed();
  }

  /** Bytes waiting in the inbox. */
  get buffered(): number {
    return this.#inbox.buffered;
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
    if (this.#reset || this.#writer.failed) return osError(EPIPE);
    if (this.#inbox.error?.errno === ECONNRESET) {
      const readError = this.#inbox.takeError();
      this.#reset = true;
      this.#owner.changed();
      return readError;
    }
    return null;
  }

  /** Whether a background write met an error not yet reported. */
  get hasWriteError(): boolean {
    return this.#writer.hasError;
  }

  /** Raises, once, an error a background write met (as `SO_ERROR` would report it). */
  takeWriteError(): OSError | null {
    return this.#writer.takeError();
  }

  /** Whether the fast path (writing straight from the caller's bytes) is open. */
  get idle(): boolean {
    return this.#writer.idle;
  }

  /** One write straight from `data`, as a blocking `send` does; returns the count written. */
  writeOnce(data: Uint8Array): Promise<number> {
    return this.#writer.writeOnce(data);
  }

  /** Writes all of `data` straight from the caller's bytes, as a blocking `sendall` does. */
  writeAll(data: Uint8Array): Promise<void> {
    return this.#writer.writeAll(data);
  }

  /**
   * A blocking sendall's straight write, when nothing stands in its way: the stream is idle
   * and there is nothing `takeSendError` or a shut writing side would raise first (null
   * otherwise, for the full path to sort out).
   */
  writeAllNow(data: Uint8Array): Promise<void> | null {
    if (this.#reset || this.#inbox.error !== null || !this.#writer.clear) return null;
    return this.#writer.writeAll(data);
  }

  /** Copies as much of `data` as the send buffer has room for; returns the count taken. */
  enqueue(data: Uint8Array): number {
    return this.#writer.enqueue(data);
  }

  /** `shutdown(SHUT_RD)`: input is discarded from now on and recv sees EOF. */
  shutdownRead(): void {
    this.#readShut = true;
    this.#inbox.clear();
    // A recv blocked on its own read returns EOF at once, as Linux wakes it.
    this.#wakeOvertaken();
    this.#owner.changed();
  }

  /** `shutdown(SHUT_WR)`: the peer sees EOF once what is buffered has been sent. */
  shutdownWrite(): void {
    if (this.#writer.shut) return;
    this.#writer.shutdown();
    this.#owner.changed();
  }

  /** Whether `shutdown(SHUT_WR)` was called. */
  get writeShut(): boolean {
    return this.#writer.shut;
  }

  /**
   * Records that a send or sendall with a timeout ran out of time: the peer is not taking the
   * bytes, and those the call left buffered are not owed (CPython's timed-out sendall sends
   * only what the kernel took), so a close() before the buffer empties drops them at once.
   */
  sendTimedOut(): void {
    this.#writer.sendTimedOut();
  }

  /**
   * Closes the stream; a pending read is cancelled. Bytes still buffered for sending go out
   * first, in the background (see StreamWriter.close).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.clear();
    this.#wakeOvertaken();
    this.#writer.close();
    this.#buffers.release();
  }
}
