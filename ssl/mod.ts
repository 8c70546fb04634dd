/**
 * Python's `ssl` module for Deno: TLS for pynet sockets, client and server, with Python's
 * contexts, socket methods and exceptions. An `SSLSocket` is a pynet `Socket`, so `select`,
 * `selectors` and `makefile` work on it unchanged; it is readable exactly when decrypted data
 * (or EOF) is waiting, so bytes TLS has already decrypted are never missed (CPython's `select`
 * can miss them).
 *
 * Two engines run the TLS, chosen per connection: Deno's own TLS (`Deno.startTls`,
 * `Deno.listenTls`: the fast path) for verifying clients and for listening servers that do not
 * ask for client certificates; node:tls over the connection for everything Deno's own API
 * cannot do (server side on an accepted plain connection, as in STARTTLS; client certificate
 * requests; `CERT_NONE` clients; a client certificate; version limits; a client whose socket
 * already has a read pending, as after a `select()` before the handshake). `sslSocket.tlsEngine()`
 * says which one runs a socket.
 *
 * ## Python -> pynet, and what Deno allows
 *
 * | Python | pynet | notes |
 * |---|---|---|
 * | `SSLContext(protocol)`, `PROTOCOL_TLS_CLIENT`, `PROTOCOL_TLS_SERVER`, `PROTOCOL_TLS` | same | |
 * | `create_default_context(purpose, cafile=, capath=, cadata=)` | `createDefaultContext(purpose, { cafile, capath, cadata })` | no CA given: Deno's default roots, plus `SSL_CERT_FILE` / `SSL_CERT_DIR` with `--allow-env` |
 * | `ctx.load_cert_chain(certfile, keyfile, password)` | `ctx.loadCertChain(certfile, keyfile, password)` | PEM files; encrypted keys through node:crypto |
 * | `ctx.load_verify_locations(cafile, capath, cadata)` | `ctx.loadVerifyLocations(cafile, capath, cadata)` | |
 * | `ctx.load_default_certs()` | `ctx.loadDefaultCerts()` | Deno's root store, plus `SSL_CERT_FILE` / `SSL_CERT_DIR` |
 * | `ctx.set_default_verify_paths()` | `ctx.setDefaultVerifyPaths()` | the same; the variables are read only with `--allow-env` (without it, as if unset) |
 * | `ctx.check_hostname`, `ctx.verify_mode` (`CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED`) | `ctx.checkHostname`, `ctx.verifyMode` | Python's coupling rules |
 * | `ctx.minimum_version`, `ctx.maximum_version`, `TLSVersion` | `ctx.minimumVersion`, `ctx.maximumVersion`, `TLSVersion` | TLS 1.2 and 1.3 only (Deno has no older versions) |
 * | `ctx.set_alpn_protocols(list)` | `ctx.setAlpnProtocols(list)` | a pynet server (either engine) with no protocol in common with its client ends the handshake (CPython: `None`); a pynet client of a server that goes on gets `null` |
 * | `ctx.wrap_socket(sock, server_side=, server_hostname=, do_handshake_on_connect=, suppress_ragged_eofs=)` | `await ctx.wrapSocket(sock, { serverSide, serverHostname, doHandshakeOnConnect, suppressRaggedEofs })` | |
 * | `ssl.wrap_socket(...)` (old module function) | `wrapSocket(sock, {...})` | |
 * | `s.do_handshake()`, `s.read()`, `s.write()`, `s.recv`, `s.send`, `s.sendall`, `s.makefile` | `await` the same names | non-blocking: `SSLWantReadError` / `SSLWantWriteError` as in CPython, the handshake included; I/O before the handshake does it first, as OpenSSL's does |
 * | (none: Deno's faces) | `s.readable`, `s.writable`; `{ signal }` after the arguments of `doHandshake`, `recv`, `send`, `sendall`, `connect`, `accept`, and in `wrapSocket`'s options | Web Streams of decrypted bytes, as on every pynet socket; an aborted handshake leaves the socket open with its handshake running, and an aborted `accept()` keeps its connection for the next one |
 * | `s.pending()`, `s.getpeercert(binary_form)`, `s.selected_alpn_protocol()` | `pending()`, `getpeercert(binaryForm)`, `selectedAlpnProtocol()` | |
 * | `s.cipher()`, `s.version()` | same | `null` with Deno's own engine: Deno has no API for them |
 * | `s.unwrap()` | `NotImplementedError` | Deno cannot hand the plain connection back |
 * | `SSLObject`, `MemoryBIO` | not available | Deno's TLS runs over connections, not buffers |
 * | `SSLError`, `SSLZeroReturnError`, `SSLWantReadError`, `SSLWantWriteError`, `SSLSyscallError`, `SSLEOFError`, `SSLCertVerificationError`, `CertificateError` | same names | `verifyCode` / `verifyMessage` as OpenSSL's |
 * | `DER_cert_to_PEM_cert`, `PEM_cert_to_DER_cert` | `derCertToPemCert`, `pemCertToDerCert` | |
 *
 * ## Where pynet differs from CPython, and why
 *
 * | case | CPython 3.11 | pynet |
 * |---|---|---|
 * | `version()` / `cipher()` on Deno's own engine | `'TLSv1.3'`, `(name, version, bits)` | `null`: Deno has no API for them (the node engine matches CPython) |
 * | self-signed untrusted server certificate, Deno's engine | verify code 18 "self-signed certificate" | 20 "unable to get local issuer certificate" (rustls does not tell them apart; node engine: 18) |
 * | expired server certificate, node engine | 10 "certificate has expired" | 21 "unable to verify the first certificate" (Deno's node:tls reports the wrong code; Deno's engine: 10) |
 * | client without a certificate (or an untrusted one) against a `CERT_REQUIRED` pynet server | the client gets an alert (`SSLError`) | the client reads EOF: node:tls closes without an alert |
 * | ALPN with no common protocol, pynet server | handshake succeeds, `None` | the server refuses the handshake (both engines) |
 * | ragged EOF with `suppressRaggedEofs: false`, node engine | `SSLEOFError` | empty read: node:tls cannot tell it from close_notify (Deno's engine matches CPython) |
 * | a failed explicit `doHandshake()` | the socket stays open | the socket is closed |
 * | `close()` before the handshake has ended (a silent peer, a handshake timeout), Deno's engine | the connection closes at once | the socket is closed, but Deno 2.9.6 keeps its TCP connection open until the peer answers or closes (on a `Deno.listenTls` server too); the node engine closes at once |
 * | a script that waited on a listening server socket (a timed-out or non-blocking `accept`, a `select`) and ends, Deno's engine | the script ends | the process stays until a connection comes: `Deno.listenTls`'s accept cannot be unref'd (plain listeners' can: the node engine's server sockets, and every connection, let the script end) |
 * | `getpeercert()` fields | also OCSP, caIssuers, crlDistributionPoints | subject, issuer, version, serialNumber, notBefore, notAfter, subjectAltName |
 * | `close()` | no close_notify | Deno's engine sends close_notify; node's on `shutdown(SHUT_WR)` |
 * | `shutdown(how)` | drops TLS from the socket: later reads see the raw TLS bytes | TLS goes on: `SHUT_WR` ends the sending side after close_notify, and reads still decrypt |
 * | error text | ends with `(_ssl.c:NNNN)` | no suffix |
 * | `unwrap()`, TLS 1.0/1.1, `SSLObject`/`MemoryBIO` | available | `NotImplementedError` / not available: Deno's TLS cannot hand back the plain connection, has no old versions, and runs only over connections |
 *
 * Two things to know for speed: a TLS client on Deno's own engine turns Nagle off
 * (`TCP_NODELAY`), because Deno's TLS writes each record on its own and a handshake would
 * otherwise wait ~40 ms for a delayed ACK; and, as in CPython, a listening `SSLSocket`'s
 * `accept()` completes each connection's handshake before it returns, so a server that wants
 * handshakes to overlap passes `doHandshakeOnConnect: false` and calls `doHandshake()` in each
 * connection's own task.
 *
 * Certificates Deno's TLS accepts must be real end-entity certificates: a CA certificate
 * (`CA:TRUE`) used as a server's certificate is refused.
 *
 * @example A TLS client
 * ```ts ignore
 * import { createDefaultContext } from "@pynet/net/ssl";
 * import { createConnection } from "@pynet/net/socket";
 *
 * const ctx = createDefaultContext(undefined, { cafile: "ca.pem" });
 * using tls = await ctx.wrapSocket(await createConnection(["127.0.0.1", 8443]), {
 *   serverHostname: "localhost",
 * });
 * await tls.sendall(new TextEncoder().encode("ping"));
 * console.log(await tls.recv(1024));
 * ```
 *
 * @module
 */

export * from "./_constants.ts";
export * from "./_errors.ts";
export {
  derCertToPemCert,
  type DistinguishedName,
  type PeerCertificate,
  pemCertToDerCert,
} from "./_certificate.ts";
export {
  createDefaultContext,
  type DefaultContextOptions,
  type Password,
  SSLContext,
} from "./_context.ts";
export { SSLSocket, type WrapSocketOptions } from "./_sslsocket.ts";
export { type LegacyWrapSocketOptions, wrapSocket } from "./_legacy.ts";
