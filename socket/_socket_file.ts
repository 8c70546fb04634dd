// Python's socket.makefile(): a buffered file object over a socket, binary or text. Reads and
// writes return Promises, since the socket's calls do.
import { BlockingIOError, OSError, TimeoutError, ValueError } from "../_core/errors.ts";
import { pyTypeName } from "../_core/args.ts";
import { checkSize, joinBytes } from "../_core/bytes.ts";
import type { Socket } from "./_socket.ts";
import { checkErrors, type Decode, type Encode, lookupCodec } from "./_codecs.ts";

/** Options of {@linkcode Socket.makefile}, as Python's keyword arguments. */
export interface MakefileOptions {
  /**
   * The buffer size; 0 for unbuffered (binary only; `readline` then never reads past the line
   * end), 1 for line-buffered writes in text mode.
   * @default {8192}
   */
  buffering?: number;
  /**
   * The text encoding (text mode only), under any of Python's spellings: ascii, latin-1,
   * cp1252, cp437, utf-8, utf-8-sig, utf-16(-le/-be), utf-32(-le/-be); others raise
   * `LookupError`. @default {"utf-8"}
   */
  encoding?: string;
  /**
   * Python's error handler: `"strict"` (raise `UnicodeDecodeError`/`UnicodeEncodeError`),
   * `"replace"`, `"ignore"`, `"backslashreplace"`, `"surrogateescape"`, `"xmlcharrefreplace"`
   * (writing). @default {"strict"}
   */
  errors?: string;
  /**
   * `null`/`undefined`: universal newlines (`\r\n` and `\r` read as `\n`); `""`: lines end at
   * any of them, untranslated; `"\n"`, `"\r"`, `"\r\n"`: lines end there only.
   */
  newline?: string | null;
}

/** The `makefile()` modes that give a binary file (`Uint8Array` data). */
export type BinaryMode = "rb" | "wb" | "rwb" | "wrb" | "b" | "br" | "bw";
/** The `makefile()` modes that give a text file (`string` data). */
export type TextMode = "r" | "w" | "rw" | "wr";

/** Python's `io.UnsupportedOperation`: reading a write-only file, and so on. */
export class UnsupportedOperation extends OSError {}

const DEFAULT_BUFFER_SIZE = 8192;
const LF = 0x0a;

/** The file object `Socket.makefile()` returns. `T` is `Uint8Array` (binary) or `string`. */
export interface SocketFile<T extends Uint8Array | string = Uint8Array | string>
  extends AsyncDisposable, AsyncIterable<T> {
  /** The mode given to `makefile()`. */
  readonly mode: string;
  /** The socket's pseudo descriptor (Python's `name`). */
  readonly name: number;
  /** Whether `close()` has been called. */
  readonly closed: boolean;
  /** Reads up to `size` bytes or characters (all, up to EOF, when negative); `null` when non-blocking and nothing is there. */
  read(size?: number): Promise<T | null>;
  /** Reads one line, with its line ending; empty at EOF. */
  readline(limit?: number): Promise<T>;
  /** Reads all remaining lines (or about `hint` bytes of them). */
  readlines(hint?: number): Promise<T[]>;
  /** Reads into `buffer` (binary files); resolves to the count, or `null` when non-blocking and nothing is there. */
  readinto(buffer: Uint8Array): Promise<number | null>;
  /** Buffers `data` for sending; resolves to its length. */
  write(data: T): Promise<number>;
  /** Sends everything buffered. */
  flush(): Promise<void>;
  /** Flushes and closes the file (the socket too, if it was closed already). */
  close(): Promise<void>;
  /** Whether the file reads; `ValueError` once closed. */
  readable(): boolean;
  /** Whether the file writes; `ValueError` once closed. */
  writable(): boolean;
  /** Always `false`; `ValueError` once closed. */
  seekable(): boolean;
  /** The pseudo descriptor; `ValueError` once closed. */
  fileno(): number;
}

/** How a file tells its socket that it holds it open. Must not hold the file. */
export interface IoRefs {
  retain(): void;
  release(): void;
}

/**
 * A file the program dropped without `close()` lets go of its socket once collected, as
 * CPython's does: a socket closed while the file was open is closed then. What the file's
 * write buffer still holds is not sent (CPython flushes it).
 */
const dropped = new FinalizationRegistry<IoRefs>((refs) => refs.release());

/** Builds the file object of `sock.makefile(mode, options)`. */
export function makeSocketFile(
  sock: Socket,
  mode: string,
  options: MakefileOptions,
  refs: IoRefs,
): SocketFile {
  if (typeof mode !== "string" || ![...mode].every((c) => "rwb".includes(c))) {
    throw new ValueError(`invalid mode '${mode}' (only r, w, b allowed)`);
  }
  const binary = mode.includes("b");
  const buffering = options.buffering ?? -1;
  if (buffering === 0 && !binary) throw new ValueError("unbuffered streams must be binary");
  if (binary && (options.encoding || options.errors || options.newline !== undefined)) {
    throw new ValueError("binary mode doesn't take an encoding argument");
  }
  // A bad newline or encoding must fail before the buffered file holds the socket open.
  if (!binary) {
    const newline = options.newline;
    if (newline != null && !["", "\n", "\r", "\r\n"].includes(newline)) {
      throw new ValueError(`illegal newline value: ${newline}`);
    }
    lookupCodec(options.encoding ?? "utf-8");
    checkErrors(options.errors);
  }
  const file = new BufferedSocketFile(sock, mode, buffering, refs);
  return binary ? file : new TextSocketFile(file, options);
}

class BufferedSocketFile implements SocketFile<Uint8Array> {
  readonly mode: string;
  readonly name: number;
  #sock: Socket;
  #refs: IoRefs;
  #reading: boolean;
  #writing: boolean;
  #unbuffered: boolean;
  #bufferSize: number;
  #in: Uint8Array = new Uint8Array(0);
  #out: Uint8Array[] = [];
  #outSize = 0;
  #eof = false;
  #timedOut = false;
  #closed = false;

  constructor(sock: Socket, mode: string, buffering: number, refs: IoRefs) {
    this.#sock = sock;
    this.mode = mode;
    this.name = sock.fileno();
    this.#reading = mode.includes("r") || !mode.includes("w");
    this.#writing = mode.includes("w");
    this.#unbuffered = buffering === 0;
    this.#bufferSize = buffering > 1 ? buffering : DEFAULT_BUFFER_SIZE;
    this.#refs = refs;
    refs.retain();
    dropped.register(this, refs, this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ValueError("I/O operation on closed file.");
  }

  #checkReadable(): void {
    this.#checkOpen();
    if (!this.#reading) throw new UnsupportedOperation(null, "File not open for reading");
    if (this.#timedOut) throw new OSError(null, "cannot read from timed out object");
  }

  /** Receives more bytes into the read buffer; false at EOF or, non-blocking, when none came. */
  async #fill(wanted: number): Promise<boolean> {
    if (this.#eof) return false;
    let chunk: Uint8Array;
    try {
      chunk = await this.#sock.recv(this.#unbuffered ? wanted : Math.max(wanted, this.#bufferSize));
    } catch (e) {
      if (e instanceof BlockingIOError) return false;
      if (e instanceof TimeoutError) this.#timedOut = true;
      throw e;
    }
    if (chunk.length === 0) {
      this.#eof = true;
      return false;
    }
    this.#in = this.#in.length === 0 ? chunk : joinBytes([this.#in, chunk]);
    return true;
  }

  #take(n: number): Uint8Array {
    const out = this.#in.subarray(0, n);
    this.#in = this.#in.subarray(n);
    return out;
  }

  async read(size = -1): Promise<Uint8Array | null> {
    this.#checkReadable();
    if (size === 0) return new Uint8Array(0);
    if (this.#unbuffered && size > 0) {
      if (this.#in.length === 0 && !(await this.#fill(size))) return this.#eof ? this.#in : null;
      return this.#take(size);
    }
    while (size < 0 || this.#in.length < size) {
      if (!(await this.#fill(size < 0 ? this.#bufferSize : size - this.#in.length))) {
        if (!this.#eof && this.#in.length === 0) return null;
        break;
      }
    }
    return this.#take(size < 0 ? this.#in.length : size);
  }

  /**
   * At most one receive's worth of bytes, buffered ones first: empty at EOF, `null` when
   * non-blocking and none came.
   */
  async read1(size = -1): Promise<Uint8Array | null> {
    this.#checkReadable();
    if (this.#in.length === 0 && !(await this.#fill(this.#bufferSize))) {
      return this.#eof ? new Uint8Array(0) : null;
    }
    return this.#take(size < 0 ? this.#in.length : size);
  }

  async readline(limit = -1): Promise<Uint8Array> {
    this.#checkReadable();
    let searched = 0;
    for (;;) {
      const end = this.#in.indexOf(LF, searched);
      if (end >= 0 && (limit < 0 || end < limit)) return this.#take(end + 1);
      if (limit >= 0 && this.#in.length >= limit) return this.#take(limit);
      searched = this.#in.length;
      // Unbuffered, a line is read byte by byte so that nothing past it is consumed.
      if (!(await this.#fill(this.#unbuffered ? 1 : this.#bufferSize))) {
        return this.#take(this.#in.length);
      }
    }
  }

  async readlines(hint = -1): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint > 0 && total >= hint) return lines;
    }
  }

  async readinto(buffer: Uint8Array): Promise<number | null> {
    const data = await this.read(buffer.length);
    if (data === null) return null;
    buffer.set(data);
    return data.length;
  }

  async write(data: Uint8Array): Promise<number> {
    this.#checkOpen();
    if (!this.#writing) throw new UnsupportedOperation(null, "File not open for writing");
    if (typeof data === "string") {
      throw new TypeError("a bytes-like object is required, not 'str'");
    }
    if (this.#unbuffered) {
      await this.#sock.sendall(data);
      return data.length;
    }
    this.#out.push(data.slice());
    this.#outSize += data.length;
    if (this.#outSize >= this.#bufferSize) await this.flush();
    return data.length;
  }

  async flush(): Promise<void> {
    this.#checkOpen();
    if (this.#outSize === 0) return;
    const data = this.#out.length === 1 ? this.#out[0]! : joinBytes(this.#out);
    this.#out = [];
    this.#outSize = 0;
    await this.#sock.sendall(data);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#writing) await this.flush();
    } finally {
      this.#closed = true;
      dropped.unregister(this);
      this.#refs.release();
    }
  }

  readable(): boolean {
    this.#checkSocketOpen();
    return this.#reading;
  }

  writable(): boolean {
    this.#checkSocketOpen();
    return this.#writing;
  }

  seekable(): boolean {
    this.#checkSocketOpen();
    return false;
  }

  /** CPython's `SocketIO` words these three checks differently from the other methods. */
  #checkSocketOpen(): void {
    if (this.#closed) throw new ValueError("I/O operation on closed socket.");
  }

  fileno(): number {
    this.#checkOpen();
    return this.#sock.fileno();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

class TextSocketFile implements SocketFile<string> {
  #raw: BufferedSocketFile;
  #decode: Decode;
  #encode: Encode;
  #newline: string | null;
  #lineBuffered: boolean;
  #text = "";
  /** A `\r` at the end of decoded input, held until the next byte says if `\n` follows. */
  #pendingCR = false;
  #eof = false;

  constructor(raw: BufferedSocketFile, options: MakefileOptions) {
    this.#raw = raw;
    const codec = lookupCodec(options.encoding ?? "utf-8");
    const errors = checkErrors(options.errors);
    this.#decode = codec.decoder(errors);
    this.#encode = codec.encoder(errors);
    this.#newline = options.newline ?? null;
    if (this.#newline !== null && !["", "\n", "\r", "\r\n"].includes(this.#newline)) {
      throw new ValueError(`illegal newline value: ${this.#newline}`);
    }
    this.#lineBuffered = options.buffering === 1;
  }

  get mode(): string {
    return this.#raw.mode;
  }
  get name(): number {
    return this.#raw.name;
  }
  get closed(): boolean {
    return this.#raw.closed;
  }

  /** Decodes more input; false at EOF or when non-blocking and nothing came. */
  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const bytes = await this.#raw.read1();
    if (bytes === null) return false;
    let text = this.#decode(bytes, bytes.length === 0);
    if (bytes.length === 0) this.#eof = true;
    if (this.#pendingCR) {
      text = "\r" + text;
      this.#pendingCR = false;
    }
    if (this.#newline === null) {
      if (!this.#eof && text.endsWith("\r")) {
        this.#pendingCR = true;
        text = text.slice(0, -1);
      }
      text = text.replace(/\r\n?/g, "\n");
    }
    this.#text += text;
    return !this.#eof || text.length > 0;
  }

  async read(size = -1): Promise<string | null> {
    while (size < 0 || this.#text.length < size) {
      if (!(await this.#fill())) {
        if (!this.#eof && this.#text.length === 0) return null;
        break;
      }
    }
    const n = size < 0 ? this.#text.length : size;
    const out = this.#text.slice(0, n);
    this.#text = this.#text.slice(n);
    return out;
  }

  #lineEnd(): number {
    const nl = this.#newline;
    if (nl === null || nl === "\n") {
      const i = this.#text.indexOf("\n");
      return i < 0 ? -1 : i + 1;
    }
    if (nl === "") {
      const m = /\r\n|\r(?=[^\n])|\n/.exec(this.#text);
      return m ? m.index + m[0].length : -1;
    }
    const i = this.#text.indexOf(nl);
    return i < 0 ? -1 : i + nl.length;
  }

  async readline(limit = -1): Promise<string> {
    for (;;) {
      let end = this.#lineEnd();
      if (end < 0 && limit >= 0 && this.#text.length >= limit) end = limit;
      if (end >= 0) {
        if (limit >= 0) end = Math.min(end, limit);
        const line = this.#text.slice(0, end);
        this.#text = this.#text.slice(end);
        return line;
      }
      if (!(await this.#fill())) {
        const rest = this.#text;
        this.#text = "";
        return rest;
      }
    }
  }

  async readlines(hint = -1): Promise<string[]> {
    const lines: string[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint > 0 && total >= hint) return lines;
    }
  }

  readinto(): Promise<number | null> {
    return Promise.reject(new UnsupportedOperation(null, "readinto() on a text file"));
  }

  async write(data: string): Promise<number> {
    if (typeof data !== "string") {
      throw new TypeError(`write() argument must be str, not ${typeof data}`);
    }
    const out = this.#newline !== null && this.#newline !== "" && this.#newline !== "\n"
      ? data.replaceAll("\n", this.#newline)
      : data;
    await this.#raw.write(this.#encode(out));
    if (this.#lineBuffered && data.includes("\n")) await this.#raw.flush();
    return data.length;
  }

  flush(): Promise<void> {
    return this.#raw.flush();
  }
  close(): Promise<void> {
    return this.#raw.close();
  }
  readable(): boolean {
    return this.#raw.readable();
  }
  writable(): boolean {
    return this.#raw.writable();
  }
  seekable(): boolean {
    return this.#raw.seekable();
  }
  fileno(): number {
    return this.#raw.fileno();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/**
 * `makefile()`'s argument checks, as CPython's: it iterates the mode and compares the
 * buffering with 0, so the wrong types fail with those operations' TypeErrors.
 */
export function checkMakefileArgs(mode: unknown, options: MakefileOptions | undefined): void {
  if (typeof mode !== "string" && !(mode instanceof Uint8Array)) {
    throw new TypeError(`'${pyTypeName(mode)}' object is not iterable`);
  }
  const buffering = options?.buffering as unknown;
  if (buffering !== undefined && buffering !== null) {
    if (typeof buffering !== "number" && typeof buffering !== "boolean") {
      throw new TypeError(
        `'<' not supported between instances of '${pyTypeName(buffering)}' and 'int'`,
      );
    }
    if (buffering !== 0) checkSize(Math.abs(Number(buffering)), "makefile");
  }
}
