// CPython 3.11 as the oracle of socketserver: the same instrumented server, in python3 and in
// pynet, records the same sequence of hooks (handle() throwing included); python3's socket
// clients against pynet's servers; pynet's clients against CPython's socketserver.
import { assertEquals } from "@std/assert";
import { AF_INET, createConnection, SOCK_DGRAM, socket } from "../socket/mod.ts";
import {
  DatagramRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingTCPServer,
  ThreadingUDPServer,
  UDPServer,
} from "../socketserver/mod.ts";
import { bytes, recvAll, startPython, text, within } from "./_helpers.ts";

/**
 * python3: runs `scenario` on an instrumented server and prints the hooks called, in order,
 * as JSON. The client connects (or sends its datagram) from a thread.
 */
const PYTHON_HOOKS = `
import json, socket, socketserver, sys, threading
scenario = sys.argv[1]
log = []
def logged(cls, names):
    for name in names:
        def wrap(orig, name=name):
            def method(self, *args, **kwargs):
                log.append(name)
                return orig(self, *args, **kwargs)
            return method
        setattr(cls, name, wrap(getattr(cls, name)))
    return cls
udp = scenario.startswith("udp")
threading_ = scenario.startswith("thread")
Base = socketserver.UDPServer if udp else socketserver.ThreadingTCPServer if threading_ else socketserver.TCPServer
Handler = socketserver.DatagramRequestHandler if udp else socketserver.StreamRequestHandler
class H(Handler):
    def handle(self):
        log.append("handle")
        line = self.rfile.readline()
        if scenario.endswith("raise"):
            raise ValueError("boom")
        self.wfile.write(line)
class S(Base):
    timeout = 0.05 if scenario == "timeout" else None
    def verify_request(self, request, client_address):
        log.append("verify_request")
        return scenario != "refuse"
    def handle_error(self, request, client_address):
        log.append("handle_error")
logged(H, ["setup", "finish"])
logged(S, ["server_bind", "server_activate", "get_request", "process_request", "finish_request",
           "shutdown_request", "close_request", "handle_timeout", "server_close",
           "_handle_request_noblock", "handle_request"]
       + (["process_request_thread"] if threading_ else []))
server = S(("127.0.0.1", 0), H)
def client():
    if udp:
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(5)
        c.sendto(b"hello\\n", server.server_address)
        try: c.recvfrom(100)
        except OSError: pass
    else:
        c = socket.create_connection(server.server_address)
        c.sendall(b"hello\\n")
        c.makefile("rb").read()
    c.close()
t = None
if scenario != "timeout":
    t = threading.Thread(target=client); t.start()
server.handle_request()
if t: t.join()
server.server_close()
# A threading server's server_close() may run before or after the request's last hooks.
print(json.dumps([name for name in log if not (threading_ and name == "server_close")]))
`;

/** snake_case of a pynet hook name. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Wraps `names` of `proto` so that each call is logged first, as the python3 side does. */
function logged(proto: object, names: string[], log: string[]): void {
  for (const name of names) {
    const target = proto as Record<string, (...args: unknown[]) => unknown>;
    let owner: object | null = proto;
    while (owner && !Object.hasOwn(owner, name)) owner = Object.getPrototypeOf(owner);
    const original = (owner as Record<string, (...args: unknown[]) => unknown>)[name]!;
    target[name] = function (this: unknown, ...args: unknown[]) {
      log.push(snake(name));
      return original.apply(this, args);
    };
  }
}

async function pynetHooks(scenario: string): Promise<string[]> {
  const log: string[] = [];
  const udp = scenario.startsWith("udp");
  // deno-lint-ignore no-explicit-any
  const Handler: any = udp ? DatagramRequestHandler : StreamRequestHandler;
  const threading = scenario.startsWith("thread");
  // deno-lint-ignore no-explicit-any
  const Base: any = udp ? UDPServer : threading ? ThreadingTCPServer : TCPServer;
  class H extends (Handler as typeof StreamRequestHandler) {
    override async handle() {
      log.push("handle");
      const line = await this.rfile.readline();
      if (scenario.endsWith("raise")) throw new RangeError("boom");
      await this.wfile.write(line);
    }
  }
  class S extends (Base as typeof TCPServer) {
    static override timeout = scenario === "timeout" ? 0.05 : null;
    override verifyRequest() {
      log.push("verify_request");
      return scenario !== "refuse";
    }
    override handleError() {
      log.push("handle_error");
    }
  }
  logged(H.prototype, ["setup", "finish"], log);
  logged(S.prototype, [
    "serverBind",
    "serverActivate",
    "getRequest",
    "processRequest",
    "finishRequest",
    "shutdownRequest",
    "closeRequest",
    "handleTimeout",
    "serverClose",
    "_handleRequestNoblock",
    "handleRequest",
    ...(threading ? ["processRequestThread"] : []),
  ], log);
  const server = new S(["127.0.0.1", 0], H);
  const client = scenario === "timeout" ? Promise.resolve() : (async () => {
    if (udp) {
      using c = socket(AF_INET, SOCK_DGRAM);
      c.settimeout(5);
      await c.sendto(bytes("hello\n"), server.serverAddress);
      await c.recvfrom(100).catch(() => {});
    } else {
      using c = await createConnection(server.serverAddress as [string, number]);
      await c.sendall(bytes("hello\n"));
      await recvAll(c);
    }
  })();
  await within(server.handleRequest());
  await within(client);
  await server.serverClose();
  return log
    .filter((name) => !(threading && name === "server_close"))
    .map((name) => name === "__handle_request_noblock" ? "_handle_request_noblock" : name);
}

async function cpythonHooks(scenario: string): Promise<string[]> {
  await using python = startPython(PYTHON_HOOKS, [scenario]);
  const line = await python.readLine(20_000);
  const { code, stderr } = await python.finish();
  assertEquals(code, 0, stderr);
  return JSON.parse(line);
}

for (
  const [scenario, what] of [
    ["tcp", "a TCP request"],
    ["tcp-raise", "a TCP request whose handle() raises"],
    ["refuse", "a TCP request verifyRequest refuses"],
    ["timeout", "handleRequest() timing out"],
    ["udp", "a UDP request"],
    ["thread", "a ThreadingTCPServer request"],
    ["thread-raise", "a ThreadingTCPServer request whose handle() raises"],
    ["udp-raise", "a UDP request whose handle() raises"],
  ]
) {
  Deno.test(`the hooks of ${what} are called in CPython's order`, async () => {
    const expected = await cpythonHooks(scenario!);
    assertEquals(await pynetHooks(scenario!), expected);
  });
}

Deno.test("python3 socket clients are served by ThreadingTCPServer and ThreadingUDPServer", async () => {
  class Echo extends StreamRequestHandler {
    override async handle() {
      await this.wfile.write(await this.rfile.readline());
    }
  }
  class DatagramEcho extends DatagramRequestHandler {
    override async handle() {
      await this.wfile.write(await this.rfile.readline());
    }
  }
  await using tcp = new ThreadingTCPServer(["127.0.0.1", 0], Echo);
  await using udp = new ThreadingUDPServer(["127.0.0.1", 0], DatagramEcho);
  const servingTcp = tcp.serveForever(0.01);
  const servingUdp = udp.serveForever(0.01);
  const client = `
import socket, sys, threading
tcp_port, udp_port = int(sys.argv[1]), int(sys.argv[2])
answers = [None] * 10
def ask(i):
    with socket.create_connection(("127.0.0.1", tcp_port)) as s:
        s.sendall(b"tcp %d\\n" % i)
        answers[i] = s.makefile("rb").readline()
threads = [threading.Thread(target=ask, args=(i,)) for i in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(all(answers[i] == b"tcp %d\\n" % i for i in range(10)))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
u.sendto(b"udp\\nrest", ("127.0.0.1", udp_port))
data, addr = u.recvfrom(100)
print(data, addr[1] == udp_port)
`;
  await using python = startPython(client, [
    String((tcp.serverAddress as [string, number])[1]),
    String((udp.serverAddress as [string, number])[1]),
  ]);
  assertEquals(await python.readLine(20_000), "True");
  assertEquals(await python.readLine(20_000), "b'udp\\n' True");
  assertEquals((await python.finish()).code, 0);
  await tcp.shutdown();
  await udp.shutdown();
  await servingTcp;
  await servingUdp;
});

Deno.test("pynet clients are served by CPython's ThreadingTCPServer and UDPServer", async () => {
  const server = `
import socketserver, threading
class Echo(socketserver.StreamRequestHandler):
    def handle(self): self.wfile.write(self.rfile.readline().upper())
class DatagramEcho(socketserver.DatagramRequestHandler):
    def handle(self): self.wfile.write(self.rfile.readline().upper())
tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
udp = socketserver.UDPServer(("127.0.0.1", 0), DatagramEcho)
for s in (tcp, udp): threading.Thread(target=s.serve_forever, args=(0.01,), daemon=True).start()
print(tcp.server_address[1], udp.server_address[1], flush=True)
threading.Event().wait(30)  # killed by the test when done
`;
  await using python = startPython(server);
  const [tcpPort, udpPort] = (await python.readLine(20_000)).split(" ").map(Number);
  const answers = await Promise.all([0, 1, 2, 3, 4].map(async (i) => {
    using c = await createConnection(["127.0.0.1", tcpPort!]);
    await c.sendall(bytes(`pynet ${i}\n`));
    return text(await within(recvAll(c)));
  }));
  assertEquals(answers, [0, 1, 2, 3, 4].map((i) => `PYNET ${i}\n`));
  using u = socket(AF_INET, SOCK_DGRAM);
  u.settimeout(10);
  await u.sendto(bytes("datagram\nrest"), ["127.0.0.1", udpPort!]);
  const [data, from] = await u.recvfrom(100);
  assertEquals([text(data), from], ["DATAGRAM\n", ["127.0.0.1", udpPort]]);
});
