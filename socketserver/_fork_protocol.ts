// The messages between a ForkingMixIn server (the parent isolate) and its worker isolates,
// and how code in a worker knows it is one.
import type { Address } from "../socket/mod.ts";

/** What the parent tells a worker. */
export type ToWorker =
  | {
    type: "start";
    id: number;
    /** The module exporting the server class and the handler class. */
    module: string;
    /** The server class's export name (or class name). */
    server: string;
    /** The handler class's export name (or class name). */
    handler: string;
    /** The address the parent bound (the real port). */
    address: Address;
    /** A datagram server: the parent receives, the worker only handles. */
    datagram: boolean;
  }
  | { type: "serve"; pollInterval: number }
  | { type: "shutdown" }
  | { type: "request"; packet: Uint8Array; clientAddress: Address }
  | { type: "close" };

/** What a worker tells the parent. */
export type FromWorker =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "stopped" }
  | { type: "closed" }
  | { type: "sendto"; data: Uint8Array; address: Address };

/** What the worker entry puts on the worker's global object before loading the user's module. */
export interface WorkerIdentity {
  /** The worker's number, 0 to maxChildren - 1. */
  id: number;
  /** Sends a message to the parent. */
  post(message: FromWorker): void;
}

/**
 * A global symbol, not a module variable: the user's module may load pynet from another URL
 * than the worker entry does (a registry copy), and both must see the same mark.
 */
const MARK = Symbol.for("pynet.socketserver.forkedWorker");

/** The identity of the worker this code runs in, or `null` in a parent (or any other) isolate. */
export function workerIdentity(): WorkerIdentity | null {
  return (globalThis as Record<symbol, WorkerIdentity | undefined>)[MARK] ?? null;
}

/** Marks this isolate as a forked worker. */
export function markWorker(identity: WorkerIdentity): void {
  (globalThis as Record<symbol, WorkerIdentity | undefined>)[MARK] = identity;
}
