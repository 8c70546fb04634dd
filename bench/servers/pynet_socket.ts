// pynet's echo: the raw_deno.ts loop written with pynet's Python-style Socket API, so the
// difference between the two is the cost of the pynet layer.
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, socket, TCP_NODELAY } from "../../socket/mod.ts";

const srv = socket(AF_INET, SOCK_STREAM);
srv.bind(["127.0.0.1", 0]);
srv.listen(128);
const [, port] = srv.getsockname();
console.log(port);

for (;;) {
  const [conn] = await srv.accept();
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  (async () => {
    try {
      for (;;) {
        const data = await conn.recv(65536);
        if (data.length === 0) break;
        await conn.sendall(data);
      }
    } catch {
      // A peer reset ends this connection only; the server keeps serving the others.
    } finally {
      conn.close();
    }
  })();
}
