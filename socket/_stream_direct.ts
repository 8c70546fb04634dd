// A plain blocking recv on a stream with nothing buffered reads once and takes what lands
// (`readNow` in _stream.ts), without the async path's frames: recv's own Promise, settled by the
// landing itself, with its executor and wake made once per socket rather than per call
// (BENCHMARKS.md, "socket"). The datagram twin is _datagram_direct.ts.
import type { StreamChannel } from "./_stream.ts";
import { POLLIN } from "../_core/readiness.ts";
import type { SocketCore } from "./_socket_core.ts";
import { recvStream } from "./_socket_recv.ts";

type Resolve = (data: Uint8Array | PromiseLike<Uint8Array>) => void;
type Reject = (e: unknown) => void;

/** A stream socket's blocking recvs that take the direct path (see the file's head). */
export class DirectStreamRecv {
  /**
   * The socket, held by the wake while the read runs, as the async path's frame holds it: a
   * socket only a waiting task reaches must not be collected (and closed) under it.
   */
  readonly #face: object;
  readonly #core: SocketCore;
  /**
   * The running recv's size and settlers; one such recv runs at a time (its read must land, or
   * be overtaken, before `canReadNow` lets another start), and `#afterRead` consumes them.
   */
  #size = 0;
  #resolve: Resolve | null = null;
  #reject: Reject | null = null;
  readonly #executor = (resolve: Resolve, reject: Reject) => {
    this.#resolve = resolve;
    this.#reject = reject;
  };
  readonly #wake = (chunk: Uint8Array | null) => this.#afterRead(chunk);

  constructor(face: object, core: SocketCore) {
    this.#face = face;
    this.#core = core;
  }

  /** Starts `recv(bufsize)`'s read on `channel` (which `canReadNow`); settles when it lands. */
  recv(channel: StreamChannel, bufsize: number): Promise<Uint8Array> {
    this.#size = bufsize;
    const received = new Promise<Uint8Array>(this.#executor);
    channel.readNow(bufsize, this.#wake, bufsize);
    return received;
  }

  /**
   * The read landed (or was overtaken by a shutdown or close): its `chunk` when the channel
   * handed it over (the answer), else the take, or the full path's wait.
   */
  #afterRead(chunk: Uint8Array | null): void {
    const resolve = this.#resolve!;
    const reject = this.#reject!;
    this.#resolve = null;
    this.#reject = null;
    if (chunk !== null) {
      resolve(chunk);
      return;
    }
    const bufsize = this.#size;
    const core = this.#core;
    const state = core.state;
    if (state.kind !== "connected" || !state.channel.readable) {
      resolve(recvStream(core, bufsize, 0));
      return;
    }
    try {
      resolve(state.channel.take(bufsize));
    } catch (e) {
      reject(e);
    }
    if (core.watchers.interest & POLLIN) state.channel.armRead();
  }
}
