// Baseline of the Web Streams rows: raw Deno's echo as one pipe, conn.readable.pipeTo(
// conn.writable) (64 KiB reads, Deno's own byte stream), the floor pynet_streams.ts is measured
// against.

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(listener.addr.port);

for await (const conn of listener) {
  conn.setNoDelay(true);
  conn.readable.pipeTo(conn.writable)
    // A peer reset ends this connection only; the server keeps serving the others.
    .catch(() => {})
    .finally(() => {
      try {
        conn.close();
      } catch {
        // Closed already by the streams.
      }
    });
}
