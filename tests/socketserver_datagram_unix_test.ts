// socketserver over UDP and Unix sockets: UDPServer, ThreadingUDPServer, DatagramRequestHandler,
// the --unstable-net error, and the AF_UNIX servers. The Unix tests run in a child `deno test`
// of this file allowed their socket paths (see runUnixTests in _helpers.ts).
import { assert, assertEquals } from "@std/assert";
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, Socket, socket } from "../socket/mod.ts";
import {
  DatagramRequestHandler,
  StreamRequestHandler,
  ThreadingUDPServer,
  ThreadingUnixDatagramServer,
  ThreadingUnixStreamServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "../socketserver/mod.ts";
import {
  bytes,
  recvAll,
  runDeno,
  runUnixTests,
  text,
  unixPath,
  unixTestDir,
  within,
} from "./_helpers.ts";

/** CPython's test handler for datagrams: echoes the first line. */
class EchoLine extends DatagramRequestHandler {
  override async handle() {
    await this.wfile.write(await this.rfile.readline());
  }
}

class EchoStream extends StreamRequestHandler {
  override async handle() {
    await this.wfile.write(await this.rfile.readline());
  }
}

const UNIX_TESTS = 4;

if (unixTestDir() === undefined) {
  Deno.test("Unix socketserver tests pass in a child run allowed their socket paths", async () => {
    const { code, output } = await runUnixTests(new URL(import.meta.url).pathname);
    assertEquals(code, 0, output);
    const summary = /ok \| (\d+) passed \| 0 failed/.exec(output);
    assert(summary !== null && Number(summary[1]) === UNIX_TESTS, output);
  });
  defineDatagramTests();
} else {
  defineUnixTests();
}

function defineDatagramTests(): void {
  Deno.test("UDPServer and ThreadingUDPServer serve three clients under serveForever", async () => {
    for (const Server of [UDPServer, ThreadingUDPServer]) {
      const server = new Server(["127.0.0.1", 0], EchoLine);
      assertEquals(server.serverAddress, server.socket.getsockname());
      const serving = server.serveForever(0.01);
      for (let i = 0; i < 3; i++) {
        using client = socket(AF_INET, SOCK_DGRAM);
        client.settimeout(10);
        await client.sendto(bytes("hello world\nmore"), server.serverAddress);
        const [data, from] = await client.recvfrom(100);
        assertEquals(text(data), "hello world\n");
        assertEquals(from, server.serverAddress);
      }
      await server.shutdown();
      await serving;
      await server.serverClose();
      assertEquals(server.socket.fileno(), -1);
    }
  });

  Deno.test("DatagramRequestHandler always replies: empty, and even when handle() throws", async () => {
    const errors: unknown[] = [];
    class Silent extends DatagramRequestHandler {
      override handle() {
        if (this.packet.length > 1) throw new Error("boom");
      }
    }
    class Server extends UDPServer {
      override handleError(_r: unknown, _a: unknown, error?: unknown) {
        errors.push((error as Error).message);
      }
    }
    await using server = new Server(["127.0.0.1", 0], Silent);
    using client = socket(AF_INET, SOCK_DGRAM);
    client.settimeout(10);
    for (const packet of ["x", "xy"]) {
      await client.sendto(bytes(packet), server.serverAddress);
      await server.handleRequest();
      const [data] = await client.recvfrom(100);
      assertEquals(data.length, 0);
    }
    assertEquals(errors, ["boom"]);
  });

  Deno.test("UDPServer truncates a datagram to maxPacketSize", async () => {
    let got = -1;
    class Measure extends DatagramRequestHandler {
      override handle() {
        got = this.packet.length;
      }
    }
    class Small extends UDPServer {
      static override maxPacketSize = 100;
    }
    await using server = new UDPServer(["127.0.0.1", 0], Measure);
    await using small = new Small(["127.0.0.1", 0], Measure);
    using client = socket(AF_INET, SOCK_DGRAM);
    await client.sendto(new Uint8Array(10_000), server.serverAddress);
    await server.handleRequest();
    assertEquals(got, 8192);
    await client.sendto(new Uint8Array(10_000), small.serverAddress);
    await small.handleRequest();
    assertEquals(got, 100);
    assertEquals([server.socketType, server.allowReuseAddress], [SOCK_DGRAM, false]);
  });

  Deno.test("without --unstable-net, a datagram server raises OSError naming the flag", async () => {
    const mod = new URL("../socketserver/mod.ts", import.meta.url).href;
    const source = `
import { DatagramRequestHandler, ThreadingUDPServer, UDPServer } from ${JSON.stringify(mod)};
for (const Server of [UDPServer, ThreadingUDPServer]) {
  try {
    new Server(["127.0.0.1", 0], DatagramRequestHandler);
    console.log("constructed");
  } catch (e) {
    const err = e as { errno?: unknown; message: string };
    console.log(JSON.stringify({ cls: (e as Error).constructor.name, errno: err.errno, message: err.message }));
  }
}
console.log("done");
`;
    const { code, stdout, stderr } = await runDeno(source, ["--allow-net=127.0.0.1"]);
    assertEquals(code, 0, stderr);
    const lines = stdout.trim().split("\n");
    assertEquals(lines.at(-1), "done");
    for (const line of lines.slice(0, -1)) {
      const result = JSON.parse(line);
      assertEquals([result.cls, result.errno], ["OSError", 95], line);
      assert(result.message.includes("--unstable-net"), result.message);
    }
    assertEquals(lines.length, 3);
  });
}

function defineUnixTests(): void {
  Deno.test("UnixStreamServer and ThreadingUnixStreamServer serve on a path", async () => {
    for (const Server of [UnixStreamServer, ThreadingUnixStreamServer]) {
      const path = unixPath();
      await using server = new Server(path, EchoStream);
      assertEquals([server.serverAddress, server.socket.family], [path, AF_UNIX]);
      const serving = server.serveForever(0.01);
      for (let i = 0; i < 3; i++) {
        using client = new Socket(AF_UNIX, SOCK_STREAM);
        await within(client.connect(path));
        await client.sendall(bytes("hello world\n"));
        assertEquals(text(await within(recvAll(client))), "hello world\n");
      }
      await server.shutdown();
      await serving;
    }
  });

  Deno.test("UnixDatagramServer answers a client bound to a path", async () => {
    const path = unixPath();
    await using server = new UnixDatagramServer(path, EchoLine);
    const serving = server.serveForever(0.01);
    using client = new Socket(AF_UNIX, SOCK_DGRAM);
    client.bind(unixPath());
    client.settimeout(10);
    for (let i = 0; i < 3; i++) {
      await client.sendto(bytes(`hello ${i}\n`), path);
      const [data, from] = await client.recvfrom(100);
      assertEquals([text(data), from], [`hello ${i}\n`, path]);
    }
    await server.shutdown();
    await serving;
    // handleRequest() too.
    await client.sendto(bytes("once\n"), path);
    await server.handleRequest();
    assertEquals(text((await client.recvfrom(100))[0]), "once\n");
  });

  Deno.test("ThreadingUnixDatagramServer answers, one request at a time on Deno", async () => {
    const path = unixPath();
    await using server = new ThreadingUnixDatagramServer(path, EchoLine);
    const serving = server.serveForever(0.01);
    using client = new Socket(AF_UNIX, SOCK_DGRAM);
    client.bind(unixPath());
    client.settimeout(10);
    for (let i = 0; i < 3; i++) await client.sendto(bytes(`hello ${i}\n`), path);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) answers.push(text((await client.recvfrom(100))[0]));
    assertEquals(answers.sort(), ["hello 0\n", "hello 1\n", "hello 2\n"]);
    await server.shutdown();
    await serving;
  });

  Deno.test("a python3 client is served by a Unix stream server", async () => {
    const path = unixPath();
    await using server = new ThreadingUnixStreamServer(path, EchoStream);
    const serving = server.serveForever(0.01);
    const python = new Deno.Command("python3", {
      args: [
        "-c",
        `import socket,sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"from python\\n")
print(s.makefile("rb").readline().decode(), end="")`,
        path,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await within(python.output(), 20_000, "python3");
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    assertEquals(text(stdout), "from python\n");
    await server.shutdown();
    await serving;
  });
}
