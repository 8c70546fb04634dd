// Watching what is not a socket: the standard input and a child process's pipes are Web
// streams in Deno, so a wrapper gives them a pseudo descriptor and a readiness source of their
// own, with the same read-ahead rule as sockets: nothing read ahead is ever lost.
import { allocateFd, releaseFd } from "../_core/fd_table.ts";
import { fromDenoError, OSError, osError } from "../_core/errors.ts";
import { Inbox } from "../_core/inbox.ts";
import { EAGAIN, EBADF } from "../_core/errno.ts";
import { waitReady } from "../_core/wait_ready.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  type ReadinessSource,
  readinessSource,
  sourceFor,
  type Watchable,
  WatcherSet,
} from "../_core/readiness.ts";

/** The streams a {@linkcode StreamWrapper} can wrap. */
export interface WrappableStreams {
  /** Where bytes come from (a child's `stdout`, `Deno.stdin.readable`). */
  readable?: ReadableStream<Uint8Array>;
  /** Where bytes go (a child's `stdin`). */
  writable?: WritableStream<Uint8Array>;
}

/**
 * A pipe-like stream with a `fileno()`, so that `select`, `poll`, `epoll` and `selectors` can
 * watch it beside sockets: the standard input, or a child process's pipes. It reads and
 * writes as a non-blocking file does when `setblocking(false)` is called.
 *
 * @example Watching a child process's output
 * ```ts ignore
 * import { select, StreamWrapper } from "@pynet/net/select";
 *
 * const child = new Deno.Command("echo", { args: ["hi"], stdout: "piped" }).spawn();
 * using out = new StreamWrapper({ readable: child.stdout });
 * const [ready] = await select([out], [], [], 5);
 * console.log(ready.length, new TextDecoder().decode(await out.read(100))); // 1 "hi\n"
 * await child.status;
 * ```
 */
export class StreamWrapper implements Watchable, Disposable {
  #fd: number;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null;
  /** What the read-ahead brought, and the EOF or error behind it (_core/inbox.ts). */
  #inbox = new Inbox<OSError>();
  #reading = false;
  #closed = false;
  #blocking = true;
  #watchers = new WatcherSet();
  #source: ReadinessSource;

  /**
   * Wraps `streams`; a bare `ReadableStream` or `WritableStream` is taken as one side.
   *
   * @param streams The streams.
   */
  constructor(streams: WrappableStreams | ReadableStream<Uint8Array> | WritableStream<Uint8Array>) {
    const sides: WrappableStreams = streams instanceof ReadableStream
      ? { readable: streams }
      : streams instanceof WritableStream
      ? { writable: streams }
      : streams;
    this.#reader = sides.readable?.getReader() ?? null;
    this.#writer = sides.writable?.getWriter() ?? null;
    this.#fd = allocateFd(this);
    this.#source = sourceFor({
      fileno: () => this.#fd,
      pollEvents: () => this.#pollEvents(),
      armRead: () => this.#armRead(),
    }, this.#watchers);
  }

  /**
   * Wraps the standard input.
   *
   * @returns A wrapper around `Deno.stdin.readable`.
   */
  static stdin(): StreamWrapper {
    return new StreamWrapper({ readable: Deno.stdin.readable });
  }

  /** The readiness source `select` and `selectors` watch. */
  [readinessSource](): ReadinessSource {
    return this.#source;
  }

  /** The wrapper's pseudo descriptor, or -1 once closed. */
  fileno(): number {
    return this.#fd;
  }

  /** Non-blocking (`false`): `read` and `write` reject with `BlockingIOError` instead of waiting. */
  setblocking(flag: boolean): void {
    this.#blocking = flag;
  }

  #pollEvents(): number {
    if (this.#closed) return POLLNVAL;
    let events = 0;
    const inbox = this.#inbox;
    if (this.#reader && (inbox.buffered > 0 || inbox.eof)) events |= POLLIN;
    if (inbox.eof) events |= POLLHUP;
    if (inbox.error) events |= POLLIN | POLLERR;
    if (this.#writer && (this.#writer.desiredSize ?? 1) > 0) events |= POLLOUT;
    return events;
  }

  #armRead(): void {
    if (!this.#reader || this.#reading || this.#inbox.settled || this.#closed) return;
    this.#reading = true;
    this.#reader.read().then(
      ({ done, value }) => {
        this.#reading = false;
        if (this.#closed) return;
        if (done) this.#inbox.end();
        else this.#inbox.push(value);
        this.#changed();
      },
      (e) => {
        this.#reading = false;
        if (this.#closed) return;
        this.#inbox.fail(fromDenoError(e) as OSError);
        this.#changed();
      },
    );
  }

  #changed(): void {
    if (this.#watchers.interest & POLLIN) this.#armRead();
    this.#watchers.notify(this.#source);
  }

  async #waitFor(events: number): Promise<void> {
    const wanted = events | POLLERR | POLLNVAL;
    if (events & POLLIN) this.#armRead();
    if (this.#pollEvents() & wanted) return;
    if (!this.#blocking) {
      await waitReady(this.#source, events, 0);
      if (this.#pollEvents() & wanted) return;
      throw osError(EAGAIN);
    }
    // The program awaits this: it holds the process, which a read-ahead may not (a child
    // process's pipes read unref'd after `child.unref()`). A hang-up ends the wait too, as
    // poll(2) reports it whatever was asked: a write then goes on, held by the stream's own
    // backpressure.
    await waitReady(this.#source, events, null, { holder: this });
  }

  /**
   * Reads up to `size` bytes; empty at EOF.
   *
   * @param size The most bytes to return.
   * @returns The bytes.
   */
  async read(size: number = 65536): Promise<Uint8Array> {
    if (this.#closed || !this.#reader) throw new OSError(EBADF);
    const inbox = this.#inbox;
    if (!inbox.settled) await this.#waitFor(POLLIN);
    if (inbox.buffered === 0) {
      const error = inbox.takeError();
      if (error) throw error;
      return new Uint8Array(0);
    }
    const out = inbox.take(size);
    if (this.#watchers.interest & POLLIN) this.#armRead();
    return out;
  }

  /** Same as `read`, under asyncore's name. */
  recv(size: number = 65536): Promise<Uint8Array> {
    return this.read(size);
  }

  /**
   * Writes `data`; resolves to its length once the stream has taken it.
   *
   * @param data The bytes.
   * @returns The count written.
   */
  async write(data: Uint8Array): Promise<number> {
    if (this.#closed || !this.#writer) throw new OSError(EBADF);
    await this.#waitFor(POLLOUT);
    try {
      await this.#writer.write(data.slice());
    } catch (e) {
      throw fromDenoError(e);
    }
    this.#changed();
    return data.length;
  }

  /** Same as `write`, under asyncore's name. */
  send(data: Uint8Array): Promise<number> {
    return this.write(data);
  }

  /** Closes both sides; a pending read is cancelled. Closing again is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.cancel().catch(() => {});
    this.#reader?.releaseLock();
    this.#writer?.close().catch(() => {});
    releaseFd(this.#fd);
    this.#fd = -1;
    this.#watchers.notify(this.#source);
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
