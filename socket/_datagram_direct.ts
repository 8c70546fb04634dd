// A plain blocking recv or recvfrom on a datagram socket with nothing queued receives its
// datagram itself (`receiveNow` in _datagram.ts), as a raw Deno loop does: one receive and one
// continuation per datagram, without the async path's frames, a queue or a wake-up. Under an
// unpaced burst a cold receiver pays per datagram for every frame and closure on its path
// (BENCHMARKS.md, "UDP receive"), so this path is short, and its continuations are made once
// per socket, on its first blocking recv, not per datagram (nor for a socket that never takes
// it: every stream socket).
import { type Address, fromDenoAddr } from "./_address.ts";
import type { DatagramChannel } from "./_datagram.ts";
import { POLLIN } from "../_core/readiness.ts";
import type { SocketCore } from "./_socket_core.ts";
import { recvDatagram } from "./_socket_recv.ts";

/** A datagram socket's blocking receives that take the direct path (see the file's head). */
export class DirectDatagrams {
  /**
   * The socket, held by the continuations while its receive runs, as the async path's frame
   * holds it: a socket only a waiting task reaches must not be collected (and closed) under it.
   */
  readonly #face: object;
  readonly #core: SocketCore;
  /** The channel of the receive running, and the size its recv asked for. */
  #channel: DatagramChannel | null = null;
  #size = 0;

  constructor(face: object, core: SocketCore) {
    this.#face = face;
    this.#core = core;
  }

  /** A blocking `recv(bufsize)`'s datagram, or null when the call must take the full path. */
  recv(bufsize: number): Promise<Uint8Array> | null {
    return this.#start(bufsize)?.then(this.#landedData, this.#failed) ?? null;
  }

  /** A blocking `recvfrom(bufsize)`'s datagram and sender, or null as for `recv`. */
  recvfrom(bufsize: number): Promise<[Uint8Array, Address]> | null {
    return this.#start(bufsize)?.then(this.#landedFrom, this.#failed) ?? null;
  }

  /** Starts the receive, if the call may take this path (see `receiveNow`). */
  #start(bufsize: number): Promise<[Uint8Array, Deno.Addr]> | null {
    const core = this.#core;
    const state = core.state;
    if (
      state.kind !== "datagram" || core.timeout !== null || !Number.isInteger(bufsize) ||
      bufsize <= 0 || bufsize > 0x7fffffff
    ) {
      return null;
    }
    const receiving = state.channel.receiveNow(bufsize);
    if (receiving !== null) {
      this.#channel = state.channel;
      this.#size = bufsize;
    }
    return receiving;
  }

  /**
   * The datagram the receive brought, the caller's own copy; null when the full path must
   * answer (a close, a detach, another sender than the connected peer).
   */
  #landed(data: Uint8Array, from: Deno.Addr): Uint8Array | null {
    const channel = this.#channel!;
    this.#channel = null;
    const core = this.#core;
    const state = core.state;
    const got = channel.landedNow(
      data,
      from,
      state.kind === "datagram" && state.channel === channel,
    );
    // A watcher (select) wants input: its receive-ahead resumes after this one.
    if (got !== null && core.watchers.interest & POLLIN) channel.armRead();
    return got;
  }

  // The pair is indexed, not destructured: destructuring runs the iterator protocol, which a
  // cold receiver pays in full for every datagram of a burst.
  readonly #landedData = (
    landed: [Uint8Array, Deno.Addr],
  ): Uint8Array | Promise<Uint8Array> => {
    const got = this.#landed(landed[0], landed[1]);
    if (got !== null) return got;
    return recvDatagram(this.#core, this.#size, 0).then((received) => received[0]);
  };

  readonly #landedFrom = (
    landed: [Uint8Array, Deno.Addr],
  ): [Uint8Array, Address] | Promise<[Uint8Array, Address]> => {
    const from = landed[1];
    const got = this.#landed(landed[0], from);
    if (got !== null) return [got, fromDenoAddr(this.#core.family, from)];
    return recvDatagram(this.#core, this.#size, 0);
  };

  readonly #failed = (e: unknown): never => {
    const channel = this.#channel!;
    this.#channel = null;
    const state = this.#core.state;
    throw channel.failedNow(e, state.kind === "datagram" && state.channel === channel);
  };
}
