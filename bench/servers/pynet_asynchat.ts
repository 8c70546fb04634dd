// pynet's asynchat line server: bench/servers/cpython_asynchat.py line for line (each line
// collected up to its "\n" and pushed back with it), so the two differ only in the asynchat
// and asyncore underneath.
import { AsyncChat } from "../../asynchat/mod.ts";
import { Dispatcher, loop } from "../../asyncore/mod.ts";
import { IPPROTO_TCP, type Socket, TCP_NODELAY } from "../../socket/mod.ts";

const NEWLINE = new TextEncoder().encode("\n");

class LineHandler extends AsyncChat {
  line: Uint8Array[] = [];

  constructor(sock: Socket) {
    super(sock);
    this.setTerminator(NEWLINE);
  }

  override collectIncomingData(data: Uint8Array): void {
    this.line.push(data);
  }

  override async foundTerminator(): Promise<void> {
    // b"".join(self.line) + b"\n" in one allocation.
    let n = 1;
    for (const part of this.line) n += part.length;
    const response = new Uint8Array(n);
    let at = 0;
    for (const part of this.line) {
      response.set(part, at);
      at += part.length;
    }
    response[at] = 10;
    this.line = [];
    await this.push(response);
  }
}

class LineServer extends Dispatcher {
  constructor(host: string, port: number) {
    super();
    this.createSocket();
    this.setReuseAddr();
    this.bind([host, port]);
    this.listen(128);
  }

  override handleAccepted(sock: Socket): void {
    sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    new LineHandler(sock);
  }
}

const server = new LineServer("127.0.0.1", 0);
console.log((server.socket!.getsockname() as [string, number])[1]);
await loop();
