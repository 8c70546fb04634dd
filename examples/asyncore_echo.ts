/**
 * The echo server of Python's asyncore documentation, and an echo client built like that page's
 * HTTP client (a `writable()` that says whether there is anything left to send), on pynet.
 *
 * `server` binds 127.0.0.1 on a port from the OS, prints `port <number>`, stops listening once
 * `--clients N` clients (default 1) have been echoed to and have closed, and exits once every
 * connection has closed: the loop ends by itself when its map is empty. A connection that sends
 * nothing (a client that connects and resets) is not counted. `client <port> <message>` sends the message and prints
 * `echoed: <message>` once the whole of it has come back. `--demo` runs a server and two
 * clients in one loop and checks their echoes.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asyncore_echo.ts --demo
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asyncore_echo.ts server --clients 2
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asyncore_echo.ts client 8080 hello
 * ```
 *
 * The Python original, for comparison (`python3 original.py server` or `... client PORT TEXT`;
 * pynet's port adds `--clients`, as the original serves forever):
 *
 * ```python
 * import asyncore
 * import sys
 *
 * class EchoHandler(asyncore.dispatcher_with_send):
 *
 *     def handle_read(self):
 *         data = self.recv(8192)
 *         if data:
 *             self.send(data)
 *
 * class EchoServer(asyncore.dispatcher):
 *
 *     def __init__(self, host, port):
 *         asyncore.dispatcher.__init__(self)
 *         self.create_socket()
 *         self.set_reuse_addr()
 *         self.bind((host, port))
 *         self.listen(5)
 *
 *     def handle_accepted(self, sock, addr):
 *         print('Incoming connection from %s' % repr(addr))
 *         handler = EchoHandler(sock)
 *
 * class EchoClient(asyncore.dispatcher):
 *
 *     def __init__(self, host, port, message):
 *         asyncore.dispatcher.__init__(self)
 *         self.create_socket()
 *         self.connect((host, port))
 *         self.buffer = message
 *         self.expected = len(message)
 *         self.received = b''
 *
 *     def handle_connect(self):
 *         pass
 *
 *     def handle_close(self):
 *         self.close()
 *
 *     def handle_read(self):
 *         self.received += self.recv(8192)
 *         if len(self.received) >= self.expected:
 *             print('echoed:', self.received.decode())
 *             self.close()
 *
 *     def writable(self):
 *         return (len(self.buffer) > 0)
 *
 *     def handle_write(self):
 *         sent = self.send(self.buffer)
 *         self.buffer = self.buffer[sent:]
 *
 * if sys.argv[1] == 'server':
 *     server = EchoServer('127.0.0.1', 0)
 *     print('port', server.socket.getsockname()[1], flush=True)
 * else:
 *     EchoClient('127.0.0.1', int(sys.argv[2]), sys.argv[3].encode())
 * asyncore.loop()
 * ```
 *
 * @module
 */
import { Dispatcher, DispatcherWithSend, loop } from "../asyncore/mod.ts";
import type { Socket } from "../socket/mod.ts";

class EchoHandler extends DispatcherWithSend {
  /** Bytes echoed so far: a connection that sends nothing is not a client served. */
  echoed = 0;

  constructor(sock: Socket, readonly server: EchoServer) {
    super(sock);
  }

  override async handleRead(): Promise<void> {
    const data = await this.recv(8192);
    if (data.length > 0) {
      this.echoed += data.length;
      await this.send(data);
    }
  }

  override handleClose(): void {
    // EOF and a reset (ECONNRESET) both end here, as in asyncore.
    this.close();
    if (this.echoed > 0) this.server.served();
  }
}

class EchoServer extends Dispatcher {
  #left: number;

  /** `clients`: how many clients to serve before it stops listening (pynet's addition). */
  constructor(host: string, port: number, clients: number) {
    super();
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(5);
    this.#left = clients;
  }

  override handleAccepted(sock: Socket, addr: unknown): void {
    const [host, port] = addr as [string, number];
    console.log(`Incoming connection from ('${host}', ${port})`);
    new EchoHandler(sock, this);
  }

  /** A client has been echoed to and has gone: after the last one, stop listening. */
  served(): void {
    if (--this.#left === 0) this.close();
  }
}

class EchoClient extends Dispatcher {
  buffer: Uint8Array;
  readonly expected: number;
  received: Uint8Array = new Uint8Array(0);

  // Python's constructor calls connect(); here connect() returns a Promise, so the caller
  // awaits `client.connect(...)` after `new` (see open() below).
  constructor(message: Uint8Array) {
    super();
    this.createSocket();
    this.buffer = message;
    this.expected = message.length;
  }

  override handleConnect(): void {
  }

  override handleClose(): void {
    this.close();
  }

  override async handleRead(): Promise<void> {
    const data = await this.recv(8192);
    const received = new Uint8Array(this.received.length + data.length);
    received.set(this.received);
    received.set(data, this.received.length);
    this.received = received;
    if (this.received.length >= this.expected) {
      console.log("echoed:", new TextDecoder().decode(this.received));
      this.close();
    }
  }

  override writable(): boolean {
    return this.buffer.length > 0;
  }

  override async handleWrite(): Promise<void> {
    const sent = await this.send(this.buffer);
    this.buffer = this.buffer.subarray(sent);
  }
}

/** `new EchoClient(...)` and its connect, as Python's constructor does both. */
async function open(port: number, message: string): Promise<EchoClient> {
  const client = new EchoClient(new TextEncoder().encode(message));
  await client.connect(["127.0.0.1", port]);
  return client;
}

function usage(): never {
  console.error(
    "usage: asyncore_echo.ts server [--clients N] | client PORT MESSAGE | --demo",
  );
  Deno.exit(2);
}

if (import.meta.main) {
  const [command, ...rest] = Deno.args;
  if (command === "server" || command === "--demo") {
    const at = rest.indexOf("--clients");
    const clients = command === "--demo" ? 2 : at >= 0 ? Number(rest[at + 1]) : 1;
    if (!Number.isInteger(clients) || clients < 1) usage();
    const server = new EchoServer("127.0.0.1", 0, clients);
    const port = (server.socket!.getsockname() as [string, number])[1];
    console.log("port", port);
    const messages = command === "--demo" ? ["hello from the first client", "and the second"] : [];
    const demoClients = await Promise.all(messages.map((message) => open(port, message)));
    await loop();
    const echoed = demoClients.map((client) => new TextDecoder().decode(client.received));
    if (echoed.some((text, i) => text !== messages[i])) {
      console.error("demo: an echo differs from what was sent");
      Deno.exit(1);
    }
  } else if (command === "client" && rest.length === 2) {
    const port = Number(rest[0]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) usage();
    await open(port, rest[1]!);
    await loop();
  } else {
    usage();
  }
}
