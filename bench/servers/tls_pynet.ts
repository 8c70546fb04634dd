// pynet's TLS echo: the tls_raw_deno.ts loop written with pynet's Python-style ssl API, so the
// difference between the two is the cost of the pynet layer.
//
//   tls_pynet.ts [--handshake-in-accept] [--recv-into]
//
// Default: the listener is wrapped with doHandshakeOnConnect: false and each connection's
// task calls doHandshake() itself, so one slow handshake never holds up accept() (as a
// CPython threaded server does the handshake in the connection's thread).
// --handshake-in-accept: Python's default instead: accept() returns with the handshake done,
// so the accept loop waits for each handshake in turn.
// --recv-into: each connection reads with recvInto() into its own 64 KiB buffer (as raw Deno's
// loop does) instead of recv(65536), which returns new bytes each call (as CPython's does).
// Prints its port, then serves until killed.
import { PROTOCOL_TLS_SERVER, SSLContext, type SSLSocket } from "../../ssl/mod.ts";
import { createServer } from "../../socket/mod.ts";

const inAccept = Deno.args.includes("--handshake-in-accept");
const recvInto = Deno.args.includes("--recv-into");
const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
ctx.loadCertChain("tests/certs/server.pem", "tests/certs/server.key");
const listener = await ctx.wrapSocket(createServer(["127.0.0.1", 0]), {
  serverSide: true,
  doHandshakeOnConnect: inAccept,
});
console.log(listener.getsockname()[1]);

async function echo(conn: SSLSocket): Promise<void> {
  try {
    if (!inAccept) await conn.doHandshake();
    const buffer = recvInto ? new Uint8Array(65536) : null;
    for (;;) {
      const data = buffer
        ? buffer.subarray(0, await conn.recvInto(buffer))
        : await conn.recv(65536);
      if (data.length === 0) break;
      await conn.sendall(data);
    }
  } catch {
    // A failed handshake or a peer reset ends this connection only.
  } finally {
    conn.close();
  }
}

for (;;) {
  try {
    const [conn] = await listener.accept();
    echo(conn);
  } catch {
    // With the handshake in accept(), a client's failed handshake rejects accept() itself.
  }
}
