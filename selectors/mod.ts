/**
 * Python's `selectors` module for Deno: high-level I/O multiplexing over pynet sockets (and
 * anything with `fileno()`), with Python's classes, keys, events and errors.
 *
 * ```
 * BaseSelector
 * +-- SelectSelector
 * +-- PollSelector
 * +-- EpollSelector (DefaultSelector)
 * ```
 *
 * Use `DefaultSelector` unless you port code that names another. Every selector keeps its
 * registrations between calls and is woken by the sockets themselves (pynet's readiness is
 * pushed, not polled), so `select()` costs what is ready, not what is registered.
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `selectors.DefaultSelector()` (and `SelectSelector`, `PollSelector`, `EpollSelector`) | `new DefaultSelector<Data, FileObj>()` (same names; the type arguments type `key.data` and `key.fileobj`, so a loop needs no cast) |
 * | `sel.register(fileobj, events, data)`, `unregister`, `modify` | same names (`data` may be left out only when the data type admits `null`) |
 * | `sel.select(timeout)` | `await sel.select(timeout)`; `sel.select(timeout, { signal })` to cancel the wait with an `AbortSignal` |
 * | `sel.get_key(fileobj)`, `sel.get_map()` | `sel.getKey(fileobj)`, `sel.getMap()` (`map[fileobj]` -> `map.getItem(fileobj)`; `if not sel.get_map():` -> `if (!sel.getMap()?.size)`: a map object is always true) |
 * | `sel.close()`, `with DefaultSelector() as sel:` | `sel.close()`, `using sel = new DefaultSelector()` |
 * | `EVENT_READ`, `EVENT_WRITE`, `SelectorKey(fileobj, fd, events, data)` | same names |
 *
 * @example The echo server of Python's documentation
 * ```ts
 * import { DefaultSelector, EVENT_READ } from "@pynet/net/selectors";
 * import { createConnection, createServer, type Socket } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * using sel = new DefaultSelector<(sock: Socket) => Promise<void>, Socket>();
 * using server = createServer(["127.0.0.1", 0]);
 * server.setblocking(false);
 *
 * const read = async (conn: Socket) => {
 *   const data = await conn.recv(1000);
 *   if (data.length > 0) await conn.send(data);
 *   else {
 *     sel.unregister(conn);
 *     conn.close();
 *   }
 * };
 * const accept = async (sock: Socket) => {
 *   const [conn] = await sock.accept();
 *   conn.setblocking(false);
 *   sel.register(conn, EVENT_READ, read);
 * };
 * sel.register(server, EVENT_READ, accept);
 *
 * using client = await createConnection(server.getsockname() as [string, number]);
 * await client.sendall(new TextEncoder().encode("hi"));
 * for (let round = 0; round < 10; round++) {
 *   for (const [key] of await sel.select(0.1)) await key.data(key.fileobj);
 * }
 * assertEquals(new TextDecoder().decode(await client.recv(10)), "hi");
 * for (const key of [...sel.getMap()?.values() ?? []]) key.fileobj.close();
 * ```
 *
 * @module
 */

export { type DataArg, EVENT_READ, EVENT_WRITE, type SelectorKey } from "./_key.ts";
export { SelectorMapping } from "./_mapping.ts";
export { BaseSelector } from "./_selector.ts";
export { RuntimeError } from "../_core/errors.ts";
export { DefaultSelector, EpollSelector, PollSelector, SelectSelector } from "./_selectors.ts";
