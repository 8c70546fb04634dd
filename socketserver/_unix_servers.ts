// The AF_UNIX servers: CPython's UnixStreamServer and UnixDatagramServer change only the family.
import { AF_UNIX, type Socket } from "../socket/mod.ts";
import { TCPServer } from "./_tcp_server.ts";
import { UDPServer } from "./_udp_server.ts";

/**
 * Python's `socketserver.UnixStreamServer`: a {@linkcode TCPServer} on an `AF_UNIX` path.
 * Deno asks net permission for each path (`--allow-net=unix:/path/to.sock`) and read and
 * write permission for it.
 *
 * @example A Unix echo server (constructed unbound here: binding needs the path's permissions)
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, UnixStreamServer } from "@pynet/net/socketserver";
 * import { AF_UNIX } from "@pynet/net/socket";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(await this.rfile.readline());
 *   }
 * }
 * // With --allow-net=unix:/tmp/echo.sock --allow-read --allow-write, leave out `false` and
 * // call `await server.serveForever()`.
 * await using server = new UnixStreamServer("/tmp/echo.sock", Echo, false);
 * assertEquals([server.socket.family, server.serverAddress], [AF_UNIX, "/tmp/echo.sock"]);
 * ```
 */
export class UnixStreamServer extends TCPServer<Socket> {
  /** `AF_UNIX`. */
  static override addressFamily: number = AF_UNIX;
}

/**
 * Python's `socketserver.UnixDatagramServer`: a {@linkcode UDPServer} on an `AF_UNIX` path
 * (needs `--unstable-net`). A client must bind a path of its own to get the reply.
 *
 * @example A Unix datagram echo server (constructed unbound here)
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatagramRequestHandler, UnixDatagramServer } from "@pynet/net/socketserver";
 * import { AF_UNIX, SOCK_DGRAM } from "@pynet/net/socket";
 *
 * class Echo extends DatagramRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(this.packet);
 *   }
 * }
 * await using server = new UnixDatagramServer("/tmp/echo.dgram", Echo, false);
 * assertEquals([server.socket.family, server.socket.type], [AF_UNIX, SOCK_DGRAM]);
 * ```
 */
export class UnixDatagramServer extends UDPServer {
  /** `AF_UNIX`. */
  static override addressFamily: number = AF_UNIX;
}
