// The shortcuts asyncore and asynchat take on their per-event paths keep CPython's calls: a
// pass asks readable()/writable() in map order even when some answer with a Promise; the
// handlers of one pass run in map order, reads before writes; DispatcherWithSend.send resolves
// to the length and still goes through an overridden initiateSend(); asynchat goes on parsing
// after an async foundTerminator(), record by record, and its push() keeps send()'s outcomes.
import { assertEquals } from "@std/assert";
import { AsyncChat } from "../asynchat/mod.ts";
import { Dispatcher, DispatcherWithSend, loop, poll, type SocketMap } from "../asyncore/mod.ts";
import { AF_UNIX, type BytesLike, SOCK_STREAM, Socket, socketpair } from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { bytes, text } from "./_helpers.ts";

/** Receives until `size` characters have come, or the peer closes. */
async function recvText(sock: Socket, size: number): Promise<string> {
  let got = "";
  while (got.length < size) {
    const data = await sock.recv(100);
    if (data.length === 0) break;
    got += text(data);
  }
  return got;
}

Deno.test("asyncore fast paths: predicates in map order, sync and async mixed; handlers in map order", async () => {
  const calls: string[] = [];
  const peers: Socket[] = [];
  const map: SocketMap = new Map();
  class Asker extends Dispatcher {
    constructor(
      readonly name: string,
      readonly asyncRead: boolean,
      readonly asyncWrite: boolean,
    ) {
      super(pairedEnd(peers), map);
    }
    override readable(): boolean | Promise<boolean> {
      calls.push(`${this.name}.readable`);
      return this.asyncRead ? Promise.resolve().then(() => false) : false;
    }
    override writable(): boolean | Promise<boolean> {
      calls.push(`${this.name}.writable`);
      return this.asyncWrite ? Promise.resolve().then(() => true) : true;
    }
    override handleWrite(): void {
      calls.push(`${this.name}.write`);
    }
  }
  const all = [
    new Asker("A", true, false),
    new Asker("B", false, true),
    new Asker("C", false, false),
    new Asker("D", true, true),
  ];
  await poll(1, map);
  assertEquals(calls, [
    "A.readable",
    "A.writable",
    "B.readable",
    "B.writable",
    "C.readable",
    "C.writable",
    "D.readable",
    "D.writable",
    "A.write",
    "B.write",
    "C.write",
    "D.write",
  ]);
  for (const d of all) d.close();
  for (const p of peers) p.close();
});

Deno.test("asyncore fast paths: one pass serves reads before writes, each in map order; an error goes to handleError and the pass goes on", async () => {
  const calls: string[] = [];
  const map: SocketMap = new Map();
  const peers: Socket[] = [];
  class Both extends Dispatcher {
    constructor(readonly name: string) {
      super(pairedEnd(peers), map);
    }
    override async handleRead(): Promise<void> {
      calls.push(`${this.name}.read ${text(await this.recv(10))}`);
      if (this.name === "B") throw new Error("boom");
    }
    override handleWrite(): void {
      calls.push(`${this.name}.write`);
    }
    override handleError(error: unknown): Promise<void> {
      calls.push(`${this.name}.error ${(error as Error).message}`);
      return Promise.resolve();
    }
  }
  const all = [new Both("A"), new Both("B"), new Both("C")];
  // Input for C first, then A, then B: the results still come in map order.
  await peers[2]!.sendall(bytes("c"));
  await peers[0]!.sendall(bytes("a"));
  await peers[1]!.sendall(bytes("b"));
  await poll(1, map);
  assertEquals(calls, [
    "A.read a",
    "B.read b",
    "B.error boom",
    "C.read c",
    "A.write",
    "B.write",
    "C.write",
  ]);
  for (const d of all) d.close();
  for (const p of peers) p.close();
});

/** One end of a new socketpair; the other joins `peers`, for the test to write to. */
function pairedEnd(peers: Socket[]): Socket {
  const [a, b] = socketpair();
  peers.push(a);
  return b;
}

/** Waits until every socket of `sockets` has input (bounded). */
async function readableAll(sockets: Socket[]): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const [readable] = await select(sockets, [], [], 0.05);
    if (readable.length === sockets.length) return;
  }
  throw new Error("input did not land");
}

Deno.test("asyncore fast paths: a few ready among many dispatchers still come in map order", async () => {
  // Few results take a sort; most of the map ready takes their positions (asyncore/_watch.ts).
  const calls: string[] = [];
  const map: SocketMap = new Map();
  const peers: Socket[] = [];
  class Reader extends Dispatcher {
    constructor(readonly name: string) {
      super(pairedEnd(peers), map);
    }
    override writable(): boolean {
      return false;
    }
    override async handleRead(): Promise<void> {
      calls.push(`${this.name} ${text(await this.recv(10))}`);
    }
  }
  const all = Array.from({ length: 12 }, (_, i) => new Reader(`d${i}`));
  // A pass with no input registers them all; then d9's input lands first (it is readable
  // before d2's is sent), so the loop's ready set has it first.
  await poll(0.01, map);
  await peers[9]!.sendall(bytes("late"));
  await readableAll([all[9]!.socket!]);
  await peers[2]!.sendall(bytes("early"));
  await readableAll([all[9]!.socket!, all[2]!.socket!]);
  await poll(1, map);
  assertEquals(calls, ["d2 early", "d9 late"]);
  calls.length = 0;
  const order = [11, 7, 5, 3, 0, 8, 1, 10, 4];
  for (const i of order) await peers[i]!.sendall(bytes("x"));
  // Every input has landed before the pass, so that one pass reports them all.
  await readableAll(order.map((i) => all[i]!.socket!));
  await poll(1, map);
  assertEquals(calls, ["d0 x", "d1 x", "d3 x", "d4 x", "d5 x", "d7 x", "d8 x", "d10 x", "d11 x"]);
  for (const d of all) d.close();
  for (const p of peers) p.close();
});

Deno.test("asyncore fast paths: DispatcherWithSend.send resolves to the length, with or without an overridden initiateSend", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const plain = new DispatcherWithSend(b, map);
  assertEquals(await plain.send(bytes("hello")), 5);
  assertEquals(plain.outBuffer.length, 0);
  assertEquals(text(await a.recv(10)), "hello");
  plain.close();

  const [c, d] = socketpair();
  using _c = c;
  const initiated: number[] = [];
  class Counting extends DispatcherWithSend {
    override initiateSend(): Promise<void> {
      initiated.push(this.outBuffer.length);
      return super.initiateSend();
    }
  }
  const counting = new Counting(d, map);
  assertEquals(await counting.send(bytes("hey")), 3);
  assertEquals(initiated, [3]);
  assertEquals(text(await c.recv(10)), "hey");
  counting.close();
});

Deno.test("asyncore fast paths: DispatcherWithSend.send to a closed peer closes the dispatcher and resolves to the length", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  const calls: string[] = [];
  class Closing extends DispatcherWithSend {
    override handleClose(): void {
      calls.push("close");
      this.close();
    }
  }
  const d = new Closing(b, map);
  a.close();
  // The first send may still be taken by the kernel; a later one meets the closed peer.
  for (let i = 0; i < 5 && calls.length === 0; i++) {
    assertEquals(await d.send(bytes("x")), 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assertEquals(calls, ["close"]);
  assertEquals(map.size, 0);
});

Deno.test("asynchat fast paths: parsing goes on after an async foundTerminator, record by record, in one read", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const calls: string[] = [];
  class Lines extends AsyncChat {
    constructor(sock: Socket) {
      super(sock, map);
      this.setTerminator(bytes("\n"));
    }
    override collectIncomingData(data: Uint8Array): void {
      calls.push(`collect ${text(data)}`);
      this._collectIncomingData(data);
    }
    override async foundTerminator(): Promise<void> {
      const line = text(this._getData());
      calls.push(`found ${line}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      calls.push(`done ${line}`);
      if (line === "two") this.setTerminator(3);
    }
  }
  const chat = new Lines(b);
  await a.sendall(bytes("one\ntwo\nabcdef\n"));
  await loop({ timeout: 1, map, count: 1 });
  assertEquals(calls, [
    "collect one",
    "found one",
    "done one",
    "collect two",
    "found two",
    "done two",
    "collect abc",
    "found abc",
    "done abc",
    "collect def\n",
  ]);
  chat.close();
});

Deno.test("asyncore fast paths: recv gives buffered bytes as they are, and empty after handleClose at EOF or for recv(0)", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  const calls: string[] = [];
  class Reader extends Dispatcher {
    override writable(): boolean {
      return false;
    }
    override async handleRead(): Promise<void> {
      calls.push(`read ${text(await this.recv(4))}`);
      calls.push(`read ${text(await this.recv(100))}`);
      calls.push(`read0 ${(await this.recv(0)).length}`);
    }
    override handleClose(): void {
      calls.push("close");
    }
  }
  const d = new Reader(b, map);
  await a.sendall(bytes("abcdef"));
  await poll(1, map);
  assertEquals(calls, ["read abcd", "read ef", "close", "read0 0"]);
  a.close();
  calls.length = 0;
  await poll(1, map);
  assertEquals(calls, ["close", "read ", "close", "read ", "close", "read0 0"]);
  d.close();
});

Deno.test("asyncore: DispatcherWithSend sends each byte once when a send is not awaited before the next", async () => {
  const map: SocketMap = new Map();
  class Overriding extends DispatcherWithSend {
    override initiateSend(): Promise<void> {
      return super.initiateSend();
    }
  }
  for (const Kind of [DispatcherWithSend, Overriding]) {
    const [a, b] = socketpair();
    using _a = a;
    const d = new Kind(b, map);
    const sends = [d.send(bytes("AAA")), d.send(bytes("BBB")), d.send(bytes("CC"))];
    assertEquals(await Promise.all(sends), [3, 3, 2]);
    assertEquals(d.outBuffer.length, 0);
    assertEquals(await recvText(a, 8), "AAABBBCC");
    d.close();
  }
});

Deno.test("asynchat: each byte is sent once, in order, when a push is not awaited before the next", async () => {
  const map: SocketMap = new Map();
  class Sending extends AsyncChat {
    override send(data: Uint8Array): Promise<number> {
      return super.send(data);
    }
  }
  // Dispatcher's own send() (the path that calls the socket itself) and an overridden one.
  for (const Kind of [AsyncChat, Sending]) {
    const [a, b] = socketpair();
    using _a = a;
    const chat = new Kind(b, map);
    await Promise.all([chat.push(bytes("AAA")), chat.push(bytes("BBB")), chat.push(bytes("CC"))]);
    assertEquals(chat.producerFifo.length, 0);
    assertEquals(await recvText(a, 8), "AAABBBCC");
    chat.close();
  }
});

Deno.test("asynchat fast paths: push goes through an overridden send(); a push to a closed peer closes the channel, with no handleError", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const sent: string[] = [];
  class Sending extends AsyncChat {
    override send(data: Uint8Array): Promise<number> {
      sent.push(text(data));
      return super.send(data);
    }
  }
  const sending = new Sending(b, map);
  await sending.push(bytes("hello"));
  assertEquals(sent, ["hello"]);
  assertEquals(sending.producerFifo.length, 0);
  assertEquals(text(await a.recv(10)), "hello");
  sending.close();

  const [c, d] = socketpair();
  const calls: string[] = [];
  class Closing extends AsyncChat {
    override handleClose(): void {
      calls.push("close");
      this.close();
    }
    override handleError(error: unknown): Promise<void> {
      calls.push(`error ${error}`);
      return super.handleError(error);
    }
  }
  const chat = new Closing(d, map);
  c.close();
  // The first push may still be taken; a later one meets the closed peer.
  for (let i = 0; i < 5 && calls.length === 0; i++) {
    await chat.push(bytes("x"));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assertEquals(calls, ["close"]);
  assertEquals(map.size, 0);
});

Deno.test("asynchat: a line is found whether its terminator lies near or far into the input", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const lines: number[] = [];
  class Lines extends AsyncChat {
    #length = 0;
    override collectIncomingData(data: Uint8Array): void {
      this.#length += data.length;
    }
    override foundTerminator(): void {
      lines.push(this.#length);
      this.#length = 0;
    }
  }
  const chat = new Lines(b, map);
  chat.setTerminator(bytes("\n"));
  const sizes = [0, 1, 255, 256, 257, 1000, 3];
  await a.sendall(bytes(sizes.map((n) => "x".repeat(n) + "\n").join("")));
  for (let pass = 0; pass < 100 && lines.length < sizes.length; pass++) {
    await loop({ timeout: 1, map, count: 1 });
  }
  assertEquals(lines, sizes);
  chat.close();
});

/**
 * One asynchat scenario's calls: a line, a piece without its terminator, then the peer's
 * close, read through the loop; `viaPromise` overrides recv() and send() (calling Dispatcher's
 * own), which keeps handleRead and push off the synchronous paths.
 */
async function chatCalls(viaPromise: boolean): Promise<string[]> {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const calls: string[] = [];
  class Chat extends AsyncChat {
    constructor() {
      super(b, map);
      this.setTerminator(bytes("\n"));
    }
    override collectIncomingData(data: Uint8Array): void {
      calls.push(`collect ${text(data)}`);
    }
    override async foundTerminator(): Promise<void> {
      calls.push("found");
      await this.push(bytes("ok\n"));
    }
    override handleClose(): void {
      calls.push("close");
      this.close();
    }
    override handleError(error: unknown): Promise<void> {
      calls.push(`error ${error}`);
      return super.handleError(error);
    }
  }
  // Counted, to show which path each run took.
  const recvNow = b.recvNow, sendNow = b.sendNow;
  b.recvNow = (n: number) => {
    calls.push("recvNow");
    return recvNow.call(b, n);
  };
  b.sendNow = (data: BytesLike) => {
    calls.push("sendNow");
    return sendNow.call(b, data);
  };
  const chat = new Chat();
  if (viaPromise) {
    chat.recv = (n: number) => Dispatcher.prototype.recv.call(chat, n);
    chat.send = (data: Uint8Array) => Dispatcher.prototype.send.call(chat, data);
  }
  await a.sendall(bytes("one\ntw"));
  for (let pass = 0; pass < 100 && !calls.includes("collect tw"); pass++) await poll(1, map);
  calls.push(`peer got ${text(await a.recv(10))}`);
  a.close();
  for (let pass = 0; pass < 100 && map.size > 0; pass++) await poll(1, map);
  return calls;
}

Deno.test("asynchat: the synchronous read and send (recvNow, sendNow) make the calls the Promise path makes", async () => {
  const expected = ["collect one", "found", "collect tw", "peer got ok\n", "close"];
  assertEquals(await chatCalls(true), expected);
  const calls = await chatCalls(false);
  assertEquals(calls.filter((call) => !call.endsWith("Now")), expected);
  assertEquals(calls.filter((call) => call.endsWith("Now")), ["recvNow", "sendNow", "recvNow"]);
});

Deno.test("DispatcherWithSend: the synchronous send (sendNow) buffers what the socket does not take, flushed on write events", async () => {
  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  const sender = new DispatcherWithSend(b, map);
  const big = new Uint8Array(4 * 1024 * 1024).fill(7);
  assertEquals(await sender.send(big), big.length);
  const receiving = recvAll(a, big.length);
  for (let pass = 0; pass < 10_000 && sender.outBuffer.length > 0; pass++) {
    await poll(1, map);
  }
  assertEquals(sender.outBuffer.length, 0);
  assertEquals(await receiving, big.length);
  sender.close();
});

Deno.test("asynchat and DispatcherWithSend on a Socket subclass go through its recv and send, never the synchronous paths", async () => {
  // Only a plain Socket takes recvNow/sendNow: a subclass's own recv and send are what
  // Dispatcher's recv and send call, so they must still be called.
  const calls: string[] = [];
  class Logged extends Socket {
    override recv(...args: Parameters<Socket["recv"]>): Promise<Uint8Array> {
      calls.push("recv");
      return super.recv(...args);
    }
    override send(...args: Parameters<Socket["send"]>): Promise<number> {
      calls.push("send");
      return super.send(...args);
    }
    override recvNow(bufsize: number): Uint8Array {
      calls.push("recvNow");
      return super.recvNow(bufsize);
    }
    override sendNow(data: BytesLike): number {
      calls.push("sendNow");
      return super.sendNow(data);
    }
  }
  const logged = (sock: Socket) => new Logged(AF_UNIX, SOCK_STREAM, 0, sock.detach());

  const map: SocketMap = new Map();
  const [a, b] = socketpair();
  using _a = a;
  class Chat extends AsyncChat<Logged> {
    override collectIncomingData(data: Uint8Array): void {
      calls.push(`collect ${text(data)}`);
    }
    override async foundTerminator(): Promise<void> {
      await this.push(bytes("ok\n"));
    }
  }
  const chat = new Chat(logged(b), map);
  chat.setTerminator(bytes("\n"));
  await a.sendall(bytes("one\n"));
  for (let pass = 0; pass < 100 && !calls.includes("collect one"); pass++) await poll(1, map);
  assertEquals(text(await a.recv(10)), "ok\n");
  assertEquals(calls, ["recv", "collect one", "send"]);
  chat.close();

  calls.length = 0;
  const [c, d] = socketpair();
  using _c = c;
  const sender = new DispatcherWithSend(logged(d), map);
  assertEquals(await sender.send(bytes("hi")), 2);
  assertEquals(text(await c.recv(10)), "hi");
  assertEquals(calls, ["send"]);
  sender.close();
});

/** Receives until `size` bytes have come (bounded by the peer's close); returns the count. */
async function recvAll(sock: Socket, size: number): Promise<number> {
  let got = 0;
  while (got < size) {
    const data = await sock.recv(65536);
    if (data.length === 0) break;
    got += data.length;
  }
  return got;
}
