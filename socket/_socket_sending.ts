// The documented face of a socket's sending calls: send, sendall, sendto, shutdown and the
// `writable` stream. `Socket` (_socket.ts) implements it; the work is in _socket_send.ts. The
// interface carries the documentation, which Socket's members inherit.
import type { Address } from "./_address.ts";
import type { AbortOptions } from "../_core/abort.ts";
import type { BytesLike } from "../_core/bytes.ts";

/** A socket's sending calls, as Python's, and its `writable` stream. */
export interface SocketSending {
  /**
   * Sends bytes and resolves to how many were taken, which may be fewer than given. A
   * non-blocking or timed socket buffers them and sends in the background; an error met there
   * is reported by the next send (or `getsockopt(SOL_SOCKET, SO_ERROR)`).
   *
   * @param data The bytes.
   * @param flags `MSG_DONTWAIT` to not wait; other flags are accepted and ignored.
   * @returns The count taken.
   * @throws {BrokenPipeError} The peer has closed.
   * @throws {BlockingIOError} Non-blocking, with the send buffer full or a connect under way.
   * @throws {TypeError} For a string or other non-bytes.
   *
   * @example Sending bytes
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * assertEquals(await a.send(new Uint8Array(10)), 10);
   * ```
   */
  send(
    data: BytesLike,
    flags?: number,
    options?: AbortOptions,
  ): Promise<number>;

  /**
   * Sends what the socket takes now, synchronously: Python's `send` on a non-blocking socket,
   * in any timeout mode, with no Promise (a pynet addition, for readiness loops that send
   * after `select` or a selector reported the socket writable). The bytes taken are copied
   * into the send buffer, which Deno drains in the background; a write error found there is
   * raised by the next call, as Linux reports it.
   *
   * A stream socket's call: a datagram socket's send settles in Deno's own time, so
   * `sendNow` raises `OSError` `EOPNOTSUPP` there (await `send()` instead).
   *
   * @param data The bytes.
   * @returns The count taken (0 for empty `data`).
   * @throws {BlockingIOError} The send buffer is full, or a connect is still under way.
   * @throws {BrokenPipeError} The writing side is shut down, or the peer reset the connection.
   * @throws {OSError} `ENOTCONN` (`EPIPE` for TCP) when not connected, `EBADF` once closed.
   *
   * @example Sending without a Promise once the socket is writable
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { socketpair } from "@pynet/net/socket";
   * import { select } from "@pynet/net/select";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * a.setblocking(false);
   * const [, writable] = await select([], [a], [], 1);
   * assertEquals(writable, [a]);
   * assertEquals(a.sendNow(new TextEncoder().encode("ping")), 4);
   * assertEquals(new TextDecoder().decode(await b.recv(10)), "ping");
   * ```
   */
  sendNow(data: BytesLike): number;

  /**
   * Sends all of `data`. With a timeout, the whole call must finish within it.
   *
   * @param data The bytes.
   * @param flags As for `send`.
   * @throws {TimeoutError} When the timeout runs out (some bytes may have been sent).
   * @throws {BrokenPipeError} The peer has closed.
   *
   * @example Sending all of a large buffer
   * ```ts
   * import { socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await a.sendall(new Uint8Array(100_000));
   * ```
   */
  sendall(
    data: BytesLike,
    flags?: number,
    options?: AbortOptions,
  ): Promise<void>;

  /**
   * Sends a datagram to `address`; an unbound socket is bound to an ephemeral port first, as
   * the kernel does. Python's three-argument form `sendto(data, flags, address)` works too.
   *
   * @param data The bytes.
   * @param flagsOrAddress The address, or flags when a third argument follows.
   * @param address The address, in the three-argument form.
   * @returns The count sent.
   * @throws {TypeError} For a wrong address shape.
   * @throws {OSError} `EMSGSIZE` for a datagram too large.
   *
   * @example Sending a datagram
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { AF_INET, SOCK_DGRAM, Socket } from "@pynet/net/socket";
   * using s = new Socket(AF_INET, SOCK_DGRAM);
   * using peer = new Socket(AF_INET, SOCK_DGRAM);
   * peer.bind(["127.0.0.1", 0]);
   * assertEquals(await s.sendto(new Uint8Array(3), peer.getsockname()), 3);
   * ```
   */
  sendto(
    data: BytesLike,
    flagsOrAddress: number | Address,
    addressOrOptions?: Address | AbortOptions,
    options?: AbortOptions,
  ): Promise<number>;

  /**
   * Shuts down one or both halves of the connection: `SHUT_RD` (a recv waiting in another
   * task returns EOF at once, as do later ones), `SHUT_WR` (the peer reads EOF once the
   * buffered bytes are sent) or `SHUT_RDWR`.
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @throws {OSError} `ENOTCONN` when not connected, `EINVAL` for another `how`.
   *
   * @example Half-closing: the peer reads EOF
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { SHUT_WR, socketpair } from "@pynet/net/socket";
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * a.shutdown(SHUT_WR);
   * assertEquals((await b.recv(10)).length, 0); // EOF
   * ```
   */
  shutdown(how: number): void;

  /**
   * The bytes to send, as a Web `WritableStream`, shaped like `Deno.Conn`'s `writable`: each
   * chunk is sent whole (`sendall`, so the socket's timeout applies to each); closing it is
   * `shutdown(SHUT_WR)`: the peer reads EOF once every byte has gone, and can still answer.
   * Aborting it half-closes too. While it is locked and has not ended, `send` and `sendall`
   * raise `OSError` (`EBUSY`), so no bytes interleave with a chunk.
   *
   * @returns The same stream on every call.
   * @throws {OSError} `ENOTCONN` when the socket is not a connected stream, `EBADF` when closed.
   *
   * @example Writing, then half-closing
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { toText } from "@std/streams/to-text";
   * import { socketpair } from "@pynet/net/socket";
   *
   * const [a, b] = socketpair();
   * using _a = a, _b = b;
   * await ReadableStream.from([new TextEncoder().encode("hello")]).pipeTo(a.writable);
   * assertEquals(await toText(b.readable), "hello"); // ends: a's writable half-closed it
   * ```
   */
  readonly writable: WritableStream<Uint8Array>;
}
