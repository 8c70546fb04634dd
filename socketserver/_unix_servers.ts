// The AF_UNIX servers: CPython's UnixStreamServer and UnixDatagramServer change only the family.
import { AF_UNIX, type Socket } from "../socket/mod.ts";
import { TCPServer } from "./_tcp_server.ts";
import { UDPServer } from "./_udp_server.ts";

/**
 * Python's `socketserver.UnixStreamServer`: a {@linkcode TCPServer} on an `AF_UNIX` path.
 * Deno asks net permission for each path: `--allow-net=unix:/path/to.sock`... and read/write
 * permission for it.
 *
 * @example
 * ```ts ignore
 * import { StreamRequestHandler, UnixStreamServer } from "@pynet/net/socketserver";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(await this.rfile.readline());
 *   }
 * }
 * await using server = new UnixStreamServer("/tmp/echo.sock", Echo);
 * await server.serveForever();
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
 * @example
 * ```ts ignore
 * import { DatagramRequestHandler, UnixDatagramServer } from "@pynet/net/socketserver";
 *
 * class Echo extends DatagramRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(this.packet);
 *   }
 * }
 * await using server = new UnixDatagramServer("/tmp/echo.dgram", Echo);
 * await server.serveForever();
 * ```
 */
export class UnixDatagramServer extends UDPServer {
  /** `AF_UNIX`. */
  static override addressFamily: number = AF_UNIX;
}
