// A tour of what pynet offers so far, on loopback only; it exits by itself.
//   deno task demo
import {
  AF_INET,
  createConnection,
  createServer,
  getaddrinfo,
  inetAton,
  inetNtop,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socketpair,
  TimeoutError,
} from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import { AsyncChat } from "../asynchat/mod.ts";
import { Dispatcher, DispatcherWithSend, loop } from "../asyncore/mod.ts";
import {
  DatagramRequestHandler,
  StreamRequestHandler,
  ThreadingTCPServer,
  UDPServer,
} from "../socketserver/mod.ts";
import {
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLWantReadError,
} from "../ssl/mod.ts";

const text = new TextEncoder();
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function section(title: string): void {
  console.log(`\n== ${title}`);
}

section("socket: a TCP echo server and client");
{
  using server = createServer(["127.0.0.1", 0]);
  const [host, port] = server.getsockname() as [string, number];
  console.log(`server listening on ${host}:${port}`);
  const serving = (async () => {
    const [conn, peer] = await server.accept();
    using _conn = conn;
    console.log(`server accepted ${JSON.stringify(peer)}`);
    for (let data; (data = await conn.recv(1024)).length > 0;) await conn.sendall(data);
  })();
  using client = await createConnection([host, port], 5);
  await client.sendall(text.encode("hello, pynet"));
  console.log(`client got back: ${decode(await client.recv(1024))}`);
  client.close();
  await serving;
}

section("socket: timeouts lose nothing");
{
  const [a, b] = socketpair();
  using _a = a, _b = b;
  b.settimeout(0.05);
  try {
    await b.recv(100);
  } catch (e) {
    console.log(`recv with 50 ms timeout: ${(e as Error).name}: ${(e as Error).message}`);
    console.log(`  (a TimeoutError: ${e instanceof TimeoutError})`);
  }
  await a.sendall(text.encode("late bytes"));
  console.log(`next recv: ${decode(await b.recv(100))}`);
}

section("socket: makefile()");
{
  const [a, b] = socketpair();
  using _a = a, _b = b;
  await a.sendall(text.encode("first line\nsecond line\n"));
  a.close();
  await using reader = b.makefile("r", { encoding: "utf-8" });
  for await (const line of reader) console.log(`line: ${JSON.stringify(line)}`);
}

section("socket: UDP");
if (typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function") {
  using receiver = new Socket(AF_INET, SOCK_DGRAM);
  receiver.bind(["127.0.0.1", 0]);
  using sender = new Socket(AF_INET, SOCK_DGRAM);
  await sender.sendto(text.encode("datagram"), receiver.getsockname());
  const [data, from] = await receiver.recvfrom(1024);
  console.log(`received ${JSON.stringify(decode(data))} from ${JSON.stringify(from)}`);
} else {
  try {
    new Socket(AF_INET, SOCK_DGRAM);
  } catch (e) {
    console.log(`without --unstable-net: ${(e as Error).message}`);
  }
}

section("socket: Web Streams and AbortSignal");
{
  const [a, b] = socketpair();
  using _a = a, _b = b;
  // A socket's readable is a byte stream: here the body of a Response, read to its end.
  const writer = a.writable.getWriter();
  await writer.write(text.encode("streamed "));
  await writer.write(text.encode("through pipes"));
  await writer.close(); // shutdown(SHUT_WR): the peer's readable ends
  console.log(`Response body: ${JSON.stringify(await new Response(b.readable).text())}`);
  // Any blocking call takes { signal } after Python's arguments, and loses no byte.
  const [c, d] = socketpair();
  using _c = c, _d = d;
  const waiting = d.recv(1024, 0, { signal: AbortSignal.timeout(50) });
  const aborted = await waiting.then(() => null, (e: Error) => e);
  console.log(`aborted recv: ${aborted?.name}`); // the signal's reason: a TimeoutError
  await c.sendall(text.encode("still here"));
  console.log(`next recv: ${decode(await d.recv(1024))}`);
}

section("socket: names and addresses");
{
  const infos = await getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM);
  console.log(`getaddrinfo("localhost", 80) -> ${JSON.stringify(infos)}`);
  console.log(`inetAton("127.0.0.1") -> ${JSON.stringify([...inetAton("127.0.0.1")])}`);
  console.log(
    `inetNtop(AF_INET, [10, 0, 0, 1]) -> ${inetNtop(AF_INET, new Uint8Array([10, 0, 0, 1]))}`,
  );
}

section("select: waiting on several sockets at once");
{
  const pairs = Array.from({ length: 5 }, () => socketpair());
  try {
    await pairs[3]![0].send(text.encode("!"));
    const [readable] = await select(pairs.map(([, b]) => b), [], [], 1);
    console.log(`ready: pair #${pairs.findIndex(([, b]) => b === readable[0])} of ${pairs.length}`);
  } finally {
    for (const [a, b] of pairs) a.close(), b.close();
  }
}

section("selectors: an event loop serving three clients");
{
  using sel = new DefaultSelector<string, Socket>();
  using server = createServer(["127.0.0.1", 0]);
  server.setblocking(false);
  sel.register(server, EVENT_READ, "listener");
  const clients = await Promise.all(
    [1, 2, 3].map(() => createConnection(server.getsockname() as [string, number])),
  );
  for (const [i, client] of clients.entries()) await client.sendall(text.encode(`client ${i}`));
  const replies: Promise<Uint8Array>[] = clients.map((client) => client.recv(100));
  let served = 0;
  for (let round = 0; round < 50 && served < clients.length; round++) {
    for (const [key] of await sel.select(1)) {
      const sock = key.fileobj;
      if (key.data === "listener") {
        const [conn] = await sock.accept();
        conn.setblocking(false);
        sel.register(conn, EVENT_READ, "connection");
      } else {
        const data = await sock.recv(100);
        await sock.sendall(data);
        sel.unregister(sock);
        sock.close();
        served++;
      }
    }
  }
  for (const reply of await Promise.all(replies)) console.log(`echoed: ${decode(reply)}`);
  for (const client of clients) client.close();
}

section("ssl: a TLS echo, server and client (test certificates from tests/certs)");
{
  const certs = new URL("../tests/certs/", import.meta.url).pathname;
  const serverContext = new SSLContext(PROTOCOL_TLS_SERVER);
  serverContext.loadCertChain(`${certs}server.pem`, `${certs}server.key`);
  const clientContext = new SSLContext(PROTOCOL_TLS_CLIENT);
  clientContext.loadVerifyLocations(`${certs}ca.pem`);

  using server = await serverContext.wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
  });
  const serving = (async () => {
    const [conn] = await server.accept();
    using _conn = conn;
    for (let data; (data = await conn.recv(1024)).length > 0;) await conn.sendall(data);
  })();
  const plain = await createConnection(server.getsockname() as [string, number]);
  using client = await clientContext.wrapSocket(plain, { serverHostname: "localhost" });
  const cert = client.getpeercert() as { subject: [string, string][][] };
  console.log(`verified server certificate for ${JSON.stringify(cert.subject)}`);
  await client.sendall(text.encode("hello over TLS"));
  console.log(`client got back: ${decode(await client.recv(1024))}`);
  client.close();
  await serving;

  // A non-blocking handshake, as CPython's event loops drive it: SSLWantReadError until done.
  const accepting = server.accept();
  const tls = await clientContext.wrapSocket(
    await createConnection(server.getsockname() as [string, number]),
    { serverHostname: "localhost", doHandshakeOnConnect: false },
  );
  using _tls = tls;
  tls.setblocking(false);
  let waits = 0;
  for (;;) {
    try {
      await tls.doHandshake();
      break;
    } catch (e) {
      if (!(e instanceof SSLWantReadError) || waits++ > 100) throw e;
      await select([tls], [], [], 5);
    }
  }
  // The server's accept() returns once its side of the handshake is done too.
  using _accepted = (await accepting)[0];
  console.log(`non-blocking handshake done after ${waits} SSLWantReadError(s)`);
}

section("asyncore: a dispatcher echo server and a client, in one loop");
{
  class EchoHandler extends DispatcherWithSend {
    override async handleRead(): Promise<void> {
      const data = await this.recv(8192);
      if (data.length > 0) await this.send(data);
    }
  }
  class EchoServer extends Dispatcher {
    constructor() {
      super();
      this.createSocket();
      this.setReuseAddr();
      this.bind(["127.0.0.1", 0]);
      this.listen(5);
    }
    override handleAccepted(sock: Socket, addr: unknown): void {
      console.log(`server: handleAccepted from ${JSON.stringify(addr)}`);
      new EchoHandler(sock);
      this.close(); // one client: the loop ends once the map is empty
    }
  }
  class Client extends Dispatcher {
    #out = text.encode("hello, asyncore");
    override handleConnect(): void {
      console.log("client: handleConnect");
    }
    override writable(): boolean {
      return this.#out.length > 0;
    }
    override async handleWrite(): Promise<void> {
      this.#out = this.#out.subarray(await this.send(this.#out));
    }
    override async handleRead(): Promise<void> {
      console.log(`client: handleRead got ${JSON.stringify(decode(await this.recv(8192)))}`);
      this.close();
    }
  }
  const server = new EchoServer();
  const client = new Client();
  client.createSocket();
  await client.connect(server.socket!.getsockname() as [string, number]);
  await loop({ timeout: 1 });
  console.log("loop() settled: the map is empty");
}

section("asynchat: a line protocol with a terminator");
{
  const [a, b] = socketpair();
  class Upper extends AsyncChat {
    #line: Uint8Array[] = [];
    constructor(sock: Socket) {
      super(sock);
      this.setTerminator(text.encode("\r\n"));
    }
    override collectIncomingData(data: Uint8Array): void {
      this.#line.push(data);
    }
    override async foundTerminator(): Promise<void> {
      const line = this.#line.map(decode).join("");
      this.#line = [];
      if (line === "QUIT") return this.closeWhenDone();
      await this.push(text.encode(`${line.toUpperCase()}\r\n`));
    }
  }
  new Upper(b);
  const talking = (async () => {
    // Two lines in one send, the terminator of the second split across two sends.
    await a.sendall(text.encode("hello\r\nasynchat\r"));
    await a.sendall(text.encode("\nQUIT\r\n"));
    let replies = "";
    for (let data; (data = await a.recv(1024)).length > 0;) replies += decode(data);
    console.log(`replies: ${JSON.stringify(replies)}`);
    a.close();
  })();
  await loop({ timeout: 1 });
  await talking;
}

section("socketserver: a handler class becomes a server");
{
  class Shout extends StreamRequestHandler {
    override async handle() {
      for await (const line of this.rfile) {
        await this.wfile.write(text.encode(decode(line).toUpperCase()));
      }
    }
  }
  await using server = new ThreadingTCPServer(["127.0.0.1", 0], Shout); // binds, listens
  const address = server.serverAddress as [string, number];
  console.log(`ThreadingTCPServer on ${JSON.stringify(address)}`);
  const serving = server.serveForever();
  const clients = ["first", "second"].map(async (word) => {
    using client = await createConnection(address, 5);
    await client.sendall(text.encode(`${word} client\n`));
    return decode(await client.recv(1024)).trim();
  });
  for (const reply of await Promise.all(clients)) console.log(`client got back: ${reply}`);
  await server.shutdown(); // settles once serveForever() has stopped
  await serving;
}
if (typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function") {
  class Reverse extends DatagramRequestHandler {
    override async handle() {
      await this.wfile.write(this.packet.toReversed()); // sent back once handle() returns
    }
  }
  await using server = new UDPServer(["127.0.0.1", 0], Reverse);
  using client = new Socket(AF_INET, SOCK_DGRAM);
  await client.sendto(text.encode("stressed"), server.serverAddress);
  await server.handleRequest(); // one request, as Python's handle_request()
  console.log(`UDPServer reversed "stressed": ${decode(await client.recv(1024))}`);
}

console.log("\ndone");
