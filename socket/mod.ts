/**
 * Python's `socket` module for Deno: TCP, UDP and Unix sockets with Python's names, modes,
 * return values and exceptions, built directly on `Deno.listen`, `Deno.connect` and
 * `Deno.listenDatagram`.
 *
 * Everything that can block in Python returns a Promise here (`accept`, `connect`, `recv*`,
 * `send*`, `getaddrinfo`, ...); the rest stays synchronous (`bind`, `listen`, `close`,
 * `setsockopt`, ...). A stream socket's `recvNow` and `sendNow` are Python's non-blocking
 * `recv` and `send` without a Promise, for readiness loops (asyncore and asynchat use them). A socket's mode is Python's: blocking, with a timeout
 * (`TimeoutError("timed out")`), or non-blocking (`BlockingIOError`). No received byte is ever
 * lost to a timeout: a read that outlives it keeps its bytes for the next `recv`.
 *
 * ## A script ends when its work ends
 *
 * As a Python script ends after its last line with sockets still open, a pynet script ends
 * when nothing it awaits is left, whatever its sockets hold. Reading ahead (what a socket does
 * after a `select()`, a selector's wait, a timed-out or non-blocking `recv` or `accept`, to
 * learn when input comes) never keeps the process alive; what the program awaits does, for
 * as long as it awaits it: a blocking `recv`, `accept`, `connect` or `send`, a `select()` or
 * selector wait with or without a timeout, a TLS handshake. A few things still hold a process
 * that no longer awaits them, because Deno offers no way to release them: bytes a socket
 * buffered for sending, until the peer takes them or the connection fails; a non-blocking
 * `connect` still under way, until it completes or fails; the receive an `AF_UNIX` datagram
 * socket runs ahead after a wait, until a datagram comes; and, in the `ssl` module, the accept
 * a `Deno.listenTls` server socket runs ahead after a timed-out accept or a `select()`.
 *
 * What the program can no longer reach is closed when it is collected, as CPython closes a
 * socket object it frees: a socket (connected, accepted, listening, datagram, a `socketpair()`
 * end) dropped without `close()` closes its connection, and its peer reads EOF; a
 * `makefile()` file dropped unclosed lets go of its socket, so a socket closed while the file
 * was open is closed then (what the file's write buffer still holds is not sent: CPython
 * flushes it). Collection comes when the JavaScript engine decides, not at once as CPython's
 * reference counting does: close what you can, with `close()` or `using`.
 *
 * Every `recv` returns bytes of its own, so a stream's reads land in fresh memory, which V8
 * frees in batches. On Linux with glibc, the first large stream read therefore raises the C
 * allocator's thresholds once per process (it allocates and drops one untouched 31 MiB
 * block, as glibc adapts to any program's large buffers): freed read memory then stays in the
 * process's heap for reuse (up to about 62 MiB) instead of going back to the system and
 * faulting in again, which halved streaming speed. Idle and request/response programs never
 * take that step.
 *
 * Deno's permissions apply: a missing one raises `PermissionError` whose message names the
 * flag to add (`--allow-net=127.0.0.1:8080`). Datagram sockets (`SOCK_DGRAM`) and
 * `SO_REUSEPORT` need Deno's `--unstable-net` flag; without it they raise `OSError`
 * (`EOPNOTSUPP`) naming the flag, and never kill the process.
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `socket.socket(family, type, proto, fileno)` | `socket(family, type, proto, fileno)` / `new Socket(...)`; `socket(f, SOCK_DGRAM)` is typed `DatagramSocket`, whose `recvfrom` address is never `null` |
 * | `socket.SocketType` | `Socket`; its calls are documented in the types it implements, `SocketLifecycle`, `SocketReceiving`, `SocketSending` and `SocketSettings` (pynet extras, for reading the docs and for typing a socket-like object) |
 * | `s.accept()`, `s.connect(addr)`, `s.connect_ex(addr)` | `await s.accept()`, `await s.connect(addr)`, `await s.connectEx(addr)` |
 * | `s.recv`, `s.recvfrom`, `s.recv_into`, `s.recvfrom_into` | `await s.recv`, `await s.recvfrom`, `await s.recvInto`, `await s.recvfromInto` |
 * | `s.send`, `s.sendall`, `s.sendto` | `await s.send`, `await s.sendall`, `await s.sendto` |
 * | `s.recv(n)`, `s.send(data)` on a non-blocking stream socket, after `select` reported it ready | also `s.recvNow(n)`, `s.sendNow(data)`: synchronous, no Promise (pynet extras; `BlockingIOError` when nothing has arrived or there is no room) |
 * | `s.bind`, `s.listen`, `s.shutdown`, `s.close`, `s.detach`, `s.fileno` | same names, synchronous |
 * | `s.getsockname()`, `s.getpeername()` | same; addresses are arrays: `[host, port]`, `[host, port, flowinfo, scope_id]`, a path |
 * | `s.setblocking`, `s.getblocking`, `s.settimeout`, `s.gettimeout` | same names |
 * | `s.setsockopt`, `s.getsockopt` | same names (options Deno can honour; others `ENOPROTOOPT`) |
 * | `s.makefile(mode, buffering, encoding, errors, newline)` | `s.makefile(mode, { buffering, encoding, errors, newline })`, async methods |
 * | `s.family`, `s.type`, `s.proto` | same (numbers) |
 * | (none: Deno's faces) | `s.readable`, `s.writable` (Web Streams); `{ signal }` after the positional arguments of every blocking call |
 * | `with socket.socket() as s:` | `using s = socket();` |
 * | `socket.create_connection(addr, timeout, source_address, all_errors=)` | `await createConnection(addr, timeout, sourceAddress, { allErrors, signal })` |
 * | `socket.create_server(addr, family=, backlog=, reuse_port=, dualstack_ipv6=)` | `createServer(addr, { family, backlog, reusePort, dualstackIpv6 })` |
 * | `socket.has_dualstack_ipv6()`, `socket.has_ipv6` | `hasDualstackIpv6()`, `hasIpv6` |
 * | `socket.socketpair()` | `socketpair()` (in memory, no permission needed) |
 * | `socket.getaddrinfo`, `gethostbyname`, `gethostbyname_ex`, `gethostbyaddr`, `getnameinfo`, `getfqdn` | `await getaddrinfo(...)`, `await gethostbyname`, `await gethostbynameEx`, `await gethostbyaddr`, `await getnameinfo`, `await getfqdn` |
 * | `socket.getservbyname`, `getservbyport` | `await getservbyname`, `await getservbyport` |
 * | `socket.gethostname()` | `gethostname()` (needs `--allow-sys=hostname`) |
 * | `socket.inet_aton`, `inet_ntoa`, `inet_pton`, `inet_ntop` | `inetAton`, `inetNtoa`, `inetPton`, `inetNtop` (bytes are `Uint8Array`) |
 * | `socket.htons`, `htonl`, `ntohs`, `ntohl` | same names |
 * | `socket.getdefaulttimeout`, `setdefaulttimeout` | same names |
 * | `socket.error`, `socket.timeout`, `socket.gaierror`, `socket.herror` | `OSError` (also exported as `error`), `TimeoutError` (also `timeout`), `gaierror`, `herror` |
 * | `OSError` subclasses, `ValueError`, `OverflowError`, ... | classes of the same names |
 * | `AF_*`, `SOCK_*`, `SOL_*`, `SO_*`, `IPPROTO_*`, `TCP_*`, `MSG_*`, `AI_*`, `NI_*`, `EAI_*`, `SHUT_*` | same names, Linux values |
 * | (none: pynet's own) | `setsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED, 1)` before `bind()`: Worker isolates of one process share a listening address (Deno's `loadBalanced`, no flag) |
 *
 * ## Web Streams and `AbortSignal`
 *
 * A connected stream socket (plain or TLS) also has Deno's faces: `sock.readable` (a byte
 * `ReadableStream`, BYOB readers welcome) and `sock.writable` (a `WritableStream`), shaped like
 * `Deno.Conn`'s, so `pipeTo`, `pipeThrough(new TextLineStream())`, a `Response` body or
 * `toText` from `@std/streams` join a socket without a hand-written pump. Closing the writable
 * is `shutdown(SHUT_WR)`; cancelling the readable is `shutdown(SHUT_RD)`. Bytes read ahead
 * come out of the readable first, and each read and write keeps to the socket's timeout.
 * **While a stream is locked, the stream wins**: `recv*` (readable locked) or `send`/`sendall`
 * (writable locked) raise `OSError` `EBUSY` rather than take bytes from under it; once the
 * lock is released, or the stream has ended (EOF, cancel, error), they work again and no byte
 * is lost.
 *
 * Every call that can block takes an options object after Python's positional arguments:
 * `{ signal }`, an `AbortSignal`, as Deno's own APIs take one. `accept({ signal })`,
 * `connect(addr, { signal })`, `recv(n, flags, { signal })`, `recvInto(buf, nbytes, flags,
 * { signal })`, `send(data, flags, { signal })`, `sendall(data, flags, { signal })`,
 * `sendto(data, addr, { signal })`, and in the other modules `select(r, w, x, timeout,
 * { signal })`, `poll.poll(ms, { signal })`, `epoll.poll(t, maxevents, { signal })`,
 * `selector.select(timeout, { signal })`, `doHandshake({ signal })`. An aborted call rejects
 * with `signal.reason` (an already-aborted signal: before doing anything). **No byte is lost**:
 * the read-ahead, an accept or a TLS handshake keeps running, and what it brings is the next
 * call's. A write already handed to Deno cannot be taken back: an aborted `sendall` may have
 * sent part of its bytes, as a timed-out one may.
 *
 * @example A socket's bytes as a `Response` body, and a short reply with `toText`
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { toText } from "@std/streams/to-text";
 * import { socketpair } from "@pynet/net/socket";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * await a.sendall(new TextEncoder().encode("streamed"));
 * a.shutdown(1); // SHUT_WR: the peer's readable ends
 * assertEquals(await new Response(b.readable).text(), "streamed");
 *
 * const [c, d] = socketpair();
 * using _c = c, _d = d;
 * await c.sendall(new TextEncoder().encode("+OK\r\n"));
 * c.close();
 * assertEquals(await toText(d.readable), "+OK\r\n");
 * ```
 *
 * @example Cancelling a blocking recv with an AbortSignal
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socketpair } from "@pynet/net/socket";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * const controller = new AbortController();
 * const waiting = b.recv(1024, 0, { signal: controller.signal });
 * controller.abort(new Error("stop"));
 * const error = await waiting.catch((e) => e);
 * assertEquals(error.message, "stop");
 * await a.sendall(new Uint8Array([1, 2, 3])); // nothing is lost: the next recv gets it
 * assertEquals(await b.recv(1024), new Uint8Array([1, 2, 3]));
 * ```
 *
 * Text `makefile()` encodes and decodes with Python's codecs, byte for byte, under every
 * spelling Python accepts ("latin-1", "ISO-8859-1", "l1", "cp437", "windows-1252", "UTF8",
 * ...): ascii, latin-1, cp1252, cp437, utf-8, utf-8-sig, utf-16, utf-32 (and their -le/-be
 * forms), with the error handlers strict, ignore, replace, backslashreplace, surrogateescape and
 * xmlcharrefreplace. Other codecs raise `LookupError` ("unknown encoding: ..."), as CPython
 * does for names it lacks; `namereplace` and `surrogatepass` raise `NotImplementedError`.
 * As in CPython, "utf-16"/"utf-32" files on a socket write no BOM yet need one to read. A
 * decoding error at the end of `read()` counts its position from the bytes the previous
 * receive left undecoded (CPython counts from the start of the read).
 *
 * Not available, because Deno has no way to do them: `sendmsg`/`recvmsg` and ancillary data,
 * `dup`, `fromfd`/`sendfile`, raw and packet sockets, `SOCK_SEQPACKET`, connecting from a
 * chosen local port, options other than those `setsockopt` lists.
 *
 * @example An echo server and client on loopback
 * ```ts
 * import { createConnection, createServer } from "@pynet/net/socket";
 *
 * using server = createServer(["127.0.0.1", 0]);
 * const [host, port] = server.getsockname() as [string, number];
 *
 * const serving = (async () => {
 *   const [conn] = await server.accept();
 *   using _conn = conn;
 *   for (let data; (data = await conn.recv(1024)).length > 0;) await conn.sendall(data);
 * })();
 *
 * using client = await createConnection([host, port]);
 * await client.sendall(new TextEncoder().encode("hello"));
 * console.log(new TextDecoder().decode(await client.recv(1024))); // "hello"
 * client.close();
 * await serving;
 * ```
 *
 * @module
 */

export * from "./_constants.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  IsADirectoryError,
  KeyError,
  NotADirectoryError,
  NotImplementedError,
  OSError,
  /** `socket.error` is `OSError`. */
  OSError as error,
  osError,
  OverflowError,
  PermissionError,
  RuntimeError,
  TimeoutError,
  /** `socket.timeout` is `TimeoutError`. */
  TimeoutError as timeout,
  ValueError,
} from "../_core/errors.ts";
export type { Address, IPv4Address, IPv6Address, UnixAddress } from "./_address.ts";
export type { BytesLike } from "../_core/bytes.ts";
export type { AbortOptions } from "../_core/abort.ts";
export { Socket } from "./_socket.ts";
export { socket } from "./_socket_function.ts";
export type { SocketLifecycle } from "./_socket_lifecycle.ts";
export type { SocketReceiving } from "./_socket_receiving.ts";
export type { SocketSending } from "./_socket_sending.ts";
export type { SocketSettings } from "./_socket_settings.ts";
export type { DatagramSocket } from "./_datagram_socket.ts";
export {
  type BinaryMode,
  type MakefileOptions,
  type SocketFile,
  type TextMode,
  UnsupportedOperation,
} from "./_socket_file.ts";
export {
  createConnection,
  type CreateConnectionOptions,
  createServer,
  type CreateServerOptions,
  hasDualstackIpv6,
  hasIpv6,
  socketpair,
} from "./_functions.ts";
export { getdefaulttimeout, setdefaulttimeout } from "./_default_timeout.ts";
export { htonl, htons, inetAton, inetNtoa, inetNtop, inetPton, ntohl, ntohs } from "./_inet.ts";
export { UnicodeEncodeError, UnicodeError } from "../_core/args.ts";
export { LookupError, UnicodeDecodeError } from "./_codecs.ts";
export {
  type AddrInfo,
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbynameEx,
  gethostname,
  getnameinfo,
  getservbyname,
  getservbyport,
  type HostInfo,
  type NameInfoAddress,
  type SockAddr4,
  type SockAddr6,
} from "./_resolve.ts";
