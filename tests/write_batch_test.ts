// The writes of a readiness batch (_core/write_batch.ts): what a program sends between a
// readiness wait that reported events and its next wait goes out together at that next wait.
// Held or not, every byte arrives, in order, whatever the program does next: waits again,
// awaits something pynet does not see, closes, shuts down, or ends.
import { assertEquals } from "@std/assert";
import {
  AF_UNIX,
  createConnection,
  SHUT_WR,
  SOCK_STREAM,
  type Socket,
  socketpair,
} from "../socket/mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import {
  bytes,
  concat,
  recvAll,
  recvExactly,
  runDeno,
  socketModule,
  tcpPair,
  text,
  within,
} from "./_helpers.ts";
import { listener, selectReadable } from "./_select_helpers.ts";

Deno.test("a selectors server's answers to many clients, held for each batch, all arrive", async () => {
  const CLIENTS = 20, ROUNDS = 5;
  using server = listener();
  const address = server.getsockname() as [string, number];
  const clients: Socket[] = [];
  const conns: Socket[] = [];
  using sel = new DefaultSelector();
  try {
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await within(createConnection(address)));
      const [conn] = await within(server.accept());
      conn.setblocking(false);
      sel.register(conn, EVENT_READ, i);
      conns.push(conn);
    }
    const got: string[][] = clients.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < CLIENTS; i++) await clients[i]!.sendall(bytes(`${i}.${round}\n`));
      // The server answers each request as it is reported; all answers of a pass are held
      // until its next select().
      let answered = 0;
      for (let pass = 0; answered < CLIENTS && pass < 1000; pass++) {
        for (const [key] of await within(sel.select(5))) {
          const conn = key.fileobj as Socket;
          const request = conn.recvNow(100);
          assertEquals(conn.sendNow(bytes(`re ${text(request)}`)), request.length + 3);
          answered++;
        }
      }
      assertEquals(answered, CLIENTS);
      for (let i = 0; i < CLIENTS; i++) {
        got[i]!.push(text(await within(clients[i]!.recv(100))));
      }
    }
    for (let i = 0; i < CLIENTS; i++) {
      assertEquals(got[i], Array.from({ length: ROUNDS }, (_, round) => `re ${i}.${round}\n`));
    }
  } finally {
    for (const s of [...conns, ...clients]) s.close();
  }
});

Deno.test("an answer sent in several pieces in one batch arrives whole and in order", async () => {
  // Small pieces share the stream's stage until one does not fit (socket/_stream_writer.ts);
  // the rest queue behind it.
  const piece = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  const answers = [
    [piece(10, 1), piece(20, 2), piece(1000, 3), piece(5, 4)],
    [piece(512, 5), piece(512, 6), piece(1, 7)],
    [piece(2000, 8), piece(3, 9)],
  ];
  using pair = await tcpPair();
  pair.conn.setblocking(false);
  for (const pieces of answers) {
    await pair.client.sendall(bytes("?"));
    await selectReadable(pair.conn);
    pair.conn.recvNow(10);
    for (const p of pieces) assertEquals(pair.conn.sendNow(p), p.length);
    const expected = concat(pieces);
    const got = await within(recvExactly(pair.client, expected.length));
    assertEquals(got, expected);
  }
});

Deno.test("a held answer goes out while the program awaits something pynet does not see", async () => {
  using server = listener();
  const [host, port] = server.getsockname() as [string, number];
  using peer = await within(Deno.connect({ hostname: host, port }));
  const [conn] = await within(server.accept());
  using _conn = conn;
  conn.setblocking(false);
  // Each round's batch needs its own fallback: the one before has fired.
  for (let round = 0; round < 3; round++) {
    await peer.write(bytes(`ask ${round}`));
    await selectReadable(conn);
    assertEquals(text(conn.recvNow(10)), `ask ${round}`);
    assertEquals(conn.sendNow(bytes(`answer ${round}`)), 8);
    // No pynet wait follows: Deno's own read, which only the batch's fallback can feed.
    const buf = new Uint8Array(10);
    const n = await within(peer.read(buf));
    assertEquals(text(buf.subarray(0, n!)), `answer ${round}`);
  }
});

Deno.test("a held answer goes out before a close, and before a shutdown's EOF", async () => {
  for (const end of ["close", "shutdown"] as const) {
    using pair = await tcpPair();
    pair.conn.setblocking(false);
    await pair.client.sendall(bytes("ask"));
    await selectReadable(pair.conn);
    pair.conn.recvNow(10);
    assertEquals(await pair.conn.send(bytes("last words")), 10);
    if (end === "close") pair.conn.close();
    else pair.conn.shutdown(SHUT_WR);
    assertEquals(text(await within(recvAll(pair.client))), "last words", end);
  }
});

Deno.test("a blocking recv or recvInto waits after a held send: the send goes first", async () => {
  for (const how of ["recv", "recvInto"] as const) {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    using _a = a;
    using _b = b;
    a.setblocking(false);
    await b.sendall(bytes("ping"));
    await selectReadable(a);
    assertEquals(text(a.recvNow(10)), "ping");
    assertEquals(a.sendNow(bytes("pong")), 4);
    // b's read is a pynet wait: it starts the held write, whose bytes it then reads.
    if (how === "recv") {
      assertEquals(text(await within(b.recv(10))), "pong", how);
    } else {
      const buf = new Uint8Array(10);
      assertEquals(await within(b.recvInto(buf)), 4, how);
      assertEquals(text(buf.subarray(0, 4)), "pong", how);
    }
  }
});

Deno.test("a script that ends right after a held send still sends it", async () => {
  using server = listener();
  const [, port] = server.getsockname() as [string, number];
  const selectModule = new URL("../select/mod.ts", import.meta.url).href;
  const child = runDeno(
    `import { createConnection } from "${socketModule("mod.ts")}";
import { select } from "${selectModule}";
const s = await createConnection(["127.0.0.1", ${port}]);
s.setblocking(false);
const [, w] = await select([], [s], [], 5);
if (w.length !== 1) throw new Error("not writable");
s.sendNow(new TextEncoder().encode("sent at the end"));
`,
    ["--allow-net=127.0.0.1"],
  );
  const [conn] = await within(server.accept());
  using _conn = conn;
  const got = text(await within(recvAll(conn)));
  const result = await child;
  assertEquals(result.code, 0, result.stderr);
  assertEquals(got, "sent at the end");
});
