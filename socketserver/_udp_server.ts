// UDPServer: a datagram is a request, `[data, serverSocket]`; nothing to accept, shut down or
// close per request (CPython's UDPServer, a TCPServer subclass).
import { type Address, SOCK_DGRAM, type Socket } from "../socket/mod.ts";
import { getAttribute, setAttribute } from "./_class_attributes.ts";
import type { RequestHandlerClass } from "./_base_server.ts";
import { TCPServer } from "./_tcp_server.ts";

/** A datagram server's request: the datagram and the server's socket, which answers it. */
export type DatagramRequest = [Uint8Array, Socket];

/**
 * Python's `socketserver.UDPServer`: each datagram (up to `maxPacketSize` bytes) is a request.
 * Needs Deno's `--unstable-net` flag: without it the constructor raises `OSError` naming the
 * flag, as pynet's datagram sockets do.
 *
 * @example A UDP echo server
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatagramRequestHandler, UDPServer } from "@pynet/net/socketserver";
 * import { AF_INET, SOCK_DGRAM, socket } from "@pynet/net/socket";
 *
 * class Echo extends DatagramRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(this.packet);
 *   }
 * }
 * await using server = new UDPServer(["127.0.0.1", 0], Echo);
 * using client = socket(AF_INET, SOCK_DGRAM);
 * await client.sendto(new TextEncoder().encode("ping"), server.serverAddress);
 * await server.handleRequest();
 * const [data] = await client.recvfrom(100);
 * assertEquals(new TextDecoder().decode(data), "ping");
 * ```
 */
export class UDPServer extends TCPServer<DatagramRequest> {
  /** `SOCK_DGRAM`. */
  static override socketType: number = SOCK_DGRAM;
  /** Not set on datagram servers by default. */
  static override allowReuseAddress: boolean = false;
  /** The largest datagram read; longer ones are truncated. */
  static maxPacketSize: number = 8192;

  /**
   * Creates the datagram socket and binds it (unless `bindAndActivate` is false).
   *
   * @param serverAddress `[host, port]` (port 0 picks one), or a path for `AF_UNIX`.
   * @param RequestHandlerClass The handler class (usually a `DatagramRequestHandler`).
   * @param bindAndActivate `false` to bind later.
   * @throws {OSError} Without `--unstable-net`, or when the address cannot be bound.
   */
  constructor(
    serverAddress: Address,
    RequestHandlerClass: RequestHandlerClass<DatagramRequest>,
    bindAndActivate: boolean = true,
  ) {
    super(serverAddress, RequestHandlerClass, bindAndActivate);
  }

  /** The class's `maxPacketSize`, unless assigned on this instance. */
  get maxPacketSize(): number {
    return getAttribute(this, "maxPacketSize");
  }
  set maxPacketSize(value: number) {
    setAttribute(this, "maxPacketSize", value);
  }

  /** Receives a datagram: `[[data, socket], clientAddress]`. */
  override async getRequest(): Promise<[DatagramRequest, Address]> {
    const [data, clientAddress] = await this.socket.recvfrom(this.maxPacketSize);
    return [[data, this.socket], clientAddress as Address];
  }

  /** Nothing to do: a datagram socket does not listen. */
  override serverActivate(): void {}

  /** Nothing to shut down: only `closeRequest`. */
  override shutdownRequest(request: DatagramRequest): void {
    this.closeRequest(request);
  }

  /** Nothing to close: the socket is the server's. */
  override closeRequest(_request: DatagramRequest): void {}
}
