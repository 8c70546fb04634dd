// asyncore against CPython 3.11: the same scenarios (an echo round trip, a refused connect,
// data and a close together, an error in a handler) give the same handler calls in python3
// and in pynet, with select's rules and with poll's; CPython's asyncore peers on loopback both
// ways; test_asyncore's unit checks; FileDispatcher over a child process's pipe.
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  closeAll,
  compactTraceback,
  Dispatcher,
  DispatcherWithSend,
  ExitNow,
  FileDispatcher,
  FileWrapper,
  loop,
  poll,
  read,
  readwrite,
  type SocketMap,
  socketMap,
  write,
} from "../asyncore/mod.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  StreamWrapper,
} from "../select/mod.ts";
import {
  type Address,
  AF_INET,
  AF_INET6,
  createConnection,
  createServer,
  hasIpv6,
  NotImplementedError,
  OSError,
  SO_ERROR,
  SO_REUSEADDR,
  SOCK_STREAM,
  type Socket,
  socketpair,
  SOL_SOCKET,
} from "../socket/mod.ts";
import { bytes, startPython, text, within } from "./_helpers.ts";

// ---- the oracle: the same scenarios, the same calls ----------------------------------------

type Events = Record<string, unknown[][]>;

class ZeroDivisionError extends Error {}

/** The scenarios of the CPython script below, in pynet, handler for handler. */
async function scenario(name: string, usePoll: boolean): Promise<Events> {
  const ev: Events = {};
  const rec = (role: string, ...e: unknown[]) => (ev[role] ??= []).push(e);
  const m: SocketMap = new Map();

  class Handler extends DispatcherWithSend {
    override async handleRead() {
      const data = await this.recv(100);
      rec("handler", "read", text(data));
      if (name === "error" && data.length) throw new ZeroDivisionError("division by zero");
      if (data.length && name !== "data+close") await this.send(data);
    }
    override async handleWrite() {
      rec("handler", "write");
      await super.handleWrite();
    }
    override handleClose() {
      rec("handler", "close");
      this.close();
    }
    override logInfo(_message: string, type = "info") {
      rec("handler", "log", type);
    }
  }

  class Server extends Dispatcher {
    override handleAccepted(sock: Socket, _addr: Address) {
      rec("server", "accepted");
      new Handler(sock, m);
      this.close();
    }
    override handleWrite() {
      rec("server", "write");
    }
    override handleRead() {
      rec("server", "read");
    }
  }

  class Client extends Dispatcher {
    out = bytes("hello");
    override writable() {
      return !this.connected || this.out.length > 0;
    }
    override handleConnect() {
      rec("client", "connect", this.connected);
    }
    override async handleWrite() {
      rec("client", "write");
      this.out = this.out.subarray(await this.send(this.out));
    }
    override async handleRead() {
      const data = await this.recv(100);
      rec("client", "read", text(data));
      if (text(data) === "hello") {
        this.close();
        rec("client", "closed");
      }
    }
    override handleClose() {
      rec("client", "close");
      this.close();
    }
    override async handleError(error: unknown) {
      rec("client", "error", (error as Error).name, error instanceof OSError ? error.errno : null);
      await super.handleError(error);
    }
    override logInfo(_message: string, type = "info") {
      rec("client", "log", type);
    }
  }

  const server = new Server(null, m);
  server.createSocket();
  server.bind(["127.0.0.1", 0]);
  server.listen(5);
  const port = (server.socket!.getsockname() as [string, number])[1];
  if (name === "echo" || name === "error" || name === "refused") {
    if (name === "refused") server.close();
    const c = new Client(null, m);
    c.createSocket();
    await c.connect(["127.0.0.1", port]);
  } else if (name === "data+close") {
    const plain = await createConnection(["127.0.0.1", port]);
    await plain.sendall(bytes("data"));
    plain.close();
  }
  await within(loop({ timeout: 5, usePoll, map: m, count: 100 }));
  rec("end", "left", m.size);
  return ev;
}

const ORACLE = `
import asyncore, json, socket, sys, warnings
warnings.simplefilter("ignore")

def scenario(name, use_poll):
    ev = {}
    def rec(role, *e):
        ev.setdefault(role, []).append(list(e))
    m = {}

    class Handler(asyncore.dispatcher_with_send):
        def handle_read(self):
            data = self.recv(100)
            rec("handler", "read", data.decode())
            if name == "error" and data:
                raise ZeroDivisionError("division by zero")
            if data and name != "data+close":
                self.send(data)
        def handle_write(self):
            rec("handler", "write")
            asyncore.dispatcher_with_send.handle_write(self)
        def handle_close(self):
            rec("handler", "close")
            self.close()
        def log_info(self, message, type="info"):
            rec("handler", "log", type)

    class Server(asyncore.dispatcher):
        def handle_accepted(self, sock, addr):
            rec("server", "accepted")
            Handler(sock, map=m)
            self.close()
        def handle_write(self):
            rec("server", "write")
        def handle_read(self):
            rec("server", "read")

    class Client(asyncore.dispatcher):
        out = b"hello"
        def writable(self):
            return not self.connected or bool(self.out)
        def handle_connect(self):
            rec("client", "connect", self.connected)
        def handle_write(self):
            rec("client", "write")
            self.out = self.out[self.send(self.out):]
        def handle_read(self):
            data = self.recv(100)
            rec("client", "read", data.decode())
            if data == b"hello":
                self.close()
                rec("client", "closed")
        def handle_close(self):
            rec("client", "close")
            self.close()
        def handle_error(self):
            t, v = sys.exc_info()[:2]
            rec("client", "error", t.__name__, v.errno if isinstance(v, OSError) else None)
            asyncore.dispatcher.handle_error(self)
        def log_info(self, message, type="info"):
            rec("client", "log", type)

    server = Server(map=m)
    server.create_socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.socket.getsockname()[1]
    if name in ("echo", "error", "refused"):
        if name == "refused":
            server.close()
        c = Client(map=m)
        c.create_socket()
        c.connect(("127.0.0.1", port))
    elif name == "data+close":
        plain = socket.create_connection(("127.0.0.1", port))
        plain.sendall(b"data")
        plain.close()
    asyncore.loop(timeout=5, use_poll=use_poll, map=m, count=100)
    rec("end", "left", len(m))
    return ev

for name in sys.argv[1:]:
    for use_poll in (False, True):
        print(json.dumps(scenario(name, use_poll)), flush=True)
`;

for (const name of ["echo", "refused", "data+close", "error"]) {
  Deno.test(`asyncore: the same handler calls as CPython (${name}), with select's rules and poll's`, async () => {
    await using py = startPython(ORACLE, [name]);
    for (const usePoll of [false, true]) {
      const expected = JSON.parse(await py.readLine());
      assertEquals(await scenario(name, usePoll), expected, `usePoll: ${usePoll}`);
    }
    assertEquals((await py.finish()).code, 0);
  });
}

// ---- CPython peers on loopback -------------------------------------------------------------

Deno.test("asyncore on loopback: a pynet echo server serves CPython's asyncore clients", async () => {
  const map: SocketMap = new Map();
  let served = 0;
  class EchoHandler extends DispatcherWithSend {
    override async handleRead() {
      const data = await this.recv(8192);
      if (data.length) await this.send(data);
    }
    override handleClose() {
      served++;
      this.close();
      if (served === 3) server.close(); // the loop ends with the map empty
    }
  }
  class EchoServer extends Dispatcher {
    override handleAccepted(sock: Socket) {
      new EchoHandler(sock, map);
    }
  }
  const server = new EchoServer(null, map);
  server.createSocket();
  server.setReuseAddr();
  server.bind(["127.0.0.1", 0]);
  server.listen(5);
  const port = (server.socket!.getsockname() as [string, number])[1];
  await using py = startPython(
    `
import asyncore, socket, sys, warnings
warnings.simplefilter("ignore")
results = []
class Client(asyncore.dispatcher_with_send):
    def __init__(self, i):
        asyncore.dispatcher_with_send.__init__(self)
        self.create_socket()
        self.connect(("127.0.0.1", int(sys.argv[1])))
        self.want = b"client %d " % i * 2000
        self.got = b""
        self.send(self.want)
    def handle_read(self):
        self.got += self.recv(65536)
        if len(self.got) == len(self.want):
            results.append(self.got == self.want)
            self.close()
    def handle_close(self):
        self.close()
for i in range(3):
    Client(i)
asyncore.loop(timeout=5, count=1000)
print(results.count(True), len(results))
`,
    [String(port)],
  );
  const serving = loop({ timeout: 1, map });
  assertEquals(await py.readLine(), "3 3");
  assertEquals((await py.finish()).code, 0);
  await within(serving);
  assertEquals(served, 3);
  assertEquals(map.size, 0);
});

Deno.test("asyncore on loopback: pynet's asyncore client is served by CPython's asyncore echo server", async () => {
  await using py = startPython(`
import asyncore, socket, warnings
warnings.simplefilter("ignore")
class Handler(asyncore.dispatcher_with_send):
    def handle_read(self):
        data = self.recv(8192)
        if data:
            self.send(data.upper())
class Server(asyncore.dispatcher):
    def __init__(self):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.bind(("127.0.0.1", 0))
        self.listen(5)
        print(self.socket.getsockname()[1], flush=True)
    def handle_accepted(self, sock, addr):
        Handler(sock)
        self.close()
Server()
asyncore.loop(timeout=5)
print("done", flush=True)
`);
  const port = Number(await py.readLine());
  const map: SocketMap = new Map();
  const events: string[] = [];
  let got = "";
  class Client extends DispatcherWithSend {
    override handleConnect() {
      events.push("connect");
    }
    override async handleRead() {
      got += text(await this.recv(8192));
      if (got.length === 100_000) this.close();
    }
  }
  const client = new Client(null, map);
  client.createSocket();
  await client.connect(["127.0.0.1", port]);
  // Sent while the connect may still be under way: buffered, not a disconnect.
  await client.send(bytes("abc".repeat(33_333) + "d"));
  await within(loop({ timeout: 1, map }));
  assertEquals(events, ["connect"]);
  assertEquals(got, "ABC".repeat(33_333) + "D");
  assertEquals(await py.readLine(), "done");
});

Deno.test("asyncore: DispatcherWithSend sending while its connect is under way buffers, then delivers (BlockingIOError, not ENOTCONN)", async () => {
  // CPython's listener with a full accept queue: the SYN is dropped, so the connect stays under
  // way until the listener accepts (after a SYN retransmission).
  await using py = startPython(`
import socket, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(0)
filler = socket.create_connection(srv.getsockname())
print(srv.getsockname()[1], flush=True)
time.sleep(0.5)
srv.accept()[0].close()
conn, _ = srv.accept()
data = b""
while len(data) < 5:
    chunk = conn.recv(100)
    if not chunk:
        break
    data += chunk
print(data.decode(), flush=True)
conn.close()
`);
  const port = Number(await py.readLine());
  const map: SocketMap = new Map();
  const events: string[] = [];
  class Early extends DispatcherWithSend {
    override handleConnect() {
      events.push("connect");
    }
    override async handleRead() {
      await this.recv(100);
    }
    override handleClose() {
      events.push("close");
      this.close();
    }
  }
  const d = new Early(null, map);
  d.createSocket();
  await d.connect(["127.0.0.1", port]);
  assert(d.connecting);
  await d.send(bytes("early"));
  assertEquals(events, []);
  assertEquals(text(d.outBuffer), "early");
  await within(loop({ timeout: 1, map }));
  assertEquals(await py.readLine(), "early");
  assertEquals(events, ["connect", "close"]);
});

// ---- test_asyncore's unit checks -------------------------------------------------------------

Deno.test("asyncore: ExitNow leaves read/write/readwrite and the loop; other errors go to handleError", async () => {
  class Thrower extends Dispatcher {
    error: Error = new ExitNow();
    errors: unknown[] = [];
    override handleReadEvent(): Promise<void> {
      throw this.error;
    }
    override handleWriteEvent(): Promise<void> {
      throw this.error;
    }
    override handleError(error: unknown) {
      this.errors.push(error);
      return Promise.resolve();
    }
  }
  const obj = new Thrower(null, new Map());
  await assertRejects(() => read(obj), ExitNow);
  await assertRejects(() => write(obj), ExitNow);
  await assertRejects(() => readwrite(obj, POLLIN), ExitNow);
  obj.error = new RangeError("x");
  await read(obj);
  await write(obj);
  await readwrite(obj, POLLOUT);
  assertEquals(obj.errors.length, 3);
});

Deno.test("asyncore: readwrite maps poll flags to handlers as test_readwrite", async () => {
  const cases: [number, string[]][] = [
    [POLLIN, ["read"]],
    [POLLPRI, ["expt"]],
    [POLLOUT, ["write"]],
    [POLLERR, ["close"]],
    [POLLHUP, ["close"]],
    [POLLNVAL, ["close"]],
  ];
  for (const [flag, expected] of cases) {
    const calls: string[] = [];
    class Recorder extends Dispatcher {
      override handleReadEvent() {
        calls.push("read");
        return Promise.resolve();
      }
      override handleWriteEvent() {
        calls.push("write");
        return Promise.resolve();
      }
      override handleExptEvent() {
        calls.push("expt");
        return Promise.resolve();
      }
      override handleClose() {
        calls.push("close");
      }
    }
    await readwrite(new Recorder(null, new Map()), flag);
    assertEquals(calls, expected, `flag ${flag}`);
  }
  // A "disconnected" OSError is handleClose, another handleError.
  const calls: string[] = [];
  class Failing extends Dispatcher {
    errno = 104;
    override handleReadEvent(): Promise<void> {
      throw new OSError(this.errno);
    }
    override handleClose() {
      calls.push("close");
    }
    override handleError() {
      calls.push("error");
      return Promise.resolve();
    }
  }
  const f = new Failing(null, new Map());
  await readwrite(f, POLLIN | POLLHUP);
  f.errno = 22;
  await readwrite(f, POLLIN | POLLHUP);
  assertEquals(calls, ["close", "error"]);
});

Deno.test("asyncore: handleError logs a compact traceback through logInfo('error'), then closes; the loop goes on", async () => {
  const [a, b] = socketpair();
  const [c, d] = socketpair();
  using _a = a, _c = c;
  const map: SocketMap = new Map();
  const logged: string[] = [];
  let otherReads = 0;
  class Broken extends Dispatcher {
    override writable() {
      return false;
    }
    override handleRead(): void {
      throw new ZeroDivisionError("division by zero");
    }
    override logInfo(message: string, type = "info") {
      logged.push(`${type}: ${message}`);
    }
  }
  class Fine extends Dispatcher {
    override writable() {
      return false;
    }
    override async handleRead() {
      if ((await this.recv(10)).length) otherReads++;
    }
  }
  const broken = new Broken(b, map);
  const fine = new Fine(d, map);
  await a.send(bytes("x"));
  await c.send(bytes("y"));
  while (otherReads === 0 || map.has(b.fileno())) await within(poll(1, map));
  assertEquals(logged.length, 2);
  assertMatch(
    logged[0]!,
    /^error: uncaptured python exception, closing channel <Broken connected '' at 0x[0-9a-f]+> \(<class 'ZeroDivisionError'>:division by zero \[.*\|handleRead\|\d+\]\)$/,
  );
  assertEquals(logged[1], "warning: unhandled close event");
  assertEquals(broken.socket!.fileno(), -1);
  assertEquals([...map.values()], [fine]);
  fine.close();
});

Deno.test("asyncore: compactTraceback's shape, as test_compact_traceback", () => {
  function inner(): never {
    throw new OSError(5);
  }
  try {
    inner();
  } catch (e) {
    const [[file, fn, line], type, value, info] = compactTraceback(e);
    assertMatch(file, /asyncore_test\.ts$/);
    assertEquals(fn, "inner");
    assertMatch(line, /^\d+$/);
    assertEquals(type, OSError);
    assertEquals(value, e);
    assert(info.endsWith(`[${file}|inner|${line}]`));
  }
  assertEquals(compactTraceback("plain")[0], ["?", "?", "0"]);
});

Deno.test("asyncore: logInfo prints 'type: message', hides warnings by default; log writes 'log: ' to stderr", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { Dispatcher } from "${new URL("../asyncore/mod.ts", import.meta.url).href}";
const d = new Dispatcher(null, new Map());
d.logInfo("hello");
d.logInfo("hidden", "warning");
d.logInfo("bad", "error");
d.log("to stderr");
d.ignoreLogTypes = new Set();
d.handleRead();
d.handleWrite();
d.handleConnect();
d.handleExpt();`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0);
  assertEquals(
    new TextDecoder().decode(stdout),
    "info: hello\nerror: bad\nwarning: unhandled read event\nwarning: unhandled write event\n" +
      "warning: unhandled connect event\nwarning: unhandled incoming priority event\n",
  );
  assertEquals(new TextDecoder().decode(stderr), "log: to stderr\n");
});

Deno.test("asyncore: a fresh dispatcher is readable and writable; toString reads like repr()", () => {
  const d = new Dispatcher(null, new Map());
  assert(d.readable());
  assert(d.writable());
  assertMatch(String(d), /^<Dispatcher at 0x[0-9a-f]+>$/);
  d.addr = ["127.0.0.1", 8080];
  d.connected = true;
  assertMatch(String(d), /^<Dispatcher connected 127\.0\.0\.1:8080 at 0x[0-9a-f]+>$/);
});

Deno.test("asyncore: createSocket makes a non-blocking stream socket in the map; close() leaves it; closeAll empties a map", () => {
  const map: SocketMap = new Map();
  const d = new Dispatcher(null, map);
  d.createSocket();
  assertEquals(d.familyAndType, [AF_INET, SOCK_STREAM]);
  assertEquals(d.socket!.gettimeout(), 0);
  assertEquals(map.get(d.socket!.fileno()), d);
  d.setReuseAddr();
  assertEquals(d.socket!.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
  d.close();
  assertEquals(map.size, 0);
  assertEquals(d.socket!.fileno(), -1);
  const others = [0, 1, 2].map(() => {
    const x = new Dispatcher(null, map);
    x.createSocket();
    return x;
  });
  closeAll(map);
  assertEquals(map.size, 0);
  assert(others.every((x) => x.socket!.fileno() === -1));
  // The default map too.
  const inDefault = new Dispatcher();
  inDefault.createSocket();
  assertEquals(socketMap.size, 1);
  closeAll();
  assertEquals(socketMap.size, 0);
});

Deno.test("asyncore: state flags as test_connection_attributes; binding a used port is OSError", async () => {
  const map: SocketMap = new Map();
  const events: string[] = [];
  class Client extends Dispatcher {
    override handleConnect() {
      events.push(`connect connected=${this.connected}`);
    }
    override handleWrite() {
      events.push(`write connected=${this.connected}`);
      this.close();
    }
  }
  class Server extends Dispatcher {
    override handleAccepted(sock: Socket) {
      events.push("accepted");
      sock.close();
      this.close();
    }
  }
  const server = new Server(null, map);
  server.createSocket();
  server.bind(["127.0.0.1", 0]);
  server.listen(5);
  assert(server.accepting && !server.connected);
  const address = server.socket!.getsockname();
  const second = new Dispatcher(null, map);
  second.createSocket();
  const e = assertThrows(() => second.bind(address), OSError);
  assertEquals(e.errno, 98);
  second.close();
  const client = new Client(null, map);
  client.createSocket();
  await client.connect(address);
  assert(client.connecting && !client.connected);
  await within(loop({ timeout: 1, map }));
  assertEquals(events.filter((e) => e !== "accepted"), [
    "connect connected=false",
    "write connected=true",
  ]);
  assert(events.includes("accepted"));
  assert(!client.connected && !client.connecting && !server.accepting);
});

Deno.test("asyncore: loop() runs count passes, asks readable()/writable() of every dispatcher on each, ends when the map is empty", async () => {
  const [a, b] = socketpair();
  const [c, d] = socketpair();
  using _a = a, _c = c;
  const map: SocketMap = new Map();
  const asked: string[] = [];
  class Asked extends Dispatcher {
    constructor(sock: Socket, readonly label: string) {
      super(sock, map);
    }
    override readable() {
      asked.push(`${this.label}.readable`);
      return false;
    }
    override writable() {
      asked.push(`${this.label}.writable`);
      return Promise.resolve(this.label === "x");
    }
    override handleWrite() {
      asked.push(`${this.label}.write`);
    }
  }
  const x = new Asked(b, "x");
  const y = new Asked(d, "y");
  await loop({ timeout: 1, map, count: 2 });
  const pass = ["x.readable", "x.writable", "y.readable", "y.writable", "x.write"];
  assertEquals(asked, [...pass, ...pass]);
  x.close();
  y.close();
  await loop({ map });
  assertEquals(map.size, 0);
});

Deno.test("asyncore: handleError may re-throw (Python's bare raise): the loop rejects with the error", async () => {
  const [a, b] = socketpair();
  using _a = a;
  class Strict extends Dispatcher {
    override handleWrite(): void {
      throw new ZeroDivisionError("division by zero");
    }
    override handleError(error: unknown): Promise<void> {
      throw error;
    }
  }
  const map: SocketMap = new Map();
  const d = new Strict(b, map);
  for (const usePoll of [false, true]) {
    await assertRejects(() => loop({ map, usePoll }), ZeroDivisionError);
  }
  d.close();
});

// ---- files ----------------------------------------------------------------------------------

Deno.test("asyncore: FileDispatcher reads a child process's pipe to its end, then closes (with select's and poll's rules)", async () => {
  for (const usePoll of [false, true]) {
    const child = new Deno.Command("python3", {
      args: ["-c", "import sys\nfor i in range(3): print('line', i, flush=True)"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const map: SocketMap = new Map();
    const events: string[] = [];
    let got = "";
    class Reader extends FileDispatcher {
      override writable() {
        return false;
      }
      override async handleRead() {
        got += text(await this.recv(100));
      }
      override handleClose() {
        events.push("close");
        this.close();
      }
    }
    const reader = new Reader(new StreamWrapper({ readable: child.stdout }), map);
    assert(reader.connected);
    await within(loop({ timeout: 1, map, usePoll }));
    assertEquals(got, "line 0\nline 1\nline 2\n");
    // With select's rules, EOF is a readable event: recv() calls handleClose() once. With
    // poll's, CPython sees POLLHUP alone at a pipe's end and closes once; select's
    // StreamWrapper reports POLLIN with it, so the read closes and POLLHUP closes again (see
    // asyncore/mod.ts).
    assertEquals(events, usePoll ? ["close", "close"] : ["close"]);
    assertEquals(reader.socket!.fileno(), -1);
    assertEquals((await child.status).code, 0);
  }
});

Deno.test("asyncore: FileWrapper answers SO_ERROR with 0, other options NotImplementedError; close twice is harmless", async () => {
  const child = new Deno.Command("python3", {
    args: ["-c", "import sys; sys.stdout.write(sys.stdin.read().upper())"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = new FileWrapper(new StreamWrapper({ writable: child.stdin }));
  const r = new FileWrapper(new StreamWrapper({ readable: child.stdout }));
  assertEquals(w.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  assertThrows(() => w.getsockopt(SOL_SOCKET, SO_REUSEADDR), NotImplementedError);
  assertEquals(await w.write(bytes("abc")), 3);
  w.close();
  w.close();
  assertEquals(w.fileno(), -1);
  await assertRejects(() => w.send(bytes("x")), OSError);
  let out = "";
  for (let data; (data = await r.read(100)).length > 0;) out += text(data);
  assertEquals(out, "ABC");
  r.close();
  await child.status;
});

Deno.test("asyncore: a listening dispatcher with writable() true never gets write events", async () => {
  const map: SocketMap = new Map();
  const calls: string[] = [];
  class Listener extends Dispatcher {
    override handleWrite() {
      calls.push("write");
    }
    override handleAccepted(sock: Socket) {
      calls.push("accepted");
      sock.close();
    }
  }
  const server = new Listener(null, map);
  server.createSocket();
  server.bind(["127.0.0.1", 0]);
  server.listen(5);
  using client = await createConnection(server.socket!.getsockname() as [string, number]);
  for (const usePoll of [false, true]) {
    await loop({ timeout: 0.05, map, count: 3, usePoll });
  }
  assertEquals(calls, ["accepted"]);
  client.close();
  server.close();
});

Deno.test("asyncore: the default handleAccepted closes the connection and warns", async () => {
  using listener = createServer(["127.0.0.1", 0]);
  const map: SocketMap = new Map();
  const d = new Dispatcher(listener, map);
  d.accepting = true;
  const logged: string[] = [];
  d.logInfo = (message: string, type = "info") => void logged.push(`${type}: ${message}`);
  using client = await createConnection(listener.getsockname() as [string, number]);
  await within(poll(1, map));
  assertEquals(logged, ["warning: unhandled accepted event"]);
  client.settimeout(5);
  assertEquals((await within(client.recv(10))).length, 0);
  d.close();
});

Deno.test("asyncore over IPv6: an echo round trip on ::1; repr() shows the 4-tuple as Python does", async () => {
  if (!hasIpv6) return;
  const map: SocketMap = new Map();
  const reprs: string[] = [];
  class Echo extends DispatcherWithSend {
    override async handleRead() {
      const data = await this.recv(100);
      if (data.length) await this.send(data);
    }
  }
  class Server extends Dispatcher {
    override handleAccepted(sock: Socket) {
      reprs.push(String(new Echo(sock, map)));
      this.close();
    }
  }
  const server = new Server(null, map);
  server.createSocket(AF_INET6);
  server.bind(["::1", 0]);
  server.listen(5);
  const serving = loop({ timeout: 1, map });
  using client = await createConnection(["::1", (server.socket!.getsockname() as number[])[1]!]);
  await client.sendall(bytes("six"));
  client.settimeout(5);
  assertEquals(text(await client.recv(10)), "six");
  client.close();
  await within(serving);
  assertMatch(reprs[0]!, /^<Echo connected \('::1', \d+, 0, 0\) at 0x[0-9a-f]+>$/);
});
