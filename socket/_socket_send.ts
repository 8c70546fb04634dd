// A socket's send paths over its core: send, sendall (a blocking idle stream writes straight
// away, others go through the send buffer) and a datagram's send. `Socket` (_socket.ts)
// checks Python's arguments and calls these.
import type { DenoTarget } from "./_address.ts";
import { AF_UNIX, MSG_DONTWAIT, SOCK_DGRAM } from "./_constants.ts";
import { EDESTADDRREQ, EPIPE } from "../_core/errno.ts";
import { fromDenoError, OSError, osError, TimeoutError } from "../_core/errors.ts";
import { POLLOUT } from "../_core/readiness.ts";
import { raceAbort } from "../_core/abort.ts";
import { ALWAYS, type SocketCore } from "./_socket_core.ts";
import { datagramChannel, timeLeft } from "./_socket_connect.ts";
import type { StreamChannel } from "./_stream.ts";

/**
 * The stream channel a send writes to, raising what a send meets first: a socket never
 * connected, an error a background write met, a shut or broken writing side.
 */
export function writableStream(core: SocketCore): StreamChannel {
  const kind = core.state.kind;
  // Linux: a send on a TCP socket never connected is EPIPE (ENOTCONN for AF_UNIX).
  if ((kind === "fresh" || kind === "bound" || kind === "listening") && core.family !== AF_UNIX) {
    throw osError(EPIPE);
  }
  const channel = core.streamChannel();
  const error = channel.takeSendError();
  if (error) throw error;
  if (channel.writeShut) throw osError(EPIPE); // BrokenPipeError, as CPython raises
  return channel;
}

/**
 * Linux waits for a connect under way (EAGAIN when non-blocking), not ENOTCONN. Called only
 * while connecting: a send on a connected socket pays no extra await.
 */
function connectDone(core: SocketCore, flags: number, signal?: AbortSignal): Promise<void> {
  return core.ready(POLLOUT, flags & MSG_DONTWAIT ? 0 : core.timeout, 0, signal);
}

/** Sends what the send buffer takes of `bytes` (a datagram: all of it), and the count. */
export async function send(
  core: SocketCore,
  bytes: Uint8Array,
  flags: number,
  signal?: AbortSignal,
): Promise<number> {
  if (core.type === SOCK_DGRAM) return await sendDatagram(core, bytes, null, signal);
  if (core.state.kind === "connecting") await connectDone(core, flags, signal);
  const channel = writableStream(core);
  if (bytes.length === 0) return 0;
  // With a signal, the buffered path below: its wait can be cancelled, a write cannot.
  if (channel.idle && core.timeout === null && !(flags & MSG_DONTWAIT) && !signal) {
    return await channel.writeOnce(bytes);
  }
  // With room in the send buffer, no wait (and no extra Promise) before taking the bytes.
  if (!(core.pollEvents() & (POLLOUT | ALWAYS))) {
    await sendReady(core, channel, flags, core.timeout, signal);
  }
  return writableStream(core).enqueue(bytes);
}

/** Waits until the send buffer has room; a timeout there tells the stream its peer stalled. */
async function sendReady(
  core: SocketCore,
  channel: StreamChannel,
  flags: number,
  timeout: number | null,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await core.ready(POLLOUT, flags & MSG_DONTWAIT ? 0 : timeout, 0, signal);
  } catch (e) {
    if (e instanceof TimeoutError) channel.sendTimedOut();
    throw e;
  }
}

/**
 * Sends all of `bytes`; with a timeout, the whole call keeps to it. Not async: a blocking
 * sendall on a connected stream with nothing in its way (`writeAllNow`: idle, nothing to
 * raise first) returns the write's own Promise, with no frame of ours and no send-error
 * checks beyond that one; everything else takes `sendallAsync`, which raises what is in the
 * way.
 */
export function sendall(
  core: SocketCore,
  bytes: Uint8Array,
  flags: number,
  signal?: AbortSignal,
): Promise<void> {
  const state = core.state;
  if (
    state.kind === "connected" && core.timeout === null && !(flags & MSG_DONTWAIT) && !signal
  ) {
    const written = state.channel.writeAllNow(bytes);
    if (written !== null) return written;
  }
  return sendallAsync(core, bytes, flags, signal);
}

async function sendallAsync(
  core: SocketCore,
  bytes: Uint8Array,
  flags: number,
  signal?: AbortSignal,
): Promise<void> {
  if (core.type === SOCK_DGRAM) {
    await sendDatagram(core, bytes, null, signal);
    return;
  }
  if (core.state.kind === "connecting") await connectDone(core, flags, signal);
  const channel = writableStream(core);
  if (channel.idle && core.timeout === null && !(flags & MSG_DONTWAIT) && !signal) {
    return await channel.writeAll(bytes);
  }
  const timeout = flags & MSG_DONTWAIT ? 0 : core.timeout;
  const start = timeout ? performance.now() : 0;
  let offset = 0;
  while (offset < bytes.length) {
    let left: number | null;
    try {
      left = timeLeft(timeout, start);
    } catch (e) {
      channel.sendTimedOut();
      throw e;
    }
    await sendReady(core, channel, flags, left, signal);
    offset += writableStream(core).enqueue(bytes.subarray(offset));
  }
}

/** Sends one datagram to `to`, or to the connected peer; an unbound socket is bound first. */
export async function sendDatagram(
  core: SocketCore,
  bytes: Uint8Array,
  to: DenoTarget | null,
  signal?: AbortSignal,
): Promise<number> {
  const target = to ?? core.peer;
  if (target === null) throw new OSError(EDESTADDRREQ, "Destination address required");
  const channel = datagramChannel(core, target);
  try {
    // An abort settles the call; a datagram already handed to Deno may still go, as one
    // handed to the kernel would.
    return await raceAbort(channel.conn.send(bytes, target as Deno.Addr), signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw fromDenoError(e);
  }
}
