// The asyncore and asynchat examples run to their end, by themselves (--demo) and against
// python3 peers; where an example carries its Python original in its header, that original is
// run too, and a pynet port must answer a python3 client exactly as the original does.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { runDenoFile, startPython, within } from "./_helpers.ts";

const ECHO = new URL("../examples/asyncore_echo.ts", import.meta.url).pathname;
const CHAT = new URL("../examples/asynchat_chat_server.ts", import.meta.url).pathname;
const CACHE = new URL("../examples/asynchat_cache_server.ts", import.meta.url).pathname;
const NET = ["--allow-net=127.0.0.1"];
const RUN_MS = 60_000;

/** The Python original in an example's header comment (its ```python block), runnable. */
async function pythonOriginal(file: string): Promise<string> {
  const source = await Deno.readTextFile(file);
  const block = /^ \* ```python\n([\s\S]*?)^ \* ```$/m.exec(source);
  if (!block) throw new Error(`${file} has no Python original in its header`);
  return block[1]!.split("\n").map((line) => line.replace(/^ \*( |$)/, "")).join("\n");
}

/** The port in a server's first line, `port <number>`. */
function portIn(line: string): string {
  const port = /^port (\d+)$/.exec(line)?.[1];
  if (!port) throw new Error(`not a port line: ${line}`);
  return port;
}

/** An example started as a server: its port, and its end (exit code and whole stdout). */
interface RunningExample extends AsyncDisposable {
  readonly port: number;
  finish(): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function startExample(file: string, args: string[]): Promise<RunningExample> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", ...NET, file, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const readMore = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (!done) stdout += value;
    return !done;
  };
  const drain = async () => {
    while (await readMore()) {
      // Everything the example prints, until it exits.
    }
  };
  const portLine = /^port (\d+)\n/;
  try {
    await within(
      (async () => {
        while (!portLine.test(stdout)) {
          if (!(await readMore())) throw new Error(`${file} exited before printing its port`);
        }
      })(),
      RUN_MS,
      `${file} port line`,
    );
  } catch (e) {
    child.kill("SIGKILL");
    await drain();
    await child.status;
    throw new Error(`${(e as Error).message}: ${await stderr}`);
  }
  const rest = drain();
  return {
    port: Number(portLine.exec(stdout)![1]),
    async finish() {
      const { code } = await within(child.status, RUN_MS, `${file} exit`);
      await rest;
      return { code, stdout, stderr: await stderr };
    },
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited already.
      }
      await child.status;
      await rest;
      await stderr;
    },
  };
}

// ---------------------------------------------------------------- asyncore echo

Deno.test("examples/asyncore_echo.ts: --demo echoes for its own two clients and exits 0", async () => {
  const { code, stdout, stderr } = await runDenoFile(ECHO, NET, ["--demo"], RUN_MS);
  assertEquals(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assertMatch(lines[0]!, /^port \d+$/);
  assertEquals(
    lines.filter((line) => /^Incoming connection from \('127\.0\.0\.1', \d+\)$/.test(line)).length,
    2,
  );
  assertEquals(lines.filter((line) => line.startsWith("echoed: ")).sort(), [
    "echoed: and the second",
    "echoed: hello from the first client",
  ]);
});

Deno.test("examples/asyncore_echo.ts: the server serves the Python original's clients, then exits", async () => {
  const original = await pythonOriginal(ECHO);
  await using server = await startExample(ECHO, ["server", "--clients", "2"]);
  const port = String(server.port);
  const long = "x".repeat(100_000);
  await using first = startPython(original, ["client", port, "hello from python3"]);
  await using second = startPython(original, ["client", port, long]);
  assertEquals(await first.readLine(), "echoed: hello from python3");
  assertEquals(await second.readLine(30_000), `echoed: ${long}`);
  assertEquals((await first.finish()).code, 0);
  assertEquals((await second.finish()).code, 0);
  const { code, stdout, stderr } = await server.finish();
  assertEquals(code, 0, stderr);
  assertEquals(stdout.split("\n").filter((line) => line.startsWith("Incoming ")).length, 2);
});

Deno.test("examples/asyncore_echo.ts: the client gets its echo from the Python original's server", async () => {
  await using py = startPython(await pythonOriginal(ECHO), ["server"]);
  const port = portIn(await py.readLine());
  const { code, stdout, stderr } = await runDenoFile(
    ECHO,
    NET,
    ["client", port, "héllo from pynet"],
    RUN_MS,
  );
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "echoed: héllo from pynet\n");
  assertMatch(await py.readLine(), /^Incoming connection from \('127\.0\.0\.1', \d+\)$/);
});

// ---------------------------------------------------------------- asynchat chat server

Deno.test("examples/asynchat_chat_server.ts: --demo plays its three users to the end and exits 0", async () => {
  const { code, stdout, stderr } = await runDenoFile(CHAT, NET, ["--demo"], RUN_MS);
  assertEquals(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assertMatch(lines[0]!, /^port \d+$/);
  assertEquals(lines.slice(1), [
    "ann < Welcome! Pick a name with /nick <name>",
    "ann > hello?",
    "ann < Pick a name first: /nick <name>",
    "ann > /nick ann",
    "ann < * ann has joined",
    "bob < Welcome! Pick a name with /nick <name>",
    "bob > /nick ann",
    "bob < The name ann is taken",
    "bob > /nick bob",
    "bob < * bob has joined",
    "ann < * bob has joined",
    "cy > /nick cy",
    "cy < Welcome! Pick a name with /nick <name>",
    "cy < * cy has joined",
    "ann > hi bob, hi cy",
    "ann < * cy has joined",
    "ann < ann: hi bob, hi cy",
    "bob < * cy has joined",
    "bob < ann: hi bob, hi cy",
    "cy < ann: hi bob, hi cy",
    "bob > /nick robert",
    "ann < * bob is now known as robert",
    "bob < * bob is now known as robert",
    "cy < * bob is now known as robert",
    "cy > /quit",
    "cy < Bye!",
    "ann < * cy has left",
    "bob < * cy has left",
    "ann < * robert has left",
    "ann > /quit",
    "ann < Bye!",
  ]);
});

// Three users, driven step by step (each step waits for the line that proves the server has
// handled it), so every user's transcript is determined by the server alone.
const PY_CHAT_USERS = String.raw`
import json, socket, sys, time
port = int(sys.argv[1])

class User:
    def __init__(self, name):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""
        self.lines = []
    def send(self, *pieces):
        for piece in pieces:
            self.sock.sendall(piece)
            time.sleep(0.02)  # pacing only, so the server tends to see separate reads
    def say(self, line):
        self.send(line.encode() + b"\r\n")
    def expect(self, wanted):
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                self.lines.append(line.decode())
                if line.decode() == wanted:
                    return
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("%s: EOF waiting for %r after %r" % (self.name, wanted, self.lines))
            self.buf += data
    def finish(self):
        while True:
            data = self.sock.recv(65536)
            if not data:
                break
            self.buf += data
        self.lines += [line.decode() for line in self.buf.split(b"\r\n") if line]
        self.sock.close()

a = User("a")
a.expect("Welcome! Pick a name with /nick <name>")
a.say("hello?")
a.expect("Pick a name first: /nick <name>")
a.say("/nick two words")
a.expect("A name is one word")
a.say("/nick ann")
a.expect("* ann has joined")
b = User("b")
b.say("/nick ann")
b.expect("The name ann is taken")
b.send(b"/ni", b"ck bo", b"b\r", b"\nbob speaks\r\n\r\n")
b.expect("bob: bob speaks")
c = User("c")
c.send("/nick zoë\r\n".encode())
c.expect("* zoë has joined")
long = "z" * 100000
c.say(long)
for u in (a, b, c):
    u.expect("zoë: " + long)
a.send(b"two lines\r\nin one send\r\n")
for u in (a, b, c):
    u.expect("ann: in one send")
b.say("/nick robert")
for u in (a, b, c):
    u.expect("* bob is now known as robert")
c.say("/quit")
c.expect("Bye!")
c.finish()
b.sock.close()
a.expect("* robert has left")
a.say("/quit")
a.finish()
print(json.dumps({"a": a.lines, "b": b.lines, "c": c.lines}))
`;

Deno.test("examples/asynchat_chat_server.ts: python3 users get from it what the Python original sends them", async () => {
  const transcripts: string[] = [];
  {
    await using original = startPython(await pythonOriginal(CHAT));
    const port = portIn(await original.readLine());
    await using users = startPython(PY_CHAT_USERS, [port]);
    transcripts.push(await users.readLine(30_000));
    assertEquals((await users.finish()).code, 0);
  }
  {
    await using server = await startExample(CHAT, ["--clients", "3"]);
    await using users = startPython(PY_CHAT_USERS, [String(server.port)]);
    transcripts.push(await users.readLine(30_000));
    assertEquals((await users.finish()).code, 0);
    const { code, stderr } = await server.finish();
    assertEquals(code, 0, stderr);
  }
  const [python, pynet] = transcripts.map((line) => JSON.parse(line!));
  assertEquals(pynet, python);
  // And the transcripts are the expected ones, not two equal failures.
  assertEquals(python.a.slice(-4), [
    "* bob is now known as robert",
    "* zoë has left",
    "* robert has left",
    "Bye!",
  ]);
  assertEquals(python.c.at(-1), "Bye!");
});

// ---------------------------------------------------------------- asynchat cache server

Deno.test("examples/asynchat_cache_server.ts: --demo gets every expected reply and exits 0", async () => {
  const { code, stdout, stderr } = await runDenoFile(CACHE, NET, ["--demo"], RUN_MS);
  assertEquals(code, 0, stderr);
  assert(!stdout.includes("MISMATCH"), stdout);
  assertEquals(stdout.trim().split("\n").length, 11, stdout);
  assert(
    stdout.includes(
      String.raw`"get lines\r\n" -> "VALUE lines 13\r\none\r\ntwo\r\nsix\r\nEND\r\n"`,
    ),
  );
  assert(stdout.trim().endsWith(String.raw`"quit\r\n" -> connection closed`));
});

// A stream of requests cut into random pieces (seeded): a terminator, a count and a data block
// may each fall across reads. The client reads everything until the server closes after quit.
const PY_CACHE_CLIENT = String.raw`
import random, socket, sys, time
port, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
value = bytes(range(256)) * 40 + b"\r\nEND\r\n"
requests = [
    b"get k\r\n", b"set k 5\r\nhello\r\n", b"get k\r\n",
    b"set bin %d\r\n" % len(value) + value + b"\r\n", b"get bin\r\n",
    b"set bad 3\r\nabcdef\r\n", b"set n x\r\n", b"\r\n", b"delete k\r\n", b"delete k\r\n",
    b"get k\r\n", b"set empty 0\r\n\r\n", b"get empty\r\n", b"quit\r\n",
]
stream = b"".join(requests)
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
at = 0
while at < len(stream):
    n = rng.choice([1, 2, 3, 7, 64, 1000])
    s.sendall(stream[at:at + n])
    at += n
    if rng.random() < 0.1:
        time.sleep(0.005)  # pacing only
got = b""
while True:
    data = s.recv(65536)
    if not data:
        break
    got += data
print(got.hex())
`;

Deno.test("examples/asynchat_cache_server.ts: replies to randomly split requests as the Python original does", async () => {
  const replies: string[][] = [[], []];
  const seeds = ["1", "2", "3"];
  {
    await using original = startPython(await pythonOriginal(CACHE));
    const port = portIn(await original.readLine());
    for (const seed of seeds) {
      await using client = startPython(PY_CACHE_CLIENT, [port, seed]);
      replies[0]!.push(await client.readLine(30_000));
      assertEquals((await client.finish()).code, 0);
    }
  }
  {
    await using server = await startExample(CACHE, ["--clients", String(seeds.length)]);
    for (const seed of seeds) {
      await using client = startPython(PY_CACHE_CLIENT, [String(server.port), seed]);
      replies[1]!.push(await client.readLine(30_000));
      assertEquals((await client.finish()).code, 0);
    }
    const { code, stderr } = await server.finish();
    assertEquals(code, 0, stderr);
  }
  assertEquals(replies[1], replies[0]);
  const text = new TextDecoder("latin1").decode(
    Uint8Array.from(replies[0]![0]!.match(/../g)!, (h) => parseInt(h, 16)),
  );
  assert(
    text.startsWith("END\r\nSTORED\r\nVALUE k 5\r\nhello\r\nEND\r\nSTORED\r\nVALUE bin 10247\r\n"),
    text.slice(0, 100),
  );
  assert(text.endsWith("STORED\r\nVALUE empty 0\r\n\r\nEND\r\n"), text.slice(-100));
});

// ---------------------------------------------------------------- the tour

Deno.test("examples/demo.ts: the tour runs to its end, its asyncore and asynchat sections included", async () => {
  const demo = new URL("../examples/demo.ts", import.meta.url).pathname;
  const certs = new URL("../tests/certs", import.meta.url).pathname;
  const { code, stdout, stderr } = await runDenoFile(
    demo,
    [
      "--unstable-net",
      "--allow-net=127.0.0.1,[::1]",
      `--allow-read=${certs}`,
    ],
    [],
    RUN_MS,
  );
  assertEquals(code, 0, stderr);
  const asyncore = stdout.slice(stdout.indexOf("== asyncore"), stdout.indexOf("== asynchat"));
  assertMatch(asyncore, /^server: handleAccepted from \["127\.0\.0\.1",\d+\]$/m);
  assert(asyncore.includes('client: handleRead got "hello, asyncore"\n'), asyncore);
  assert(asyncore.includes("loop() settled: the map is empty\n"), asyncore);
  assert(stdout.includes('replies: "HELLO\\r\\nASYNCHAT\\r\\n"\n'), stdout);
  // The Web Streams section: a socket as a Response body; an aborted recv loses no byte.
  assert(stdout.includes('Response body: "streamed through pipes"\n'), stdout);
  assert(stdout.includes("aborted recv: TimeoutError\nnext recv: still here\n"), stdout);
  assert(stdout.trimEnd().endsWith("done"), stdout);
});
