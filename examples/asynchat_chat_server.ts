/**
 * The classic multi-user chat server on `asynchat`, on pynet: every connection is an
 * `AsyncChat` session reading `\r\n`-terminated lines; `/nick <name>` logs in (or renames),
 * every other line is broadcast to all logged-in users as `<name>: <text>`, `/quit` says goodbye
 * and closes once the goodbye is sent (`closeWhenDone`), and the others hear of every join,
 * rename and leave. Try it with `nc 127.0.0.1 <port>` (`nc -C` sends `\r\n`).
 *
 * It binds 127.0.0.1 (`--port`, default a port from the OS) and prints `port <number>`. With
 * `--clients N` it stops listening once N users have said something and left, and exits once
 * every connection has closed (the loop ends by itself when its map is empty); a connection that
 * says nothing (a client that connects and resets) is not counted. Without it, it serves until
 * killed. `--demo` runs
 * three scripted users of its own against it and exits.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asynchat_chat_server.ts --demo
 * ./tools/node_modules/.bin/deno run --allow-net=127.0.0.1 examples/asynchat_chat_server.ts --port 5005
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
 * class ChatSession(asynchat.async_chat):
 *     """One user: reads lines, and hands each to the server."""
 *
 *     def __init__(self, server, sock):
 *         asynchat.async_chat.__init__(self, sock)
 *         self.server = server
 *         self.set_terminator(b'\r\n')
 *         self.data = []
 *         self.nick = None
 *         self.push(b'Welcome! Pick a name with /nick <name>\r\n')
 *
 *     def collect_incoming_data(self, data):
 *         self.data.append(data)
 *
 *     def found_terminator(self):
 *         line = b''.join(self.data).decode('utf-8', 'replace')
 *         self.data = []
 *         if line.startswith('/nick '):
 *             self.server.set_nick(self, line[6:].strip())
 *         elif line == '/quit':
 *             self.push(b'Bye!\r\n')
 *             self.close_when_done()
 *         elif self.nick is None:
 *             self.push(b'Pick a name first: /nick <name>\r\n')
 *         elif line:
 *             self.server.broadcast('%s: %s' % (self.nick, line))
 *
 *     def handle_close(self):
 *         self.server.leave(self)
 *         self.close()
 *
 * class ChatServer(asyncore.dispatcher):
 *
 *     def __init__(self, host, port):
 *         asyncore.dispatcher.__init__(self)
 *         self.create_socket()
 *         self.set_reuse_addr()
 *         self.bind((host, port))
 *         self.listen(5)
 *         self.users = {}
 *
 *     def handle_accepted(self, sock, addr):
 *         ChatSession(self, sock)
 *
 *     def broadcast(self, line):
 *         for session in self.users.values():
 *             session.push(line.encode('utf-8') + b'\r\n')
 *
 *     def set_nick(self, session, nick):
 *         if not nick or ' ' in nick:
 *             session.push(b'A name is one word\r\n')
 *         elif nick in self.users:
 *             session.push(('The name %s is taken\r\n' % nick).encode('utf-8'))
 *         elif session.nick is None:
 *             session.nick = nick
 *             self.users[nick] = session
 *             self.broadcast('* %s has joined' % nick)
 *         else:
 *             old = session.nick
 *             del self.users[old]
 *             session.nick = nick
 *             self.users[nick] = session
 *             self.broadcast('* %s is now known as %s' % (old, nick))
 *
 *     def leave(self, session):
 *         if self.users.get(session.nick) is session:
 *             del self.users[session.nick]
 *             self.broadcast('* %s has left' % session.nick)
 *
 * server = ChatServer('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 0)
 * print('port', server.socket.getsockname()[1], flush=True)
 * asyncore.loop()
 * ```
 *
 * @module
 */
import { AsyncChat } from "../asynchat/mod.ts";
import { Dispatcher, loop } from "../asyncore/mod.ts";
import { createConnection, type Socket } from "../socket/mod.ts";

const encoder = new TextEncoder();

/** One user: reads lines, and hands each to the server. */
class ChatSession extends AsyncChat {
  data: Uint8Array[] = [];
  nick: string | null = null;
  /** Whether the user sent a line: a connection that says nothing is not a user served. */
  spoke = false;

  constructor(readonly server: ChatServer, sock: Socket) {
    super(sock);
    this.setTerminator(encoder.encode("\r\n"));
    this.push(encoder.encode("Welcome! Pick a name with /nick <name>\r\n"));
  }

  override collectIncomingData(data: Uint8Array): void {
    this.data.push(data);
  }

  override async foundTerminator(): Promise<void> {
    const line = new TextDecoder().decode(join(this.data));
    this.data = [];
    this.spoke = true;
    if (line.startsWith("/nick ")) {
      await this.server.setNick(this, line.slice(6).trim());
    } else if (line === "/quit") {
      await this.push(encoder.encode("Bye!\r\n"));
      this.closeWhenDone();
    } else if (this.nick === null) {
      await this.push(encoder.encode("Pick a name first: /nick <name>\r\n"));
    } else if (line) {
      await this.server.broadcast(`${this.nick}: ${line}`);
    }
  }

  override async handleClose(): Promise<void> {
    // EOF, a reset (ECONNRESET) and the end of closeWhenDone() all end here, as in asynchat.
    await this.server.leave(this);
    this.close();
    if (this.spoke) this.server.served();
  }
}

class ChatServer extends Dispatcher {
  users = new Map<string, ChatSession>();
  #left: number;

  /** `clients`: users to serve before it stops listening (pynet's addition). */
  constructor(host: string, port: number, clients = Infinity) {
    super();
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(5);
    this.#left = clients;
  }

  override handleAccepted(sock: Socket): void {
    new ChatSession(this, sock);
  }

  /** A user has spoken and left: after the last one, stop listening. */
  served(): void {
    if (--this.#left === 0) this.close();
  }

  async broadcast(line: string): Promise<void> {
    for (const session of this.users.values()) await session.push(encoder.encode(`${line}\r\n`));
  }

  async setNick(session: ChatSession, nick: string): Promise<void> {
    if (!nick || nick.includes(" ")) {
      await session.push(encoder.encode("A name is one word\r\n"));
    } else if (this.users.has(nick)) {
      await session.push(encoder.encode(`The name ${nick} is taken\r\n`));
    } else if (session.nick === null) {
      session.nick = nick;
      this.users.set(nick, session);
      await this.broadcast(`* ${nick} has joined`);
    } else {
      const old = session.nick;
      this.users.delete(old);
      session.nick = nick;
      this.users.set(nick, session);
      await this.broadcast(`* ${old} is now known as ${nick}`);
    }
  }

  async leave(session: ChatSession): Promise<void> {
    if (session.nick !== null && this.users.get(session.nick) === session) {
      this.users.delete(session.nick);
      await this.broadcast(`* ${session.nick} has left`);
    }
  }
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

/** A scripted user of the demo: a plain socket, and the lines the server sent it. */
class DemoUser {
  #pending = "";
  readonly #decoder = new TextDecoder();

  private constructor(readonly name: string, readonly sock: Socket) {}

  static async connect(name: string, port: number): Promise<DemoUser> {
    return new DemoUser(name, await createConnection(["127.0.0.1", port], 10));
  }

  async say(line: string): Promise<void> {
    console.log(`${this.name} > ${line}`);
    await this.sock.sendall(encoder.encode(`${line}\r\n`));
  }

  /** Reads lines until `wanted` (exactly) has come, printing each; throws at EOF. */
  async expect(wanted: string): Promise<void> {
    for (;;) {
      const end = this.#pending.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end + 2);
        console.log(`${this.name} < ${line}`);
        if (line === wanted) return;
        continue;
      }
      const data = await this.sock.recv(4096);
      if (data.length === 0) throw new Error(`${this.name}: EOF while waiting for ${wanted}`);
      this.#pending += this.#decoder.decode(data, { stream: true });
    }
  }

  /** Reads to EOF, printing what is left. */
  async finish(): Promise<void> {
    for (let data; (data = await this.sock.recv(4096)).length > 0;) {
      this.#pending += this.#decoder.decode(data, { stream: true });
    }
    for (const line of this.#pending.split("\r\n").filter((l) => l)) {
      console.log(`${this.name} < ${line}`);
    }
    this.sock.close();
  }
}

/** Three users join, talk, one renames, one quits, one drops its connection. */
async function demo(port: number): Promise<void> {
  const ann = await DemoUser.connect("ann", port);
  await ann.expect("Welcome! Pick a name with /nick <name>");
  await ann.say("hello?");
  await ann.expect("Pick a name first: /nick <name>");
  await ann.say("/nick ann");
  await ann.expect("* ann has joined");
  const bob = await DemoUser.connect("bob", port);
  await bob.expect("Welcome! Pick a name with /nick <name>");
  await bob.say("/nick ann");
  await bob.expect("The name ann is taken");
  await bob.say("/nick bob");
  await bob.expect("* bob has joined");
  await ann.expect("* bob has joined");
  const cy = await DemoUser.connect("cy", port);
  await cy.say("/nick cy");
  await cy.expect("* cy has joined");
  await ann.say("hi bob, hi cy");
  for (const user of [ann, bob, cy]) await user.expect("ann: hi bob, hi cy");
  await bob.say("/nick robert");
  for (const user of [ann, bob, cy]) await user.expect("* bob is now known as robert");
  await cy.say("/quit");
  await cy.expect("Bye!");
  await cy.finish();
  for (const user of [ann, bob]) await user.expect("* cy has left");
  bob.sock.close(); // no /quit: the server sees the connection end
  await ann.expect("* robert has left");
  await ann.say("/quit");
  await ann.expect("Bye!");
  await ann.finish();
}

function usage(): never {
  console.error("usage: asynchat_chat_server.ts [--port P] [--clients N] [--demo]");
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
  const clients = flag("--clients", demoMode ? 3 : 0);
  const server = new ChatServer("127.0.0.1", flag("--port", 0), clients || Infinity);
  const port = (server.socket!.getsockname() as [string, number])[1];
  console.log("port", port);
  const serving = loop();
  if (demoMode) await demo(port);
  await serving;
}
