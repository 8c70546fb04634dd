// A request running in a task of its own (ThreadingMixIn, ForkingMixIn's workers). CPython
// reports an exception that escapes such a thread (from handle_error itself, say) through
// threading.excepthook and goes on; an escaped rejection would end a Deno process, so the
// task reports it the same way instead.
import { runDetached } from "./_in_handler.ts";

/** Starts `run` as a task the serving loop does not wait for; the task never rejects. */
export function startRequestTask(run: () => Promise<void>): Promise<void> {
  return runDetached(run).catch((error) => {
    const detail = error instanceof Error ? error.stack ?? String(error) : String(error);
    console.error(`Exception in request task:\n${detail}`);
  });
}
