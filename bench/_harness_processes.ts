// Child processes of the benchmarks: pinned to a core with taskset, tracked so that none outlives
// the harness (on return, throw or signal), C helpers built on demand, and small stream helpers
// to read what a child prints.

/** The repository root; every path below is relative to it. */
export const ROOT: string = new URL("../", import.meta.url).pathname;
/** Where compiled C helpers go (git-ignored). */
export const BUILD_DIR: string = `${ROOT}bench/build`;

/** Every child still running; killed on any exit path so no server outlives the harness. */
export const live = new Set<Deno.ChildProcess>();

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited between the check and the kill.
    }
  }
  live.clear();
}

/**
 * Starts `argv` pinned to `core` (a core number or a `taskset -c` list; stdout and stderr piped),
 * tracked so that `withCleanup` kills it should the script end first.
 */
export function spawnPinned(core: number | string, argv: readonly string[]): Deno.ChildProcess {
  const child = new Deno.Command("taskset", {
    args: ["-c", String(core), ...argv],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  child.status.finally(() => live.delete(child));
  return child;
}

/** Runs `body` with every child killed afterwards, on return, throw, Ctrl-C or SIGTERM. */
export async function withCleanup<T>(body: () => Promise<T>): Promise<T> {
  const onSignal = () => {
    killAll();
    console.error("\ninterrupted: children killed");
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  // Deno.exit() elsewhere skips `finally`, but does fire unload.
  globalThis.addEventListener("unload", killAll);
  try {
    return await body();
  } finally {
    killAll();
    globalThis.removeEventListener("unload", killAll);
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

/** Compiles a C helper unless the binary is newer than its source. `libs` go after the
 * source, where the linker needs them; `needs`, if given, tells in the error what a failed
 * build most likely lacks (e.g. a library's headers). */
export async function buildC(
  src: string,
  out: string,
  libs: readonly string[] = [],
  needs?: string,
): Promise<string> {
  const srcPath = `${ROOT}${src}`;
  const outPath = `${ROOT}${out}`;
  // A binary is stale when its source or a local header it includes is newer.
  const dir = srcPath.slice(0, srcPath.lastIndexOf("/") + 1);
  const headers = [...(await Deno.readTextFile(srcPath)).matchAll(/^#include "([^"]+)"/gm)]
    .map((m) => `${dir}${m[1]}`);
  const [o, ...inputs] = await Promise.all([
    Deno.stat(outPath).catch(() => null),
    ...[srcPath, ...headers].map((path) => Deno.stat(path)),
  ]);
  const newest = Math.max(...inputs.map((info) => info.mtime?.getTime() ?? Infinity));
  if (o?.mtime && o.mtime.getTime() > newest) return outPath;
  await Deno.mkdir(outPath.slice(0, outPath.lastIndexOf("/")), { recursive: true });
  const r = await new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-o", outPath, srcPath, ...libs],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) {
    throw new Error(`gcc failed to build ${src}${needs ? ` (it needs ${needs})` : ""}`);
  }
  return outPath;
}

/** The last `limit` characters of a stream's text so far, to show why a process failed. */
export function tail(stream: ReadableStream<Uint8Array>, limit = 4000): () => string {
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      text = (text + dec.decode(chunk, { stream: true })).slice(-limit);
    }
  })().catch(() => {});
  return () => text;
}

/** Rejects, naming `what`, if `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Reads a stream line by line; null at its end. */
export function lineReader(stream: ReadableStream<Uint8Array>): () => Promise<string | null> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return async () => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buf += value;
    }
  };
}

/** Kills (SIGKILL) each child given (null: never started) and waits for its end. */
export async function stopChildren(children: readonly (Deno.ChildProcess | null)[]): Promise<void> {
  for (const child of children) {
    if (!child) continue;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  }
}
