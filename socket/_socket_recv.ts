// A socket's receive paths over its core: a stream's (with MSG_PEEK, MSG_WAITALL and the
// straight read of a blocking call), a datagram socket's, and recv_into's. `Socket`
// (_socket.ts) checks Python's arguments and calls these.
import { type Address, fromDenoAddr } from "./_address.ts";
import { MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, SOCK_STREAM } from "./_constants.ts";
import { EINVAL } from "../_core/errno.ts";
import { OSError } from "../_core/errors.ts";
import { POLLIN, POLLOUT } from "../_core/readiness.ts";
import type { SocketCore } from "./_socket_core.ts";
import { timeLeft } from "./_socket_connect.ts";

/**
 * A stream recv. With `holdError` (a `MSG_WAITALL` recv that has gathered bytes), a pending
 * error is left for the next call and the result is empty, so no gathered byte is lost.
 */
export async function recvStream(
  core: SocketCore,
  bufsize: number,
  flags: number,
  signal?: AbortSignal,
  holdError = false,
): Promise<Uint8Array> {
  const timeout = flags & MSG_DONTWAIT ? 0 : core.timeout;
  // Linux's recv on a socket whose connect is under way waits for the connect (EAGAIN when
  // non-blocking), as send does.
  if (core.state.kind === "connecting") await core.ready(POLLOUT, timeout, 0, signal);
  let channel = core.streamChannel();
  if (bufsize === 0) return new Uint8Array(0);
  const peek = (flags & MSG_PEEK) !== 0;
  if (flags & MSG_WAITALL && !peek && timeout === null) {
    return await recvAll(core, bufsize, flags, signal);
  }
  // With a signal, the read-ahead path below: an abort leaves its read running.
  if (timeout === null && channel.canReadNow && !signal) {
    // Blocking with nothing buffered: read straight away, the cost of a raw Deno read.
    await new Promise<void>((resolve) => channel.readNow(bufsize, () => resolve()));
    channel = core.streamChannel();
  }
  // Only a timed call needs the clock (timeLeft leaves null and 0 as they are).
  const start = timeout ? performance.now() : 0;
  // Another recv() waiting at the same time may take the input first: wait on.
  while (!channel.readable) {
    await core.ready(POLLIN, timeLeft(timeout, start), bufsize, signal);
    channel = core.streamChannel();
    // A background write error wakes the wait too; like a pending SO_ERROR, recv reports it.
    if (channel.readable) break;
    if (holdError && channel.hasWriteError) return new Uint8Array(0);
    const error = channel.takeWriteError();
    if (error) throw error;
  }
  const data = channel.take(bufsize, peek, holdError);
  if (core.watchers.interest & POLLIN) channel.armRead();
  return data;
}

/**
 * A blocking `MSG_WAITALL` recv: reads until `bufsize` bytes, EOF or an error. The bytes
 * gathered are returned first and the error raised by the next call, as Linux's recv
 * returns what it has copied when the connection fails. With a timeout (or non-blocking)
 * CPython's socket is non-blocking underneath, where Linux ignores MSG_WAITALL: a plain
 * recv, whose bytes a timeout cannot lose. An abort part way gives the gathered bytes back
 * for the next recv.
 */
async function recvAll(
  core: SocketCore,
  bufsize: number,
  flags: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const out = new Uint8Array(bufsize);
  let filled = 0;
  while (filled < bufsize) {
    let piece: Uint8Array;
    try {
      piece = await recvStream(core, bufsize - filled, flags & ~MSG_WAITALL, signal, filled > 0);
    } catch (e) {
      // Aborted part way: what was gathered goes back for the next recv, not lost.
      if (signal?.aborted && core.state.kind === "connected") {
        core.state.channel.unread(out.slice(0, filled));
      }
      throw e;
    }
    if (piece.length === 0) break;
    out.set(piece, filled);
    filled += piece.length;
  }
  return filled === bufsize ? out : out.slice(0, filled);
}

/** A datagram recv: one datagram, cut to `bufsize` bytes, and its sender. */
export async function recvDatagram(
  core: SocketCore,
  bufsize: number,
  flags: number,
  signal?: AbortSignal,
): Promise<[Uint8Array, Address]> {
  let state = core.open();
  const timeout = flags & MSG_DONTWAIT ? 0 : core.timeout;
  // Only a timed wait reads the clock: a burst's datagrams are received one call each.
  const start = timeout === null ? 0 : performance.now();
  if (state.kind !== "datagram") {
    // An unbound datagram socket waits forever in Python; here it waits for its timeout.
    await core.ready(POLLIN, timeLeft(timeout, start), 0, signal);
    state = core.open();
    if (state.kind !== "datagram") throw new OSError(EINVAL);
  }
  const channel = state.channel;
  let next = channel.take((flags & MSG_PEEK) !== 0);
  // Another recv() waiting at the same time may take the datagram first: wait on.
  while (next === null) {
    // A blocking wait waits on the channel itself, cheaply (see `next` in _datagram.ts); one
    // with a signal takes the readiness wait, which an abort can end.
    if (timeout === null && !signal) await channel.next();
    else await core.ready(POLLIN, timeLeft(timeout, start), 0, signal);
    core.open();
    next = channel.take((flags & MSG_PEEK) !== 0);
  }
  if (core.watchers.interest & POLLIN) channel.armRead();
  const [data, from] = next;
  return [data.length > bufsize ? data.slice(0, bufsize) : data, fromDenoAddr(core.family, from)];
}

/**
 * Receives into `target` (already cut to the size asked), giving the count and, for a
 * datagram, the sender. A blocking call with nothing buffered reads straight into it (a
 * datagram socket's takes its direct receive in the face instead: _datagram_direct.ts).
 */
export async function recvInto(
  core: SocketCore,
  target: Uint8Array,
  flags: number,
  signal?: AbortSignal,
): Promise<[number, Address | null]> {
  const size = target.length;
  // Connected only: recvStream waits out a connect under way (as Linux's recv does) and
  // raises what a fresh or failed socket raises.
  if (
    core.state.kind === "connected" && flags === 0 && core.timeout === null && size > 0 &&
    !signal
  ) {
    const channel = core.streamChannel();
    if (channel.canReadNow) {
      // Blocking with nothing buffered: read straight into the caller's buffer.
      const n = await channel.readInto(target);
      core.streamChannel();
      if (n !== null) return [n, null];
    }
  }
  const [data, from] = core.type === SOCK_STREAM
    ? [await recvStream(core, size, flags, signal), null]
    : await recvDatagram(core, size, flags, signal);
  target.set(data);
  return [data.length, from];
}
