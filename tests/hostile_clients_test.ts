// Servers under hostile clients, on loopback: a client that resets its connection, one that
// never speaks or never reads, a flood of connections. A hostile client costs its own
// connection, never the server: a well-behaved client is served throughout. Every flood is
// counted, not timed.
import { assert, assertEquals } from "@std/assert";
import {
  ConnectionError,
  createConnection,
  createServer,
  OSError,
  type Socket,
  TimeoutError,
} from "../socket/mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../selectors/mod.ts";
import { bytes, sleep, startExample, startPython, text, within } from "./_helpers.ts";

const CERTS = new URL("./certs/", import.meta.url).pathname;

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

// ---- servers under a mix of hostile clients --------------------------------------------------
//
// The protocol: a client sends a line and gets back "echo <line>"; the line "BIG" asks for
// 32 MB, which a never-reading client never takes. The server gives a send half a second
// (its send timeout), then closes the connection.

/** What a server saw. */
class Stats {
  served = 0;
  /** Connections closed because a send timed out (never-reading clients). */
  stalled = 0;
  /** Connections that ended with a ConnectionError (reset clients). */
  dropped = 0;
  /** accept() failures: there must be none. */
  acceptErrors: unknown[] = [];
  #waiters: (() => void)[] = [];

  /** Resolves once `n` connections have been closed for a timed-out send. */
  stalledReach(n: number): Promise<void> {
    if (this.stalled >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  closedStalled(): void {
    this.stalled++;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

const BIG = new Uint8Array(32 * 1024 * 1024);
const SEND_TIMEOUT = 0.5;

/** The reply to one request line. */
function reply(line: string): Uint8Array {
  return line === "BIG" ? BIG : bytes(`echo ${line}\n`);
}

/** A running server: `stop()` closes the listener and every connection, and waits for it. */
interface Server {
  stop(): Promise<void>;
}

/** A task per connection: accept() in a loop, each connection served by its own task. */
function taskPerConnection(listener: Socket, stats: Stats): Server {
  const conns = new Set<Socket>();
  const tasks = new Set<Promise<void>>();
  let stopping = false;

  const serve = async (conn: Socket) => {
    let pending = "";
    try {
      for (;;) {
        const data = await conn.recv(4096);
        if (data.length === 0) return;
        pending += text(data);
        for (let nl; (nl = pending.indexOf("\n")) >= 0;) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line === "BIG") conn.settimeout(SEND_TIMEOUT);
          await conn.sendall(reply(line));
          if (line !== "BIG") stats.served++;
        }
      }
    } catch (e) {
      if (e instanceof TimeoutError) stats.closedStalled();
      else if (e instanceof ConnectionError || stopping) stats.dropped++;
      else throw e;
    } finally {
      conn.close();
      conns.delete(conn);
    }
  };

  const accepting = (async () => {
    while (!stopping) {
      let conn: Socket;
      try {
        [conn] = await listener.accept();
      } catch (e) {
        if (!stopping) stats.acceptErrors.push(e);
        continue;
      }
      conns.add(conn);
      const task = serve(conn);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  return {
    async stop() {
      stopping = true;
      listener.close();
      await accepting;
      for (const conn of conns) conn.close();
      await Promise.all(tasks);
    },
  };
}

/** One task on a DefaultSelector: non-blocking sockets, output queued, a deadline per send. */
function selectorsServer(listener: Socket, stats: Stats): Server {
  interface Client {
    input: string;
    output: Uint8Array[];
    /** When the oldest queued output must have gone, or null with nothing queued. */
    deadline: number | null;
  }
  const sel = new DefaultSelector<Client | null>();
  const clients = new Map<Socket, Client>();
  let stopping = false;

  const close = (conn: Socket) => {
    sel.unregister(conn);
    conn.close();
    clients.delete(conn);
  };

  const flush = async (conn: Socket, client: Client) => {
    while (client.output.length > 0) {
      const head = client.output[0]!;
      let sent = 0;
      try {
        sent = await conn.send(head);
      } catch (e) {
        if (e instanceof OSError && e.errno === 11) break; // BlockingIOError: wait to write
        throw e;
      }
      if (sent === head.length) {
        client.output.shift();
        client.deadline = client.output.length > 0 ? performance.now() + SEND_TIMEOUT * 1000 : null;
      } else {
        client.output[0] = head.subarray(sent);
        break;
      }
    }
    sel.modify(conn, EVENT_READ | (client.output.length > 0 ? EVENT_WRITE : 0), client);
  };

  const onReadable = async (conn: Socket, client: Client) => {
    const data = await conn.recv(4096);
    if (data.length === 0) {
      close(conn);
      return;
    }
    client.input += text(data);
    for (let nl; (nl = client.input.indexOf("\n")) >= 0;) {
      const line = client.input.slice(0, nl);
      client.input = client.input.slice(nl + 1);
      if (client.output.length === 0) client.deadline = performance.now() + SEND_TIMEOUT * 1000;
      client.output.push(reply(line));
      if (line !== "BIG") stats.served++;
    }
    await flush(conn, client);
  };

  listener.setblocking(false);
  sel.register(listener, EVENT_READ, null);
  const loop = (async () => {
    while (!stopping) {
      // A bounded wait, so that send deadlines are checked without traffic.
      for (const [key, events] of await sel.select(0.1)) {
        const conn = key.fileobj as Socket;
        if (key.data === null) {
          try {
            const [accepted] = await conn.accept();
            accepted.setblocking(false);
            const client: Client = { input: "", output: [], deadline: null };
            clients.set(accepted, client);
            sel.register(accepted, EVENT_READ, client);
          } catch (e) {
            if (!stopping) stats.acceptErrors.push(e);
          }
          continue;
        }
        const client = key.data;
        if (!clients.has(conn)) continue;
        try {
          if (events & EVENT_READ) await onReadable(conn, client);
          if (clients.has(conn) && events & EVENT_WRITE) await flush(conn, client);
        } catch (e) {
          if (!(e instanceof ConnectionError)) throw e;
          stats.dropped++;
          close(conn);
        }
      }
      const now = performance.now();
      for (const [conn, client] of clients) {
        if (client.deadline !== null && now > client.deadline) {
          close(conn);
          stats.closedStalled();
        }
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      await loop;
      for (const conn of clients.keys()) conn.close();
      sel.close();
      listener.close();
    },
  };
}

// Floods, each of `n` connections, with a well-behaved request every 50: `n` slowloris
// connections (a partial request, then one more byte much later, and no newline ever) held
// open through an RST flood and a connect/close flood.
const FLOODS = `
import socket, struct, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
addr = ("127.0.0.1", port)
served = 0
def good():
    global served
    with socket.create_connection(addr, timeout=30) as s:
        s.sendall(b"hello %d\\n" % served)
        data = b""
        while not data.endswith(b"\\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        assert data == b"echo hello %d\\n" % served, data
    served += 1
slow = []
for i in range(n):
    s = socket.create_connection(addr)
    s.sendall(b"GET /slow")
    slow.append(s)
    if i % 50 == 0: good()
for i in range(n):
    s = socket.create_connection(addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    if i % 50 == 0: good()
for i in range(n):
    socket.create_connection(addr).close()
    if i % 50 == 0: good()
for s in slow:
    s.sendall(b"w")
good()
for s in slow:
    s.close()
good()
print("served", served)
`;

// `k` clients ask for "BIG" and never read; they print their ports and wait to be killed.
const NEVER_READING = `
import socket, sys, time
port, k = int(sys.argv[1]), int(sys.argv[2])
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(k)]
for s in conns:
    s.sendall(b"BIG\\n")
print(" ".join(str(s.getsockname()[1]) for s in conns), flush=True)
time.sleep(120)
`;

// The TCP states of the server's side of each client port, from /proc/net/tcp (which Deno
// reads only with --allow-all).
const SERVER_SIDE_STATES = `
import sys
server, clients = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
names = {"01": "ESTABLISHED", "04": "FIN_WAIT1", "07": "CLOSE", "08": "CLOSE_WAIT"}
rows = [line.split() for line in open("/proc/net/tcp").read().splitlines()[1:]]
states = []
for port in clients:
    found = [r for r in rows if r[1].endswith(":%04X" % server) and r[2].endswith(":%04X" % port)]
    states.append(names.get(found[0][3], found[0][3]) if found else "gone")
print(" ".join(states))
`;

/** The TCP states of the server's side of each client port. */
async function serverSideStates(serverPort: number, clientPorts: number[]): Promise<string[]> {
  await using py = startPython(SERVER_SIDE_STATES, [serverPort, ...clientPorts].map(String));
  return (await py.readLine()).split(" ");
}

/** A well-behaved pynet client: one request, its echo. */
async function wellBehaved(port: number, line: string): Promise<string> {
  using conn = await createConnection(["127.0.0.1", port], 30);
  await conn.sendall(bytes(`${line}\n`));
  let got = "";
  while (!got.endsWith("\n")) {
    const data = await conn.recv(100);
    if (data.length === 0) break;
    got += text(data);
  }
  return got;
}

const SERVERS: [string, (listener: Socket, stats: Stats) => Server][] = [
  ["selectors", selectorsServer],
  ["task-per-connection", taskPerConnection],
];

for (const [name, start] of SERVERS) {
  Deno.test(`hostile clients: a ${name} server serves a well-behaved client throughout`, async () => {
    const listener = createServer(["127.0.0.1", 0]);
    const [, port] = listener.getsockname() as [string, number];
    const stats = new Stats();
    const server = start(listener, stats);
    try {
      {
        await using py = startPython(FLOODS, [String(port), "300"]);
        // One well-behaved request every 50 connections of each flood, and two at the end.
        assertEquals(await py.readLine(180_000), "served 20");
        assertEquals((await py.finish(30_000)).code, 0);
      }
      {
        const k = 5;
        await using py = startPython(NEVER_READING, [String(port), String(k)]);
        const ports = (await py.readLine(30_000)).split(" ").map(Number);
        await within(stats.stalledReach(k), 30_000, "closing the never-reading clients");
        assertEquals(await wellBehaved(port, "still here"), "echo still here\n");
        // Closed, the server's side lets the connection go: the kernel sends what it can and
        // then a FIN (FIN_WAIT1), as after CPython's close(). (A close() after a non-blocking
        // send may linger while the peer takes nothing for a short while first: wait for it.)
        let states = await serverSideStates(port, ports);
        const deadline = Date.now() + 15_000;
        while (states.includes("ESTABLISHED") && Date.now() < deadline) {
          await sleep(100);
          states = await serverSideStates(port, ports);
        }
        assertEquals(states.filter((state) => state === "ESTABLISHED"), [], states.join(" "));
      }
      assertEquals(await wellBehaved(port, "last"), "echo last\n");
    } finally {
      await within(server.stop(), 30_000, "server stop");
    }
    assertEquals(stats.acceptErrors, []);
    assert(stats.served >= 22, `served ${stats.served}`);
  });
}
