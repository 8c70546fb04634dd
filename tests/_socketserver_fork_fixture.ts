// The user's module of the ForkingMixIn tests: it exports its server and handler classes, as
// ForkingMixIn's docs ask, and starts nothing at the top level (the workers load it again).
import {
  DatagramRequestHandler,
  type ForkingServer,
  ForkingTCPServer,
  ForkingUDPServer,
  StreamRequestHandler,
} from "../socketserver/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers `id` with the worker's number, and `spin MINE THEIRS` by creating file MINE and then
 * spinning the CPU (never yielding to the event loop) until file THEIRS exists: two such
 * requests both see each other only if they run in parallel, in two isolates. The spin gives
 * up after 10 s and answers "alone". `fail` throws in handle(); `crash` kills the worker;
 * `wait PATH` answers "waiting", then "done" once file PATH exists.
 */
export class WorkerHandler extends StreamRequestHandler {
  override async handle() {
    const words = decoder.decode(await this.rfile.readline()).trim().split(" ");
    const id = (this.server as unknown as ForkingServer).workerId;
    if (words[0] === "spin") {
      Deno.writeTextFileSync(words[1]!, "");
      const deadline = Date.now() + 10_000;
      let seen = false;
      while (!(seen = exists(words[2]!)) && Date.now() < deadline) {
        // Busy: this isolate serves nothing else meanwhile.
      }
      await this.wfile.write(encoder.encode(`${seen ? "saw-peer" : "alone"} ${id}\n`));
    } else if (words[0] === "fail") {
      throw new Error("handler failed in a worker");
    } else if (words[0] === "crash") {
      // An error nobody catches ends the whole worker isolate.
      setTimeout(() => {
        throw new Error("worker crashed");
      }, 0);
      await this.wfile.write(encoder.encode(`crashing ${id}\n`));
    } else if (words[0] === "wait") {
      // Answers once file PATH exists (at most 10 s): a request in flight.
      await this.wfile.write(encoder.encode("waiting\n"));
      const deadline = Date.now() + 10_000;
      while (!exists(words[1]!) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await this.wfile.write(encoder.encode(`done ${id}\n`));
    } else {
      await this.wfile.write(encoder.encode(`worker ${id}\n`));
    }
  }
}

/** Two workers, whatever the machine's core count. */
export class TwoWorkerServer extends ForkingTCPServer {
  static override workerModule = import.meta.url;
  static override maxChildren = 2;
}

/** Three workers. */
export class ThreeWorkerServer extends ForkingTCPServer {
  static override workerModule = import.meta.url;
  static override maxChildren = 3;
}

/** Not exported under its own name: the workers cannot find it. */
class Hidden extends ForkingTCPServer {
  static override workerModule = import.meta.url;
  static override maxChildren = 1;
}
export const hiddenServer = (address: [string, number]) => new Hidden(address, WorkerHandler);

/** Echoes the datagram after the worker's number. */
export class WorkerDatagramHandler extends DatagramRequestHandler {
  override async handle() {
    const id = (this.server as unknown as ForkingServer).workerId;
    await this.wfile.write(encoder.encode(`worker ${id}: `));
    await this.wfile.write(this.packet);
  }
}

/** A forking UDP server with two workers. */
export class TwoWorkerUDPServer extends ForkingUDPServer {
  static override workerModule = import.meta.url;
  static override maxChildren = 2;
}
