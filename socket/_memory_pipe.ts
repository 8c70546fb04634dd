// An in-memory connected pair: what socketpair() gives without a Deno resource or permission.
import { hold, release } from "../_core/keep_alive.ts";
import type { ByteConn } from "../_core/channel.ts";

/** What one direction holds before its writer has to wait, like a socket's buffers. */
const CAPACITY = 256 * 1024;

/** One direction of the pair. */
class Pipe {
  chunks: Uint8Array[] = [];
  size = 0;
  /** The writer has half-closed or closed: the reader sees EOF after the buffered bytes. */
  ended = false;
  /** The reader has closed: writes fail with a broken pipe. */
  broken = false;
  readerWaiting: (() => void) | null = null;
  writerWaiting: (() => void) | null = null;

  wakeReader(): void {
    const wake = this.readerWaiting;
    this.readerWaiting = null;
    wake?.();
  }

  wakeWriter(): void {
    const wake = this.writerWaiting;
    this.writerWaiting = null;
    wake?.();
  }
}

function errorOf(name: "BrokenPipe" | "Interrupted" | "BadResource", message: string): Error {
  return new Deno.errors[name](message);
}

class MemoryEnd implements ByteConn {
  #in: Pipe;
  #out: Pipe;
  #closed = false;
  /**
   * Whether a waiting read holds the process, as a Deno conn's does unless unref'd. Nothing
   * but this process can end such a wait, so an unref'd one leaves the process free to end.
   */
  #refed = true;
  #waiting = false;
  #holding = false;

  constructor(inbound: Pipe, outbound: Pipe) {
    this.#in = inbound;
    this.#out = outbound;
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#in.size === 0) {
      if (this.#closed) throw errorOf("BadResource", "Bad resource ID");
      if (this.#in.ended) return null;
      this.#waiting = true;
      if (this.#refed) this.#hold();
      try {
        await new Promise<void>((resolve) => this.#in.readerWaiting = resolve);
      } finally {
        this.#waiting = false;
        this.#unhold();
      }
      if (this.#closed) throw errorOf("Interrupted", "operation canceled");
    }
    let n = 0;
    while (n < p.length && this.#in.chunks.length > 0) {
      const chunk = this.#in.chunks[0]!;
      const piece = chunk.subarray(0, p.length - n);
      p.set(piece, n);
      n += piece.length;
      if (piece.length === chunk.length) this.#in.chunks.shift();
      else this.#in.chunks[0] = chunk.subarray(piece.length);
    }
    this.#in.size -= n;
    this.#in.wakeWriter();
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    for (;;) {
      if (this.#closed) throw errorOf("BadResource", "Bad resource ID");
      if (this.#out.broken || this.#out.ended) {
        throw errorOf("BrokenPipe", "Broken pipe (os error 32)");
      }
      if (this.#out.size < CAPACITY) break;
      await new Promise<void>((resolve) => this.#out.writerWaiting = resolve);
    }
    const n = Math.min(p.length, CAPACITY - this.#out.size);
    this.#out.chunks.push(p.slice(0, n));
    this.#out.size += n;
    this.#out.wakeReader();
    return n;
  }

  ref(): void {
    this.#refed = true;
    if (this.#waiting) this.#hold();
  }

  unref(): void {
    this.#refed = false;
    this.#unhold();
  }

  #hold(): void {
    if (this.#holding) return;
    this.#holding = true;
    hold(this);
  }

  #unhold(): void {
    if (!this.#holding) return;
    this.#holding = false;
    release(this);
  }

  closeWrite(): Promise<void> {
    this.#out.ended = true;
    this.#out.wakeReader();
    return Promise.resolve();
  }

  close(): void {
    if (this.#closed) throw errorOf("BadResource", "Bad resource ID");
    this.#closed = true;
    this.#out.ended = true;
    this.#out.wakeReader();
    this.#in.broken = true;
    this.#in.chunks = [];
    this.#in.size = 0;
    this.#in.wakeReader();
    this.#in.wakeWriter();
    this.#out.wakeWriter();
  }
}

/** Two connected in-memory ends: what one writes, the other reads. */
export function memoryPipePair(): [ByteConn, ByteConn] {
  const aToB = new Pipe();
  const bToA = new Pipe();
  return [new MemoryEnd(bToA, aToB), new MemoryEnd(aToB, bToA)];
}
