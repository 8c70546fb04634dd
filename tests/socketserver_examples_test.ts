// The socketserver examples (examples/socketserver_*.ts), each run to its end as a user would
// run it: in its self-test mode, and serving real clients (python3's socket, curl).
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import {
  type ChildPeer,
  runDenoFile,
  startDenoFile,
  startPython,
  tempDir,
  within,
} from "./_helpers.ts";

const example = (name: string) => new URL(`../examples/${name}`, import.meta.url).pathname;
const ECHO = example("socketserver_echo.ts");
const HTTP = example("socketserver_http.ts");
const TIME = example("socketserver_udp_time.ts");

const NET = "--allow-net=127.0.0.1";

/** The Unix permissions the echo example needs for `path`: net, read and write, exactly. */
const unixFlags = (path: string) => [
  `--allow-net=unix:${path}`,
  `--allow-read=${path}`,
  `--allow-write=${path}`,
];

/** The port at the end of a `serving ...` line: `["127.0.0.1",1234]`, `http://...:1234/`, or
 * Python's `('127.0.0.1', 1234)`. */
function portOf(line: string): number {
  const m = line.match(/(\d+)[\])]?\/?$/);
  if (!m) throw new Error(`no port in ${JSON.stringify(line)}`);
  return Number(m[1]);
}

function lines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "");
}

/**
 * The Python original in an example's header (its ```python block), as a script python3 runs:
 * `prelude` defines what the fragment leaves to the reader (`n`, `requests`).
 */
async function pythonOriginal(file: string, prelude: string): Promise<string> {
  const m = (await Deno.readTextFile(file)).match(/```python\n([\s\S]*?) \* ```/);
  if (!m) throw new Error(`no Python original in ${file}`);
  return prelude + m[1]!.split("\n").map((l) => l.replace(/^ \* ?/, "")).join("\n");
}

/** Reads `count` lines from a server child, then waits for it to exit with status 0. */
async function logAndExit(server: ChildPeer, count: number): Promise<string[]> {
  const log = [];
  for (let i = 0; i < count; i++) log.push(await server.readLine());
  const { code, stderr } = await server.finish();
  assertEquals(code, 0, stderr);
  return log;
}

// ---------------------------------------------------------------- echo, self-test

for (const transport of ["tcp", "udp"] as const) {
  Deno.test(`examples/socketserver_echo.ts ${transport}: three clients get their bytes back, then it exits`, async () => {
    const flags = transport === "udp" ? ["--unstable-net", NET] : [NET];
    const { code, stdout, stderr } = await runDenoFile(ECHO, flags, [transport]);
    assertEquals(code, 0, stderr);
    const out = lines(stdout);
    assertMatch(out[0]!, new RegExp(`^serving ${transport} on \\["127\\.0\\.0\\.1",\\d+\\]$`));
    const echoed = transport === "udp" ? "echoed 48 bytes" : "echoed 3 lines";
    assertEquals(out.filter((l) => l === echoed).length, 3, stdout);
    assertEquals(out.slice(-3), ["client 0: ok", "client 1: ok", "client 2: ok"]);
  });
}

Deno.test("examples/socketserver_echo.ts unix: three clients get their bytes back, the socket file is removed", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/echo.sock`;
  const { code, stdout, stderr } = await runDenoFile(ECHO, unixFlags(path), ["unix", path]);
  assertEquals(code, 0, stderr);
  const out = lines(stdout);
  assertEquals(out[0], `serving unix on ${JSON.stringify(path)}`);
  assertEquals(out.filter((l) => l === "echoed 3 lines").length, 3, stdout);
  assertEquals(out.slice(-3), ["client 0: ok", "client 1: ok", "client 2: ok"]);
  assertEquals(await Deno.stat(path).then(() => "exists", () => "gone"), "gone");
});

Deno.test("examples/socketserver_echo.ts udp without --unstable-net: an OSError naming the flag, not exit 70", async () => {
  const { code, stderr } = await runDenoFile(ECHO, [NET], ["udp"]);
  assertEquals(code, 1, stderr);
  assertStringIncludes(stderr, "OSError");
  assertStringIncludes(stderr, "--unstable-net");
});

// ---------------------------------------------------------------- echo, python3 clients

/** A python3 client: `transport` (tcp, udp or unix) to `address`; prints what came back. */
const PY_ECHO_CLIENT = `
import socket, sys
transport, address = sys.argv[1], sys.argv[2]
message = "".join(f"line {i} from python\\n" for i in range(int(sys.argv[3]))).encode()
if transport == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.sendto(message, ("127.0.0.1", int(address)))
    data = s.recv(65536)
else:
    if transport == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
    else:
        s = socket.create_connection(("127.0.0.1", int(address)))
    s.settimeout(10)
    s.sendall(message)
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
s.close()
print("ok" if data == message else f"MISMATCH {data!r}")
`;

for (const transport of ["tcp", "udp", "unix"] as const) {
  Deno.test(`examples/socketserver_echo.ts ${transport} --serve 2: two python3 clients, then it exits`, async () => {
    await using dir = await tempDir();
    const path = `${dir.path}/echo.sock`;
    const flags = transport === "unix"
      ? unixFlags(path)
      : transport === "udp"
      ? ["--unstable-net", NET]
      : [NET];
    const args = transport === "unix"
      ? ["unix", path, "--serve", "2"]
      : [transport, "--serve", "2"];
    await using server = startDenoFile(ECHO, flags, args);
    const first = await server.readLine();
    const address = transport === "unix" ? path : String(portOf(first));
    // One after the other: the second connects only when the first is served.
    for (const count of [1, 200]) {
      await using client = startPython(PY_ECHO_CLIENT, [transport, address, String(count)]);
      assertEquals(await client.readLine(), "ok");
      assertEquals((await client.finish()).code, 0);
    }
    const size = (n: number) =>
      Array.from({ length: n }, (_, i) => `line ${i} from python\n`).join("").length;
    const echoed = transport === "udp"
      ? [`echoed ${size(1)} bytes`, `echoed ${size(200)} bytes`]
      : ["echoed 1 lines", "echoed 200 lines"];
    assertEquals([await server.readLine(), await server.readLine()], echoed);
    const { code, stderr } = await server.finish();
    assertEquals(code, 0, stderr);
  });
}

// ---------------------------------------------------------------- HTTP, curl

/** `curl args...` to its end: its stdout. */
async function curl(...args: string[]): Promise<string> {
  const out = await within(
    new Deno.Command("curl", { args: ["-sS", "--max-time", "10", ...args], stdin: "null" })
      .output(),
    20_000,
    "curl",
  );
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return text;
}

Deno.test("examples/socketserver_http.ts: answers curl (GET, echo, headers, 404, HEAD, 501), logs each, exits", async () => {
  await using server = startDenoFile(HTTP, [NET], ["--requests", "6"]);
  const first = await server.readLine();
  assertMatch(first, /^serving HTTP on http:\/\/127\.0\.0\.1:\d+\/$/);
  const base = `http://127.0.0.1:${portOf(first)}`;

  assertEquals(await curl(`${base}/`), "hello from socketserver\n");
  assertEquals(await curl(`${base}/echo?hello%20w%C3%B6rld`), "hello wörld\n");
  assertStringIncludes(await curl("-H", "X-Test: 42", `${base}/headers`), "X-Test: 42\n");
  const missing = await curl("-i", `${base}/missing`);
  assertMatch(missing, /^HTTP\/1\.0 404 Not Found\r\n/);
  assertStringIncludes(missing, "Content-Length: 10\r\n");
  assert(missing.endsWith("\r\n\r\nnot found\n"), missing);
  const head = await curl("-I", `${base}/`);
  assertMatch(head, /^HTTP\/1\.0 200 OK\r\n/);
  assertStringIncludes(head, "Content-Length: 24\r\n");
  const del = await curl("-i", "-X", "DELETE", `${base}/`);
  assertMatch(del, /^HTTP\/1\.0 501 Not Implemented\r\n/);

  const log = [];
  for (let i = 0; i < 6; i++) log.push(await server.readLine());
  const { code, stderr } = await server.finish();
  assertEquals(code, 0, stderr);
  assertEquals(log[0], '127.0.0.1 - - "GET / HTTP/1.1" 200 24');
  assertEquals(log[1], '127.0.0.1 - - "GET /echo?hello%20w%C3%B6rld HTTP/1.1" 200 13');
  assertMatch(log[2]!, /^127\.0\.0\.1 - - "GET \/headers HTTP\/1\.1" 200 \d+$/);
  assertEquals(log.slice(3), [
    '127.0.0.1 - - "GET /missing HTTP/1.1" 404 10',
    '127.0.0.1 - - "HEAD / HTTP/1.1" 200 24',
    '127.0.0.1 - - "DELETE / HTTP/1.1" 501 16',
  ]);
});

Deno.test("examples/socketserver_http.ts --self-test: fetches three pages itself", async () => {
  const { code, stdout, stderr } = await runDenoFile(HTTP, [NET], ["--self-test"]);
  assertEquals(code, 0, stderr);
  const out = lines(stdout);
  assertEquals(out.filter((l) => l.startsWith("GET ")), [
    'GET / -> "hello from socketserver\\n"',
    'GET /echo?hello%20world -> "hello world\\n"',
    'GET /missing -> "not found\\n"',
  ]);
});

Deno.test("examples/socketserver_http.ts: a malformed request line gets 400 from a python3 client", async () => {
  await using server = startDenoFile(HTTP, [NET], ["--requests", "1"]);
  const port = portOf(await server.readLine());
  await using client = startPython(
    `
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"NONSENSE\\r\\n\\r\\n")
data = b""
while chunk := s.recv(4096):
    data += chunk
print(data.split(b"\\r\\n")[0].decode())
`,
    [String(port)],
  );
  assertEquals(await client.readLine(), "HTTP/1.0 400 Bad Request");
  assertEquals((await client.finish()).code, 0);
  assertEquals(await server.readLine(), '127.0.0.1 - - "NONSENSE" 400 12');
  assertEquals((await server.finish()).code, 0);
});

// ---------------------------------------------------------------- UDP time

Deno.test("examples/socketserver_udp_time.ts --self-test: a time, then unknown command", async () => {
  const { code, stdout, stderr } = await runDenoFile(TIME, ["--unstable-net", NET], [
    "--self-test",
  ]);
  assertEquals(code, 0, stderr);
  const out = lines(stdout);
  assertMatch(out[0]!, /^serving UDP time on \["127\.0\.0\.1",\d+\]$/);
  const clientLines = out.filter((l) => l.startsWith("client: "));
  assertMatch(clientLines[0]!, /^client: time -> \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assertEquals(clientLines[1], "client: date -> unknown command");
});

Deno.test("examples/socketserver_udp_time.ts: a python3 client gets the current UTC time", async () => {
  await using server = startDenoFile(TIME, ["--unstable-net", NET], ["--requests", "1"]);
  const port = portOf(await server.readLine());
  await using client = startPython(
    `
import datetime, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
s.sendto(b"time\\n", ("127.0.0.1", int(sys.argv[1])))
reply = s.recv(1024).decode()
after = datetime.datetime.now(datetime.timezone.utc)
t = datetime.datetime.fromisoformat(reply.replace("Z", "+00:00"))
print("in range" if before <= t <= after else f"out of range: {before} {reply} {after}")
`,
    [String(port)],
  );
  assertEquals(await client.readLine(), "in range");
  assertEquals((await client.finish()).code, 0);
  assertMatch(await server.readLine(), /^'time' from 127\.0\.0\.1: \d{4}-.*Z$/);
  const { code, stderr } = await server.finish();
  assertEquals(code, 0, stderr);
});

Deno.test("examples/socketserver_udp_time.ts without --unstable-net: the OSError naming the flag, exit 1", async () => {
  const { code, stdout, stderr } = await runDenoFile(TIME, [NET], ["--self-test"]);
  assertEquals(code, 1, stdout + stderr);
  assertStringIncludes(stderr, "--unstable-net");
});

// ---------------------------------------------------------------- the tour

Deno.test("examples/demo.ts (deno task demo): its socketserver section serves TCP and UDP, the tour exits", async () => {
  const certs = new URL("../tests/certs/", import.meta.url).pathname;
  const { code, stdout, stderr } = await runDenoFile(
    example("demo.ts"),
    ["--unstable-net", "--allow-net=127.0.0.1,[::1]", `--allow-read=${certs}`],
    [],
    60_000,
  );
  assertEquals(code, 0, stderr);
  const section = stdout.slice(stdout.indexOf("== socketserver"));
  assertMatch(section, /ThreadingTCPServer on \["127\.0\.0\.1",\d+\]\n/);
  assertStringIncludes(section, "client got back: FIRST CLIENT\nclient got back: SECOND CLIENT\n");
  assertStringIncludes(section, 'UDPServer reversed "stressed": desserts\n');
  assert(stdout.endsWith("\ndone\n"), stdout.slice(-200));
});

// ---------------------------------------------------------------- the Python originals, as oracle

Deno.test("examples/socketserver_echo.ts and its Python original serve python3 clients alike", async () => {
  const serve = async (server: ChildPeer) => {
    const port = String(portOf(await server.readLine()));
    const replies = [];
    for (const count of ["1", "50"]) {
      await using client = startPython(PY_ECHO_CLIENT, ["tcp", port, count]);
      replies.push(await client.readLine());
      assertEquals((await client.finish()).code, 0);
    }
    return { replies, log: await logAndExit(server, 2) };
  };
  await using pynet = startDenoFile(ECHO, [NET], ["tcp", "--serve", "2"]);
  const ours = await serve(pynet);
  await using cpython = startPython(await pythonOriginal(ECHO, "n = 2\n"));
  const theirs = await serve(cpython);
  assertEquals(ours, { replies: ["ok", "ok"], log: ["echoed 1 lines", "echoed 50 lines"] });
  assertEquals(theirs, ours);
});

Deno.test("examples/socketserver_http.ts and its Python original answer curl alike", async () => {
  const serve = async (server: ChildPeer) => {
    const base = `http://127.0.0.1:${portOf(await server.readLine())}`;
    const answers = [
      await curl(`${base}/`),
      await curl(`${base}/echo?caf%C3%A9%20au%20lait`),
      await curl("-i", `${base}/missing`),
      await curl("-I", `${base}/`),
      await curl("-i", "-X", "DELETE", `${base}/`),
    ];
    return { answers, log: await logAndExit(server, 5) };
  };
  await using pynet = startDenoFile(HTTP, [NET], ["--requests", "5"]);
  const ours = await serve(pynet);
  await using cpython = startPython(await pythonOriginal(HTTP, "requests = 5\n"));
  const theirs = await serve(cpython);
  assertEquals(ours.answers[1], "café au lait\n");
  assertEquals(theirs, ours);
});

Deno.test("examples/socketserver_udp_time.ts and its Python original answer a python3 client alike", async () => {
  const serve = async (server: ChildPeer) => {
    const port = portOf(await server.readLine());
    await using client = startPython(
      `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
for command in (b"time", b"date"):
    s.sendto(command, ("127.0.0.1", int(sys.argv[1])))
    print(s.recv(1024).decode())
`,
      [String(port)],
    );
    const replies = [await client.readLine(), await client.readLine()];
    assertEquals((await client.finish()).code, 0);
    // The time itself differs from run to run: compare its form.
    const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
    const log = await logAndExit(server, 2);
    return [...replies, ...log].map((l) => l.replace(iso, "<time>"));
  };
  await using pynet = startDenoFile(TIME, ["--unstable-net", NET], ["--requests", "2"]);
  const ours = await serve(pynet);
  await using cpython = startPython(await pythonOriginal(TIME, "requests = 2\n"));
  const theirs = await serve(cpython);
  assertEquals(ours, [
    "<time>",
    "unknown command",
    "'time' from 127.0.0.1: <time>",
    "'date' from 127.0.0.1: unknown command",
  ]);
  assertEquals(theirs, ours);
});
