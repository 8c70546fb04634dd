// socketserver: BaseServer's loop and hooks, TCPServer, the handlers, ThreadingMixIn and the
// class attributes, on loopback. CPython's own checks (test_socketserver.py) are mirrored
// where they apply; the CPython oracle runs are in socketserver_cpython_test.ts.
import { assert, assertEquals, assertInstanceOf, assertStrictEquals } from "@std/assert";
import {
  type Address,
  AF_INET,
  AF_INET6,
  createConnection,
  IPPROTO_TCP,
  OSError,
  OverflowError,
  SHUT_WR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  type Socket,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../socket/mod.ts";
import {
  BaseRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingMixIn,
  ThreadingTCPServer,
} from "../socketserver/mod.ts";
import { bytes, recvAll, text, within } from "./_helpers.ts";

const ECONNABORTED = 103;

/** CPython's test handler: echoes one line. */
class EchoLine extends StreamRequestHandler {
  override async handle() {
    await this.wfile.write(await this.rfile.readline());
  }
}

/** Sends `line` to the server and returns everything it answers before closing. */
async function ask(server: TCPServer, line: string): Promise<string> {
  using client = await createConnection(server.serverAddress as [string, number]);
  await client.sendall(bytes(line));
  return text(await within(recvAll(client), undefined, "answer"));
}

Deno.test("TCPServer serves three clients under serveForever, then shuts down", async () => {
  const server = new TCPServer(["127.0.0.1", 0], EchoLine);
  assertEquals(server.serverAddress, server.socket.getsockname());
  assert((server.serverAddress as [string, number])[1] > 0);
  const serving = server.serveForever(0.01);
  for (let i = 0; i < 3; i++) assertEquals(await ask(server, "hello world\n"), "hello world\n");
  await within(server.shutdown(), undefined, "shutdown");
  await serving;
  await server.serverClose();
  assertEquals(server.socket.fileno(), -1);
});

Deno.test("ThreadingTCPServer serves clients concurrently", async () => {
  await using server = new ThreadingTCPServer(["127.0.0.1", 0], EchoLine);
  const serving = server.serveForever(0.01);
  const address = server.serverAddress as [string, number];
  // Five clients connect and stay silent; a sixth is answered meanwhile.
  const silent = await Promise.all([1, 2, 3, 4, 5].map(() => createConnection(address)));
  assertEquals(await ask(server, "late\n"), "late\n");
  const answers = await Promise.all(silent.map(async (sock, i) => {
    using s = sock;
    await s.sendall(bytes(`c${i}\n`));
    return text(await within(recvAll(s)));
  }));
  assertEquals(answers, ["c0\n", "c1\n", "c2\n", "c3\n", "c4\n"]);
  await server.shutdown();
  await serving;
});

Deno.test("shutdown() before serveForever() stops the loop as soon as it starts", async () => {
  await using server = new TCPServer(["127.0.0.1", 0], EchoLine);
  const stopped = server.shutdown();
  await within(server.serveForever(0.01), undefined, "serveForever");
  await within(stopped, undefined, "shutdown");
  // The loop can be started again, and serves.
  const serving = server.serveForever(0.01);
  assertEquals(await ask(server, "again\n"), "again\n");
  await server.shutdown();
  await serving;
});

Deno.test("shutdown() awaited inside a handler does not deadlock", async () => {
  class Stopper extends StreamRequestHandler {
    override async handle() {
      await this.server.shutdown();
      await this.wfile.write(bytes("stopping\n"));
    }
  }
  for (const Server of [TCPServer, ThreadingTCPServer]) {
    await using server = new Server(["127.0.0.1", 0], Stopper);
    const serving = server.serveForever(0.01);
    assertEquals(await ask(server, ""), "stopping\n");
    await within(serving, undefined, `${Server.name} loop`);
  }
});

Deno.test("serviceActions runs after each request and each poll interval", async () => {
  let actions = 0;
  class Counting extends TCPServer {
    override serviceActions() {
      actions++;
      if (actions === 5) void this.shutdown();
    }
  }
  await using server = new Counting(["127.0.0.1", 0], EchoLine);
  await within(server.serveForever(0.01), undefined, "serveForever");
  assertEquals(actions, 5);
});

Deno.test("handleRequest() times out with min(socket timeout, timeout) and returns handleTimeout()", async () => {
  class Timing extends TCPServer {
    static override timeout = 0.05;
    override handleTimeout() {
      return "timed out";
    }
  }
  await using server = new Timing(["127.0.0.1", 0], EchoLine);
  assertEquals(await within(server.handleRequest()), "timed out");
  server.timeout = null;
  server.socket.settimeout(0.02);
  assertEquals(await within(server.handleRequest()), "timed out");
  server.socket.settimeout(null);
  // With a client waiting, the request is handled and undefined returned.
  const client = await createConnection(server.serverAddress as [string, number]);
  using _client = client;
  await client.sendall(bytes("x\n"));
  assertEquals(await within(server.handleRequest()), undefined);
  assertEquals(text(await recvAll(client)), "x\n");
});

Deno.test("an error in handle() goes to handleError; finish runs; the server goes on", async () => {
  const log: string[] = [];
  class Failing extends StreamRequestHandler {
    override async handle() {
      log.push("handle");
      if ((await this.rfile.readline()).length > 2) throw new RangeError("boom");
      await this.wfile.write(bytes("ok\n"));
    }
    override async finish() {
      log.push("finish");
      await super.finish();
    }
  }
  class Server extends TCPServer {
    override handleError(_request: Socket, address: unknown, error?: unknown) {
      log.push(`error ${(error as Error).message} ${Array.isArray(address)}`);
    }
  }
  await using server = new Server(["127.0.0.1", 0], Failing);
  const serving = server.serveForever(0.01);
  assertEquals(await ask(server, "bad\n"), ""); // the request is closed
  assertEquals(await ask(server, "k\n"), "ok\n");
  await server.shutdown();
  await serving;
  assertEquals(log, ["handle", "finish", "error boom true", "handle", "finish"]);
});

Deno.test("the default handleError prints CPython's report to stderr", async () => {
  class Failing extends BaseRequestHandler<Socket> {
    override handle(): void {
      throw new Error("boom");
    }
  }
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await using server = new TCPServer(["127.0.0.1", 0], Failing);
    const port = (server.serverAddress as [string, number])[1];
    using client = await createConnection(["127.0.0.1", port]);
    await server.handleRequest();
    const [, clientPort] = client.getsockname() as [string, number];
    assertEquals(printed.length, 1);
    const lines = printed[0]!.split("\n");
    assertEquals(lines[0], "-".repeat(40));
    assertEquals(
      lines[1],
      `Exception occurred during processing of request from ('127.0.0.1', ${clientPort})`,
    );
    assert(lines[2]!.startsWith("Error: boom"));
    assertEquals(lines.at(-1), "-".repeat(40));
  } finally {
    console.error = original;
  }
});

Deno.test("shutdownRequest is called even when verifyRequest returns false", async () => {
  let shutdowns = 0;
  class Refusing extends TCPServer {
    override verifyRequest() {
      return false;
    }
    override shutdownRequest(request: Socket) {
      shutdowns++;
      super.shutdownRequest(request);
    }
  }
  await using server = new Refusing(["127.0.0.1", 0], EchoLine);
  const port = (server.serverAddress as [string, number])[1];
  using client = await createConnection(["127.0.0.1", port]);
  await server.handleRequest();
  assertEquals(shutdowns, 1);
  assertEquals((await recvAll(client)).length, 0);
});

Deno.test("a failing bind closes the socket and raises CPython's error", () => {
  let server: TCPServer | undefined;
  let error: unknown;
  try {
    server = new TCPServer(["127.0.0.1", -1], EchoLine);
  } catch (e) {
    error = e;
  }
  assertInstanceOf(error, OverflowError);
  assertEquals(server, undefined);
});

Deno.test("bindAndActivate false defers serverBind and serverActivate", async () => {
  await using server = new TCPServer(["127.0.0.1", 0], EchoLine, false);
  assertEquals(server.serverAddress, ["127.0.0.1", 0]);
  server.serverBind();
  server.serverActivate();
  assert((server.serverAddress as [string, number])[1] > 0);
  const handling = server.handleRequest();
  assertEquals(await ask(server, "late bind\n"), "late bind\n");
  await handling;
});

Deno.test("class attributes set as static members take effect while the constructor binds", async () => {
  class Reusing extends TCPServer {
    static override allowReuseAddress = true;
    static override requestQueueSize = 17;
    static override addressFamily = AF_INET6;
    static override timeout = 0.01;
    listenedWith = -1;
    override serverActivate(): void {
      // Read during the base constructor, before this class's fields exist.
      (Reusing as unknown as { seen: number }).seen = this.requestQueueSize;
      super.serverActivate();
    }
  }
  await using server = new Reusing(["::1", 0], EchoLine);
  assertEquals(server.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
  assertEquals(server.socket.family, AF_INET6);
  assertEquals((Reusing as unknown as { seen: number }).seen, 17);
  assertEquals(server.timeout, 0.01);
  assertEquals(server.listenedWith, -1);
  // The defaults, for comparison, and a per-instance assignment.
  await using plain = new TCPServer(["127.0.0.1", 0], EchoLine);
  assertEquals(plain.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
  assertEquals([plain.addressFamily, plain.requestQueueSize, plain.timeout], [AF_INET, 5, null]);
  plain.timeout = 3;
  assertEquals([plain.timeout, TCPServer.timeout], [3, null]);
});

Deno.test("a prototype getter overrides a class attribute too", async () => {
  class Reusing extends TCPServer {
    override get allowReuseAddress() {
      return true;
    }
  }
  await using server = new Reusing(["127.0.0.1", 0], EchoLine);
  assertEquals(server.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
});

Deno.test("StreamRequestHandler's settings are instance fields read in setup()", async () => {
  const seen: unknown[] = [];
  class Tuned extends StreamRequestHandler {
    override timeout = 7;
    override disableNagleAlgorithm = true;
    override wbufsize = 4096;
    override async handle() {
      seen.push(this.connection.gettimeout(), this.connection.getsockopt(IPPROTO_TCP, TCP_NODELAY));
      assertStrictEquals(this.connection, this.request);
      // Buffered: nothing leaves before finish() flushes.
      await this.wfile.write(bytes("buffered"));
    }
  }
  await using server = new TCPServer(["127.0.0.1", 0], Tuned);
  const port = (server.serverAddress as [string, number])[1];
  using client = await createConnection(["127.0.0.1", port]);
  await server.handleRequest();
  assertEquals(seen, [7, 1]);
  assertEquals(text(await recvAll(client)), "buffered");
});

Deno.test("wfile with wbufsize 0 sends each write at once and returns its length", async () => {
  let sentFirst = -1;
  class Writer extends StreamRequestHandler {
    override async handle() {
      sentFirst = await this.wfile.write(bytes("write data\n"));
      // The client sees the first write before the handler goes on.
      await this.rfile.readline();
      await this.wfile.write(new Uint8Array(100_000).fill(0x61));
    }
  }
  await using server = new TCPServer(["127.0.0.1", 0], Writer);
  const port = (server.serverAddress as [string, number])[1];
  using client = await createConnection(["127.0.0.1", port]);
  const handling = server.handleRequest();
  assertEquals(text(await within(client.recv(100))), "write data\n");
  await client.sendall(bytes("go\n"));
  assertEquals((await within(recvAll(client))).length, 100_000);
  await handling;
  assertEquals(sentFirst, 11);
});

Deno.test("rfile reads lines with readline, readlines and async iteration", async () => {
  const got: string[][] = [];
  class Reader extends StreamRequestHandler {
    override async handle() {
      got.push([text(await this.rfile.readline())]);
      const rest: string[] = [];
      for await (const line of this.rfile) {
        rest.push(text(line));
        if (rest.length === 2) break;
      }
      got.push(rest);
      got.push((await this.rfile.readlines()).map(text));
    }
  }
  await using server = new TCPServer(["127.0.0.1", 0], Reader);
  using client = await createConnection(server.serverAddress as [string, number]);
  await client.sendall(bytes("a\nb\nc\nd\ne"));
  client.shutdown(SHUT_WR); // readlines() reads to EOF
  await within(server.handleRequest());
  assertEquals(got, [["a\n"], ["b\n", "c\n"], ["d\n", "e"]]);
});

Deno.test("ThreadingMixIn: serverClose waits for requests in flight unless daemonThreads", async () => {
  for (const daemon of [false, true]) {
    const release = Promise.withResolvers<void>();
    let finished = false;
    class Slow extends StreamRequestHandler {
      override async handle() {
        await this.rfile.readline();
        await release.promise;
        finished = true;
      }
    }
    class Server extends ThreadingMixIn(TCPServer) {
      static override daemonThreads = daemon;
    }
    const server = new Server(["127.0.0.1", 0], Slow);
    const port = (server.serverAddress as [string, number])[1];
    using client = await createConnection(["127.0.0.1", port]);
    await client.sendall(bytes("x\n"));
    await server.handleRequest();
    let closed = false;
    const closing = server.serverClose().then(() => closed = true);
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(closed, daemon, `daemonThreads ${daemon}`);
    release.resolve();
    await closing;
    await within((async () => {
      while (!finished) await new Promise((r) => setTimeout(r, 5));
    })());
    if (!daemon) assert(finished);
  }
});

Deno.test("ThreadingMixIn result can be subclassed again, and its attributes overridden", async () => {
  class A extends ThreadingMixIn(TCPServer) {
    static override blockOnClose = false;
  }
  class B extends A {
    static override daemonThreads = true;
  }
  await using b = new B(["127.0.0.1", 0], EchoLine);
  assertEquals([b.blockOnClose, b.daemonThreads], [false, true]);
  b.blockOnClose = true;
  assertEquals([b.blockOnClose, A.blockOnClose], [true, false]);
  assertInstanceOf(b, TCPServer);
  const serving = b.serveForever(0.01);
  assertEquals(await ask(b, "sub\n"), "sub\n");
  await b.shutdown();
  await serving;
});

Deno.test("using and await using call serverClose()", async () => {
  let socket: Socket;
  {
    await using server = new TCPServer(["127.0.0.1", 0], EchoLine);
    socket = server.socket;
  }
  assertEquals(socket.fileno(), -1);
  {
    using server = new ThreadingTCPServer(["127.0.0.1", 0], EchoLine);
    socket = server.socket;
  }
  assertEquals(socket.fileno(), -1);
});

Deno.test("allowReusePort and socketType are read at bind time too", async () => {
  class ReusingPort extends TCPServer {
    static override allowReusePort = true; // the test task runs with --unstable-net
  }
  await using server = new ReusingPort(["127.0.0.1", 0], EchoLine);
  assertEquals(server.socket.getsockopt(SOL_SOCKET, SO_REUSEPORT), 1);
  class Datagram extends TCPServer {
    static override socketType = SOCK_DGRAM;
    override serverActivate(): void {} // a datagram socket does not listen
  }
  await using datagram = new Datagram(["127.0.0.1", 0], EchoLine);
  assertEquals(datagram.socket.type, SOCK_DGRAM);
});

Deno.test("a ThreadingTCPServer closed right after construction closes cleanly", async () => {
  const server = new ThreadingTCPServer(["127.0.0.1", 0], EchoLine);
  await server.serverClose();
  assertEquals(server.socket.fileno(), -1);
});

Deno.test("shutdown() always makes serveForever() return, even right after it starts", async () => {
  const servers = Array.from({ length: 20 }, () => new TCPServer(["127.0.0.1", 0], EchoLine));
  const loops = servers.map((server) => server.serveForever(0.01));
  await within(Promise.all(servers.map((server) => server.shutdown())));
  await within(Promise.all(loops));
  await Promise.all(servers.map((server) => server.serverClose()));
});

Deno.test("an OSError from getRequest() is ignored; the loop goes on", async () => {
  let failures = 0;
  class Flaky extends TCPServer {
    override async getRequest(): Promise<[Socket, Address]> {
      const request = await super.getRequest();
      if (failures++ === 0) {
        request[0].close();
        throw new OSError(ECONNABORTED, "Software caused connection abort");
      }
      return request;
    }
  }
  await using server = new Flaky(["127.0.0.1", 0], EchoLine);
  const serving = server.serveForever(0.01);
  assertEquals(await ask(server, "lost\n"), "");
  assertEquals(await ask(server, "served\n"), "served\n");
  await server.shutdown();
  await serving;
});

Deno.test("ThreadingMixIn keeps no finished request (CPython's threads are reaped)", async () => {
  const server = new ThreadingTCPServer(["127.0.0.1", 0], EchoLine);
  const serving = server.serveForever(0.01);
  for (let i = 0; i < 10; i++) assertEquals(await ask(server, `${i}\n`), `${i}\n`);
  await server.shutdown();
  await serving;
  // serverClose() has nothing left to wait for: it settles before a timer of 0 ms fires.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    server.serverClose().then(() => "closed"),
    new Promise((r) => timer = setTimeout(() => r("waiting"), 0)),
  ]);
  clearTimeout(timer);
  assertEquals(closed, "closed");
});

Deno.test("an instance field in place of a class attribute is refused by the compiler", async () => {
  const mod = new URL("../socketserver/mod.ts", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "pynet-check-" });
  try {
    const file = `${dir}/field.ts`;
    await Deno.writeTextFile(
      file,
      `import { TCPServer } from ${JSON.stringify(mod)};
export class S extends TCPServer {
  override allowReuseAddress = true;
}
`,
    );
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--no-config", file],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(code, 1);
    assert(new TextDecoder().decode(stderr).includes("TS2610"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ThreadingMixIn: an error escaping handleError is reported and the server goes on", async () => {
  class Failing extends BaseRequestHandler<Socket> {
    override handle(): void {
      throw new Error("in handle");
    }
  }
  class Server extends ThreadingTCPServer {
    override handleError(): void {
      throw new Error("in handleError");
    }
  }
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await using server = new Server(["127.0.0.1", 0], Failing);
    const serving = server.serveForever(0.01);
    assertEquals(await ask(server, "x\n"), "");
    await within((async () => {
      while (printed.length === 0) await new Promise((r) => setTimeout(r, 5));
    })());
    assert(printed[0]!.startsWith("Exception in request task:\nError: in handleError"), printed[0]);
    server.RequestHandlerClass = EchoLine;
    assertEquals(await ask(server, "still serving\n"), "still serving\n");
    await server.shutdown();
    await serving;
  } finally {
    console.error = original;
  }
});
