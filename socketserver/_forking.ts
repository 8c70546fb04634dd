// ForkingMixIn: CPython forks a child process per request so that requests run in parallel.
// Deno has no fork(); pynet starts `maxChildren` worker isolates (threads with their own event
// loop, so a CPU-bound handler in one does not stop the others), each loading the user's
// module again and building the same server. A stream server's workers each listen on the
// parent's address through Deno's load-balanced listeners (socket option
// SO_DENO_LOADBALANCED), and Deno hands every connection to one of them; the parent keeps the
// address bound but accepts nothing. A datagram server's parent receives every datagram and
// forwards it to a worker (_reply_forwarder.ts), since Deno cannot share a datagram socket.
import {
  type Address,
  SO_DENO_LOADBALANCED,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  SOL_SOCKET,
  ValueError,
} from "../socket/mod.ts";
import { classAttribute, getAttribute, setAttribute } from "./_class_attributes.ts";
import { ForkChild, startError } from "./_fork_child.ts";
import { workerIdentity } from "./_fork_protocol.ts";
import { idleWaits } from "./_idle_loop.ts";
import { startRequestTask } from "./_request_task.ts";
import { TCPServer } from "./_tcp_server.ts";
import { type Constructor, named } from "./_threading.ts";
import { UDPServer } from "./_udp_server.ts";

/** A server class `ForkingMixIn` can extend: `TCPServer`, `UDPServer` or a subclass. */
// deno-lint-ignore no-explicit-any
export type SocketServerClass = new (...args: any[]) => TCPServer<any>;

/** What `ForkingMixIn` adds to a server's instances. */
export interface ForkingServer {
  /** The class's `maxChildren`, unless assigned on the instance: how many workers serve. */
  maxChildren: number;
  /** The class's `blockOnClose`, unless assigned on the instance. */
  blockOnClose: boolean;
  /** The worker numbers of the running workers (CPython's pids); `null` before any starts. */
  activeChildren: Set<number> | null;
  /** This isolate's worker number, or `null` in the parent. */
  readonly workerId: number | null;
  /** Forgets workers that have died, and starts others in their place while serving. */
  collectChildren(): Promise<void>;
  /** Runs one request to its end: `finishRequest`, `handleError`, `shutdownRequest`. */
  processRequestThread(request: unknown, clientAddress: Address): Promise<void>;
}

/** What `ForkingMixIn` adds to a server class: its class attributes. */
export interface ForkingServerClass {
  /** How many worker isolates serve (CPython: the most children at once, 40). */
  maxChildren: number;
  /** `serverClose()` waits for the workers' requests in flight. */
  blockOnClose: boolean;
  /** The module (URL) that exports the server class and the handler class; `null`: the main module. */
  workerModule: string | URL | null;
}

/** The class `ForkingMixIn(Base)` returns: `Base` with {@linkcode ForkingServer}'s members. */
export type Forking<T extends SocketServerClass> =
  & T
  & ForkingServerClass
  & Constructor<ForkingServer>;

/** The number of cores Deno reports, at least 1. */
function cores(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/**
 * Python's `socketserver.ForkingMixIn`, as a function over a server class: requests are served
 * by `maxChildren` worker isolates, so CPU-bound handlers use every core. Deno has no `fork()`;
 * what replaces it, and what your module must do:
 *
 * - Each worker **loads your module again** (as a module it imports, so `import.meta.main` is
 *   false there) and builds your server class with `(serverAddress, RequestHandlerClass)`.
 *   So: **export the server class and the handler class** from the module, and **start the
 *   server only under `if (import.meta.main)`** (the worker builds its own; anything else at
 *   the top level runs in every worker too).
 * - The module is `Deno.mainModule` unless the server class says otherwise with
 *   `static override workerModule = import.meta.url;` (needed when the classes live in a
 *   module other than the one `deno run` started).
 * - Workers inherit the process's permissions and flags. A handler runs in a worker: it shares
 *   no memory with the parent (use `this.server.workerId` to tell the workers apart).
 * - The constructor's own arguments beyond `(serverAddress, RequestHandlerClass)` do not reach
 *   the workers; neither do properties set on the parent's instance after construction.
 *
 * How the address is shared: a stream server's parent binds with pynet's
 * `SO_DENO_LOADBALANCED` option (Deno's `loadBalanced` listeners: isolates of one process
 * share one listening socket, no flag needed), and every worker binds the same address the
 * same way; Deno gives each connection to a worker waiting in `accept()`, and the parent
 * accepts nothing while `serveForever()` runs. (`SO_REUSEPORT`, which balances across
 * processes too, needs `--unstable-net`.) A datagram server's parent receives the datagrams
 * and forwards each to a worker; replies leave from the parent's socket.
 *
 * `serveForever()` starts the workers (once; a later loop reuses them) and stops their loops
 * when it stops; `serverClose()` ends them, waiting for their requests in flight when
 * `blockOnClose` is true. `handleRequest()` serves its one request in the calling isolate.
 * Each worker serves its requests concurrently, as `ThreadingMixIn` does.
 *
 * @param Base The server class (`TCPServer`, `UDPServer` or a subclass).
 * @returns `Base` served by worker isolates.
 *
 * @example A forking server module
 * ```ts ignore
 * // server.ts: deno run --allow-net=127.0.0.1 --allow-read=server.ts server.ts
 * import { ForkingTCPServer, StreamRequestHandler } from "@pynet/net/socketserver";
 *
 * export class Handler extends StreamRequestHandler {
 *   override async handle() {
 *     const line = await this.rfile.readline();
 *     await this.wfile.write(new TextEncoder().encode(`worker ${this.server.workerId}: `));
 *     await this.wfile.write(line);
 *   }
 * }
 * export class Server extends ForkingTCPServer {
 *   static override maxChildren = 2;
 * }
 *
 * if (import.meta.main) {
 *   await using server = new Server(["127.0.0.1", 8000], Handler);
 *   await server.serveForever();
 * }
 * ```
 *
 * @example Class attributes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ForkingMixIn, StreamRequestHandler, TCPServer } from "@pynet/net/socketserver";
 *
 * class Server extends ForkingMixIn(TCPServer) {
 *   static override maxChildren = 3;
 * }
 * await using server = new Server(["127.0.0.1", 0], StreamRequestHandler);
 * assertEquals([server.maxChildren, server.blockOnClose, server.workerId], [3, true, null]);
 * ```
 */
export function ForkingMixIn<T extends SocketServerClass>(Base: T): Forking<T> {
  class Forking extends Base implements ForkingServer {
    static timeout: number | null = 300;
    static maxChildren: number = cores();
    static blockOnClose = true;
    static workerModule: string | URL | null = null;

    activeChildren: Set<number> | null = null;
    readonly workerId: number | null = workerIdentity()?.id ?? null;
    #children: ForkChild[] = [];
    #nextChild = 0;
    #pollInterval = 0.5;
    #serving = false;
    /** Requests this isolate runs, which serverClose() waits for. */
    #inFlight = new Set<Promise<void>>();

    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      // The parent of a stream server takes no connection itself: the workers accept them.
      if (this.workerId === null && this.socketType === SOCK_STREAM) {
        idleWaits.set(this, (seconds) => new Promise((r) => setTimeout(r, seconds * 1000)));
      }
    }

    get maxChildren(): number {
      return getAttribute(this, "maxChildren");
    }
    set maxChildren(value: number) {
      setAttribute(this, "maxChildren", value);
    }
    get blockOnClose(): boolean {
      return getAttribute(this, "blockOnClose");
    }
    set blockOnClose(value: boolean) {
      setAttribute(this, "blockOnClose", value);
    }

    override serverBind(): void {
      if (this.socketType === SOCK_STREAM && this.addressFamily !== 1 /* AF_UNIX */) {
        this.socket.setsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED, 1);
      }
      super.serverBind();
    }

    override async serveForever(pollInterval: number = 0.5): Promise<void> {
      if (this.workerId !== null) return await super.serveForever(pollInterval);
      if (!(this.maxChildren >= 1)) {
        throw new ValueError(`maxChildren must be at least 1, not ${this.maxChildren}`);
      }
      this.#pollInterval = pollInterval;
      await this.#startChildren();
      this.#serving = true;
      this.#serveChildren(this.#children);
      try {
        await super.serveForever(pollInterval);
      } finally {
        this.#serving = false;
        if (this.socketType === SOCK_STREAM) {
          await Promise.all(
            this.#children.map((child) => child.ask({ type: "shutdown" }, "stopped")),
          );
        }
      }
    }

    override async serviceActions(): Promise<void> {
      await super.serviceActions();
      await this.collectChildren();
    }

    async collectChildren(): Promise<void> {
      const dead = this.#children.filter((child) => !child.alive);
      if (dead.length === 0) return;
      this.#children = this.#children.filter((child) => child.alive);
      for (const child of dead) this.activeChildren?.delete(child.id);
      if (this.#serving) this.#serveChildren(await this.#startChildren());
    }

    override processRequest(request: unknown, clientAddress: Address): Promise<void> {
      const child = this.workerId === null && this.socketType === SOCK_DGRAM
        ? this.#pickChild()
        : null;
      if (child) {
        const [packet] = request as [Uint8Array, Socket];
        child.post({ type: "request", packet, clientAddress });
        return Promise.resolve();
      }
      // A worker (or a parent without workers, as in handleRequest()) serves it here.
      const task = startRequestTask(() => this.processRequestThread(request, clientAddress));
      this.#inFlight.add(task);
      task.finally(() => this.#inFlight.delete(task));
      return Promise.resolve();
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

    override async serverClose(): Promise<void> {
      await super.serverClose();
      const children = this.#children;
      this.#children = [];
      const ending = children.map(async (child) => {
        await child.ask({ type: "close" }, "closed");
        child.terminate();
        this.activeChildren?.delete(child.id);
      });
      if (this.blockOnClose) {
        await Promise.all(ending);
        while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      }
    }

    /** Starts the loops of stream workers (datagram workers only answer requests). */
    #serveChildren(children: ForkChild[]): void {
      if (this.socketType !== SOCK_STREAM) return;
      for (const child of children) {
        child.post({ type: "serve", pollInterval: this.#pollInterval });
      }
    }

    /** The next live worker, in turn. */
    #pickChild(): ForkChild | null {
      const live = this.#children.filter((child) => child.alive);
      if (live.length === 0) return null;
      return live[this.#nextChild++ % live.length]!;
    }

    /**
     * Starts workers until `maxChildren` run, and returns the new ones; rejects, ending them
     * all, when one cannot build the server.
     */
    async #startChildren(): Promise<ForkChild[]> {
      const module = String(
        classAttribute<string | URL | null>(this, "workerModule") ?? Deno.mainModule,
      );
      const used = new Set(this.#children.map((child) => child.id));
      const started: ForkChild[] = [];
      for (let id = 0; this.#children.length < this.maxChildren; id++) {
        if (used.has(id)) continue;
        const child = new ForkChild(id, `${this.constructor.name} worker ${id}`, (data, to) => {
          this.socket.sendto(data, to).catch(() => {
            // The reply is lost, as a datagram may be.
          });
        });
        this.#children.push(child);
        started.push(child);
        (this.activeChildren ??= new Set()).add(id);
      }
      const replies = await Promise.all(started.map((child) =>
        child.ask({
          type: "start",
          id: child.id,
          module,
          server: this.constructor.name,
          handler: this.RequestHandlerClass.name,
          address: this.serverAddress,
          datagram: this.socketType === SOCK_DGRAM,
        }, "ready")
      ));
      const failed = replies.find((reply) => reply.type === "failed");
      if (failed?.type === "failed") {
        for (const child of this.#children) child.terminate();
        this.#children = [];
        this.activeChildren = new Set();
        throw startError(failed.message);
      }
      return started;
    }
  }
  return Forking as unknown as ReturnType<typeof ForkingMixIn<T>>;
}

/**
 * Python's `socketserver.ForkingTCPServer`: `ForkingMixIn(TCPServer)`. See
 * {@linkcode ForkingMixIn} for what a module serving with it must export.
 *
 * @example Its class attributes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ForkingTCPServer } from "@pynet/net/socketserver";
 *
 * assertEquals(ForkingTCPServer.timeout, 300);
 * assertEquals(ForkingTCPServer.blockOnClose, true);
 * assertEquals(ForkingTCPServer.maxChildren, Math.max(1, navigator.hardwareConcurrency || 1));
 * ```
 */
export const ForkingTCPServer: Forking<typeof TCPServer> = named(
  ForkingMixIn(TCPServer),
  "ForkingTCPServer",
);
/** An instance of {@linkcode ForkingTCPServer}. */
export type ForkingTCPServer = TCPServer & ForkingServer;

/**
 * Python's `socketserver.ForkingUDPServer`: `ForkingMixIn(UDPServer)` (needs
 * `--unstable-net`). The parent receives each datagram and hands it to a worker.
 *
 * @example Its class attributes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ForkingUDPServer } from "@pynet/net/socketserver";
 *
 * assertEquals([ForkingUDPServer.maxPacketSize, ForkingUDPServer.timeout], [8192, 300]);
 * ```
 */
export const ForkingUDPServer: Forking<typeof UDPServer> = named(
  ForkingMixIn(UDPServer),
  "ForkingUDPServer",
);
/** An instance of {@linkcode ForkingUDPServer}. */
export type ForkingUDPServer = UDPServer & ForkingServer;
