// asyncore.file_wrapper and file_dispatcher: a pipe or the standard input, as select's
// StreamWrapper watches them, in a dispatcher.
import { NotImplementedError, OSError, SO_ERROR, SOL_SOCKET } from "../socket/mod.ts";
import type { StreamWrapper } from "../select/mod.ts";
import { Dispatcher, type SocketMap } from "./_dispatcher.ts";
import { EBADF } from "../_core/errno.ts";

/**
 * What a {@linkcode FileWrapper} wraps: a `StreamWrapper` from `@pynet/net/select`.
 *
 * @example A StreamWrapper is one
 * ```ts
 * import type { WrappedFile } from "@pynet/net/asyncore";
 * import { StreamWrapper } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * const stdin: WrappedFile = new StreamWrapper(new ReadableStream<Uint8Array>());
 * assertEquals(stdin.fileno() >= 0, true);
 * stdin.close();
 * ```
 */
export type WrappedFile = Pick<
  StreamWrapper,
  "fileno" | "read" | "write" | "close" | "setblocking"
>;

/**
 * Python's `asyncore.file_wrapper`: a file that looks like a socket to a dispatcher (`recv`,
 * `send`, `read`, `write`, `getsockopt(SOL_SOCKET, SO_ERROR)`, `close`, `fileno`). Deno has no
 * `dup()`, so it wraps the `StreamWrapper` itself and closing it closes the stream.
 *
 * @example Reading a child process's output
 * ```ts
 * import { FileWrapper } from "@pynet/net/asyncore";
 * import { StreamWrapper } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * const child = new Deno.Command("echo", { args: ["hi"], stdout: "piped", stderr: "null" })
 *   .spawn();
 * const file = new FileWrapper(new StreamWrapper({ readable: child.stdout }));
 * assertEquals(new TextDecoder().decode(await file.recv(100)), "hi\n");
 * file.close();
 * await child.status;
 * ```
 */
export class FileWrapper {
  #file: WrappedFile | null;
  #fd: number;

  /**
   * Wraps `file`.
   *
   * @param file The stream.
   */
  constructor(file: WrappedFile) {
    this.#file = file;
    this.#fd = file.fileno();
  }

  #open(): WrappedFile {
    if (!this.#file) throw new OSError(EBADF);
    return this.#file;
  }

  /**
   * Reads up to `size` bytes; empty at EOF.
   *
   * @param size The most bytes.
   * @returns The bytes.
   */
  recv(size: number): Promise<Uint8Array> {
    try {
      return this.#open().read(size);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Writes `data`.
   *
   * @param data The bytes.
   * @returns The count written.
   */
  send(data: Uint8Array): Promise<number> {
    try {
      return this.#open().write(data);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Same as `recv`. */
  read(size: number): Promise<Uint8Array> {
    return this.recv(size);
  }

  /** Same as `send`. */
  write(data: Uint8Array): Promise<number> {
    return this.send(data);
  }

  /**
   * `SO_ERROR` is 0; any other option is `NotImplementedError`, as in CPython.
   *
   * @param level The level.
   * @param optname The option.
   * @param buflen Must be left out.
   * @returns 0.
   */
  getsockopt(level: number, optname: number, buflen?: number): number {
    if (level === SOL_SOCKET && optname === SO_ERROR && !buflen) return 0;
    throw new NotImplementedError("Only asyncore specific behaviour implemented.");
  }

  /** Closes the stream; closing again is harmless. */
  close(): void {
    if (this.#fd < 0) return;
    this.#fd = -1;
    const file = this.#file;
    this.#file = null;
    file?.close();
  }

  /** The stream's pseudo descriptor, or -1 once closed. */
  fileno(): number {
    return this.#fd;
  }

  /** Accepted for the dispatcher's sake: the stream is made non-blocking. */
  setblocking(flag: boolean): void {
    this.#file?.setblocking(flag);
  }
}

/**
 * Python's `asyncore.file_dispatcher`: a connected dispatcher over a pipe or the standard
 * input (`StreamWrapper.stdin()`), wrapped in a {@linkcode FileWrapper}; the loop watches it
 * beside sockets.
 *
 * @example Reading a child process's output in the loop
 * ```ts
 * import { FileDispatcher, loop } from "@pynet/net/asyncore";
 * import { StreamWrapper } from "@pynet/net/select";
 * import { assertEquals } from "@std/assert";
 *
 * const child = new Deno.Command("echo", { args: ["hi"], stdout: "piped", stderr: "null" })
 *   .spawn();
 * let got = "";
 * class Reader extends FileDispatcher {
 *   override async handleRead() {
 *     got += new TextDecoder().decode(await this.recv(100));
 *   }
 * }
 * const map = new Map();
 * new Reader(new StreamWrapper({ readable: child.stdout }), map);
 * await loop({ timeout: 1, map });
 * assertEquals(got, "hi\n");
 * await child.status;
 * ```
 */
export class FileDispatcher extends Dispatcher<FileWrapper> {
  /**
   * Creates the dispatcher on `file` and joins `map`.
   *
   * @param file The stream (Python takes a descriptor or an object with `fileno()`).
   * @param map The map; `socketMap` by default.
   */
  constructor(file: WrappedFile, map?: SocketMap | null) {
    super(null, map);
    this.connected = true;
    this.setFile(file);
    file.setblocking(false);
  }

  /**
   * Wraps `file` in a {@linkcode FileWrapper} and joins the map.
   *
   * @param file The stream.
   */
  setFile(file: WrappedFile): void {
    this.setSocket(new FileWrapper(file));
  }
}
