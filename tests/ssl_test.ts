// The ssl module against itself on loopback, with CPython 3.11's results as the expected values
// (each was checked in python3 on the same certificates, tests/certs/): contexts, wrapSocket's
// argument checks, certificate verification, I/O over TLS in every socket mode, select and
// selectors over TLS. Tests against real peers (python3, openssl) are in ssl_peers_test.ts.
import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertMatch,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  AF_INET,
  createConnection,
  createServer,
  FileNotFoundError,
  NotImplementedError,
  OSError,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socket,
  TimeoutError,
  UnicodeError,
  ValueError,
} from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import * as ssl from "../ssl/mod.ts";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  CertificateError,
  createDefaultContext,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLSocket,
  TLSVersion,
} from "../ssl/mod.ts";
import {
  bytes,
  pattern,
  recvAll,
  recvExactly,
  rejects,
  sameBytes,
  sleep,
  text,
  WAIT_MS,
  within,
} from "./_helpers.ts";
import {
  certPath,
  certText,
  clientContext,
  ENGINES,
  insecureClientContext,
  nodeClientContext,
  nodeServerContext,
  pythonCertDict,
  serverContext,
  silentServer,
  tlsPair,
} from "./_ssl_helpers.ts";

const PASSWORD = "pynet-password";

// ---- SSLContext ------------------------------------------------------------------------------

Deno.test("context: PROTOCOL_TLS_CLIENT defaults to CERT_REQUIRED with checkHostname", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  assertEquals(ctx.protocol, PROTOCOL_TLS_CLIENT);
  assertEquals(ctx.verifyMode, CERT_REQUIRED);
  assertEquals(ctx.checkHostname, true);
});

Deno.test("context: PROTOCOL_TLS_SERVER and PROTOCOL_TLS default to CERT_NONE, no hostname check", () => {
  for (const protocol of [PROTOCOL_TLS_SERVER, PROTOCOL_TLS]) {
    const ctx = new SSLContext(protocol);
    assertEquals(ctx.verifyMode, CERT_NONE);
    assertEquals(ctx.checkHostname, false);
  }
  assertEquals(new SSLContext().protocol, PROTOCOL_TLS);
  assertEquals(ssl.PROTOCOL_SSLv23, PROTOCOL_TLS);
});

Deno.test("context: an unknown protocol is a ValueError with CPython's message", () => {
  for (const protocol of [42, -1]) {
    const e = assertThrows(() => new SSLContext(protocol), ValueError);
    assertEquals(e.message, `invalid or unsupported protocol version ${protocol}`);
  }
});

Deno.test("context: CERT_NONE while checkHostname is on is a ValueError with CPython's message", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  const e = assertThrows(() => ctx.verifyMode = CERT_NONE, ValueError);
  assertEquals(e.message, "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  assertEquals(ctx.verifyMode, CERT_REQUIRED);
});

Deno.test("context: enabling checkHostname turns CERT_NONE into CERT_REQUIRED and keeps CERT_OPTIONAL", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = CERT_NONE;
  ctx.checkHostname = true;
  assertEquals(ctx.verifyMode, CERT_REQUIRED);
  ctx.checkHostname = false;
  ctx.verifyMode = CERT_OPTIONAL;
  ctx.checkHostname = true;
  assertEquals(ctx.verifyMode, CERT_OPTIONAL);
  const server = new SSLContext(PROTOCOL_TLS_SERVER);
  server.checkHostname = true;
  assertEquals(server.verifyMode, CERT_REQUIRED);
});

Deno.test("context: verifyMode rejects a non-number (TypeError) and an unknown mode (ValueError)", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  const typeError = assertThrows(
    () => ctx.verifyMode = null as unknown as number,
    TypeError,
  );
  assertEquals(typeError.message, "'NoneType' object cannot be interpreted as an integer");
  const valueError = assertThrows(() => ctx.verifyMode = 42, ValueError);
  assertEquals(valueError.message, "invalid value for verify_mode");
});

Deno.test("context: minimumVersion/maximumVersion default to TLSv1_2 / MAXIMUM_SUPPORTED", () => {
  for (const protocol of [PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, PROTOCOL_TLS]) {
    const ctx = new SSLContext(protocol);
    assertEquals(ctx.minimumVersion, TLSVersion.TLSv1_2);
    assertEquals(ctx.maximumVersion, TLSVersion.MAXIMUM_SUPPORTED);
  }
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  assertEquals(ctx.maximumVersion, TLSVersion.TLSv1_2);
  assertThrows(() => ctx.minimumVersion = 1234, ValueError);
});

Deno.test("context: loadCertChain takes a combined file and separate cert and key files", async () => {
  const combined = new SSLContext(PROTOCOL_TLS_SERVER);
  combined.loadCertChain(certPath("server_combined.pem"));
  const separate = new SSLContext(PROTOCOL_TLS_SERVER);
  separate.loadCertChain(certPath("server.pem"), certPath("server.key"));
  // Both serve a verifying client.
  for (const ctx of [combined, separate]) {
    using pair = await tlsPair(ctx, clientContext());
    await pair.client.sendall(bytes("ok"));
    assertEquals(text(await within(recvExactly(pair.conn, 2))), "ok");
  }
});

Deno.test("context: loadCertChain of a missing file is FileNotFoundError errno 2", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  const e = assertThrows(() => ctx.loadCertChain("/nonexistent/pynet.pem"), FileNotFoundError);
  assertEquals(e.errno, 2);
  assertThrows(
    () => ctx.loadCertChain(certPath("server.pem"), "/nonexistent/pynet.key"),
    FileNotFoundError,
  );
});

Deno.test("context: loadCertChain of a file without a certificate or key is SSLError 'PEM lib'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pynet-ssl-" });
  try {
    const garbage = `${dir}/garbage.pem`;
    await Deno.writeTextFile(garbage, "garbage\n");
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    for (
      const [cert, key] of [[garbage, null], [certPath("server.pem"), garbage], [
        certPath("ca.pem"),
        null,
      ]]
    ) {
      const e = assertThrows(() => ctx.loadCertChain(cert!, key), SSLError);
      assertStringIncludes(e.message, "PEM lib");
      assertEquals(e.library, "SSL");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("context: an encrypted key loads with its password as a string, bytes or a callable", async () => {
  const passwords: ssl.Password[] = [
    PASSWORD,
    bytes(PASSWORD),
    () => PASSWORD,
    () => bytes(PASSWORD),
  ];
  for (const password of passwords) {
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    ctx.loadCertChain(certPath("server.pem"), certPath("encrypted.key"), password);
    using pair = await tlsPair(ctx, clientContext());
    await pair.conn.sendall(bytes("decrypted"));
    assertEquals(text(await within(recvExactly(pair.client, 9))), "decrypted");
  }
});

Deno.test("context: an encrypted key with a wrong password is an SSLError from loadCertChain", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  for (const password of ["wrong", bytes("wrong"), () => "wrong"]) {
    const e = assertThrows(
      () => ctx.loadCertChain(certPath("server.pem"), certPath("encrypted.key"), password),
      SSLError,
    );
    assertStringIncludes(e.message, "PEM lib");
  }
  // A callable returning something else is CPython's TypeError.
  assertThrows(
    () =>
      ctx.loadCertChain(
        certPath("server.pem"),
        certPath("encrypted.key"),
        (() => 42) as unknown as () => string,
      ),
    TypeError,
    "password callback must return a string",
  );
});

Deno.test("context: a password callable is not called for a key that needs none", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  let called = 0;
  ctx.loadCertChain(certPath("server.pem"), certPath("server.key"), () => {
    called++;
    return PASSWORD;
  });
  assertEquals(called, 0);
});

Deno.test("context: a key that does not match the certificate is SSLError 'key values mismatch' from loadCertChain, as CPython", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  const e = assertThrows(
    () => ctx.loadCertChain(certPath("server.pem"), certPath("client.key")),
    SSLError,
  );
  assertEquals(e.message, "[X509: KEY_VALUES_MISMATCH] key values mismatch");
  assertEquals([e.library, e.reason], ["X509", "KEY_VALUES_MISMATCH"]);
});

Deno.test("context: garbage cadata is SSLError at load time, empty cadata ValueError, as CPython", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  assertThrows(
    () => ctx.loadVerifyLocations(null, null, new TextEncoder().encode("garbage")),
    SSLError,
  );
  assertThrows(
    () =>
      ctx.loadVerifyLocations(
        null,
        null,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      ),
    SSLError,
  );
  assertThrows(() => ctx.loadVerifyLocations(null, null, ""), ValueError, "Empty certificate data");
  assertThrows(() => ctx.loadVerifyLocations(null, null, 123 as unknown as string), TypeError);
});

Deno.test("context: loadVerifyLocations with no argument is CPython's TypeError", () => {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  const e = assertThrows(() => ctx.loadVerifyLocations(), TypeError);
  assertEquals(e.message, "cafile, capath and cadata cannot be all omitted");
  assertThrows(() => ctx.loadVerifyLocations("/nonexistent/ca.pem"), FileNotFoundError);
  assertThrows(() => ctx.loadVerifyLocations(null, null, "junk"), SSLError);
});

Deno.test("context: loadVerifyLocations takes cadata as PEM text and as DER bytes", async () => {
  const pem = certText("ca.pem");
  const der = ssl.pemCertToDerCert(pem);
  assertEquals(ssl.derCertToPemCert(der), pem);
  for (const cadata of [pem, der]) {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations(null, null, cadata);
    assertEquals(ctx.getCaCerts().length, 1);
    using pair = await tlsPair(serverContext(), ctx);
    assertEquals(pair.client.getpeercert(true), ssl.pemCertToDerCert(certText("server.pem")));
  }
});

Deno.test("context: createDefaultContext makes a verifying client for SERVER_AUTH and a server for CLIENT_AUTH", () => {
  const client = createDefaultContext();
  assertEquals(client.protocol, PROTOCOL_TLS_CLIENT);
  assertEquals(client.verifyMode, CERT_REQUIRED);
  assertEquals(client.checkHostname, true);
  const explicit = createDefaultContext(Purpose.SERVER_AUTH, { cafile: certPath("ca.pem") });
  assertEquals(explicit.getCaCerts().length, 1);
  const server = createDefaultContext(Purpose.CLIENT_AUTH);
  assertEquals(server.protocol, PROTOCOL_TLS_SERVER);
  assertEquals(server.verifyMode, CERT_NONE);
  assertEquals(server.checkHostname, false);
  assertThrows(() => createDefaultContext("bogus" as ssl.PurposeValue), TypeError);
});

// ---- wrapSocket's argument checks --------------------------------------------------------------

Deno.test("wrapSocket: a datagram socket is NotImplementedError 'only stream sockets are supported'", async () => {
  using udp = new Socket(AF_INET, SOCK_DGRAM);
  const e = await rejects(() => clientContext().wrapSocket(udp), NotImplementedError);
  assertEquals(e.message, "only stream sockets are supported");
});

Deno.test("wrapSocket: serverHostname with serverSide is CPython's ValueError", async () => {
  using sock = socket();
  const e = await rejects(
    () => serverContext().wrapSocket(sock, { serverSide: true, serverHostname: "localhost" }),
    ValueError,
  );
  assertEquals(e.message, "server_hostname can only be specified in client mode");
});

Deno.test("wrapSocket: checkHostname without serverHostname is CPython's ValueError", async () => {
  using sock = socket();
  const e = await rejects(() => clientContext().wrapSocket(sock), ValueError);
  assertEquals(e.message, "check_hostname requires server_hostname");
});

Deno.test("wrapSocket: serverHostname is checked as CPython does: empty, leading dot, NUL", async () => {
  using server = createServer(["127.0.0.1", 0]);
  using sock = await createConnection(server.getsockname() as [string, number]);
  const wrap = (ctx: SSLContext, serverHostname: string) => () =>
    ctx.wrapSocket(sock, { serverHostname });
  const empty = await rejects(wrap(insecureClientContext(), ""), ValueError);
  assertEquals(
    empty.message,
    "server_hostname cannot be an empty string or start with a leading dot.",
  );
  // CPython encodes the name with the idna codec first, which refuses the empty label.
  const dotted = await rejects(wrap(insecureClientContext(), ".example.org"), UnicodeError);
  assertInstanceOf(dotted, ValueError);
  assertEquals(
    dotted.message,
    "encoding with 'idna' codec failed (UnicodeError: label empty or too long)",
  );
  const nul = await rejects(wrap(insecureClientContext(), "a\0b"), TypeError);
  assertEquals(nul.message, "argument must be encoded string without null bytes, not str");
  // With checkHostname, an empty name is the missing-name error.
  const missing = await rejects(wrap(clientContext(), ""), ValueError);
  assertEquals(missing.message, "check_hostname requires server_hostname");
  // A refused wrap leaves the socket as it was.
  assert(sock.fileno() >= 0);
});

Deno.test("wrapSocket: a context with checkHostname cannot make a server socket (CPython's ValueError)", async () => {
  using sock = createServer(["127.0.0.1", 0]);
  const ctx = serverContext();
  ctx.checkHostname = true;
  const e = await rejects(() => ctx.wrapSocket(sock, { serverSide: true }), ValueError);
  assertEquals(e.message, "check_hostname requires server_hostname");
  const client = await rejects(
    () => clientContext().wrapSocket(sock, { serverSide: true }),
    ValueError,
  );
  assertEquals(client.message, "check_hostname requires server_hostname");
  // The socket is not taken when the arguments are refused.
  assert(sock.fileno() >= 0);
});

Deno.test("wrapSocket: a context of the wrong side is CPython's SSLError", async () => {
  using server = createServer(["127.0.0.1", 0]);
  const address = server.getsockname() as [string, number];
  using sock = await createConnection(address);
  const e = await rejects(() => serverContext().wrapSocket(sock), SSLError);
  assertEquals(e.message, "Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
  const e2 = await rejects(
    () => insecureClientContext().wrapSocket(sock, { serverSide: true }),
    SSLError,
  );
  assertEquals(e2.message, "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
});

Deno.test("SSLSocket has no public constructor (TypeError)", () => {
  const Ctor = SSLSocket as unknown as new (...args: unknown[]) => SSLSocket;
  const e = assertThrows(() => new Ctor(Symbol("x"), clientContext(), AF_INET, 3, {}), TypeError);
  assertStringIncludes(e.message, "does not have a public constructor");
});

Deno.test("wrapSocket keeps the plain socket's timeout: null, 0 and 5", async () => {
  for (const timeout of [null, 0, 5]) {
    const sock = socket();
    sock.settimeout(timeout);
    using tls = await insecureClientContext().wrapSocket(sock, { serverHostname: "localhost" });
    assertEquals(tls.gettimeout(), timeout);
    // The original socket object is detached.
    assertEquals(sock.fileno(), -1);
  }
});

// ---- the two engines --------------------------------------------------------------------------
//
// Deno's own TLS runs a verifying client without a client certificate and a listening server
// that asks for none; node:tls over the connection runs the rest. Each I/O test runs on both.

Deno.test("engines: each pair runs the engine it is meant to", async () => {
  for (const { engine, server, client } of ENGINES) {
    using pair = await tlsPair(server(), client());
    assertEquals(pair.client.tlsEngine(), engine);
    assertEquals(pair.conn.tlsEngine(), engine);
  }
  // A CERT_NONE client, a version limit and a client certificate all need node:tls.
  const limited = clientContext();
  limited.maximumVersion = TLSVersion.TLSv1_2;
  for (const ctx of [insecureClientContext(), limited]) {
    using pair = await tlsPair(serverContext(), ctx);
    assertEquals(pair.client.tlsEngine(), "node");
  }
});

for (const { engine, server, client } of ENGINES) {
  Deno.test(`I/O (${engine} engine): send, sendall, recv, recvInto, read, write`, async () => {
    using pair = await tlsPair(server(), client());
    assertEquals(await pair.client.send(bytes("send;")), 5);
    await pair.client.sendall(bytes("sendall;"));
    assertEquals(await pair.client.write(bytes("write")), 5);
    assertEquals(text(await within(recvExactly(pair.conn, 18))), "send;sendall;write");
    await pair.conn.sendall(bytes("abcdefghij"));
    const buffer = new Uint8Array(4);
    assertEquals(await within(pair.client.recvInto(buffer)), 4);
    assertEquals(text(buffer), "abcd");
    assertEquals(await within(pair.client.read(3, buffer)), 3);
    assertEquals(text(buffer.subarray(0, 3)), "efg");
    assertEquals(text(await within(pair.client.read(3)) as Uint8Array), "hij");
  });

  Deno.test(`I/O (${engine} engine): zero-length recv, read and send`, async () => {
    using pair = await tlsPair(server(), client());
    assertEquals((await pair.client.recv(0)).length, 0);
    assertEquals(((await pair.client.read(0)) as Uint8Array).length, 0);
    assertEquals(await pair.client.send(new Uint8Array(0)), 0);
    assertEquals(await pair.client.recvInto(new Uint8Array(0)), 0);
    pair.client.setblocking(false);
    assertEquals((await pair.client.recv(0)).length, 0);
  });

  Deno.test(`I/O (${engine} engine): 1 MiB each way over sendall arrives intact`, async () => {
    using pair = await tlsPair(server(), client());
    const data = pattern(1024 * 1024);
    const [, received] = await within(
      Promise.all([pair.client.sendall(data), recvExactly(pair.conn, data.length)]),
    );
    assert(sameBytes(received, data));
    const [, back] = await within(
      Promise.all([pair.conn.sendall(data), recvExactly(pair.client, data.length)]),
    );
    assert(sameBytes(back, data));
  });

  Deno.test(`I/O (${engine} engine): makefile reads lines and writes over TLS`, async () => {
    using pair = await tlsPair(server(), client());
    const file = pair.client.makefile("rwb");
    try {
      await pair.conn.sendall(bytes("first line\nsecond line\n"));
      assertEquals(text(await within(file.readline())), "first line\n");
      assertEquals(text(await within(file.readline())), "second line\n");
      await file.write(bytes("from the file\n"));
      await file.flush();
      assertEquals(text(await within(recvExactly(pair.conn, 14))), "from the file\n");
    } finally {
      await file.close();
    }
  });

  Deno.test(`I/O (${engine} engine): pending() counts decrypted bytes not yet read`, async () => {
    using pair = await tlsPair(server(), client());
    assertEquals(pair.client.pending(), 0);
    await pair.conn.sendall(pattern(100));
    assertEquals((await within(pair.client.recv(10))).length, 10);
    // The rest of the record has been decrypted: select() sees it and pending() counts it.
    const [readable] = await within(select([pair.client], [], [], 5));
    assertEquals(readable, [pair.client]);
    assertEquals(pair.client.pending(), 90);
    assertEquals((await pair.client.recv(1000)).length, 90);
    assertEquals(pair.client.pending(), 0);
  });

  Deno.test(`I/O (${engine} engine): a timed recv times out and keeps the late bytes`, async () => {
    using pair = await tlsPair(server(), client());
    pair.client.settimeout(0.05);
    const e = await rejects(() => pair.client.recv(10), TimeoutError);
    assertMatch(e.message, /timed out/);
    await pair.conn.sendall(bytes("late"));
    pair.client.settimeout(5);
    assertEquals(text(await within(recvExactly(pair.client, 4))), "late");
  });

  Deno.test(`I/O (${engine} engine): non-blocking recv raises SSLWantReadError until data is decrypted`, async () => {
    using pair = await tlsPair(server(), client());
    pair.client.setblocking(false);
    const e = await rejects(() => pair.client.recv(10), ssl.SSLWantReadError);
    assertEquals(e.errno, 2);
    assertEquals(e.message, "The operation did not complete (read)");
    await rejects(() => pair.client.recvInto(new Uint8Array(4)), ssl.SSLWantReadError);
    await pair.conn.sendall(bytes("ready"));
    const [readable] = await within(select([pair.client], [], [], 5));
    assertEquals(readable, [pair.client]);
    assertEquals(text(await pair.client.recv(10)), "ready");
    assertEquals(await pair.client.send(bytes("nb")), 2);
    assertEquals(text(await within(recvExactly(pair.conn, 2))), "nb");
  });

  Deno.test(`I/O (${engine} engine): a clean close reads as EOF on the other side`, async () => {
    using pair = await tlsPair(server(), client());
    await pair.conn.sendall(bytes("bye"));
    pair.conn.close();
    assertEquals(text(await within(recvAll(pair.client))), "bye");
    assertEquals((await within(pair.client.recv(10))).length, 0);
  });

  Deno.test(`select (${engine} engine): a TLS socket is readable only when decrypted data or EOF waits`, async () => {
    using pair = await tlsPair(server(), client());
    // Post-handshake records (TLS 1.3 session tickets) make the raw connection readable, but
    // carry no application data: the TLS socket must not be reported readable for them.
    await sleep(50);
    assertEquals((await within(select([pair.client, pair.conn], [], [], 0.1)))[0], []);
    const [, writable] = await within(select([], [pair.client], [], 0));
    assertEquals(writable, [pair.client]);
    await pair.conn.sendall(bytes("data"));
    assertEquals((await within(select([pair.client], [], [], 5)))[0], [pair.client]);
    assertEquals(text(await pair.client.recv(10)), "data");
    assertEquals((await within(select([pair.client], [], [], 0.05)))[0], []);
    pair.conn.close();
    assertEquals((await within(select([pair.client], [], [], 5)))[0], [pair.client]);
    assertEquals((await pair.client.recv(10)).length, 0);
  });
}

// ---- handshake -----------------------------------------------------------------------------

for (const { engine, client } of ENGINES) {
  Deno.test(`handshake (${engine} engine): a timeout against a silent plain server is TimeoutError 'timed out' and closes the socket`, async () => {
    using silent = silentServer();
    const address = silent.getsockname() as [string, number];
    // wrapSocket on a connected socket, then doHandshake().
    const plain = await createConnection(address);
    plain.settimeout(0.2);
    const tls = await client().wrapSocket(plain, {
      serverHostname: "localhost",
      doHandshakeOnConnect: false,
    });
    const e = await rejects(() => tls.doHandshake(), TimeoutError);
    assertMatch(e.message, /timed out/);
    assertEquals(tls.fileno(), -1);
    assertEquals(tls.tlsEngine(), engine);
    // wrapSocket doing the handshake itself.
    const plain2 = await createConnection(address);
    plain2.settimeout(0.2);
    await rejects(
      () => client().wrapSocket(plain2, { serverHostname: "localhost" }),
      TimeoutError,
    );
    // connect() on a wrapped unconnected socket.
    const sock = socket();
    sock.settimeout(0.2);
    using wrapped = await client().wrapSocket(sock, { serverHostname: "localhost" });
    const e3 = await rejects(() => wrapped.connect(address), TimeoutError);
    assertMatch(e3.message, /timed out/);
    assertEquals(wrapped.fileno(), -1);
    // Accepted connections of the silent server: drain them so nothing stays open.
    silent.settimeout(1);
    for (let i = 0; i < 3; i++) (await within(silent.accept()))[0].close();
  });
}

Deno.test("handshake (node engine, server side): a silent client times the server's handshake out", async () => {
  using listener = createServer(["127.0.0.1", 0]);
  using silentClient = await createConnection(listener.getsockname() as [string, number]);
  const [plain] = await within(listener.accept());
  plain.settimeout(0.2);
  const e = await rejects(
    () => serverContext().wrapSocket(plain, { serverSide: true }),
    TimeoutError,
  );
  assertMatch(e.message, /timed out/);
  // The server closed the connection: the client sees EOF.
  assertEquals((await within(silentClient.recv(10))).length, 0);
});

Deno.test("handshake: a wrapped unconnected socket connects and handshakes in connect()", async () => {
  using server = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  using tls = await clientContext().wrapSocket(socket(), { serverHostname: "localhost" });
  const [conn] = await within(
    Promise.all([server.accept(), tls.connect(server.getsockname())]).then(([a]) => a),
  );
  using _conn = conn;
  assertFalse(tls.serverSide);
  assert(conn.serverSide);
  assertEquals(tls.serverHostname, "localhost");
  await tls.sendall(bytes("x"));
  assertEquals(text(await within(conn.recv(1))), "x");
});

Deno.test("handshake: doHandshakeOnConnect false waits for doHandshake(); getpeercert before it is ValueError", async () => {
  using server = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  const accepting = within(server.accept());
  const plain = await createConnection(server.getsockname() as [string, number]);
  using tls = await clientContext().wrapSocket(plain, {
    serverHostname: "localhost",
    doHandshakeOnConnect: false,
  });
  const e = assertThrows(() => tls.getpeercert(), ValueError);
  assertEquals(e.message, "handshake not done yet");
  assertEquals(tls.version(), null);
  assertEquals(tls.cipher(), null);
  assertEquals(tls.selectedAlpnProtocol(), null);
  await within(tls.doHandshake());
  const [conn] = await accepting;
  using _conn = conn;
  assert(tls.getpeercert() !== null);
  // Later calls return at once.
  await within(tls.doHandshake());
});

for (const { engine, server, client } of ENGINES) {
  Deno.test(`handshake (${engine} engine): a listener with doHandshakeOnConnect false hands out sockets that handshake in doHandshake()`, async () => {
    using listener = await server().wrapSocket(createServer(["127.0.0.1", 0]), {
      serverSide: true,
      doHandshakeOnConnect: false,
    });
    const address = listener.getsockname() as [string, number];
    const plain = await createConnection(address);
    const [conn] = await within(listener.accept());
    using _conn = conn;
    assertThrows(() => conn.getpeercert(), ValueError, "handshake not done yet");
    const [tls] = await within(
      Promise.all([
        client().wrapSocket(plain, { serverHostname: "localhost" }),
        conn.doHandshake(),
      ]),
    );
    using _tls = tls;
    assertEquals(conn.tlsEngine(), engine);
    await tls.sendall(bytes("late handshake"));
    assertEquals(text(await within(recvExactly(conn, 14))), "late handshake");
  });
}

Deno.test("handshake: getpeercert on an unconnected wrapped socket is OSError ENOTCONN", async () => {
  using tls = await clientContext().wrapSocket(socket(), { serverHostname: "localhost" });
  const e = assertThrows(() => tls.getpeercert(), OSError);
  assertEquals(e.errno, 107);
  await rejects(() => tls.doHandshake(), OSError);
});

// ---- verification ----------------------------------------------------------------------------

/** Asserts that `value` is an instance of `Class` and returns it, typed. */
// deno-lint-ignore no-explicit-any
function errorOf<E>(value: unknown, Class: new (...args: any[]) => E): E {
  assertInstanceOf(value, Class);
  return value as E;
}

/** Runs a handshake between the two contexts and returns each side's error (or null). */
async function handshakeErrors(
  serverCtx: SSLContext,
  clientCtx: SSLContext,
  serverHostname = "localhost",
): Promise<{ client: Error | null; server: Error | null; clientRead: Uint8Array | null }> {
  using server = await serverCtx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
  const accepting = within(server.accept()).then(([conn]) => {
    conn.close();
    return null;
  }, (e: Error) => e);
  const plain = await createConnection(server.getsockname() as [string, number]);
  let clientError: Error | null = null;
  let clientRead: Uint8Array | null = null;
  try {
    const tls = await within(clientCtx.wrapSocket(plain, { serverHostname }));
    // TLS 1.3: a client certificate the server refuses shows at the first read.
    try {
      clientRead = await within(tls.recv(1));
    } catch (e) {
      clientError = e as Error;
    } finally {
      tls.close();
    }
  } catch (e) {
    clientError = e as Error;
  }
  return { client: clientError, server: await accepting, clientRead };
}

Deno.test("verify: CertificateError is SSLCertVerificationError, an SSLError and an OSError", () => {
  assertStrictEquals(CertificateError, SSLCertVerificationError);
  const e = new CertificateError(1, "x");
  assertInstanceOf(e, SSLError);
  assertInstanceOf(e, OSError);
});

for (const { engine, client } of ENGINES) {
  Deno.test(`verify (${engine} engine): an expired certificate`, async () => {
    const e = errorOf(
      (await handshakeErrors(serverContext("expired"), client())).client,
      SSLCertVerificationError,
    );
    assertEquals(e.library, "SSL");
    assertEquals(e.reason, "CERTIFICATE_VERIFY_FAILED");
    if (engine === "deno") {
      assertEquals([e.verifyCode, e.verifyMessage], [10, "certificate has expired"]);
      assertEquals(
        e.message,
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired",
      );
    } else {
      // Deno's node:tls reports an expired leaf as UNABLE_TO_VERIFY_LEAF_SIGNATURE (CPython: 10).
      assertEquals([e.verifyCode, e.verifyMessage], [21, "unable to verify the first certificate"]);
    }
  });

  Deno.test(`verify (${engine} engine): a wrong host name is code 62 with CPython's message`, async () => {
    const e = errorOf(
      (await handshakeErrors(serverContext("wronghost"), client())).client,
      CertificateError,
    );
    assertEquals(e.verifyCode, 62);
    assertEquals(e.verifyMessage, "Hostname mismatch, certificate is not valid for 'localhost'.");
    assertEquals(
      e.message,
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, " +
        "certificate is not valid for 'localhost'.",
    );
  });

  Deno.test(`verify (${engine} engine): a self-signed certificate of an untrusted issuer`, async () => {
    const e = errorOf(
      (await handshakeErrors(serverContext("selfsigned"), client())).client,
      SSLCertVerificationError,
    );
    if (engine === "deno") {
      // rustls says only UnknownIssuer; CPython (OpenSSL) says 18 for a self-signed leaf.
      assertEquals([e.verifyCode, e.verifyMessage], [20, "unable to get local issuer certificate"]);
    } else {
      assertEquals([e.verifyCode, e.verifyMessage], [18, "self-signed certificate"]);
    }
  });

  Deno.test(`verify (${engine} engine): checkHostname off accepts the wrong host, verification stays on`, async () => {
    const ctx = client();
    ctx.checkHostname = false;
    using pair = await tlsPair(serverContext("wronghost"), ctx);
    assertEquals((pair.client.getpeercert() as ssl.PeerCertificate).subjectAltName, [[
      "DNS",
      "other.example",
    ]]);
    errorOf(
      (await handshakeErrors(serverContext("expired"), ctx)).client,
      SSLCertVerificationError,
    );
  });
}

Deno.test("verify: a client context with no CA loaded fails with code 20 as CPython's", async () => {
  const result = await handshakeErrors(serverContext(), new SSLContext(PROTOCOL_TLS_CLIENT));
  const e = errorOf(result.client, SSLCertVerificationError);
  assertEquals([e.verifyCode, e.verifyMessage], [20, "unable to get local issuer certificate"]);
  // The server sees the client's alert, named as OpenSSL names it.
  const server = errorOf(result.server, SSLError);
  assertEquals(server.message, "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca");
});

Deno.test("verify: the server sees an expired-certificate alert as CPython words it", async () => {
  const server = errorOf(
    (await handshakeErrors(serverContext("expired"), clientContext())).server,
    SSLError,
  );
  assertEquals(
    server.message,
    "[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired",
  );
  assertEquals(server.reason, "SSLV3_ALERT_CERTIFICATE_EXPIRED");
});

Deno.test("verify: a CERT_REQUIRED server refuses a client without a certificate, or with an untrusted one", async () => {
  const ctx = nodeServerContext();
  ctx.verifyMode = CERT_REQUIRED;
  const missing = await handshakeErrors(ctx, clientContext());
  const noCert = errorOf(missing.server, SSLError);
  assertEquals(
    noCert.message,
    "[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate",
  );
  // CPython's client gets the server's alert at its first read (TLSV13_ALERT_CERTIFICATE_REQUIRED);
  // node:tls's server just closes, so the client reads EOF (a ragged one, suppressed).
  assertEquals(missing.client, null);
  assertEquals(missing.clientRead?.length, 0);
  // A client certificate from another issuer is refused, as a verification error.
  const stranger = clientContext();
  stranger.loadCertChain(certPath("selfsigned.pem"), certPath("selfsigned.key"));
  const refused = await handshakeErrors(ctx, stranger);
  const untrusted = errorOf(refused.server, SSLCertVerificationError);
  // CPython (OpenSSL) says 18 "self-signed certificate"; Deno's node:tls says only this:
  assertEquals([untrusted.verifyCode, untrusted.verifyMessage], [
    21,
    "unable to verify the first certificate",
  ]);
  assertEquals(refused.clientRead?.length, 0);
  // With a trusted client certificate it works, and the server sees it.
  using pair = await tlsPair(ctx, nodeClientContext());
  const cert = pair.conn.getpeercert() as ssl.PeerCertificate;
  assertEquals(cert.subject, [[["commonName", "pynet test client"]]]);
});

Deno.test("verify: a TLS client talking to a plain server is SSLError WRONG_VERSION_NUMBER", async () => {
  using plainServer = createServer(["127.0.0.1", 0]);
  const answering = within(plainServer.accept()).then(async ([conn]) => {
    await conn.recv(65536);
    await conn.sendall(bytes("HTTP/1.0 400 Bad Request\r\n\r\n"));
    conn.close();
  });
  const plain = await createConnection(plainServer.getsockname() as [string, number]);
  const e = await rejects(
    () => clientContext().wrapSocket(plain, { serverHostname: "localhost" }),
    SSLError,
  );
  assertEquals(e.message, "[SSL: WRONG_VERSION_NUMBER] wrong version number");
  assertFalse(e instanceof SSLCertVerificationError);
  await answering;
});

Deno.test("verify: a plain client talking to our TLS server is SSLError WRONG_VERSION_NUMBER", async () => {
  // CPython says the same for non-HTTP bytes (for "GET / HTTP/1.0" it says HTTP_REQUEST).
  for (const ctx of [serverContext(), nodeServerContext()]) {
    using server = await ctx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
    const accepting = within(server.accept());
    using plain = await createConnection(server.getsockname() as [string, number]);
    await plain.sendall(bytes("hello there\n"));
    const e = await rejects(() => accepting, SSLError);
    assertEquals(e.message, "[SSL: WRONG_VERSION_NUMBER] wrong version number");
  }
});

Deno.test("verify: a server that drops the connection mid-handshake is SSLEOFError, no hang", async () => {
  for (const ctx of [clientContext(), nodeClientContext()]) {
    using plainServer = createServer(["127.0.0.1", 0]);
    const dropping = within(plainServer.accept()).then(async ([conn]) => {
      await conn.recv(65536); // the ClientHello, all of it: the close is a FIN, not a reset
      conn.close();
    });
    const plain = await createConnection(plainServer.getsockname() as [string, number]);
    const e = await rejects(
      () => ctx.wrapSocket(plain, { serverHostname: "localhost" }),
      SSLEOFError,
    );
    assertEquals(
      e.message,
      "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol",
    );
    await dropping;
  }
});

Deno.test("verify: a client that closes before the handshake is SSLEOFError on the server", async () => {
  for (const ctx of [serverContext(), nodeServerContext()]) {
    using server = await ctx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
    const accepting = within(server.accept());
    (await createConnection(server.getsockname() as [string, number])).close();
    const e = await rejects(() => accepting, SSLEOFError);
    assertEquals(e.errno, ssl.SSL_ERROR_EOF);
  }
});

// ---- certificates and session facts -------------------------------------------------------------

for (const { engine, server, client } of ENGINES) {
  Deno.test(`getpeercert (${engine} engine): the dictionary equals python3's for server.pem`, async () => {
    using pair = await tlsPair(server(), client());
    assertEquals(pair.client.getpeercert(), await pythonCertDict("server.pem"));
  });

  Deno.test(`getpeercert (${engine} engine): binaryForm is the DER of server.pem`, async () => {
    using pair = await tlsPair(server(), client());
    assertEquals(pair.client.getpeercert(true), ssl.pemCertToDerCert(certText("server.pem")));
  });
}

Deno.test("getpeercert: a CERT_NONE client gets {} but the DER; a server with no client cert gets null", async () => {
  using pair = await tlsPair(serverContext(), insecureClientContext());
  assertEquals(pair.client.getpeercert(), {});
  assertEquals(pair.client.getpeercert(true), ssl.pemCertToDerCert(certText("server.pem")));
  assertEquals(pair.conn.getpeercert(), null);
  using pair2 = await tlsPair(nodeServerContext(), clientContext());
  assertEquals(pair2.conn.getpeercert(), null);
});

Deno.test("getpeercert: a server asking for client certs sees the client's, as python3 shows it", async () => {
  using pair = await tlsPair(nodeServerContext(), nodeClientContext());
  assertEquals(pair.conn.getpeercert(), await pythonCertDict("client.pem"));
  assertEquals(pair.conn.getpeercert(true), ssl.pemCertToDerCert(certText("client.pem")));
});

Deno.test("cipher and version: the node engine names them as CPython (OpenSSL) does", async () => {
  const limited = clientContext();
  limited.maximumVersion = TLSVersion.TLSv1_2;
  using tls12 = await tlsPair(serverContext(), limited);
  assertEquals(tls12.client.version(), "TLSv1.2");
  assertEquals(tls12.client.cipher(), ["ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256]);
  using tls13 = await tlsPair(nodeServerContext(), nodeClientContext());
  assertEquals(tls13.client.version(), "TLSv1.3");
  assertEquals(tls13.conn.version(), "TLSv1.3");
  assertEquals(tls13.client.cipher(), ["TLS_AES_256_GCM_SHA384", "TLSv1.3", 256]);
  // Deno's own engine cannot tell (documented): null.
  using native = await tlsPair(serverContext(), clientContext());
  assertEquals([native.client.version(), native.client.cipher()], [null, null]);
});

// ---- methods TLS sockets refuse ---------------------------------------------------------------

Deno.test("recvfrom, recvfromInto and sendto on a connected SSLSocket are ValueError named for the method", async () => {
  using pair = await tlsPair(serverContext(), clientContext());
  const calls: [string, () => Promise<unknown>][] = [
    ["recvfrom", () => pair.client.recvfrom(10)],
    ["recvfrom_into", () => pair.client.recvfromInto(new Uint8Array(10))],
    ["sendto", () => pair.client.sendto(bytes("x"), ["127.0.0.1", 9])],
  ];
  for (const [name, call] of calls) {
    const e = await rejects(call, ValueError);
    assert(e.message.startsWith(`${name} not allowed on instances of `), e.message);
  }
});

Deno.test("read and write after close are ValueError 'Read/Write on closed or unwrapped SSL socket.'", async () => {
  const pair = await tlsPair(serverContext(), clientContext());
  pair[Symbol.dispose]();
  const read = await rejects(() => pair.client.read(10), ValueError);
  assertEquals(read.message, "Read on closed or unwrapped SSL socket.");
  const write = await rejects(() => pair.client.write(bytes("x")), ValueError);
  assertEquals(write.message, "Write on closed or unwrapped SSL socket.");
  assertEquals([pair.client.version(), pair.client.cipher()], [null, null]);
});

Deno.test("unwrap() is NotImplementedError", async () => {
  using pair = await tlsPair(serverContext(), clientContext());
  await rejects(() => pair.client.unwrap(), NotImplementedError);
});

// ---- ALPN ------------------------------------------------------------------------------------

// CPython's test_selected_alpn_protocol cases: the server's order wins; no overlap is no protocol.
const ALPN_CASES: [string[], string[], string | null][] = [
  [["foo", "bar"], ["foo", "bar", "milkshake"], "foo"],
  [["bar", "foo"], ["foo", "bar", "milkshake"], "foo"],
  [["milkshake"], ["foo", "bar", "milkshake"], "milkshake"],
];

for (const { engine, server, client } of ENGINES) {
  Deno.test(`ALPN (${engine} engine): the server's preference wins, as in CPython`, async () => {
    for (const [offered, served, expected] of ALPN_CASES) {
      const serverCtx = server();
      serverCtx.setAlpnProtocols(served);
      const clientCtx = client();
      clientCtx.setAlpnProtocols(offered);
      using pair = await tlsPair(serverCtx, clientCtx);
      assertEquals(pair.client.selectedAlpnProtocol(), expected, `${offered} vs ${served}`);
      assertEquals(pair.conn.selectedAlpnProtocol(), expected);
    }
  });

  Deno.test(`ALPN (${engine} engine): no ALPN configured gives null`, async () => {
    const clientCtx = client();
    clientCtx.setAlpnProtocols(["foo"]);
    using pair = await tlsPair(server(), clientCtx);
    assertEquals(pair.client.selectedAlpnProtocol(), null);
    assertEquals(pair.conn.selectedAlpnProtocol(), null);
  });
}

Deno.test("ALPN: with no common protocol the server refuses the handshake (CPython: None)", async () => {
  // Both of Deno's TLS servers (rustls) end the handshake where OpenSSL's (CPython's) goes on
  // without ALPN; the client sees the alert, or with node:tls's server an EOF.
  for (const { engine, server, client } of ENGINES) {
    const serverCtx = server();
    serverCtx.setAlpnProtocols(["http/3.0", "http/4.0"]);
    const clientCtx = client();
    clientCtx.setAlpnProtocols(["foo", "bar"]);
    const result = await handshakeErrors(serverCtx, clientCtx);
    assertEquals(errorOf(result.server, SSLError).reason, "NO_APPLICATION_PROTOCOL", engine);
    const clientError = errorOf(result.client, SSLError);
    if (engine === "deno") {
      assertEquals(clientError.reason, "TLSV1_ALERT_NO_APPLICATION_PROTOCOL");
    } else {
      assertInstanceOf(clientError, SSLEOFError);
    }
  }
});

// ---- selectors -------------------------------------------------------------------------------

Deno.test("selectors: a selector-driven TLS echo server serves several clients at once", async () => {
  const serverCtx = serverContext();
  using listener = await serverCtx.wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  listener.setblocking(false);
  const address = listener.getsockname() as [string, number];
  using selector = new DefaultSelector();
  selector.register(listener, EVENT_READ);
  const conns: SSLSocket[] = [];
  const CLIENTS = 5;
  let served = 0;
  let stop = false;
  const serving = (async () => {
    while (!stop) {
      for (const [key] of await selector.select(0.05)) {
        if (key.fileobj === listener) {
          const [conn] = await listener.accept();
          conn.setblocking(false);
          conns.push(conn);
          selector.register(conn, EVENT_READ);
          continue;
        }
        const conn = key.fileobj as SSLSocket;
        const data = await conn.recv(65536);
        if (data.length === 0) {
          selector.unregister(conn);
          conn.close();
          served++;
        } else {
          await conn.sendall(data);
        }
      }
    }
  })();
  try {
    const clients = Array.from({ length: CLIENTS }, async (_, i) => {
      const plain = await createConnection(address);
      using tls = await clientContext().wrapSocket(plain, { serverHostname: "localhost" });
      const message = pattern(100_000 + i);
      await tls.sendall(message);
      const echoed = await recvExactly(tls, message.length);
      return sameBytes(echoed, message);
    });
    assertEquals(await within(Promise.all(clients)), Array(CLIENTS).fill(true));
    const deadline = Date.now() + WAIT_MS;
    while (served < CLIENTS && Date.now() < deadline) await sleep(10);
    assertEquals(served, CLIENTS);
  } finally {
    stop = true;
    await within(serving);
    for (const conn of conns) conn.close();
  }
});

// ---- the old module function -----------------------------------------------------------------

Deno.test("module wrapSocket: no verification by default, CERT_REQUIRED with caCerts verifies", async () => {
  using server = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  const address = server.getsockname() as [string, number];
  for (const options of [{}, { certReqs: CERT_REQUIRED, caCerts: certPath("ca.pem") }]) {
    const accepting = within(server.accept());
    using tls = await within(ssl.wrapSocket(await createConnection(address), options));
    const [conn] = await accepting;
    using _conn = conn;
    await conn.sendall(bytes("legacy"));
    assertEquals(text(await within(recvExactly(tls, 6))), "legacy");
  }
});

Deno.test("SSLSocket is a Socket of type SOCK_STREAM", async () => {
  using pair = await tlsPair(serverContext(), clientContext());
  assertInstanceOf(pair.client, Socket);
  assertEquals(pair.client.type, SOCK_STREAM);
  assertEquals(pair.client.family, AF_INET);
  assertEquals(pair.client.getpeername(), pair.server.getsockname());
});

Deno.test("accept() on a wrapped listener gives SSLSockets whose peer is the client's address", async () => {
  for (const { engine, server, client } of ENGINES) {
    using pair = await tlsPair(server(), client());
    assertInstanceOf(pair.conn, SSLSocket, engine);
    assertEquals(pair.conn.getpeername(), pair.client.getsockname(), engine);
    assertEquals(pair.conn.getsockname(), pair.client.getpeername(), engine);
    assertEquals(pair.client.getpeername(), pair.server.getsockname(), engine);
  }
});

Deno.test("connectEx on a wrapped socket resolves to ECONNREFUSED for a closed port", async () => {
  const probe = createServer(["127.0.0.1", 0]);
  const address = probe.getsockname() as [string, number];
  probe.close();
  using tls = await clientContext().wrapSocket(socket(), { serverHostname: "localhost" });
  assertEquals(await within(tls.connectEx(address)), 111);
});

Deno.test("a client selected before its handshake still completes it (node engine reads through the pending read)", async () => {
  // The classic non-blocking pattern: wrap without the handshake, select, then handshake.
  // select() starts a read that cannot be taken back, so Deno.startTls is ruled out and
  // node:tls takes the connection, reading the server's first TLS bytes through that read.
  using server = await serverContext().wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  const accepting = within(server.accept());
  const plain = await within(createConnection(server.getsockname() as [string, number]));
  using client = await clientContext().wrapSocket(plain, {
    serverHostname: "localhost",
    doHandshakeOnConnect: false,
  });
  const [readable] = await within(select([client], [], [], 0.05));
  assertEquals(readable, []);
  await within(client.doHandshake());
  assertEquals(client.tlsEngine(), "node");
  const [conn] = await accepting;
  using _conn = conn;
  await client.sendall(bytes("after select"));
  assertEquals(text(await within(recvExactly(conn, 12))), "after select");
});
