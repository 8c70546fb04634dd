// pynet's asyncore echo: bench/servers/cpython_asyncore.py line for line (the echo of Python's
// asyncore documentation), so the two differ only in the asyncore underneath.
import { Dispatcher, DispatcherWithSend, loop } from "../../asyncore/mod.ts";
import { IPPROTO_TCP, type Socket, TCP_NODELAY } from "../../socket/mod.ts";

class EchoHandler extends DispatcherWithSend {
  override async handleRead(): Promise<void> {
    const data = await this.recv(8192);
    if (data.length > 0) await this.send(data);
  }
}

class EchoServer extends Dispatcher {
  constructor(host: string, port: number) {
    super();
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(128);
  }

  override handleAccepted(sock: Socket): void {
    sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    new EchoHandler(sock);
  }
}

const server = new EchoServer("127.0.0.1", 0);
console.log((server.socket!.getsockname() as [string, number])[1]);
await loop();
