// SSLContext: CPython's settings object for TLS, and the session settings it gives a socket.
import { ENOENT } from "../_core/errno.ts";
import { fromDenoError, osError, ValueError } from "../_core/errors.ts";
import { asCInt, asCLong, pyTypeName, reprChar, UnicodeEncodeError } from "../_core/args.ts";
import type { Socket } from "../socket/mod.ts";
import {
  derCertToPemCert,
  isDerSequence,
  pemCertificates,
  pemCertToDerCert,
} from "./_certificate.ts";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  type PurposeValue,
  TLSVersion,
} from "./_constants.ts";
import { SSLError } from "./_errors.ts";
import { defaultVerifyCerts } from "./_verify_paths.ts";
import type { SessionOptions } from "./_session.ts";
import { type SSLSocket, type WrapSocketOptions, wrapWithContext } from "./_sslsocket.ts";

/** OpenSSL's library code of its PEM routines: the `errno` of CPython's "PEM lib" error. */
const ERR_LIB_PEM = 9;
/** OpenSSL's `X509_R_KEY_VALUES_MISMATCH`: a private key that is not the certificate's. */
const X509_R_KEY_VALUES_MISMATCH = 116;

/** CPython's check of a path argument (a `str` or bytes). */
function checkPath(path: unknown, what: string): void {
  if (typeof path !== "string" && !(path instanceof Uint8Array)) {
    throw new TypeError(`${what} should be a valid filesystem path`);
  }
}

/**
 * CPython (OpenSSL) checks that the private key belongs to the certificate when it loads them:
 * `SSLError` `KEY_VALUES_MISMATCH`. Checked where node:crypto is at hand.
 */
function checkKeyMatches(cert: string, key: string): void {
  const crypto = nodeCrypto();
  if (!crypto?.X509Certificate) return;
  let matches = true;
  try {
    matches = new crypto.X509Certificate(cert).checkPrivateKey(crypto.createPrivateKey(key));
  } catch {
    return; // what node:crypto cannot read is left to the handshake, as before
  }
  if (!matches) {
    const error = new SSLError(
      X509_R_KEY_VALUES_MISMATCH,
      "[X509: KEY_VALUES_MISMATCH] key values mismatch",
    );
    error.library = "X509";
    error.reason = "KEY_VALUES_MISMATCH";
    throw error;
  }
}

/**
 * Reads a text file as Python's `open()` would, with CPython's errors: `FileNotFoundError`,
 * `IsADirectoryError`, and `PermissionError` naming the flag to add (`--allow-read=...`)
 * where Deno lacks the permission.
 */
function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw osError(ENOENT, undefined, e);
    throw fromDenoError(e);
  }
}

/** The files of a `capath` directory; none when it does not exist (OpenSSL looks lazily). */
function filesIn(capath: string): string[] {
  try {
    return [...Deno.readDirSync(capath)].filter((entry) => entry.isFile).map((entry) =>
      `${capath}/${entry.name}`
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw fromDenoError(e);
  }
}

const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** What `process.getBuiltinModule` gives for node:crypto (the parts used here). */
interface NodeCrypto {
  createPrivateKey(options: { key: string; passphrase: string } | string): {
    export(options: { type: "pkcs8"; format: "pem" }): string | Uint8Array;
  };
  X509Certificate?: new (pem: string) => { checkPrivateKey(key: unknown): boolean };
}

/**
 * node:crypto, loaded synchronously (only encrypted keys need it), so that a wrong password
 * fails in `loadCertChain` itself, as in CPython; `null` where this Deno cannot.
 */
function nodeCrypto(): NodeCrypto | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  return (process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined) ?? null;
}

/** The private key `block`, decrypted with `password`, by `crypto`. */
function decryptKey(crypto: NodeCrypto, block: string, password: string): string {
  try {
    return String(
      crypto.createPrivateKey({ key: block, passphrase: password })
        .export({ type: "pkcs8", format: "pem" }),
    );
  } catch (e) {
    const error = new SSLError(ERR_LIB_PEM, "[SSL] PEM lib", { cause: e });
    error.library = "SSL";
    error.reason = "PEM_LIB";
    throw error;
  }
}

/** The private key `block`, decrypted with node:crypto loaded asynchronously. */
async function decryptKeyLater(block: string, password: string): Promise<string> {
  const crypto = await import("node:crypto") as unknown as NodeCrypto;
  return decryptKey(crypto, block, password);
}

function pemError(detail: string): SSLError {
  const error = new SSLError(ERR_LIB_PEM, `[SSL] PEM lib (${detail})`);
  error.library = "SSL";
  error.reason = "PEM_LIB";
  return error;
}

const VERSION_NAMES = new Map<number, string>([
  [TLSVersion.TLSv1_2, "TLSv1.2"],
  [TLSVersion.TLSv1_3, "TLSv1.3"],
]);

/** The key of a context's session settings, which only this file can name. */
const sessionOptions: unique symbol = Symbol("SSLContext.sessionOptions");

/** The session settings a context gives one side of a connection. Internal to pynet. */
export function sessionOptionsOf(
  ctx: SSLContext,
  serverSide: boolean,
  hostname: string | null,
): SessionOptions {
  return ctx[sessionOptions](serverSide, hostname);
}

/** Password forms `loadCertChain` accepts, as Python's. */
export type Password = string | Uint8Array | (() => string | Uint8Array);

/**
 * Python's `ssl.SSLContext`: the TLS settings (trusted CAs, own certificate, verification,
 * versions, ALPN) that `wrapSocket` applies to sockets.
 *
 * @example A verifying client
 * ```ts ignore
 * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pynet/net/ssl";
 * import { createConnection } from "@pynet/net/socket";
 *
 * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
 * ctx.loadVerifyLocations("ca.pem");
 * const sock = await createConnection(["127.0.0.1", 8443]);
 * using tls = await ctx.wrapSocket(sock, { serverHostname: "localhost" });
 * console.log(tls.selectedAlpnProtocol());
 * ```
 */
export class SSLContext {
  /** The protocol given at creation. */
  readonly protocol: number;
  #verifyMode: number;
  #checkHostname: boolean;
  #minimumVersion: number = TLSVersion.TLSv1_2;
  #maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;
  #caCerts: string[] = [];
  #defaultCerts = false;
  #cert: string | null = null;
  #key: string | null = null;
  #keyLoading: Promise<void> | null = null;
  #alpn: string[] | null = null;

  /**
   * Creates a context.
   *
   * @param protocol `PROTOCOL_TLS_CLIENT`, `PROTOCOL_TLS_SERVER` or `PROTOCOL_TLS`.
   * @throws {ValueError} For another protocol.
   */
  constructor(protocol: number = PROTOCOL_TLS) {
    // As CPython: None is the default; the protocol is a C int.
    protocol = protocol === null ? PROTOCOL_TLS : asCInt(protocol);
    if (
      protocol !== PROTOCOL_TLS && protocol !== PROTOCOL_TLS_CLIENT &&
      protocol !== PROTOCOL_TLS_SERVER
    ) {
      throw new ValueError(`invalid or unsupported protocol version ${protocol}`);
    }
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    this.#checkHostname = client;
  }

  /** `CERT_NONE`, `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  get verifyMode(): number {
    return this.#verifyMode;
  }

  set verifyMode(mode: number) {
    asCLong(mode);
    if (mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED) {
      throw new ValueError("invalid value for verify_mode");
    }
    if (mode === CERT_NONE && this.#checkHostname) {
      throw new ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
    }
    this.#verifyMode = mode;
  }

  /** Whether the peer's certificate must match `serverHostname`; enabling it turns `CERT_NONE` into `CERT_REQUIRED`. */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }

  set checkHostname(flag: boolean) {
    if (flag && this.#verifyMode === CERT_NONE) this.#verifyMode = CERT_REQUIRED;
    this.#checkHostname = Boolean(flag);
  }

  /** The lowest TLS version (a `TLSVersion` value); Deno speaks TLS 1.2 and 1.3. */
  get minimumVersion(): number {
    return this.#minimumVersion;
  }

  set minimumVersion(version: number) {
    this.#minimumVersion = checkVersion(version);
  }

  /** The highest TLS version (a `TLSVersion` value). */
  get maximumVersion(): number {
    return this.#maximumVersion;
  }

  set maximumVersion(version: number) {
    this.#maximumVersion = checkVersion(version);
  }

  /**
   * Loads this side's certificate (chain) and private key, from PEM files.
   *
   * @param certfile The certificate chain; may hold the key too.
   * @param keyfile The private key, when not in `certfile`.
   * @param password For an encrypted key: the password, or a function returning it.
   * @throws {FileNotFoundError} For a missing file (`IsADirectoryError` for a directory).
   * @throws {PermissionError} Without read permission, naming the `--allow-read` flag to add.
   * @throws {SSLError} For a file that holds no certificate or key, or a wrong password.
   */
  loadCertChain(
    certfile: string,
    keyfile: string | null = null,
    password: Password | null = null,
  ): void {
    checkPath(certfile, "certfile");
    if (keyfile !== null) checkPath(keyfile, "keyfile");
    if (
      password !== null && typeof password !== "string" && typeof password !== "function" &&
      !(password instanceof Uint8Array)
    ) {
      throw new TypeError("password should be a string or callable");
    }
    const certText = readText(certfile);
    const keyText = keyfile === null ? certText : readText(keyfile);
    const certs = pemCertificates(certText);
    if (certs.length === 0) throw pemError("no certificate found");
    const block = KEY_BLOCK.exec(keyText)?.[0];
    if (!block) throw pemError("no private key found");
    if (!block.includes("ENCRYPTED")) {
      // As in CPython, a password (or its callable) is not used for a key that needs none.
      checkKeyMatches(certs[0]!, block);
      this.#cert = certs.join("\n");
      this.#key = block;
      this.#keyLoading = null;
      return;
    }
    const secret = typeof password === "function" ? password() : password;
    if (secret !== null && typeof secret !== "string" && !(secret instanceof Uint8Array)) {
      throw new TypeError("password callback must return a string");
    }
    if (secret === null) throw pemError("the private key is encrypted and no password was given");
    const passwordText = secret instanceof Uint8Array ? new TextDecoder().decode(secret) : secret;
    const crypto = nodeCrypto();
    if (crypto) {
      this.#key = decryptKey(crypto, block, passwordText);
      this.#keyLoading = null;
    } else {
      // No synchronous node:crypto: decrypt asynchronously, and wrapSocket waits for it.
      this.#key = null;
      this.#keyLoading = decryptKeyLater(block, passwordText).then((key) => {
        this.#key = key;
      });
      this.#keyLoading.catch(() => {});
    }
    this.#cert = certs.join("\n");
  }

  /**
   * Loads trusted CA certificates.
   *
   * @param cafile A PEM file of CA certificates.
   * @param capath A directory of PEM CA certificate files.
   * @param cadata PEM text, or DER bytes.
   * @throws {TypeError} When all three are left out.
   * @throws {FileNotFoundError} For a missing `cafile` (a missing `capath` is ignored, as in
   * CPython).
   * @throws {PermissionError} Without read permission, naming the `--allow-read` flag to add.
   */
  loadVerifyLocations(
    cafile: string | null = null,
    capath: string | null = null,
    cadata: string | Uint8Array | null = null,
  ): void {
    if (cafile === null && capath === null && cadata === null) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    if (cafile !== null) checkPath(cafile, "cafile");
    if (capath !== null) checkPath(capath, "capath");
    if (cadata !== null && typeof cadata !== "string" && !(cadata instanceof Uint8Array)) {
      throw new TypeError("cadata should be an ASCII string or a bytes-like object");
    }
    if (cadata !== null && cadata.length === 0) throw new ValueError("Empty certificate data");
    if (cadata instanceof Uint8Array && !isDerSequence(cadata)) {
      throw new SSLError(0, "not enough data: cadata does not contain a certificate");
    }
    const found: string[] = [];
    if (cafile !== null) found.push(...pemCertificates(readText(cafile)));
    if (capath !== null) {
      for (const file of filesIn(capath)) found.push(...pemCertificates(readText(file)));
    }
    if (typeof cadata === "string") {
      const certs = pemCertificates(cadata);
      // OpenSSL parses each PEM block: one that is no certificate is an SSLError.
      if (certs.some((pem) => !isDerSequence(pemCertToDerCert(pem)))) {
        throw new SSLError(0, "no start line: cadata does not contain a certificate");
      }
      found.push(...certs);
    } else if (cadata instanceof Uint8Array) found.push(derCertToPemCert(cadata));
    if (found.length === 0 && (cafile !== null || cadata !== null)) {
      const error = new SSLError(
        0,
        "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found",
      );
      error.library = "X509";
      error.reason = "NO_CERTIFICATE_OR_CRL_FOUND";
      throw error;
    }
    this.#caCerts.push(...found);
  }

  /**
   * Trusts the default root certificates (Deno's), and those `SSL_CERT_FILE` /
   * `SSL_CERT_DIR` name, as CPython's does through `set_default_verify_paths()`.
   */
  loadDefaultCerts(): void {
    this.setDefaultVerifyPaths();
  }

  /**
   * Python's `set_default_verify_paths()`: trusts the default roots (Deno's stand for
   * OpenSSL's default file and directory) and, as OpenSSL does, the CA certificates in the
   * file `SSL_CERT_FILE` names and in the files of the directories `SSL_CERT_DIR` names. The
   * variables are read only when Deno's `--allow-env` grants them (never prompted); a path
   * that is missing is ignored, as OpenSSL ignores it.
   *
   * @throws {PermissionError} When `--allow-read` does not grant a path the variables name.
   *
   * @example The default roots are trusted, not listed
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pynet/net/ssl";
   * // Run as `SSL_CERT_FILE=ca.pem deno run --allow-env ...`, ca.pem's CAs would be listed too.
   * Deno.env.delete("SSL_CERT_FILE");
   * Deno.env.delete("SSL_CERT_DIR");
   * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
   * ctx.setDefaultVerifyPaths();
   * assertEquals(ctx.getCaCerts(), []);
   * ```
   */
  setDefaultVerifyPaths(): void {
    this.#defaultCerts = true;
    for (const pem of defaultVerifyCerts()) {
      if (!this.#caCerts.includes(pem)) this.#caCerts.push(pem);
    }
  }

  /**
   * Sets the ALPN protocols to offer, in order of preference.
   *
   * @param protocols Protocol names such as `"h2"`, `"http/1.1"`.
   */
  setAlpnProtocols(protocols: string[]): void {
    if (typeof (protocols as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`'${pyTypeName(protocols)}' object is not iterable`);
    }
    protocols = [...protocols]; // a string gives its characters, as in Python
    for (const protocol of protocols) {
      // CPython encodes each with bytes(protocol, "ascii").
      if (typeof protocol !== "string") throw new TypeError("encoding without a string argument");
      const bad = [...protocol].findIndex((c) => c.charCodeAt(0) > 0x7f);
      if (bad >= 0) {
        throw new UnicodeEncodeError(
          `'ascii' codec can't encode character ${reprChar([...protocol][bad]!)} in position ` +
            `${bad}: ordinal not in range(128)`,
        );
      }
    }
    for (const protocol of protocols) {
      if (protocol.length === 0 || protocol.length > 255) {
        throw new SSLError(null, "ALPN protocols must be 1 to 255 in length");
      }
    }
    this.#alpn = [...protocols];
  }

  /**
   * The CA certificates loaded, as PEM text (Python's `get_ca_certs(binary_form=True)` gives
   * DER; pynet keeps PEM).
   *
   * @returns The PEM certificates.
   */
  getCaCerts(): string[] {
    return [...this.#caCerts];
  }

  /**
   * Wraps `sock` for TLS: the socket object is detached and a new {@linkcode SSLSocket} takes
   * over its connection (as Python's `wrap_socket`). A connected socket does the handshake at
   * once unless `doHandshakeOnConnect` is false; an unconnected one does it in `connect()`;
   * a listening one with `serverSide` hands out TLS sockets from `accept()`.
   *
   * @param sock A stream socket.
   * @param options `serverSide`, `serverHostname`, `doHandshakeOnConnect`, `suppressRaggedEofs`.
   * @returns The TLS socket.
   * @throws {NotImplementedError} For a datagram socket.
   * @throws {ValueError} For `serverHostname` on a server, or none when `checkHostname` is set.
   * @throws {SSLCertVerificationError} When the peer's certificate does not verify.
   */
  async wrapSocket(sock: Socket, options: WrapSocketOptions = {}): Promise<SSLSocket> {
    if (this.#keyLoading) await this.#keyLoading;
    return await wrapWithContext(this, sock, options);
  }

  /**
   * The session settings for one side (see {@linkcode sessionOptionsOf}).
   *
   * @ignore
   */
  [sessionOptions](serverSide: boolean, hostname: string | null): SessionOptions {
    const verify = this.#verifyMode !== CERT_NONE;
    return {
      serverSide,
      hostname,
      verify,
      requestCert: !serverSide || this.#verifyMode === CERT_NONE
        ? "no"
        : this.#verifyMode === CERT_OPTIONAL
        ? "optional"
        : "require",
      checkHostname: this.#checkHostname,
      caCerts: this.#caCerts.length > 0 ? this.#caCerts : this.#defaultCerts ? null : [],
      cert: this.#cert,
      key: this.#key,
      alpnProtocols: this.#alpn,
      minVersion: this.#minimumVersion > TLSVersion.TLSv1_2
        ? VERSION_NAMES.get(this.#minimumVersion) ?? null
        : null,
      maxVersion: this.#maximumVersion !== TLSVersion.MAXIMUM_SUPPORTED &&
          this.#maximumVersion < TLSVersion.TLSv1_3
        ? VERSION_NAMES.get(this.#maximumVersion) ?? "TLSv1.2"
        : null,
    };
  }
}

function checkVersion(version: number): number {
  asCLong(version);
  const known: number[] = Object.values(TLSVersion);
  if (!known.includes(version)) throw new ValueError(`${version} is not a valid TLSVersion`);
  return version;
}

/** Options of {@linkcode createDefaultContext}. */
export interface DefaultContextOptions {
  /** A PEM file of trusted CAs. */
  cafile?: string;
  /** A directory of PEM CA files. */
  capath?: string;
  /** PEM text or DER bytes of trusted CAs. */
  cadata?: string | Uint8Array;
}

/**
 * A context with secure defaults (Python's `ssl.create_default_context`): for
 * `Purpose.SERVER_AUTH` a verifying client context, for `Purpose.CLIENT_AUTH` a server context.
 * With no CA given, a verifying context trusts Deno's default roots, and the CAs that
 * `SSL_CERT_FILE` / `SSL_CERT_DIR` name when `--allow-env` lets pynet read them (as CPython,
 * through OpenSSL, trusts them).
 *
 * @param purpose `Purpose.SERVER_AUTH` (default) or `Purpose.CLIENT_AUTH`.
 * @param options `cafile`, `capath`, `cadata`.
 * @returns The context.
 *
 * @example A verifying client context
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CERT_REQUIRED, createDefaultContext } from "@pynet/net/ssl";
 * const ctx = createDefaultContext();
 * assertEquals([ctx.verifyMode, ctx.checkHostname], [CERT_REQUIRED, true]);
 * ```
 */
export function createDefaultContext(
  purpose: PurposeValue = Purpose.SERVER_AUTH,
  options: DefaultContextOptions = {},
): SSLContext {
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
    throw new TypeError(`${String(purpose)} is not a Purpose`);
  }
  const ctx = new SSLContext(
    purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER,
  );
  const { cafile = null, capath = null, cadata = null } = options;
  if (cafile !== null || capath !== null || cadata !== null) {
    ctx.loadVerifyLocations(cafile, capath, cadata);
  } else if (ctx.verifyMode !== CERT_NONE) {
    ctx.loadDefaultCerts();
  }
  return ctx;
}
