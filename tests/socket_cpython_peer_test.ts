// CPython 3.11 as a real peer on loopback: python3 servers for our clients and python3 clients
// for our servers, over TCP (IPv4 and IPv6), UDP and a Unix socket; every byte is checked.
//
// The Unix test runs in a child `deno test` of this file allowed its socket paths (Deno asks
// net permission for each Unix path; see runUnixTests in _helpers.ts).
import { assert, assertEquals } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  createConnection,
  createServer,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
} from "../socket/mod.ts";
import {
  loopback,
  pattern,
  recvAll,
  runUnixTests,
  sameBytes,
  startPython,
  unixPath,
  unixTestDir,
  within,
} from "./_helpers.ts";

/** A python3 TCP or Unix echo server: prints its port (or "ready"), echoes one connection. */
const PY_ECHO_SERVER = `
import socket, sys
kind = sys.argv[1]
if kind == "unix":
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(sys.argv[2])
    srv.listen()
else:
    family = socket.AF_INET6 if kind == "6" else socket.AF_INET
    srv = socket.create_server(("::1" if kind == "6" else "127.0.0.1", 0), family=family)
srv.settimeout(10)
print("ready" if kind == "unix" else srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(10)
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    conn.sendall(data)
    total += len(data)
conn.close()
srv.close()
print(total, flush=True)
`;

/**
 * A python3 client: sends the test pattern of argv[3] bytes, half-closes, and checks that it
 * gets the pattern back reversed.
 */
const PY_CLIENT = `
import socket, sys
kind, where, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(n))
if kind == "unix":
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(10)
    c.connect(where)
else:
    c = socket.create_connection(("::1" if kind == "6" else "127.0.0.1", int(where)), timeout=10)
c.sendall(data)
c.shutdown(socket.SHUT_WR)
buf = bytearray()
while True:
    piece = c.recv(65536)
    if not piece:
        break
    buf += piece
c.close()
print("ok" if bytes(buf) == data[::-1] else "mismatch %d" % len(buf), flush=True)
`;

/** Sends `data` and reads the echo until EOF, both at once (so neither side's buffer fills). */
async function echoThrough(sock: Socket, data: Uint8Array): Promise<Uint8Array> {
  const receiving = recvAll(sock);
  await sock.sendall(data);
  sock.shutdown(SHUT_WR);
  return await within(receiving, 30_000, "echo");
}

/** Serves one python3 client: reads its bytes to EOF, checks them, replies with them reversed. */
async function serveReversed(server: Socket, size: number): Promise<void> {
  server.settimeout(10);
  const [conn] = await within(server.accept());
  using _conn = conn;
  conn.settimeout(10);
  const got = await within(recvAll(conn), 30_000);
  assertEquals(got.length, size);
  assert(sameBytes(got, pattern(size)), "python3's bytes arrived changed");
  await conn.sendall(got.slice().reverse());
}

if (unixTestDir() === undefined) {
  defineInetTests();
  Deno.test("CPython peers over a Unix socket, in a child run allowed the paths", async () => {
    const { code, output } = await runUnixTests(new URL(import.meta.url).pathname);
    assertEquals(code, 0, output);
    const summary = /ok \| (\d+) passed \| 0 failed/.exec(output);
    assert(summary !== null && Number(summary[1]) === 2, output);
  });
} else {
  defineUnixTests();
}

function defineInetTests(): void {
  for (const family of [AF_INET, AF_INET6]) {
    const kind = family === AF_INET6 ? "6" : "4";
    const host = loopback(family);

    Deno.test(`our TCP client against a python3 echo server on ${host}`, async () => {
      await using peer = startPython(PY_ECHO_SERVER, [kind]);
      const port = Number(await peer.readLine());
      using client = await within(createConnection([host, port], 10));
      assertEquals(client.family, family);
      const data = pattern(200_000);
      const echoed = await echoThrough(client, data);
      assertEquals(echoed.length, data.length);
      assert(sameBytes(echoed, data));
      assertEquals(await peer.readLine(), String(data.length));
      const { code, stderr } = await peer.finish();
      assertEquals(code, 0, stderr);
    });

    Deno.test(`a python3 TCP client against our server on ${host}`, async () => {
      using server = createServer([host, 0], { family });
      const [, port] = server.getsockname() as [string, number];
      const size = 150_001;
      await using peer = startPython(PY_CLIENT, [kind, String(port), String(size)]);
      await serveReversed(server, size);
      assertEquals(await peer.readLine(), "ok");
      const { code, stderr } = await peer.finish();
      assertEquals(code, 0, stderr);
    });
  }

  Deno.test("our UDP client against a python3 echo server", async () => {
    const sizes = [1, 100, 1400, 8000, 60_000];
    await using peer = startPython(
      `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(10)
print(s.getsockname()[1], flush=True)
for _ in range(int(sys.argv[1])):
    data, addr = s.recvfrom(65536)
    s.sendto(data, addr)
s.close()
print("done", flush=True)
`,
      [String(sizes.length)],
    );
    const port = Number(await peer.readLine());
    using client = new Socket(AF_INET, SOCK_DGRAM);
    client.settimeout(10);
    for (const size of sizes) {
      const data = pattern(size);
      assertEquals(await within(client.sendto(data, ["127.0.0.1", port])), size);
      const [echoed, from] = await within(client.recvfrom(65536));
      assertEquals(from, ["127.0.0.1", port]);
      assert(sameBytes(echoed, data), `datagram of ${size} bytes changed`);
    }
    assertEquals(await peer.readLine(), "done");
    assertEquals((await peer.finish()).code, 0);
  });

  Deno.test("a python3 UDP client against our UDP server", async () => {
    using server = new Socket(AF_INET, SOCK_DGRAM);
    server.bind(["127.0.0.1", 0]);
    server.settimeout(10);
    const [, port] = server.getsockname() as [string, number];
    const sizes = [1, 512, 4096, 30_000];
    await using peer = startPython(
      `
import socket, sys
port = int(sys.argv[1])
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(10)
for size in map(int, sys.argv[2:]):
    data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(size))
    c.sendto(data, ("127.0.0.1", port))
    reply, addr = c.recvfrom(65536)
    assert addr == ("127.0.0.1", port), addr
    assert reply == data[::-1], (size, len(reply))
print("ok", c.getsockname()[1], flush=True)
`,
      [String(port), ...sizes.map(String)],
    );
    let clientPort = 0;
    for (const size of sizes) {
      const [data, from] = await within(server.recvfrom(65536));
      assert(sameBytes(data, pattern(size)), `datagram of ${size} bytes changed`);
      clientPort = (from as [string, number])[1];
      assertEquals(await within(server.sendto(data.slice().reverse(), from!)), size);
    }
    assertEquals(await peer.readLine(), `ok ${clientPort}`);
    const { code, stderr } = await peer.finish();
    assertEquals(code, 0, stderr);
  });
}

function defineUnixTests(): void {
  Deno.test("our Unix client against a python3 echo server", async () => {
    const path = unixPath();
    await using peer = startPython(PY_ECHO_SERVER, ["unix", path]);
    assertEquals(await peer.readLine(), "ready");
    using client = new Socket(AF_UNIX, SOCK_STREAM);
    client.settimeout(10);
    await within(client.connect(path));
    assertEquals(client.getpeername(), path);
    const data = pattern(100_000);
    const echoed = await echoThrough(client, data);
    assert(sameBytes(echoed, data));
    assertEquals(await peer.readLine(), String(data.length));
    assertEquals((await peer.finish()).code, 0);
  });

  Deno.test("a python3 Unix client against our server", async () => {
    const path = unixPath();
    using server = new Socket(AF_UNIX, SOCK_STREAM);
    server.bind(path);
    server.listen();
    const size = 70_000;
    await using peer = startPython(PY_CLIENT, ["unix", path, String(size)]);
    await serveReversed(server, size);
    assertEquals(await peer.readLine(), "ok");
    const { code, stderr } = await peer.finish();
    assertEquals(code, 0, stderr);
  });
}
