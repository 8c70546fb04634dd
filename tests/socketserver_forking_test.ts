// ForkingMixIn: requests served by worker isolates that load the user's module again
// (tests/_socketserver_fork_fixture.ts plays the user's module), CPU-bound handlers running in
// parallel, maxChildren, failures, and clean shutdown (the sanitizers are on: every worker,
// listener and connection is gone when a test ends).
import { assert, assertEquals, assertInstanceOf, assertMatch } from "@std/assert";
import {
  AF_INET,
  createConnection,
  SO_DENO_LOADBALANCED,
  SOCK_DGRAM,
  socket,
  SOL_SOCKET,
} from "../socket/mod.ts";
import { ForkingTCPServer } from "../socketserver/mod.ts";
import {
  hiddenServer,
  ThreeWorkerServer,
  TwoWorkerServer,
  TwoWorkerUDPServer,
  WorkerDatagramHandler,
  WorkerHandler,
} from "./_socketserver_fork_fixture.ts";
import { bytes, recvAll, rejects, tempDir, text, within } from "./_helpers.ts";

async function ask(port: number, line: string): Promise<string> {
  using client = await createConnection(["127.0.0.1", port]);
  await client.sendall(bytes(line));
  return text(await within(recvAll(client), 20_000, "answer"));
}

Deno.test("ForkingTCPServer: workers serve concurrent clients; the parent accepts none", async () => {
  const server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  try {
    const port = (server.serverAddress as [string, number])[1];
    assert(port > 0);
    assertEquals(server.socket.getsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED), 1);
    assertEquals(server.workerId, null);
    const serving = server.serveForever(0.02);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => ask(port, "id\n")),
    );
    for (const answer of answers) assertMatch(answer, /^worker [01]\n$/);
    assertEquals([...server.activeChildren!].sort(), [0, 1]);
    await within(server.shutdown(), 20_000, "shutdown");
    await serving;
  } finally {
    await within(server.serverClose(), 20_000, "serverClose");
  }
  assertEquals(server.activeChildren!.size, 0);
  assertEquals(server.socket.fileno(), -1);
});

Deno.test("ForkingTCPServer: two CPU-bound handlers run in parallel in two workers", async () => {
  await using dir = await tempDir();
  const server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  try {
    const port = (server.serverAddress as [string, number])[1];
    const serving = server.serveForever(0.02);
    const one = `${dir.path}/one`, two = `${dir.path}/two`;
    const first = ask(port, `spin ${one} ${two}\n`);
    // The first handler is spinning (its file exists) before the second request is sent.
    await within(
      (async () => {
        for (;;) {
          try {
            await Deno.stat(one);
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      })(),
      20_000,
      "first handler",
    );
    const second = ask(port, `spin ${two} ${one}\n`);
    const answers = await Promise.all([first, second]);
    assertEquals(answers.map((a) => a.split(" ")[0]), ["saw-peer", "saw-peer"]);
    const ids = answers.map((a) => a.trim().split(" ")[1]);
    assertEquals(new Set(ids).size, 2, `served by workers ${ids}`);
    await server.shutdown();
    await serving;
  } finally {
    await within(server.serverClose(), 20_000, "serverClose");
  }
});

Deno.test("ForkingTCPServer: maxChildren workers start, and a later loop reuses them", async () => {
  await using server = new ThreeWorkerServer(["127.0.0.1", 0], WorkerHandler);
  const port = (server.serverAddress as [string, number])[1];
  assertEquals(server.maxChildren, 3);
  let serving = server.serveForever(0.02);
  assertMatch(await ask(port, "id\n"), /^worker [012]\n$/);
  assertEquals([...server.activeChildren!].sort(), [0, 1, 2]);
  await server.shutdown();
  await serving;
  serving = server.serveForever(0.02);
  assertMatch(await ask(port, "id\n"), /^worker [012]\n$/);
  assertEquals(server.activeChildren!.size, 3);
  await server.shutdown();
  await serving;
});

Deno.test("ForkingTCPServer: an error in a worker's handler costs that request only", async () => {
  await using server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  const port = (server.serverAddress as [string, number])[1];
  const serving = server.serveForever(0.02);
  assertEquals(await ask(port, "fail\n"), "");
  assertMatch(await ask(port, "id\n"), /^worker [01]\n$/);
  await server.shutdown();
  await serving;
});

Deno.test("ForkingTCPServer: a server class the workers cannot find rejects serveForever", async () => {
  const server = hiddenServer(["127.0.0.1", 0]);
  try {
    const error = await rejects(() => server.serveForever(0.02), TypeError, 20_000);
    assertMatch(error.message, /needs it to export the server class Hidden/);
  } finally {
    await server.serverClose();
  }
});

Deno.test("ForkingTCPServer: handleRequest() serves one request in the calling isolate", async () => {
  await using server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  const port = (server.serverAddress as [string, number])[1];
  const answer = ask(port, "id\n");
  await server.handleRequest();
  assertEquals(await answer, "worker null\n");
});

Deno.test("ForkingUDPServer: the parent forwards datagrams, workers answer from its address", async () => {
  await using server = new TwoWorkerUDPServer(["127.0.0.1", 0], WorkerDatagramHandler);
  const serving = server.serveForever(0.02);
  using client = socket(AF_INET, SOCK_DGRAM);
  client.settimeout(20);
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    await client.sendto(bytes(`p${i}`), server.serverAddress);
    const [data, from] = await client.recvfrom(100);
    assertEquals(from, server.serverAddress);
    const match = /^worker ([01]): p(\d)$/.exec(text(data));
    if (!match) throw new Error(`unexpected answer ${text(data)}`);
    assertEquals(match[2], String(i));
    seen.add(match[1]!);
  }
  assertEquals(seen.size, 2); // handed out in turn
  await server.shutdown();
  await serving;
});

Deno.test("ForkingMixIn class attributes", () => {
  assertEquals(ForkingTCPServer.name, "ForkingTCPServer");
  assertEquals(TwoWorkerServer.maxChildren, 2);
  assertEquals(
    TwoWorkerServer.workerModule,
    new URL("./_socketserver_fork_fixture.ts", import.meta.url).href,
  );
  assertInstanceOf(TwoWorkerServer.prototype, ForkingTCPServer);
});
