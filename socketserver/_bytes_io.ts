// The in-memory files of a datagram handler (CPython's io.BytesIO over the packet and for the
// reply). Their methods return Promises, like a stream handler's rfile/wfile, so one handler
// body can serve both kinds of server.

/**
 * The `rfile` of a {@linkcode DatagramRequestHandler}: the received packet, read like a file
 * (Python's `io.BytesIO`), with Promise-returning methods like a stream handler's `rfile`.
 *
 * @example Reading a packet by lines
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PacketReader } from "@pynet/net/socketserver";
 *
 * const rfile = new PacketReader(new TextEncoder().encode("a\nb"));
 * const lines: string[] = [];
 * for await (const line of rfile) lines.push(new TextDecoder().decode(line));
 * assertEquals(lines, ["a\n", "b"]);
 * assertEquals((await rfile.read()).length, 0);
 * ```
 */
export class PacketReader implements AsyncIterable<Uint8Array> {
  #data: Uint8Array;
  #pos = 0;

  /**
   * Wraps `data` (not copied).
   *
   * @param data The packet.
   */
  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** Up to `size` bytes (all the rest when negative); empty at the end. */
  read(size: number = -1): Promise<Uint8Array> {
    const end = size < 0 ? this.#data.length : Math.min(this.#data.length, this.#pos + size);
    const out = this.#data.slice(this.#pos, end);
    this.#pos = end;
    return Promise.resolve(out);
  }

  /** One line with its `\n` (at most `limit` bytes when not negative); empty at the end. */
  readline(limit: number = -1): Promise<Uint8Array> {
    const nl = this.#data.indexOf(0x0a, this.#pos);
    let end = nl < 0 ? this.#data.length : nl + 1;
    if (limit >= 0) end = Math.min(end, this.#pos + limit);
    const out = this.#data.slice(this.#pos, end);
    this.#pos = end;
    return Promise.resolve(out);
  }

  /** All remaining lines. */
  async readlines(): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    for (let line; (line = await this.readline()).length > 0;) lines.push(line);
    return lines;
  }

  /** The remaining lines, one by one. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (let line; (line = await this.readline()).length > 0;) yield line;
  }
}

/**
 * The `wfile` of a {@linkcode DatagramRequestHandler}: collects the reply, which `finish()`
 * sends as one datagram.
 *
 * @example Collecting a reply
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ReplyWriter } from "@pynet/net/socketserver";
 *
 * const wfile = new ReplyWriter();
 * assertEquals(await wfile.write(new TextEncoder().encode("ab")), 2);
 * await wfile.write(new TextEncoder().encode("c"));
 * assertEquals(new TextDecoder().decode(wfile.getvalue()), "abc");
 * ```
 */
export class ReplyWriter {
  #parts: Uint8Array[] = [];

  /** Appends `data`; resolves to its length. */
  write(data: Uint8Array): Promise<number> {
    this.#parts.push(data.slice());
    return Promise.resolve(data.length);
  }

  /** Nothing to do: the reply leaves in `finish()`. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Everything written so far (Python's `getvalue()`). */
  getvalue(): Uint8Array {
    const out = new Uint8Array(this.#parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
