// Node's idiomatic echo: pipe() gives the same write-then-wait backpressure as the other
// servers' "read, write all, read again" loops.
import net from "node:net";

const server = net.createServer({ noDelay: true }, (sock) => {
  // A peer reset must end only this connection, not crash the server.
  sock.on("error", () => sock.destroy());
  sock.pipe(sock);
});

server.listen(0, "127.0.0.1", () => {
  console.log(server.address().port);
});
