// pynet's socketserver echo for bench/socketserver_bench.ts, the like of
// socketserver_cpython.py: a ThreadingTCPServer (or ForkingTCPServer) whose handler echoes
// until EOF.
//
//   deno run --allow-net=127.0.0.1 --allow-read bench/servers/socketserver_pynet.ts \
//     [--server threading|forking] [--handler base|stream] [--work N] [--workers 2]
//
// `--handler base`: a BaseRequestHandler with `request.recv(65536)` / `sendall`, as CPython's
// row does; `stream`: a StreamRequestHandler with `rfile.read1(65536)` / `wfile.write`.
// `--work N` first spends N rounds of an FNV-1a loop over each request (the multi-core load).
// Prints its port on the first line of stdout and serves until killed.
//
// `--server forking`: ForkingMixIn's workers load this module again (import.meta.main is false
// there) and build the exported server and handler classes, so both are exported and the server
// starts only under import.meta.main; the workers see the same Deno.args, hence the same
// --work and --handler.
import {
  BaseRequestHandler,
  ForkingTCPServer,
  StreamRequestHandler,
  ThreadingTCPServer,
} from "../../socketserver/mod.ts";
import { IPPROTO_TCP, type Socket, TCP_NODELAY } from "../../socket/mod.ts";

function usage(): never {
  console.error(
    "usage: socketserver_pynet.ts [--server threading|forking] [--handler base|stream] " +
      "[--work N] [--workers N]",
  );
  Deno.exit(64);
}

function parseArgs(args: readonly string[]) {
  const o = { server: "threading", handler: "base", work: 0, workers: 2 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value = ""] = [args[i], args[i + 1]];
    if (flag === "--server" && (value === "threading" || value === "forking")) o.server = value;
    else if (flag === "--handler" && (value === "base" || value === "stream")) o.handler = value;
    else if (flag === "--work" && /^\d+$/.test(value)) o.work = Number(value);
    else if (flag === "--workers" && /^[1-9]\d*$/.test(value)) o.workers = Number(value);
    else usage();
  }
  return o;
}

const opts = parseArgs(Deno.args);

/** FNV-1a over `data`, `rounds` times: CPU work the JIT cannot skip (the result is kept). */
function busy(data: Uint8Array, rounds: number): number {
  let h = 0x811c9dc5;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  }
  return h >>> 0;
}
let sink = 0;

export class EchoHandler extends BaseRequestHandler<Socket> {
  override setup(): void {
    this.request.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  }

  override async handle(): Promise<void> {
    const sock = this.request;
    for (;;) {
      const data = await sock.recv(65536);
      if (data.length === 0) return;
      if (opts.work > 0) sink ^= busy(data, opts.work);
      await sock.sendall(data);
    }
  }
}

/** `rfile` as what it is, a buffered binary reader, with the `read1` its type leaves out. */
type Reader = { read1(size?: number): Promise<Uint8Array | null> };

export class StreamEchoHandler extends StreamRequestHandler {
  override disableNagleAlgorithm = true;
  override rbufsize = 65536;

  override async handle(): Promise<void> {
    const rfile = this.rfile as unknown as Reader;
    for (;;) {
      const data = await rfile.read1(65536);
      if (data === null || data.length === 0) return;
      if (opts.work > 0) sink ^= busy(data, opts.work);
      await this.wfile.write(data);
    }
  }
}

const Handler = opts.handler === "stream" ? StreamEchoHandler : EchoHandler;

// Every contender listens with a backlog of at least 128 (CPython's default of 5 drops SYNs
// when 20 clients connect at once).
export class ThreadingServer extends ThreadingTCPServer {
  static override requestQueueSize = 128;
}

export class ForkingServer extends ForkingTCPServer {
  static override requestQueueSize = 128;
  static override maxChildren = opts.workers;
}

if (import.meta.main) {
  const Server = opts.server === "forking" ? ForkingServer : ThreadingServer;
  const server = new Server(["127.0.0.1", 0], Handler);
  console.log((server.serverAddress as [string, number])[1]);
  await server.serveForever();
}
if (sink === 0.5) console.log(sink); // never: only keeps `sink` alive
