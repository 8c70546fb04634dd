/**
 * Python's `socketserver` module for Deno: turn a request handler class into a TCP, UDP or
 * Unix server, with CPython 3.11's classes, hooks and call order, on pynet's sockets and
 * selectors.
 *
 * ```
 * BaseServer
 * +-- TCPServer ---------- UnixStreamServer
 *     +-- UDPServer ------ UnixDatagramServer
 *
 * ThreadingMixIn(X): ThreadingTCPServer, ThreadingUDPServer,
 *                    ThreadingUnixStreamServer, ThreadingUnixDatagramServer
 * ForkingMixIn(X):   ForkingTCPServer, ForkingUDPServer
 *
 * BaseRequestHandler
 * +-- StreamRequestHandler    (rfile / wfile over the connection)
 * +-- DatagramRequestHandler  (rfile over the packet, wfile for the reply)
 * ```
 *
 * Which to use: `TCPServer` (`UnixStreamServer`) serves one request at a time, to its end, so
 * a slow client delays everyone; `ThreadingMixIn` runs every request concurrently in a task of
 * its own (the usual choice for network-bound handlers); `ForkingMixIn` spreads requests over
 * worker isolates, so CPU-bound handlers use every core (your module must export the server and
 * handler classes: see {@linkcode ForkingMixIn}). `UDPServer` (`UnixDatagramServer`) takes
 * each datagram as a request. Write the service as a handler class: `StreamRequestHandler`
 * for streams, `DatagramRequestHandler` for datagrams, with `handle()` (and `setup()` /
 * `finish()`) returning a Promise if it waits.
 *
 * The mix-ins are functions over a server class, and return an ordinary class:
 * `class Server extends ThreadingMixIn(TCPServer) {}`, extended again as you like.
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `socketserver.TCPServer(addr, Handler, bind_and_activate=True)` (and every server class) | `new TCPServer(addr, Handler, bindAndActivate)`: binds and listens synchronously; `serverAddress` has the real port |
 * | `class S(ThreadingMixIn, TCPServer): ...` | `class S extends ThreadingMixIn(TCPServer) {}` |
 * | class attribute `allow_reuse_address = True` (also `allow_reuse_port`, `address_family`, `socket_type`, `request_queue_size`, `timeout`, `max_packet_size`, `daemon_threads`, `block_on_close`, `max_children`) | `static override allowReuseAddress = true;` (read while the constructor binds; an instance field would be set too late, and the compiler refuses one), or a getter `override get allowReuseAddress() { return true; }` |
 * | `server.timeout = 5` (on an instance) | `server.timeout = 5` (shadows the class's value for that instance) |
 * | `server.serve_forever(poll_interval=0.5)` | `await server.serveForever(0.5)` |
 * | `server.shutdown()` | `await server.shutdown()`: settles once the loop has stopped; inside a handler the loop waits for, it settles at once (CPython deadlocks) |
 * | `server.handle_request()`, `handle_timeout()`, `service_actions()` | `await server.handleRequest()`, `handleTimeout()`, `serviceActions()` |
 * | `server_bind`, `server_activate`, `get_request`, `verify_request`, `process_request`, `finish_request`, `shutdown_request`, `close_request`, `_handle_request_noblock` | `serverBind`, `serverActivate`, `getRequest`, `verifyRequest`, `processRequest`, `finishRequest`, `shutdownRequest`, `closeRequest`, `_handleRequestNoblock` (those that wait return Promises) |
 * | `handle_error(request, client_address)` | `handleError(request, clientAddress, error)`: the error is passed (CPython's hook reads `sys.exc_info()`) |
 * | `server.server_close()`, `with server:` | `await server.serverClose()`, `await using server = ...` (`using` closes without waiting for a mix-in's requests) |
 * | `server.socket`, `fileno()`, `server_address`, `RequestHandlerClass` | `socket`, `fileno()`, `serverAddress`, `RequestHandlerClass` |
 * | `process_request_thread`, `collect_children`, `active_children` | `processRequestThread`, `collectChildren`, `activeChildren` (worker numbers, not pids) |
 * | `BaseRequestHandler`: `request`, `client_address`, `server`, `setup`, `handle`, `finish` | same (camelCase), each hook may return a Promise |
 * | `StreamRequestHandler`: `rfile`, `wfile`, `connection`, `rbufsize`, `wbufsize`, `timeout`, `disable_nagle_algorithm` | same names; `await this.rfile.readline()`, `for await (const line of this.rfile)`, `await this.wfile.write(b)`; settings are instance fields (`override timeout = 5;`), read in `setup()` |
 * | `DatagramRequestHandler`: `packet`, `socket`, `rfile`, `wfile` | same; `rfile` / `wfile` methods return Promises like a stream handler's |
 *
 * ## What differs on Deno, and why
 *
 * | case | CPython 3.11 | pynet |
 * |---|---|---|
 * | `ThreadingMixIn` | a thread per request | a task per request (concurrent, one core); `daemonThreads` only decides whether `serverClose()` waits |
 * | `ForkingMixIn` | `fork()` per request, up to `max_children` (40) at once | `maxChildren` worker isolates (default: the core count) started by `serveForever()`, each loading your module again; stream workers share the address through Deno's load-balanced listeners (pynet's `SO_DENO_LOADBALANCED`, no flag), datagrams are received by the parent and forwarded; `handleRequest()` serves in the calling isolate |
 * | `server_close()` of a mix-in | joins the threads / waits for the children | returns a Promise that settles when they are done |
 * | `SystemExit` (any `BaseException`) in `handle()` | passes `handle_error` and propagates | JavaScript has no such class: every error goes to `handleError` |
 * | datagram servers | no flag | need Deno's `--unstable-net`; without it the constructor raises `OSError` naming the flag |
 * | `ThreadingUnixDatagramServer` | concurrent | one request at a time: Deno cannot send on a Unix datagram socket while a receive is pending on it, so the loop lets each reply leave before it receives again |
 * | `UDPServer` is a `TCPServer` subclass | yes | yes (`TCPServer<R>` is generic in its request type) |
 *
 * Over TLS, wrap the listening socket, as in Python:
 * `server.socket = await ctx.wrapSocket(server.socket, { serverSide: true })`.
 *
 * @example An echo server, served until a client says "stop"
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, ThreadingTCPServer } from "@pynet/net/socketserver";
 * import { createConnection } from "@pynet/net/socket";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) {
 *       if (new TextDecoder().decode(line) === "stop\n") return void this.server.shutdown();
 *       await this.wfile.write(line);
 *     }
 *   }
 * }
 *
 * await using server = new ThreadingTCPServer(["127.0.0.1", 0], Echo);
 * const serving = server.serveForever();
 * using client = await createConnection(server.serverAddress as [string, number]);
 * await client.sendall(new TextEncoder().encode("hello\n"));
 * assertEquals(new TextDecoder().decode(await client.recv(100)), "hello\n");
 * await client.sendall(new TextEncoder().encode("stop\n"));
 * await serving;
 * ```
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
