// The entry module of a ForkingMixIn worker isolate. Deno has no fork(): instead, the worker
// loads the user's module again (where `import.meta.main` is false, so its own server start is
// skipped), finds the server and handler classes among its exports, and builds the same server
// on the parent's address (a load-balanced listener shares it; see _forking.ts).
import { type FromWorker, markWorker, type ToWorker } from "./_fork_protocol.ts";
import { forwardingSocket } from "./_reply_forwarder.ts";
import { startRequestTask } from "./_request_task.ts";
import type { Address } from "../socket/mod.ts";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

/** What the worker needs of the server it builds. */
interface WorkerServer {
  serveForever(pollInterval: number): Promise<void>;
  shutdown(): Promise<void>;
  serverClose(): Promise<void>;
  processRequestThread(request: unknown, clientAddress: Address): Promise<void>;
}

let server: WorkerServer | null = null;
let serving: Promise<void> | null = null;
/** Datagram requests in flight, waited for by "close". */
const datagrams = new Set<Promise<void>>();

/** The export named `name`, or else the exported class whose `name` it is. */
function findExport(module: Record<string, unknown>, name: string): unknown {
  if (typeof module[name] === "function") return module[name];
  return Object.values(module).find((value) =>
    typeof value === "function" && (value as { name?: string }).name === name
  );
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  markWorker({ id: message.id, post: (m) => scope.postMessage(m) });
  const module = await import(message.module) as Record<string, unknown>;
  const Server = findExport(module, message.server);
  const Handler = findExport(module, message.handler);
  if (typeof Server !== "function" || typeof Handler !== "function") {
    throw new TypeError(
      `A ForkingMixIn worker loads ${message.module} and needs it to export the server class ` +
        `${message.server} and the handler class ${message.handler}` +
        ` (export both, or set the server class's static workerModule to the module that does)`,
    );
  }
  type WorkerServerClass = new (a: Address, h: unknown, bind: boolean) => WorkerServer;
  server = new (Server as WorkerServerClass)(message.address, Handler, !message.datagram);
}

scope.onmessage = async ({ data: message }) => {
  switch (message.type) {
    case "start":
      try {
        await start(message);
        scope.postMessage({ type: "ready" });
      } catch (e) {
        scope.postMessage({
          type: "failed",
          message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        });
      }
      break;
    case "serve":
      serving = server!.serveForever(message.pollInterval);
      break;
    case "shutdown":
      if (serving) {
        await server!.shutdown();
        await serving;
        serving = null;
      }
      scope.postMessage({ type: "stopped" });
      break;
    case "request": {
      const socket = forwardingSocket(message.clientAddress);
      const done = startRequestTask(() =>
        server!.processRequestThread([message.packet, socket], message.clientAddress)
      ).finally(() => {
        socket.close();
        datagrams.delete(done);
      });
      datagrams.add(done);
      break;
    }
    case "close":
      if (serving) {
        await server!.shutdown();
        await serving;
      }
      await Promise.allSettled([...datagrams]);
      await server?.serverClose();
      scope.postMessage({ type: "closed" });
      break;
  }
};
