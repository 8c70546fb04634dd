// Servers under hostile clients, on loopback: a client that resets its connection, one that
// never speaks or never reads, a flood of connections. A hostile client costs its own
// connection, never the server: a well-behaved client is served throughout. Every flood is
// counted, not timed.
import { assert, assertEquals } from "@std/assert";
import { startPython, within } from "./_helpers.ts";

const CERTS = new URL("./certs/", import.meta.url).pathname;

/** A running example: its port, its exit, its output so far. */
interface RunningExample extends AsyncDisposable {
  port: string;
  /** Waits for the example to exit by itself, and returns its code and whole output. */
  exit(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts `deno run` of an example and waits for its `port <n>` line. */
async function startExample(
  file: string,
  flags: string[],
  args: string[],
): Promise<RunningExample> {
  const example = new URL(`../examples/${file}`, import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", ...flags, example, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const errors = new Response(child.stderr).text();
  let seen = "";
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const drain = async () => {
    for (;;) {
      const { value, done } = await output.read();
      if (done) return;
      seen += value;
    }
  };
  const kill = async () => {
    if (!exited) child.kill("SIGKILL");
    await status;
    await drain();
    await errors;
  };
  try {
    while (!seen.includes("\n")) {
      const { value, done } = await within(output.read(), 30_000, "port line");
      if (done) throw new Error(`the example exited: ${await errors}`);
      seen += value;
    }
  } catch (e) {
    await kill();
    throw e;
  }
  const port = /^port (\d+)\n/.exec(seen)?.[1] ?? "";
  return {
    port,
    async exit() {
      const { code } = await within(status, 30_000, `${file} exit`);
      await drain();
      return { code, stdout: seen, stderr: await errors };
    },
    [Symbol.asyncDispose]: kill,
  };
}

// `count` CPython clients connect and reset (SO_LINGER 0), then one well-behaved client
// (TLS when a CA file is given) sends a message and checks the echo.
const RESETS_THEN_ECHO = `
import socket, ssl, struct, sys
port, count, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
message = b"well-behaved " * 100
s = socket.create_connection(("127.0.0.1", port), timeout=20)
if cafile:
    s = ssl.create_default_context(cafile=cafile).wrap_socket(s, server_hostname="localhost")
s.sendall(message)
if not cafile:
    s.shutdown(socket.SHUT_WR)
got = b""
while len(got) < len(message):
    data = s.recv(65536)
    if not data:
        break
    got += data
s.close()
print("echo", "ok" if got == message else "bad")
`;

Deno.test("examples/select_echo_server.ts survives 20 clients that connect and reset", async () => {
  await using example = await startExample("select_echo_server.ts", ["--allow-net=127.0.0.1"], [
    "--clients",
    "1",
  ]);
  assert(example.port, "no port line");
  await using py = startPython(RESETS_THEN_ECHO, [example.port, "20", ""]);
  assertEquals(await py.readLine(30_000), "echo ok");
  const { code, stdout, stderr } = await example.exit();
  assertEquals(code, 0, stderr);
  assertEquals(stdout.split("\n").filter((line) => line.startsWith("closing ")).length, 1);
});

Deno.test("examples/ssl_selectors_server.ts survives 20 clients that connect and reset", async () => {
  await using example = await startExample(
    "ssl_selectors_server.ts",
    ["--allow-net=127.0.0.1", `--allow-read=${CERTS}`],
    ["--clients", "1"],
  );
  assert(example.port, "no port line");
  await using py = startPython(RESETS_THEN_ECHO, [example.port, "20", `${CERTS}ca.pem`]);
  assertEquals(await py.readLine(30_000), "echo ok");
  const { code, stdout, stderr } = await example.exit();
  assertEquals(code, 0, stderr);
  assertEquals(stdout.split("\n").filter((line) => line.startsWith("handshake done")).length, 1);
});
