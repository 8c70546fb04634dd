// The type of a datagram socket: what recvfrom() gives there is always the sender's address,
// never the null of a connected stream, so a UDP loop needs no `address!`.
import type { Address } from "./_address.ts";
import type { Socket } from "./_socket.ts";

/**
 * A `SOCK_DGRAM` socket, as `socket(family, SOCK_DGRAM)` types it: the same object as any
 * `Socket`, whose `recvfrom` and `recvfromInto` are typed to give the sender's address (a
 * datagram always has one).
 *
 * @example A UDP echo, no casts
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, type DatagramSocket, SOCK_DGRAM, socket } from "@pynet/net/socket";
 * // Datagram sockets need Deno's --unstable-net flag.
 * using server: DatagramSocket = socket(AF_INET, SOCK_DGRAM);
 * using client = socket(AF_INET, SOCK_DGRAM);
 * server.bind(["127.0.0.1", 0]);
 * await client.sendto(new Uint8Array([1, 2]), server.getsockname());
 * const [data, address] = await server.recvfrom(1024);
 * await server.sendto(data, address);
 * assertEquals((await client.recvfrom(1024))[0], new Uint8Array([1, 2]));
 * ```
 */
export interface DatagramSocket extends Socket {
  /**
   * Receives one datagram (up to `bufsize` bytes of it) and its sender's address.
   *
   * @param bufsize The most bytes to return.
   * @param flags As for `recv`.
   * @returns `[data, address]`.
   */
  recvfrom(bufsize: number, flags?: number): Promise<[Uint8Array, Address]>;
  /**
   * Receives one datagram into `buffer`, with its sender's address.
   *
   * @param buffer Where to put the bytes.
   * @param nbytes The most bytes to receive; 0 means the buffer's length.
   * @param flags As for `recv`.
   * @returns `[count, address]`.
   */
  recvfromInto(buffer: Uint8Array, nbytes?: number, flags?: number): Promise<[number, Address]>;
}
