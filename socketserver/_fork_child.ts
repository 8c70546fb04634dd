// One ForkingMixIn worker isolate seen from the parent: started on _fork_worker.ts, spoken to
// with the messages of _fork_protocol.ts, and ended. A worker that dies of an uncaught error
// is terminated and reported; the server replaces it (ForkingMixIn.collectChildren).
import { type Address, PermissionError } from "../socket/mod.ts";
import type { FromWorker, ToWorker } from "./_fork_protocol.ts";

/** Linux's EACCES, the errno of a missing permission. */
const EACCES = 13;

/** The replies the parent waits for. */
type Reply = "ready" | "stopped" | "closed";

export class ForkChild {
  /** The worker's number, 0 to maxChildren - 1. */
  readonly id: number;
  #worker: Worker;
  #alive = true;
  #waiting = new Map<Reply, PromiseWithResolvers<FromWorker>>();

  /**
   * Starts the worker isolate.
   *
   * @param id The worker's number.
   * @param name The worker's name in Deno's messages.
   * @param sendto Sends a datagram reply the worker hands back.
   */
  constructor(id: number, name: string, sendto: (data: Uint8Array, address: Address) => void) {
    this.id = id;
    this.#worker = new Worker(new URL("./_fork_worker.ts", import.meta.url), {
      type: "module",
      name,
    });
    this.#worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if (data.type === "sendto") sendto(data.data, data.address);
      else this.#settle(data.type === "failed" ? "ready" : data.type, data);
    };
    this.#worker.onerror = (event) => {
      // An uncaught error ends this worker only; its requests are lost, the server goes on.
      event.preventDefault();
      console.error(`${name} died: ${event.message}`);
      // Its listener must not take connections that nobody will serve.
      this.terminate();
      this.#settle("ready", { type: "failed", message: event.message });
      this.#settle("stopped", { type: "stopped" });
      this.#settle("closed", { type: "closed" });
    };
  }

  /** Whether the worker still runs. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Sends `message` to a live worker. */
  post(message: ToWorker): void {
    if (this.#alive) this.#worker.postMessage(message);
  }

  /** Sends `message` and waits for the worker's `reply` (settles at once if it is dead). */
  ask(message: ToWorker, reply: Reply): Promise<FromWorker> {
    if (!this.#alive) return Promise.resolve({ type: "failed", message: "the worker has ended" });
    let entry = this.#waiting.get(reply);
    if (!entry) this.#waiting.set(reply, entry = Promise.withResolvers<FromWorker>());
    this.post(message);
    return entry.promise;
  }

  /** Ends the worker at once. */
  terminate(): void {
    this.#alive = false;
    this.#worker.terminate();
  }

  #settle(reply: Reply, message: FromWorker): void {
    const entry = this.#waiting.get(reply);
    this.#waiting.delete(reply);
    entry?.resolve(message);
  }
}

/** The error a worker's failed start becomes in the parent. */
export function startError(message: string): Error {
  // Loading modules in a worker is checked against the process's permissions.
  if (/run again with the --allow-/.test(message)) return new PermissionError(EACCES, message);
  return new TypeError(message);
}
