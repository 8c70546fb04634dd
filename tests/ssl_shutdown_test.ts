// shutdown(SHUT_WR) over TLS after a large transfer: the peer reads every byte the sender
// queued, then EOF, on both engines, whether the sender is non-blocking (bytes still in the
// outgoing buffer when it half-closes) or timed, and with CPython's ssl module on the other
// end. The node engine used to lose the EOF: node:tls sent no FIN, and its socket did not
// always emit "end" for a close_notify landing with the last records.
import { assert, assertEquals } from "@std/assert";
import { createConnection, createServer, SHUT_WR } from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { type SSLSocket, SSLWantReadError, SSLWantWriteError } from "../ssl/mod.ts";
import { concat, pattern, recvAll, sameBytes, startPython, within } from "./_helpers.ts";
import { certPath, ENGINES, tlsPair } from "./_ssl_helpers.ts";

const SIZE = 1024 * 1024;
/** The most select() waits a send loop may take: a loop that never ends fails instead. */
const MAX_WAITS = 10_000;

/** A non-blocking sender's loop: send() what it takes, select() for writable on want-write. */
async function sendNonBlocking(tls: SSLSocket, data: Uint8Array): Promise<void> {
  let offset = 0;
  for (let waits = 0; offset < data.length; waits++) {
    assert(waits < MAX_WAITS, `sent only ${offset} bytes`);
    try {
      offset += await tls.send(data.subarray(offset, offset + 100_000));
    } catch (e) {
      if (e instanceof SSLWantWriteError) await select([], [tls], [], 5);
      else if (e instanceof SSLWantReadError) await select([tls], [], [], 5);
      else throw e;
    }
  }
}

/** Non-blocking recv() until EOF, select() waiting for readable. */
async function recvAllNonBlocking(tls: SSLSocket): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let waits = 0;; waits++) {
    assert(waits < MAX_WAITS, `received only ${total} bytes`);
    let piece: Uint8Array;
    try {
      piece = await tls.recv(256 * 1024);
    } catch (e) {
      if (e instanceof SSLWantReadError) await select([tls], [], [], 5);
      else if (e instanceof SSLWantWriteError) await select([], [tls], [], 5);
      else throw e;
      continue;
    }
    if (piece.length === 0) break;
    parts.push(piece);
    total += piece.length;
  }
  return concat(parts);
}

for (const { engine, server, client } of ENGINES) {
  for (const sender of ["client", "conn"] as const) {
    Deno.test(`TLS (${engine} engine), ${sender} side: a non-blocking sender's 1 MiB then shutdown(SHUT_WR): the peer reads it all, then EOF`, async () => {
      using pair = await tlsPair(server(), client());
      const [from, to] = sender === "client" ? [pair.client, pair.conn] : [pair.conn, pair.client];
      from.setblocking(false);
      const data = pattern(SIZE);
      const receiving = within(recvAll(to), undefined, "recv until EOF");
      await within(sendNonBlocking(from, data), undefined, "send");
      from.shutdown(SHUT_WR);
      const received = await receiving;
      assertEquals(received.length, data.length);
      assert(sameBytes(received, data));
    });
  }

  Deno.test(`TLS (${engine} engine): a timed sender's 1 MiB sendall then shutdown(SHUT_WR): a non-blocking peer reads it all, then EOF`, async () => {
    using pair = await tlsPair(server(), client());
    pair.client.settimeout(5);
    pair.conn.setblocking(false);
    const data = pattern(SIZE);
    const receiving = within(recvAllNonBlocking(pair.conn), undefined, "recv until EOF");
    await within(pair.client.sendall(data), undefined, "sendall");
    pair.client.shutdown(SHUT_WR);
    const received = await receiving;
    assertEquals(received.length, data.length);
    assert(sameBytes(received, data));
  });
}

/** pattern(n) in Python, for a CPython peer to send or check. */
const PY_PATTERN = "bytes((i * 7 + (i >> 8)) & 0xFF for i in range(SIZE))";

for (const { engine, server, client } of ENGINES) {
  Deno.test(`TLS (${engine} engine) client, non-blocking: 1 MiB then shutdown(SHUT_WR); CPython's ssl server reads it all, then EOF`, async () => {
    await using peer = startPython(
      `
import socket, ssl, sys
SIZE = ${SIZE}
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(10)
    tls = ctx.wrap_socket(conn, server_side=True)
    got = bytearray()
    while True:
        piece = tls.recv(65536)
        if not piece:
            break
        got += piece
    print(len(got), got == ${PY_PATTERN}, flush=True)
    tls.close()
`,
      [certPath("server.pem"), certPath("server.key")],
    );
    const port = Number(await peer.readLine());
    using tls = await client().wrapSocket(
      await within(createConnection(["127.0.0.1", port])),
      { serverHostname: "localhost" },
    );
    tls.setblocking(false);
    await within(sendNonBlocking(tls, pattern(SIZE)), undefined, "send");
    tls.shutdown(SHUT_WR);
    assertEquals(await peer.readLine(), `${SIZE} True`);
    assertEquals((await peer.finish()).code, 0);
  });

  Deno.test(`TLS (${engine} engine) server, non-blocking: CPython's ssl client sends 1 MiB then shutdown(SHUT_WR); all of it, then EOF`, async () => {
    using listener = await server().wrapSocket(createServer(["127.0.0.1", 0]), {
      serverSide: true,
    });
    const port = (listener.getsockname() as [string, number])[1];
    await using peer = startPython(
      `
import socket, ssl, sys
SIZE = ${SIZE}
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as sock:
    with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(${PY_PATTERN})
        tls.shutdown(socket.SHUT_WR)
        print("sent", flush=True)
        # CPython's SSLSocket.shutdown() leaves TLS: what is left is read as plain bytes, until
        # the server closes (a close with unread bytes would reset the connection).
        while tls.recv(65536):
            pass
        print("eof", flush=True)
`,
      [certPath("ca.pem"), String(port)],
    );
    const [conn] = await within(listener.accept());
    using _conn = conn;
    conn.setblocking(false);
    const received = await within(recvAllNonBlocking(conn), undefined, "recv until EOF")
      .catch(async (e) => {
        throw new Error(`${e}; python: ${(await peer.finish()).stderr}`);
      });
    assertEquals(await peer.readLine(), "sent");
    assertEquals(received.length, SIZE);
    assert(sameBytes(received, pattern(SIZE)));
    conn.shutdown(SHUT_WR);
    assertEquals(await peer.readLine(), "eof");
    assertEquals((await peer.finish()).code, 0);
  });
}
