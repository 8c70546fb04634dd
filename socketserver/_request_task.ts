// A request running in a task of its own (ThreadingMixIn, ForkingMixIn's workers). CPython
// reports an exception that escapes such a thread (from handle_error itself, say) through
// threading.excepthook and goes on; an escaped rejection would end a Deno process, so the
// task reports it the same way instead.
import { runDetached } from "./_in_handler.ts";

/**
 * Starts `run` as a task the serving loop does not wait for; the task never rejects. `done`
 * runs once it has ended, its error reported (the task's own end: no second promise per
 * request to learn of it).
 */
export function startRequestTask(run: () => Promise<void>, done?: () => void): Promise<void> {
  return runDetached(() => guarded(run, done));
}

async function guarded(run: () => Promise<void>, done: (() => void) | undefined): Promise<void> {
  try {
    await run();
  } catch (error) {
    const detail = error instanceof Error ? error.stack ?? String(error) : String(error);
    console.error(`Exception in request task:\n${detail}`);
  } finally {
    done?.();
  }
}
