// The module-level ssl.wrap_socket() of older Python: a context made from its arguments.
import type { Socket } from "../socket/mod.ts";
import { CERT_NONE, PROTOCOL_TLS } from "./_constants.ts";
import { SSLContext } from "./_context.ts";
import type { SSLSocket } from "./_sslsocket.ts";

/** Options of the old module-level {@linkcode wrapSocket}, as Python's keyword arguments. */
export interface LegacyWrapSocketOptions {
  /** The private key file (when not in `certfile`). */
  keyfile?: string | null;
  /** This side's certificate chain file. */
  certfile?: string | null;
  /** Play the server. @default {false} */
  serverSide?: boolean;
  /** `CERT_NONE` (default), `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  certReqs?: number;
  /** A PEM file of trusted CAs. */
  caCerts?: string | null;
  /** Do the handshake at once (or in `connect()`). @default {true} */
  doHandshakeOnConnect?: boolean;
  /** Read a ragged EOF as EOF. @default {true} */
  suppressRaggedEofs?: boolean;
}

/**
 * The module-level `ssl.wrap_socket()` of Python before 3.12: no host name check, and no
 * verification unless `certReqs` asks for it. New code should use `SSLContext.wrapSocket`.
 *
 * @param sock A stream socket.
 * @param options Python's keyword arguments.
 * @returns The TLS socket.
 *
 * @example Wrapping a client connection (needs a server)
 * ```ts ignore
 * import { CERT_REQUIRED, wrapSocket } from "@pynet/net/ssl";
 * import { createConnection } from "@pynet/net/socket";
 * using tls = await wrapSocket(await createConnection(["127.0.0.1", 8443]), {
 *   certReqs: CERT_REQUIRED,
 *   caCerts: "ca.pem",
 * });
 * ```
 */
export async function wrapSocket(
  sock: Socket,
  options: LegacyWrapSocketOptions = {},
): Promise<SSLSocket> {
  const ctx = new SSLContext(PROTOCOL_TLS);
  const { keyfile = null, certfile = null, certReqs = CERT_NONE, caCerts = null } = options;
  ctx.verifyMode = certReqs;
  if (caCerts) ctx.loadVerifyLocations(caCerts);
  if (certfile) ctx.loadCertChain(certfile, keyfile);
  return await ctx.wrapSocket(sock, {
    serverSide: options.serverSide ?? false,
    doHandshakeOnConnect: options.doHandshakeOnConnect ?? true,
    suppressRaggedEofs: options.suppressRaggedEofs ?? true,
  });
}
