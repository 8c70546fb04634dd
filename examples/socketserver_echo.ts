/**
 * An echo server for each transport on pynet's `socketserver`: TCP and Unix stream sockets
 * (`ThreadingTCPServer`, `ThreadingUnixStreamServer`, a `StreamRequestHandler` echoing line by
 * line) and UDP (`UDPServer`, a `DatagramRequestHandler` echoing each datagram).
 *
 * By default it runs three clients of its own against the server, checks that each gets its
 * bytes back, shuts the server down and exits. With `--serve N` it runs no client: it serves
 * others until N of them have been echoed to (connections that sent a line, or datagrams), then
 * shuts down and exits. A connection that sends nothing is not counted, and one its client
 * resets is dropped with a line on stdout (the Python original's handler would let the
 * `ConnectionResetError` reach `handle_error`, which prints a traceback to stderr).
 * It prints `serving <transport> on <address>` first.
 *
 * ```sh
 * D=./tools/node_modules/.bin/deno
 * $D run --allow-net=127.0.0.1 examples/socketserver_echo.ts tcp
 * $D run --unstable-net --allow-net=127.0.0.1 examples/socketserver_echo.ts udp --serve 2
 * $D run --allow-net=unix:/tmp/echo.sock --allow-read=/tmp/echo.sock --allow-write=/tmp/echo.sock \
 *   examples/socketserver_echo.ts unix /tmp/echo.sock
 * ```
 *
 * UDP needs `--unstable-net` (Deno's datagram sockets are unstable); a Unix path needs net, read
 * and write permission for that exact path.
 *
 * The Python original, for comparison:
 *
 * ```python
 * import socketserver
 *
 * class EchoHandler(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         lines = 0
 *         for line in self.rfile:
 *             self.wfile.write(line)
 *             lines += 1
 *         print(f"echoed {lines} lines")
 *
 * class DatagramEchoHandler(socketserver.DatagramRequestHandler):
 *     def handle(self):
 *         data = self.rfile.read()
 *         self.wfile.write(data)   # sent back to the sender after handle()
 *         print(f"echoed {len(data)} bytes")
 *
 * with socketserver.ThreadingTCPServer(("127.0.0.1", 0), EchoHandler) as server:
 *     print("serving tcp on", server.server_address)
 *     for _ in range(n):
 *         server.handle_request()
 * # UDP: socketserver.UDPServer(("127.0.0.1", 0), DatagramEchoHandler)
 * # Unix: socketserver.ThreadingUnixStreamServer(path, EchoHandler)
 * ```
 *
 * @module
 */
import {
  DatagramRequestHandler,
  StreamRequestHandler,
  ThreadingTCPServer,
  ThreadingUnixStreamServer,
  UDPServer,
} from "../socketserver/mod.ts";
import {
  AF_INET,
  AF_UNIX,
  ConnectionError,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
} from "../socket/mod.ts";

/** With `--serve N`: how many clients are left to serve, and what to call after the last. */
const quota = { left: Infinity, done: () => {} };

/** A client has been echoed to: count it toward `--serve N`. */
function served(): void {
  if (--quota.left === 0) quota.done();
}

/** Echoes every line until the client closes its side. */
class EchoHandler extends StreamRequestHandler {
  override async handle(): Promise<void> {
    let lines = 0;
    try {
      for await (const line of this.rfile) {
        await this.wfile.write(line);
        lines++;
      }
    } catch (e) {
      // A client that resets costs its own connection, not a traceback on stderr.
      if (!(e instanceof ConnectionError)) throw e;
      console.log(`dropped ${JSON.stringify(this.clientAddress)}: ${e.message}`);
      return;
    }
    console.log(`echoed ${lines} lines`);
    if (lines > 0) served();
  }
}

/** Echoes each datagram; the reply is sent to the sender once `handle()` returns. */
class DatagramEchoHandler extends DatagramRequestHandler {
  override async handle(): Promise<void> {
    const data = await this.rfile.read();
    await this.wfile.write(data);
    console.log(`echoed ${data.length} bytes`);
    served();
  }
}

type Transport = "tcp" | "udp" | "unix";

function usage(): never {
  console.error("usage: socketserver_echo.ts tcp|udp|unix [UNIX_PATH] [--serve N]");
  Deno.exit(2);
}

function parseArgs(args: string[]): { transport: Transport; path: string; serve: number } {
  const transport = args[0];
  if (transport !== "tcp" && transport !== "udp" && transport !== "unix") usage();
  const rest = args.slice(1);
  const at = rest.indexOf("--serve");
  const serve = at >= 0 ? Number(rest[at + 1]) : 0;
  if (at >= 0 && !(Number.isInteger(serve) && serve > 0)) usage();
  if (at >= 0) rest.splice(at, 2);
  const path = rest[0] ?? "";
  if (transport === "unix" ? path === "" || rest.length > 1 : rest.length > 0) usage();
  return { transport, path, serve };
}

type EchoServer = ThreadingTCPServer | UDPServer | ThreadingUnixStreamServer;

function makeServer(transport: Transport, path: string): EchoServer {
  switch (transport) {
    case "tcp":
      return new ThreadingTCPServer(["127.0.0.1", 0], EchoHandler);
    case "udp":
      return new UDPServer(["127.0.0.1", 0], DatagramEchoHandler);
    case "unix":
      return new ThreadingUnixStreamServer(path, EchoHandler);
  }
}

/** One client of the self-test: sends `lines`, reads the echo back, says whether it matched. */
async function client(transport: Transport, address: unknown, id: number): Promise<boolean> {
  const message = Array.from({ length: 3 }, (_, i) => `client ${id} line ${i}\n`).join("");
  const sent = new TextEncoder().encode(message);
  const decoder = new TextDecoder();
  let echoed = "";
  if (transport === "udp") {
    using sock = socket(AF_INET, SOCK_DGRAM);
    sock.settimeout(5);
    await sock.sendto(sent, address as [string, number]);
    echoed = decoder.decode(await sock.recv(4096));
  } else {
    using sock = socket(transport === "tcp" ? AF_INET : AF_UNIX, SOCK_STREAM);
    sock.settimeout(5);
    await sock.connect(address as [string, number] | string);
    await sock.sendall(sent);
    sock.shutdown(SHUT_WR);
    for (let data; (data = await sock.recv(4096)).length > 0;) {
      echoed += decoder.decode(data, { stream: true });
    }
  }
  return echoed === message;
}

if (import.meta.main) {
  const { transport, path, serve } = parseArgs(Deno.args);
  let server: EchoServer;
  try {
    server = makeServer(transport, path);
  } catch (e) {
    // UDP without --unstable-net: an OSError that names the flag.
    console.error(String(e));
    Deno.exit(1);
  }
  try {
    console.log(`serving ${transport} on ${JSON.stringify(server.serverAddress)}`);
    if (serve > 0) {
      // Counted as the handlers end (a threading server's handleRequest() returns as soon as
      // the request is started, and a reset connection is no client served).
      const allServed = new Promise<void>((resolve) => {
        quota.left = serve;
        quota.done = resolve;
      });
      const serving = server.serveForever();
      await allServed;
      await server.shutdown();
      await serving;
    } else {
      const serving = server.serveForever();
      const results = await Promise.all(
        [0, 1, 2].map((id) => client(transport, server.serverAddress, id)),
      );
      await server.shutdown();
      await serving;
      results.forEach((ok, id) => console.log(`client ${id}: ${ok ? "ok" : "MISMATCH"}`));
      if (results.includes(false)) Deno.exitCode = 1;
    }
  } finally {
    await server.serverClose();
    // Like CPython, the server leaves its socket file behind; the example tidies up.
    if (transport === "unix") await Deno.remove(path).catch(() => {});
  }
}
