// socketserver's streaming path: a handler is given fresh bytes by every read, as CPython's
// handler is given new bytes objects, so it may keep each chunk it reads and no later read
// overwrites one. The per-read buffers behind recv() and rfile (socket/_stream.ts) cost time
// when streaming (BENCHMARKS.md, socketserver); these tests hold any faster path to that.
import { assert } from "@std/assert";
import { createConnection, SHUT_WR, type Socket } from "../socket/mod.ts";
import {
  BaseRequestHandler,
  type RequestHandlerClass,
  StreamRequestHandler,
  TCPServer,
} from "../socketserver/mod.ts";
import { concat, recvAll, sameBytes, within } from "./_helpers.ts";

/** Enough 64 KiB reads to go through several of the stream's read buffers. */
const SIZE = 4 * 1024 * 1024;

/** `n` bytes that never repeat with a period of any buffer size (xorshift32). */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** `rfile` as what it is, a buffered binary reader, with the `read1` its type leaves out. */
type Reader = { read1(size?: number): Promise<Uint8Array | null> };

/**
 * Streams SIZE bytes through a server whose handler keeps every chunk it reads (in `kept`) and
 * echoes it; checks the echo and the kept chunks against what was sent.
 */
async function streamThrough(
  Handler: RequestHandlerClass<Socket>,
  kept: Uint8Array[],
): Promise<void> {
  await using server = new TCPServer(["127.0.0.1", 0], Handler);
  using client = await createConnection(server.serverAddress as [string, number]);
  const sent = noise(SIZE);
  const serving = server.handleRequest();
  const [, echoed] = await within(
    Promise.all([
      (async () => {
        await client.sendall(sent);
        client.shutdown(SHUT_WR);
      })(),
      recvAll(client),
    ]),
    undefined,
    "echo",
  );
  await within(serving, undefined, "request");
  assert(kept.length > 1, `the stream came in ${kept.length} read(s)`);
  assert(sameBytes(echoed, sent), "the echo differs from what was sent");
  assert(sameBytes(concat(kept), sent), "a chunk the handler kept was changed by a later read");
}

Deno.test("a BaseRequestHandler keeps every recv(65536) chunk intact while streaming", async () => {
  const kept: Uint8Array[] = [];
  class KeepAll extends BaseRequestHandler<Socket> {
    override async handle() {
      for (;;) {
        const data = await this.request.recv(65536);
        if (data.length === 0) return;
        kept.push(data);
        await this.request.sendall(data);
      }
    }
  }
  await streamThrough(KeepAll, kept);
});

Deno.test("a StreamRequestHandler keeps every rfile.read1 chunk intact while streaming", async () => {
  const kept: Uint8Array[] = [];
  class KeepAll extends StreamRequestHandler {
    override rbufsize = 65536;
    override async handle() {
      const rfile = this.rfile as unknown as Reader;
      for (;;) {
        const data = await rfile.read1(65536);
        if (data === null || data.length === 0) return;
        kept.push(data);
        await this.wfile.write(data);
      }
    }
  }
  await streamThrough(KeepAll, kept);
});
