// What an accepted connection's socket takes from its listener, as Linux's accepted sockets
// do: TCP_NODELAY and SO_KEEPALIVE.
import { IPPROTO_TCP, SO_KEEPALIVE, SOL_SOCKET, TCP_NODELAY } from "./_constants.ts";
import { optionKey } from "./_options.ts";
import type { SocketCore } from "./_socket_core.ts";

/** Options an accepted connection takes from its listener. */
const INHERITED_OPTIONS = [
  optionKey(IPPROTO_TCP, TCP_NODELAY),
  optionKey(SOL_SOCKET, SO_KEEPALIVE),
];

/** Gives `core` (a new connection's) the inherited options of `options` (its listener's). */
export function inheritOptions(core: SocketCore, options: Map<string, number>): void {
  for (const key of INHERITED_OPTIONS) {
    const value = options.get(key);
    if (value) core.options.set(key, value);
  }
  core.applyConnOptions();
}
