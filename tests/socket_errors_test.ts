// Python's exception hierarchy and messages, and the errors the socket module raises for bad
// arguments, missing permissions and Deno's own failures, checked against CPython 3.11.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  AF_INET,
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  error,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  OSError,
  osError,
  OverflowError,
  PermissionError,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  socketpair,
  timeout,
  TimeoutError,
  ValueError,
} from "../socket/mod.ts";
import { bytes, rejects, tcpPair, within } from "./_helpers.ts";

Deno.test("socket.error is OSError and socket.timeout is TimeoutError", () => {
  assertStrictEquals(error, OSError);
  assertStrictEquals(timeout, TimeoutError);
});

Deno.test("the exception tree matches Python's", () => {
  const tree: [new (...args: never[]) => Error, new (...args: never[]) => Error][] = [
    [BlockingIOError, OSError],
    [ConnectionError, OSError],
    [BrokenPipeError, ConnectionError],
    [ConnectionAbortedError, ConnectionError],
    [ConnectionRefusedError, ConnectionError],
    [ConnectionResetError, ConnectionError],
    [FileExistsError, OSError],
    [FileNotFoundError, OSError],
    [InterruptedError, OSError],
    [PermissionError, OSError],
    [TimeoutError, OSError],
    [gaierror, OSError],
    [herror, OSError],
    [OSError, Error],
  ];
  for (const [child, parent] of tree) {
    assert(child.prototype instanceof parent, `${child.name} extends ${parent.name}`);
  }
  // Argument errors are not OSErrors.
  assert(!(new ValueError("x") instanceof OSError));
  assert(!(new OverflowError("x") instanceof OSError));
});

Deno.test("osError() picks the subclass CPython's OSError(errno, text) picks", () => {
  const expected: [number, new (...args: never[]) => OSError][] = [
    [11, BlockingIOError],
    [115, BlockingIOError],
    [32, BrokenPipeError],
    [103, ConnectionAbortedError],
    [104, ConnectionResetError],
    [111, ConnectionRefusedError],
    [2, FileNotFoundError],
    [17, FileExistsError],
    [4, InterruptedError],
    [13, PermissionError],
    [110, TimeoutError],
  ];
  for (const [errno, Class] of expected) {
    const e = osError(errno);
    assertStrictEquals(e.constructor, Class, `errno ${errno}`);
    assertEquals(e.errno, errno);
  }
  // EADDRINUSE has no subclass.
  assertStrictEquals(osError(98).constructor, OSError);
});

Deno.test("an OSError's message is '[Errno N] text', with errno and strerror", () => {
  const e = osError(111);
  assertEquals(e.message, "[Errno 111] Connection refused");
  assertEquals(e.errno, 111);
  assertEquals(e.strerror, "Connection refused");
  assertEquals(e.name, "ConnectionRefusedError");
  assertEquals(new OSError(98).message, "[Errno 98] Address already in use");
  assertEquals(new OSError(null, "just text").message, "just text");
  assertEquals(new OSError(null, "just text").errno, null);
});

Deno.test("a socket timeout is TimeoutError('timed out') with errno null", async () => {
  using pair = await tcpPair();
  pair.conn.settimeout(0.01);
  const e = await rejects(() => pair.conn.recv(1), TimeoutError);
  assertEquals(e.message, "timed out");
  assertEquals(e.errno, null);
  assertEquals(e.name, "TimeoutError");
  assertEquals(String(e), "TimeoutError: timed out");
});

Deno.test("a Deno error keeps its original as cause", async () => {
  using server = socket();
  server.bind(["127.0.0.1", 0]);
  const address = server.getsockname();
  server.close();
  using s = socket();
  const e = await rejects(() => s.connect(address), ConnectionRefusedError);
  assertInstanceOf(e.cause, Deno.errors.ConnectionRefused);
});

Deno.test("socket() refuses a bad family, type or protocol as CPython does", () => {
  let e = assertThrows(() => socket(99), OSError);
  assertEquals(e.errno, 97);
  assertEquals(e.message, "[Errno 97] Address family not supported by protocol");
  e = assertThrows(() => socket(AF_INET, 99), OSError);
  assertEquals(e.errno, 22);
  e = assertThrows(() => socket(AF_INET, SOCK_STREAM, 17), OSError);
  assertEquals(e.errno, 93);
  assertEquals(e.message, "[Errno 93] Protocol not supported");
  assertEquals(
    assertThrows(() => socket("x" as unknown as number), TypeError).message,
    "'str' object cannot be interpreted as an integer",
  );
});

Deno.test("socket(fileno=) validates the descriptor as CPython does", () => {
  assertEquals(
    assertThrows(() => socket(AF_INET, SOCK_STREAM, 0, -1), ValueError).message,
    "negative file descriptor",
  );
  assertEquals(
    assertThrows(() => socket(AF_INET, SOCK_STREAM, 0, 1.5), TypeError).message,
    "'float' object cannot be interpreted as an integer",
  );
  assertEquals(
    assertThrows(() => socket(AF_INET, SOCK_STREAM, 0, "x" as unknown as number), TypeError)
      .message,
    "'str' object cannot be interpreted as an integer",
  );
  assertEquals(assertThrows(() => socket(AF_INET, SOCK_STREAM, 0, 4242), OSError).errno, 9);
});

Deno.test("Promise-returning methods reject on bad arguments, never throw synchronously", async () => {
  using pair = await tcpPair();
  const s = pair.conn;
  const calls: [string, () => Promise<unknown>][] = [
    ["recv(-1)", () => s.recv(-1)],
    ["recv('x')", () => s.recv("x" as unknown as number)],
    ["recvfrom(-1)", () => s.recvfrom(-1)],
    ["recvInto(small, 8)", () => s.recvInto(new Uint8Array(1), 8)],
    ["send('x')", () => s.send("x" as unknown as Uint8Array)],
    ["sendall('x')", () => s.sendall("x" as unknown as Uint8Array)],
    ["sendto(bad address)", () => s.sendto(bytes("x"), "bad")],
    ["connect(bad)", () => s.connect("bad" as unknown as [string, number])],
    ["accept() on a connected socket", () => s.accept()],
  ];
  for (const [name, call] of calls) {
    let promise: Promise<unknown> | undefined;
    try {
      promise = call();
    } catch (e) {
      throw new Error(`${name} threw synchronously: ${e}`);
    }
    await rejects(() => promise!, Error);
  }
});

Deno.test("accept() on a socket that is not listening raises EINVAL (22)", async () => {
  using s = socket();
  assertEquals((await rejects(() => s.accept(), OSError)).errno, 22);
});

Deno.test("recv() on an unconnected stream socket raises ENOTCONN (107), send() BrokenPipeError (EPIPE) as CPython", async () => {
  using s = socket();
  const e = await rejects(() => s.recv(1), OSError);
  assertEquals(e.errno, 107);
  assertEquals((await rejects(() => s.send(bytes("x")), BrokenPipeError)).errno, 32);
  assertEquals((await rejects(() => s.sendall(bytes("x")), BrokenPipeError)).errno, 32);
});

Deno.test("send() to a peer that closed eventually raises BrokenPipeError or ConnectionResetError", async () => {
  using pair = await tcpPair();
  pair.conn.close();
  let failure: unknown = null;
  for (let i = 0; i < 200 && failure === null; i++) {
    try {
      await within(pair.client.send(bytes("x")));
    } catch (e) {
      failure = e;
    }
  }
  assert(
    failure instanceof BrokenPipeError || failure instanceof ConnectionResetError,
    String(failure),
  );
});

Deno.test("a missing net permission raises PermissionError naming the flag to add", async () => {
  // 127.0.0.2 is loopback, but the test task allows only 127.0.0.1 and ::1.
  using s = socket();
  const e = await rejects(() => s.connect(["127.0.0.2", 9]), PermissionError);
  assertEquals(e.errno, 13);
  assert(e.message.includes("--allow-net=127.0.0.2:9"), e.message);
  assertInstanceOf(e.cause, Deno.errors.NotCapable);
  using b = socket();
  const bound = assertThrows(() => b.bind(["127.0.0.2", 0]), PermissionError);
  // A bind to port 0 asks for "127.0.0.2:0"; the host alone is what grants it.
  assert(bound.message.endsWith("run again with --allow-net=127.0.0.2"), bound.message);
});

Deno.test("a datagram socket's missing permission is a PermissionError too", async () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  const e = assertThrows(() => s.bind(["127.0.0.2", 0]), PermissionError);
  assert(e.message.endsWith("run again with --allow-net=127.0.0.2"), e.message);
  using u = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const sent = await rejects(() => u.sendto(bytes("x"), ["127.0.0.2", 9]), PermissionError);
  assert(sent.message.includes("--allow-net=127.0.0.2:9"), sent.message);
});

Deno.test("socketpair() ends raise EBADF once closed and BrokenPipe toward a closed peer", async () => {
  const [a, b] = socketpair();
  b.close();
  assertEquals((await rejects(() => b.recv(1), OSError)).errno, 9);
  const e = await rejects(() => a.sendall(bytes("x")), OSError);
  assertInstanceOf(e, BrokenPipeError);
  assertEquals((await within(a.recv(1))).length, 0);
  a.close();
});
