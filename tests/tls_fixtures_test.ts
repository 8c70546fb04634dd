// Proves the TLS fixtures in tests/certs/ (made by tests/certs/make_certs.sh) work with real
// peers: Deno's rustls (Deno.listenTls / Deno.connectTls), CPython's ssl module (OpenSSL) and the
// openssl command. Good certificates must verify against ca.pem; expired.pem, wronghost.pem and
// selfsigned.pem must fail, each for its own reason, in both stacks.
//
// Loopback only, ports from the OS, every wait bounded, every child process awaited.
import { assert, assertEquals, assertInstanceOf, assertStringIncludes } from "@std/assert";
import { WAIT_MS, within } from "./_helpers.ts";

const CERTS = new URL("./certs/", import.meta.url);

/** The path of a fixture file, for child processes. */
function certPath(name: string): string {
  return new URL(name, CERTS).pathname;
}

/** The text of a fixture file. */
function readCert(name: string): Promise<string> {
  return Deno.readTextFile(new URL(name, CERTS));
}

/** The error `promise` rejects with (within the bounded wait); fails if it resolves. */
async function rejection(promise: Promise<unknown>, what: string): Promise<Error> {
  try {
    await within(promise, WAIT_MS, what);
  } catch (e) {
    if (!(e instanceof Error) || e.message.includes("did not finish in")) throw e;
    return e;
  }
  throw new Error(`${what} succeeded, but should have failed`);
}

/** Closes a conn or listener, ignoring "already closed". */
function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch (e) {
    if (!(e instanceof Deno.errors.BadResource)) throw e;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes all of `text`. */
async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const data = encoder.encode(text);
  for (let off = 0; off < data.length;) off += await within(conn.write(data.subarray(off)));
}

/** Reads exactly `n` bytes as text, or fails on EOF or after the bounded wait. */
async function readExactly(conn: Deno.Conn, n: number): Promise<string> {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await within(conn.read(buf.subarray(got)), WAIT_MS, "read");
    if (r === null) throw new Error(`EOF after ${got} of ${n} bytes`);
    got += r;
  }
  return decoder.decode(buf);
}

/** Reads until EOF; an unclean end (no close_notify, reset) counts as EOF too. */
async function readToEnd(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(1024);
  try {
    while ((await within(conn.read(buf), WAIT_MS, "read to EOF")) !== null) {
      // Discard.
    }
  } catch (e) {
    if (
      !(e instanceof Deno.errors.UnexpectedEof) && !(e instanceof Deno.errors.ConnectionReset)
    ) throw e;
  }
}

/** A Deno.listenTls listener on loopback (port from the OS) using the fixture `name`.pem/key. */
async function listenWith(
  name: string,
  hostname = "127.0.0.1",
  certFile = `${name}.pem`,
): Promise<Deno.TlsListener> {
  return Deno.listenTls({
    hostname,
    port: 0,
    cert: await readCert(certFile),
    key: await readCert(`${name}.key`),
  });
}

/**
 * Serves one connection on `listener`: handshake, read "ping", answer "PONG", wait for the
 * client to finish. Resolves with the server-side handshake error, or null when all went well.
 */
async function serveOnce(listener: Deno.TlsListener): Promise<Error | null> {
  const conn = await within(listener.accept(), WAIT_MS, "accept");
  try {
    try {
      await within(conn.handshake(), WAIT_MS, "server handshake");
    } catch (e) {
      if (!(e instanceof Error) || e.message.includes("did not finish in")) throw e;
      return e;
    }
    assertEquals(await readExactly(conn, 4), "ping");
    await writeAll(conn, "PONG");
    await readToEnd(conn);
    return null;
  } finally {
    closeQuietly(conn);
  }
}

/** A Deno.connectTls client trusting only ca.pem: handshake, "ping" -> "PONG". */
async function pingAsClient(port: number, hostname: string): Promise<void> {
  const conn = await within(
    Deno.connectTls({ hostname, port, caCerts: [await readCert("ca.pem")] }),
    WAIT_MS,
    "connectTls",
  );
  try {
    const hs = await within(conn.handshake(), WAIT_MS, "client handshake");
    assertEquals(hs.alpnProtocol, null);
    await writeAll(conn, "ping");
    assertEquals(await readExactly(conn, 4), "PONG");
  } finally {
    closeQuietly(conn);
  }
}

/** A running child process whose stdout is read line by line; kill it with dispose. */
class Child implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #stderr: Promise<string>;
  readonly #status: Promise<Deno.CommandStatus>;
  #exited = false;
  #pending = "";

  constructor(command: string, args: string[]) {
    this.#child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#stderr = new Response(this.#child.stderr).text();
    this.#status = this.#child.status.then((s) => {
      this.#exited = true;
      return s;
    });
  }

  /** A python3 child running `script` with `args` (unbuffered output). */
  static python(script: string, args: string[]): Child {
    return new Child("python3", ["-u", "-c", script, ...args]);
  }

  /** The next line of stdout, within the bounded wait. */
  async line(): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("child printed no line in time");
      const { value, done } = await within(this.#reader.read(), left, "child output");
      if (done) throw new Error(`child exited before printing a line: ${await this.#stderr}`);
      this.#pending += value;
    }
  }

  /** Waits (bounded) for the exit; returns the code, the unread stdout and stderr. */
  async finish(): Promise<{ code: number; rest: string; stderr: string }> {
    let rest = this.#pending;
    this.#pending = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) return;
        rest += value;
      }
    })();
    const { code } = await within(this.#status, WAIT_MS, "child exit");
    await within(reading, WAIT_MS, "child stdout");
    return { code, rest, stderr: await within(this.#stderr, WAIT_MS, "child stderr") };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It exited in the meantime.
      }
    }
    await within(this.#status, WAIT_MS, "killed child exit");
    try {
      for (;;) if ((await within(this.#reader.read(), WAIT_MS, "drain")).done) break;
    } catch {
      // The pipe broke as the child died.
    }
    await within(this.#stderr.catch(() => ""), WAIT_MS, "child stderr");
  }
}

/** Runs `command args` to completion (bounded); returns its code and combined output. */
async function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  await using child = new Child(command, args);
  const { code, rest, stderr } = await child.finish();
  return { code, output: rest + stderr };
}

/**
 * python3 TLS server: loads argv[1] (cert) and argv[2] (key, may be "-" when the cert file
 * holds it too); argv[3], when given, is a CA file that client certificates must chain to.
 * Prints its port, serves one client (reads 4 bytes, answers "PONG", waits for the client to
 * close), then prints "<version> <client CN or -> <data>".
 */
const PY_TLS_SERVER = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], None if sys.argv[2] == "-" else sys.argv[2])
if len(sys.argv) > 3:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(sys.argv[3])
srv = socket.create_server(("127.0.0.1", 0))
srv.settimeout(10)
print(srv.getsockname()[1], flush=True)
raw, _ = srv.accept()
raw.settimeout(10)
with ctx.wrap_socket(raw, server_side=True) as conn:
    peer = conn.getpeercert()
    cn = dict(x[0] for x in peer["subject"])["commonName"] if peer else "-"
    data = b""
    while len(data) < 4:
        piece = conn.recv(4 - len(data))
        if not piece:
            break
        data += piece
    conn.sendall(b"PONG")
    try:
        while conn.recv(1024):
            pass
    except (ssl.SSLError, OSError):
        pass
    print(conn.version(), cn, data.decode(), flush=True)
srv.close()
`;

/**
 * python3 TLS client: connects to 127.0.0.1:argv[1], verifying with cafile=argv[2] and
 * server_hostname=argv[3] (ssl.create_default_context: CERT_REQUIRED, check_hostname). Prints
 * "ok <version> <reply>" or "verify_error <verify_code> <verify_message>".
 */
const PY_TLS_CLIENT = `
import socket, ssl, sys
port, cafile, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
try:
    with ctx.wrap_socket(raw, server_hostname=name) as conn:
        conn.sendall(b"ping")
        data = b""
        while len(data) < 4:
            piece = conn.recv(4 - len(data))
            if not piece:
                break
            data += piece
        print("ok", conn.version(), data.decode(), flush=True)
except ssl.SSLCertVerificationError as e:
    print("verify_error", e.verify_code, e.verify_message, flush=True)
finally:
    raw.close()
`;

// (a) Deno server, Deno client.

Deno.test("Deno.listenTls(server.pem) + Deno.connectTls(caCerts=[ca.pem]) as localhost", async () => {
  const listener = await listenWith("server");
  try {
    const serving = serveOnce(listener);
    await pingAsClient(listener.addr.port, "localhost");
    assertEquals(await within(serving), null);
  } finally {
    closeQuietly(listener);
  }
});

Deno.test("server.pem's IP SANs verify: 127.0.0.1 and ::1", async () => {
  for (const host of ["127.0.0.1", "::1"]) {
    const listener = await listenWith("server", host);
    try {
      const serving = serveOnce(listener);
      await pingAsClient(listener.addr.port, host);
      assertEquals(await within(serving), null, host);
    } finally {
      closeQuietly(listener);
    }
  }
});

Deno.test("server_chain.pem (leaf + CA) works as a Deno.listenTls cert chain", async () => {
  const listener = await listenWith("server", "127.0.0.1", "server_chain.pem");
  try {
    const serving = serveOnce(listener);
    await pingAsClient(listener.addr.port, "localhost");
    assertEquals(await within(serving), null);
  } finally {
    closeQuietly(listener);
  }
});

// (b) python3 server, Deno client.

Deno.test("a python3 ssl server with server.pem accepts Deno.connectTls(caCerts)", async () => {
  await using py = Child.python(PY_TLS_SERVER, [certPath("server.pem"), certPath("server.key")]);
  const port = Number(await py.line());
  await pingAsClient(port, "localhost");
  const { code, rest, stderr } = await py.finish();
  assertEquals(code, 0, stderr);
  assertEquals(rest.trim(), "TLSv1.3 - ping");
});

Deno.test("python3 load_cert_chain takes server_combined.pem and encrypted.key + password", async () => {
  await using py = Child.python(PY_TLS_SERVER, [certPath("server_combined.pem"), "-"]);
  const port = Number(await py.line());
  await pingAsClient(port, "localhost");
  const { code, rest, stderr } = await py.finish();
  assertEquals(code, 0, stderr);
  assertEquals(rest.trim(), "TLSv1.3 - ping");

  const { code: loadCode, output } = await run("python3", [
    "-c",
    `
import ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2], password="pynet-password")
try:
    ctx.load_cert_chain(sys.argv[1], sys.argv[2], password="wrong")
    print("wrong password accepted")
except ssl.SSLError:
    print("wrong password rejected")
`,
    certPath("server.pem"),
    certPath("encrypted.key"),
  ]);
  assertEquals(loadCode, 0, output);
  assertEquals(output.trim(), "wrong password rejected");
});

Deno.test("client.pem authenticates Deno.connectTls to a python3 server requiring ca.pem", async () => {
  await using py = Child.python(PY_TLS_SERVER, [
    certPath("server.pem"),
    certPath("server.key"),
    certPath("ca.pem"),
  ]);
  const port = Number(await py.line());
  const conn = await within(
    Deno.connectTls({
      hostname: "localhost",
      port,
      caCerts: [await readCert("ca.pem")],
      cert: await readCert("client.pem"),
      key: await readCert("client.key"),
    }),
  );
  try {
    await within(conn.handshake());
    await writeAll(conn, "ping");
    assertEquals(await readExactly(conn, 4), "PONG");
  } finally {
    closeQuietly(conn);
  }
  const { code, rest, stderr } = await py.finish();
  assertEquals(code, 0, stderr);
  assertEquals(rest.trim(), "TLSv1.3 pynet test client ping");
});

// (c) Deno client rejects the bad certificates.

for (
  const [name, expected, serverSees] of [
    ["expired", "expired", "CertificateExpired"],
    ["wronghost", "not valid for name", "BadCertificate"],
    ["selfsigned", "UnknownIssuer", "UnknownCA"],
  ] as const
) {
  Deno.test(`Deno.connectTls rejects ${name}.pem: "${expected}"`, async () => {
    const listener = await listenWith(name);
    try {
      const serving = serveOnce(listener);
      const conn = await within(
        Deno.connectTls({
          hostname: "localhost",
          port: listener.addr.port,
          caCerts: [await readCert("ca.pem")],
        }),
      );
      let error: Error;
      try {
        error = await rejection(conn.handshake(), "client handshake");
      } finally {
        closeQuietly(conn);
      }
      assertInstanceOf(error, Deno.errors.InvalidData);
      assertStringIncludes(error.message, "invalid peer certificate");
      assertStringIncludes(error.message, expected);
      const serverError = await within(serving);
      if (serverError === null) throw new Error("the server's handshake succeeded");
      assertStringIncludes(serverError.message, serverSees);
    } finally {
      closeQuietly(listener);
    }
  });
}

// (d) python3 client against Deno servers.

for (
  const [name, expected] of [
    ["server", "ok TLSv1.3 PONG"],
    ["expired", "verify_error 10 certificate has expired"],
    ["wronghost", "verify_error 62 Hostname mismatch, certificate is not valid for 'localhost'."],
    ["selfsigned", "verify_error 18 self-signed certificate"],
  ] as const
) {
  Deno.test(`python3 ssl (cafile=ca.pem) against Deno.listenTls(${name}.pem)`, async () => {
    const listener = await listenWith(name);
    try {
      const serving = serveOnce(listener);
      await using py = Child.python(PY_TLS_CLIENT, [
        String(listener.addr.port),
        certPath("ca.pem"),
        "localhost",
      ]);
      const { code, rest, stderr } = await py.finish();
      assertEquals(code, 0, stderr);
      assertEquals(rest.trim(), expected);
      const serverError = await within(serving);
      if (name === "server") assertEquals(serverError, null);
      else assert(serverError !== null, "the server's handshake succeeded");
    } finally {
      closeQuietly(listener);
    }
  });
}

// (e) openssl's own view of the fixtures.

Deno.test("openssl verify: server.pem and client.pem chain to ca.pem", async () => {
  const { code, output } = await run("openssl", [
    "verify",
    "-CAfile",
    certPath("ca.pem"),
    certPath("server.pem"),
    certPath("client.pem"),
    certPath("wronghost.pem"),
  ]);
  assertEquals(code, 0, output);
  for (const name of ["server", "client", "wronghost"]) {
    assertStringIncludes(output, `${certPath(`${name}.pem`)}: OK`);
  }
});

Deno.test("openssl verify: purposes match (sslserver / sslclient)", async () => {
  for (const [name, purpose] of [["server", "sslserver"], ["client", "sslclient"]] as const) {
    const { code, output } = await run("openssl", [
      "verify",
      "-CAfile",
      certPath("ca.pem"),
      "-purpose",
      purpose,
      certPath(`${name}.pem`),
    ]);
    assertEquals(code, 0, output);
  }
  const wrong = await run("openssl", [
    "verify",
    "-CAfile",
    certPath("ca.pem"),
    "-purpose",
    "sslserver",
    certPath("client.pem"),
  ]);
  assert(wrong.code !== 0, "client.pem verified for sslserver");
});

Deno.test("openssl verify: expired.pem has expired, selfsigned.pem is untrusted", async () => {
  const expired = await run("openssl", [
    "verify",
    "-CAfile",
    certPath("ca.pem"),
    certPath("expired.pem"),
  ]);
  assert(expired.code !== 0, expired.output);
  assertStringIncludes(expired.output, "certificate has expired");
  const selfsigned = await run("openssl", [
    "verify",
    "-CAfile",
    certPath("ca.pem"),
    certPath("selfsigned.pem"),
  ]);
  assert(selfsigned.code !== 0, selfsigned.output);
  assertStringIncludes(selfsigned.output, "self-signed certificate");
});

Deno.test("fixture shapes: leaves are CA:FALSE, ca.pem is CA:TRUE, validity dates", async () => {
  const x509 = async (name: string, ...fields: string[]) => {
    const { code, output } = await run("openssl", [
      "x509",
      "-in",
      certPath(`${name}.pem`),
      "-noout",
      ...fields,
    ]);
    assertEquals(code, 0, output);
    return output;
  };
  assertStringIncludes(await x509("ca", "-ext", "basicConstraints"), "CA:TRUE");
  assertStringIncludes(await x509("ca", "-subject"), "CN = pynet test CA");
  for (const name of ["server", "client", "expired", "wronghost", "selfsigned"]) {
    const bc = await x509(name, "-ext", "basicConstraints");
    assertStringIncludes(bc, "critical");
    assertStringIncludes(bc, "CA:FALSE");
  }
  for (const name of ["ca", "server", "client", "wronghost", "selfsigned"]) {
    const dates = await x509(name, "-dates");
    assertStringIncludes(dates, "notBefore=Jan  1 00:00:00 2025 GMT", name);
    assertStringIncludes(dates, "notAfter=Jan  1 00:00:00 2125 GMT", name);
  }
  const expiredDates = await x509("expired", "-dates");
  assertStringIncludes(expiredDates, "notBefore=Jan  1 00:00:00 2020 GMT");
  assertStringIncludes(expiredDates, "notAfter=Feb  1 00:00:00 2020 GMT");
  assertStringIncludes(
    await x509("server", "-ext", "subjectAltName"),
    "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
  );
  assertStringIncludes(await x509("wronghost", "-ext", "subjectAltName"), "DNS:other.example");
  assertStringIncludes(await x509("client", "-subject"), "CN = pynet test client");
});
