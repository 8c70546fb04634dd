// Text makefile() codecs against CPython: python3 encodes and decodes the same cases over real
// sockets (its makefile() on its side, pynet's on the other), and the results (bytes, text,
// or exception class and message) must match.
import { assertEquals, assertThrows } from "@std/assert";
import {
  AF_INET,
  LookupError,
  NotImplementedError,
  SOCK_STREAM,
  Socket,
  UnicodeDecodeError,
  ValueError,
} from "../socket/mod.ts";
import { recvAll, startPython, tcpPair, within } from "./_helpers.ts";

/** A case: pynet writes `text` (encode), or reads what python sends (decode), or looks up a name. */
type Case =
  | { kind: "encode"; text: string; encoding: string; errors?: string }
  | { kind: "decode"; hex: string; encoding: string; errors?: string }
  | { kind: "roundtrip"; text: string; encoding: string }
  | { kind: "lookup"; encoding: string };

/** What a side produced: `["ok", value]` or `["error", class name, message]`. */
type Outcome = [string, ...string[]];

const PY_ORACLE = `
import codecs, json, socket, sys
cases = json.loads(sys.argv[1])
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1])
def outcome(fn):
    try:
        return ["ok", fn()]
    except Exception as e:
        return ["error", type(e).__name__, str(e)]
def write_text(sock, enc, err, text):
    f = sock.makefile("w", encoding=enc, errors=err, newline="")
    try:
        f.write(text)
    finally:
        try:
            f.close()
        finally:
            sock.close()
def read_text(sock, enc, err):
    with sock, sock.makefile("r", encoding=enc, errors=err, newline="") as f:
        return f.read()
def recv_all(sock):
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
# The oracle is CPython's own text makefile() over a socket pair.
for case in cases:
    kind, enc, err = case["kind"], case["encoding"], case.get("errors", "strict")
    if kind == "lookup":
        print(json.dumps(outcome(lambda: codecs.lookup(enc).name)))
        continue
    conn, _ = srv.accept()
    a, b = socket.socketpair()
    with conn, b:
        if kind == "encode":
            got = recv_all(conn).hex()
            want = outcome(lambda: write_text(a, enc, err, case["text"]) or recv_all(b).hex())
            print(json.dumps([got, want]))
        elif kind == "decode":
            data = bytes.fromhex(case["hex"])
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
            a.sendall(data)
            a.close()
            print(json.dumps(outcome(lambda: read_text(b, enc, err))))
            conn.recv(1)
        else:
            write_text(a, enc, err, case["text"])
            want = outcome(lambda: read_text(b, enc, err))
            write_text(conn.dup(), enc, err, case["text"])
            conn.shutdown(socket.SHUT_WR)
            print(json.dumps(want))
            conn.recv(1)
`;

const CASES: Case[] = [
  // The cases: latin-1 writes one byte per character, under every spelling.
  { kind: "encode", text: "café", encoding: "iso-8859-1" },
  { kind: "encode", text: "café", encoding: "latin-1" },
  { kind: "encode", text: "café", encoding: "Latin_1" },
  { kind: "encode", text: "café", encoding: "L1" },
  { kind: "encode", text: "a€", encoding: "latin1" },
  { kind: "encode", text: "café", encoding: "ascii" },
  { kind: "encode", text: "caféé!", encoding: "US-ASCII" },
  { kind: "encode", text: "abc", encoding: " ANSI_X3.4-1968 " },
  { kind: "encode", text: "café", encoding: "ascii", errors: "replace" },
  { kind: "encode", text: "café", encoding: "ascii", errors: "ignore" },
  { kind: "encode", text: "aé€😀", encoding: "ascii", errors: "backslashreplace" },
  { kind: "encode", text: "aé€😀", encoding: "ascii", errors: "xmlcharrefreplace" },
  { kind: "encode", text: "a\udce9", encoding: "ascii", errors: "surrogateescape" },
  { kind: "encode", text: "aé", encoding: "ascii", errors: "surrogateescape" },
  { kind: "encode", text: "é", encoding: "ascii", errors: "bogus" },
  { kind: "encode", text: "€ŠŸÄ", encoding: "cp1252" },
  { kind: "encode", text: "€", encoding: "windows-1252" },
  { kind: "encode", text: "xĀĀ", encoding: "cp1252" },
  { kind: "encode", text: "╔═╗ çé ░", encoding: "cp437" },
  { kind: "encode", text: "x€", encoding: "IBM437" },
  { kind: "encode", text: "héllo 😀", encoding: "utf-8" },
  { kind: "encode", text: "héllo", encoding: "UTF8" },
  { kind: "encode", text: "h\ud800", encoding: "utf-8" },
  { kind: "encode", text: "h\udce9", encoding: "utf-8", errors: "surrogateescape" },
  { kind: "encode", text: "h\ud800", encoding: "utf-8", errors: "replace" },
  { kind: "encode", text: "hé", encoding: "utf-8-sig" },
  { kind: "encode", text: "hé😀", encoding: "utf-16" },
  { kind: "encode", text: "hé😀", encoding: "UTF-16BE" },
  { kind: "encode", text: "hé😀", encoding: "utf-32" },
  { kind: "encode", text: "hé😀", encoding: "utf_32_le" },
  { kind: "encode", text: "h\ud800", encoding: "utf-16" },
  { kind: "encode", text: "h\ud800", encoding: "utf-32" },
  // Bytes 80 9f are C1 controls in latin-1, not windows-1252's "€Ÿ".
  { kind: "decode", hex: "809f", encoding: "latin-1" },
  { kind: "decode", hex: "809f", encoding: "iso-8859-1" },
  { kind: "decode", hex: "809fff", encoding: "latin1" },
  { kind: "decode", hex: "63e9", encoding: "ascii" },
  { kind: "decode", hex: "63e9ff", encoding: "ascii", errors: "replace" },
  { kind: "decode", hex: "63e9ff", encoding: "ascii", errors: "ignore" },
  { kind: "decode", hex: "63e9ff", encoding: "ascii", errors: "surrogateescape" },
  { kind: "decode", hex: "63e9ff", encoding: "ascii", errors: "backslashreplace" },
  { kind: "decode", hex: "808a9f", encoding: "cp1252" },
  { kind: "decode", hex: "80818a", encoding: "cp1252" },
  { kind: "decode", hex: "80818a", encoding: "cp1252", errors: "replace" },
  { kind: "decode", hex: "c9cdbb2087b0", encoding: "cp437" },
  { kind: "decode", hex: "636166c3a9", encoding: "utf-8" },
  { kind: "decode", hex: "ff61", encoding: "utf-8" },
  { kind: "decode", hex: "61e28261", encoding: "utf-8" },
  // (An error at the end of read() counts positions from the bytes left undecoded by the
  // previous receive, where CPython counts from the start of the read: so these start there.)
  { kind: "decode", hex: "e282", encoding: "utf-8" },
  { kind: "decode", hex: "e28261eda080c0af", encoding: "utf-8", errors: "replace" },
  { kind: "decode", hex: "e28261ff", encoding: "utf-8", errors: "surrogateescape" },
  { kind: "decode", hex: "e28261ff", encoding: "utf-8", errors: "backslashreplace" },
  { kind: "decode", hex: "efbbbf61", encoding: "utf-8" },
  { kind: "decode", hex: "efbbbf61efbbbf", encoding: "utf-8-sig" },
  { kind: "decode", hex: "fffe6100e9003dd800de", encoding: "utf-16" },
  { kind: "decode", hex: "feff006100e9", encoding: "utf-16" },
  { kind: "decode", hex: "61006200", encoding: "utf-16" },
  { kind: "decode", hex: "0061d83dde00", encoding: "utf-16-be" },
  { kind: "decode", hex: "00d8", encoding: "utf-16-le" },
  { kind: "decode", hex: "00d86100", encoding: "utf-16-le" },
  { kind: "decode", hex: "00dc61", encoding: "utf-16-le", errors: "replace" },
  { kind: "decode", hex: "fffe00006100000000f60100", encoding: "utf-32" },
  { kind: "decode", hex: "00001100", encoding: "utf-32-le" },
  { kind: "decode", hex: "ff", encoding: "utf-32-be" },
  // python3 writes with its codec, pynet reads with the same name.
  { kind: "roundtrip", text: "café €", encoding: "cp1252" },
  { kind: "roundtrip", text: "caf\x80\x9fé", encoding: "latin-1" },
  { kind: "roundtrip", text: "╔═╗ çé", encoding: "cp437" },
  { kind: "roundtrip", text: "héllo 😀", encoding: "utf-16" },
  { kind: "roundtrip", text: "héllo 😀", encoding: "utf-32" },
  { kind: "roundtrip", text: "héllo 😀", encoding: "utf-8-sig" },
  // Names: Python's spellings are accepted, others raise LookupError.
  { kind: "lookup", encoding: "latin-1" },
  { kind: "lookup", encoding: "cp437" },
  { kind: "lookup", encoding: "Windows_1252" },
  { kind: "lookup", encoding: "utf8" },
  { kind: "lookup", encoding: "U8" },
  { kind: "lookup", encoding: "iso_8859_1:1987" },
  { kind: "lookup", encoding: "no-such-codec" },
  { kind: "lookup", encoding: "" },
];

async function asyncOutcome(fn: () => Promise<string>): Promise<Outcome> {
  try {
    return ["ok", await fn()];
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    return ["error", e.name, e.message];
  }
}

/** What pynet gives for one case, and what python3 says. */
async function runCase(peer: { readLine(): Promise<string> }, port: number, c: Case) {
  if (c.kind === "lookup") {
    const [a, b] = await tcpPairFree();
    try {
      const got = await asyncOutcome(async () => {
        await a.makefile("r", { encoding: c.encoding }).close();
        return "";
      });
      const want = JSON.parse(await peer.readLine()) as Outcome;
      // pynet has no codecs.lookup(): a success is compared by class only.
      return { got, want: want[0] === "ok" ? ["ok", ""] : want };
    } finally {
      a.close();
      b.close();
    }
  }
  const sock = new Socket(AF_INET, SOCK_STREAM);
  try {
    await within(sock.connect(["127.0.0.1", port]));
    if (c.kind === "encode") {
      const options = c.errors ? { encoding: c.encoding, errors: c.errors } : {
        encoding: c.encoding,
      };
      const f = sock.makefile("w", { ...options, newline: "" });
      const error = await asyncOutcome(async () => {
        await f.write(c.text);
        return "";
      });
      await f.close();
      sock.shutdown(1);
      const [got, want] = JSON.parse(await peer.readLine()) as [string, Outcome];
      return { got: error[0] === "ok" ? ["ok", got] : error, want };
    }
    const options = c.kind === "decode" && c.errors
      ? { encoding: c.encoding, errors: c.errors, newline: "" }
      : { encoding: c.encoding, newline: "" };
    await using f = sock.makefile("r", options);
    const got = await asyncOutcome(async () => (await within(f.read())) ?? "null");
    const want = JSON.parse(await peer.readLine()) as Outcome;
    return { got, want };
  } finally {
    sock.close();
  }
}

/** A connected pair that needs no server; makefile() on it touches no network. */
async function tcpPairFree(): Promise<[Socket, Socket]> {
  const pair = await tcpPair();
  pair.server.close();
  return [pair.client, pair.conn];
}

Deno.test("makefile() codecs give CPython's bytes, text and exceptions for every case", async () => {
  await using peer = startPython(PY_ORACLE, [JSON.stringify(CASES)]);
  const port = Number(await peer.readLine());
  const mismatches: string[] = [];
  for (const c of CASES) {
    const { got, want } = await runCase(peer, port, c);
    try {
      assertEquals(got, want);
    } catch {
      mismatches.push(
        `${JSON.stringify(c)}: pynet ${JSON.stringify(got)}, CPython ${JSON.stringify(want)}`,
      );
    }
  }
  assertEquals(mismatches, []);
  assertEquals((await peer.finish()).code, 0);
});

Deno.test("a character split across receives decodes once its last byte comes", async () => {
  const cases: [string, number[], number[], string][] = [
    ["utf-8", [0x61, 0xe2, 0x82], [0xac], "€"],
    ["utf-8-sig", [0x61, 0xef, 0xbb, 0xbf, 0xf0, 0x9f], [0x98, 0x80], "\ufeff😀"],
    ["utf-16-le", [0x61, 0x00, 0x3d, 0xd8, 0x00], [0xde], "😀"],
    ["utf-32-be", [0, 0, 0, 0x61, 0, 1], [0xf6, 0], "😀"],
  ];
  for (const [encoding, first, second, char] of cases) {
    using pair = await tcpPair();
    await using f = pair.conn.makefile("r", { encoding, newline: "" });
    await pair.client.sendall(new Uint8Array(first));
    assertEquals(await within(f.read(1)), "a");
    await pair.client.sendall(new Uint8Array(second));
    pair.client.close();
    assertEquals(await within(f.read()), char);
  }
});

Deno.test("a UTF-8-sig BOM split across receives is still dropped", async () => {
  using pair = await tcpPair();
  await using f = pair.conn.makefile("r", { encoding: "utf-8-sig", newline: "" });
  await pair.client.sendall(new Uint8Array([0xef, 0xbb]));
  const reading = f.read();
  await pair.client.sendall(new Uint8Array([0xbf, 0x61]));
  pair.client.close();
  assertEquals(await within(reading), "a");
});

Deno.test("an incomplete character at EOF raises UnicodeDecodeError 'unexpected end of data'", async () => {
  using pair = await tcpPair();
  await using f = pair.conn.makefile("r", { encoding: "utf-8" });
  await pair.client.sendall(new Uint8Array([0x61, 0xe2, 0x82]));
  pair.client.close();
  const e = await within(f.read()).then(() => null, (e) => e);
  assertEquals(e instanceof UnicodeDecodeError, true);
  assertEquals((e as UnicodeDecodeError).reason, "unexpected end of data");
});

Deno.test("makefile() refuses unknown encodings and missing handlers before holding the socket", async () => {
  using pair = await tcpPair();
  assertThrows(() => pair.conn.makefile("r", { encoding: "koi8-x" }), LookupError);
  assertThrows(
    () => pair.conn.makefile("r", { newline: "x" }),
    ValueError,
    "illegal newline value: x",
  );
  assertThrows(
    () => pair.conn.makefile("w", { errors: "namereplace" }),
    NotImplementedError,
    "'namereplace'",
  );
  // No file holds the socket: close() really closes it (the sanitizer would see a leak).
  pair.conn.close();
  assertEquals(await within(recvAll(pair.client)), new Uint8Array(0));
});

const PY_BAD_ARGUMENTS = `
import json, socket
a, b = socket.socketpair()
for kw in [dict(encoding=5), dict(errors=5), dict(encoding="utf-8\\0"), dict(encoding="")]:
    try:
        a.makefile("r", **kw)
        print(json.dumps(["ok"]))
    except Exception as e:
        print(json.dumps(["error", type(e).__name__, str(e)]))
`;

Deno.test("makefile() refuses a non-str encoding or errors, and a NUL, as CPython does", async () => {
  await using peer = startPython(PY_BAD_ARGUMENTS);
  const [a, b] = await tcpPairFree();
  try {
    for (
      const options of [{ encoding: 5 }, { errors: 5 }, { encoding: "utf-8\0" }, { encoding: "" }]
    ) {
      const got = await asyncOutcome(async () => {
        // Values JavaScript callers can pass although the types refuse them.
        await a.makefile("r", options as unknown as { encoding: string }).close();
        return "";
      });
      const want = JSON.parse(await peer.readLine()) as Outcome;
      assertEquals(got[0] === "ok" ? ["ok"] : got, want);
    }
  } finally {
    a.close();
    b.close();
  }
});
