// A TLS session over a socket's connection, from one of two engines: Deno's own TLS (rustls,
// the fast path) where it can do what the context asks, node:tls over the connection where
// Deno's own API cannot (server side on an accepted connection, CERT_NONE clients, client
// certificates, version limits).
import type { ByteConn } from "../_core/channel.ts";
import type { NodeCertificate } from "./_certificate.ts";

/** What a socket needs from a TLS session, whichever engine runs it. */
export interface TlsSession {
  /** The decrypted byte stream, in place of the plain connection. */
  readonly conn: ByteConn;
  /** Completes the handshake (rejecting with the raw engine error). */
  handshake(): Promise<void>;
  /** The ALPN protocol agreed on, or `null`. */
  alpnProtocol(): string | null;
  /** `[name, protocol, bits]`, or `null` where the engine cannot say. */
  cipher(): [string, string, number] | null;
  /** `"TLSv1.3"`, ..., or `null` where the engine cannot say. */
  version(): string | null;
  /** The peer's certificate, or `null` when there is none (or the engine cannot say). */
  peerCertificate(): NodeCertificate | null;
  /** Which engine runs the session. */
  readonly engine: "deno" | "node";
}

/** The settings a session is made from (taken from the SSLContext and wrapSocket). */
export interface SessionOptions {
  serverSide: boolean;
  /** The name to verify and send as SNI (client side). */
  hostname: string | null;
  verify: boolean;
  /** Server side: ask for a client certificate; `require`: refuse a client without one. */
  requestCert: "no" | "optional" | "require";
  checkHostname: boolean;
  /** Trusted CA certificates (PEM); `null` for the engine's default roots. */
  caCerts: string[] | null;
  cert: string | null;
  key: string | null;
  alpnProtocols: string[] | null;
  minVersion: string | null;
  maxVersion: string | null;
}

/** Deno's internal accessor of a client TLS connection's peer certificate, if this Deno has it. */
function peerCertificateOf(conn: Deno.TlsConn): NodeCertificate | null {
  const denoNs = Deno as unknown as Record<symbol | string, unknown>;
  const internal = denoNs[denoNs.internal as symbol] as Record<string, unknown> | undefined;
  const key = internal?.getPeerCertificate as symbol | undefined;
  if (!key) return null;
  const get = (conn as unknown as Record<symbol, unknown>)[key];
  if (typeof get !== "function") return null;
  try {
    return (get.call(conn, true) as NodeCertificate | null) ?? null;
  } catch {
    return null;
  }
}

/** A session on a connection Deno's own TLS already runs (connectTls, startTls, listenTls). */
export function denoSession(conn: Deno.TlsConn): TlsSession {
  let alpn: string | null = null;
  return {
    conn,
    engine: "deno",
    async handshake() {
      alpn = (await conn.handshake()).alpnProtocol;
    },
    alpnProtocol: () => alpn,
    cipher: () => null,
    version: () => null,
    peerCertificate: () => peerCertificateOf(conn),
  };
}

/** Whether Deno's own TLS client can do what `options` ask. */
export function denoClientCan(conn: ByteConn, options: SessionOptions): boolean {
  return !options.serverSide && options.verify && options.cert === null &&
    options.minVersion === null && options.maxVersion === null &&
    // Only a TCP connection of Deno's own has setNoDelay: Deno.startTls takes nothing else.
    typeof (conn as Partial<Deno.TcpConn>).setNoDelay === "function";
}

/** Starts Deno's own TLS client on a plain TCP connection. */
export async function denoClient(conn: ByteConn, options: SessionOptions): Promise<TlsSession> {
  // Deno's TLS writes each record on its own: with Nagle on, a handshake waits about 40 ms
  // for a delayed ACK where OpenSSL's coalesced writes do not (CPython's client), so pynet
  // turns Nagle off, as a TLS connection cannot be tuned once it is made.
  (conn as Deno.TcpConn).setNoDelay(true);
  const tls = await Deno.startTls(conn as Deno.TcpConn, {
    hostname: options.hostname ?? "localhost",
    ...(options.caCerts ? { caCerts: options.caCerts } : {}),
    ...(options.alpnProtocols ? { alpnProtocols: options.alpnProtocols } : {}),
    ...(options.checkHostname ? {} : { unsafelyDisableHostnameVerification: true }),
  });
  return denoSession(tls);
}
