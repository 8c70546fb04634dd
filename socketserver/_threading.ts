// ThreadingMixIn: CPython starts a thread per request; pynet starts a task (the request runs
// concurrently with the loop and with every other request) and keeps the tasks it must wait
// for in serverClose(), as CPython keeps its non-daemon threads.
import { type Address, AF_UNIX, SOCK_DGRAM, type Socket } from "../socket/mod.ts";
import type { BaseServer } from "./_base_server.ts";
import { getAttribute, setAttribute } from "./_class_attributes.ts";
import { startRequestTask } from "./_request_task.ts";
import { TCPServer } from "./_tcp_server.ts";
import { UDPServer } from "./_udp_server.ts";
import { UnixDatagramServer, UnixStreamServer } from "./_unix_servers.ts";

/** A server class a mix-in can extend. */
// deno-lint-ignore no-explicit-any
export type ServerClass = new (...args: any[]) => BaseServer<any>;

/** A class whose instances are `T` (the mix-in form TypeScript intersects with a base class). */
// deno-lint-ignore no-explicit-any
export type Constructor<T> = new (...args: any[]) => T;

/** What `ThreadingMixIn` adds to a server's instances. */
export interface ThreadingServer {
  /** The class's `daemonThreads`, unless assigned on the instance. */
  daemonThreads: boolean;
  /** The class's `blockOnClose`, unless assigned on the instance. */
  blockOnClose: boolean;
  /** Runs one request in its own task: `finishRequest`, `handleError`, `shutdownRequest`. */
  processRequestThread(request: unknown, clientAddress: Address): Promise<void>;
}

/** What `ThreadingMixIn` adds to a server class: its class attributes. */
export interface ThreadingServerClass {
  /** `true`: `serverClose()` does not wait for the requests in flight. */
  daemonThreads: boolean;
  /** `true`: `serverClose()` waits for the requests in flight (unless `daemonThreads`). */
  blockOnClose: boolean;
}

/** The class `ThreadingMixIn(Base)` returns: `Base` with {@linkcode ThreadingServer}'s members. */
export type Threading<T extends ServerClass> =
  & T
  & ThreadingServerClass
  & Constructor<ThreadingServer>;

/**
 * Python's `socketserver.ThreadingMixIn`, as a function over a server class: every request
 * runs concurrently in a task of its own, while the loop goes on accepting. `serverClose()`
 * waits for the requests in flight when `blockOnClose` is true and `daemonThreads` false
 * (the defaults). The result is an ordinary class: extend it again.
 *
 * @param Base The server class (`TCPServer`, `UDPServer`, a subclass of either, ...).
 * @returns `Base` with a concurrent `processRequest`.
 *
 * @example Two clients served at once
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, TCPServer, ThreadingMixIn } from "@pynet/net/socketserver";
 * import { createConnection } from "@pynet/net/socket";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     await this.wfile.write(await this.rfile.readline());
 *   }
 * }
 * class Server extends ThreadingMixIn(TCPServer) {
 *   static override daemonThreads = false;
 * }
 * await using server = new Server(["127.0.0.1", 0], Echo);
 * const serving = server.serveForever(0.05);
 * const address = server.serverAddress as [string, number];
 * using a = await createConnection(address);
 * using b = await createConnection(address);
 * await b.sendall(new TextEncoder().encode("b\n")); // b is answered while a says nothing
 * assertEquals(new TextDecoder().decode(await b.recv(10)), "b\n");
 * await a.sendall(new TextEncoder().encode("a\n"));
 * assertEquals(new TextDecoder().decode(await a.recv(10)), "a\n");
 * await server.shutdown();
 * await serving;
 * ```
 */
export function ThreadingMixIn<T extends ServerClass>(Base: T): Threading<T> {
  class Threading extends Base implements ThreadingServer {
    static daemonThreads = false;
    static blockOnClose = true;
    /**
     * How many requests serverClose() must wait for are running (CPython's `_threads`), and
     * what it waits on while some are. A count rather than a Set of the tasks: no hash-table
     * churn and no extra promise per request to reap a task.
     */
    #threads = 0;
    #allEnded: PromiseWithResolvers<void> | null = null;
    /** Counts one waited-for request out; made once, not per request. */
    #threadEnded = () => {
      if (--this.#threads > 0 || this.#allEnded === null) return;
      this.#allEnded.resolve();
      this.#allEnded = null;
    };

    get daemonThreads(): boolean {
      return getAttribute(this, "daemonThreads");
    }
    set daemonThreads(value: boolean) {
      setAttribute(this, "daemonThreads", value);
    }
    get blockOnClose(): boolean {
      return getAttribute(this, "blockOnClose");
    }
    set blockOnClose(value: boolean) {
      setAttribute(this, "blockOnClose", value);
    }

    async processRequestThread(request: unknown, clientAddress: Address): Promise<void> {
      try {
        await this.finishRequest(request, clientAddress);
      } catch (e) {
        this.handleError(request, clientAddress, e);
      } finally {
        this.shutdownRequest(request);
      }
    }

    override processRequest(request: unknown, clientAddress: Address): Promise<void> {
      // The request is not one the loop waits for: shutdown() inside it waits for the loop.
      const waited = !this.daemonThreads && this.blockOnClose;
      if (waited) this.#threads++;
      const thread = startRequestTask(
        () => this.processRequestThread(request, clientAddress),
        waited ? this.#threadEnded : undefined,
      );
      // Deno cannot send on a Unix datagram socket while a receive is pending on it (the
      // failed send breaks the socket), and the loop's next wait starts one: such a server
      // lets each request end, its reply sent, before it waits again.
      const socket = (this as { socket?: Socket }).socket;
      if (socket?.family === AF_UNIX && socket.type === SOCK_DGRAM) return thread;
      return Promise.resolve();
    }

    override async serverClose(): Promise<void> {
      await super.serverClose();
      if (this.blockOnClose) {
        while (this.#threads > 0) await (this.#allEnded ??= Promise.withResolvers()).promise;
      }
    }
  }
  // deno-lint-ignore no-explicit-any
  return Threading as any;
}

/**
 * Python's `socketserver.ThreadingTCPServer`: `ThreadingMixIn(TCPServer)`.
 *
 * @example Its class attributes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, ThreadingTCPServer } from "@pynet/net/socketserver";
 *
 * await using server = new ThreadingTCPServer(["127.0.0.1", 0], StreamRequestHandler);
 * assertEquals(ThreadingTCPServer.blockOnClose, true);
 * assertEquals(server.daemonThreads, false);
 * ```
 */
export const ThreadingTCPServer: Threading<typeof TCPServer> = named(
  ThreadingMixIn(TCPServer),
  "ThreadingTCPServer",
);
/** An instance of {@linkcode ThreadingTCPServer}. */
export type ThreadingTCPServer = TCPServer & ThreadingServer;

/**
 * Python's `socketserver.ThreadingUDPServer`: `ThreadingMixIn(UDPServer)` (needs
 * `--unstable-net`).
 *
 * @example Its class attributes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatagramRequestHandler, ThreadingUDPServer } from "@pynet/net/socketserver";
 *
 * await using server = new ThreadingUDPServer(["127.0.0.1", 0], DatagramRequestHandler);
 * assertEquals(ThreadingUDPServer.maxPacketSize, 8192);
 * assertEquals(server.blockOnClose, true);
 * ```
 */
export const ThreadingUDPServer: Threading<typeof UDPServer> = named(
  ThreadingMixIn(UDPServer),
  "ThreadingUDPServer",
);
/** An instance of {@linkcode ThreadingUDPServer}. */
export type ThreadingUDPServer = UDPServer & ThreadingServer;

/**
 * Python's `socketserver.ThreadingUnixStreamServer`: `ThreadingMixIn(UnixStreamServer)`.
 *
 * @example Its family
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { StreamRequestHandler, ThreadingUnixStreamServer } from "@pynet/net/socketserver";
 * import { AF_UNIX } from "@pynet/net/socket";
 *
 * // Not bound (false): binding a path needs --allow-net=unix:PATH and --allow-read/write.
 * await using server = new ThreadingUnixStreamServer("/tmp/x.sock", StreamRequestHandler, false);
 * assertEquals(server.addressFamily, AF_UNIX);
 * ```
 */
export const ThreadingUnixStreamServer: Threading<typeof UnixStreamServer> = named(
  ThreadingMixIn(UnixStreamServer),
  "ThreadingUnixStreamServer",
);
/** An instance of {@linkcode ThreadingUnixStreamServer}. */
export type ThreadingUnixStreamServer = UnixStreamServer & ThreadingServer;

/**
 * Python's `socketserver.ThreadingUnixDatagramServer`: `ThreadingMixIn(UnixDatagramServer)`
 * (needs `--unstable-net`). On Deno its requests run one at a time: Deno cannot send a reply
 * on a Unix datagram socket while a receive is pending on it, so the loop waits for each
 * request's reply before it receives again.
 *
 * @example Its family
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatagramRequestHandler, ThreadingUnixDatagramServer } from "@pynet/net/socketserver";
 * import { AF_UNIX, SOCK_DGRAM } from "@pynet/net/socket";
 *
 * await using server = new ThreadingUnixDatagramServer("/tmp/x.dgram", DatagramRequestHandler, false);
 * assertEquals([server.addressFamily, server.socketType], [AF_UNIX, SOCK_DGRAM]);
 * ```
 */
export const ThreadingUnixDatagramServer: Threading<typeof UnixDatagramServer> = named(
  ThreadingMixIn(UnixDatagramServer),
  "ThreadingUnixDatagramServer",
);
/** An instance of {@linkcode ThreadingUnixDatagramServer}. */
export type ThreadingUnixDatagramServer = UnixDatagramServer & ThreadingServer;

/** Gives a class made by a mix-in the name Python would show. */
export function named<T extends ServerClass>(cls: T, name: string): T {
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}
