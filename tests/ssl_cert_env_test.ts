// SSL_CERT_FILE / SSL_CERT_DIR: CPython (through OpenSSL) trusts the CAs they name in
// create_default_context(); so does pynet when --allow-env lets it read them. Each case runs a
// child `deno run` whose environment holds only what the case sets.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { startPython, within } from "./_helpers.ts";
import { certPath } from "./_ssl_helpers.ts";

const ROOT = new URL("../", import.meta.url);

/** The child: a TLS server with the CA-signed certificate, and a createDefaultContext() client. */
const CHILD = `
import { createServer } from "${new URL("socket/mod.ts", ROOT).href}";
import { createDefaultContext, PROTOCOL_TLS_SERVER, SSLContext } from "${
  new URL("ssl/mod.ts", ROOT).href
}";
const port = Number(Deno.args[0] ?? 0);
let server = null;
if (port === 0) {
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.loadCertChain("${certPath("server.pem")}", "${certPath("server.key")}");
  server = await sctx.wrapSocket(createServer(["127.0.0.1", 0]), { serverSide: true });
}
const target = server ? server.getsockname()[1] : port;
const serving = server ? server.accept().then(([c]) => c.close(), () => {}) : null;
const ctx = createDefaultContext();
console.log("cas", ctx.getCaCerts().length);
const { createConnection } = await import("${new URL("socket/mod.ts", ROOT).href}");
const sock = await createConnection(["127.0.0.1", target]);
try {
  const tls = await ctx.wrapSocket(sock, { serverHostname: "localhost" });
  console.log("verified");
  tls.close();
} catch (e) {
  console.log(e.name);
  sock.close();
}
server?.close();
await serving;
`;

async function runChild(
  env: Record<string, string>,
  allowEnv: boolean,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pynet-certenv-" });
  try {
    const file = `${dir}/child.ts`;
    await Deno.writeTextFile(file, CHILD);
    const home = Deno.env.get("HOME");
    const denoDir = Deno.env.get("DENO_DIR");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        "--allow-net=127.0.0.1",
        `--allow-read=${certPath("")}`,
        ...(allowEnv ? ["--allow-env"] : []),
        file,
        ...args,
      ],
      clearEnv: true,
      env: {
        NO_COLOR: "1",
        ...(home ? { HOME: home } : {}),
        ...(denoDir ? { DENO_DIR: denoDir } : {}),
        ...env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const [status, stdout, stderr] = await within(
      Promise.all([
        child.status,
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
      ]),
      60_000,
      "deno run",
    );
    return { code: status.code, stdout, stderr };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What python3's create_default_context() lists under the same SSL_CERT_FILE (the oracle). */
const PY_CERT_ENV = `
import ssl
print("cas", len(ssl.create_default_context().get_ca_certs()))
`;

Deno.test("SSL_CERT_FILE makes createDefaultContext() trust the test CA, as CPython's", async () => {
  const { code, stdout, stderr } = await runChild({ SSL_CERT_FILE: certPath("ca.pem") }, true);
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "cas 1\nverified\n");
  const saved = Deno.env.get("SSL_CERT_FILE");
  Deno.env.set("SSL_CERT_FILE", certPath("ca.pem"));
  try {
    await using peer = startPython(PY_CERT_ENV);
    assertEquals(await peer.readLine(), stdout.split("\n")[0]);
  } finally {
    if (saved === undefined) Deno.env.delete("SSL_CERT_FILE");
    else Deno.env.set("SSL_CERT_FILE", saved);
  }
});

Deno.test("SSL_CERT_DIR makes createDefaultContext() trust the CA files in it", async () => {
  const { code, stdout, stderr } = await runChild(
    { SSL_CERT_DIR: `${certPath("missing")}:${certPath("")}` },
    true,
  );
  assertEquals(code, 0, stderr);
  // tests/certs holds the CA and the leaf certificates; the CA is what verifies the server.
  assertStringIncludes(stdout, "verified\n");
});

Deno.test("without SSL_CERT_FILE, or without --allow-env, verification fails", async () => {
  const unset = await runChild({}, true);
  assertEquals(unset.code, 0, unset.stderr);
  assertEquals(unset.stdout, "cas 0\nSSLCertVerificationError\n");
  const noPermission = await runChild({ SSL_CERT_FILE: certPath("ca.pem") }, false);
  assertEquals(noPermission.code, 0, noPermission.stderr);
  assertEquals(noPermission.stdout, "cas 0\nSSLCertVerificationError\n");
});

Deno.test("a missing SSL_CERT_FILE is ignored, as OpenSSL ignores it", async () => {
  const { code, stdout, stderr } = await runChild({ SSL_CERT_FILE: certPath("missing.pem") }, true);
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "cas 0\nSSLCertVerificationError\n");
});

Deno.test("an SSL_CERT_FILE that --allow-read does not grant raises PermissionError naming the flag", async () => {
  const { code, stderr } = await runChild({ SSL_CERT_FILE: "/etc/hostname" }, true);
  assertEquals(code, 1);
  assertStringIncludes(stderr, "PermissionError");
  assertStringIncludes(stderr, "--allow-read=/etc/hostname");
});
