// Socket.makefile(): the file objects of CPython's FileObjectClassTestCase family, over TCP on
// loopback.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type BinaryMode,
  type MakefileOptions,
  OSError,
  type Socket,
  type TextMode,
  TimeoutError,
  UnsupportedOperation,
  ValueError,
} from "../socket/mod.ts";
import { bytes, MSG, rejects, sleep, tcpPair, within } from "./_helpers.ts";

const MSG_TEXT = "Michael Gilfix was here\u1234\r\n";

/** `sock.makefile(mode)` for a binary mode: the overloads type it `SocketFile<Uint8Array>`. */
function binaryFile(sock: Socket, mode: BinaryMode, options: MakefileOptions = {}) {
  return sock.makefile(mode, options);
}

/** `sock.makefile(mode)` for a text mode: the overloads type it `SocketFile<string>`. */
function textFile(sock: Socket, mode: TextMode, options: MakefileOptions = {}) {
  return sock.makefile(mode, options);
}

Deno.test("makefile() accepts the modes r, rb, w, wb, rw and rwb", async () => {
  using pair = await tcpPair();
  const expected: [string, boolean, boolean][] = [
    ["r", true, false],
    ["rb", true, false],
    ["w", false, true],
    ["wb", false, true],
    ["rw", true, true],
    ["rwb", true, true],
  ];
  for (const [mode, readable, writable] of expected) {
    const file = pair.conn.makefile(mode);
    try {
      assertEquals(file.mode, mode);
      assertEquals(file.name, pair.conn.fileno());
      assertEquals(file.readable(), readable, mode);
      assertEquals(file.writable(), writable, mode);
      assertEquals(file.seekable(), false);
      assertEquals(file.fileno(), pair.conn.fileno());
    } finally {
      await file.close();
    }
  }
});

Deno.test("makefile() refuses the modes rt, x, + and a with ValueError 'invalid mode'", async () => {
  using pair = await tcpPair();
  for (const mode of ["rt", "x", "+", "a", "rb+"]) {
    const e = assertThrows(() => pair.conn.makefile(mode), ValueError);
    assertEquals(e.message, `invalid mode '${mode}' (only r, w, b allowed)`);
  }
  assertEquals(
    assertThrows(() => textFile(pair.conn, "r", { buffering: 0 }), ValueError).message,
    "unbuffered streams must be binary",
  );
});

Deno.test("read(n) returns the message in pieces (testSmallRead)", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(MSG);
  const first = await within(file.read(MSG.length - 3));
  const second = await within(file.read(3));
  assertEquals(first!.length, MSG.length - 3);
  assertEquals(new Uint8Array([...first!, ...second!]), MSG);
});

Deno.test("read() reads to EOF (testFullRead)", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(MSG);
  await sleep(10);
  await pair.client.sendall(MSG);
  pair.client.close();
  assertEquals(await within(file.read()), new Uint8Array([...MSG, ...MSG]));
  assertEquals((await within(file.read()))!.length, 0);
});

Deno.test("a read(1) loop returns the message byte by byte (testUnbufferedRead)", async () => {
  for (const buffering of [undefined, 0, 1, 2]) {
    using pair = await tcpPair();
    const file = binaryFile(pair.conn, "rb", buffering === undefined ? {} : { buffering });
    try {
      await pair.client.sendall(MSG);
      pair.client.close();
      const got: number[] = [];
      for (let i = 0; i <= MSG.length; i++) {
        const one = await within(file.read(1));
        if (one!.length === 0) break;
        assertEquals(one!.length, 1);
        got.push(one![0]!);
      }
      assertEquals(new Uint8Array(got), MSG, `buffering ${buffering}`);
    } finally {
      await file.close();
    }
  }
});

Deno.test("readline() returns one line with its ending (testReadline)", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(new Uint8Array([...MSG, ...bytes("second\nno end")]));
  pair.client.close();
  assertEquals(await within(file.readline()), MSG);
  assertEquals(await within(file.readline()), bytes("second\n"));
  assertEquals(await within(file.readline()), bytes("no end"));
  assertEquals((await within(file.readline())).length, 0);
});

Deno.test("readline(limit) stops at the limit", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(bytes("abcdef\n"));
  assertEquals(await within(file.readline(3)), bytes("abc"));
  assertEquals(await within(file.readline()), bytes("def\n"));
});

Deno.test("text mode decodes UTF-8 and keeps \\r\\n with newline ''", async () => {
  using pair = await tcpPair();
  await using file = textFile(pair.conn, "r", { encoding: "utf-8", newline: "" });
  await pair.client.sendall(MSG);
  // Sizes count characters in text mode.
  const first = await within(file.read(MSG_TEXT.length - 3));
  const second = await within(file.read(3));
  assertEquals(first! + second!, MSG_TEXT);
  await pair.client.sendall(MSG);
  assertEquals(await within(file.readline()), MSG_TEXT);
  pair.client.close();
  assertEquals(await within(file.read()), "");
});

Deno.test("text mode with the default newline turns \\r\\n into \\n", async () => {
  using pair = await tcpPair();
  await using file = textFile(pair.conn, "r", { encoding: "utf-8" });
  await pair.client.sendall(MSG);
  await pair.client.sendall(bytes("two\rthree\n"));
  pair.client.close();
  assertEquals(await within(file.readline()), "Michael Gilfix was here\u1234\n");
  assertEquals(await within(file.readlines()), ["two\n", "three\n"]);
});

Deno.test("text mode decodes a character split across two sends", async () => {
  using pair = await tcpPair();
  await using file = textFile(pair.conn, "r", { encoding: "utf-8", newline: "" });
  const split = MSG.indexOf(0xe1) + 1; // inside the three bytes of U+1234
  await pair.client.sendall(MSG.subarray(0, split));
  await sleep(20);
  await pair.client.sendall(MSG.subarray(split));
  pair.client.close();
  assertEquals(await within(file.read()), MSG_TEXT);
});

Deno.test("readlines() returns every line up to EOF", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(bytes("a\nbb\n\nccc"));
  pair.client.close();
  assertEquals(await within(file.readlines()), [
    bytes("a\n"),
    bytes("bb\n"),
    bytes("\n"),
    bytes("ccc"),
  ]);
});

Deno.test("a file object is async-iterable line by line", async () => {
  using pair = await tcpPair();
  await using file = textFile(pair.conn, "r", { encoding: "utf-8", newline: "" });
  await pair.client.sendall(bytes(`one\n${MSG_TEXT}three`));
  pair.client.close();
  const lines: string[] = [];
  for await (const line of file) lines.push(line as string);
  assertEquals(lines, ["one\n", MSG_TEXT, "three"]);
});

Deno.test("an unbuffered readline() does not over-read, so a second file sees the next line", async () => {
  using pair = await tcpPair();
  await pair.client.sendall(new Uint8Array([...bytes("A. "), ...MSG, ...bytes("B. "), ...MSG]));
  const first = binaryFile(pair.conn, "rb", { buffering: 0 });
  assertEquals(await within(first.readline()), new Uint8Array([...bytes("A. "), ...MSG]));
  await first.close();
  await using second = binaryFile(pair.conn, "rb", { buffering: 0 });
  assertEquals(await within(second.readline()), new Uint8Array([...bytes("B. "), ...MSG]));
});

Deno.test("the file keeps the socket open after sock.close() (testCloseAfterMakefile)", async () => {
  using pair = await tcpPair();
  const file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(MSG);
  pair.client.close();
  pair.conn.close();
  assertEquals(await within(file.read()), MSG);
  await file.close();
  assertEquals(pair.conn.fileno(), -1);
});

Deno.test("the socket really closes when its file closes (testMakefileClose)", async () => {
  using pair = await tcpPair();
  const file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(MSG);
  pair.conn.close();
  // Still open for the file's sake: recv() works.
  assert(pair.conn.fileno() >= 0);
  assertEquals(await within(pair.conn.recv(1024)), MSG.subarray(0, MSG.length));
  assert(String(pair.conn).startsWith("<socket.socket [closed] fd="));
  await file.close();
  assertEquals(pair.conn.fileno(), -1);
  assertEquals((await rejects(() => pair.conn.recv(1024), OSError)).errno, 9);
  assertThrows(() => file.fileno(), ValueError);
});

Deno.test("closing the file first, then the socket, closes it (testRealClose)", async () => {
  using pair = await tcpPair();
  const file = binaryFile(pair.conn, "rb");
  await file.close();
  assertThrows(() => file.fileno(), ValueError);
  assert(pair.conn.fileno() >= 0);
  pair.conn.close();
  assertEquals(assertThrows(() => pair.conn.getsockname(), OSError).errno, 9);
});

Deno.test("after a timeout, a read raises OSError 'cannot read from timed out object'", async () => {
  using pair = await tcpPair();
  pair.conn.settimeout(0.05);
  await using file = binaryFile(pair.conn, "rb");
  await pair.client.sendall(MSG.subarray(0, 3));
  assertEquals(await within(file.read(3)), MSG.subarray(0, 3));
  await rejects(() => file.read(1), TimeoutError);
  const e = await rejects(() => file.read(1), OSError);
  assert(!(e instanceof TimeoutError));
  assert(e.message.includes("cannot read from timed out object"), e.message);
});

Deno.test("non-blocking reads return null when no data is there (testSmallReadNonBlocking)", async () => {
  using pair = await tcpPair();
  pair.conn.setblocking(false);
  await using file = binaryFile(pair.conn, "rb");
  assertEquals(await within(file.readinto(new Uint8Array(10))), null);
  assertEquals(await within(file.read(MSG.length - 3)), null);
  await pair.client.sendall(MSG);
  let first: Uint8Array | null = null;
  for (let i = 0; i < 200 && first === null; i++) {
    first = await within(file.read(MSG.length - 3));
    if (first === null) await sleep(10);
  }
  assert(first !== null, "the data never arrived");
  const buffer = new Uint8Array(10);
  const n = await within(file.readinto(buffer));
  assertEquals(n, 3);
  assertEquals(new Uint8Array([...first!, ...buffer.subarray(0, 3)]), MSG);
  assertEquals(await within(file.readinto(new Uint8Array(16))), null);
  assertEquals(await within(file.read(1)), null);
});

Deno.test("a closed file's readable()/writable()/seekable() raise ValueError", async () => {
  using pair = await tcpPair();
  for (const mode of ["rb", "wb", "r"]) {
    const file = pair.conn.makefile(mode, mode.includes("b") ? { buffering: 0 } : {});
    assertEquals(file.readable(), mode.includes("r"));
    assertEquals(file.writable(), mode.includes("w"));
    assertEquals(file.seekable(), false);
    await file.close();
    assert(file.closed);
    for (const call of [() => file.readable(), () => file.writable(), () => file.seekable()]) {
      assertEquals(assertThrows(call, ValueError).message, "I/O operation on closed socket.");
    }
    assertEquals(
      assertThrows(() => file.fileno(), ValueError).message,
      "I/O operation on closed file.",
    );
    await rejects(() => file.read(1), ValueError);
  }
});

Deno.test("write() then flush() delivers the bytes", async () => {
  using pair = await tcpPair();
  await using file = binaryFile(pair.client, "wb");
  assertEquals(await file.write(MSG), MSG.length);
  assertEquals(await file.write(bytes("tail")), 4);
  await file.flush();
  const expected = new Uint8Array([...MSG, ...bytes("tail")]);
  const got: number[] = [];
  while (got.length < expected.length) {
    const piece = await within(pair.conn.recv(1024));
    if (piece.length === 0) break;
    got.push(...piece);
  }
  assertEquals(new Uint8Array(got), expected);
});

Deno.test("a text file writes str as UTF-8; close() flushes", async () => {
  using pair = await tcpPair();
  const file = textFile(pair.client, "w", { encoding: "utf-8", newline: "" });
  assertEquals(await file.write(MSG_TEXT), MSG_TEXT.length);
  await file.close();
  pair.client.close();
  await using reader = binaryFile(pair.conn, "rb");
  assertEquals(await within(reader.read()), MSG);
});

Deno.test("a read-only file refuses write() and a write-only file refuses read()", async () => {
  using pair = await tcpPair();
  await using reader = binaryFile(pair.conn, "rb");
  await rejects(() => reader.write(bytes("x")), UnsupportedOperation);
  await using writer = binaryFile(pair.conn, "wb");
  await rejects(() => writer.read(1), UnsupportedOperation);
});

Deno.test("a binary file refuses str and a text file refuses bytes", async () => {
  using pair = await tcpPair();
  await using binary = binaryFile(pair.client, "wb");
  await rejects(() => binary.write("x" as unknown as Uint8Array), TypeError);
  await using text = textFile(pair.client, "w");
  await rejects(() => text.write(bytes("x") as unknown as string), TypeError);
});
