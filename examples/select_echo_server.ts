/**
 * The echo server of Python's `selectors` documentation, on pynet: one `DefaultSelector`,
 * a non-blocking listening socket, and `key.data` callbacks that accept connections and echo
 * what they read.
 *
 * It binds 127.0.0.1 on a port from the OS, prints `port <number>`, serves `--clients N`
 * connections (default 1) until each has closed, and exits. A client that resets its
 * connection costs only that connection: it is dropped, and not counted among the N. With `--demo` it also runs two
 * clients of its own and checks that each gets its bytes back.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/select_echo_server.ts --demo
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/select_echo_server.ts --clients 3
 * ```
 *
 * The Python original, for comparison:
 *
 * ```python
 * def accept(sock, mask):
 *     conn, addr = sock.accept()  # Should be ready
 *     print('accepted', conn, 'from', addr)
 *     conn.setblocking(False)
 *     sel.register(conn, selectors.EVENT_READ, read)
 *
 * def read(conn, mask):
 *     try:
 *         data = conn.recv(1000)  # Should be ready
 *     except ConnectionError:  # the client reset its connection: drop it, serve the others
 *         sel.unregister(conn)
 *         conn.close()
 *         return
 *     if data:
 *         print('echoing', repr(data), 'to', conn)
 *         conn.send(data)  # Hope it won't block
 *     else:
 *         print('closing', conn)
 *         sel.unregister(conn)
 *         conn.close()
 * ```
 *
 * @module
 */
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import { ConnectionError, createConnection, SHUT_WR, type Socket, socket } from "../socket/mod.ts";

type Callback = (sock: Socket, mask: number) => Promise<void>;

function parseArgs(args: string[]): { clients: number; demo: boolean } {
  const demo = args.includes("--demo");
  const at = args.indexOf("--clients");
  const clients = at >= 0 ? Number(args[at + 1]) : demo ? 2 : 1;
  if (!Number.isInteger(clients) || clients < 1) {
    console.error("usage: select_echo_server.ts [--clients N] [--demo]");
    Deno.exit(2);
  }
  return { clients, demo };
}

/** Serves until `clients` connections have been accepted and closed again. */
async function serve(sock: Socket, clients: number): Promise<void> {
  using sel = new DefaultSelector<Callback, Socket>();
  let closed = 0;

  /** A connection its client reset (ConnectionResetError, ...) ends; the server goes on. */
  const drop = (conn: Socket, e: unknown) => {
    if (!(e instanceof ConnectionError)) throw e;
    console.log("dropping", String(conn) + ":", e.message);
    sel.unregister(conn);
    conn.close();
  };

  const read: Callback = async (conn) => {
    try {
      const data = await conn.recv(1000); // Should be ready
      if (data.length > 0) {
        console.log("echoing", data.length, "bytes to", String(conn));
        // Python's send() "hopes it won't block"; a non-blocking send may take only part of it.
        let sent = 0;
        while (sent < data.length) sent += await conn.send(data.subarray(sent));
        return;
      }
    } catch (e) {
      drop(conn, e);
      return;
    }
    console.log("closing", String(conn));
    sel.unregister(conn);
    conn.close();
    closed++;
  };

  const accept: Callback = async (listener) => {
    const [conn, addr] = await listener.accept(); // Should be ready
    const [host, port] = addr as [string, number];
    console.log("accepted", String(conn), "from", `('${host}', ${port})`);
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
  };

  sock.setblocking(false);
  sel.register(sock, EVENT_READ, accept);
  while (closed < clients) {
    const events = await sel.select();
    for (const [key, mask] of events) {
      const callback = key.data;
      await callback(key.fileobj, mask);
    }
  }
}

/** A client of the demo: sends `message`, half-closes, and reads the echo to EOF. */
async function demoClient(port: number, message: string): Promise<boolean> {
  using conn = await createConnection(["127.0.0.1", port]);
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
    `demo client got back ${echoed.length} characters:`,
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
      (_, i) => `hello from client ${i}\n`.repeat(100),
    );
    const results = await Promise.all(messages.map((message) => demoClient(port, message)));
    await serving;
    if (results.includes(false)) Deno.exit(1);
  } else {
    await serving;
  }
}
