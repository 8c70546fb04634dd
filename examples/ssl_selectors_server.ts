/**
 * A single-task TLS echo server on `selectors`, with non-blocking handshakes: the shape of
 * CPython's event-loop TLS servers (asyncore's, test_ssl's), on pynet. Accepted connections are
 * wrapped with `doHandshakeOnConnect: false`, made non-blocking, and their handshake is driven
 * by readiness: `doHandshake()` raises `SSLWantReadError` until it is done, and the selector
 * wakes the loop when it is. One slow client never holds up the others.
 *
 * It binds 127.0.0.1 on a port from the OS, prints `port <number>`, serves `--clients N` TLS
 * connections (default 1) until each has closed, and exits. A client that resets its
 * connection or fails its handshake costs only that connection, not counted among the N. With `--demo` it also runs TLS
 * clients of its own (verifying `tests/certs/ca.pem` as `localhost`) and checks their echoes.
 * The certificates are the test ones of `tests/certs/`: never trust `ca.pem` elsewhere.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 --allow-read=tests/certs examples/ssl_selectors_server.ts --demo
 * ```
 *
 * The Python original, for comparison:
 *
 * ```python
 * def handshake(conn, mask):
 *     try:
 *         conn.do_handshake()
 *     except ssl.SSLWantReadError:
 *         return  # the selector calls again when the peer has answered
 *     sel.modify(conn, selectors.EVENT_READ, echo)
 *
 * def accept(sock, mask):
 *     conn, addr = sock.accept()
 *     conn = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
 *     conn.setblocking(False)
 *     sel.register(conn, selectors.EVENT_READ, handshake)
 * ```
 *
 * @module
 */
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import { createConnection, OSError, SHUT_WR, type Socket, socket } from "../socket/mod.ts";
import {
  createDefaultContext,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLSocket,
  SSLWantReadError,
  SSLWantWriteError,
} from "../ssl/mod.ts";

type Callback = (sock: Socket, mask: number) => Promise<void>;

const CERTS = new URL("../tests/certs/", import.meta.url);

function parseArgs(args: string[]): { clients: number; demo: boolean } {
  const demo = args.includes("--demo");
  const at = args.indexOf("--clients");
  const clients = at >= 0 ? Number(args[at + 1]) : demo ? 3 : 1;
  if (!Number.isInteger(clients) || clients < 1) {
    console.error("usage: ssl_selectors_server.ts [--clients N] [--demo]");
    Deno.exit(2);
  }
  return { clients, demo };
}

/** Serves until `clients` TLS connections have been accepted and closed again. */
async function serve(listener: Socket, clients: number): Promise<void> {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(new URL("server.pem", CERTS).pathname, new URL("server.key", CERTS).pathname);
  using sel = new DefaultSelector<Callback, Socket>();
  let closed = 0;

  const finish = (conn: SSLSocket) => {
    sel.unregister(conn);
    conn.close();
    closed++;
  };

  /** A client that resets or fails its handshake ends only its own connection. */
  const drop = (conn: SSLSocket, e: unknown) => {
    if (!(e instanceof OSError) || e instanceof SSLWantWriteError) throw e;
    console.log("dropping", String(conn) + ":", e.message);
    sel.unregister(conn);
    conn.close();
  };

  const echo: Callback = async (sock) => {
    const conn = sock as SSLSocket;
    let data: Uint8Array;
    try {
      data = await conn.recv(16384);
    } catch (e) {
      if (e instanceof SSLWantReadError) return; // a TLS record not yet whole
      drop(conn, e);
      return;
    }
    if (data.length === 0) {
      console.log("closing", String(conn));
      finish(conn);
      return;
    }
    // Non-blocking: a full send buffer takes part of it; wait until it takes the rest.
    let sent = 0;
    while (sent < data.length) {
      try {
        sent += await conn.send(data.subarray(sent));
      } catch (e) {
        if (!(e instanceof SSLWantWriteError)) {
          drop(conn, e);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };

  const handshake: Callback = async (sock) => {
    const conn = sock as SSLSocket;
    try {
      await conn.doHandshake();
    } catch (e) {
      if (e instanceof SSLWantReadError || e instanceof SSLWantWriteError) return;
      console.log("handshake failed:", (e as Error).message);
      drop(conn, e);
      return;
    }
    console.log("handshake done with", String(conn.getpeername()));
    sel.modify(conn, EVENT_READ, echo);
  };

  const accept: Callback = async (sock) => {
    const [plain] = await sock.accept();
    const conn = await ctx.wrapSocket(plain, { serverSide: true, doHandshakeOnConnect: false });
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, handshake);
    // Start it now: the first call sends nothing yet and asks to be called when readable.
    await handshake(conn, EVENT_READ);
  };

  listener.setblocking(false);
  sel.register(listener, EVENT_READ, accept);
  while (closed < clients) {
    for (const [key, mask] of await sel.select()) await key.data(key.fileobj, mask);
  }
}

/** A TLS client of the demo: sends `message`, half-closes, and reads the echo to EOF. */
async function demoClient(port: number, message: string): Promise<boolean> {
  const ctx = createDefaultContext(undefined, { cafile: new URL("ca.pem", CERTS).pathname });
  const plain = await createConnection(["127.0.0.1", port]);
  using conn = await ctx.wrapSocket(plain, { serverHostname: "localhost" });
  await conn.sendall(new TextEncoder().encode(message));
  conn.shutdown(SHUT_WR);
  const decoder = new TextDecoder();
  let echoed = "";
  for (;;) {
    const data = await conn.recv(4096);
    if (data.length === 0) break;
    echoed += decoder.decode(data, { stream: true });
  }
  console.log(
    `demo client got back ${echoed.length} characters over TLS:`,
    echoed === message ? "ok" : "MISMATCH",
  );
  return echoed === message;
}

if (import.meta.main) {
  const { clients, demo } = parseArgs(Deno.args);
  using sock = socket();
  sock.bind(["127.0.0.1", 0]);
  sock.listen(100);
  const port = (sock.getsockname() as [string, number])[1];
  console.log("port", port);
  const serving = serve(sock, clients);
  if (demo) {
    const messages = Array.from(
      { length: clients },
      (_, i) => `hello over TLS from client ${i}\n`.repeat(200),
    );
    const results = await Promise.all(messages.map((message) => demoClient(port, message)));
    await serving;
    if (results.includes(false)) Deno.exit(1);
  } else {
    await serving;
  }
}
