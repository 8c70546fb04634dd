/**
 * Python's `asyncore` module for Deno: event-driven network servers and clients built from
 * dispatchers, each a socket with handlers, driven by {@linkcode loop} on pynet's own
 * `select.poll()`. Handlers fire in CPython 3.11's order, with its state flags and its error
 * handling; handlers and the predicates may return Promises, which the loop awaits before
 * going on, so the order stays CPython's.
 *
 * ```
 * Dispatcher ─────────────── socket, connected/accepting/connecting, addr
 *  │  readable() writable()        asked by the loop on every pass
 *  │  handleReadEvent ─┬─ handleAccept ── accept() ── handleAccepted(sock, addr)
 *  │                   ├─ handleConnectEvent ── handleConnect   (a connect completed)
 *  │                   └─ handleRead
 *  │  handleWriteEvent ─── (handleConnectEvent) ── handleWrite
 *  │  handleExptEvent ──── handleClose | handleExpt
 *  │  an error ─────────── handleError ── logInfo(compact traceback) ── handleClose
 *  ├── DispatcherWithSend   send() buffers in outBuffer, flushed on write events
 *  └── FileDispatcher       over a FileWrapper (a pipe or stdin, select's StreamWrapper)
 *
 * loop({ timeout, usePoll, map, count })
 *   └── poll(timeout, map)  (select's rules)  or  poll2(timeout, map)  (poll's rules)
 *         └── read / write  or  readwrite(obj, flags)  ── ExitNow ends the loop
 * ```
 *
 * A map is a `Map<number, Dispatcher>` keyed by `fileno()`, CPython's dict; dispatchers join
 * {@linkcode socketMap} unless given another. The loop ends when the map is empty.
 *
 * What differs from CPython, and why:
 * - `handleError(error)` receives the error (JavaScript has no `sys.exc_info()`); to re-raise,
 *   `throw error`. `compactTraceback(error)` likewise.
 * - The loop keeps its registrations in one `select.poll()` object per map between passes and
 *   tells it only what changed; `readable()` and `writable()` are still asked of every
 *   dispatcher on every pass, and the ready ones are served in map order, so what a program
 *   sees is CPython's.
 * - What the handlers of a pass send goes out together as the next pass waits (see
 *   `@pynet/net/select`); CPython's `send` hands each reply to the kernel at once. The bytes
 *   and their order are the same, and `send` returns the same counts.
 * - CPython's `select()` blocks the whole program; pynet's wait lets timers and other tasks
 *   run. A dispatcher they close (or replace) while the loop waits is simply not reported,
 *   where CPython could not have been asked about it.
 * - Readiness is pynet's (see `@pynet/net/select`): after an echo to a peer that has already
 *   closed, Linux reports the peer's reset (`POLLHUP | POLLERR`) and CPython's `poll2` calls
 *   `handleClose` a second time; pynet sees the end of the stream only and calls it once.
 * - Out-of-band data is never reported (Deno has no access to it), so `handleExpt` is never
 *   called by the loop.
 * - `FileWrapper` cannot `dup()` (Deno has no descriptors): it takes a `StreamWrapper` from
 *   `@pynet/net/select` and closing it closes that stream. At a pipe's end that wrapper
 *   reports `POLLIN` with `POLLHUP` where Linux reports `POLLHUP` alone, so with `usePoll`
 *   a `FileDispatcher` whose reads reach EOF gets `handleClose()` twice (from `recv()`, then
 *   for `POLLHUP`) where CPython calls it once; select's rules are not affected.
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `asyncore.dispatcher(sock=None, map=None)` | `new Dispatcher(sock?, map?)` |
 * | `create_socket(family, type)`, `set_socket`, `set_reuse_addr` | `createSocket`, `setSocket`, `setReuseAddr` |
 * | `bind`, `listen`, `close`, `add_channel`, `del_channel` | same names (`addChannel`, `delChannel`), synchronous |
 * | `connect`, `accept`, `send`, `recv` | `await connect`, `await accept`, `await send`, `await recv` |
 * | `connected`, `accepting`, `connecting`, `closing`, `addr`, `socket`, `debug`, `ignore_log_types` | same (`ignoreLogTypes`, a `Set`) |
 * | `readable()`, `writable()` | same; may return a Promise |
 * | `handle_read_event`, `handle_write_event`, `handle_expt_event`, `handle_connect_event` | `handleReadEvent`, `handleWriteEvent`, `handleExptEvent`, `handleConnectEvent` |
 * | `handle_read`, `handle_write`, `handle_expt`, `handle_connect`, `handle_accept`, `handle_accepted(sock, addr)`, `handle_close` | `handleRead`, `handleWrite`, `handleExpt`, `handleConnect`, `handleAccept`, `handleAccepted(sock, addr)`, `handleClose`; may return a Promise |
 * | `handle_error()` | `handleError(error)`; bare `raise` is `throw error` |
 * | `log(msg)`, `log_info(msg, type)` | `log`, `logInfo` |
 * | `repr(d)` | `String(d)`: `<Name connected 127.0.0.1:8080 at 0x1>` |
 * | `asyncore.socket_map` | `socketMap` (a `Map`) |
 * | `loop(timeout=30.0, use_poll=False, map=None, count=None)` | `await loop({ timeout, usePoll, map, count })` |
 * | `poll(timeout, map)`, `poll2`, `poll3` | `await poll(timeout, map)`, `await poll2(...)`, `poll3` |
 * | `read(obj)`, `write(obj)`, `readwrite(obj, flags)` | `await read(obj)`, `await write(obj)`, `await readwrite(obj, flags)` |
 * | `close_all(map=None, ignore_all=False)` | `closeAll(map?, ignoreAll?)` |
 * | `ExitNow`, `compact_traceback()` | `ExitNow`, `compactTraceback(error)` |
 * | `asyncore._DISCONNECTED` | `DISCONNECTED` (a `ReadonlySet` of errno values) |
 * | `dispatcher_with_send`, `out_buffer`, `initiate_send` | `DispatcherWithSend`, `outBuffer`, `await initiateSend()` |
 * | `file_dispatcher(fd)`, `file_wrapper(fd)`, `set_file` | `new FileDispatcher(streamWrapper)`, `new FileWrapper(streamWrapper)`, `setFile` |
 *
 * @example An echo server, served by the loop until its one client has gone
 * ```ts
 * import { Dispatcher, DispatcherWithSend, loop } from "@pynet/net/asyncore";
 * import type { Address, Socket } from "@pynet/net/socket";
 * import { createConnection } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const map = new Map();
 * class EchoHandler extends DispatcherWithSend {
 *   override async handleRead() {
 *     const data = await this.recv(8192);
 *     if (data.length) await this.send(data);
 *   }
 * }
 * class EchoServer extends Dispatcher {
 *   override handleAccepted(sock: Socket, _addr: Address) {
 *     new EchoHandler(sock, map);
 *     this.close(); // one client only: the loop ends when it has gone
 *   }
 * }
 * const server = new EchoServer(null, map);
 * server.createSocket();
 * server.bind(["127.0.0.1", 0]);
 * server.listen(5);
 * const serving = loop({ timeout: 1, map });
 *
 * using client = await createConnection(server.socket!.getsockname() as [string, number]);
 * await client.sendall(new TextEncoder().encode("hello"));
 * assertEquals(new TextDecoder().decode(await client.recv(100)), "hello");
 * client.close();
 * await serving;
 * ```
 *
 * @module
 */

export {
  Dispatcher,
  type DispatcherSocket,
  type Predicate,
  type SocketMap,
  socketMap,
} from "./_dispatcher.ts";
export { DispatcherWithSend } from "./_with_send.ts";
export { FileDispatcher, FileWrapper, type WrappedFile } from "./_file.ts";
export {
  closeAll,
  ExitNow,
  loop,
  type LoopOptions,
  poll,
  poll2,
  poll3,
  read,
  readwrite,
  write,
} from "./_loop.ts";
export { type CompactTraceback, compactTraceback, type ErrorClass } from "./_traceback.ts";
export { DISCONNECTED } from "./_errno.ts";
