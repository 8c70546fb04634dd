// The producer protocol: an object whose more() hands out the next piece of output, empty
// when it has no more; asynchat pulls from it only as fast as the socket takes bytes.

/**
 * A piece of output: bytes, or text that `useEncoding` turns into bytes.
 *
 * @example Both kinds
 * ```ts
 * import type { Chunk } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * const pieces: Chunk[] = [new Uint8Array([104, 105]), "hi"];
 * assertEquals(pieces.map((p) => p.length), [2, 2]);
 * ```
 */
export type Chunk = Uint8Array | string;

/**
 * What `pushWithProducer` takes: Python's producer protocol. `more()` returns the next piece,
 * empty (or a Promise of one) when done.
 *
 * @example A producer that reads its pieces from somewhere slow
 * ```ts
 * import type { Producer } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * const lines = ["one\n", "two\n"];
 * const producer: Producer = {
 *   async more() {
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *     return new TextEncoder().encode(lines.shift() ?? "");
 *   },
 * };
 * assertEquals((await producer.more()).length, 4);
 * ```
 */
export interface Producer {
  /** The next piece of output; empty when there is no more. */
  more(): Chunk | Promise<Chunk>;
}

/**
 * Python's `asynchat.simple_producer`: hands out `data` in pieces of `bufferSize` bytes.
 *
 * @example Ten bytes in pieces of four
 * ```ts
 * import { SimpleProducer } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * const p = new SimpleProducer(new Uint8Array(10), 4);
 * assertEquals([p.more().length, p.more().length, p.more().length, p.more().length], [4, 4, 2, 0]);
 * ```
 */
export class SimpleProducer implements Producer {
  /** What is left to hand out. */
  data: Uint8Array;
  /** The size of each piece. */
  bufferSize: number;

  /**
   * Creates the producer.
   *
   * @param data The bytes.
   * @param bufferSize The size of each piece (512 by default).
   */
  constructor(data: Uint8Array, bufferSize: number = 512) {
    this.data = data;
    this.bufferSize = bufferSize;
  }

  /**
   * The next piece, or empty bytes once all was handed out.
   *
   * @returns The piece.
   */
  more(): Uint8Array {
    if (this.data.length > this.bufferSize) {
      const result = this.data.subarray(0, this.bufferSize);
      this.data = this.data.subarray(this.bufferSize);
      return result;
    }
    const result = this.data;
    this.data = new Uint8Array(0);
    return result;
  }
}
