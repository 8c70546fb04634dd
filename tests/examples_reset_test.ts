// Every shipped example that runs a stream server (TCP, Unix) survives 20 clients that connect
// and reset: python3 clients reset (SO_LINGER 0) without a request, half of them at once (the
// listener skips most of those), half after a moment or the server's greeting (so that the
// server has most likely accepted them, and waits in a read when the reset comes); then a
// well-behaved python3 client gets its correct answer, and the example exits 0 with nothing on
// stderr, having counted only the well-behaved client toward its `--clients` / `--serve` /
// `--requests`. (examples/select_echo_server.ts and examples/ssl_selectors_server.ts are
// covered in tests/hostile_clients_test.ts; examples/ssl_echo.ts and examples/demo.ts serve only
// their own in-process clients and have no serve mode.)
import { assert, assertEquals } from "@std/assert";
import { startExample, startPython, tempDir } from "./_helpers.ts";

const NET = "--allow-net=127.0.0.1";
const RESETS = 20;

// `count` clients to `target` ("tcp:PORT" or "unix:PATH") that send nothing and reset: the even
// ones at once, the odd ones after waiting (at most 0.2 s, no assertion on it) for the server to
// speak first. A Unix stream socket cannot send an RST: its reset is a close (with the server's
// greeting unread, if any), which the server sees as EOF (or ECONNRESET after its greeting).
const RESET_CLIENTS = `
import select, socket, struct, sys
target, count = sys.argv[1], int(sys.argv[2])
kind, _, where = target.partition(":")
for i in range(count):
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(where)
    else:
        s = socket.create_connection(("127.0.0.1", int(where)))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if i % 2 == 1:
        select.select([s], [], [], 0.2)
    s.close()
print("reset", count)
`;

/** Runs the reset clients against `target` and waits for them to finish. */
async function resetClients(target: string): Promise<void> {
  await using py = startPython(RESET_CLIENTS, [target, String(RESETS)]);
  assertEquals(await py.readLine(30_000), `reset ${RESETS}`);
  const { code, stderr } = await py.finish(30_000);
  assertEquals(code, 0, stderr);
}

// A well-behaved client: sends each request of a conversation and checks each reply in full,
// then reads to EOF and checks what is left. argv: target, then pairs of request and reply
// (with \\r\\n escapes), then what must come before EOF.
const WELL_BEHAVED = `
import socket, sys
unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1")
target, *steps = sys.argv[1:]
kind, _, where = target.partition(":")
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(where)
else:
    s = socket.create_connection(("127.0.0.1", int(where)), timeout=20)
*pairs, last = [unescape(x) for x in steps]
for request, reply in zip(pairs[::2], pairs[1::2]):
    s.sendall(request)
    got = b""
    while len(got) < len(reply):
        data = s.recv(65536)
        if not data:
            break
        got += data
    if got != reply:
        print("bad reply", got)
        sys.exit(1)
s.shutdown(socket.SHUT_WR)
got = b""
while data := s.recv(65536):
    got += data
s.close()
print("ok" if got == last else "bad end %r" % got)
`;

/** The well-behaved client's conversation with `target`; "ok" when every reply was right. */
async function wellBehaved(target: string, steps: string[]): Promise<string> {
  await using py = startPython(WELL_BEHAVED, [target, ...steps]);
  return await py.readLine(30_000);
}

/** A server example, how to run it, its well-behaved conversation, its log. */
interface Case {
  name: string;
  file: string;
  flags: (path: string) => string[];
  args: (path: string) => string[];
  /** Requests and replies, then what comes before EOF (after the client's SHUT_WR). */
  steps: string[];
  /** The lines of stdout after the first: the log of the one client served. */
  log: (lines: string[]) => void;
  unix?: boolean;
}

const unixFlags = (path: string) => [
  `--allow-net=unix:${path}`,
  `--allow-read=${path}`,
  `--allow-write=${path}`,
];

/** The echo example's log: one client echoed to; the others sent nothing or were dropped. */
function echoLog(lines: string[]): void {
  assertEquals(lines.filter((l) => l.startsWith("echoed ") && l !== "echoed 0 lines"), [
    "echoed 2 lines",
  ]);
  const others = lines.filter((l) => !l.startsWith("echoed ") && !l.startsWith("dropped "));
  assertEquals(others, []);
}

const CASES: Case[] = [
  {
    name: "asyncore_echo.ts server --clients 1",
    file: "asyncore_echo.ts",
    flags: () => [NET],
    args: () => ["server", "--clients", "1"],
    steps: ["hello, asyncore\\n", "hello, asyncore\\n", ""],
    log: (lines) => {
      assert(lines.every((line) => line.startsWith("Incoming connection from ")), lines.join("\n"));
    },
  },
  {
    name: "asynchat_chat_server.ts --clients 1",
    file: "asynchat_chat_server.ts",
    flags: () => [NET],
    args: () => ["--clients", "1"],
    steps: [
      "",
      "Welcome! Pick a name with /nick <name>\\r\\n",
      "/nick ann\\r\\n",
      "* ann has joined\\r\\n",
      "/quit\\r\\n",
      "Bye!\\r\\n",
      "",
    ],
    log: (lines) => assertEquals(lines, []),
  },
  {
    name: "asynchat_cache_server.ts --clients 1",
    file: "asynchat_cache_server.ts",
    flags: () => [NET],
    args: () => ["--clients", "1"],
    steps: [
      "set a 5\\r\\nhello\\r\\n",
      "STORED\\r\\n",
      "get a\\r\\n",
      "VALUE a 5\\r\\nhello\\r\\nEND\\r\\n",
      "",
    ],
    log: (lines) => assertEquals(lines, []),
  },
  {
    name: "socketserver_echo.ts tcp --serve 1",
    file: "socketserver_echo.ts",
    flags: () => [NET],
    args: () => ["tcp", "--serve", "1"],
    steps: ["line 1\\nline 2\\n", "line 1\\nline 2\\n", ""],
    log: echoLog,
  },
  {
    name: "socketserver_echo.ts unix --serve 1",
    file: "socketserver_echo.ts",
    flags: unixFlags,
    args: (path) => ["unix", path, "--serve", "1"],
    steps: ["line 1\\nline 2\\n", "line 1\\nline 2\\n", ""],
    log: echoLog,
    unix: true,
  },
  {
    name: "socketserver_http.ts --requests 1",
    file: "socketserver_http.ts",
    flags: () => [NET],
    args: () => ["--requests", "1"],
    steps: [
      "GET /echo?still%20here HTTP/1.0\\r\\n\\r\\n",
      "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n" +
      "Content-Length: 11\\r\\n\\r\\nstill here\\n",
      "",
    ],
    log: (lines) =>
      assertEquals(lines.filter((l) => l.startsWith("127.0.0.1 ")), [
        '127.0.0.1 - - "GET /echo?still%20here HTTP/1.0" 200 11',
      ]),
  },
];

for (const c of CASES) {
  Deno.test(`examples/${c.name}: survives ${RESETS} clients that connect and reset`, async () => {
    await using dir = await tempDir();
    const path = `${dir.path}/example.sock`;
    await using example = await startExample(c.file, c.flags(path), c.args(path));
    const target = c.unix ? `unix:${path}` : `tcp:${example.port}`;
    assert(c.unix || example.port, `no port in ${example.firstLine}`);
    await resetClients(target);
    assertEquals(await wellBehaved(target, c.steps), "ok");
    const { code, stdout, stderr } = await example.exit();
    assertEquals(code, 0, stderr);
    assertEquals(stderr, "");
    c.log(stdout.split("\n").slice(1).filter((line) => line !== ""));
  });
}
