// asynchat.async_chat: a dispatcher that splits its input at a terminator (bytes, a byte
// count, or none) and queues its output, CPython 3.11's Lib/asynchat.py call for call. The
// input is parsed from an offset into the bytes received instead of re-slicing a buffer, so
// parsing is linear in the bytes received while the calls made are CPython's.
import {
  BlockingIOError,
  NotImplementedError,
  OSError,
  Socket,
  ValueError,
} from "../socket/mod.ts";
import {
  DISCONNECTED,
  Dispatcher,
  type DispatcherSocket,
  type Predicate,
  type SocketMap,
} from "../asyncore/mod.ts";
import { dropFirst } from "../_core/arrays.ts";
import { joinBytes } from "../_core/bytes.ts";
import { encode } from "./_encoding.ts";
import type { Chunk, Producer } from "./_producer.ts";
import { type FifoEntry, pyType, type Terminator, truthy } from "./_values.ts";
import { findPrefixAtEnd, indexOfBytes } from "./_scan.ts";

const EMPTY = new Uint8Array(0);
const RESOLVED: Promise<void> = Promise.resolve();
/** Dispatcher's own recv and send: the synchronous paths stand in for them, not for overrides. */
const DISPATCHER_RECV = Dispatcher.prototype.recv;
const DISPATCHER_SEND = Dispatcher.prototype.send;

/** Whether `e` is an error Dispatcher's recv and send read as the peer gone. */
function disconnected(e: unknown): boolean {
  return e instanceof OSError && e.errno !== null && DISCONNECTED.has(e.errno);
}

/**
 * Python's `asynchat.async_chat`: a dispatcher for protocols of records. Incoming bytes go to
 * `collectIncomingData()` in pieces, and `foundTerminator()` is called at each terminator (a
 * byte string, or after a number of bytes); `null` sends everything to
 * `collectIncomingData()`. The calls are CPython's for any split of the input into reads.
 * Output is queued with `push()` and `pushWithProducer()` and sent as the socket takes it.
 *
 * @example A line server that answers each line in upper case
 * ```ts
 * import { AsyncChat } from "@pynet/net/asynchat";
 * import { loop } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * class Upper extends AsyncChat {
 *   #line: Uint8Array[] = [];
 *   override collectIncomingData(data: Uint8Array) {
 *     this.#line.push(data);
 *   }
 *   override async foundTerminator() {
 *     const line = this.#line.map((d) => new TextDecoder().decode(d)).join("");
 *     this.#line = [];
 *     await this.push(new TextEncoder().encode(line.toUpperCase() + "\n"));
 *   }
 * }
 * const [a, b] = socketpair();
 * using _a = a;
 * const map = new Map();
 * const chat = new Upper(b, map);
 * chat.setTerminator(new TextEncoder().encode("\n"));
 * await a.sendall(new TextEncoder().encode("hello\nworld\n"));
 * await loop({ timeout: 1, map, count: 1 });
 * assertEquals(new TextDecoder().decode(await a.recv(100)), "HELLO\nWORLD\n");
 * chat.close();
 * ```
 */
export class AsyncChat<S extends DispatcherSocket = Socket> extends Dispatcher<S> {
  /** How much `handleRead` asks `recv` for (not a limit on what is buffered). */
  acInBufferSize = 65536;
  /** The largest piece `initiateSend` sends at once. */
  acOutBufferSize = 65536;
  /** Text terminators and text output are encoded with `encoding` (Python's `use_encoding`). */
  useEncoding = false;
  /** The encoding for `useEncoding`. */
  encoding = "latin-1";
  /** The terminator `getTerminator()` returns; a byte count counts down as bytes come. */
  terminator: Terminator = null;
  /** What `_collectIncomingData` gathered, for `_getData`. */
  incoming: Uint8Array[] = [];
  /** The output queue. */
  producerFifo: FifoEntry[] = [];
  /** The bytes received and not parsed yet: `#in` from `#pos` on. */
  #in: Uint8Array = EMPTY;
  #pos = 0;

  /**
   * Creates the channel, on `sock` if given (as {@linkcode Dispatcher}).
   *
   * @param sock A socket, or nothing.
   * @param map The map to join.
   */
  constructor(sock?: NoInfer<S> | null, map?: SocketMap | null) {
    super(sock, map);
  }

  /** The bytes received and not parsed yet (a held-back partial terminator, typically). */
  get acInBuffer(): Uint8Array {
    return this.#in.subarray(this.#pos);
  }

  set acInBuffer(data: Uint8Array) {
    this.#in = data;
    this.#pos = 0;
  }

  /**
   * Receives the bytes of the current record, in pieces; never empty, never a terminator.
   *
   * @param data A piece.
   * @throws {NotImplementedError} Unless a subclass implements it.
   */
  collectIncomingData(data: Uint8Array): void | Promise<void> {
    void data;
    throw new NotImplementedError("must be implemented in subclass");
  }

  /**
   * Collects `data` into `incoming` (a ready-made `collectIncomingData`).
   *
   * @param data A piece.
   */
  _collectIncomingData(data: Uint8Array): void {
    this.incoming.push(data);
  }

  /**
   * Joins and empties `incoming`.
   *
   * @returns The bytes collected.
   */
  _getData(): Uint8Array {
    const out = this.incoming.length === 1 ? this.incoming[0]! : joinBytes(this.incoming);
    this.incoming = [];
    return out;
  }

  /**
   * A terminator was reached (or the byte count was).
   *
   * @throws {NotImplementedError} Unless a subclass implements it.
   */
  foundTerminator(): void | Promise<void> {
    throw new NotImplementedError("must be implemented in subclass");
  }

  /**
   * Sets the input delimiter: bytes, text (encoded with `encoding` when `useEncoding`), a byte
   * count, or `null` (no terminator; 0 means the same).
   *
   * @param term The terminator.
   * @throws {ValueError} A negative count.
   */
  setTerminator(term: Terminator): void {
    if (typeof term === "string" && this.useEncoding) {
      term = encode(term, this.encoding);
    } else if (typeof term === "number" && term < 0) {
      throw new ValueError("the number of received bytes must be positive");
    }
    this.terminator = term;
  }

  /**
   * The current terminator; a byte count is what is still to come.
   *
   * @returns The terminator.
   */
  getTerminator(): Terminator {
    return this.terminator;
  }

  /**
   * Reads (through `this.recv`, so an overriding `recv` feeds it) and parses: pieces to
   * `collectIncomingData`, terminators to `foundTerminator`, the terminator read afresh after
   * each call. `BlockingIOError` is ignored; another `OSError` goes to `handleError`.
   */
  override handleRead(): Promise<void> {
    const now = this.#readNow();
    if (now !== undefined) return now;
    // A Promise chain rather than an async function: this runs for every read, and with small
    // reads its frame was much of what parsing allocated. The handlers are bound once.
    let reading: Promise<Uint8Array>;
    try {
      reading = this.recv(this.acInBufferSize);
    } catch (e) {
      return this.#readFailed(e);
    }
    return reading.then(
      this.#onData ??= (data) => this.#received(data),
      this.#onError ??= (e) => this.#readFailed(e),
    );
  }

  /**
   * The read without a Promise, when `recv` is Dispatcher's own on a plain socket: the input
   * that has arrived, through `Socket.recvNow`, answered as Dispatcher's `recv` answers it (EOF
   * or a disconnect: `handleClose()`, then the parse of empty bytes). A loop calls
   * `handleRead()` once the socket is readable, when the input has arrived. Undefined when
   * nothing has (the Promise path then waits for it, as `recv` would).
   */
  #readNow(): Promise<void> | undefined {
    const sock = this.recv === DISPATCHER_RECV ? this.#plainSocket() : null;
    if (sock === null) return undefined;
    let data: Uint8Array;
    try {
      data = sock.recvNow(this.acInBufferSize);
    } catch (e) {
      if (e instanceof BlockingIOError) return undefined;
      return disconnected(e) ? this.#closedThenParse() : this.#readFailed(e);
    }
    if (data.length === 0) return this.#closedThenParse();
    return this.#received(data) ?? RESOLVED;
  }

  /** What follows a read that found the peer gone: `handleClose()`, then the parse. */
  async #closedThenParse(): Promise<void> {
    await this.handleClose();
    await this.#received(EMPTY);
  }

  /**
   * The socket as a plain non-blocking `Socket`, whose `recvNow` and `sendNow` do what its
   * `recv` and `send` would do now; null for anything else (an `SSLSocket`, a file wrapper, a
   * socket made blocking), which takes the Promise path. The class is told by `constructor`, a
   * property load, rather than `Object.getPrototypeOf`, a runtime call on every read and send;
   * the timeout, which the program may change at any time, is read on every call.
   */
  #plainSocket(): Socket | null {
    const sock = this.socket as unknown as Socket | null;
    return sock !== null && sock.constructor === Socket && sock.gettimeout() === 0 ? sock : null;
  }

  #onData: ((data: Uint8Array) => void | Promise<void>) | undefined;
  #onError: ((e: unknown) => Promise<void>) | undefined;

  /** A failed read: `BlockingIOError` is ignored, another `OSError` goes to `handleError`. */
  async #readFailed(e: unknown): Promise<void> {
    if (e instanceof BlockingIOError) return;
    if (e instanceof OSError) {
      await this.handleError(e);
      return;
    }
    throw e;
  }

  /** The bytes a read brought: appended to what is unparsed, then parsed. */
  #received(data: Uint8Array): void | Promise<void> {
    if (this.#pos < this.#in.length) {
      if (data.length > 0) this.acInBuffer = joinBytes([this.#in.subarray(this.#pos), data]);
    } else {
      this.acInBuffer = data;
    }
    return this.#parse();
  }

  /**
   * CPython's `while self.ac_in_buffer:` loop, on an offset. It runs synchronously while the
   * handlers return nothing, and goes on after a handler's Promise when one returns it.
   */
  #parse(): void | Promise<void> {
    for (;;) {
      const more = this.#step();
      if (more === true) continue;
      if (more === false) return;
      return more;
    }
  }

  /** The rest of the loop, after a handler's Promise. */
  #resume: (() => void | Promise<void>) | undefined;

  /**
   * After `result` (a handler's), `next`; then the rest of the loop when `next` says to go on.
   * At once when `result` is not a Promise.
   */
  #after(
    result: void | Promise<void>,
    next: () => boolean | Promise<void>,
  ): boolean | Promise<void> {
    if (!result) return next();
    return result.then(() => {
      const more = next();
      return more === true ? this.#parse() : more === false ? undefined : more;
    });
  }

  /**
   * One pass of CPython's loop: true to go on, false to stop, or a Promise of the rest of the
   * loop (which goes on by itself once a handler's Promise settles).
   */
  #step(): boolean | Promise<void> {
    const buf = this.#in;
    const pos = this.#pos;
    const lb = buf.length - pos;
    if (lb <= 0) return false;
    const terminator = this.getTerminator();
    if (!truthy(terminator)) {
      return this.#after(this.collectIncomingData(pos === 0 ? buf : buf.subarray(pos)), () => {
        this.#consumed(buf, pos, buf.length);
        return true;
      });
    }
    if (typeof terminator === "number" || typeof terminator === "boolean") {
      const n = Number(terminator);
      if (lb < n) {
        return this.#after(this.collectIncomingData(pos === 0 ? buf : buf.subarray(pos)), () => {
          this.#consumed(buf, pos, buf.length);
          this.terminator = Number(this.terminator) - lb;
          return true;
        });
      }
      return this.#after(this.collectIncomingData(buf.subarray(pos, pos + n)), () => {
        this.#consumed(buf, pos, pos + n);
        this.terminator = 0;
        return this.#found();
      });
    }
    if (typeof terminator === "string") {
      throw new TypeError("argument should be integer or bytes-like object, not 'str'");
    }
    // The hot path (a byte terminator) makes no closure unless a handler returns a Promise.
    const t = terminator as Uint8Array;
    const index = indexOfBytes(buf, t, pos);
    if (index !== -1) {
      if (index > pos) {
        const r = this.collectIncomingData(buf.subarray(pos, index));
        if (r) return this.#after(r, () => this.#afterRecord(buf, pos, index + t.length));
      }
      return this.#afterRecord(buf, pos, index + t.length);
    }
    // Only the last len(t) - 1 bytes can start a terminator.
    const k = t.length === 1
      ? 0
      : findPrefixAtEnd(lb > t.length ? buf.subarray(buf.length - t.length) : buf.subarray(pos), t);
    const end = buf.length - k;
    if (k === lb) return false;
    const r = this.collectIncomingData(pos === 0 && k === 0 ? buf : buf.subarray(pos, end));
    if (r) {
      return this.#after(r, () => {
        this.#consumed(buf, pos, end);
        return k === 0;
      });
    }
    this.#consumed(buf, pos, end);
    return k === 0;
  }

  /** After a record's last piece: the terminator is consumed, then `foundTerminator()`. */
  #afterRecord(buf: Uint8Array, pos: number, end: number): boolean | Promise<void> {
    this.#consumed(buf, pos, end);
    return this.#found();
  }

  /** `foundTerminator()`, then the rest of the loop (after its Promise, when it returns one). */
  #found(): true | Promise<void> {
    const f = this.foundTerminator();
    // The continuation straight on the handler's Promise: one Promise per record, not three.
    return f ? f.then(this.#resume ??= () => this.#parse()) : true;
  }

  /**
   * The parser has used the buffer `buf` (unparsed from `pos`) up to `end`. CPython slices its
   * buffer after the handler ran, so a buffer a handler replaced (`discardBuffers()`) is
   * sliced instead, at the same distance.
   */
  #consumed(buf: Uint8Array, pos: number, end: number): void {
    if (this.#in === buf) {
      if (end >= buf.length) {
        this.#in = EMPTY;
        this.#pos = 0;
      } else {
        this.#pos = end;
      }
    } else if (end >= buf.length) {
      this.acInBuffer = EMPTY;
    } else {
      this.acInBuffer = this.acInBuffer.subarray(end - pos);
    }
  }

  /** Sends queued output. */
  override async handleWrite(): Promise<void> {
    await this.initiateSend();
  }

  /** Closes the channel. */
  override handleClose(): void | Promise<void> {
    this.close();
  }

  /**
   * Queues `data` (in pieces of at most `acOutBufferSize`) and starts sending.
   *
   * @param data The bytes.
   * @throws {TypeError} For anything but bytes, as CPython's message has it.
   */
  push(data: Uint8Array): Promise<void> {
    // Not an async function: this runs for every reply, and its frame was allocated each time.
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(`('data argument must be byte-ish (%r)', <class '${pyType(data)}'>)`),
      );
    }
    const sabs = this.acOutBufferSize;
    if (data.length > sabs) {
      for (let i = 0; i < data.length; i += sabs) {
        this.producerFifo.push(data.subarray(i, i + sabs));
      }
    } else {
      this.producerFifo.push(data);
    }
    return this.#startSend();
  }

  /** `initiateSend()`, as a Promise even from an override that throws or returns nothing. */
  #startSend(): Promise<void> {
    try {
      const r = this.initiateSend();
      return r instanceof Promise ? r : Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Queues a producer (or bytes, sliced like data) and starts sending.
   *
   * @param producer The producer.
   */
  async pushWithProducer(producer: Producer | Uint8Array): Promise<void> {
    this.producerFifo.push(producer);
    await this.initiateSend();
  }

  /**
   * Watched for reading always.
   *
   * @returns `true`.
   */
  override readable(): Predicate {
    return true;
  }

  /**
   * Watched for writing while output is queued, or until connected.
   *
   * @returns The truth value.
   */
  override writable(): Predicate {
    return this.producerFifo.length > 0 || !this.connected;
  }

  /** Closes the channel once the output queued so far is sent. */
  closeWhenDone(): void {
    this.producerFifo.push(null);
  }

  /**
   * Sends from the head of the queue: at most one `send()` per call, only while connected;
   * a producer is asked for more; the `closeWhenDone()` mark calls `handleClose()`.
   */
  initiateSend(): Promise<void> {
    const fifo = this.producerFifo;
    const first = fifo[0];
    // The common case, bytes at the head: one send() and a Promise chain, not an async frame.
    // The same steps as the general path below.
    if (first instanceof Uint8Array && first.length > 0 && this.connected) {
      const under = this.#sending;
      if (under !== null) {
        // A send not awaited is still under way: the head it sent stays at the head until that
        // send learns how much went, so sending now would send those bytes again (and drop the
        // next). This one starts once that send has settled, whatever its outcome, as
        // CPython's push() would have started after the earlier one returned.
        const next = () => this.initiateSend();
        return under.then(next, next);
      }
      const obs = this.acOutBufferSize;
      const data = first.length > obs ? first.subarray(0, obs) : first;
      const sock = this.send === DISPATCHER_SEND ? this.#plainSocket() : null;
      if (sock !== null) {
        // Dispatcher's send without a Promise (Socket.sendNow), answered as it answers:
        // 0 when the socket takes nothing, handleClose() when the peer is gone.
        let numSent: number;
        try {
          numSent = sock.sendNow(data);
        } catch (e) {
          if (!(e instanceof BlockingIOError)) return this.#sentNowFailed(e);
          numSent = 0;
        }
        this.#sentFromHead(fifo, first, data, numSent);
        return RESOLVED;
      }
      let sending: Promise<number>;
      try {
        sending = this.send(data);
      } catch (e) {
        sending = Promise.reject(e);
      }
      return this.#sending = sending.then((numSent) => {
        this.#sending = null;
        this.#sentFromHead(fifo, first, data, numSent);
      }, (e) => {
        this.#sending = null;
        return this.#sendFailed(e);
      });
    }
    return this.#initiateSend();
  }

  /**
   * `numSent` bytes of `data` (the front of `first`, the head of `fifo`) went out: the head
   * keeps what is left of it, or leaves the queue once it has all gone.
   */
  #sentFromHead(fifo: FifoEntry[], first: Uint8Array, data: Uint8Array, numSent: number): void {
    if (!numSent) return;
    if (numSent < data.length || data.length < first.length) fifo[0] = first.subarray(numSent);
    else dropFirst(fifo);
  }

  /** The fast path's send under way (see initiateSend), until it has its outcome. */
  #sending: Promise<void> | null = null;

  /** A synchronous send that failed, as Dispatcher's send and the Promise path answer it. */
  async #sentNowFailed(e: unknown): Promise<void> {
    if (disconnected(e)) {
      await this.handleClose();
      return;
    }
    await this.#sendFailed(e);
  }

  /** A send that failed: an `OSError` goes to `handleError`, another error rejects. */
  async #sendFailed(e: unknown): Promise<void> {
    if (e instanceof OSError) {
      await this.handleError(e);
      return;
    }
    throw e;
  }

  async #initiateSend(): Promise<void> {
    const fifo = this.producerFifo;
    while (fifo.length > 0 && this.connected) {
      const first = fifo[0]!;
      const isChunk = typeof first === "string" || first instanceof Uint8Array;
      if (first === null || isChunk && first.length === 0) {
        dropFirst(fifo);
        if (first === null) {
          await this.handleClose();
          return;
        }
      }
      const obs = this.acOutBufferSize;
      let data: Chunk;
      if (typeof first === "string") {
        data = first.slice(0, obs);
      } else if (first instanceof Uint8Array) {
        data = first.length > obs ? first.subarray(0, obs) : first;
      } else {
        let more = (first as Producer).more();
        if (more instanceof Promise) more = await more;
        if (more.length > 0) fifo.unshift(more);
        else dropFirst(fifo);
        continue;
      }
      if (typeof data === "string" && this.useEncoding) data = encode(data, this.encoding);
      let numSent: number;
      try {
        numSent = await this.send(data as Uint8Array);
      } catch (e) {
        if (e instanceof OSError) {
          await this.handleError(e);
          return;
        }
        throw e;
      }
      if (numSent) {
        if (numSent < data.length || obs < first.length) {
          fifo[0] = typeof first === "string" ? first.slice(numSent) : first.subarray(numSent);
        } else {
          dropFirst(fifo);
        }
      }
      return;
    }
  }

  /** Empties the input buffer, `incoming` and the output queue. */
  discardBuffers(): void {
    this.acInBuffer = EMPTY;
    this.incoming = [];
    this.producerFifo.length = 0;
  }
}
