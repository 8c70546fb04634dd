/**
 * Python's `socketserver` module for Deno.
 *
 * @module
 */

export { BaseServer, type RequestHandlerClass } from "./_base_server.ts";
export { TCPServer } from "./_tcp_server.ts";
export { type DatagramRequest, UDPServer } from "./_udp_server.ts";
export { UnixDatagramServer, UnixStreamServer } from "./_unix_servers.ts";
export { BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler } from "./_handler.ts";
export { PacketReader, ReplyWriter } from "./_bytes_io.ts";
export {
  type Constructor,
  type ServerClass,
  type Threading,
  ThreadingMixIn,
  type ThreadingServer,
  type ThreadingServerClass,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixDatagramServer,
  ThreadingUnixStreamServer,
} from "./_threading.ts";
export type { Address } from "../socket/mod.ts";
export {
  type Forking,
  ForkingMixIn,
  type ForkingServer,
  type ForkingServerClass,
  ForkingTCPServer,
  ForkingUDPServer,
  type SocketServerClass,
} from "./_forking.ts";
