// The write side of a stream (socket/_stream.ts): the blocking calls' straight writes, the
// outgoing buffer non-blocking and timed sends fill, and the linger of a closed stream.
import { fromDenoError, type OSError } from "../_core/errors.ts";
import type { ByteConn, ErrorMapper } from "../_core/channel.ts";
import { dropFirst } from "../_core/arrays.ts";
import { dropHeld, holdWrite } from "../_core/write_batch.ts";

/** Outgoing bytes buffered past this make the stream unwritable, as a full send buffer does. */
export const SEND_BUFFER_SIZE = 256 * 1024;
/** The largest send copied into a stream's staging buffer rather than a buffer of its own. */
const STAGE_SIZE = 1024;
/**
 * The most bytes a stream holds for the end of a readiness batch (_core/write_batch.ts); more
 * are written at once. A held stream always has room, so no wait for room waits on a batch.
 */
const HOLD_LIMIT = SEND_BUFFER_SIZE / 4;
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

/** A stream's outgoing side; it closes the connection once the stream is closed and drained. */
export class StreamWriter {
  readonly #conn: ByteConn;
  readonly #mapError: ErrorMapper;
  /** Tells the stream its readiness may have changed. */
  readonly #changed: () => void;

  #outbox: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #error: OSError | null = null;
  /** A write failed: the connection is broken for writing, whatever comes after. */
  #failed = false;
  #shut = false;
  #closed = false;
  #drainWaiters: (() => void)[] = [];
  /** A write completed since the linger last looked (see LINGER_STALL_MS). */
  #progressed = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  /** A send timed out and the buffer has not emptied since: close() drops what is left. */
  #timedOut = false;
  /** Bytes wait for the readiness batch to end (_core/write_batch.ts): no write starts. */
  #held = false;
  /** Starts the held write; made once per stream. */
  #startHeld: (() => void) | undefined;
  /** Where a small send into an idle stream is copied (enqueue); made on first use. */
  #stage: Uint8Array | null = null;
  /** The view of the stage the last small send into an idle stream took (enqueue). */
  #stageView: Uint8Array | null = null;
  /** The bytes of the background write in flight (#pump), and that write's handlers. */
  #batch: Uint8Array = EMPTY;
  #batchWritten: ((n: number) => void) | undefined;
  #batchFailed: ((e: unknown) => void) | undefined;

  constructor(conn: ByteConn, mapError: ErrorMapper, changed: () => void) {
    this.#conn = conn;
    this.#mapError = mapError;
    this.#changed = changed;
  }

  /** Whether the send buffer has room (POLLOUT). */
  get hasRoom(): boolean {
    return this.#queued < SEND_BUFFER_SIZE;
  }

  /** Whether a write runs or bytes wait to be written. */
  get busy(): boolean {
    return this.#writing || this.#queued > 0;
  }

  /** Whether the fast path (writing straight from the caller's bytes) is open. */
  get idle(): boolean {
    return !this.#writing && this.#queued === 0;
  }

  /**
   * Whether a blocking sendall may write straight away with nothing to raise first: idle, no
   * error waiting or met, not shut.
   */
  get clear(): boolean {
    return !this.#writing && this.#queued === 0 && this.#error === null && !this.#failed &&
      !this.#shut;
  }

  /** Whether a background write met an error not yet reported. */
  get hasError(): boolean {
    return this.#error !== null;
  }

  /** Whether a write has failed: the connection takes no more bytes. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Whether `shutdown(SHUT_WR)` was called. */
  get shut(): boolean {
    return this.#shut;
  }

  /** Reports, once, an error a background write met. */
  takeError(): OSError | null {
    const error = this.#error;
    this.#error = null;
    return error;
  }

  /** Waits until the outgoing buffer has emptied (or the stream closed). */
  drained(): Promise<void> {
    this.#unholdEarly();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  #failure(e: unknown): OSError {
    return this.#mapError(e, "write") ?? fromDenoError(e) as OSError;
  }

  /** One write straight from `data`, as a blocking `send` does; returns the count written. */
  async writeOnce(data: Uint8Array): Promise<number> {
    this.#writing = true;
    try {
      const n = await this.#conn.write(data);
      this.#progressed = true;
      return n;
    } catch (e) {
      this.#failed = true;
      throw this.#failure(e);
    } finally {
      this.#wrote();
    }
  }

  /**
   * Writes all of `data` straight from the caller's bytes, as a blocking `sendall` does. Not
   * async: one `then` on the write, with handlers made once per stream (the rest of a short
   * write waits in #rest), is every blocking sendall's cost over Deno's own write.
   */
  writeAll(data: Uint8Array): Promise<void> {
    this.#writing = true;
    this.#rest = data;
    return this.#conn.write(data).then(this.#restWritten(), this.#restFailed());
  }

  /** The bytes of a straight write (writeAll) in flight, and its handlers. */
  #rest: Uint8Array = EMPTY;
  #restWrittenHandler: ((n: number) => void | Promise<void>) | undefined;
  #restFailedHandler: ((e: unknown) => never) | undefined;

  #restWritten(): (n: number) => void | Promise<void> {
    return this.#restWrittenHandler ??= (n) => {
      this.#progressed = true;
      const rest = this.#rest;
      if (n < rest.length) {
        // A short write: the rest follows, and the call settles once it is all written.
        this.#rest = rest.subarray(n);
        return this.#conn.write(this.#rest).then(this.#restWritten(), this.#restFailed());
      }
      this.#rest = EMPTY;
      this.#wrote();
    };
  }

  #restFailed(): (e: unknown) => never {
    return this.#restFailedHandler ??= (e) => {
      this.#rest = EMPTY;
      this.#failed = true;
      const error = this.#failure(e);
      this.#wrote();
      throw error;
    };
  }

  #wrote(): void {
    this.#writing = false;
    this.#pump();
  }

  /** Copies as much of `data` as the send buffer has room for; returns the count taken. */
  enqueue(data: Uint8Array): number {
    const room = SEND_BUFFER_SIZE - this.#queued;
    if (room <= 0) return 0;
    const staged = this.#stagedHeld();
    if (staged > 0 && staged + data.length <= STAGE_SIZE) {
      // The stage holds this batch's bytes and no write has taken it yet: a later small send
      // of the batch joins it, and the batch leaves as one write with no buffer of its own.
      const stage = this.#stage!;
      stage.set(data, staged);
      this.#outbox[0] = stage.subarray(0, staged + data.length);
      this.#queued += data.length;
      return data.length;
    }
    let taken: Uint8Array;
    if (this.#queued === 0 && !this.#writing && data.length <= STAGE_SIZE) {
      // A small send into an idle stream: copied into the stream's own staging buffer rather
      // than into a new ArrayBuffer (which costs more than the copy). Nothing else refers to
      // the stage once the stream is idle: its last write has settled and the outbox is empty.
      const stage = this.#stage ??= new Uint8Array(STAGE_SIZE);
      stage.set(data);
      // The last send's view of the stage when it has this length (a protocol's replies are
      // often all one size): a new view is a typed array's allocation, and nothing refers to
      // the old one once the stream is idle.
      const last = this.#stageView;
      taken = last !== null && last.length === data.length
        ? last
        : this.#stageView = stage.subarray(0, data.length);
    } else {
      taken = data.length <= room ? data.slice() : data.slice(0, room);
    }
    this.#outbox.push(taken);
    this.#queued += taken.length;
    if (!this.#hold()) this.#pump();
    return taken.length;
  }

  /**
   * How many bytes of the stage wait, held, for the batch to end (0: none). A held stream has
   * no write in flight, so its stage, which only an idle stream's first send takes, is then
   * the outbox's one chunk, and no write has taken it yet.
   */
  #stagedHeld(): number {
    if (!this.#held || this.#outbox.length !== 1) return 0;
    const only = this.#outbox[0]!;
    return only.buffer === this.#stage?.buffer ? only.length : 0;
  }

  /**
   * Whether the write of what is queued waits for the readiness batch to end: bytes given to
   * an idle stream while a batch is open, up to HOLD_LIMIT.
   */
  #hold(): boolean {
    if (this.#held) {
      if (this.#queued <= HOLD_LIMIT) return true;
      this.#held = false;
      return false;
    }
    if (this.#writing || this.#queued > HOLD_LIMIT) return false;
    const start = this.#startHeld ??= () => this.#unhold();
    if (!holdWrite(start)) return false;
    this.#held = true;
    return true;
  }

  /** Starts the held write as its batch ends. */
  #unhold(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#pump();
  }

  /** Starts the held write before its batch ends: the stream is awaited, shut or closed. */
  #unholdEarly(): void {
    if (!this.#held) return;
    dropHeld(this.#startHeld!);
    this.#unhold();
  }

  #pump(): void {
    if (this.#writing || this.#held) return;
    if (this.#queued === 0) {
      this.#afterDrain();
      return;
    }
    this.#writing = true;
    const batch = this.#outbox.length === 1 ? this.#outbox[0]! : this.#joinOutbox();
    // Handlers made once per stream, not per write: the batch waits in #batch.
    this.#batch = batch;
    this.#conn.write(batch).then(
      this.#batchWritten ??= (n) => {
        const written = this.#batch;
        this.#batch = EMPTY;
        this.#writing = false;
        this.#progressed = true;
        const wasFull = !this.hasRoom;
        this.#queued -= n;
        if (n < written.length) this.#outbox[0] = written.subarray(n);
        else dropFirst(this.#outbox);
        // A completed write changes what watchers see only when it frees room in a full send
        // buffer (POLLOUT): telling them after every write cost each reply a notification
        // (and the core's deref) that no watcher could use.
        if (wasFull && this.hasRoom) this.#changed();
        this.#pump();
      },
      this.#batchFailed ??= (e) => {
        this.#batch = EMPTY;
        this.#writing = false;
        this.#outbox = [];
        this.#queued = 0;
        if (!this.#closed) {
          this.#failed = true;
          this.#error = this.#failure(e);
          this.#changed();
        }
        this.#afterDrain();
      },
    );
  }

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
    this.#timedOut = false;
    this.#wakeDrainWaiters();
    if (this.#shut && !this.#closed) {
      this.#conn.closeWrite().catch(() => {});
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

  /** `shutdown(SHUT_WR)`: the peer sees EOF once what is buffered has been sent. */
  shutdown(): void {
    if (this.#shut) return;
    this.#shut = true;
    this.#unholdEarly();
    if (!this.#writing && this.#queued === 0) this.#afterDrain();
  }

  /**
   * Records that a send or sendall with a timeout ran out of time: the peer is not taking the
   * bytes, and those the call left buffered are not owed (CPython's timed-out sendall sends
   * only what the kernel took), so a close() before the buffer empties drops them at once.
   */
  sendTimedOut(): void {
    if (this.#writing || this.#queued > 0) this.#timedOut = true;
  }

  /**
   * Closes the write side and, once it is done, the connection. Bytes still buffered go out
   * first, in the background, as the kernel sends a closed socket's buffer, for as long as
   * the peer keeps taking them (LINGER_STALL_MS); after a send timed out, they are dropped
   * and the connection closed at once.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unholdEarly();
    this.#wakeDrainWaiters();
    if (!this.#writing && this.#queued === 0) this.#release();
    else if (this.#timedOut) this.#giveUp();
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
      this.#conn.close();
    } catch {
      // Already closed by the peer side of an in-memory pair, or by Deno after an error.
    }
  }
}
