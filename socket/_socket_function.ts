// Python's `socket.socket(...)` call as a function: the same as `new Socket(...)`, typed
// `DatagramSocket` for `SOCK_DGRAM`.
import type { DatagramSocket } from "./_datagram_socket.ts";
import { AF_INET, type SOCK_DGRAM, SOCK_STREAM } from "./_constants.ts";
import { Socket } from "./_socket.ts";

/**
 * Creates a socket: Python's `socket.socket(family, type, proto, fileno)`.
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0 or the matching protocol.
 * @param fileno A pseudo descriptor from `detach()`.
 * @returns The new socket; typed `DatagramSocket` for `SOCK_DGRAM`, whose `recvfrom` gives
 * an address, never `null`.
 *
 * @example A TCP socket
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, SOCK_STREAM, socket } from "@pynet/net/socket";
 * using s = socket(AF_INET, SOCK_STREAM);
 * assertEquals([s.family, s.type], [2, 1]); // AF_INET, SOCK_STREAM
 * ```
 */
export function socket(
  family: number,
  type: typeof SOCK_DGRAM,
  proto?: number,
  fileno?: number | null,
): DatagramSocket;
/**
 * Creates a socket, as Python's `socket.socket()` does (see the `SOCK_DGRAM` signature).
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0 or the matching protocol.
 * @param fileno A pseudo descriptor from `detach()`.
 * @returns The new socket.
 *
 * @example A TCP socket
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socket } from "@pynet/net/socket";
 * using s = socket();
 * assertEquals(s.type, 1);
 * ```
 */
export function socket(
  family?: number,
  type?: number,
  proto?: number,
  fileno?: number | null,
): Socket;
export function socket(
  family: number = AF_INET,
  type: number = SOCK_STREAM,
  proto: number = 0,
  fileno: number | null = null,
): Socket {
  return new Socket(family, type, proto, fileno);
}
