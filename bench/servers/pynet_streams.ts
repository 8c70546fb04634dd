// pynet's echo through its Web Streams: sock.readable.pipeTo(sock.writable), the same pipe as
// raw_deno_streams.ts on pynet's Socket, so the difference is the cost of pynet's streams.
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, socket, TCP_NODELAY } from "../../socket/mod.ts";

const srv = socket(AF_INET, SOCK_STREAM);
srv.bind(["127.0.0.1", 0]);
srv.listen(128);
const [, port] = srv.getsockname();
console.log(port);

for (;;) {
  const [conn] = await srv.accept();
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  conn.readable.pipeTo(conn.writable)
    // A peer reset ends this connection only; the server keeps serving the others.
    .catch(() => {})
    .finally(() => conn.close());
}
