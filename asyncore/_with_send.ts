// asyncore.dispatcher_with_send: a dispatcher whose send() buffers what the socket does not
// take at once and flushes it on write events.
import { Socket } from "../socket/mod.ts";
import {
  Dispatcher,
  type DispatcherSocket,
  type Predicate,
  sendFailed,
  type SocketMap,
} from "./_dispatcher.ts";

/** CPython sends at most this much per `initiate_send()`. */
const SEND_CHUNK = 65536;
const EMPTY = new Uint8Array(0);

/**
 * Python's `asyncore.dispatcher_with_send`: `send()` appends to `outBuffer` and sends what the
 * socket takes; the rest goes out on later write events (`writable()` is true while anything
 * is left, or while not connected).
 *
 * @example An echo handler in three lines
 * ```ts
 * import { DispatcherWithSend, loop } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * class EchoHandler extends DispatcherWithSend {
 *   override async handleRead() {
 *     const data = await this.recv(8192);
 *     if (data.length) await this.send(data);
 *   }
 * }
 * const [a, b] = socketpair();
 * using _a = a;
 * const map = new Map();
 * new EchoHandler(b, map);
 * await a.sendall(new TextEncoder().encode("ping"));
 * await loop({ timeout: 1, map, count: 1 });
 * assertEquals(new TextDecoder().decode(await a.recv(10)), "ping");
 * a.close();
 * await loop({ timeout: 1, map });
 * assertEquals(map.size, 0);
 * ```
 */
export class DispatcherWithSend<S extends DispatcherSocket = Socket> extends Dispatcher<S> {
  /** The bytes not sent yet. */
  outBuffer: Uint8Array = new Uint8Array(0);

  /**
   * Creates the dispatcher, as {@linkcode Dispatcher}'s constructor.
   *
   * @param sock A socket to use, or nothing.
   * @param map The map to join.
   */
  constructor(sock?: NoInfer<S> | null, map?: SocketMap | null) {
    super(sock, map);
  }

  /** Sends what the socket takes of `outBuffer` (at most 64 KiB) through `Dispatcher.send`. */
  initiateSend(): Promise<void> {
    // Dispatcher.send and the bookkeeping in one Promise: this runs for every send of a loop.
    return this.#sendChunk().then(
      this.#sent ??= (numSent) => this.#took(numSent),
      this.#failed ??= (e) => sendFailed(this, e).then(this.#sent),
    );
  }

  #sent: ((numSent: number) => void) | undefined;
  #failed: ((e: unknown) => Promise<void>) | undefined;

  /**
   * `Dispatcher.send` of the next chunk (no view made for a buffer that fits), its socket's
   * error left for `sendFailed`, which is what `Dispatcher.send` does with it.
   */
  #sendChunk(): Promise<number> {
    try {
      return this.socket!.send(this.#chunk());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * What one send takes from `outBuffer`: at most SEND_CHUNK bytes, with no view made for a
   * buffer that fits.
   */
  #chunk(): Uint8Array {
    const out = this.outBuffer;
    return out.length > SEND_CHUNK ? out.subarray(0, SEND_CHUNK) : out;
  }

  /** `numSent` bytes of `outBuffer` went out. */
  #took(numSent: number): void {
    const buffer = this.outBuffer;
    this.outBuffer = numSent >= buffer.length ? EMPTY : buffer.subarray(numSent);
  }

  /** Flushes `outBuffer`. */
  override async handleWrite(): Promise<void> {
    await this.initiateSend();
  }

  /**
   * Whether there is something to send, or the connect is still to complete.
   *
   * @returns The truth value.
   */
  override writable(): Predicate {
    return !this.connected || this.outBuffer.length > 0;
  }

  /**
   * Appends `data` to `outBuffer` and sends what the socket takes now. CPython's returns
   * `None`; this resolves to `data.length`, all of it being taken care of.
   *
   * @param data The bytes (kept until sent, as Python's immutable bytes are: do not change
   * them meanwhile).
   * @returns `data.length`.
   */
  override send(data: Uint8Array): Promise<number> {
    // A Promise chain rather than an async function: this runs for every send of a loop.
    let sending: Promise<unknown>;
    const n = data.length;
    try {
      if (this.debug) this.logInfo(`sending ${JSON.stringify(new TextDecoder().decode(data))}`);
      if (this.outBuffer.length === 0) {
        this.outBuffer = data;
      } else {
        const joined = new Uint8Array(this.outBuffer.length + data.length);
        joined.set(this.outBuffer);
        joined.set(data, this.outBuffer.length);
        this.outBuffer = joined;
      }
      if (this.#inFlight > 0) {
        // A send not awaited is still under way: the socket has taken the front of outBuffer,
        // which stays there until that send learns how much, so sending now would send those
        // bytes again. This one sends once it has settled, whatever its outcome.
        const next = () => this.initiateSend();
        sending = this.#fly(this.#flight!.then(next, next));
      } else if (this.initiateSend === INITIATE_SEND) {
        const now = this.#sendNow(n);
        if (now !== null) return now;
        // initiateSend() as it is above, its result in the same Promise: one Promise per
        // send instead of three.
        this.#inFlight++;
        const took = (numSent: number) => {
          this.#inFlight--;
          this.#took(numSent);
          return n;
        };
        const sent = this.#sendChunk().then(took, (e) => {
          this.#inFlight--;
          return sendFailed(this, e).then((numSent) => {
            this.#took(numSent);
            return n;
          });
        });
        this.#flight = sent;
        return sent;
      } else {
        sending = this.#fly(this.initiateSend());
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return sending.then(() => n);
  }

  /**
   * `initiateSend()` on a plain non-blocking socket, whose `sendNow` tells the count taken at
   * once: no Promise waits on the socket. Null for another socket (an `SSLSocket`, one made
   * blocking), which takes the Promise path.
   */
  #sendNow(n: number): Promise<number> | null {
    // The class told by `constructor` (a property load), not `Object.getPrototypeOf` (a runtime
    // call on every send).
    const sock = this.socket as unknown as Socket | null;
    if (sock === null || sock.constructor !== Socket || sock.gettimeout() !== 0) return null;
    let numSent: number;
    try {
      numSent = sock.sendNow(this.#chunk());
    } catch (e) {
      // As Dispatcher.send answers: 0 when the socket takes nothing, handleClose() when the
      // peer is gone.
      return sendFailed(this, e).then((numSent) => {
        this.#took(numSent);
        return n;
      });
    }
    this.#took(numSent);
    return Promise.resolve(n);
  }

  /** Sends under way that no later `send()` has seen settle, and the last of them. */
  #inFlight = 0;
  #flight: Promise<unknown> | null = null;

  /** Counts `sending` as under way until it settles. */
  #fly(sending: Promise<void>): Promise<void> {
    this.#inFlight++;
    const landed = () => {
      this.#inFlight--;
    };
    const flight = sending.then(landed, (e) => {
      landed();
      throw e;
    });
    this.#flight = flight;
    return flight;
  }
}

/** The class's own initiateSend(): `send()` takes a shortcut only when it is not overridden. */
const INITIATE_SEND = DispatcherWithSend.prototype.initiateSend;
