// Whether code runs inside a request a serving loop is waiting for. CPython's shutdown() called
// from such a handler deadlocks (the loop waits for the handler, the handler for the loop);
// pynet's settles at once there instead, since the loop stops as soon as the handler returns.
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<object>();

/** Runs `fn` as the request the loop identified by `token` waits for. */
export function runAsLoopRequest<T>(token: object, fn: () => Promise<T>): Promise<T> {
  return current.run(token, fn);
}

/** Runs `fn` outside any loop request (a concurrent request the loop does not wait for). */
export function runDetached<T>(fn: () => T): T {
  return current.exit(fn);
}

/** Whether the caller runs inside the loop request identified by `token`. */
export function inLoopRequest(token: object): boolean {
  return current.getStore() === token;
}
