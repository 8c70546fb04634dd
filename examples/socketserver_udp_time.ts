/**
 * A UDP time server on pynet's `socketserver`: a `UDPServer` whose `BaseRequestHandler` gets
 * `request` as `[data, socket]`, as in Python, and answers `time` with the current UTC time
 * (ISO 8601) and anything else with `unknown command`, by `sendto` to the client's address.
 *
 * It prints `serving UDP time on <address>`, answers `--requests N` datagrams (default 2), one
 * `handleRequest()` each, and exits; `--self-test` also sends them itself and prints the
 * replies.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --unstable-net --allow-net=127.0.0.1 \
 *   examples/socketserver_udp_time.ts --self-test
 * ```
 *
 * Deno's datagram sockets need `--unstable-net`: without it the server's constructor raises
 * an `OSError` that says so, and the example prints it and exits with status 1.
 *
 * The Python original, for comparison:
 *
 * ```python
 * import datetime, socketserver
 *
 * class TimeHandler(socketserver.BaseRequestHandler):
 *     def handle(self):
 *         data, sock = self.request
 *         if data.strip() == b"time":
 *             now = datetime.datetime.now(datetime.timezone.utc)
 *             reply = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
 *         else:
 *             reply = "unknown command"
 *         sock.sendto(reply.encode(), self.client_address)
 *         print(f"{data.strip().decode(errors='replace')!r} from {self.client_address[0]}: {reply}")
 *
 * with socketserver.UDPServer(("127.0.0.1", 0), TimeHandler) as server:
 *     print("serving UDP time on", server.server_address)
 *     for _ in range(requests):
 *         server.handle_request()
 * ```
 *
 * @module
 */
import { BaseRequestHandler, type DatagramRequest, UDPServer } from "../socketserver/mod.ts";
import { AF_INET, SOCK_DGRAM, socket } from "../socket/mod.ts";

/** Answers `time` with the UTC time; any other datagram with `unknown command`. */
class TimeHandler extends BaseRequestHandler<DatagramRequest> {
  override async handle(): Promise<void> {
    const [data, sock] = this.request;
    const command = new TextDecoder().decode(data).trim();
    const reply = command === "time" ? new Date().toISOString() : "unknown command";
    await sock.sendto(new TextEncoder().encode(reply), this.clientAddress);
    const [host] = this.clientAddress as [string, number];
    console.log(`'${command}' from ${host}: ${reply}`); // as Python's !r shows a str
  }
}

function parseArgs(args: string[]): { requests: number; selfTest: boolean } {
  const selfTest = args.includes("--self-test");
  const at = args.indexOf("--requests");
  const requests = at >= 0 ? Number(args[at + 1]) : 2;
  const expected = (selfTest ? 1 : 0) + (at >= 0 ? 2 : 0);
  if (!Number.isInteger(requests) || requests < 1 || args.length !== expected) {
    console.error("usage: socketserver_udp_time.ts [--requests N] [--self-test]");
    Deno.exit(2);
  }
  return { requests, selfTest };
}

if (import.meta.main) {
  const { requests, selfTest } = parseArgs(Deno.args);
  let server: UDPServer;
  try {
    server = new UDPServer(["127.0.0.1", 0], TimeHandler);
  } catch (e) {
    console.error(String(e));
    Deno.exit(1);
  }
  try {
    console.log(`serving UDP time on ${JSON.stringify(server.serverAddress)}`);
    const serving = (async () => {
      for (let i = 0; i < requests; i++) await server.handleRequest();
    })();
    if (selfTest) {
      using client = socket(AF_INET, SOCK_DGRAM);
      client.settimeout(5);
      for (let i = 0; i < requests; i++) {
        const command = i % 2 === 0 ? "time" : "date";
        await client.sendto(new TextEncoder().encode(command), server.serverAddress);
        const reply = new TextDecoder().decode(await client.recv(1024));
        console.log(`client: ${command} -> ${reply}`);
      }
    }
    await serving;
  } finally {
    await server.serverClose();
  }
}
