// BaseServer: CPython 3.11's template of hooks (Lib/socketserver.py), step for step. Every
// step is a small overridable method; the mix-ins change processRequest and nothing else.
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import {
  type Address,
  AF_UNIX,
  NotImplementedError,
  OSError,
  SOCK_DGRAM,
  type Socket,
} from "../socket/mod.ts";
import { getAttribute, setAttribute } from "./_class_attributes.ts";
import { type BaseRequestHandler, runHandler } from "./_handler.ts";
import { idleWaits } from "./_idle_loop.ts";
import { inLoopRequest, runAsLoopRequest } from "./_in_handler.ts";
import { sourceOf } from "../_core/fileobj.ts";
import { POLLIN, POLLNVAL, type ReadinessSource } from "../_core/readiness.ts";

/**
 * How many requests in a row serveForever() takes while its socket is already readable, without
 * waiting in select(). A select() that finds something ready first lets one event-loop turn
 * pass, which costs about as much as a small request's own work (under connection churn, a
 * listener's accept-ahead usually holds the next connection by the time the loop comes back):
 * the loop looks at its socket itself instead. Every so many requests it still goes through
 * select(), whose turn lets the handlers' reads and writes (which only a turn completes) go
 * on while connections keep coming.
 */
const AT_ONCE_MAX = 8;

/** Whether select() would report `source` readable now: input (or an error) and still open. */
function readableNow(source: ReadinessSource): boolean {
  const events = source.pollEvents();
  return (events & POLLIN) !== 0 && (events & POLLNVAL) === 0;
}

/**
 * A request handler class: constructed once per request with the request, the client's address
 * and the server, then run (`setup`, `handle`, `finish`).
 */
export type RequestHandlerClass<R = unknown> = new (
  request: R,
  clientAddress: Address,
  // deno-lint-ignore no-explicit-any
  server: BaseServer<any>,
) => BaseRequestHandler<R>;

/**
 * Python's `socketserver.BaseServer`: the request loop and its hooks, without a socket.
 * Subclasses provide `fileno()` and `getRequest()` (as {@linkcode TCPServer} and
 * {@linkcode UDPServer} do) and may replace any hook.
 *
 * Class attributes (here `timeout`) are static members, read when needed, so a subclass sets
 * them with `static override timeout = 5;`; `server.timeout = 5` changes one instance.
 *
 * @typeParam R The request: a connected `Socket` for stream servers, `[data, socket]` for
 * datagram servers.
 *
 * @example A server on an in-memory "socket" of requests
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BaseRequestHandler, BaseServer } from "@pynet/net/socketserver";
 * import { socketpair } from "@pynet/net/socket";
 *
 * const served: string[] = [];
 * class Handler extends BaseRequestHandler<string> {
 *   override handle() {
 *     served.push(this.request);
 *   }
 * }
 * class ListServer extends BaseServer<string> {
 *   #signal = socketpair(); // something with fileno() that a selector can watch
 *   override fileno() {
 *     return this.#signal[0].fileno();
 *   }
 *   override async getRequest(): Promise<[string, string]> {
 *     await this.#signal[0].recv(1);
 *     return ["hello", "nowhere"];
 *   }
 *   override async serverClose() {
 *     for (const s of this.#signal) s.close();
 *   }
 *   async push() {
 *     await this.#signal[1].send(new Uint8Array(1));
 *   }
 * }
 * await using server = new ListServer("nowhere", Handler);
 * await server.push();
 * await server.handleRequest();
 * assertEquals(served, ["hello"]);
 * ```
 */
export class BaseServer<R = unknown> implements Disposable, AsyncDisposable {
  /** Seconds `handleRequest()` waits before `handleTimeout()`; `null` waits forever. */
  static timeout: number | null = null;

  /** The address the server was given; after binding, the address really bound. */
  serverAddress: Address;
  /** The handler class constructed for each request. */
  RequestHandlerClass: RequestHandlerClass<R>;

  /** Settles when serveForever() has stopped (Python's `__is_shut_down` event). */
  #isShutDown = Promise.withResolvers<void>();
  #isShutDownSettled = false;
  #shutdownRequest = false;
  /** The loop's token while it waits for a request it is processing (see _in_handler.ts). */
  #loopRequest: object | null = null;

  /**
   * Records the address and the handler class (Python's `BaseServer.__init__`).
   *
   * @param serverAddress The address to serve.
   * @param RequestHandlerClass The handler class.
   */
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass<R>) {
    this.serverAddress = serverAddress;
    this.RequestHandlerClass = RequestHandlerClass;
  }

  /** Seconds `handleRequest()` waits; the class's `static timeout` unless assigned here. */
  get timeout(): number | null {
    return getAttribute(this, "timeout");
  }
  set timeout(value: number | null) {
    setAttribute(this, "timeout", value);
  }

  /** Starts listening; called by the constructor of the servers that bind. */
  serverActivate(): void {}

  /** The pseudo descriptor a selector watches; provided by the servers with a socket. */
  fileno(): number {
    throw new NotImplementedError(`${this.constructor.name} has no fileno()`);
  }

  /**
   * Handles one request at a time until `shutdown()`; checks for it every `pollInterval`
   * seconds, and calls `serviceActions()` after each request and each wait.
   *
   * @param pollInterval Seconds between checks for `shutdown()`.
   */
  async serveForever(pollInterval: number = 0.5): Promise<void> {
    if (this.#isShutDownSettled) this.#isShutDown = Promise.withResolvers<void>();
    this.#isShutDownSettled = false;
    try {
      using selector = new DefaultSelector();
      const idle = idleWaits.get(this);
      const briefly = this.#watchOnlyWhileWaiting();
      let source: ReadinessSource | null = null;
      if (!idle && !briefly) {
        selector.register(this, EVENT_READ);
        source = sourceOf(this, selector.getKey(this).fd);
      }
      let atOnce = 0;
      while (!this.#shutdownRequest) {
        let ready: boolean;
        if (source !== null && atOnce < AT_ONCE_MAX && readableNow(source)) {
          // What select() would report, without its event-loop turn (see AT_ONCE_MAX).
          atOnce++;
          ready = true;
        } else {
          atOnce = 0;
          ready = idle
            ? (await idle(pollInterval), false)
            : briefly
            ? (await this.#selectBriefly(selector, pollInterval)).length > 0
            : (await selector.select(pollInterval)).length > 0;
        }
        // A request that became ready together with shutdown() is left queued, as in CPython.
        if (this.#shutdownRequest) break;
        if (ready) await this.#loopHandle();
        // Not awaited when it returns nothing (the default): no microtask hop per request.
        const actions = this.serviceActions();
        if (actions !== undefined) await actions;
      }
    } finally {
      this.#shutdownRequest = false;
      this.#isShutDownSettled = true;
      this.#isShutDown.resolve();
    }
  }

  /**
   * Deno cannot send on a Unix datagram socket while a receive is pending on it (`Busy`), and
   * watching a socket keeps a receive pending: such a server watches its socket only while it
   * waits, so that the handler's reply can leave.
   */
  #watchOnlyWhileWaiting(): boolean {
    const socket = (this as { socket?: Socket }).socket;
    return socket?.family === AF_UNIX && socket.type === SOCK_DGRAM;
  }

  async #selectBriefly(selector: DefaultSelector, timeout: number | null): Promise<unknown[]> {
    selector.register(this, EVENT_READ);
    try {
      return await selector.select(timeout);
    } finally {
      selector.unregister(this);
    }
  }

  /** Runs one request as the one the loop waits for, so shutdown() inside it cannot deadlock. */
  async #loopHandle(): Promise<void> {
    const token = {};
    this.#loopRequest = token;
    try {
      await runAsLoopRequest(token, () => this._handleRequestNoblock());
    } finally {
      this.#loopRequest = null;
    }
  }

  /**
   * Stops `serveForever()`: settles once the loop has stopped. Called before the loop starts,
   * it stops the next one as soon as it starts. Called from a handler the loop is waiting for
   * (where CPython deadlocks), it settles at once and the loop stops when the handler returns.
   */
  shutdown(): Promise<void> {
    this.#shutdownRequest = true;
    if (this.#loopRequest !== null && inLoopRequest(this.#loopRequest)) return Promise.resolve();
    return this.#isShutDown.promise;
  }

  /** Called by `serveForever()` after each request and each `pollInterval`; does nothing. */
  serviceActions(): void | Promise<void> {}

  /**
   * Waits for and handles one request, for at most `min(socket timeout, this.timeout)`
   * seconds; then returns what `handleTimeout()` returns.
   *
   * @returns `undefined` after a request, or the value of `handleTimeout()`.
   */
  async handleRequest(): Promise<unknown> {
    let timeout = (this as { socket?: Socket }).socket?.gettimeout() ?? null;
    if (timeout === null) timeout = this.timeout;
    else if (this.timeout !== null) timeout = Math.min(timeout, this.timeout);
    const deadline = timeout === null ? 0 : performance.now() + timeout * 1000;
    using selector = new DefaultSelector();
    const briefly = this.#watchOnlyWhileWaiting();
    if (!briefly) selector.register(this, EVENT_READ);
    for (;;) {
      const ready = briefly
        ? await this.#selectBriefly(selector, timeout)
        : await selector.select(timeout);
      if (ready.length > 0) {
        await this.#loopHandle();
        return undefined;
      }
      if (timeout !== null) {
        timeout = (deadline - performance.now()) / 1000;
        if (timeout < 0) return await this.handleTimeout();
      }
    }
  }

  /**
   * Handles one request that is ready: `getRequest`, `verifyRequest`, `processRequest`, with
   * `handleError` and `shutdownRequest` when processing throws. An `OSError` from
   * `getRequest` is ignored, as in CPython.
   */
  async _handleRequestNoblock(): Promise<void> {
    let request: R, clientAddress: Address;
    try {
      [request, clientAddress] = await this.getRequest();
    } catch (e) {
      if (e instanceof OSError) return;
      throw e;
    }
    const verified = this.verifyRequest(request, clientAddress);
    if (typeof verified === "boolean" ? verified : await verified) {
      try {
        await this.processRequest(request, clientAddress);
      } catch (e) {
        this.handleError(request, clientAddress, e);
        this.shutdownRequest(request);
      }
    } else {
      this.shutdownRequest(request);
    }
  }

  /** Called when `handleRequest()` times out; does nothing. */
  handleTimeout(): unknown {
    return undefined;
  }

  /** Takes the next request: `[request, clientAddress]`; provided by the servers with a socket. */
  getRequest(): Promise<[R, Address]> {
    return Promise.reject(new NotImplementedError(`${this.constructor.name} has no getRequest()`));
  }

  /** Whether to process the request; `true`. A `false` closes it unanswered. */
  verifyRequest(_request: R, _clientAddress: Address): boolean | Promise<boolean> {
    return true;
  }

  /** Processes the request: `finishRequest` then `shutdownRequest` (mix-ins change this). */
  async processRequest(request: R, clientAddress: Address): Promise<void> {
    await this.finishRequest(request, clientAddress);
    this.shutdownRequest(request);
  }

  /**
   * Releases the server's resources. Its socket is closed before this returns; the Promise
   * settles when nothing of the server runs any more (a mix-in waits for requests in flight).
   */
  serverClose(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs the handler: constructs `RequestHandlerClass` and calls `setup`, `handle`, `finish`. */
  async finishRequest(request: R, clientAddress: Address): Promise<void> {
    await runHandler(new this.RequestHandlerClass(request, clientAddress, this));
  }

  /** Ends the request (a stream: shuts down its sending side), then `closeRequest`. */
  shutdownRequest(request: R): void {
    this.closeRequest(request);
  }

  /** Closes the request; does nothing here. */
  closeRequest(_request: R): void {}

  /**
   * Reports an error a request raised, and lets the server go on. The default prints, as
   * CPython does, to stderr: a line of dashes, `Exception occurred during processing of
   * request from <address>`, the error's stack, and dashes again.
   *
   * @param request The request.
   * @param clientAddress The client's address.
   * @param error What was thrown (pynet passes it, where CPython's hook reads `sys.exc_info()`).
   */
  handleError(_request: R, clientAddress: Address, error?: unknown): void {
    const rule = "-".repeat(40);
    const detail = error instanceof Error ? error.stack ?? String(error) : String(error);
    console.error(
      `${rule}\nException occurred during processing of request from ${
        formatAddress(clientAddress)
      }\n${detail}\n${rule}`,
    );
  }

  /** `serverClose()`, without waiting (`await using` waits). */
  [Symbol.dispose](): void {
    this.serverClose().catch(() => {});
  }

  /** `serverClose()`, waited for (Python's `with server:`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.serverClose();
  }
}

/** An address as Python's repr() shows it in handle_error's message: `('127.0.0.1', 5000)`. */
export function formatAddress(address: Address): string {
  if (Array.isArray(address)) {
    return `(${address.map((part) => typeof part === "string" ? `'${part}'` : part).join(", ")})`;
  }
  return typeof address === "string" ? `'${address}'` : String(address);
}
