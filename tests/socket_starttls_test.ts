// The socket layer's STARTTLS hand-over (the core's upgrade, for the ssl module): the same
// socket object goes on over TLS, stays select()-able, and an upgrade that would lose or
// misread bytes is refused with the plain stream left intact.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { OSError, socket, TimeoutError } from "../socket/mod.ts";
import { socketCore, type UpgradedConn } from "../_core/privileged.ts";
import type { ByteConn } from "../_core/channel.ts";
import { select } from "../select/mod.ts";
import { bytes, recvExactly, rejects, startPython, tcpPair, text, within } from "./_helpers.ts";

const certs = new URL("./certs/", import.meta.url);
const caPem = await Deno.readTextFile(new URL("ca.pem", certs));

async function startTls(conn: ByteConn): Promise<UpgradedConn> {
  return {
    conn: await Deno.startTls(conn as Deno.TcpConn, { hostname: "localhost", caCerts: [caPem] }),
  };
}

Deno.test("a socket upgraded after STARTTLS talks TLS to a CPython ssl server", async () => {
  await using peer = startPython(
    `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    f = conn.makefile("rb")
    assert f.readline() == b"STARTTLS\\n"
    f.close()
    conn.sendall(b"OK\\n")
    tls = ctx.wrap_socket(conn, server_side=True)
    line = tls.makefile("rb").readline()
    tls.sendall(b"echo " + line)
    print(tls.version(), flush=True)
    tls.close()
`,
    [new URL("server.pem", certs).pathname, new URL("server.key", certs).pathname],
  );
  const port = Number(await peer.readLine());
  using sock = socket();
  await within(sock.connect(["127.0.0.1", port]));
  const fd = sock.fileno();
  await sock.sendall(bytes("STARTTLS\n"));
  assertEquals(text(await within(recvExactly(sock, 3))), "OK\n");

  await within(sock[socketCore].upgrade(startTls));
  assertEquals(sock.fileno(), fd);
  await sock.sendall(bytes("over tls\n"));
  // Readable means decrypted application data is waiting.
  const [readable] = await within(select([sock], [], [], 5));
  assertEquals(readable, [sock]);
  assertEquals(text(await within(recvExactly(sock, 14))), "echo over tls\n");
  assertEquals(await peer.readLine(), "TLSv1.3");
  assertEquals((await peer.finish()).code, 0);
});

Deno.test("an upgrade with a read pending reads through it, flagged not clean", async () => {
  using pair = await tcpPair();
  pair.client.settimeout(0.02);
  await rejects(() => pair.client.recv(10), TimeoutError);
  // The pending read will bring the peer's first bytes of the new protocol: the connection
  // handed over reads them first, and says it is not the bare connection Deno.startTls needs.
  let wasClean: boolean | null = null;
  const upgrading = pair.client[socketCore].upgrade(async (conn, clean) => {
    wasClean = clean;
    const first = new Uint8Array(16);
    const n = await conn.read(first);
    assertEquals(text(first.subarray(0, n ?? 0)), "hello");
    return { conn };
  });
  await pair.conn.sendall(bytes("hello"));
  await within(upgrading);
  assertEquals(wasClean, false);
  pair.client.settimeout(5);
  await pair.conn.sendall(bytes("after"));
  assertEquals(text(await within(recvExactly(pair.client, 5))), "after");
});

Deno.test("an upgrade with unread plaintext is refused and no byte is lost", async () => {
  using pair = await tcpPair();
  await pair.conn.sendall(bytes("abc"));
  const [readable] = await within(select([pair.client], [], [], 5));
  assertEquals(readable.length, 1);
  const error = await rejects(() => pair.client[socketCore].upgrade(startTls), OSError);
  assertStringIncludes(error.message, "3 bytes");
  assertEquals(text(await within(pair.client.recv(10))), "abc");
});

Deno.test("an upgrade waits for buffered outgoing bytes to be sent first", async () => {
  using pair = await tcpPair();
  pair.client.setblocking(false);
  const sent = await pair.client.send(bytes("queued before tls"));
  assertEquals(sent, 17);
  let handedOver: ByteConn | null = null;
  // The upgrade is refused after the drain (a fake upgrade), so the pair stays plain.
  await rejects(
    () =>
      pair.client[socketCore].upgrade((conn) => {
        handedOver = conn;
        return Promise.reject(new OSError(null, "no TLS today"));
      }),
    OSError,
  );
  assertEquals(handedOver !== null, true);
  assertEquals(text(await within(recvExactly(pair.conn, 17))), "queued before tls");
});
