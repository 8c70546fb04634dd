// A server whose requests are taken by other isolates (ForkingMixIn's parent on a stream
// socket) must not accept in its own loop: selecting its listening socket would start an
// accept there and take connections from the workers. Such a server registers how its loop
// waits instead; BaseServer.serveForever() then keeps CPython's loop (shutdown checks,
// serviceActions) without watching the socket.
import type { BaseServer } from "./_base_server.ts";

/** How the loop of a server in this map waits one `pollInterval` (seconds). */
// deno-lint-ignore no-explicit-any
export const idleWaits: WeakMap<BaseServer<any>, (pollInterval: number) => Promise<void>> =
  new WeakMap();
