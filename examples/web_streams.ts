/**
 * pynet sockets joined to Web Streams with `@std/streams`, on loopback; it exits by itself.
 * Every connected stream socket has `readable` and `writable`, shaped like `Deno.Conn`'s, so
 * the everyday joins need no hand-written pump:
 *
 * 1. a line protocol read with `TextLineStream`;
 * 2. a socket's bytes as the `Response` body of a `Deno.serve` handler, read back with `fetch`;
 * 3. a file piped into a socket (`file.readable.pipeTo(sock.writable)`);
 * 4. `toText` / `toBytes` on a short reply.
 *
 * ```sh
 * ./tools/node_modules/.bin/deno run --import-map=import_map.json --allow-net=127.0.0.1 --allow-read=examples examples/web_streams.ts
 * ```
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { toBytes } from "@std/streams/to-bytes";
import { toText } from "@std/streams/to-text";
import { createConnection, createServer, SHUT_WR, type Socket } from "../socket/mod.ts";

const encoder = new TextEncoder();

/**
 * A server that answers each connection with `reply(request)`, Python-style: it reads the
 * request up to EOF (the client half-closes), sends the reply and closes.
 */
function serve(reply: (request: Uint8Array) => Uint8Array): {
  address: [string, number];
  done: Promise<void>;
  server: Socket;
} {
  const server = createServer(["127.0.0.1", 0]);
  const address = server.getsockname() as [string, number];
  const done = (async () => {
    for (;;) {
      let conn: Socket;
      try {
        [conn] = await server.accept();
      } catch {
        return; // the server was closed
      }
      (async () => {
        using _conn = conn;
        const request = await toBytes(conn.readable);
        await conn.sendall(reply(request));
      })().catch((e) => console.error("connection failed:", e)); // one connection, not the server
    }
  })();
  return { address, done, server };
}

/** Sends `request`, half-closes, and returns the socket for its reply. */
async function ask(address: [string, number], request: string): Promise<Socket> {
  const sock = await createConnection(address, 5);
  await sock.sendall(encoder.encode(request));
  sock.shutdown(SHUT_WR);
  return sock;
}

const service = serve((request) => {
  const text = new TextDecoder().decode(request);
  if (text.startsWith("LINES")) return encoder.encode("+OK one\r\n+OK two\r\n+OK three\r\n");
  if (text.startsWith("TIME")) return encoder.encode("+TIME 12:00\r\n");
  return encoder.encode(`+GOT ${request.length} bytes\r\n`);
});

// 1. A line protocol, read with TextLineStream.
{
  using sock = await ask(service.address, "LINES\r\n");
  const lines = sock.readable
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new TextLineStream());
  for await (const line of lines) console.log("line:", line);
}

// 2. A socket piped into a Response body: an HTTP front for the line service.
{
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    const backend = await ask(service.address, "LINES\r\n");
    // The body ends at the backend's EOF; the socket is closed when the body is done.
    const body = backend.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ flush: () => backend.close() }),
    );
    return new Response(body, { headers: { "content-type": "text/plain" } });
  });
  const response = await fetch(`http://127.0.0.1:${http.addr.port}/`);
  console.log("http body:", JSON.stringify(await response.text()));
  await http.shutdown();
}

// 3. A file piped into a socket: this very file, counted by the server.
{
  const path = new URL(import.meta.url).pathname;
  const sock = await createConnection(service.address, 5);
  using _sock = sock;
  const file = await Deno.open(path);
  await file.readable.pipeTo(sock.writable); // closes the file, then half-closes the socket
  const size = (await Deno.stat(path)).size;
  console.log(`file (${size} bytes):`, (await toText(sock.readable)).trim());
}

// 4. toText and toBytes on a short reply.
{
  using sock = await ask(service.address, "TIME\r\n");
  console.log("toText:", JSON.stringify(await toText(sock.readable)));
  using again = await ask(service.address, "TIME\r\n");
  console.log("toBytes:", (await toBytes(again.readable)).length, "bytes");
}

service.server.close();
await service.done;
