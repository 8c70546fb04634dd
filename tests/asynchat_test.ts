// asynchat against CPython 3.11: the same handler, fed the same bytes split the same (seeded,
// random) ways, makes the same collectIncomingData/foundTerminator calls in python3 and in
// pynet; CPython's asynchat peers on loopback both ways; and test_asynchat's unit checks.
import { assert, assertEquals, assertInstanceOf, assertThrows } from "@std/assert";
import { AsyncChat, findPrefixAtEnd, SimpleProducer, type Terminator } from "../asynchat/mod.ts";
import { Dispatcher, loop } from "../asyncore/mod.ts";
import {
  type Address,
  BlockingIOError,
  NotImplementedError,
  OSError,
  type Socket,
  socketpair,
  ValueError,
} from "../socket/mod.ts";
import { bytes, startPython, text, within } from "./_helpers.ts";

// ---- the oracle: one handler, every split ------------------------------------------------

/** Bytes <-> latin-1 text, so that any byte travels through JSON to python3 and back. */
function latin1(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return s;
}
function fromLatin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

type Event = (string | number | null | [string, boolean])[];

function encTerminator(t: Terminator): string | number | null | [string, boolean] {
  if (t === null) return null;
  if (typeof t === "boolean") return ["bool", t];
  if (typeof t === "number") return t;
  return "b:" + (typeof t === "string" ? t : latin1(t));
}

const MODES: Record<string, Terminator> = {
  lines: bytes("\r\n"),
  qqq: bytes("qqq"),
  switch: bytes("\r\n"),
  count: 5,
  none: null,
  close: bytes("\n"),
  discard: bytes("\n"),
  long: bytes("\r\n.\r\n"),
};

/** The handler of the oracle script, in pynet: every call recorded, terminators switched. */
class Recorder extends AsyncChat {
  readonly events: Event[] = [];
  #chunks: Uint8Array[];
  #record: Uint8Array[] = [];
  #found = 0;

  constructor(readonly mode: string, chunks: string[]) {
    super();
    this.#chunks = chunks.map(fromLatin1);
    this.setTerminator(MODES[mode]!);
  }

  get pending(): number {
    return this.#chunks.length;
  }

  override recv(): Promise<Uint8Array> {
    return Promise.resolve(this.#chunks.shift()!);
  }

  override collectIncomingData(data: Uint8Array): void {
    this.events.push(["c", latin1(data)]);
    this.#record.push(data.slice());
  }

  override foundTerminator(): void {
    this.#found++;
    const rec = latin1(Uint8Array.from(this.#record.flatMap((d) => [...d])));
    this.#record = [];
    this.events.push(["f", encTerminator(this.getTerminator())]);
    if (this.mode === "count") {
      this.setTerminator(5);
    } else if (this.mode === "switch") {
      const m = /^Len: (\d+)$/.exec(rec);
      if (m) this.setTerminator(Number(m[1]));
      else if (rec === "LF") this.setTerminator(bytes("\n"));
      else if (rec === "CRLF") this.setTerminator(bytes("\r\n"));
      else if (rec === "NONE") this.setTerminator(null);
      else if (this.getTerminator() === 0) this.setTerminator(bytes("\n"));
    } else if (this.mode === "close" && this.#found === 2) {
      this.close();
      this.events.push(["closed"]);
    } else if (this.mode === "discard" && this.#found === 2) {
      this.discardBuffers();
      this.events.push(["discarded"]);
    }
  }
}

/** The same handler, whose calls return Promises that settle a turn later. */
class AsyncRecorder extends Recorder {
  override collectIncomingData(data: Uint8Array): Promise<void> {
    return Promise.resolve().then(() => super.collectIncomingData(data));
  }
  override foundTerminator(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 0)).then(() => super.foundTerminator());
  }
}

const ORACLE = `
import json, sys, warnings
warnings.simplefilter("ignore")
import asynchat

def enc(t):
    if t is None: return None
    if isinstance(t, bool): return ["bool", t]
    if isinstance(t, int): return t
    return "b:" + t.decode("latin-1")

class Chat(asynchat.async_chat):
    def __init__(self, mode, chunks):
        asynchat.async_chat.__init__(self)
        self.mode = mode
        self.chunks = [c.encode("latin-1") for c in chunks]
        self.events = []
        self.record = b""
        self.found = 0
        self.set_terminator({"lines": b"\\r\\n", "qqq": b"qqq", "switch": b"\\r\\n", "count": 5,
                             "none": None, "close": b"\\n", "discard": b"\\n",
                             "long": b"\\r\\n.\\r\\n"}[mode])
    def recv(self, n):
        return self.chunks.pop(0)
    def collect_incoming_data(self, data):
        self.events.append(["c", data.decode("latin-1")])
        self.record += data
    def found_terminator(self):
        self.found += 1
        rec, self.record = self.record, b""
        self.events.append(["f", enc(self.get_terminator())])
        if self.mode == "count":
            self.set_terminator(5)
        elif self.mode == "switch":
            if rec.startswith(b"Len: ") and rec[5:].isdigit():
                self.set_terminator(int(rec[5:]))
            elif rec == b"LF":
                self.set_terminator(b"\\n")
            elif rec == b"CRLF":
                self.set_terminator(b"\\r\\n")
            elif rec == b"NONE":
                self.set_terminator(None)
            elif self.get_terminator() == 0:
                self.set_terminator(b"\\n")
        elif self.mode == "close" and self.found == 2:
            self.close()
            self.events.append(["closed"])
        elif self.mode == "discard" and self.found == 2:
            self.discard_buffers()
            self.events.append(["discarded"])

mode = sys.argv[1]
for chunks in json.loads(sys.argv[2]):
    chat = Chat(mode, chunks)
    while chat.chunks:
        chat.handle_read()
    chat.events.append(["rest", chat.ac_in_buffer.decode("latin-1"), enc(chat.get_terminator())])
    print(json.dumps(chat.events))
`;

/** A small seeded PRNG (mulberry32), so that a failing split can be reproduced. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream for `mode`: pieces chosen to put terminators, and parts of them, everywhere. */
function streamFor(mode: string, random: () => number): string {
  const pieces: Record<string, string[]> = {
    lines: ["ab", "\r\n", "\r", "\n", "x\r\ny", "", "hello world", "\r\n\r\n"],
    qqq: ["a", "q", "qq", "qqq", "b", "qqqq"],
    switch: [
      "HDR\r\n",
      "Len: 4\r\nBODY",
      "Len: 3\r\n\r\nX",
      "next\n",
      "LF\n",
      "a\nb\n",
      "CRLF\n",
      "z\r\n",
      "Len: 0\r\n",
    ],
    count: ["abc", "defgh", "\r\n", "12345678901"],
    none: ["abc", "\r\n", "data"],
    close: ["a\n", "b\n", "c", "\n", "dd\nee"],
    discard: ["a\n", "b\n", "c\nd\n", "e"],
    long: ["abc", "\r\n.\r", "\n", "\r\n", ".", "\r\n.\r\n", "x\r\n..\r\n"],
  };
  const list = pieces[mode]!;
  let s = "";
  for (let i = 0; i < 12; i++) s += list[Math.floor(random() * list.length)]!;
  if (mode === "switch") s += "NONE\nrest\r\nof it";
  return s;
}

/** Splits of `s`: all at once, byte by byte, and random cuts. */
function splitsOf(s: string, random: () => number, count: number): string[][] {
  const out: string[][] = [[s], [...s]];
  for (let i = 0; i < count; i++) {
    const chunks: string[] = [];
    let at = 0;
    while (at < s.length) {
      const n = 1 + Math.floor(random() * Math.min(8, s.length - at));
      chunks.push(s.slice(at, at + n));
      at += n;
    }
    out.push(chunks);
  }
  return out;
}

for (const mode of Object.keys(MODES)) {
  Deno.test(`asynchat: the same calls as CPython for every split of the input (${mode}, seeded random splits)`, async () => {
    const random = prng(0x5eed + mode.length * 7919 + mode.charCodeAt(0));
    const runs: string[][] = [];
    for (let stream = 0; stream < 4; stream++) {
      runs.push(...splitsOf(streamFor(mode, random), random, 10));
    }
    await using py = startPython(ORACLE, [mode, JSON.stringify(runs)]);
    for (const [i, chunks] of runs.entries()) {
      const expected = JSON.parse(await py.readLine());
      // The same handlers, returning nothing, and returning Promises (awaited by the parser).
      for (const chat of [new Recorder(mode, chunks), new AsyncRecorder(mode, chunks)]) {
        while (chat.pending > 0) await chat.handleRead();
        chat.events.push(["rest", latin1(chat.acInBuffer), encTerminator(chat.getTerminator())]);
        assertEquals(
          chat.events,
          expected,
          `run ${i} (${chat.constructor.name}): ${JSON.stringify(chunks)}`,
        );
      }
    }
    const { code, stderr } = await py.finish();
    assertEquals(code, 0, stderr);
  });
}

// ---- test_asynchat's unit checks -------------------------------------------------------------

/** A chat that keeps its records. */
class Collector extends AsyncChat {
  contents: string[] = [];
  override collectIncomingData(data: Uint8Array): void {
    this._collectIncomingData(data);
  }
  override foundTerminator(): void {
    this.contents.push(text(this._getData()));
  }
}

Deno.test("asynchat: findPrefixAtEnd as test_find_prefix_at_end", () => {
  assertEquals(findPrefixAtEnd(bytes("qwerty\r"), bytes("\r\n")), 1);
  assertEquals(findPrefixAtEnd(bytes("qwertydkjf"), bytes("\r\n")), 0);
  assertEquals(findPrefixAtEnd("", "\r\n"), 0);
});

Deno.test("asynchat: a negative byte count is ValueError; 0 and null mean no terminator", () => {
  const chat = new Collector();
  const e = assertThrows(() => chat.setTerminator(-1), ValueError);
  assertEquals(e.message, "the number of received bytes must be positive");
  chat.setTerminator(0);
  assertEquals(chat.getTerminator(), 0);
});

Deno.test("asynchat: push() takes bytes only, with CPython's (unformatted) message", async () => {
  const chat = new Collector();
  for (const bad of ["text", 10]) {
    const e = await chat.push(bad as unknown as Uint8Array).then(() => null, (e) => e);
    assertInstanceOf(e, TypeError);
    assertEquals(
      e.message,
      `('data argument must be byte-ish (%r)', <class '${
        typeof bad === "string" ? "str" : "int"
      }'>)`,
    );
  }
});

Deno.test("asynchat: the default collectIncomingData and foundTerminator raise NotImplementedError", () => {
  const chat = new AsyncChat();
  assertThrows(() => chat.collectIncomingData(bytes("x")), NotImplementedError);
  assertThrows(() => chat.foundTerminator(), NotImplementedError);
});

Deno.test("asynchat: handleRead ignores BlockingIOError from recv, and passes another OSError to handleError", async () => {
  const errors: unknown[] = [];
  class Mocked extends Collector {
    error: OSError = new BlockingIOError(11);
    override recv(): Promise<Uint8Array> {
      return Promise.reject(this.error);
    }
    override handleError(error: unknown): Promise<void> {
      errors.push(error);
      return Promise.resolve();
    }
  }
  const chat = new Mocked();
  await chat.handleRead();
  assertEquals(errors, []);
  chat.error = new OSError(5);
  await chat.handleRead();
  assertEquals(errors, [chat.error]);
});

Deno.test("asynchat: a text terminator needs useEncoding (latin-1), as in Python 3", async () => {
  const chat = new Collector();
  chat.useEncoding = true;
  chat.setTerminator("\r\n");
  assertEquals(chat.getTerminator(), bytes("\r\n"));
  class Fed extends Collector {
    override recv(): Promise<Uint8Array> {
      return Promise.resolve(bytes("a\n"));
    }
  }
  const fed = new Fed(null, new Map());
  fed.setTerminator("\n");
  const error = await fed.handleRead().then(() => null, (e) => e);
  assertInstanceOf(error, TypeError);
  assertEquals(error.message, "argument should be integer or bytes-like object, not 'str'");
});

// ---- on loopback, with CPython's asynchat as the peer ----------------------------------------

/** test_asynchat's echo server, in pynet: echoes each line in upper case; "QUIT" ends it. */
class LineServer extends AsyncChat {
  #line: Uint8Array[] = [];
  constructor(sock: Socket, map: Map<number, Dispatcher>) {
    super(sock, map);
    this.setTerminator(bytes("\r\n"));
  }
  override collectIncomingData(data: Uint8Array): void {
    this.#line.push(data);
  }
  override async foundTerminator(): Promise<void> {
    const line = this.#line.map(text).join("");
    this.#line = [];
    if (line === "QUIT") {
      this.closeWhenDone();
      await this.initiateSend();
      return;
    }
    await this.pushWithProducer(new SimpleProducer(bytes(line.toUpperCase() + "\r\n"), 3));
  }
}

Deno.test("asynchat on loopback: a pynet line server serves CPython's asynchat client", async () => {
  const map = new Map<number, Dispatcher>();
  class Server extends Dispatcher {
    override handleAccepted(sock: Socket, _addr: Address): void {
      new LineServer(sock, map);
      this.close();
    }
  }
  const server = new Server(null, map);
  server.createSocket();
  server.bind(["127.0.0.1", 0]);
  server.listen(5);
  const port = (server.socket!.getsockname() as [string, number])[1];
  await using py = startPython(
    `
import asynchat, asyncore, json, socket, sys, warnings
warnings.simplefilter("ignore")
class Client(asynchat.async_chat):
    def __init__(self, port):
        asynchat.async_chat.__init__(self)
        self.contents = []
        self.buf = b""
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.connect(("127.0.0.1", port))
        self.set_terminator(b"\\r\\n")
    def handle_connect(self):
        self.push(b"hello world\\r\\nI'm not dead yet!\\r\\n\\r\\n")
        self.push_with_producer(asynchat.simple_producer(b"produced\\r\\nQUIT\\r\\n", 4))
    def collect_incoming_data(self, data):
        self.buf += data
    def found_terminator(self):
        self.contents.append(self.buf.decode())
        self.buf = b""
    def handle_close(self):
        self.contents.append("<closed>")
        self.close()
c = Client(int(sys.argv[1]))
asyncore.loop(timeout=5, count=200)
print(json.dumps(c.contents))
`,
    [String(port)],
  );
  await within(loop({ timeout: 1, map }));
  assertEquals(JSON.parse(await py.readLine()), [
    "HELLO WORLD",
    "I'M NOT DEAD YET!",
    "",
    "PRODUCED",
    "<closed>",
  ]);
  assertEquals((await py.finish()).code, 0);
});

Deno.test("asynchat on loopback: a pynet asynchat client is served by CPython's asynchat server", async () => {
  await using py = startPython(`
import asynchat, asyncore, socket, warnings
warnings.simplefilter("ignore")
class Handler(asynchat.async_chat):
    def __init__(self, sock):
        asynchat.async_chat.__init__(self, sock)
        self.set_terminator(b"\\n")
        self.buf = b""
    def collect_incoming_data(self, data):
        self.buf += data
    def found_terminator(self):
        line, self.buf = self.buf, b""
        if line == b"QUIT":
            self.close_when_done()
        else:
            self.push(b"%d:%s\\n" % (len(line), line[::-1]))
class Server(asyncore.dispatcher):
    def __init__(self):
        asyncore.dispatcher.__init__(self)
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.bind(("127.0.0.1", 0))
        self.listen(5)
        print(self.socket.getsockname()[1], flush=True)
    def handle_accepted(self, sock, addr):
        Handler(sock)
        self.close()
Server()
asyncore.loop(timeout=5)
print("served", flush=True)
`);
  const port = Number(await py.readLine());
  const map = new Map<number, Dispatcher>();
  const got: string[] = [];
  class Client extends AsyncChat {
    #buf = "";
    override collectIncomingData(data: Uint8Array): void {
      this.#buf += text(data);
    }
    override foundTerminator(): void {
      got.push(this.#buf);
      this.#buf = "";
    }
    override handleClose(): void {
      got.push("<closed>");
      this.close();
    }
  }
  const client = new Client(null, map);
  client.createSocket();
  client.setTerminator(bytes("\n"));
  await client.connect(["127.0.0.1", port]);
  // Pushed while the connect is under way: sent once it completes.
  await client.push(bytes("abc\nhello world\n\n"));
  await client.pushWithProducer(new SimpleProducer(bytes("x".repeat(3000) + "\nQUIT\n"), 512));
  await within(loop({ timeout: 1, map }));
  assertEquals(got, ["3:cba", "11:dlrow olleh", "0:", `3000:${"x".repeat(3000)}`, "<closed>"]);
  assertEquals(await py.readLine(), "served");
});

Deno.test("asynchat: closeWhenDone closes after the queued output is sent; records are reported for empty lines", async () => {
  const [a, b] = socketpair();
  using _a = a;
  const map = new Map<number, Dispatcher>();
  const chat = new Collector(b, map);
  chat.setTerminator(bytes("\n"));
  await a.sendall(bytes("hello world\n\nI'm not dead yet!\n"));
  await loop({ timeout: 1, map, count: 1 });
  assertEquals(chat.contents, ["hello world", "", "I'm not dead yet!"]);
  await chat.push(bytes("bye"));
  chat.closeWhenDone();
  await loop({ timeout: 1, map });
  assertEquals(map.size, 0);
  assertEquals(text(await a.recv(10)), "bye");
  assertEquals((await a.recv(10)).length, 0);
  assert(!chat.connected);
});

Deno.test("asynchat: parsing is linear: bytes searched and copied stay within twice the input, however the reads fall", async () => {
  const record = bytes("abcdefghi\r\n");
  const stream = new Uint8Array(record.length * 20_000);
  for (let i = 0; i < stream.length; i += record.length) stream.set(record, i);
  const indexOf = Uint8Array.prototype.indexOf;
  const set = Uint8Array.prototype.set;
  const slice = Uint8Array.prototype.slice;
  for (const readSize of [1, 3, 10, 4096, 65536, stream.length]) {
    let searched = 0;
    let copied = 0;
    let records = 0;
    class Counting extends AsyncChat {
      pos = 0;
      override recv(): Promise<Uint8Array> {
        const data = stream.subarray(this.pos, this.pos + readSize);
        this.pos += data.length;
        return Promise.resolve(data);
      }
      override collectIncomingData(): void {}
      override foundTerminator(): void {
        records++;
      }
    }
    const chat = new Counting();
    chat.setTerminator(bytes("\r\n"));
    Uint8Array.prototype.indexOf = function (this: Uint8Array, value: number, from = 0) {
      const found = indexOf.call(this, value, from);
      searched += (found === -1 ? this.length : found + 1) - from;
      return found;
    };
    Uint8Array.prototype.set = function (this: Uint8Array, source: ArrayLike<number>, offset) {
      copied += source.length;
      return set.call(this, source, offset);
    };
    Uint8Array.prototype.slice = function (this: Uint8Array, start?: number, end?: number) {
      const out = slice.call(this, start, end);
      copied += out.length;
      return out;
    };
    try {
      while (chat.pos < stream.length) await chat.handleRead();
    } finally {
      Uint8Array.prototype.indexOf = indexOf;
      Uint8Array.prototype.set = set;
      Uint8Array.prototype.slice = slice;
    }
    assertEquals(records, 20_000);
    assert(searched <= 2 * stream.length, `read ${readSize}: ${searched} bytes searched`);
    assert(copied <= 2 * stream.length, `read ${readSize}: ${copied} bytes copied`);
  }
});

Deno.test("asynchat: a producer whose more() returns a Promise is awaited, its pieces sent in order", async () => {
  const [a, b] = socketpair();
  using _a = a;
  const map = new Map<number, Dispatcher>();
  const chat = new Collector(b, map);
  const pieces = ["one ", "two ", "three"];
  await chat.pushWithProducer({
    async more() {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return bytes(pieces.shift() ?? "");
    },
  });
  await chat.push(bytes(" end"));
  chat.closeWhenDone();
  await within(loop({ timeout: 1, map }));
  let got = "";
  for (let data; (data = await within(a.recv(100))).length > 0;) got += text(data);
  assertEquals(got, "one two three end");
});
