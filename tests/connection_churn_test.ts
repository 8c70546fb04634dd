// Short-lived connections one after another (connection churn): a closed stream's first-read
// buffer serves the next stream's first read, and a server that takes queued connections
// without select()'s event-loop turn still serves each one whole. Every byte must arrive as
// sent, and no connection's bytes may show through another's buffer.
import { assert, assertEquals } from "@std/assert";
import { AF_INET, SHUT_WR, SOCK_STREAM, Socket } from "../socket/mod.ts";
import { BaseRequestHandler, ThreadingTCPServer } from "../socketserver/mod.ts";
import { pattern, recvAll, sameBytes, WAIT_MS, within } from "./_helpers.ts";

/** `n` bytes of `value`. */
function filled(n: number, value: number): Uint8Array {
  return new Uint8Array(n).fill(value);
}

Deno.test("churn: each connection's reads land its own bytes, buffers reused or not", async () => {
  using server = new Socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen(8);
  // Short landings (copied out, the buffer kept), long ones (handed over as views), and EOF.
  const sizes = [64, 1, 3000, 64, 4096, 700, 2000, 64, 5000, 64];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < sizes.length; i++) {
      const value = 1 + ((round * sizes.length + i) % 250);
      const sent = filled(sizes[i]!, value);
      using client = new Socket(AF_INET, SOCK_STREAM);
      await within(client.connect(server.getsockname()), WAIT_MS, "connect");
      const [conn] = await within(server.accept(), WAIT_MS, "accept");
      using _conn = conn;
      await client.sendall(sent);
      client.shutdown(SHUT_WR);
      const chunks: Uint8Array[] = [];
      for (;;) {
        const data = await within(conn.recv(65536), WAIT_MS, "recv");
        if (data.length === 0) break;
        // What a chunk's buffer holds outside the chunk is no other connection's input.
        const whole = new Uint8Array(data.buffer);
        for (const byte of whole) assert(byte === 0 || byte === value || data.length < 512);
        chunks.push(data.slice());
      }
      const received = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        received.set(chunk, offset);
        offset += chunk.length;
      }
      assert(sameBytes(received, sent), `connection ${i} of round ${round}`);
      conn.close();
      // Its buffer is free now; a chunk taken before the close keeps its bytes.
      assert(chunks.every((chunk) => chunk.every((byte) => byte === value)));
    }
  }
});

Deno.test("churn: ThreadingTCPServer serves connections that queue up, each whole", async () => {
  const served: number[] = [];
  let actions = 0;
  class Echo extends BaseRequestHandler<Socket> {
    override async handle() {
      for (;;) {
        const data = await this.request.recv(65536);
        if (data.length === 0) return;
        await this.request.sendall(data);
      }
    }
    override finish() {
      served.push(1);
    }
  }
  class Server extends ThreadingTCPServer {
    static override requestQueueSize = 64;
    override serviceActions() {
      actions++;
    }
  }
  await using server = new Server(["127.0.0.1", 0], Echo);
  const serving = server.serveForever(0.05);
  const address = server.serverAddress as [string, number];
  // Connections opened together queue up at the listener, which the loop then takes in a row.
  const clients = await Promise.all(
    Array.from({ length: 30 }, async () => {
      const client = new Socket(AF_INET, SOCK_STREAM);
      await within(client.connect(address), WAIT_MS, "connect");
      return client;
    }),
  );
  await Promise.all(clients.map(async (client, i) => {
    const sent = pattern(100 + i * 150);
    await client.sendall(sent);
    client.shutdown(SHUT_WR);
    const echoed = await within(recvAll(client), WAIT_MS, "echo");
    assert(sameBytes(echoed, sent), `client ${i}`);
    client.close();
  }));
  await within(server.shutdown(), WAIT_MS, "shutdown");
  await serving;
  await server.serverClose();
  assertEquals(served.length, 30);
  // serviceActions() ran after each request, as CPython's loop calls it.
  assert(actions >= 30, `serviceActions ran ${actions} times`);
});
