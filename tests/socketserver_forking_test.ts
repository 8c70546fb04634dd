// ForkingMixIn: requests served by worker isolates that load the user's module again
// (tests/_socketserver_fork_fixture.ts plays the user's module), CPU-bound handlers running in
// parallel, maxChildren, failures, and clean shutdown (the sanitizers are on: every worker,
// listener and connection is gone when a test ends).
import { assert, assertEquals, assertInstanceOf, assertMatch } from "@std/assert";
import {
  AF_INET,
  createConnection,
  OSError,
  SO_DENO_LOADBALANCED,
  SOCK_DGRAM,
  socket,
  SOL_SOCKET,
  ValueError,
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
import { bytes, recvAll, rejects, startDenoFile, tempDir, text, within } from "./_helpers.ts";

async function ask(port: number, line: string): Promise<string> {
  using client = await createConnection(["127.0.0.1", port]);
  await client.sendall(bytes(line));
  // A bound against hangs, not a speed check: the first answers wait for the workers to start,
  // and a worker type-checks the module graph cold after a source change (over 20 s when the
  // machine is loaded).
  return text(await within(recvAll(client), 120_000, "answer"));
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

Deno.test("ForkingTCPServer: a worker that dies is replaced; the others serve meanwhile", async () => {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await using server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
    const port = (server.serverAddress as [string, number])[1];
    const serving = server.serveForever(0.02);
    assertMatch(await ask(port, "crash\n"), /^crashing [01]\n$/);
    await within(
      (async () => {
        while (printed.length === 0) await new Promise((r) => setTimeout(r, 5));
      })(),
      20_000,
      "worker death",
    );
    assertMatch(printed[0]!, /TwoWorkerServer worker [01] died: .*worker crashed/);
    for (let i = 0; i < 4; i++) assertMatch(await ask(port, "id\n"), /^worker [01]\n$/);
    // serviceActions() -> collectChildren() has started a worker in its place.
    await within(
      (async () => {
        while (server.activeChildren!.size < 2) await new Promise((r) => setTimeout(r, 5));
      })(),
      20_000,
      "replacement",
    );
    assertEquals([...server.activeChildren!].sort(), [0, 1]);
    await server.shutdown();
    await serving;
  } finally {
    console.error = original;
  }
});

Deno.test("ForkingTCPServer: serverClose() waits for the workers' requests in flight", async () => {
  await using dir = await tempDir();
  const server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  const port = (server.serverAddress as [string, number])[1];
  const serving = server.serveForever(0.02);
  const release = `${dir.path}/release`;
  using client = await createConnection(["127.0.0.1", port]);
  await client.sendall(bytes(`wait ${release}\n`));
  const first = await within(client.recv(100), 20_000, "waiting");
  assertEquals(text(first), "waiting\n");
  await server.shutdown();
  await serving;
  let closed = false;
  const closing = server.serverClose().then(() => closed = true);
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(closed, false); // the request is still in flight in its worker
  await Deno.writeTextFile(release, "");
  await within(closing, 20_000, "serverClose");
  assertMatch(text(await within(recvAll(client))), /^done [01]\n$/);
  assertEquals(server.activeChildren!.size, 0);
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

Deno.test("ForkingTCPServer: maxChildren below 1 is refused by serveForever", async () => {
  await using server = new TwoWorkerServer(["127.0.0.1", 0], WorkerHandler);
  server.maxChildren = 0;
  const error = await rejects(() => server.serveForever(0.02), ValueError);
  assertEquals(error.message, "maxChildren must be at least 1, not 0");
  assertEquals(server.activeChildren, null);
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

Deno.test("a program written as ForkingMixIn's docs say serves from its workers (deno run)", async () => {
  await using dir = await tempDir();
  const mod = new URL("../socketserver/mod.ts", import.meta.url).href;
  const file = `${dir.path}/server.ts`;
  const stop = `${dir.path}/stop`;
  // The user's program: the classes exported, the server started under import.meta.main only,
  // no workerModule (Deno.mainModule is the default).
  await Deno.writeTextFile(
    file,
    `import { ForkingTCPServer, StreamRequestHandler } from ${JSON.stringify(mod)};

export class Handler extends StreamRequestHandler {
  override async handle() {
    const id = (this.server as unknown as { workerId: number | null }).workerId;
    await this.wfile.write(new TextEncoder().encode(\`worker \${id}\\n\`));
  }
}

export class Server extends ForkingTCPServer {
  static override maxChildren = 2;
  override async serviceActions() {
    await super.serviceActions();
    try {
      Deno.statSync(Deno.args[0]!);
      void this.shutdown();
    } catch {
      // Not yet.
    }
  }
}

if (import.meta.main) {
  await using server = new Server(["127.0.0.1", 0], Handler);
  console.log((server.serverAddress as [string, number])[1]);
  await server.serveForever(0.02);
  console.log("stopped");
}
`,
  );
  // The workers load the module and pynet's files: read permission for both.
  const root = new URL("../", import.meta.url).pathname;
  await using child = startDenoFile(
    file,
    ["--allow-net=127.0.0.1", `--allow-read=${dir.path},${root}`],
    [stop],
  );
  const port = Number(await child.readLine(30_000));
  const answers = await Promise.all(Array.from({ length: 6 }, () => ask(port, "x\n")));
  for (const answer of answers) assertMatch(answer, /^worker [01]\n$/);
  await Deno.writeTextFile(stop, "");
  assertEquals(await child.readLine(30_000), "stopped");
  const { code, stderr } = await child.finish(30_000);
  assertEquals(code, 0, stderr);
});

Deno.test("ForkingTCPServer: workers without read permission for the modules: PermissionError", async () => {
  await using dir = await tempDir();
  const mod = new URL("../socketserver/mod.ts", import.meta.url).href;
  const file = `${dir.path}/server.ts`;
  await Deno.writeTextFile(
    file,
    `import { ForkingTCPServer, StreamRequestHandler } from ${JSON.stringify(mod)};
export class Server extends ForkingTCPServer {
  static override maxChildren = 1;
}
if (import.meta.main) {
  await using server = new Server(["127.0.0.1", 0], StreamRequestHandler);
  try {
    await server.serveForever(0.02);
  } catch (e) {
    console.log((e as Error).constructor.name, (e as Error).message.includes("--allow-read"));
  }
}
`,
  );
  await using child = startDenoFile(file, ["--allow-net=127.0.0.1"]);
  assertEquals(await child.readLine(30_000), "PermissionError true");
  assertEquals((await child.finish(30_000)).code, 0);
});

Deno.test("socket option SO_DENO_LOADBALANCED: sockets that set it share one address", async () => {
  using a = socket();
  a.setsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED, 1);
  a.bind(["127.0.0.1", 0]); // port 0: a free port is found first, then bound load-balanced
  a.listen();
  const address = a.getsockname() as [string, number];
  assert(address[1] > 0);
  using b = socket();
  b.setsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED, 1);
  b.bind(address);
  b.listen();
  assertEquals(b.getsockname(), address);
  // A socket without the option cannot bind it.
  using plain = socket();
  const error = (() => {
    try {
      plain.bind(address);
    } catch (e) {
      return e;
    }
  })();
  assertInstanceOf(error, OSError);
  assertEquals((error as OSError).errno, 98); // EADDRINUSE
  // A connection reaches one of the two.
  using _client = await createConnection(address);
  b.close(); // every connection goes to `a` now
  const [conn] = await within(a.accept());
  conn.close();
  assertEquals(a.getsockopt(SOL_SOCKET, SO_DENO_LOADBALANCED), 1);
});
