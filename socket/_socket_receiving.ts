// The documented face of a socket's receiving calls: recv, recvfrom, recvInto, recvfromInto
// and the `readable` stream. `Socket` (_socket.ts) implements it; the work is in
// _socket_recv.ts. The interface carries the documentation, which Socket's members inherit.
import type { Address } from "./_address.ts";
import type { AbortOptions } from "../_core/abort.ts";

/** A socket's receiving calls, as Python's, and its `readable` stream. */
export interface SocketReceiving {
  /**
   * Receives up to `bufsize` bytes. Resolves to an empty array at EOF (the peer closed).
   * For a datagram socket, one datagram, cut to `bufsize` bytes.
   *
   * The bytes are the caller's, as Python's new `bytes` are; on a busy stream they may be a
   * view of a larger read buffer (mind `byteOffset` before using `.buffer`). `recvInto`
   * reads into a buffer of the caller's instead, with no allocation.
   *
   * @param bufsize The most bytes to return.
   * @param flags `MSG_PEEK` (leave the bytes for the next call), `MSG_DONTWAIT` (do not wait),
   * `MSG_WAITALL` (blocking: wait for all `bufsize` bytes, or EOF, or an error, which the next
   * call raises after this one returned the bytes before it; with a timeout or non-blocking,
   * as in CPython, a plain recv).
   * @returns The bytes received.
   * @throws {BlockingIOError} Non-blocking, with nothing to read.
   * @throws {TimeoutError} When the timeout runs out (the bytes of a late read are kept).
   * @throws {ConnectionResetError} When the peer reset the connection.
   * @throws {ValueError} For a negative `bufsize`.
   *
   * @example Receiving what the peer sent
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("hello"));
   * assertEquals(new TextDecoder().decode(await b.recv(1024)), "hello");
   * ```
   */
  recv(
    bufsize: number,
    flags?: number,
    options?: AbortOptions,
  ): Promise<Uint8Array>;

  /**
   * Receives up to `bufsize` bytes of the input that has arrived, synchronously: Python's
   * `recv` on a non-blocking socket, in any timeout mode, with no Promise (a pynet addition,
   * for readiness loops that read after `select` or a selector reported the socket readable,
   * which is when input has arrived). Empty bytes at EOF.
   *
   * "Arrived" is what pynet has read from the connection: a socket a selector watches, or
   * one a recv waited on, reads ahead, and `select` reports it readable once input is there.
   * With nothing arrived the call starts a read and raises `BlockingIOError`, so a readiness
   * wait reports the input when it comes.
   *
   * A stream socket's call: a datagram socket raises `OSError` `EOPNOTSUPP` (await `recv()`
   * instead).
   *
   * @param bufsize The most bytes to return.
   * @returns The bytes (the caller's, as `recv`'s are).
   * @throws {BlockingIOError} Nothing has arrived (or a connect is still under way).
   * @throws {ConnectionResetError} When the peer reset the connection (once, after the input
   * before it).
   * @throws {ValueError} For a negative `bufsize`.
   *
   * @example Reading without a Promise once select reports the socket readable
   * ```ts
   * import { assertEquals, assertThrows } from "@std/assert";
   * import { BlockingIOError, socketpair } from "@pynet/net/socket";
   * import { select } from "@pynet/net/select";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * assertThrows(() => b.recvNow(10), BlockingIOError);
   * await a.sendall(new TextEncoder().encode("pong"));
   * const [readable] = await select([b], [], [], 1);
   * assertEquals(readable, [b]);
   * assertEquals(new TextDecoder().decode(b.recvNow(10)), "pong");
   * ```
   */
  recvNow(bufsize: number): Uint8Array;

  /**
   * Receives up to `bufsize` bytes and the sender's address (`null` for a connected stream).
   *
   * @param bufsize The most bytes to return.
   * @param flags As for `recv`.
   * @returns `[data, address]`.
   *
   * @example A datagram and its sender
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * // Datagram sockets need Deno's --unstable-net flag.
   * using a = new Socket(AF_INET, SOCK_DGRAM);
   * using b = new Socket(AF_INET, SOCK_DGRAM);
   * b.bind(["127.0.0.1", 0]);
   * await a.sendto(new Uint8Array([1, 2, 3]), b.getsockname());
   * const [data, from] = await b.recvfrom(1024);
   * assertEquals(data.length, 3);
   * assertEquals((from as [string, number])[1], (a.getsockname() as [string, number])[1]);
   * ```
   */
  recvfrom(
    bufsize: number,
    flags?: number,
    options?: AbortOptions,
  ): Promise<[Uint8Array, Address | null]>;

  /**
   * Receives into `buffer` and resolves to the number of bytes written there.
   *
   * A blocking call with nothing buffered reads straight into `buffer`. Deno cannot cancel
   * that read short of closing the connection: when `shutdown(SHUT_RD)` ends the call (0),
   * bytes the peer still sends may yet land in `buffer`, though no call reports them.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes to receive; 0 means the buffer's length.
   * @param flags As for `recv`.
   * @returns The count received (0 at EOF).
   * @throws {ValueError} When `nbytes` is negative or larger than the buffer.
   *
   * @example Receiving into a buffer of one's own
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([7, 8, 9]));
   * const buffer = new Uint8Array(16);
   * assertEquals(await b.recvInto(buffer), 3);
   * ```
   */
  recvInto(
    buffer: Uint8Array,
    nbytes?: number,
    flags?: number,
    options?: AbortOptions,
  ): Promise<number>;

  /**
   * Like `recvInto`, also giving the sender's address.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes to receive; 0 means the buffer's length.
   * @param flags As for `recv`.
   * @returns `[count, address]`.
   *
   * @example A stream's address is null
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array([1]));
   * assertEquals(await b.recvfromInto(new Uint8Array(4)), [1, null]);
   * ```
   */
  recvfromInto(
    buffer: Uint8Array,
    nbytes?: number,
    flags?: number,
    options?: AbortOptions,
  ): Promise<[number, Address | null]>;

  /**
   * The bytes the peer sends, as a Web `ReadableStream`, shaped like `Deno.Conn`'s `readable`:
   * a byte stream (a BYOB reader reads straight into its buffer), ending at EOF. Bytes already
   * read ahead (by a `select`, a timed-out `recv`) come out first. Each read keeps to the
   * socket's timeout (a `TimeoutError` errors the stream, and bytes that come later stay for
   * `recv`); a non-blocking socket's stream waits. Cancelling it is `shutdown(SHUT_RD)`: later
   * input is dropped, and the socket stays open for writing (`Deno.Conn`'s cancel closes the
   * whole connection).
   *
   * While it is locked (a reader, a `pipeTo`) and has not ended, `recv`, `recvInto`,
   * `recvfrom` and `recvfromInto` raise `OSError` (`EBUSY`) instead of taking bytes from under
   * it. Once the lock is released, or the stream has ended (EOF, cancel, an error such as a
   * timeout), they work again, and bytes a read was bringing in when the lock was released are
   * theirs (or the next reader's): none is lost.
   *
   * @returns The same stream on every call.
   * @throws {OSError} `ENOTCONN` when the socket is not a connected stream, `EBADF` when closed.
   *
   * @example Reading lines with `TextLineStream`
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { TextLineStream } from "@std/streams/text-line-stream";
   * import { socketpair } from "@pynet/net/socket";
   *
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new TextEncoder().encode("HELO one\r\nQUIT\r\n"));
   * a.close();
   * const lines = await Array.fromAsync(
   *   b.readable.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream()),
   * );
   * assertEquals(lines, ["HELO one", "QUIT"]);
   * ```
   */
  readonly readable: ReadableStream<Uint8Array>;
}
