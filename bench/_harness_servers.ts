// One echo server under test and one loadgen run against it: start the server pinned to its core,
// read its port, run the C loadgen pinned to the other core, and fail loudly with the stderr of
// whichever process broke.
import type {
  BenchOptions,
  LoadgenResult,
  ModeSpec,
  RunningServer,
  ServerSpec,
} from "./_harness_types.ts";
import { live, spawnPinned, tail, withTimeout } from "./_harness_processes.ts";

/** Starts a server pinned to `core` (or to its own `cores`) and waits for the port on its
 * first stdout line. */
export async function startServer(spec: ServerSpec, core: number): Promise<RunningServer> {
  const child = spawnPinned(spec.cores ?? core, spec.cmd);
  const stderr = tail(child.stderr);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const died = status.then((s) => {
    throw new Error(
      `server ${spec.id} exited (code ${s.code}) before printing its port:\n${stderr()}`,
    );
  });
  died.catch(() => {});

  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const firstLine = (async () => {
    let buf = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`server ${spec.id} closed stdout before printing its port`);
      buf += value;
      const nl = buf.indexOf("\n");
      if (nl >= 0) return buf.slice(0, nl).trim();
    }
  })();
  let line: string;
  try {
    line = await withTimeout(Promise.race([firstLine, died]), 30_000, `server ${spec.id} port`);
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await status;
    throw e;
  }
  // Keep draining so a chatty server can never block on a full pipe.
  (async () => {
    while (!(await lines.read()).done);
  })().catch(() => {});

  const port = Number(line);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    child.kill("SIGKILL");
    await status;
    throw new Error(`server ${spec.id} printed ${JSON.stringify(line)}, not a port`);
  }
  return {
    spec,
    port,
    pid: child.pid,
    alive: () => {
      if (!exited) return Promise.resolve();
      return status.then((s) => {
        throw new Error(
          `server ${spec.id} died (code ${s.code}, signal ${s.signal}):\n${stderr()}`,
        );
      });
    },
    stop: async () => {
      if (exited) return;
      child.kill("SIGTERM");
      try {
        await withTimeout(status, 3000, `server ${spec.id} SIGTERM`);
      } catch {
        if (!exited) child.kill("SIGKILL");
        await status;
      }
    },
  };
}

/** Runs the loadgen pinned to `core`; throws (loudly, with its stderr) on any failure. */
export async function runLoadgen(
  loadgen: string,
  mode: ModeSpec,
  server: RunningServer,
  opts: BenchOptions,
): Promise<LoadgenResult> {
  const args = [
    "-c",
    String(opts.loadgenCore),
    loadgen,
    ...mode.args,
    "--port",
    String(server.port),
    "--server-pid",
    String(server.pid),
    "--warmup",
    String(opts.warmup),
    "--duration",
    String(opts.duration),
    "--timeout",
    String(opts.timeout),
  ];
  const child = new Deno.Command("taskset", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  // The loadgen has its own alarm; this is the backstop should it hang anyway.
  const limitMs = (opts.warmup + opts.duration + 3 * opts.timeout + 10) * 1000;
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  try {
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (!out.success) {
      throw new Error(
        `loadgen ${mode.id} against ${server.spec.id} failed ` +
          `(code ${out.code}${out.signal ? `, signal ${out.signal}` : ""}):\n${stderr}\n${stdout}`,
      );
    }
    const parsed: unknown = JSON.parse(stdout);
    if (typeof parsed !== "object" || parsed === null) throw new Error(`bad loadgen output`);
    return parsed as LoadgenResult;
  } finally {
    clearTimeout(timer);
    live.delete(child);
  }
}
