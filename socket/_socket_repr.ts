// Python's repr() of a socket: what `toString()` prints, as CPython 3.11 prints it.
import { pyStr } from "./_address.ts";
import { pythonNameOf } from "../_core/privileged.ts";
import type { Socket } from "./_socket.ts";
import type { SocketCore } from "./_socket_core.ts";

/**
 * `repr(sock)`: the class's Python name, `[closed]` once closed, the descriptor, the family and
 * type as numbers (the enums' `str()` in 3.11), and each address that is not empty.
 */
export function socketRepr(sock: Socket, core: SocketCore): string {
  // Python marks the socket closed at close(), even while a makefile() file keeps it open.
  const closed = core.state.kind === "closed" || core.closeRequested ? " [closed]" : "";
  let text = `<${pythonNameOf(sock.constructor)}${closed} fd=${core.fd}, ` +
    `family=${sock.family}, type=${sock.type}, proto=${sock.proto}`;
  if (!closed) {
    const local = sock.getsockname();
    if (local.length > 0) text += `, laddr=${pyStr(local)}`;
    try {
      const remote = sock.getpeername();
      if (remote.length > 0) text += `, raddr=${pyStr(remote)}`;
    } catch {
      // Not connected: no raddr, as in Python.
    }
  }
  return `${text}>`;
}
