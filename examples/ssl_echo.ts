/**
 * A TLS echo server and its client on loopback, on pynet's `ssl` module, with the test
 * certificates of `tests/certs/` (test-only keys: never trust `ca.pem` elsewhere).
 *
 * The server wraps a listening socket with a `PROTOCOL_TLS_SERVER` context and echoes each
 * connection until the client closes; the client verifies the server against `ca.pem` as
 * `localhost`, sends a few lines, reads the echo back, and prints what TLS agreed on. With
 * `--mutual` the server requires a client certificate too (node:tls runs the server then) and
 * prints the client's certificate subject. It serves one client and exits by itself.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 --allow-read=tests/certs examples/ssl_echo.ts
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 --allow-read=tests/certs examples/ssl_echo.ts --mutual
 * ```
 *
 * The Python original, for comparison:
 *
 * ```python
 * server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
 * server_ctx.load_cert_chain("tests/certs/server.pem", "tests/certs/server.key")
 * with server_ctx.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True) as srv:
 *     client_ctx = ssl.create_default_context(cafile="tests/certs/ca.pem")
 *     with client_ctx.wrap_socket(socket.create_connection(srv.getsockname()),
 *                                 server_hostname="localhost") as tls:
 *         ...
 * ```
 *
 * @module
 */
import { createConnection, createServer, SHUT_WR } from "../socket/mod.ts";
import {
  CERT_REQUIRED,
  createDefaultContext,
  type PeerCertificate,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLSocket,
} from "../ssl/mod.ts";

const certs = new URL("../tests/certs/", import.meta.url);
const cert = (name: string) => new URL(name, certs).pathname;
const mutual = Deno.args.includes("--mutual");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Echoes one connection until its client closes, then closes it. */
async function echo(conn: SSLSocket): Promise<number> {
  let total = 0;
  try {
    for (;;) {
      const data = await conn.recv(4096);
      if (data.length === 0) return total;
      await conn.sendall(data);
      total += data.length;
    }
  } finally {
    conn.close();
  }
}

// The server side: a context with the server's certificate, wrapped around a listening socket.
const serverCtx = new SSLContext(PROTOCOL_TLS_SERVER);
serverCtx.loadCertChain(cert("server.pem"), cert("server.key"));
if (mutual) {
  serverCtx.verifyMode = CERT_REQUIRED;
  serverCtx.loadVerifyLocations(cert("ca.pem"));
}
using server = await serverCtx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
const address = server.getsockname() as [string, number];
console.log(`server: listening on ${address[0]}:${address[1]}`);

const serving = (async () => {
  const [conn, peer] = await server.accept();
  const subject = (conn.getpeercert() as PeerCertificate | null)?.subject;
  console.log(
    `server: ${conn.tlsEngine()} TLS with ${peer[0]}:${peer[1]}` +
      (subject ? `, client certificate ${JSON.stringify(subject)}` : ""),
  );
  const total = await echo(conn);
  console.log(`server: echoed ${total} bytes, connection closed`);
})();

// The client side: verify the server against the test CA, as "localhost".
const clientCtx = createDefaultContext(undefined, { cafile: cert("ca.pem") });
if (mutual) clientCtx.loadCertChain(cert("client.pem"), cert("client.key"));
const plain = await createConnection(address);
{
  using tls = await clientCtx.wrapSocket(plain, { serverHostname: "localhost" });
  const peerCert = tls.getpeercert() as PeerCertificate;
  console.log(
    `client: ${tls.tlsEngine()} TLS, version ${tls.version() ?? "(not reported)"}, ` +
      `server certificate ${JSON.stringify(peerCert.subject)} valid until ${peerCert.notAfter}`,
  );
  const lines = ["hello over TLS\n", "second line\n", "bye\n"];
  for (const line of lines) {
    await tls.sendall(encoder.encode(line));
    let echoed = "";
    while (echoed.length < line.length) echoed += decoder.decode(await tls.recv(4096));
    console.log(`client: sent ${JSON.stringify(line)}, got ${JSON.stringify(echoed)}`);
    if (echoed !== line) throw new Error("the echo does not match");
  }
  tls.shutdown(SHUT_WR);
  const rest = await tls.recv(4096);
  console.log(`client: server closed (${rest.length} more bytes)`);
}
await serving;
