// CPython's ssl exceptions, and the translation of Deno's and node:tls's TLS failures into them.
import { OSError } from "../_core/errors.ts";
import {
  SSL_ERROR_EOF,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
} from "./_constants.ts";

/**
 * Python's `ssl.SSLError`: a TLS failure. `library` and `reason` name OpenSSL's error as
 * CPython would (`"SSL"`, `"CERTIFICATE_VERIFY_FAILED"`) where one corresponds.
 *
 * @example Its errno and strerror
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLError } from "@pynet/net/ssl";
 * const e = new SSLError(1, "foo");
 * assertEquals([e.errno, e.strerror], [1, "foo"]);
 * ```
 */
export class SSLError extends OSError {
  /** OpenSSL's library name, or `null`. */
  library: string | null = null;
  /** OpenSSL's reason name, or `null`. */
  reason: string | null = null;

  /**
   * Creates the error; its `message` is `strerror`, as `str()` of CPython's SSLError.
   *
   * @param errno An `SSL_ERROR_*` value.
   * @param strerror The text.
   * @param options The standard `cause` option.
   */
  constructor(errno: number | null, strerror?: string | null, options?: ErrorOptions) {
    super(errno, strerror ?? "", options);
    this.message = this.strerror ?? "";
  }
}

/**
 * `ssl.SSLZeroReturnError`: the peer closed the TLS session cleanly.
 *
 * @example A subclass of SSLError
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLError, SSLZeroReturnError } from "@pynet/net/ssl";
 * const e = new SSLZeroReturnError(6, "TLS/SSL connection has been closed (EOF)");
 * assertEquals(e instanceof SSLError, true);
 * ```
 */
export class SSLZeroReturnError extends SSLError {}

/**
 * `ssl.SSLWantReadError`: a non-blocking TLS call must wait for input.
 *
 * @example Its errno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLWantReadError } from "@pynet/net/ssl";
 * assertEquals(new SSLWantReadError(2, "The operation did not complete (read)").errno, 2);
 * ```
 */
export class SSLWantReadError extends SSLError {}

/**
 * `ssl.SSLWantWriteError`: a non-blocking TLS call must wait until it can write.
 *
 * @example Its errno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLWantWriteError } from "@pynet/net/ssl";
 * assertEquals(new SSLWantWriteError(3, "The operation did not complete (write)").errno, 3);
 * ```
 */
export class SSLWantWriteError extends SSLError {}

/**
 * `ssl.SSLSyscallError`: a system error under the TLS layer.
 *
 * @example Its errno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLSyscallError } from "@pynet/net/ssl";
 * assertEquals(new SSLSyscallError(5, "Some I/O error occurred").errno, 5);
 * ```
 */
export class SSLSyscallError extends SSLError {}

/**
 * `ssl.SSLEOFError`: the connection ended without TLS's close_notify.
 *
 * @example Its errno
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { SSLEOFError } from "@pynet/net/ssl";
 * assertEquals(new SSLEOFError(8, "EOF occurred in violation of protocol").errno, 8);
 * ```
 */
export class SSLEOFError extends SSLError {}

/**
 * `ssl.SSLCertVerificationError` (also `CertificateError`): the peer's certificate did not
 * verify; `verifyCode` and `verifyMessage` are OpenSSL's (20 "unable to get local issuer
 * certificate", 10 "certificate has expired", 62 "Hostname mismatch, ...").
 *
 * @example The same class
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CertificateError, SSLCertVerificationError } from "@pynet/net/ssl";
 * assertEquals(CertificateError, SSLCertVerificationError);
 * ```
 */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's verification code. */
  verifyCode = 0;
  /** OpenSSL's verification message. */
  verifyMessage = "";
}

/** `ssl.CertificateError`: the same class as {@linkcode SSLCertVerificationError}. */
export const CertificateError: typeof SSLCertVerificationError = SSLCertVerificationError;

/** The error CPython raises for `verifyCode`, with its message and OpenSSL's names. */
export function certVerificationError(
  verifyCode: number,
  verifyMessage: string,
  cause?: unknown,
): SSLCertVerificationError {
  const e = new SSLCertVerificationError(
    SSL_ERROR_SSL,
    `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verifyMessage}`,
    cause === undefined ? undefined : { cause },
  );
  e.library = "SSL";
  e.reason = "CERTIFICATE_VERIFY_FAILED";
  e.verifyCode = verifyCode;
  e.verifyMessage = verifyMessage;
  return e;
}

function sslError(reason: string, text: string, cause: unknown): SSLError {
  const e = new SSLError(SSL_ERROR_SSL, `[SSL: ${reason}] ${text}`, { cause });
  e.library = "SSL";
  e.reason = reason;
  return e;
}

/** node:tls's verification codes, as OpenSSL's numbers and messages. */
/** OpenSSL's `X509_V_ERR_UNSPECIFIED`: a verify failure OpenSSL has no code of its own for. */
const X509_V_ERR_UNSPECIFIED = 1;
/** OpenSSL's `X509_V_ERR_CERT_HAS_EXPIRED`. */
const X509_V_ERR_CERT_HAS_EXPIRED = 10;
/** OpenSSL's `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY`. */
const X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20;
/** OpenSSL's `X509_V_ERR_HOSTNAME_MISMATCH`. */
const X509_V_ERR_HOSTNAME_MISMATCH = 62;

const NODE_VERIFY_CODES: Record<string, [number, string]> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    "unable to get local issuer certificate",
  ],
  UNABLE_TO_GET_ISSUER_CERT: [2, "unable to get issuer certificate"],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, "unable to verify the first certificate"],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, "self-signed certificate"],
  SELF_SIGNED_CERT_IN_CHAIN: [19, "self-signed certificate in certificate chain"],
  CERT_HAS_EXPIRED: [X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired"],
  CERT_NOT_YET_VALID: [9, "certificate is not yet valid"],
  CERT_UNTRUSTED: [27, "certificate not trusted"],
  CERT_REJECTED: [28, "certificate rejected"],
};

/**
 * Translates a TLS failure from Deno (rustls) or node:tls into CPython's class for the same
 * cause; other errors go through `fallback` (the socket layer's translation).
 */
export function fromTlsError(
  e: unknown,
  hostname: string | null,
  fallback: (e: unknown) => Error,
): Error {
  if (e instanceof OSError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code in NODE_VERIFY_CODES) {
    const [verifyCode, verifyMessage] = NODE_VERIFY_CODES[code]!;
    return certVerificationError(verifyCode, verifyMessage, e);
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || /not valid for name/.test(message)) {
    return certVerificationError(
      X509_V_ERR_HOSTNAME_MISMATCH,
      `Hostname mismatch, certificate is not valid for '${hostname ?? ""}'.`,
      e,
    );
  }
  if (/invalid peer certificate: UnknownIssuer/.test(message)) {
    return certVerificationError(
      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
      "unable to get local issuer certificate",
      e,
    );
  }
  if (/invalid peer certificate: certificate expired/.test(message)) {
    return certVerificationError(X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired", e);
  }
  if (/invalid peer certificate/.test(message)) {
    return certVerificationError(
      X509_V_ERR_UNSPECIFIED,
      message.replace(/^.*invalid peer certificate: /, ""),
      e,
    );
  }
  if (/InvalidContentType|wrong version number|WRONG_VERSION_NUMBER/i.test(message)) {
    return sslError("WRONG_VERSION_NUMBER", "wrong version number", e);
  }
  if (
    (e instanceof Error && e.name === "UnexpectedEof") ||
    /close_notify|UnexpectedEof|socket hang up|ECONNRESET.*TLS/i.test(message) ||
    // node:tls's client, for a server that closes during the handshake.
    /disconnected before secure TLS connection/.test(message)
  ) {
    // Deno's TLS connections say "unexpected end of file" (class UnexpectedEof) for a peer
    // that closes during the handshake, where CPython raises SSLEOFError too.
    const eof = new SSLEOFError(
      SSL_ERROR_EOF,
      "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol",
      { cause: e },
    );
    eof.library = "SSL";
    eof.reason = "UNEXPECTED_EOF_WHILE_READING";
    return eof;
  }
  if (/KeyMismatch|keys may not be consistent/.test(message)) {
    // Deno's listenTls, given a key that does not match the certificate.
    const mismatch = new SSLError(
      SSL_ERROR_SSL,
      "[X509: KEY_VALUES_MISMATCH] key values mismatch",
      {
        cause: e,
      },
    );
    mismatch.library = "X509";
    mismatch.reason = "KEY_VALUES_MISMATCH";
    return mismatch;
  }
  if (/peer did not return a certificate|peer sent no certificates/.test(message)) {
    return sslError("PEER_DID_NOT_RETURN_A_CERTIFICATE", "peer did not return a certificate", e);
  }
  const alert = /received fatal alert: (\w+)/.exec(message);
  if (alert) {
    const name = snake(alert[1]!);
    const prefix = SSLV3_ALERTS.has(name) ? "SSLV3" : TLSV13_ALERTS.has(name) ? "TLSV13" : "TLSV1";
    return sslError(
      `${prefix}_ALERT_${name}`,
      `${prefix.toLowerCase()} alert ${name.toLowerCase().replaceAll("_", " ")}`,
      e,
    );
  }
  if (
    /NoApplicationProtocol|no application protocol|doesn't support any known protocol/i.test(
      message,
    )
  ) {
    return sslError("NO_APPLICATION_PROTOCOL", "no application protocol", e);
  }
  if (e instanceof Error && (e.name === "InvalidData" || /^ERR_SSL|^ERR_TLS/.test(String(code)))) {
    return sslError("SSL", message, e);
  }
  return fallback(e);
}

/** rustls's alert name (`UnknownCA`) as OpenSSL's (`UNKNOWN_CA`). */
function snake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

// OpenSSL names an alert after the protocol that defined it, as CPython's messages show
// ("[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate"); the rest are TLSV1_.
const SSLV3_ALERTS = new Set([
  "UNEXPECTED_MESSAGE",
  "BAD_RECORD_MAC",
  "DECOMPRESSION_FAILURE",
  "HANDSHAKE_FAILURE",
  "NO_CERTIFICATE",
  "BAD_CERTIFICATE",
  "UNSUPPORTED_CERTIFICATE",
  "CERTIFICATE_REVOKED",
  "CERTIFICATE_EXPIRED",
  "CERTIFICATE_UNKNOWN",
  "ILLEGAL_PARAMETER",
]);
const TLSV13_ALERTS = new Set(["MISSING_EXTENSION", "CERTIFICATE_REQUIRED"]);

/** `SSLWantReadError` as CPython words it. */
export function wantRead(): SSLWantReadError {
  return new SSLWantReadError(SSL_ERROR_WANT_READ, "The operation did not complete (read)");
}

/** `SSLWantWriteError` as CPython words it. */
export function wantWrite(): SSLWantWriteError {
  return new SSLWantWriteError(SSL_ERROR_WANT_WRITE, "The operation did not complete (write)");
}

/** `SSLZeroReturnError` as CPython words it. */
export function zeroReturn(): SSLZeroReturnError {
  return new SSLZeroReturnError(SSL_ERROR_ZERO_RETURN, "TLS/SSL connection has been closed (EOF)");
}
