// What SSLContext.wrapSocket gives a new SSLSocket: its settings, checked as CPython checks
// them (its SSLContext.wrap_socket and _ssl._SSLSocket's C checks) before the socket is
// touched, and how its connection's errors map to CPython's classes.
import { SOCK_STREAM, type Socket } from "../socket/mod.ts";
import { fromDenoError, NotImplementedError, type OSError, ValueError } from "../_core/errors.ts";
import type { ErrorMapper } from "../_core/channel.ts";
import { idnaEncode } from "../_core/idna.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } from "./_constants.ts";
import type { SSLContext } from "./_context.ts";
import { fromTlsError, SSLEOFError, SSLError } from "./_errors.ts";

/** Options of `SSLContext.wrapSocket`, as Python's keyword arguments. */
export interface WrapSocketOptions {
  /** Play the server. @default {false} */
  serverSide?: boolean;
  /** The server's name: verified against its certificate and sent as SNI. */
  serverHostname?: string | null;
  /** Do the handshake at once (or in `connect()`); else call `doHandshake()`. @default {true} */
  doHandshakeOnConnect?: boolean;
  /** Read a connection closed without TLS's close_notify as EOF instead of `SSLEOFError`. @default {true} */
  suppressRaggedEofs?: boolean;
  /**
   * Cancels the handshake `wrapSocket` does (a pynet addition): it rejects with the signal's
   * reason, and the returned socket is closed.
   */
  signal?: AbortSignal | undefined;
}

/** `wrapSocket`'s options with their defaults filled in, the server name IDNA-encoded. */
export type WrapSettings = Required<Omit<WrapSocketOptions, "signal">>;

/**
 * The settings of `ctx.wrapSocket(sock, options)`.
 *
 * @throws {NotImplementedError} For a datagram socket.
 * @throws {ValueError} For a server name on a server, none where `checkHostname` needs one, or
 * one that is empty or starts with a dot.
 * @throws {SSLError} For a side the context's protocol cannot play.
 */
export function wrapSettings(
  ctx: SSLContext,
  sock: Socket,
  options: WrapSocketOptions,
): WrapSettings {
  const settings: WrapSettings = {
    serverSide: options.serverSide ?? false,
    serverHostname: options.serverHostname ?? null,
    doHandshakeOnConnect: options.doHandshakeOnConnect ?? true,
    suppressRaggedEofs: options.suppressRaggedEofs ?? true,
  };
  if (sock.type !== SOCK_STREAM) {
    throw new NotImplementedError("only stream sockets are supported");
  }
  if (settings.serverSide && settings.serverHostname) {
    throw new ValueError("server_hostname can only be specified in client mode");
  }
  // CPython checks this on both sides, before the protocol: a server context with
  // checkHostname cannot wrap, and a client context on the server side fails here first.
  if (ctx.checkHostname && !settings.serverHostname) {
    throw new ValueError("check_hostname requires server_hostname");
  }
  if (settings.serverSide && ctx.protocol === PROTOCOL_TLS_CLIENT) {
    throw new SSLError(
      null,
      "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
    );
  }
  if (!settings.serverSide && ctx.protocol === PROTOCOL_TLS_SERVER) {
    throw new SSLError(
      null,
      "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
    );
  }
  if (settings.serverHostname !== null) {
    // As CPython's SSLContext._encode_hostname, then its C checks.
    settings.serverHostname = idnaEncode(settings.serverHostname);
    if (settings.serverHostname.includes("\0")) {
      throw new TypeError("argument must be encoded string without null bytes, not str");
    }
  }
  const hostname = settings.serverHostname;
  if (hostname !== null && (hostname === "" || hostname.startsWith("."))) {
    throw new ValueError(
      "server_hostname cannot be an empty string or start with a leading dot.",
    );
  }
  return settings;
}

/**
 * A TLS connection's errors in CPython's classes; a ragged EOF is EOF when suppressed, as
 * CPython's `suppress_ragged_eofs` makes it.
 */
export function tlsErrorMapper(hostname: string | null, suppressRaggedEofs: boolean): ErrorMapper {
  return (e, op) => {
    const error = fromTlsError(e, hostname, fromDenoError) as OSError;
    return op === "read" && suppressRaggedEofs && error instanceof SSLEOFError ? null : error;
  };
}
