/**
 * A line-based request/response server on `asynchat`, on pynet: a small memcached-like store.
 * Commands are `\r\n`-terminated lines (`set <key> <bytes>`, `get <key>`, `delete <key>`,
 * `quit`); the data block of a `set` is read with an integer terminator (its byte count plus
 * the `\r\n` after it), so it may hold any bytes, `\r\n` included. The terminator switches from
 * bytes to a count and back inside `foundTerminator`, as asynchat allows.
 *
 * It binds 127.0.0.1 (`--port`, default a port from the OS) and prints `port <number>`. With
 * `--clients N` it stops listening once N clients have sent a command and closed, and exits once
 * every connection has closed; a connection that sends nothing (a client that connects and
 * resets) is not counted. Without it, it serves until killed. `--demo` runs a scripted client of its own and exits.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asynchat_cache_server.ts --demo
 * printf 'set a 5\r\nhello\r\nget a\r\nquit\r\n' | nc 127.0.0.1 <port>
 * ```
 *
 * The Python original, for comparison (`python3 original.py [PORT]`; pynet's port adds
 * `--clients` and `--demo`):
 *
 * ```python
 * import asynchat
 * import asyncore
 * import sys
 *
 * class CacheSession(asynchat.async_chat):
 *     """One client of a memcached-like store: command lines, and data blocks of a known size."""
 *
 *     def __init__(self, sock, store):
 *         asynchat.async_chat.__init__(self, sock)
 *         self.store = store
 *         self.data = []
 *         self.pending = None  # the key of a 'set' whose data block is being read
 *         self.set_terminator(b'\r\n')
 *
 *     def collect_incoming_data(self, data):
 *         self.data.append(data)
 *
 *     def found_terminator(self):
 *         data = b''.join(self.data)
 *         self.data = []
 *         if self.pending is not None:
 *             # A data block and its \r\n, counted by an integer terminator.
 *             key, self.pending = self.pending, None
 *             self.set_terminator(b'\r\n')
 *             if data[-2:] != b'\r\n':
 *                 self.push(b'CLIENT_ERROR bad data chunk\r\n')
 *             else:
 *                 self.store[key] = data[:-2]
 *                 self.push(b'STORED\r\n')
 *             return
 *         words = data.split()
 *         if len(words) == 3 and words[0] == b'set' and words[2].isdigit():
 *             self.pending = words[1]
 *             self.set_terminator(int(words[2]) + 2)
 *         elif len(words) == 2 and words[0] == b'get':
 *             value = self.store.get(words[1])
 *             if value is not None:
 *                 self.push(b'VALUE %s %d\r\n%s\r\n' % (words[1], len(value), value))
 *             self.push(b'END\r\n')
 *         elif len(words) == 2 and words[0] == b'delete':
 *             if self.store.pop(words[1], None) is None:
 *                 self.push(b'NOT_FOUND\r\n')
 *             else:
 *                 self.push(b'DELETED\r\n')
 *         elif words == [b'quit']:
 *             self.close_when_done()
 *         else:
 *             self.push(b'ERROR\r\n')
 *
 * class CacheServer(asyncore.dispatcher):
 *
 *     def __init__(self, host, port):
 *         asyncore.dispatcher.__init__(self)
 *         self.create_socket()
 *         self.set_reuse_addr()
 *         self.bind((host, port))
 *         self.listen(5)
 *         self.store = {}
 *
 *     def handle_accepted(self, sock, addr):
 *         CacheSession(sock, self.store)
 *
 * server = CacheServer('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 0)
 * print('port', server.socket.getsockname()[1], flush=True)
 * asyncore.loop()
 * ```
 *
 * @module
 */
import { AsyncChat } from "../asynchat/mod.ts";
import { Dispatcher, loop } from "../asyncore/mod.ts";
import { createConnection, type Socket } from "../socket/mod.ts";

const CRLF = bytes("\r\n");

/** One client of a memcached-like store: command lines, and data blocks of a known size. */
class CacheSession extends AsyncChat {
  data: Uint8Array[] = [];
  /** The key of a `set` whose data block is being read. */
  pending: string | null = null;

  /** Whether a command came: a connection that sends nothing is not a client served. */
  commanded = false;

  constructor(sock: Socket, readonly server: CacheServer) {
    super(sock);
    this.setTerminator(CRLF);
  }

  get store(): Map<string, Uint8Array> {
    return this.server.store;
  }

  override handleClose(): void {
    // EOF, a reset (ECONNRESET) and the end of closeWhenDone() all end here, as in asynchat.
    this.close();
    if (this.commanded) this.server.served();
  }

  override collectIncomingData(data: Uint8Array): void {
    this.data.push(data);
  }

  override async foundTerminator(): Promise<void> {
    const data = join(this.data);
    this.data = [];
    this.commanded = true;
    if (this.pending !== null) {
      // A data block and its \r\n, counted by an integer terminator.
      const key = this.pending;
      this.pending = null;
      this.setTerminator(CRLF);
      if (latin1(data.subarray(-2)) !== "\r\n") {
        await this.push(bytes("CLIENT_ERROR bad data chunk\r\n"));
      } else {
        this.store.set(key, data.slice(0, -2));
        await this.push(bytes("STORED\r\n"));
      }
      return;
    }
    // bytes.split(): runs of ASCII whitespace.
    const words = latin1(data).split(/[ \t\n\r\v\f]+/).filter((word) => word !== "");
    const [command, key, size] = words;
    if (words.length === 3 && command === "set" && /^[0-9]+$/.test(size!)) {
      this.pending = key!;
      this.setTerminator(Number(size) + 2);
    } else if (words.length === 2 && command === "get") {
      const value = this.store.get(key!);
      if (value !== undefined) {
        await this.push(join([bytes(`VALUE ${key} ${value.length}\r\n`), value, CRLF]));
      }
      await this.push(bytes("END\r\n"));
    } else if (words.length === 2 && command === "delete") {
      await this.push(bytes(this.store.delete(key!) ? "DELETED\r\n" : "NOT_FOUND\r\n"));
    } else if (words.length === 1 && command === "quit") {
      this.closeWhenDone();
    } else {
      await this.push(bytes("ERROR\r\n"));
    }
  }
}

class CacheServer extends Dispatcher {
  store = new Map<string, Uint8Array>();
  #left: number;

  /** `clients`: clients to serve before it stops listening (pynet's addition). */
  constructor(host: string, port: number, clients = Infinity) {
    super();
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(5);
    this.#left = clients;
  }

  override handleAccepted(sock: Socket): void {
    new CacheSession(sock, this);
  }

  /** A client has sent a command and gone: after the last one, stop listening. */
  served(): void {
    if (--this.#left === 0) this.close();
  }
}

// Keys are bytes in the Python original: one character per byte keeps them exact.
function latin1(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** b"".join(parts) */
function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The demo's client: each request, and the reply it must get, byte for byte. */
const DEMO: [request: string, reply: string][] = [
  ["get greeting\r\n", "END\r\n"],
  ["set greeting 5\r\nhello\r\n", "STORED\r\n"],
  ["get greeting\r\n", "VALUE greeting 5\r\nhello\r\nEND\r\n"],
  ["set lines 13\r\none\r\ntwo\r\nsix\r\n", "STORED\r\n"],
  ["get lines\r\n", "VALUE lines 13\r\none\r\ntwo\r\nsix\r\nEND\r\n"],
  ["set short 2\r\nabcd\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\n"],
  ["delete greeting\r\n", "DELETED\r\n"],
  ["delete greeting\r\n", "NOT_FOUND\r\n"],
  ["flush_all\r\n", "ERROR\r\n"],
];

async function demo(port: number): Promise<boolean> {
  using sock = await createConnection(["127.0.0.1", port], 10);
  let ok = true;
  for (const [request, reply] of DEMO) {
    await sock.sendall(bytes(request));
    let got = "";
    while (got.length < reply.length) {
      const data = await sock.recv(4096);
      if (data.length === 0) break;
      got += latin1(data);
    }
    const same = got === reply;
    ok &&= same;
    console.log(`${JSON.stringify(request)} -> ${JSON.stringify(got)}${same ? "" : " MISMATCH"}`);
  }
  await sock.sendall(bytes("quit\r\n"));
  const rest = await sock.recv(4096);
  console.log(`"quit\\r\\n" -> ${rest.length === 0 ? "connection closed" : "MISMATCH"}`);
  return ok && rest.length === 0;
}

function usage(): never {
  console.error("usage: asynchat_cache_server.ts [--port P] [--clients N] [--demo]");
  Deno.exit(2);
}

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  const value = at >= 0 ? Number(Deno.args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) usage();
  return value;
}

if (import.meta.main) {
  const demoMode = Deno.args.includes("--demo");
  const clients = flag("--clients", demoMode ? 1 : 0);
  const server = new CacheServer("127.0.0.1", flag("--port", 0), clients || Infinity);
  const port = (server.socket!.getsockname() as [string, number])[1];
  console.log("port", port);
  const serving = loop();
  const ok = demoMode ? await demo(port) : true;
  await serving;
  if (!ok) Deno.exit(1);
}
