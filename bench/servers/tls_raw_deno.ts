// Baseline TLS echo: Deno.listenTls with the test certificate, per connection a read into a
// 64 KiB buffer and write-all, as bench/servers/raw_deno.ts does on plain TCP. The handshake
// runs on the first read. A TlsConn has no setNoDelay (docs: deno-facts §3), so Nagle stays on.
// Prints its port, then serves until killed.

const cert = Deno.readTextFileSync("tests/certs/server.pem");
const key = Deno.readTextFileSync("tests/certs/server.key");
const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
console.log(listener.addr.port);

async function echo(conn: Deno.TlsConn): Promise<void> {
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } catch {
    // A failed handshake or a peer reset ends this connection only.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed by the failed read/write.
    }
  }
}

for await (const conn of listener) echo(conn);
