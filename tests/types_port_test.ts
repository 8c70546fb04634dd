// Type-level tests: faithful ports of Python programs type-check with no cast and no `!`
// (tests/_types_port_fixture.ts), wrong uses do not, and the ports work against python3.
import { assert, assertEquals } from "@std/assert";
import { createServer } from "../socket/mod.ts";
import { startPython, within } from "./_helpers.ts";
import { selectorsEchoServer, udpEchoServer, udpServer } from "./_types_port_fixture.ts";

const FIXTURE = new URL("./_types_port_fixture.ts", import.meta.url);
const ROOT = new URL("../", import.meta.url);

Deno.test("the ports hold no `as` cast and no non-null `!`", async () => {
  const code = (await Deno.readTextFile(FIXTURE))
    .replace(/\/\/.*$/gm, "")
    .replace(/\/\*[\s\S]*?\*\//g, "");
  assertEquals(code.match(/\bas\s+[\w{[(]/g), null, "an `as` cast");
  assertEquals(code.match(/[\w)\]]!(?!=)/g), null, "a non-null assertion");
});

Deno.test("deno check passes the ports and refuses each wrong use", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["check", "--import-map=import_map.json", FIXTURE.pathname],
    cwd: ROOT.pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [status, out, err] = await within(
    Promise.all([
      child.status,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]),
    120_000,
    "deno check",
  );
  assertEquals(status.code, 0, out + err);
  // The wrong uses are `@ts-expect-error` lines: an unused directive would fail the check.
  const source = await Deno.readTextFile(FIXTURE);
  assertEquals(source.match(/^\s*\/\/ @ts-expect-error/gm)?.length, 5);
});

const PY_TCP_CLIENTS = `
import socket, sys
port = int(sys.argv[1])
for i in range(2):
    with socket.create_connection(("127.0.0.1", port)) as s:
        msg = b"hello %d" % i
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            got += s.recv(1024)
        print(got.decode())
`;

Deno.test("the selectors docs' echo server, ported without casts, echoes python3's clients", async () => {
  using server = createServer(["127.0.0.1", 0]);
  const serving = selectorsEchoServer(server, 2);
  await using peer = startPython(PY_TCP_CLIENTS, [String(server.getsockname()[1])]);
  assertEquals(await peer.readLine(), "hello 0");
  assertEquals(await peer.readLine(), "hello 1");
  assertEquals((await peer.finish()).code, 0);
  await within(serving);
});

const PY_UDP_CLIENT = `
import socket, sys
port = int(sys.argv[1])
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    for msg in (b"one", b"two"):
        s.sendto(msg, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
        print(data.decode())
`;

Deno.test("the UDP echo loop, ported without `address!`, echoes python3's datagrams", async () => {
  using sock = udpServer();
  const serving = udpEchoServer(sock, 2);
  await using peer = startPython(PY_UDP_CLIENT, [String(sock.getsockname()[1])]);
  const port = Number(await peer.readLine());
  assertEquals(await peer.readLine(), "one");
  assertEquals(await peer.readLine(), "two");
  assertEquals((await peer.finish()).code, 0);
  const senders = await within(serving);
  assert(senders.every((a) => Array.isArray(a) && a[1] === port), JSON.stringify(senders));
});
