// TLS sockets under a peer that resets mid-stream, on both engines (issue 11): a sendall is
// done only when its bytes went out, so a reset rejects it, as CPython's ssl raises.
import { assert } from "@std/assert";
import { createConnection, createServer, OSError } from "../socket/mod.ts";
import type { SSLSocket } from "../ssl/mod.ts";
import { startPython, within } from "./_helpers.ts";
import { certPath, ENGINES } from "./_ssl_helpers.ts";

// python3 reads 100 KB over TLS, then resets the connection (SO_LINGER 0). As a client it
// presents client.pem (the node engine's server asks for one); as a server it prints its port.
const RESETTING_PEER = `
import socket, ssl, struct, sys
side, certs = sys.argv[1], sys.argv[2]
if side == "client":
    ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
    ctx.load_cert_chain(certs + "/client.pem", certs + "/client.key")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[3]))),
                        server_hostname="localhost")
else:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs + "/server.pem", certs + "/server.key")
    srv = socket.create_server(("127.0.0.1", 0))
    print(srv.getsockname()[1], flush=True)
    raw, _ = srv.accept()
    s = ctx.wrap_socket(raw, server_side=True)
got = 0
while got < 100_000:
    d = s.recv(65536)
    if not d:
        break
    got += len(d)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
print("reset after", got, flush=True)
`;

const CERTS = certPath("").replace(/\/$/, "");

for (const { engine, server, client } of ENGINES) {
  for (const side of ["server", "client"] as const) {
    Deno.test(`${engine} engine, ${side} side: sendall(32 MB) to a peer that resets after 100 KB rejects`, async () => {
      let sock: SSLSocket;
      let peer;
      if (side === "server") {
        using listener = await server().wrapSocket(createServer(["127.0.0.1", 0]), {
          serverSide: true,
        });
        const port = String((listener.getsockname() as [string, number])[1]);
        peer = startPython(RESETTING_PEER, ["client", CERTS, port]);
        [sock] = await within(listener.accept());
      } else {
        peer = startPython(RESETTING_PEER, ["server", CERTS]);
        const port = Number(await peer.readLine());
        const plain = await within(createConnection(["127.0.0.1", port]));
        sock = await within(client().wrapSocket(plain, { serverHostname: "localhost" }));
      }
      await using _peer = peer;
      using _sock = sock;
      assert(sock.tlsEngine() === engine);
      let error: unknown = null;
      try {
        await within(sock.sendall(new Uint8Array(32 * 1024 * 1024)), 30_000, "sendall");
      } catch (e) {
        error = e;
      }
      assert(error !== null, "sendall resolved though the peer read 100 KB and reset");
      assert(error instanceof OSError, `expected an OSError, got ${error}`);
      // ECONNRESET, or EPIPE when the kernel saw the reset before the write.
      const errno = (error as OSError).errno;
      assert(errno === 104 || errno === 32, `errno ${errno}`);
      assert((await peer.readLine()).startsWith("reset after"));
    });
  }
}
