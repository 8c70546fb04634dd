// TCPServer: BaseServer on a pynet stream socket, as CPython's (bind and listen in the
// constructor, accept per request, SHUT_WR then close after it).
import {
  type Address,
  AF_INET,
  OSError,
  SHUT_WR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  Socket,
  SOL_SOCKET,
} from "../socket/mod.ts";
import { getAttribute, setAttribute } from "./_class_attributes.ts";
import { BaseServer, type RequestHandlerClass } from "./_base_server.ts";

/**
 * Python's `socketserver.TCPServer`: the constructor creates the socket, binds it and listens
 * (unless `bindAndActivate` is false), so `serverAddress` holds the real port at once.
 *
 * `R` is the request type: a connected `Socket` here, `[data, socket]` for the datagram
 * servers that extend this class as CPython's do.
 *
 * Class attributes are static members, read while the constructor binds: a subclass writes
 * `static override allowReuseAddress = true;` (an instance field would be set too late).
 *
 * @typeParam R The request type.
 *
 * @example Serving one connection
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, TCPServer } from "@pynet/net/socketserver";
 * import { createConnection } from "@pynet/net/socket";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(await this.rfile.readline());
 *   }
 * }
 * await using server = new TCPServer(["127.0.0.1", 0], Echo);
 * const [, port] = server.serverAddress as [string, number];
 * using client = await createConnection(["127.0.0.1", port]);
 * await client.sendall(new TextEncoder().encode("hi\n"));
 * await server.handleRequest();
 * assertEquals(new TextDecoder().decode(await client.recv(10)), "hi\n");
 * ```
 */
export class TCPServer<R = Socket> extends BaseServer<R> {
  /** The socket's family: `AF_INET`; `AF_INET6` or `AF_UNIX` in subclasses. */
  static addressFamily: number = AF_INET;
  /** The socket's type: `SOCK_STREAM`. */
  static socketType: number = SOCK_STREAM;
  /** The `listen()` backlog. */
  static requestQueueSize: number = 5;
  /** Sets `SO_REUSEADDR` before binding. */
  static allowReuseAddress: boolean = false;
  /** Sets `SO_REUSEPORT` before binding (needs Deno's `--unstable-net`). */
  static allowReusePort: boolean = false;

  /** The listening socket. */
  socket: Socket;

  /**
   * Creates the socket and, unless told not to, binds and activates it; if either fails, the
   * socket is closed before the error propagates.
   *
   * @param serverAddress Where to listen: `[host, port]` (port 0 picks one), or a path.
   * @param RequestHandlerClass The handler class.
   * @param bindAndActivate `false` to call `serverBind()` and `serverActivate()` later.
   * @throws {OSError} When the socket cannot be created or bound.
   */
  constructor(
    serverAddress: Address,
    RequestHandlerClass: RequestHandlerClass<R>,
    bindAndActivate: boolean = true,
  ) {
    super(serverAddress, RequestHandlerClass);
    this.socket = new Socket(this.addressFamily, this.socketType);
    if (bindAndActivate) {
      try {
        this.serverBind();
        this.serverActivate();
      } catch (e) {
        void this.serverClose();
        throw e;
      }
    }
  }

  /** The class's `addressFamily`, unless assigned on this instance. */
  get addressFamily(): number {
    return getAttribute(this, "addressFamily");
  }
  set addressFamily(value: number) {
    setAttribute(this, "addressFamily", value);
  }
  /** The class's `socketType`, unless assigned on this instance. */
  get socketType(): number {
    return getAttribute(this, "socketType");
  }
  set socketType(value: number) {
    setAttribute(this, "socketType", value);
  }
  /** The class's `requestQueueSize`, unless assigned on this instance. */
  get requestQueueSize(): number {
    return getAttribute(this, "requestQueueSize");
  }
  set requestQueueSize(value: number) {
    setAttribute(this, "requestQueueSize", value);
  }
  /** The class's `allowReuseAddress`, unless assigned on this instance. */
  get allowReuseAddress(): boolean {
    return getAttribute(this, "allowReuseAddress");
  }
  set allowReuseAddress(value: boolean) {
    setAttribute(this, "allowReuseAddress", value);
  }
  /** The class's `allowReusePort`, unless assigned on this instance. */
  get allowReusePort(): boolean {
    return getAttribute(this, "allowReusePort");
  }
  set allowReusePort(value: boolean) {
    setAttribute(this, "allowReusePort", value);
  }

  /** Sets the reuse options asked for, binds, and records the address really bound. */
  serverBind(): void {
    if (this.allowReuseAddress) this.socket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (this.allowReusePort) this.socket.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    this.socket.bind(this.serverAddress);
    this.serverAddress = this.socket.getsockname();
  }

  /** Listens, with `requestQueueSize` as the backlog. */
  override serverActivate(): void {
    this.socket.listen(this.requestQueueSize);
  }

  /** Closes the listening socket. */
  override serverClose(): Promise<void> {
    this.socket.close();
    return Promise.resolve();
  }

  /** The listening socket's pseudo descriptor. */
  override fileno(): number {
    return this.socket.fileno();
  }

  /** Accepts a connection: `[socket, clientAddress]`. */
  override getRequest(): Promise<[R, Address]> {
    return this.socket.accept() as Promise<[unknown, Address]> as Promise<[R, Address]>;
  }

  /** Shuts the connection's sending side (errors ignored), then closes it. */
  override shutdownRequest(request: R): void {
    try {
      (request as Socket).shutdown(SHUT_WR);
    } catch (e) {
      // The peer may be gone already; closing is all that is left.
      if (!(e instanceof OSError)) throw e;
    }
    this.closeRequest(request);
  }

  /** Closes the connection. */
  override closeRequest(request: R): void {
    (request as Socket).close();
  }
}
