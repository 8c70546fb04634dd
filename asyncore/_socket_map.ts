// The contracts between a dispatcher and the loop that drives it: what a dispatcher needs of its
// socket (DispatcherSocket), the map loop() walks (SocketMap, and the default socketMap), and
// what readable()/writable() may answer (Predicate). Apart from _dispatcher.ts so that the loop
// side (_loop.ts, _watch.ts) reads them without the dispatcher's code.
import type { Dispatcher } from "./_dispatcher.ts";

/**
 * What a dispatcher needs of its socket: a pynet `Socket` (or `SSLSocket`) has all of it, and
 * so has {@linkcode FileWrapper}.
 *
 * @example A pynet socket is one
 * ```ts
 * import type { DispatcherSocket } from "@pynet/net/asyncore";
 * import { socket } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * using s = socket();
 * const sock: DispatcherSocket = s;
 * assertEquals(sock.fileno(), s.fileno());
 * ```
 */
export interface DispatcherSocket {
  /** The (pseudo) descriptor, the dispatcher's key in its map. */
  fileno(): number;
  /** Reads up to `bufsize` bytes; empty at EOF. */
  recv(bufsize: number): Promise<Uint8Array>;
  /** Writes some of `data`; resolves to the count taken. */
  send(data: Uint8Array): Promise<number>;
  /** Closes it. */
  close(): void;
  /** `SO_ERROR` (the pending error) is what asyncore asks. */
  getsockopt(level: number, option: number): number;
}

/**
 * A map of dispatchers keyed by `fileno()`: CPython's `dict`.
 *
 * @example A map of one's own
 * ```ts
 * import { Dispatcher, type SocketMap } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const map: SocketMap = new Map();
 * const d = new Dispatcher(null, map);
 * d.createSocket();
 * assertEquals([...map.keys()], [d.socket!.fileno()]);
 * d.close();
 * ```
 */
export type SocketMap = Map<number, Dispatcher<DispatcherSocket>>;

/**
 * The map dispatchers join when none is given (Python's `asyncore.socket_map`).
 *
 * @example The default map
 * ```ts
 * import { Dispatcher, socketMap } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const d = new Dispatcher();
 * d.createSocket();
 * assertEquals(socketMap.get(d.socket!.fileno()), d);
 * d.close();
 * assertEquals(socketMap.size, 0);
 * ```
 */
export const socketMap: SocketMap = new Map();

/**
 * The answer of `readable()` and `writable()`: a truth value, or a Promise of one.
 *
 * @example A predicate that waits for something first
 * ```ts
 * import { Dispatcher, type Predicate } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * class Lazy extends Dispatcher {
 *   override async readable(): Promise<boolean> {
 *     await Promise.resolve();
 *     return false;
 *   }
 * }
 * const answer: Predicate = new Lazy(null, new Map()).readable();
 * assertEquals(await answer, false);
 * ```
 */
export type Predicate = boolean | Promise<boolean>;
