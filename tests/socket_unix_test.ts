// Unix domain sockets in a temporary directory, and socketpair(), checked against CPython 3.11.
//
// Deno asks net permission for each Unix socket path exactly, which the test task cannot grant
// for paths not known in advance; so this file runs its Unix tests in a child `deno test` of
// itself, allowed the paths of a temporary directory (see runUnixTests in _helpers.ts). The
// socketpair() tests need no permission and run in the parent.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  AF_UNIX,
  FileNotFoundError,
  OSError,
  SHUT_WR,
  SO_DOMAIN,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socketpair,
  SOL_SOCKET,
  TimeoutError,
} from "../socket/mod.ts";
import {
  bytes,
  MSG,
  pattern,
  recvAll,
  recvExactly,
  rejects,
  runDeno,
  runUnixTests,
  sameBytes,
  socketModule,
  text,
  unixPath,
  unixPathInMissingDir,
  unixTestDir,
  within,
} from "./_helpers.ts";

/** How many tests defineUnixTests() defines. */
const UNIX_TESTS = 9;

if (unixTestDir() === undefined) {
  Deno.test("Unix socket tests pass in a child run allowed their socket paths", async () => {
    const { code, output } = await runUnixTests(new URL(import.meta.url).pathname);
    assertEquals(code, 0, output);
    const summary = /ok \| (\d+) passed \| 0 failed/.exec(output);
    assert(summary !== null && Number(summary[1]) === UNIX_TESTS, output);
  });
  defineSocketpairTests();
} else {
  defineUnixTests();
}

function defineUnixTests(): void {
  Deno.test("a Unix stream socket echoes; getsockname() is the path, the peer address ''", async () => {
    const path = unixPath();
    using server = new Socket(AF_UNIX, SOCK_STREAM);
    assertEquals(server.getsockname(), "");
    server.bind(path);
    server.listen();
    assertEquals(server.getsockname(), path);
    using client = new Socket(AF_UNIX, SOCK_STREAM);
    await within(client.connect(path));
    const [conn, address] = await within(server.accept());
    using _conn = conn;
    assertEquals(address, "");
    assertEquals(conn.getsockname(), path);
    assertEquals(conn.getpeername(), "");
    assertEquals(client.getsockname(), "");
    assertEquals(client.getpeername(), path);
    assertEquals(conn.family, AF_UNIX);
    assertEquals(conn.getsockopt(SOL_SOCKET, SO_DOMAIN), AF_UNIX);

    await client.sendall(MSG);
    const got = await within(recvExactly(conn, MSG.length));
    assertEquals(got, MSG);
    await conn.sendall(got);
    assertEquals(await within(recvExactly(client, MSG.length)), MSG);

    // Half-close works on Unix streams too.
    client.shutdown(SHUT_WR);
    assertEquals((await within(conn.recv(10))).length, 0);
    await conn.sendall(bytes("bye"));
    conn.close();
    assertEquals(text(await within(recvAll(client))), "bye");
  });

  Deno.test("a Unix stream socket carries 1 MiB both ways", async () => {
    const path = unixPath();
    using server = new Socket(AF_UNIX, SOCK_STREAM);
    server.bind(path);
    server.listen();
    using client = new Socket(AF_UNIX, SOCK_STREAM);
    await within(client.connect(path));
    const [conn] = await within(server.accept());
    using _conn = conn;
    const data = pattern(1024 * 1024);
    const sending = client.sendall(data).then(() => client.shutdown(SHUT_WR));
    const got = await within(recvAll(conn), 30_000);
    await sending;
    assert(sameBytes(got, data));
  });

  Deno.test("a Unix socket's repr shows the path as str() does", async () => {
    const path = unixPath();
    using server = new Socket(AF_UNIX, SOCK_STREAM);
    assertEquals(
      String(server),
      `<socket.socket fd=${server.fileno()}, family=1, type=1, proto=0>`,
    );
    server.bind(path);
    server.listen();
    assertEquals(
      String(server),
      `<socket.socket fd=${server.fileno()}, family=1, type=1, proto=0, laddr=${path}>`,
    );
    using client = new Socket(AF_UNIX, SOCK_STREAM);
    await within(client.connect(path));
    assertEquals(
      String(client),
      `<socket.socket fd=${client.fileno()}, family=1, type=1, proto=0, raddr=${path}>`,
    );
    const [conn] = await within(server.accept());
    conn.close();
  });

  Deno.test("connecting to a missing Unix path raises FileNotFoundError (2)", async () => {
    using client = new Socket(AF_UNIX, SOCK_STREAM);
    const e = await rejects(() => client.connect(unixPath()), FileNotFoundError);
    assertEquals(e.errno, 2);
    assertEquals(e.message, "[Errno 2] No such file or directory");
  });

  Deno.test("binding in a missing directory raises FileNotFoundError (2)", () => {
    using s = new Socket(AF_UNIX, SOCK_STREAM);
    const e = assertThrows(() => s.bind(unixPathInMissingDir()), FileNotFoundError);
    assertEquals(e.errno, 2);
  });

  Deno.test("binding to a path in use raises EADDRINUSE (98)", () => {
    const path = unixPath();
    using first = new Socket(AF_UNIX, SOCK_STREAM);
    first.bind(path);
    first.listen();
    using second = new Socket(AF_UNIX, SOCK_STREAM);
    assertEquals(assertThrows(() => second.bind(path), OSError).errno, 98);
  });

  Deno.test("Unix address checks: too long a path, a number", () => {
    using s = new Socket(AF_UNIX, SOCK_STREAM);
    assertEquals(
      assertThrows(() => s.bind("x".repeat(200)), OSError).message,
      "AF_UNIX path too long",
    );
    assertEquals(
      assertThrows(() => s.bind(5 as unknown as string), TypeError).message,
      "a bytes-like object is required, not 'int'",
    );
  });

  Deno.test("AF_UNIX SOCK_DGRAM: bound sender and receiver exchange datagrams", async () => {
    const receiverPath = unixPath();
    const senderPath = unixPath();
    using receiver = new Socket(AF_UNIX, SOCK_DGRAM);
    receiver.bind(receiverPath);
    using sender = new Socket(AF_UNIX, SOCK_DGRAM);
    sender.bind(senderPath);
    assertEquals(receiver.getsockname(), receiverPath);
    assertEquals(sender.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);

    assertEquals(await within(sender.sendto(bytes("first"), receiverPath)), 5);
    assertEquals(await within(sender.sendto(bytes("second!"), receiverPath)), 7);
    const [one, from] = await within(receiver.recvfrom(1024));
    assertEquals(text(one), "first");
    assertEquals(from, senderPath);
    // Message boundaries hold; a short buffer truncates.
    assertEquals(text(await within(receiver.recv(3))), "sec");

    await within(receiver.sendto(bytes("reply"), from!));
    const [reply, replyFrom] = await within(sender.recvfrom(1024));
    assertEquals(text(reply), "reply");
    assertEquals(replyFrom, receiverPath);

    receiver.settimeout(0.05);
    await rejects(() => receiver.recv(10), TimeoutError);
  });

  Deno.test("AF_UNIX SOCK_DGRAM: a connected sender uses send()", async () => {
    const receiverPath = unixPath();
    using receiver = new Socket(AF_UNIX, SOCK_DGRAM);
    receiver.bind(receiverPath);
    using sender = new Socket(AF_UNIX, SOCK_DGRAM);
    sender.bind(unixPath());
    await sender.connect(receiverPath);
    assertEquals(sender.getpeername(), receiverPath);
    await within(sender.send(MSG));
    assertEquals(await within(receiver.recv(1024)), MSG);
  });
}

function defineSocketpairTests(): void {
  // ---- socketpair -------------------------------------------------------------------------------

  Deno.test("socketpair() gives AF_UNIX SOCK_STREAM sockets with proto 0", () => {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    for (const s of [a, b]) {
      assertEquals(s.family, AF_UNIX);
      assertEquals(s.type, SOCK_STREAM);
      assertEquals(s.proto, 0);
      assertEquals(s.gettimeout(), null);
    }
    assert(a.fileno() !== b.fileno());
    assertEquals(a.getsockname(), "");
    assertEquals(a.getpeername(), "");
  });

  Deno.test("socketpair() carries bytes in both directions", async () => {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    await a.sendall(MSG);
    assertEquals(await within(recvExactly(b, MSG.length)), MSG);
    await b.sendall(bytes("and back"));
    assertEquals(text(await within(recvExactly(a, 8))), "and back");
    const big = pattern(1024 * 1024 + 3);
    const sending = a.sendall(big);
    const got = await within(recvExactly(b, big.length), 30_000);
    await sending;
    assert(sameBytes(got, big));
  });

  Deno.test("socketpair() supports half-close and EOF on close", async () => {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    await a.sendall(bytes("request"));
    a.shutdown(SHUT_WR);
    assertEquals(text(await within(recvAll(b))), "request");
    await b.sendall(bytes("response"));
    b.close();
    assertEquals(text(await within(recvAll(a))), "response");
  });

  Deno.test("socketpair() timeouts and non-blocking reads keep late data", async () => {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    b.settimeout(0.05);
    await rejects(() => b.recv(10), TimeoutError);
    await a.sendall(bytes("late"));
    b.settimeout(5);
    assertEquals(text(await within(b.recv(10))), "late");
  });

  Deno.test("socketpair() refuses another family or type with EOPNOTSUPP", () => {
    assertEquals(assertThrows(() => socketpair(AF_INET), OSError).errno, 95);
    assertEquals(assertThrows(() => socketpair(AF_UNIX, SOCK_DGRAM), OSError).errno, 95);
  });

  Deno.test("socketpair() needs no permission (a child with no --allow flags uses it)", async () => {
    const source = `
  import { socketpair } from ${JSON.stringify(socketModule("mod.ts"))};
  const [a, b] = socketpair();
  await a.sendall(new TextEncoder().encode("no permission needed"));
  a.close();
  const parts = [];
  for (let data; (data = await b.recv(1024)).length > 0;) parts.push(new TextDecoder().decode(data));
  b.close();
  console.log(parts.join(""));
  `;
    const { code, stdout, stderr } = await runDeno(source);
    assertEquals(code, 0, stderr);
    assertEquals(stdout.trim(), "no permission needed");
  });
}
