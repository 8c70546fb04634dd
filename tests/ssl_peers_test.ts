// The ssl module against real TLS peers on loopback: CPython 3.11's ssl module (OpenSSL) and
// the openssl command (s_server, s_client), as client and as server, on both of pynet's
// engines (Deno's own TLS and node:tls), with mutual TLS, version limits, ALPN, ragged EOFs,
// STARTTLS both ways and a selectors-driven server. Every child is killed and awaited.
import { assert, assertEquals, assertInstanceOf, assertStringIncludes } from "@std/assert";
import { createConnection, createServer, type Socket } from "../socket/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import {
  CERT_NONE,
  CERT_REQUIRED,
  SSLContext,
  SSLEOFError,
  SSLError,
  type SSLSocket,
  TLSVersion,
} from "../ssl/mod.ts";
import * as ssl from "../ssl/mod.ts";
import {
  bytes,
  pattern,
  recvAll,
  recvExactly,
  rejects,
  runDenoFile,
  sameBytes,
  sleep,
  startPython,
  text,
  WAIT_MS,
  within,
} from "./_helpers.ts";
import {
  certPath,
  certText,
  clientContext,
  insecureClientContext,
  pythonCertDict,
  serverContext,
  startOpensslClient,
  startOpensslServer,
} from "./_ssl_helpers.ts";

/** A verifying client presenting client.pem: the node engine. */
function mutualClientContext(): SSLContext {
  const ctx = clientContext();
  ctx.loadCertChain(certPath("client.pem"), certPath("client.key"));
  return ctx;
}

/** A server requiring a client certificate signed by the test CA: the node engine. */
function mutualServerContext(): SSLContext {
  const ctx = serverContext();
  ctx.verifyMode = CERT_REQUIRED;
  ctx.loadVerifyLocations(certPath("ca.pem"));
  return ctx;
}

/** Connects a TLS client made from `ctx` to 127.0.0.1:`port` as `localhost`. */
async function connectTls(ctx: SSLContext, port: number, options = {}): Promise<SSLSocket> {
  const plain = await within(createConnection(["127.0.0.1", port]));
  return await within(ctx.wrapSocket(plain, { serverHostname: "localhost", ...options }));
}

/** A listening TLS server socket on 127.0.0.1 made from `ctx`, and its port. */
async function listenTls(ctx: SSLContext): Promise<[SSLSocket, number]> {
  const server = await ctx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
  return [server, (server.getsockname() as [string, number])[1]];
}

// ---- openssl s_server ------------------------------------------------------------------------

Deno.test("openssl s_server: our verifying client (Deno's engine) talks to it", async () => {
  await using server = await startOpensslServer(["-rev", "-naccept", "1"]);
  using tls = await connectTls(clientContext(), server.port);
  assertEquals(tls.tlsEngine(), "deno");
  await tls.sendall(bytes("hello\n"));
  assertEquals(text(await within(recvExactly(tls, 6))), "olleh\n");
  assertEquals(tls.getpeercert(), await pythonCertDict("server.pem"));
});

Deno.test("openssl s_server: a CERT_NONE client (node engine) gets {} and the DER", async () => {
  await using server = await startOpensslServer(["-rev", "-naccept", "1"]);
  using tls = await connectTls(insecureClientContext(), server.port);
  assertEquals(tls.tlsEngine(), "node");
  assertEquals(tls.getpeercert(), {});
  assertEquals(tls.getpeercert(true), ssl.pemCertToDerCert(certText("server.pem")));
  assertEquals(tls.version(), "TLSv1.3");
  await tls.sendall(bytes("abc\n"));
  assertEquals(text(await within(recvExactly(tls, 4))), "cba\n");
});

Deno.test("openssl s_server: a TLS 1.2-only context negotiates TLSv1.2", async () => {
  await using server = await startOpensslServer(["-rev", "-naccept", "1"]);
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  using tls = await connectTls(ctx, server.port);
  assertEquals(tls.version(), "TLSv1.2");
  assertEquals(tls.cipher(), ["ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256]);
  await tls.sendall(bytes("v12\n"));
  assertEquals(text(await within(recvExactly(tls, 4))), "21v\n");
});

Deno.test("openssl s_server: a TLS 1.3-only client against a TLS 1.2-only server fails with SSLError", async () => {
  await using server = await startOpensslServer(["-rev", "-naccept", "1", "-tls1_2"]);
  const ctx = clientContext();
  ctx.minimumVersion = TLSVersion.TLSv1_3;
  await rejects(() => connectTls(ctx, server.port), SSLError);
});

Deno.test("openssl s_server: our client presents client.pem to a server that requires it", async () => {
  await using server = await startOpensslServer([
    "-rev",
    "-naccept",
    "1",
    "-Verify",
    "1",
    "-verify_return_error",
    "-CAfile",
    certPath("ca.pem"),
  ]);
  using tls = await connectTls(mutualClientContext(), server.port);
  assertEquals(tls.tlsEngine(), "node");
  await tls.sendall(bytes("mtls\n"));
  assertEquals(text(await within(recvExactly(tls, 5))), "sltm\n");
  tls.close();
  // s_server ran with -Verify 1 -verify_return_error: the handshake verified our certificate.
  const { stdout } = await server.finish();
  assertStringIncludes(stdout, "1 server accepts that finished");
});

Deno.test("openssl s_server: ALPN, the server's preference wins", async () => {
  await using server = await startOpensslServer(["-rev", "-naccept", "1", "-alpn", "bar,foo"]);
  const ctx = clientContext();
  ctx.setAlpnProtocols(["foo", "bar"]);
  using tls = await connectTls(ctx, server.port);
  assertEquals(tls.selectedAlpnProtocol(), "bar");
});

// ---- python3 ssl server --------------------------------------------------------------------------

/**
 * A CPython TLS server for one connection. argv: certfile keyfile cafile|- verify max|- alpn|-
 * close. It prints its port, then (after the handshake) one JSON line of what CPython sees,
 * echoes until EOF, and ends as `close` says: "unwrap" (close_notify), "ragged" (none).
 */
const PY_SERVER = `
import json, socket, ssl, sys
certfile, keyfile, cafile, verify, maxv, alpn, ending = sys.argv[1:8]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
if cafile != "-":
    ctx.load_verify_locations(cafile)
ctx.verify_mode = getattr(ssl, verify)
if maxv != "-":
    ctx.maximum_version = getattr(ssl.TLSVersion, maxv)
if alpn != "-":
    ctx.set_alpn_protocols(alpn.split(","))
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except Exception as e:
        print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
        sys.exit(0)
    print(json.dumps({"version": tls.version(), "cipher": tls.cipher(),
                      "alpn": tls.selected_alpn_protocol(), "peer": tls.getpeercert()}), flush=True)
    while True:
        data = tls.recv(65536)
        if not data:
            break
        tls.sendall(data)
        if ending == "ragged":
            break
    if ending == "unwrap":
        tls.unwrap().close()
    else:
        socket.socket(fileno=tls.detach()).close()
`;

interface PyServerOptions {
  cert?: string;
  cafile?: string;
  verify?: "CERT_NONE" | "CERT_OPTIONAL" | "CERT_REQUIRED";
  max?: string;
  alpn?: string[];
  ending?: "unwrap" | "ragged" | "close";
}

function startPythonServer(options: PyServerOptions = {}) {
  const cert = options.cert ?? "server";
  return startPython(PY_SERVER, [
    certPath(`${cert}.pem`),
    certPath(`${cert}.key`),
    options.cafile ? certPath(options.cafile) : "-",
    options.verify ?? "CERT_NONE",
    options.max ?? "-",
    options.alpn?.join(",") ?? "-",
    options.ending ?? "unwrap",
  ]);
}

for (
  const [engine, makeContext] of [["deno", clientContext], ["node", mutualClientContext]] as const
) {
  Deno.test(`python3 server: our client (${engine} engine) echoes and sees what CPython sees`, async () => {
    await using peer = startPythonServer({ cafile: "ca.pem", verify: "CERT_OPTIONAL" });
    const port = Number(await peer.readLine());
    using tls = await connectTls(makeContext(), port);
    assertEquals(tls.tlsEngine(), engine);
    const seen = JSON.parse(await peer.readLine());
    const data = pattern(300_000);
    await tls.sendall(data);
    assert(sameBytes(await within(recvExactly(tls, data.length)), data));
    if (engine === "node") {
      // node:tls names the version and cipher as CPython does.
      assertEquals(tls.version(), seen.version);
      assertEquals(tls.cipher(), seen.cipher);
      assertEquals(seen.peer, await pythonCertDict("client.pem"));
    } else {
      assertEquals(tls.version(), null);
      assertEquals(seen.peer, null); // CPython's server: no client certificate
    }
    assertEquals(tls.getpeercert(), await pythonCertDict("server.pem"));
    tls.shutdown(1); // SHUT_WR: the server's loop ends, it sends close_notify
    assertEquals((await within(recvAll(tls))).length, 0);
    assertEquals((await peer.finish()).code, 0);
  });
}

Deno.test("python3 server: a TLS 1.2-limited python3 server and our default client agree on TLSv1.2", async () => {
  for (const ctx of [clientContext(), insecureClientContext()]) {
    await using peer = startPythonServer({ max: "TLSv1_2" });
    const port = Number(await peer.readLine());
    using tls = await connectTls(ctx, port);
    const seen = JSON.parse(await peer.readLine());
    assertEquals(seen.version, "TLSv1.2");
    // Deno's own engine cannot tell the version (null); node:tls can.
    assertEquals(tls.version(), tls.tlsEngine() === "node" ? "TLSv1.2" : null);
  }
});

Deno.test("python3 server: requiring a client certificate, our client presents client.pem", async () => {
  await using peer = startPythonServer({ cafile: "ca.pem", verify: "CERT_REQUIRED" });
  const port = Number(await peer.readLine());
  using tls = await connectTls(mutualClientContext(), port);
  const seen = JSON.parse(await peer.readLine());
  assertEquals(seen.peer.subject, [[["commonName", "pynet test client"]]]);
  await tls.sendall(bytes("ping"));
  assertEquals(text(await within(recvExactly(tls, 4))), "ping");
});

Deno.test("python3 server: requiring a client certificate, a client without one gets CPython's alert", async () => {
  await using peer = startPythonServer({ cafile: "ca.pem", verify: "CERT_REQUIRED" });
  const port = Number(await peer.readLine());
  // TLS 1.3: the client's handshake ends before the server checks; the alert comes next.
  using tls = await connectTls(clientContext(), port);
  const e = await rejects(() => tls.recv(10), SSLError);
  assertEquals(
    e.message,
    "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required",
  );
  const seen = JSON.parse(await peer.readLine());
  assertEquals(seen.error, "SSLError");
  assertStringIncludes(seen.message, "PEER_DID_NOT_RETURN_A_CERTIFICATE");
});

Deno.test("python3 server: ALPN, CPython's server order wins; no overlap is null", async () => {
  const cases: [string[], string[], string | null][] = [
    [["foo", "bar"], ["foo", "bar", "milkshake"], "foo"],
    [["bar", "foo"], ["foo", "bar", "milkshake"], "foo"],
    [["milkshake"], ["foo", "bar", "milkshake"], "milkshake"],
    [["http/3.0", "http/4.0"], ["foo", "bar"], null],
  ];
  for (const makeContext of [clientContext, mutualClientContext]) {
    for (const [offered, served, expected] of cases) {
      await using peer = startPythonServer({
        alpn: served,
        cafile: "ca.pem",
        verify: "CERT_OPTIONAL",
      });
      const port = Number(await peer.readLine());
      const ctx = makeContext();
      ctx.setAlpnProtocols(offered);
      using tls = await connectTls(ctx, port);
      const seen = JSON.parse(await peer.readLine());
      assertEquals(seen.alpn, expected);
      assertEquals(tls.selectedAlpnProtocol(), expected, `${offered} vs ${served}`);
    }
  }
});

for (
  const [engine, makeContext] of [["deno", clientContext], ["node", mutualClientContext]] as const
) {
  Deno.test(`python3 server: a ragged EOF (${engine} engine) with suppressRaggedEofs true and false`, async () => {
    for (const suppressRaggedEofs of [true, false]) {
      await using peer = startPythonServer({
        ending: "ragged",
        cafile: "ca.pem",
        verify: "CERT_OPTIONAL",
      });
      const port = Number(await peer.readLine());
      using tls = await connectTls(makeContext(), port, { suppressRaggedEofs });
      await peer.readLine();
      await tls.sendall(bytes("x"));
      assertEquals(text(await within(recvExactly(tls, 1))), "x");
      if (suppressRaggedEofs || engine === "node") {
        // node:tls does not tell a ragged EOF from a close_notify: the node engine reads EOF
        // either way (CPython: SSLEOFError when not suppressed).
        assertEquals((await within(tls.recv(10))).length, 0);
      } else {
        const e = await rejects(() => tls.recv(10), SSLEOFError);
        assertEquals(e.errno, ssl.SSL_ERROR_EOF);
      }
      assertEquals((await peer.finish()).code, 0);
    }
  });
}

Deno.test("python3 server: a close_notify reads as EOF even with suppressRaggedEofs false", async () => {
  for (const makeContext of [clientContext, mutualClientContext]) {
    await using peer = startPythonServer({
      ending: "unwrap",
      cafile: "ca.pem",
      verify: "CERT_OPTIONAL",
    });
    const port = Number(await peer.readLine());
    using tls = await connectTls(makeContext(), port, { suppressRaggedEofs: false });
    await peer.readLine();
    tls.shutdown(1);
    assertEquals((await within(tls.recv(10))).length, 0);
    assertEquals((await peer.finish()).code, 0);
  }
});

Deno.test("python3 server: a server that drops the connection mid-handshake is SSLEOFError, as in CPython", async () => {
  await using peer = startPython(`
import socket
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    for _ in range(2):
        conn, _ = srv.accept()
        conn.recv(65536)
        conn.close()
`);
  const port = Number(await peer.readLine());
  for (const ctx of [clientContext(), mutualClientContext()]) {
    await rejects(() => connectTls(ctx, port), SSLEOFError);
  }
  assertEquals((await peer.finish()).code, 0);
});

// ---- python3 and openssl clients against our servers ----------------------------------------------

/**
 * A CPython TLS client. argv: port cafile certfile|- keyfile|- size. It prints one JSON line
 * of what it sees (or the error), sends `size` bytes, checks the echo, and prints "echo ok".
 */
const PY_CLIENT = `
import json, socket, ssl, sys
port, cafile, certfile, keyfile, size = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=cafile)
if certfile != "-":
    ctx.load_cert_chain(certfile, keyfile)
try:
    tls = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))),
                          server_hostname="localhost")
    if int(size) == 0:
        print(json.dumps({"read": tls.recv(1).decode()}), flush=True)
        sys.exit(0)
except Exception as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
    sys.exit(0)
print(json.dumps({"version": tls.version(), "cipher": tls.cipher(), "peer": tls.getpeercert()}),
      flush=True)
data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(int(size)))
tls.sendall(data)
got = bytearray()
while len(got) < len(data):
    chunk = tls.recv(65536)
    if not chunk:
        break
    got += chunk
print("echo ok" if got == data else "echo BAD %d" % len(got), flush=True)
tls.close()
`;

function startPythonClient(port: number, size: number, withCert: boolean) {
  return startPython(PY_CLIENT, [
    String(port),
    certPath("ca.pem"),
    withCert ? certPath("client.pem") : "-",
    withCert ? certPath("client.key") : "-",
    String(size),
  ]);
}

/** Serves one connection on `server`: echoes `size` bytes, then closes. */
async function echoOnce(server: SSLSocket, size: number): Promise<SSLSocket> {
  const [conn] = await within(server.accept());
  const data = await within(recvExactly(conn, size));
  await conn.sendall(data);
  return conn;
}

for (
  const [engine, makeContext, withCert] of [
    ["deno", serverContext, false],
    ["node", mutualServerContext, true],
  ] as const
) {
  Deno.test(`python3 client: our server (${engine} engine) serves it, with mutual TLS on node`, async () => {
    const [server, port] = await listenTls(makeContext());
    using _server = server;
    await using peer = startPythonClient(port, 100_000, withCert);
    using conn = await echoOnce(server, 100_000);
    const seen = JSON.parse(await peer.readLine());
    assertEquals(seen.peer, await pythonCertDict("server.pem"));
    assertEquals(await peer.readLine(), "echo ok");
    assertEquals(conn.tlsEngine(), engine);
    if (engine === "node") {
      assertEquals(conn.version(), seen.version);
      assertEquals(conn.cipher(), seen.cipher);
      assertEquals(conn.getpeercert(), await pythonCertDict("client.pem"));
    } else {
      assertEquals(conn.getpeercert(), null);
    }
    assertEquals((await peer.finish()).code, 0);
  });

  Deno.test(`openssl s_client: our server (${engine} engine) serves it`, async () => {
    const [server, port] = await listenTls(makeContext());
    using _server = server;
    const certArgs = withCert
      ? ["-cert", certPath("client.pem"), "-key", certPath("client.key")]
      : [];
    await using client = startOpensslClient(port, [
      "-CAfile",
      certPath("ca.pem"),
      "-verify_return_error",
      "-verify_hostname",
      "localhost",
      "-servername",
      "localhost",
      "-ign_eof",
      ...certArgs,
    ], bytes("hello from s_client\n"));
    const [conn] = await within(server.accept());
    using _conn = conn;
    assertEquals(text(await within(recvExactly(conn, 20))), "hello from s_client\n");
    await conn.sendall(bytes("hello from pynet\n"));
    conn.close();
    const { stdout } = await client.finish();
    assertStringIncludes(stdout, "Verify return code: 0 (ok)");
    assertStringIncludes(stdout, "hello from pynet\n");
  });
}

Deno.test("python3 client: a CERT_REQUIRED server (node engine) refuses a client without a certificate", async () => {
  const [server, port] = await listenTls(mutualServerContext());
  using _server = server;
  await using peer = startPythonClient(port, 0, false);
  const e = await rejects(() => server.accept(), SSLError);
  assertEquals(e.reason, "PEER_DID_NOT_RETURN_A_CERTIFICATE");
  // CPython's client would get an alert from a CPython server (TLSV13_ALERT_CERTIFICATE_REQUIRED);
  // node:tls's server closes without one, so CPython's client reads EOF (a ragged one).
  assertEquals(JSON.parse(await peer.readLine()), { read: "" });
  assertEquals((await peer.finish()).code, 0);
});

// ---- STARTTLS ------------------------------------------------------------------------------------

Deno.test("STARTTLS client: plain exchange with a python3 server, then wrapSocket, then TLS echo", async () => {
  await using peer = startPython(
    `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    f = conn.makefile("rb")
    assert f.readline() == b"STARTTLS\\n"
    f.close()
    conn.sendall(b"220 go ahead\\n")
    tls = ctx.wrap_socket(conn, server_side=True)
    while True:
        data = tls.recv(65536)
        if not data:
            break
        tls.sendall(data)
    print(tls.version(), flush=True)
    tls.unwrap().close()
`,
    [certPath("server.pem"), certPath("server.key")],
  );
  const port = Number(await peer.readLine());
  const plain = await within(createConnection(["127.0.0.1", port]));
  await plain.sendall(bytes("STARTTLS\n"));
  assertEquals(text(await within(recvExactly(plain, 13))), "220 go ahead\n");
  using tls = await within(clientContext().wrapSocket(plain, { serverHostname: "localhost" }));
  assertEquals(plain.fileno(), -1);
  const data = pattern(1024 * 1024);
  const [, echoed] = await within(Promise.all([tls.sendall(data), recvExactly(tls, data.length)]));
  assert(sameBytes(echoed, data));
  tls.shutdown(1);
  assertEquals((await within(recvAll(tls))).length, 0);
  assertEquals(await peer.readLine(), "TLSv1.3");
  assertEquals((await peer.finish()).code, 0);
});

Deno.test("STARTTLS server: plain STARTTLS, then serverSide wrap (node engine), python3 echoes 1 MiB", async () => {
  using listener = createServer(["127.0.0.1", 0]);
  const port = (listener.getsockname() as [string, number])[1];
  await using peer = startPython(
    `
import socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
plain = socket.create_connection(("127.0.0.1", port))
plain.sendall(b"STARTTLS\\n")
f = plain.makefile("rb")
assert f.readline() == b"220 ready\\n"
f.close()
tls = ctx.wrap_socket(plain, server_hostname="localhost")
data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(1 << 20))
tls.sendall(data)
got = bytearray()
while len(got) < len(data):
    chunk = tls.recv(65536)
    if not chunk:
        break
    got += chunk
print(tls.version(), got == data, flush=True)
tls.close()
`,
    [String(port), certPath("ca.pem")],
  );
  const [plain] = await within(listener.accept());
  const file = plain.makefile("rb");
  assertEquals(text(await within(file.readline())), "STARTTLS\n");
  await file.close();
  await plain.sendall(bytes("220 ready\n"));
  using tls = await within(serverContext().wrapSocket(plain, { serverSide: true }));
  assertEquals(tls.tlsEngine(), "node");
  assert(tls.serverSide);
  const data = await within(recvExactly(tls, 1 << 20));
  assertEquals(data.length, 1 << 20);
  assert(sameBytes(data, pattern(1 << 20)));
  await tls.sendall(data);
  assertEquals(await peer.readLine(), "TLSv1.3 True");
  assertEquals((await peer.finish()).code, 0);
});

// ---- selectors with python3 clients --------------------------------------------------------------

Deno.test("selectors: a TLS echo server serves several python3 clients at once", async () => {
  const [listener, port] = await listenTls(serverContext());
  using _listener = listener;
  listener.setblocking(false);
  using selector = new DefaultSelector();
  selector.register(listener, EVENT_READ);
  const CLIENTS = 4;
  const open: Socket[] = [];
  let finished = 0;
  let stop = false;
  const serving = (async () => {
    while (!stop) {
      for (const [key] of await selector.select(0.05)) {
        if (key.fileobj === listener) {
          const [conn] = await listener.accept();
          conn.setblocking(false);
          open.push(conn);
          selector.register(conn, EVENT_READ);
          continue;
        }
        const conn = key.fileobj as SSLSocket;
        let data: Uint8Array;
        try {
          data = await conn.recv(65536);
        } catch {
          data = new Uint8Array(0);
        }
        if (data.length === 0) {
          selector.unregister(conn);
          conn.close();
          finished++;
        } else {
          await conn.sendall(data);
        }
      }
    }
  })();
  const peers = Array.from({ length: CLIENTS }, () => startPythonClient(port, 200_000, false));
  try {
    for (const peer of peers) {
      const seen = JSON.parse(await peer.readLine());
      assertEquals(seen.version, "TLSv1.3");
      assertEquals(await peer.readLine(), "echo ok");
      assertEquals((await peer.finish()).code, 0);
    }
    const deadline = Date.now() + WAIT_MS;
    while (finished < CLIENTS && Date.now() < deadline) await sleep(10);
    assertEquals(finished, CLIENTS);
  } finally {
    stop = true;
    await within(serving);
    for (const conn of open) conn.close();
    for (const peer of peers) await peer[Symbol.asyncDispose]();
  }
});

Deno.test("getpeercert on Deno's native client path equals python3's getpeercert() for the same server", async () => {
  // python3 as the client of an openssl server, and our native client of the same server.
  await using server = await startOpensslServer(["-rev", "-naccept", "2"]);
  await using py = startPython(
    `
import json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2]))),
                     server_hostname="localhost") as tls:
    print(json.dumps(tls.getpeercert()), flush=True)
`,
    [certPath("ca.pem"), String(server.port)],
  );
  const expected = JSON.parse(await py.readLine());
  assertEquals((await py.finish()).code, 0);
  using tls = await connectTls(clientContext(), server.port);
  assertEquals(tls.tlsEngine(), "deno");
  assertEquals(tls.getpeercert(), expected);
  assertInstanceOf(tls.getpeercert(true), Uint8Array);
});

Deno.test("CERT_NONE client against a python3 server: verification is really off", async () => {
  await using peer = startPythonServer({ cert: "selfsigned" });
  const port = Number(await peer.readLine());
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = CERT_NONE;
  using tls = await connectTls(ctx, port);
  await peer.readLine();
  assertEquals(tls.getpeercert(), {});
  assertEquals(tls.getpeercert(true), ssl.pemCertToDerCert(certText("selfsigned.pem")));
});

Deno.test("examples/ssl_echo.ts runs, echoes and exits by itself (plain and --mutual)", async () => {
  const example = new URL("../examples/ssl_echo.ts", import.meta.url).pathname;
  const certs = new URL("./certs/", import.meta.url).pathname;
  for (const args of [[], ["--mutual"]]) {
    const { code, stdout: out, stderr } = await runDenoFile(
      example,
      ["--allow-net=127.0.0.1", `--allow-read=${certs}`],
      args,
    );
    assertEquals(code, 0, stderr);
    assertStringIncludes(out, 'client: sent "bye\\n", got "bye\\n"');
    assertStringIncludes(out, "server: echoed 31 bytes, connection closed");
    if (args.length > 0) assertStringIncludes(out, '"pynet test client"');
  }
});

Deno.test("pynet server (Deno's engine): a python3 client's close without close_notify is SSLEOFError with suppressRaggedEofs false, EOF by default", async () => {
  for (const suppressRaggedEofs of [false, true]) {
    using listener = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
      serverSide: true,
      suppressRaggedEofs,
    });
    const [, port] = listener.getsockname() as [string, number];
    // CPython's SSLSocket.close() sends no close_notify: the server sees a ragged EOF.
    await using peer = startPython(
      `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2]))),
                    server_hostname="localhost")
s.sendall(b"x")
assert s.recv(1) == b"y"
s.close()
print("closed", flush=True)
`,
      [certPath("ca.pem"), String(port)],
    );
    const [conn] = await within(listener.accept());
    using _conn = conn;
    assertEquals(conn.tlsEngine(), "deno");
    assertEquals(text(await within(recvExactly(conn, 1))), "x");
    await conn.sendall(bytes("y"));
    assertEquals(await peer.readLine(), "closed");
    if (suppressRaggedEofs) {
      assertEquals((await within(conn.recv(10))).length, 0);
    } else {
      const e = await rejects(() => conn.recv(10), SSLEOFError);
      assertEquals(e.errno, ssl.SSL_ERROR_EOF);
    }
    assertEquals((await peer.finish()).code, 0);
  }
});
