// node:tls over a socket's connection: the engine for what Deno's own TLS API cannot do
// (server side on an accepted connection, client-certificate checks, CERT_NONE clients,
// client certificates, version limits). node:tls is loaded only when a session needs it.
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { ByteConn } from "../_core/channel.ts";
import type { NodeCertificate } from "./_certificate.ts";
import type { SessionOptions, TlsSession } from "./_session.ts";

const READ_SIZE = 64 * 1024;

/** What became of the writes to the plain connection under a node:tls session. */
interface PlainWrites {
  /** The error a write to the plain connection met, once one has. */
  error: unknown;
  /** Writes node:tls has handed to the plain connection that have not completed yet. */
  inFlight: number;
  /** Who waits for the writes to the plain connection to stop (see closeWrite). */
  idleWaiters: (() => void)[];
}

/**
 * node's Duplex over our connection: what node:tls reads from and writes to. A failed write
 * is recorded in `writes` too, since node:tls (Deno 2.9.6) does not pass it on (see
 * NodeTlsConn.write).
 */
function duplexOver(DuplexClass: typeof Duplex, conn: ByteConn, writes: PlainWrites): Duplex {
  let reading = false;
  const duplex: Duplex = new DuplexClass({
    read() {
      if (reading) return;
      reading = true;
      const buffer = new Uint8Array(READ_SIZE);
      conn.read(buffer).then(
        (n) => {
          reading = false;
          duplex.push(n === null ? null : buffer.subarray(0, n));
        },
        (e) => duplex.destroy(e),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
      writes.inFlight++;
      // node:tls writes its next record from inside this callback when it has one: once the
      // callback returns with nothing in flight, it has no more to write for now.
      const done = (e?: unknown) => {
        writes.inFlight--;
        callback(e as Error | undefined);
        if (writes.inFlight === 0 && writes.idleWaiters.length > 0) {
          const waiters = writes.idleWaiters;
          writes.idleWaiters = [];
          for (const wake of waiters) wake();
        }
      };
      writeAll(conn, chunk).then(() => done(), (e) => {
        writes.error ??= e;
        done(e);
      });
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), () => callback());
    },
    destroy(error, callback) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      callback(error);
    },
  });
  return duplex;
}

async function writeAll(conn: ByteConn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await conn.write(data.subarray(offset));
}

/** Our connection interface over a node TLSSocket, in paused mode. */
class NodeTlsConn implements ByteConn {
  /** The addresses of the connection under TLS, which getsockname() and getpeername() read. */
  readonly localAddr: Deno.Addr | undefined;
  readonly remoteAddr: Deno.Addr | undefined;
  #socket: TLSSocket;
  #plain: ByteConn;
  #ended = false;
  /** The plain connection under TLS has reached EOF. */
  #plainEnded = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;
  #plainWrites: PlainWrites;
  #duplex: Duplex;

  constructor(socket: TLSSocket, plain: ByteConn, duplex: Duplex, plainWrites: PlainWrites) {
    this.#plainWrites = plainWrites;
    this.#duplex = duplex;
    this.localAddr = (plain as Partial<Deno.Conn>).localAddr;
    this.remoteAddr = (plain as Partial<Deno.Conn>).remoteAddr;
    this.#socket = socket;
    this.#plain = plain;
    const wake = () => {
      const resolve = this.#wake;
      this.#wake = null;
      resolve?.();
    };
    socket.on("readable", wake);
    socket.on("end", () => {
      this.#ended = true;
      wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      wake();
    });
    socket.on("error", (e) => {
      this.#error = e;
      wake();
    });
    // Registered after node:tls's own listener (JSStreamSocket's), which hands it the EOF.
    duplex.once("end", () => {
      this.#plainEnded = true;
      wake();
    });
  }

  async read(p: Uint8Array): Promise<number | null> {
    for (;;) {
      const chunk = this.#socket.read() as Uint8Array | null;
      if (chunk && chunk.length > 0) {
        const n = Math.min(chunk.length, p.length);
        p.set(chunk.subarray(0, n));
        if (n < chunk.length) this.#socket.unshift(chunk.subarray(n));
        return n;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      // node:tls decrypts what the plain connection brings as it lands, so once that has
      // ended and read() (which restarts a paused node:tls) finds nothing, nothing more will
      // come. node:tls (Deno 2.9.6) does not always say so: after a large transfer its socket
      // may never emit "end", for the peer's close_notify or for this EOF.
      if (this.#plainEnded && this.#socket.readableLength === 0) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  write(p: Uint8Array): Promise<number> {
    const failed = this.#writeError();
    if (failed) return Promise.reject(failed);
    return new Promise((resolve, reject) => {
      this.#socket.write(p.slice(), (e) => {
        // node:tls (Deno 2.9.6) calls back without an error when the plain connection's write
        // failed (a peer that reset mid-way), and reports the error only later: a write is done
        // only if no write to the plain connection has failed by then, as Deno's own TLS says.
        const error = e ?? this.#writeError();
        if (error) reject(error);
        else resolve(p.length);
      });
    });
  }

  #writeError(): unknown {
    return this.#plainWrites.error ?? this.#error;
  }

  /**
   * shutdown(SHUT_WR): close_notify, then the plain connection's own half-close (a TCP FIN),
   * as CPython's SSLSocket.shutdown() ends with the socket's. node:tls (Deno 2.9.6) sends only
   * the close_notify over a Duplex and never ends it, and its peer side does not always see a
   * close_notify that lands with the last records of a large transfer: the FIN is the EOF
   * every peer sees. The Duplex is ended only once node:tls has written everything, the
   * close_notify last, so the FIN cannot overtake a byte.
   */
  async closeWrite(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.end(() => resolve()));
    // node:tls hands the close_notify to the Duplex from a microtask after "finish", or from
    // the callback of the write still in flight: a macrotask later, it has been handed over.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    while (this.#plainWrites.inFlight > 0) {
      await new Promise<void>((resolve) => this.#plainWrites.idleWaiters.push(resolve));
    }
    await new Promise<void>((resolve) => {
      this.#duplex.end(() => resolve());
      // A destroyed Duplex (the socket closed meanwhile) never finishes: nothing to wait for.
      if (this.#duplex.destroyed) resolve();
    });
  }

  /** TLS reads are the plain connection's reads: they hold the process when it is ref'd. */
  ref(): void {
    this.#plain.ref?.();
  }

  unref(): void {
    this.#plain.unref?.();
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    const resolve = this.#wake;
    this.#wake = null;
    resolve?.();
  }
}

/** The key size of a cipher suite, from its IANA name (`TLS_AES_256_GCM_SHA384` -> 256). */
function secretBits(name: string): number {
  if (/CHACHA20/.test(name)) return 256;
  const bits = /AES_(\d+)/.exec(name)?.[1];
  return bits ? Number(bits) : 0;
}

const VERSIONS: Record<string, "TLSv1.2" | "TLSv1.3"> = {
  "TLSv1.2": "TLSv1.2",
  "TLSv1.3": "TLSv1.3",
};

/** Starts a node:tls session (client or server side) over `conn`. */
export async function nodeSession(conn: ByteConn, options: SessionOptions): Promise<TlsSession> {
  const [{ Duplex: DuplexClass }, tls] = await Promise.all([
    import("node:stream"),
    import("node:tls"),
  ]);
  const plainWrites: PlainWrites = { error: null, inFlight: 0, idleWaiters: [] };
  const duplex = duplexOver(DuplexClass, conn, plainWrites);
  const common = {
    ...(options.caCerts ? { ca: options.caCerts } : {}),
    ...(options.cert ? { cert: options.cert } : {}),
    ...(options.key ? { key: options.key } : {}),
    ...(options.alpnProtocols ? { ALPNProtocols: options.alpnProtocols } : {}),
    ...(options.minVersion ? { minVersion: VERSIONS[options.minVersion] } : {}),
    ...(options.maxVersion ? { maxVersion: VERSIONS[options.maxVersion] } : {}),
  };
  let socket: TLSSocket;
  let ready: Promise<void>;
  if (options.serverSide) {
    const server = tls.createServer({
      ...common,
      requestCert: options.requestCert !== "no",
      rejectUnauthorized: false,
    });
    const secured = new Promise<TLSSocket>((resolve, reject) => {
      server.once("secureConnection", resolve);
      server.once("tlsClientError", reject);
      // Deno's node:tls reports nothing for a client that closes before the handshake ends
      // (the handshake would wait forever): the connection's end is node's "socket hang up".
      const hangUp = () =>
        reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      duplex.once("end", hangUp);
      duplex.once("close", hangUp);
      duplex.once("error", reject);
    });
    server.emit("connection", duplex);
    // node creates the server's TLSSocket inside; it is ours once the handshake is done.
    socket = await secured;
    ready = Promise.resolve();
    if (options.requestCert !== "no") {
      // The client's certificate is checked here rather than by node (rejectUnauthorized),
      // which only hangs up: this way the error says why, as CPython's does.
      const peer = socket.getPeerCertificate();
      const presented = peer !== null && Object.keys(peer).length > 0;
      let error: Error | null = null;
      if (presented && !socket.authorized) {
        error = Object.assign(new Error(String(socket.authorizationError)), {
          code: String(socket.authorizationError),
        });
      } else if (!presented && options.requestCert === "require") {
        error = new Error("peer did not return a certificate");
      }
      if (error) {
        socket.destroy();
        throw error;
      }
    }
  } else {
    socket = tls.connect({
      ...common,
      socket: duplex,
      ...(options.hostname ? { servername: options.hostname } : {}),
      rejectUnauthorized: options.verify,
      ...(options.checkHostname ? {} : { checkServerIdentity: () => undefined }),
    });
    ready = new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", (e: Error) => reject(e));
    });
  }
  const tlsConn = new NodeTlsConn(socket, conn, duplex, plainWrites);
  return {
    conn: tlsConn,
    engine: "node",
    handshake: () => ready,
    alpnProtocol: () => (typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null),
    cipher: () => {
      const c = socket.getCipher();
      if (!c) return null;
      // CPython gives OpenSSL's name (node's `name`), not the IANA one (`standardName`).
      return [c.name, c.version, secretBits(c.standardName ?? c.name)];
    },
    version: () => socket.getProtocol() ?? null,
    peerCertificate: () => {
      const cert = socket.getPeerCertificate(true) as unknown as NodeCertificate | null;
      return cert && Object.keys(cert).length > 0 ? cert : null;
    },
  };
}
