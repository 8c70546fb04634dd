// CPython's ssl constants, with the values CPython 3.11 uses.

/** `ssl.PROTOCOL_TLS` (also `PROTOCOL_SSLv23`): either side, negotiated; a server by default. */
export const PROTOCOL_TLS = 2;
/** `ssl.PROTOCOL_SSLv23`: the old name of `PROTOCOL_TLS`. */
export const PROTOCOL_SSLv23 = 2;
/** `ssl.PROTOCOL_TLS_CLIENT`: a client context that verifies and checks the host name. */
export const PROTOCOL_TLS_CLIENT = 16;
/** `ssl.PROTOCOL_TLS_SERVER`: a server context. */
export const PROTOCOL_TLS_SERVER = 17;

/** `ssl.CERT_NONE`: the peer's certificate is not verified. */
export const CERT_NONE = 0;
/** `ssl.CERT_OPTIONAL`: a certificate the peer sends is verified; a server does not require one. */
export const CERT_OPTIONAL = 1;
/** `ssl.CERT_REQUIRED`: the peer must send a certificate that verifies. */
export const CERT_REQUIRED = 2;

/** `ssl.TLSVersion`: the protocol versions of `minimumVersion` / `maximumVersion`. */
export const TLSVersion = {
  MINIMUM_SUPPORTED: -2,
  SSLv3: 768,
  TLSv1: 769,
  TLSv1_1: 770,
  TLSv1_2: 771,
  TLSv1_3: 772,
  MAXIMUM_SUPPORTED: -1,
} as const;

/** `ssl.Purpose`: what `createDefaultContext` makes a context for. */
export const Purpose = {
  /** Verify servers: a client context. */
  SERVER_AUTH: "SERVER_AUTH",
  /** Verify clients: a server context. */
  CLIENT_AUTH: "CLIENT_AUTH",
} as const;

/** A `Purpose` value. */
export type PurposeValue = typeof Purpose[keyof typeof Purpose];

/** `ssl.SSL_ERROR_SSL`. */
export const SSL_ERROR_SSL = 1;
/** `ssl.SSL_ERROR_WANT_READ`. */
export const SSL_ERROR_WANT_READ = 2;
/** `ssl.SSL_ERROR_WANT_WRITE`. */
export const SSL_ERROR_WANT_WRITE = 3;
/** `ssl.SSL_ERROR_SYSCALL`. */
export const SSL_ERROR_SYSCALL = 5;
/** `ssl.SSL_ERROR_ZERO_RETURN`. */
export const SSL_ERROR_ZERO_RETURN = 6;
/** `ssl.SSL_ERROR_EOF`. */
export const SSL_ERROR_EOF = 8;

/** `ssl.HAS_SNI`: servers see the name the client asked for. */
export const HAS_SNI = true;
/** `ssl.HAS_ALPN`. */
export const HAS_ALPN = true;
/** `ssl.HAS_TLSv1_2`. */
export const HAS_TLSv1_2 = true;
/** `ssl.HAS_TLSv1_3`. */
export const HAS_TLSv1_3 = true;
/** `ssl.HAS_TLSv1` (false: Deno's TLS stacks do not speak TLS 1.0). */
export const HAS_TLSv1 = false;
/** `ssl.HAS_TLSv1_1` (false: Deno's TLS stacks do not speak TLS 1.1). */
export const HAS_TLSv1_1 = false;
