// pynet loads with no permission and no unstable flag; whatever needs one fails with an error
// that names the flag to add, and never takes the process down. Each case runs in a child
// Deno with exactly the permissions it names.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runDeno } from "./_helpers.ts";

const root = new URL("../", import.meta.url);

/** What a child Deno did: its exit code and output. */
type Outcome = Awaited<ReturnType<typeof runDeno>>;

/**
 * Runs `body` (with `socket`, `select`, `selectors` and `report(error)` in scope) in a child
 * Deno with `flags` and no other permission (never prompting), killed after 30 s.
 */
function runChild(body: string, flags: string[] = []): Promise<Outcome> {
  return runDeno(
    `import * as socket from ${JSON.stringify(new URL("socket/mod.ts", root).href)};\n` +
      `import * as select from ${JSON.stringify(new URL("select/mod.ts", root).href)};\n` +
      `import * as selectors from ${JSON.stringify(new URL("selectors/mod.ts", root).href)};\n` +
      `void select; void selectors;\n` +
      `const report = (e: unknown) => console.log(JSON.stringify({ name: (e as Error).name, ` +
      `errno: (e as { errno?: number }).errno ?? null, message: (e as Error).message }));\n` +
      body,
    ["--no-prompt", "--no-lock", ...flags],
  );
}

function reported(outcome: Outcome): { name: string; errno: number | null; message: string } {
  assertEquals(outcome.code, 0, outcome.stderr);
  const line = outcome.stdout.trim().split("\n").at(-1)!;
  return JSON.parse(line);
}

Deno.test("every module loads with no permission and no unstable flag", async () => {
  const outcome = await runChild(`console.log(typeof socket.socket, socket.AF_INET);`);
  assertEquals(outcome.code, 0, outcome.stderr);
  assertEquals(outcome.stdout.trim(), "function 2");
});

Deno.test("listening without --allow-net raises PermissionError naming the flag", async () => {
  const error = reported(
    await runChild(`try { socket.createServer(["127.0.0.1", 0]); } catch (e) { report(e); }`),
  );
  assertEquals(error.name, "PermissionError");
  assertEquals(error.errno, 13);
  assertStringIncludes(error.message, "--allow-net=127.0.0.1");
});

Deno.test("connecting without --allow-net rejects with PermissionError naming host:port", async () => {
  const error = reported(
    await runChild(
      `const s = socket.socket();\n` +
        `try { await s.connect(["127.0.0.1", 9]); } catch (e) { report(e); } finally { s.close(); }`,
    ),
  );
  assertEquals(error.name, "PermissionError");
  assertStringIncludes(error.message, "--allow-net=127.0.0.1:9");
});

Deno.test("a Unix socket without file permissions names --allow-read or --allow-write", async () => {
  const error = reported(
    await runChild(
      `const s = socket.socket(socket.AF_UNIX);\n` +
        `try { s.bind("/tmp/pynet-permission-test.sock"); } catch (e) { report(e); } finally { s.close(); }`,
    ),
  );
  assertEquals(error.name, "PermissionError");
  assert(/--allow-(read|write)=/.test(error.message), error.message);
});

Deno.test("gethostname without --allow-sys names --allow-sys=hostname", async () => {
  const error = reported(
    await runChild(`try { socket.gethostname(); } catch (e) { report(e); }`),
  );
  assertEquals(error.name, "PermissionError");
  assertStringIncludes(error.message, "--allow-sys=hostname");
});

Deno.test("with the permission granted, the same server works", async () => {
  const outcome = await runChild(
    `const s = socket.createServer(["127.0.0.1", 0]);\n` +
      `console.log((s.getsockname() as [string, number])[1] > 0); s.close();`,
    ["--allow-net=127.0.0.1"],
  );
  assertEquals(outcome.code, 0, outcome.stderr);
  assertEquals(outcome.stdout.trim(), "true");
});

Deno.test("loading certificates without --allow-read raises PermissionError naming the flag", async () => {
  const certs = new URL("tests/certs/", root).pathname;
  const outcome = await runChild(
    `const ssl = await import(${JSON.stringify(new URL("ssl/mod.ts", root).href)});\n` +
      `const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);\n` +
      `const tries = [\n` +
      `  () => ctx.loadCertChain(${JSON.stringify(`${certs}server.pem`)}),\n` +
      `  () => ctx.loadVerifyLocations(${JSON.stringify(`${certs}ca.pem`)}),\n` +
      `  () => ctx.loadVerifyLocations(null, ${JSON.stringify(certs)}),\n` +
      `];\n` +
      `for (const t of tries) { try { t(); console.log("loaded"); } catch (e) { report(e); } }`,
  );
  assertEquals(outcome.code, 0, outcome.stderr);
  const errors = outcome.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assertEquals(errors.length, 3);
  for (const error of errors) {
    assertEquals([error.name, error.errno], ["PermissionError", 13]);
    assertStringIncludes(error.message, "--allow-read=");
  }
  assertStringIncludes(errors[0].message, `--allow-read=${certs}server.pem`);
  assertStringIncludes(errors[2].message, `--allow-read=${certs.replace(/\/$/, "")}`);
});

Deno.test("loading certificates from a missing file or a directory raises CPython's errors", async () => {
  const certs = new URL("tests/certs/", root).pathname;
  const outcome = await runChild(
    `const ssl = await import(${JSON.stringify(new URL("ssl/mod.ts", root).href)});\n` +
      `const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);\n` +
      `const tries = [\n` +
      `  () => ctx.loadCertChain(${JSON.stringify(`${certs}missing.pem`)}),\n` +
      `  () => ctx.loadCertChain(${JSON.stringify(certs)}),\n` +
      `  () => ctx.loadVerifyLocations(${JSON.stringify(`${certs}missing.pem`)}),\n` +
      `  () => ctx.loadVerifyLocations(${JSON.stringify(certs)}),\n` +
      `  () => ctx.loadVerifyLocations(null, ${JSON.stringify(`${certs}missing/`)}),\n` +
      `];\n` +
      `for (const t of tries) { try { t(); console.log(JSON.stringify({ name: "loaded" })); } ` +
      `catch (e) { report(e); } }`,
    [`--allow-read=${certs}`],
  );
  assertEquals(outcome.code, 0, outcome.stderr);
  const names = outcome.stdout.trim().split("\n").map((line) => {
    const { name, errno } = JSON.parse(line);
    return errno === undefined ? name : `${name} ${errno}`;
  });
  // As CPython 3.11: a missing capath is not an error (OpenSSL looks in it lazily).
  assertEquals(names, [
    "FileNotFoundError 2",
    "IsADirectoryError 21",
    "FileNotFoundError 2",
    "IsADirectoryError 21",
    "loaded",
  ]);
});
