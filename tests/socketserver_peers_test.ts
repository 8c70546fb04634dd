// socketserver against hostile and foreign peers: clients that reset mid-request, half-close,
// never read, or connect and say nothing (each costs its own request only, while a
// well-behaved client is served), and a TLS server answering python3's ssl client.
import { assert, assertEquals } from "@std/assert";
import { createConnection, type Socket } from "../socket/mod.ts";
import { StreamRequestHandler, TCPServer, ThreadingTCPServer } from "../socketserver/mod.ts";
import { bytes, recvAll, startPython, tempDir, text, within } from "./_helpers.ts";
import { certPath, serverContext } from "./_ssl_helpers.ts";

/** Echoes one line; `big` asks for 64 MiB instead, which a client that never reads blocks on. */
class Service extends StreamRequestHandler {
  override async handle() {
    const line = await this.rfile.readline();
    if (text(line) === "big\n") {
      await this.wfile.write(new Uint8Array(64 * 1024 * 1024));
    } else {
      await this.wfile.write(line);
    }
  }
}

async function ask(port: number, line: string): Promise<string> {
  using client = await createConnection(["127.0.0.1", port]);
  await client.sendall(bytes(line));
  return text(await within(recvAll(client), undefined, "answer"));
}

/** python3 opens the misbehaving clients, prints "ready", and ends them all once `done` exists. */
const HOSTILE = `
import os, socket, struct, sys, time
port, done = int(sys.argv[1]), sys.argv[2]
def conn():
    s = socket.create_connection(("127.0.0.1", port))
    return s
reset = conn(); reset.sendall(b"half a li")
time.sleep(0.05)
reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); reset.close()
half = conn(); half.sendall(b"no newline"); half.shutdown(socket.SHUT_WR)
silent = conn()
deaf = conn(); deaf.sendall(b"big\\n")
print("half answered:", half.makefile("rb").read().decode(), flush=True)
print("ready", flush=True)
deadline = time.time() + 30
while not os.path.exists(done) and time.time() < deadline: time.sleep(0.01)
for s in (half, silent, deaf):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
print("closed", flush=True)
`;

Deno.test("misbehaving clients cost their own requests only; a good client is served meanwhile", async () => {
  await using dir = await tempDir();
  const errors: string[] = [];
  class Server extends ThreadingTCPServer {
    override handleError(_request: Socket, _address: unknown, error?: unknown) {
      errors.push((error as Error).constructor.name);
    }
  }
  const server = new Server(["127.0.0.1", 0], Service);
  const port = (server.serverAddress as [string, number])[1];
  const serving = server.serveForever(0.01);
  try {
    const done = `${dir.path}/done`;
    await using python = startPython(HOSTILE, [String(port), done]);
    assertEquals(await python.readLine(20_000), "half answered: no newline");
    assertEquals(await python.readLine(20_000), "ready");
    // The reset, the silent and the deaf client are still there: others are served.
    for (let i = 0; i < 5; i++) assertEquals(await ask(port, `good ${i}\n`), `good ${i}\n`);
    await Deno.writeTextFile(done, "");
    assertEquals(await python.readLine(20_000), "closed");
    assertEquals((await python.finish()).code, 0);
    assertEquals(await ask(port, "after\n"), "after\n");
  } finally {
    await server.shutdown();
    await serving;
    // Every handler ends (blockOnClose waits for them): the clients are gone.
    await within(server.serverClose(), 20_000, "serverClose");
  }
  // The reset, silent and deaf clients (all reset by python3 at the end) end in connection
  // errors reported by handleError; the half-closed one was answered.
  assert(errors.length <= 3, errors.join());
  for (const name of errors) {
    assert(["ConnectionResetError", "BrokenPipeError"].includes(name), name);
  }
});

Deno.test("a single-request TCPServer with a handler timeout gets past a silent client", async () => {
  const errors: string[] = [];
  class Patient extends Service {
    override timeout = 0.05;
  }
  class Server extends TCPServer {
    override handleError(_request: Socket, _address: unknown, error?: unknown) {
      errors.push((error as Error).constructor.name);
    }
  }
  await using server = new Server(["127.0.0.1", 0], Patient);
  const port = (server.serverAddress as [string, number])[1];
  const serving = server.serveForever(0.01);
  using silent = await createConnection(["127.0.0.1", port]);
  assertEquals(await ask(port, "good\n"), "good\n");
  assertEquals(errors, ["TimeoutError"]);
  assertEquals((await recvAll(silent)).length, 0);
  await server.shutdown();
  await serving;
});

Deno.test("a TCPServer whose socket is wrapped with ssl serves python3's ssl client", async () => {
  const client = `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
for i in range(3):
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost") as s:
        s.sendall(b"over tls %d\\n" % i)
        print(s.makefile("rb").readline().decode().strip(), s.version() is not None)
`;
  for (const Server of [TCPServer, ThreadingTCPServer]) {
    const ctx = serverContext();
    await using server = new Server(["127.0.0.1", 0], Service);
    server.socket = await ctx.wrapSocket(server.socket, { serverSide: true });
    const port = (server.serverAddress as [string, number])[1];
    const serving = server.serveForever(0.01);
    await using python = startPython(client, [String(port), certPath("ca.pem")]);
    for (let i = 0; i < 3; i++) {
      assertEquals(await python.readLine(20_000), `over tls ${i} True`, Server.name);
    }
    assertEquals((await python.finish()).code, 0);
    await server.shutdown();
    await serving;
  }
});
