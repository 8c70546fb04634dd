// A stream socket's synchronous calls, recvNow and sendNow: Python's recv and send on a
// non-blocking socket, which never wait and so need no Promise. `Socket` (_socket.ts) checks
// the arguments and calls these; the async paths are in _socket_recv.ts and _socket_send.ts,
// and these raise what those raise for a non-blocking call, in the same order.
import { SOCK_STREAM } from "./_constants.ts";
import { EAGAIN, EOPNOTSUPP } from "../_core/errno.ts";
import { BlockingIOError, OSError } from "../_core/errors.ts";
import { POLLIN, POLLOUT } from "../_core/readiness.ts";
import { ALWAYS, type SocketCore } from "./_socket_core.ts";
import { writableStream } from "./_socket_send.ts";

/** A datagram socket's send settles in Deno's own time, so it has no synchronous count. */
function streamOnly(core: SocketCore, method: string): void {
  if (core.type !== SOCK_STREAM) {
    throw new OSError(
      EOPNOTSUPP,
      `Operation not supported: ${method}() needs a stream socket; a datagram socket's ` +
        "receives and sends settle in Deno's own time: await recv()/send() instead",
    );
  }
}

/**
 * Up to `bufsize` bytes of the input that has arrived, or empty bytes at EOF; a read error,
 * once, after the input before it. With nothing arrived, a read is started (so that a
 * readiness wait reports the input) and `BlockingIOError` is raised.
 */
export function recvNow(core: SocketCore, bufsize: number): Uint8Array {
  streamOnly(core, "recvNow");
  const channel = core.open().kind === "connecting" ? null : core.streamChannel();
  if (bufsize === 0) return new Uint8Array(0);
  if (channel === null || !channel.readable) {
    // A background write's error is reported by the next call, as recv reports it.
    const error = channel?.takeWriteError();
    if (error) throw error;
    core.armRead(bufsize);
    throw new BlockingIOError(EAGAIN);
  }
  const data = channel.take(bufsize);
  if (core.watchers.interest & POLLIN) channel.armRead();
  return data;
}

/**
 * Takes as much of `bytes` as the send buffer has room for and returns the count; raises
 * `BlockingIOError` when it has none, or while a connect is under way (Linux's `EAGAIN`).
 */
export function sendNow(core: SocketCore, bytes: Uint8Array): number {
  streamOnly(core, "sendNow");
  if (core.open().kind === "connecting") throw new BlockingIOError(EAGAIN);
  const channel = writableStream(core);
  if (bytes.length === 0) return 0;
  if (!(core.pollEvents() & (POLLOUT | ALWAYS))) throw new BlockingIOError(EAGAIN);
  return channel.enqueue(bytes);
}
