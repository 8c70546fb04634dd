// Where a stream's reads land (socket/_stream.ts): how large each read is, and which buffer it
// reads into, so that an idle connection holds little and a busy one reads large without
// paying for a new buffer per read.

import { keepFreedSlabs } from "./_heap_thresholds.ts";

const MIN_READ = 4 * 1024;
/** The largest read, and a watcher's read-ahead size. */
export const MAX_READ = 256 * 1024;
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
/**
 * A short landing of at most SMALL_MAX bytes (a request, a line) is copied into a region of a
 * small slab shared by every stream of the process: in Deno 2.9.6 `slice` of 64 bytes (a new
 * ArrayBuffer) costs ~250 ns, a view of the slab and its copy ~60 ns. The slab is shared, not
 * a stream's, so an idle connection holds none of it; a chunk a program keeps pins at most
 * its SMALL_SLAB-byte slab (a new one is started when it is used up).
 */
const SMALL_SLAB = 4 * 1024;
const SMALL_MAX = 512;
let smallSlab = new ArrayBuffer(SMALL_SLAB);
let smallUsed = 0;

/**
 * A copy of `bytes` that the caller owns: a view of the shared small slab when it is short
 * (a datagram, a landing), else a buffer of its own. Every typed array's bytes live outside
 * V8's heap in Deno, so a new one is a `calloc` and its bookkeeping: for a small datagram, that
 * was a tenth of a receive's cost (BENCHMARKS.md, "UDP receive").
 */
export function copyOut(bytes: Uint8Array): Uint8Array {
  return bytes.length <= SMALL_MAX ? smallCopy(bytes) : bytes.slice();
}

/** A copy of `bytes` (at most SMALL_MAX long) as a view of the shared small slab. */
function smallCopy(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  if (SMALL_SLAB - smallUsed < n) {
    smallSlab = new ArrayBuffer(SMALL_SLAB);
    smallUsed = 0;
  }
  const chunk = new Uint8Array(smallSlab, smallUsed, n);
  smallUsed += n;
  chunk.set(bytes);
  return chunk;
}

/**
 * First-read buffers of closed streams, for the next streams to read into: a connection that
 * lives for one short exchange (connection churn) would otherwise pay a new MIN_READ
 * ArrayBuffer for its first read. Each is zeroed when it comes back, so that no connection's
 * bytes show through another's (a long landing is handed over as a view of its buffer); at
 * most POOL_MAX are kept, so an idle process holds at most POOL_MAX * MIN_READ bytes of them.
 */
const pool: Uint8Array[] = [];
const POOL_MAX = 16;

/** A buffer `next` handed out whole, which a stream may keep as its spare or give back. */
function plain(buffer: Uint8Array): boolean {
  return buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength &&
    buffer.length > 0 && buffer.length <= MAX_SPARE;
}

/** A stream's read buffers and read sizes: `next` gives the buffer to read into, `landed` the chunk. */
export class ReadBuffers {
  /** The read size the stream has proved it fills (see #sizeFor). */
  #readSize = MIN_READ;
  /**
   * The last read came back short (the stream had no more at that moment), or none has landed
   * yet: the next read may wait long, so it is small (see #sizeFor).
   */
  #caughtUp = true;
  /** A read buffer to use again: short reads are copied out of it. */
  #spare: Uint8Array | null = null;
  /** The slab busy reads are carved from, and how much of it has been handed out. */
  #slab: ArrayBuffer | null = null;
  #slabUsed = 0;
  #slabRegion: Uint8Array | null = null;

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
  #sizeFor(sizeHint: number): number {
    const asked = sizeHint > 0 ? Math.max(sizeHint, MIN_READ) : MAX_READ;
    const size = Math.min(asked, this.#readSize, MAX_READ);
    return this.#caughtUp ? Math.min(size, SLAB_READ_MIN) : size;
  }

  /** The buffer the next read lands in; `sizeHint` is what the recv asked for (0: a watcher). */
  next(sizeHint: number): Uint8Array {
    const size = this.#sizeFor(sizeHint);
    if (size >= SLAB_READ_MIN) keepFreedSlabs();
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
    if (spare && spare.length >= size && spare.length <= size * 2) return spare;
    if (size === MIN_READ && pool.length > 0) return pool.pop()!;
    return new Uint8Array(size);
  }

  /** A read into `buffer` (from `next`) met EOF: nothing landed, so it is the spare again. */
  ended(buffer: Uint8Array): void {
    if (this.#spare === null && plain(buffer)) this.#spare = buffer;
  }

  /**
   * The stream is closed and reads no more (a read still pending holds its own buffer, never
   * the spare): a spare of MIN_READ bytes goes back to the pool.
   */
  release(): void {
    const spare = this.#spare;
    this.#spare = null;
    if (spare !== null && spare.length === MIN_READ && pool.length < POOL_MAX) {
      pool.push(spare.fill(0));
    }
  }

  /**
   * Records that `n` bytes (n > 0) landed in `buffer` (from `next`) and returns them as a
   * chunk the caller owns: a view when the buffer is not read into again, else a copy.
   */
  landed(buffer: Uint8Array, n: number): Uint8Array {
    // Grow the read size while reads come back full; see #sizeFor.
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
    const fromSlab = buffer.buffer === this.#slab;
    if (fromSlab && n >= SLAB_KEEP) {
      this.#slabUsed += n;
      return buffer.subarray(0, n);
    }
    if (n <= buffer.length / 4) {
      if (!fromSlab && buffer.length <= MAX_SPARE) this.#spare = buffer;
      return n <= SMALL_MAX ? smallCopy(buffer.subarray(0, n)) : buffer.slice(0, n);
    }
    return buffer.subarray(0, n);
  }
}
