// A script ends when its work ends, and what it can no longer reach is closed, as in CPython.
// Each case runs a child `deno run` script: after waiting on a socket in one of the ways a
// Python program does, the child must exit by itself (read-aheads do not hold the process);
// while it awaits something, it must stay alive for it; and sockets and files it drops are
// closed once collected (the child runs with --expose-gc, and CPython peers count the EOFs).
import { assertEquals, assertStringIncludes } from "@std/assert";
import { runDeno, startPython } from "./_helpers.ts";

const root = new URL("../", import.meta.url);
/** A child that does not end by itself is killed after this long, and the test fails. */
const KILL_MS = 30_000;

/** The child's source: `body` with `socket`, `select`, `selectors` and `text()` in scope. */
function childSource(body: string): string {
  const module = (path: string) => JSON.stringify(new URL(path, root).href);
  return `import * as socket from ${module("socket/mod.ts")};
import * as select from ${module("select/mod.ts")};
import * as selectors from ${module("selectors/mod.ts")};
import * as ssl from ${module("ssl/mod.ts")};
void select; void selectors; void ssl;
const CERTS = ${JSON.stringify(new URL("tests/certs/", root).pathname)};
void CERTS;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
void text; void bytes;
${body}
`;
}

/** Runs `body` in a child allowed loopback (and `flags`); returns its exit and output. */
function runChild(body: string, flags: string[] = []) {
  return runDeno(childSource(body), ["--allow-net=127.0.0.1", ...flags], KILL_MS);
}

/** A loopback TCP connection and its listener, opened in the child and never closed. */
const OPEN_PAIR = `
const server = socket.createServer(["127.0.0.1", 0]);
const client = await socket.createConnection(server.getsockname() as [string, number]);
const [conn] = await server.accept();
void client;
`;

// ---- a script that has waited on a socket ends by itself -------------------------------------

const waitsThenEnds: [string, string, string[]?][] = [
  ["select() with a timeout", `await select.select([conn, server], [], [], 0.05);`],
  [
    "a selector's select() with a timeout",
    `const sel = new selectors.DefaultSelector();
sel.register(conn, selectors.EVENT_READ);
sel.register(server, selectors.EVENT_READ);
await sel.select(0.05);`,
  ],
  [
    "poll() with a timeout",
    `const p = select.poll();
p.register(conn, select.POLLIN);
await p.poll(50);`,
  ],
  [
    "a timed-out recv()",
    `conn.settimeout(0.05);
try { await conn.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }`,
  ],
  [
    "a non-blocking recv()",
    `conn.setblocking(false);
try { await conn.recv(10); } catch (e) { if (!(e instanceof socket.BlockingIOError)) throw e; }`,
  ],
  [
    "a timed-out accept()",
    `server.settimeout(0.05);
try { await server.accept(); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }`,
  ],
  [
    "a non-blocking accept()",
    `server.setblocking(false);
try { await server.accept(); } catch (e) { if (!(e instanceof socket.BlockingIOError)) throw e; }`,
  ],
  [
    "a timed-out recvfrom() on a datagram socket",
    `const udp = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
udp.bind(["127.0.0.1", 0]);
udp.settimeout(0.05);
try { await udp.recvfrom(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }`,
    ["--unstable-net"],
  ],
  [
    "blocking recv() and recvInto() calls, then select() with a timeout",
    // A blocking read holds the process while it runs; the read-ahead after it must not.
    `await client.sendall(bytes("a"));
await conn.recv(10);
await client.sendall(bytes("b"));
await conn.recvInto(new Uint8Array(10));
await client.sendall(bytes("c"));
await conn.recv(10);
await select.select([conn], [], [], 0.05);`,
  ],
  [
    "a blocking recv() that shutdown(SHUT_RD) woke",
    // The woken recv's read stays pending: it must no longer hold the process.
    `const pending = conn.recv(10);
conn.shutdown(socket.SHUT_RD);
if ((await pending).length !== 0) throw new Error("expected EOF");`,
  ],
  [
    "select() on a socketpair",
    `const [a, b] = socket.socketpair();
void a;
await select.select([b], [], [], 0.05);`,
  ],
];

for (const [what, wait, flags] of waitsThenEnds) {
  Deno.test(`a script ends by itself after ${what}, with its sockets open`, async () => {
    const { code, stdout, stderr } = await runChild(
      `${OPEN_PAIR}\n${wait}\nconsole.log("last line");`,
      flags,
    );
    assertEquals(code, 0, stderr);
    assertEquals(stdout.trim(), "last line");
  });
}

// ---- ... but what it awaits holds it ---------------------------------------------------------

/**
 * CPython's side of the "awaited" cases: it listens (printing its port), accepts the child's
 * control connection, reads one line from it and, some time later, answers: "later\n" on the
 * control connection, or, for "connect PORT", a new connection to that port sending "later\n".
 * Then it waits for the child to close the control connection.
 */
const LATER_PEER = `
import socket, sys, time
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
ctl, _ = srv.accept()
line = b""
while not line.endswith(b"\\n"):
    piece = ctl.recv(100)
    if not piece:
        sys.exit("the child closed before asking")
    line += piece
# Long enough for the child to be left with nothing but its wait.
time.sleep(0.7)
if line.startswith(b"connect "):
    late = socket.create_connection(("127.0.0.1", int(line.split()[1])))
    late.sendall(b"later\\n")
elif line.startswith(b"udp "):
    # Only once the child has closed ctl: then nothing but its wait holds it.
    ctl.settimeout(20)
    while ctl.recv(100):
        pass
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"later\\n", ("127.0.0.1", int(line.split()[1])))
    udp.close()
else:
    ctl.sendall(b"later\\n")
ctl.settimeout(20)
while ctl.recv(100):
    pass
print("peer done", flush=True)
`;

/** Opens the control connection `ctl` to CPython at `port` (substituted in the source). */
const CONTROL = `
const ctl = await socket.createConnection(["127.0.0.1", PORT]);
`;

/** A timed-out recv first: `ctl` is left with a read-ahead running, as after any wait. */
const READ_AHEAD = `
ctl.settimeout(0.01);
try { await ctl.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
ctl.settimeout(null);
`;

const awaitedCases: [string, string][] = [
  [
    "a blocking recv() in a task nobody awaits",
    `${READ_AHEAD}
(async () => {
  await ctl.sendall(bytes("ready\\n"));
  console.log("got", text(await ctl.recv(100)).trim());
  ctl.close();
})();`,
  ],
  [
    "a blocking recv() with nothing read ahead, in a task nobody awaits",
    // The blocking fast path: one read, straight from recv().
    `(async () => {
  await ctl.sendall(bytes("ready\\n"));
  console.log("got", text(await ctl.recv(100)).trim());
  ctl.close();
})();`,
  ],
  [
    "a blocking recvInto() with nothing read ahead, in a task nobody awaits",
    `(async () => {
  await ctl.sendall(bytes("ready\\n"));
  const buffer = new Uint8Array(100);
  const n = await ctl.recvInto(buffer);
  console.log("got", text(buffer.subarray(0, n)).trim());
  ctl.close();
})();`,
  ],
  [
    "a blocking recv() awaited at the top level",
    `${READ_AHEAD}
await ctl.sendall(bytes("ready\\n"));
console.log("got", text(await ctl.recv(100)).trim());
ctl.close();`,
  ],
  [
    "select() with no timeout, in a task nobody awaits",
    `${READ_AHEAD}
(async () => {
  await ctl.sendall(bytes("ready\\n"));
  const [readable] = await select.select([ctl], [], []);
  console.log("got", text(await readable[0]!.recv(100)).trim());
  ctl.close();
})();`,
  ],
  [
    "a selector's select() with no timeout, in a task nobody awaits",
    `${READ_AHEAD}
(async () => {
  const sel = new selectors.DefaultSelector();
  sel.register(ctl, selectors.EVENT_READ);
  await ctl.sendall(bytes("ready\\n"));
  const events = await sel.select();
  console.log("got", text(await (events[0]![0].fileobj as socket.Socket).recv(100)).trim());
  sel.close();
  ctl.close();
})();`,
  ],
  [
    "a blocking accept() in a task nobody awaits",
    `${READ_AHEAD}
const server = socket.createServer(["127.0.0.1", 0]);
server.settimeout(0.01);
try { await server.accept(); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
server.settimeout(null);
(async () => {
  await ctl.sendall(bytes(\`connect \${(server.getsockname() as [string, number])[1]}\\n\`));
  const [conn] = await server.accept();
  console.log("got", text(await conn.recv(100)).trim());
  conn.close();
  ctl.close();
})();`,
  ],
];

for (const [what, body] of awaitedCases) {
  Deno.test(`a script stays alive for ${what}`, async () => {
    await using peer = startPython(LATER_PEER);
    const port = await peer.readLine();
    const { code, stdout, stderr } = await runChild(
      `${CONTROL}\n${body}`.replaceAll("PORT", port),
    );
    assertEquals(code, 0, stderr);
    assertEquals(stdout.trim(), "got later");
    assertEquals(await peer.readLine(), "peer done");
    assertEquals((await peer.finish()).code, 0);
  });
}

Deno.test("a socket only its waiting task holds is not collected while it waits", async () => {
  await using peer = startPython(LATER_PEER);
  const port = await peer.readLine();
  const { code, stdout, stderr } = await runChild(
    `(async () => {
  const own = await socket.createConnection(["127.0.0.1", PORT]);
  own.settimeout(0.01);
  try { await own.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
  own.settimeout(null);
  await own.sendall(bytes("ready\\n"));
  console.log("got", text(await own.recv(100)).trim());
  own.close();
})();
// Collections while the task waits: they must take neither it nor its socket.
for (let round = 0; round < 20; round++) {
  (globalThis as unknown as { gc(): void }).gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
}`.replaceAll("PORT", port),
    ["--v8-flags=--expose-gc"],
  );
  assertEquals(code, 0, stderr);
  assertEquals(stdout.trim(), "got later");
  assertEquals(await peer.readLine(), "peer done");
  assertEquals((await peer.finish()).code, 0);
});

Deno.test("a datagram socket only its waiting task holds keeps the script alive and is not collected", async () => {
  // A blocking recvfrom() on UDP holds the process through its ref'd receive, and the socket
  // through its channel (socket/_datagram.ts), not through a keep-alive timer.
  await using peer = startPython(LATER_PEER);
  const port = await peer.readLine();
  const { code, stdout, stderr } = await runChild(
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
(async () => {
  const own = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  own.bind(["127.0.0.1", 0]);
  await ctl.sendall(bytes(\`udp \${(own.getsockname() as [string, number])[1]}\\n\`));
  const [data] = await own.recvfrom(100);
  console.log("got", text(data).trim());
  own.close();
})();
// Collections while the task waits: they must take neither it nor its socket.
for (let round = 0; round < 20; round++) {
  (globalThis as unknown as { gc(): void }).gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
}
// The peer sends once ctl is closed: from here on nothing but the wait holds the process.
ctl.close();`.replaceAll("PORT", port),
    ["--v8-flags=--expose-gc", "--unstable-net"],
  );
  assertEquals(code, 0, stderr);
  assertEquals(stdout.trim(), "got later");
  assertEquals(await peer.readLine(), "peer done");
  assertEquals((await peer.finish()).code, 0);
});

// ---- a child process's pipes, through StreamWrapper ------------------------------------------

Deno.test("a script ends by itself after select() on an unref'd child's pipe", async () => {
  // cat runs until its input closes: when the script ends.
  const { code, stdout, stderr } = await runChild(
    `const child = new Deno.Command("cat", { stdin: "piped", stdout: "piped" }).spawn();
child.unref();
const out = new select.StreamWrapper({ readable: child.stdout });
await select.select([out], [], [], 0.05);
console.log("last line");`,
    ["--allow-run=cat"],
  );
  assertEquals(code, 0, stderr);
  assertEquals(stdout.trim(), "last line");
});

Deno.test("a script stays alive for a read of an unref'd child's pipe, in a task nobody awaits", async () => {
  const { code, stdout, stderr } = await runChild(
    `const child = new Deno.Command("sh", {
  args: ["-c", "sleep 0.7; echo later"],
  stdout: "piped",
}).spawn();
child.unref();
const out = new select.StreamWrapper({ readable: child.stdout });
(async () => {
  console.log("got", text(await out.read(100)).trim());
})();`,
    ["--allow-run=sh"],
  );
  assertEquals(code, 0, stderr);
  assertEquals(stdout.trim(), "got later");
});

// ---- TLS, on both engines ----------------------------------------------------------------

/**
 * Contexts for `engine`: node:tls runs when the server asks for client certificates and the
 * client presents one; Deno's own TLS otherwise.
 */
function tlsContexts(engine: string): string {
  return `
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.loadCertChain(CERTS + "server.pem", CERTS + "server.key");
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
cctx.loadVerifyLocations(CERTS + "ca.pem");
if (${JSON.stringify(engine)} === "node") {
  sctx.verifyMode = ssl.CERT_OPTIONAL;
  sctx.loadVerifyLocations(CERTS + "ca.pem");
  cctx.loadCertChain(CERTS + "client.pem", CERTS + "client.key");
}
`;
}

const TLS_READ = ["--allow-read=" + new URL("tests/certs/", root).pathname];

for (const engine of ["deno", "node"]) {
  Deno.test(`a script ends by itself after waits on TLS sockets (${engine} engine)`, async () => {
    const { code, stdout, stderr } = await runChild(
      `${tlsContexts(engine)}
const server = await sctx.wrapSocket(socket.createServer(["127.0.0.1", 0]), { serverSide: true });
const accepting = server.accept();
const plain = await socket.createConnection(server.getsockname() as [string, number]);
const client = await cctx.wrapSocket(plain, { serverHostname: "localhost" });
const [conn] = await accepting;
for (const s of [client, conn]) {
  s.settimeout(0.05);
  try { await s.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
}
// Deno.listenTls's accept cannot be unref'd (the ssl module's docs say so): a native TLS
// listener is left out of the waits; the node engine's listener is a plain one.
const watched = ${JSON.stringify(engine)} === "node" ? [client, conn, server] : [client, conn];
if (${JSON.stringify(engine)} === "node") {
  server.settimeout(0.05);
  try { await server.accept(); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
}
await select.select(watched, [], [], 0.05);
console.log("last line", client.tlsEngine(), conn.tlsEngine());`,
      TLS_READ,
    );
    assertEquals(code, 0, stderr);
    assertEquals(stdout.trim(), `last line ${engine} ${engine}`);
  });
}

/**
 * CPython as a TLS server that takes its time: it accepts, waits before its handshake, reads
 * one line, waits again and answers "later\n", then waits for the child to close.
 */
const LATE_TLS_PEER = `
import socket, ssl, sys, time
certs = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certs + "server.pem", certs + "server.key")
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
plain, _ = srv.accept()
time.sleep(0.7)
conn = ctx.wrap_socket(plain, server_side=True)
line = b""
while not line.endswith(b"\\n"):
    piece = conn.recv(100)
    if not piece:
        sys.exit("the child closed before asking")
    line += piece
time.sleep(0.7)
conn.sendall(b"later\\n")
conn.settimeout(20)
try:
    while conn.recv(100):
        pass
except (OSError, ssl.SSLError):
    pass
print("peer done", flush=True)
`;

for (const engine of ["deno", "node"]) {
  for (const readAhead of [false, true]) {
    const how = readAhead ? "after a timed-out recv" : "with nothing read ahead";
    Deno.test(`a script stays alive for a TLS handshake and recv in a task (${engine} engine, ${how})`, async () => {
      await using peer = startPython(LATE_TLS_PEER, [new URL("tests/certs/", root).pathname]);
      const port = await peer.readLine();
      const { code, stdout, stderr } = await runChild(
        `${tlsContexts(engine)}
const plain = await socket.createConnection(["127.0.0.1", ${port}]);
(async () => {
  const tls = await cctx.wrapSocket(plain, { serverHostname: "localhost" });
  if (${readAhead}) {
    tls.settimeout(0.01);
    try { await tls.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
    tls.settimeout(null);
  }
  await tls.sendall(bytes("ready\\n"));
  console.log("got", text(await tls.recv(100)).trim(), tls.tlsEngine());
  tls.close();
})();`,
        TLS_READ,
      );
      assertEquals(code, 0, stderr);
      assertEquals(stdout.trim(), `got later ${engine}`);
      assertEquals(await peer.readLine(), "peer done");
    });
  }
}

// ---- what the program drops is closed when collected -----------------------------------------

/**
 * CPython counts EOFs: it listens (printing its port), takes a control connection, then
 * `n` connections, and reports on the control connection how many of them it saw closed, once
 * all were (or after 20 s). With "connect PORT n" on the control connection instead, it
 * makes the `n` connections itself, to the child's listener.
 */
const EOF_COUNTER = `
import select, socket, sys
n = int(sys.argv[1])
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
ctl, _ = srv.accept()
line = b""
while not line.endswith(b"\\n"):
    line += ctl.recv(100)
if line.startswith(b"connect "):
    conns = [socket.create_connection(("127.0.0.1", int(line.split()[1]))) for _ in range(n)]
else:
    conns = [srv.accept()[0] for _ in range(n)]
left = set(conns)
while left:
    readable, _, _ = select.select(list(left), [], [], 20)
    if not readable:
        break
    for c in readable:
        try:
            if c.recv(65536):
                continue
        except ConnectionResetError:
            pass
        left.discard(c)
ctl.sendall(b"closed %d\\n" % (n - len(left)))
print("peer done", flush=True)
`;

const N = 20;

/** The child's end: collect and turn the event loop until CPython reports, in bounded rounds. */
const COLLECT_UNTIL_REPORTED = `
let report = "";
for (let round = 0; round < 200 && !report.endsWith("\\n"); round++) {
  (globalThis as unknown as { gc(): void }).gc();
  const [readable] = await select.select([ctl], [], [], 0.05);
  if (readable.length > 0) report += text(await ctl.recv(100));
}
console.log(report.trim() || "no report");
ctl.close();
`;

const droppedCases: [string, string][] = [
  [
    "connected sockets dropped without close(), with a read running",
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
await ctl.sendall(bytes("go\\n"));
await (async () => {
  for (let i = 0; i < ${N}; i++) {
    const s = await socket.createConnection(["127.0.0.1", PORT]);
    s.settimeout(0.001);
    try { await s.recv(10); } catch (e) { if (!(e instanceof socket.TimeoutError)) throw e; }
  }
})();`,
  ],
  [
    "sockets dropped while registered in a dropped selector",
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
await ctl.sendall(bytes("go\\n"));
await (async () => {
  const sel = new selectors.DefaultSelector();
  for (let i = 0; i < ${N}; i++) {
    sel.register(await socket.createConnection(["127.0.0.1", PORT]), selectors.EVENT_READ);
  }
  await sel.select(0.01);
})();`,
  ],
  [
    "makefile() files dropped without close(), their sockets closed",
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
await ctl.sendall(bytes("go\\n"));
await (async () => {
  for (let i = 0; i < ${N}; i++) {
    const s = await socket.createConnection(["127.0.0.1", PORT]);
    const f = s.makefile("rwb");
    s.close();
    await f.write(bytes("x"));
    await f.flush();
  }
})();`,
  ],
  [
    "makefile() files dropped without close(), their sockets closed but still referenced",
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
await ctl.sendall(bytes("go\\n"));
const kept: socket.Socket[] = [];
await (async () => {
  for (let i = 0; i < ${N}; i++) {
    const s = await socket.createConnection(["127.0.0.1", PORT]);
    kept.push(s);
    s.makefile("rb");
    s.close();
  }
})();`,
  ],
  [
    "accepted sockets dropped without close()",
    `const ctl = await socket.createConnection(["127.0.0.1", PORT]);
const server = socket.createServer(["127.0.0.1", 0]);
await ctl.sendall(bytes(\`connect \${(server.getsockname() as [string, number])[1]}\\n\`));
await (async () => {
  for (let i = 0; i < ${N}; i++) await server.accept();
})();`,
  ],
];

for (const [what, body] of droppedCases) {
  Deno.test(`${what} are closed when collected`, async () => {
    await using peer = startPython(EOF_COUNTER, [String(N)]);
    const port = await peer.readLine();
    const { code, stdout, stderr } = await runChild(
      `${body}\n${COLLECT_UNTIL_REPORTED}`.replaceAll("PORT", port),
      ["--v8-flags=--expose-gc"],
    );
    assertEquals(code, 0, stderr);
    assertEquals(stdout.trim(), `closed ${N}`);
    assertEquals(await peer.readLine(), "peer done");
  });
}

Deno.test("a socketpair end dropped without close() is closed when collected", async () => {
  const { code, stdout, stderr } = await runChild(
    `const [a, b] = (() => {
  const [a, b] = socket.socketpair();
  return [new WeakRef(a), b];
})();
let eof = false;
for (let round = 0; round < 200 && !eof; round++) {
  (globalThis as unknown as { gc(): void }).gc();
  const [readable] = await select.select([b], [], [], 0.01);
  if (readable.length > 0) eof = (await b.recv(10)).length === 0;
}
console.log(eof ? "eof" : "still open", a.deref() === undefined ? "collected" : "alive");`,
    ["--v8-flags=--expose-gc"],
  );
  assertEquals(code, 0, stderr);
  assertStringIncludes(stdout, "eof collected");
});
