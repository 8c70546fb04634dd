/**
 * A small HTTP/1.0 server on pynet's `socketserver`: a `ThreadingTCPServer` whose
 * `StreamRequestHandler` reads the request line and headers with `rfile.readline()` and writes
 * a plain-text response with `wfile.write()`, one request per connection, as HTTP/1.0 does.
 * It logs each request in the style of Python's `http.server` (client, request line, status,
 * body size; no date).
 *
 * Routes: `GET /` (a greeting), `GET /echo?<text>` (the text back, %-decoded),
 * `GET /headers` (the request's headers, one per line), anything else `404`; methods other
 * than GET and HEAD get `501`; a malformed request line `400`.
 *
 * It prints `serving HTTP on http://127.0.0.1:<port>/`, serves `--requests N` requests
 * (default 3) and exits; `--self-test` fetches three pages itself with pynet sockets. A
 * connection closed before its request line (as `http.server` ignores it) or reset by its client
 * is not counted; a reset is logged as `dropped <address>: <error>` (the Python original would
 * let the `ConnectionResetError` reach `handle_error`, which prints a traceback to stderr).
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/socketserver_http.ts --requests 2 &
 * curl -s http://127.0.0.1:<port>/echo?hello%20there
 * curl -si http://127.0.0.1:<port>/missing
 * ```
 *
 * The Python original, for comparison:
 *
 * ```python
 * import socketserver
 * from urllib.parse import unquote
 *
 * REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented"}
 *
 * class HTTPHandler(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         request_line = self.rfile.readline(65537).decode("latin-1").rstrip("\r\n")
 *         headers = []
 *         while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
 *             name, _, value = line.decode("latin-1").partition(":")
 *             headers.append((name.strip(), value.strip()))
 *         parts = request_line.split()
 *         if len(parts) != 3 or not parts[2].startswith("HTTP/"):
 *             status, body = 400, "bad request\n"
 *         elif parts[0] not in ("GET", "HEAD"):
 *             status, body = 501, "not implemented\n"
 *         elif parts[1] == "/":
 *             status, body = 200, "hello from socketserver\n"
 *         elif parts[1].startswith("/echo?"):
 *             status, body = 200, unquote(parts[1][6:]) + "\n"
 *         elif parts[1] == "/headers":
 *             status, body = 200, "".join(f"{n}: {v}\n" for n, v in headers)
 *         else:
 *             status, body = 404, "not found\n"
 *         data = body.encode()
 *         self.wfile.write(
 *             f"HTTP/1.0 {status} {REASONS[status]}\r\n"
 *             f"Content-Type: text/plain; charset=utf-8\r\n"
 *             f"Content-Length: {len(data)}\r\n\r\n".encode()
 *             + (b"" if parts[:1] == ["HEAD"] else data))
 *         print(f'{self.client_address[0]} - - "{request_line}" {status} {len(data)}')
 *
 * with socketserver.ThreadingTCPServer(("127.0.0.1", 0), HTTPHandler) as server:
 *     print(f"serving HTTP on http://127.0.0.1:{server.server_address[1]}/")
 *     for _ in range(requests):
 *         server.handle_request()
 * ```
 *
 * @module
 */
import { StreamRequestHandler, ThreadingTCPServer } from "../socketserver/mod.ts";
import { AF_INET, ConnectionError, SOCK_STREAM, socket } from "../socket/mod.ts";

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  501: "Not Implemented",
};

/** Bytes as Latin-1 text: HTTP/1.0 header bytes map one to one onto characters. */
const latin1 = new TextDecoder("latin1");

/** Serves one HTTP/1.0 request per connection. */
class HTTPHandler extends StreamRequestHandler {
  override async handle(): Promise<void> {
    try {
      if (await this.respond()) served();
    } catch (e) {
      // A client that resets costs its own connection, not a traceback on stderr.
      if (!(e instanceof ConnectionError)) throw e;
      console.log(`dropped ${JSON.stringify(this.clientAddress)}: ${e.message}`);
    }
  }

  /** Reads the request and answers it; `false` when the client closed before a request. */
  async respond(): Promise<boolean> {
    // 65537 is http.server's limit on a request or header line.
    const raw = await this.rfile.readline(65537);
    if (raw.length === 0) return false; // as http.server: no request, no response
    const requestLine = latin1.decode(raw).replace(/\r?\n$/, "");
    const headers: [string, string][] = [];
    for (;;) {
      const line = latin1.decode(await this.rfile.readline(65537));
      if (line === "\r\n" || line === "\n" || line === "") break;
      const colon = line.indexOf(":");
      const [name, value] = colon < 0 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1)];
      headers.push([name.trim(), value.trim()]);
    }
    const parts = requestLine.split(/\s+/).filter((p) => p !== "");
    const [method, target = "", version = ""] = parts;
    let status: number, body: string;
    if (parts.length !== 3 || !version.startsWith("HTTP/")) [status, body] = [400, "bad request\n"];
    else if (method !== "GET" && method !== "HEAD") [status, body] = [501, "not implemented\n"];
    else if (target === "/") [status, body] = [200, "hello from socketserver\n"];
    else if (target.startsWith("/echo?")) {
      [status, body] = [200, `${decodeURIComponent(target.slice(6))}\n`];
    } else if (target === "/headers") {
      [status, body] = [200, headers.map(([n, v]) => `${n}: ${v}\n`).join("")];
    } else [status, body] = [404, "not found\n"];

    const data = new TextEncoder().encode(body);
    const head = new TextEncoder().encode(
      `HTTP/1.0 ${status} ${REASONS[status]}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${data.length}\r\n\r\n`,
    );
    await this.wfile.write(method === "HEAD" ? head : new Uint8Array([...head, ...data]));
    const [host] = this.clientAddress as [string, number];
    console.log(`${host} - - "${requestLine}" ${status} ${data.length}`);
    return true;
  }
}

/** How many requests are left to serve, and what to call after the last. */
const quota = { left: Infinity, done: () => {} };

/** A request has been answered: count it toward `--requests N`. */
function served(): void {
  if (--quota.left === 0) quota.done();
}

/** The self-test's client: one GET, the whole response (HTTP/1.0 ends it by closing). */
async function get(port: number, target: string): Promise<string> {
  using sock = socket(AF_INET, SOCK_STREAM);
  sock.settimeout(5);
  await sock.connect(["127.0.0.1", port]);
  await sock.sendall(new TextEncoder().encode(`GET ${target} HTTP/1.0\r\nHost: x\r\n\r\n`));
  let response = "";
  for (let data; (data = await sock.recv(4096)).length > 0;) response += latin1.decode(data);
  return response;
}

function parseArgs(args: string[]): { requests: number; selfTest: boolean } {
  const selfTest = args.includes("--self-test");
  const at = args.indexOf("--requests");
  const requests = at >= 0 ? Number(args[at + 1]) : 3;
  if (
    !Number.isInteger(requests) || requests < 1 ||
    args.length !== (selfTest ? 1 : 0) + (at >= 0 ? 2 : 0)
  ) {
    console.error("usage: socketserver_http.ts [--requests N] [--self-test]");
    Deno.exit(2);
  }
  return { requests, selfTest };
}

if (import.meta.main) {
  const { requests, selfTest } = parseArgs(Deno.args);
  const server = new ThreadingTCPServer(["127.0.0.1", 0], HTTPHandler);
  try {
    const [, port] = server.serverAddress as [string, number];
    console.log(`serving HTTP on http://127.0.0.1:${port}/`);
    // Counted as the handlers end (a threading server's handleRequest() returns as soon as
    // the request is started, and a reset connection is no request served).
    const allServed = new Promise<void>((resolve) => {
      quota.left = requests;
      quota.done = resolve;
    });
    const serving = server.serveForever();
    if (selfTest) {
      const targets = ["/", "/echo?hello%20world", "/missing"];
      for (const target of targets.slice(0, requests)) {
        const response = await get(port, target);
        console.log(`GET ${target} -> ${JSON.stringify(response.split("\r\n\r\n")[1])}`);
      }
    }
    await allServed;
    await server.shutdown();
    await serving;
  } finally {
    await server.serverClose();
  }
}
