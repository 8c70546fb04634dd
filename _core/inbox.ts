// The read-ahead inbox (ARCHITECTURE.md, "The read-ahead"): input is known only by reading, so
// what a pending read brings lands here and the program's reads drain it. One inbox serves a
// socket's stream (socket/_stream.ts) and a wrapped Web stream (select/_stream_wrapper.ts).
//
// What it guarantees, whoever drives it:
// - nothing landed is dropped: a take hands out bytes or leaves them; a partial take leaves the
//   rest at the front; `unread` puts bytes back where the next take finds them first;
// - the end of input (EOF, or an error) is held behind the bytes before it: it is seen only
//   once they are all taken, and an error is reported once, after which the input reads as EOF.
import { dropFirst } from "./arrays.ts";

const EMPTY = new Uint8Array(0);

/** The queue of landed input, and the end (EOF or an error) held behind it. */
export class Inbox<E = Error> {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #eof = false;
  #error: E | null = null;

  /** Bytes waiting. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Whether the input has ended: EOF has landed (or an error was reported, or `end`). */
  get eof(): boolean {
    return this.#eof;
  }

  /** An error that landed and has not been reported yet (see `takeError`). */
  get error(): E | null {
    return this.#error;
  }

  /** Whether a take would settle now: bytes wait, or the input has ended or failed. */
  get settled(): boolean {
    return this.#buffered > 0 || this.#eof || this.#error !== null;
  }

  /** Appends a landed chunk, which the inbox now owns; an empty one is ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /** Marks EOF: it is seen once the bytes before it are taken. */
  end(): void {
    this.#eof = true;
  }

  /** Holds `error` behind the bytes before it, until `takeError` reports it. */
  fail(error: E): void {
    this.#error = error;
  }

  /**
   * Reports the held error, once: from then on the input reads as EOF (as Linux reports a
   * reset once). Returns null when none is held.
   */
  takeError(): E | null {
    const error = this.#error;
    if (error !== null) {
      this.#error = null;
      this.#eof = true;
    }
    return error;
  }

  /**
   * Takes up to `n` bytes from the front; empty when none wait. A chunk taken whole is
   * handed over as it landed (no copy); bytes from several chunks are joined into a new array.
   */
  take(n: number): Uint8Array {
    if (this.#buffered === 0 || n <= 0) return EMPTY;
    const chunks = this.#chunks;
    const first = chunks[0]!;
    if (first.length <= n && (chunks.length === 1 || first.length === n)) {
      dropFirst(chunks);
      this.#buffered -= first.length;
      return first;
    }
    if (first.length >= n) {
      chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return first.subarray(0, n);
    }
    const out = this.#copyFront(Math.min(n, this.#buffered));
    this.#drop(out.length);
    return out;
  }

  /**
   * Copies up to `n` bytes from the front and leaves them there: the copy is the caller's, so
   * what the caller does to it cannot change what the next take returns.
   */
  peek(n: number): Uint8Array {
    if (this.#buffered === 0 || n <= 0) return EMPTY;
    const first = this.#chunks[0]!;
    if (first.length >= n || this.#chunks.length === 1) return first.slice(0, n);
    return this.#copyFront(Math.min(n, this.#buffered));
  }

  /**
   * Puts `bytes` back at the front: bytes taken for a caller who has gone (an aborted
   * read, a released stream reader) are the next take's, not lost. The inbox owns them now.
   */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.unshift(bytes);
    this.#buffered += bytes.length;
  }

  /** Drops every waiting byte (a `shutdown(SHUT_RD)`, a close); the held end stays. */
  clear(): void {
    if (this.#buffered === 0) return;
    this.#chunks = [];
    this.#buffered = 0;
  }

  #copyFront(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const piece = chunk.length <= size - filled ? chunk : chunk.subarray(0, size - filled);
      out.set(piece, filled);
      filled += piece.length;
      if (filled === size) break;
    }
    return out;
  }

  #drop(n: number): void {
    this.#buffered -= n;
    const chunks = this.#chunks;
    while (n > 0) {
      const first = chunks[0]!;
      if (first.length <= n) {
        dropFirst(chunks);
        n -= first.length;
      } else {
        chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}
