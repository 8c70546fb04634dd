// The request handlers: CPython's BaseRequestHandler, StreamRequestHandler and
// DatagramRequestHandler. CPython runs setup/handle/finish inside __init__; a TypeScript
// constructor cannot await, and a subclass's fields are set only after it returns, so the
// server constructs the handler first and then runs it (runHandler).
import {
  type Address,
  IPPROTO_TCP,
  OSError,
  type Socket,
  type SocketFile,
  TCP_NODELAY,
} from "../socket/mod.ts";
import type { BaseServer } from "./_base_server.ts";
import { PacketReader, ReplyWriter } from "./_bytes_io.ts";

/**
 * Python's `socketserver.BaseRequestHandler`: one instance per request. Override `handle()`
 * (and `setup()` / `finish()` if needed); each may return a Promise, which the server awaits.
 * `finish()` runs even when `handle()` throws.
 *
 * @typeParam R The request type (`Socket` for stream servers).
 *
 * @example A handler that answers each connection with its client's address
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BaseRequestHandler, TCPServer } from "@pynet/net/socketserver";
 * import { createConnection, type Socket } from "@pynet/net/socket";
 *
 * class Hello extends BaseRequestHandler<Socket> {
 *   override async handle() {
 *     await this.request.sendall(new TextEncoder().encode(`hello ${this.clientAddress[0]}`));
 *   }
 * }
 * await using server = new TCPServer(["127.0.0.1", 0], Hello);
 * using client = await createConnection(server.serverAddress as [string, number]);
 * await server.handleRequest();
 * assertEquals(new TextDecoder().decode(await client.recv(100)), "hello 127.0.0.1");
 * ```
 */
export class BaseRequestHandler<R = unknown> {
  /** The request: a connected `Socket`, or `[data, socket]` for a datagram server. */
  request: R;
  /** The client's address. */
  clientAddress: Address;
  /** The server that received the request. */
  // deno-lint-ignore no-explicit-any
  server: BaseServer<any>;

  /**
   * Records the request (Python's `__init__` without the run: the server then calls `setup`,
   * `handle` and `finish`).
   *
   * @param request The request.
   * @param clientAddress The client's address.
   * @param server The server.
   */
  // deno-lint-ignore no-explicit-any
  constructor(request: R, clientAddress: Address, server: BaseServer<any>) {
    this.request = request;
    this.clientAddress = clientAddress;
    this.server = server;
  }

  /** Prepares the request; runs before `handle()`. Does nothing here. */
  setup(): void | Promise<void> {}

  /** Serves the request. Does nothing here. */
  handle(): void | Promise<void> {}

  /** Cleans up after `handle()`, even when it threw. Does nothing here. */
  finish(): void | Promise<void> {}
}

/** Runs a handler as CPython's `BaseRequestHandler.__init__` does. */
export async function runHandler(handler: BaseRequestHandler<unknown>): Promise<void> {
  // A hook that returns nothing (setup and finish, usually) is not awaited: the next one runs
  // at once rather than a microtask later. The order is the same.
  const setup = handler.setup();
  if (setup !== undefined) await setup;
  try {
    await handler.handle();
  } finally {
    const finish = handler.finish();
    if (finish !== undefined) await finish;
  }
}

/**
 * Python's `socketserver.StreamRequestHandler`: `rfile` and `wfile` over the connection, built
 * with pynet's `makefile`. Their methods return Promises (`await this.rfile.readline()`), and
 * `rfile` is async-iterable by lines.
 *
 * Its settings are plain instance fields (`override timeout = 5;`): they are read in `setup()`,
 * after the handler has been constructed.
 *
 * @example A line echo server
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, TCPServer } from "@pynet/net/socketserver";
 * import { createConnection, SHUT_WR } from "@pynet/net/socket";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 * await using server = new TCPServer(["127.0.0.1", 0], Echo);
 * using client = await createConnection(server.serverAddress as [string, number]);
 * await client.sendall(new TextEncoder().encode("ab\ncd\n"));
 * client.shutdown(SHUT_WR); // the handler's loop ends at EOF
 * await server.handleRequest();
 * let answer = "";
 * for (let data; (data = await client.recv(100)).length > 0;) answer += new TextDecoder().decode(data);
 * assertEquals(answer, "ab\ncd\n");
 * ```
 */
export class StreamRequestHandler extends BaseRequestHandler<Socket> {
  /** `rfile`'s buffer size; -1 for the default (buffered). */
  rbufsize: number = -1;
  /** `wfile`'s buffer size; 0 (the default) writes through at once, without `flush()`. */
  wbufsize: number = 0;
  /** A timeout in seconds set on the connection in `setup()`; `null` leaves it. */
  timeout: number | null = null;
  /** Sets `TCP_NODELAY` on the connection in `setup()`. */
  disableNagleAlgorithm: boolean = false;

  /** The connection (the same socket as `request`); set by `setup()`. */
  connection!: Socket;
  /** The connection's input, as a binary file. */
  rfile!: SocketFile<Uint8Array>;
  /** The connection's output, as a binary file. */
  wfile!: SocketFile<Uint8Array>;

  /** Applies `timeout` and `disableNagleAlgorithm`, and opens `rfile` and `wfile`. */
  override setup(): void {
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disableNagleAlgorithm) this.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    this.rfile = this.connection.makefile("rb", { buffering: this.rbufsize }) as SocketFile<
      Uint8Array
    >;
    this.wfile = this.connection.makefile("wb", { buffering: this.wbufsize }) as SocketFile<
      Uint8Array
    >;
  }

  /** Flushes `wfile` (a send error is ignored, as in CPython) and closes both files. */
  override async finish(): Promise<void> {
    if (!this.wfile.closed) {
      try {
        await this.wfile.flush();
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      }
    }
    try {
      await this.wfile.close();
    } catch (e) {
      // The buffer could not be sent: the peer is gone, and the request ends anyway.
      if (!(e instanceof OSError)) throw e;
    }
    await this.rfile.close();
  }
}

/**
 * Python's `socketserver.DatagramRequestHandler`: `packet` is the datagram received, `rfile`
 * reads it, and what the handler writes to `wfile` goes back to the sender as one datagram in
 * `finish()`, always (an empty one when nothing was written, or when `handle()` threw), as in
 * CPython.
 *
 * @example A UDP server that answers in capitals
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatagramRequestHandler, UDPServer } from "@pynet/net/socketserver";
 * import { AF_INET, SOCK_DGRAM, socket } from "@pynet/net/socket";
 *
 * class Upper extends DatagramRequestHandler {
 *   override async handle() {
 *     const text = new TextDecoder().decode(await this.rfile.read());
 *     await this.wfile.write(new TextEncoder().encode(text.toUpperCase()));
 *   }
 * }
 * await using server = new UDPServer(["127.0.0.1", 0], Upper); // needs --unstable-net
 * using client = socket(AF_INET, SOCK_DGRAM);
 * await client.sendto(new TextEncoder().encode("shout"), server.serverAddress);
 * await server.handleRequest();
 * const [reply, from] = await client.recvfrom(100);
 * assertEquals([new TextDecoder().decode(reply), from], ["SHOUT", server.serverAddress]);
 * ```
 */
export class DatagramRequestHandler extends BaseRequestHandler<[Uint8Array, Socket]> {
  /** The datagram received; set by `setup()`. */
  packet!: Uint8Array;
  /** The server's socket, which sends the reply; set by `setup()`. */
  socket!: Socket;
  /** Reads `packet`. */
  rfile!: PacketReader;
  /** Collects the reply. */
  wfile!: ReplyWriter;

  /** Takes the packet and the socket apart and opens `rfile` and `wfile`. */
  override setup(): void {
    [this.packet, this.socket] = this.request;
    this.rfile = new PacketReader(this.packet);
    this.wfile = new ReplyWriter();
  }

  /** Sends what `wfile` holds to the client. */
  override async finish(): Promise<void> {
    await this.socket.sendto(this.wfile.getvalue(), this.clientAddress);
  }
}
