// Baseline: the plainest correct echo on Deno's own sockets, the floor pynet is measured against.
// Reads up to 64 KiB at a time, as pynet_socket.ts does with recv(65536), so the two differ only
// in the layer between the echo loop and Deno.

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(listener.addr.port);

async function echo(conn: Deno.TcpConn): Promise<void> {
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } catch {
    // A peer reset ends this connection only; the server keeps serving the others.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed by the failed read/write.
    }
  }
}

for await (const conn of listener) {
  conn.setNoDelay(true);
  echo(conn);
}
