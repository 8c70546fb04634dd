// Shared helpers of the socket tests: bounded waits, connected TCP pairs on loopback, temp
// dirs, and python3 (CPython, the oracle) run as a real peer.
import { assertInstanceOf } from "@std/assert";
import { delay } from "@std/async/delay";
import { AF_INET, AF_INET6, SOCK_STREAM, Socket } from "../socket/mod.ts";

/** How long any single wait in a test may take before the test fails instead of hanging. */
export const WAIT_MS = 10_000;

/**
 * Settles like `promise`, or rejects when `ms` pass first. The timer is always cleared, so the
 * op sanitizer sees nothing pending.
 */
export async function within<T>(promise: Promise<T>, ms = WAIT_MS, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asserts that `fn()` rejects, within `ms`, with an instance of `Class`, and returns the error
 * (typed, unlike `assertRejects` from the untyped npm build of std).
 */
export async function rejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  Class: new (...args: any[]) => E,
  ms = WAIT_MS,
): Promise<E> {
  let error: unknown;
  try {
    await within(fn(), ms);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected ${Class.name}, but the call succeeded`);
  assertInstanceOf(error, Class);
  return error as E;
}

/** Resolves after `ms` milliseconds (std's `delay`, typed here: the npm build of std is not). */
export function sleep(ms: number): Promise<void> {
  return delay(ms) as Promise<void>;
}

/** Bytes of `text`, UTF-8. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `text` from UTF-8 bytes. */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** CPython's test_socket `MSG`. */
export const MSG: Uint8Array = bytes("Michael Gilfix was here\u1234\r\n");

/** `n` bytes of a repeating pattern that shows misordering (not all the same byte). */
export function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 8)) & 0xff;
  return out;
}

/** Whether two byte arrays are equal (faster than assertEquals on megabytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Receives until EOF (an empty recv), at most `limit` bytes. */
export async function recvAll(sock: Socket, limit = 64 * 1024 * 1024): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total <= limit) {
    const piece = await sock.recv(256 * 1024);
    if (piece.length === 0) break;
    parts.push(piece);
    total += piece.length;
  }
  return concat(parts);
}

/** Joins byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Receives exactly `n` bytes (or fewer at EOF). */
export async function recvExactly(sock: Socket, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    const piece = await sock.recv(n - filled);
    if (piece.length === 0) break;
    out.set(piece, filled);
    filled += piece.length;
  }
  return out.subarray(0, filled);
}

/** A listening TCP socket on loopback, a client connected to it, and the accepted socket. */
export interface TcpPair extends Disposable {
  server: Socket;
  client: Socket;
  conn: Socket;
}

/** Opens a connected TCP pair on 127.0.0.1 (or ::1). `using` closes all three sockets. */
export async function tcpPair(family: number = AF_INET): Promise<TcpPair> {
  const server = new Socket(family, SOCK_STREAM);
  const client = new Socket(family, SOCK_STREAM);
  try {
    server.bind([family === AF_INET6 ? "::1" : "127.0.0.1", 0]);
    server.listen();
    await within(client.connect(server.getsockname()), WAIT_MS, "connect");
    const [conn] = await within(server.accept(), WAIT_MS, "accept");
    return {
      server,
      client,
      conn,
      [Symbol.dispose]() {
        conn.close();
        client.close();
        server.close();
      },
    };
  } catch (e) {
    client.close();
    server.close();
    throw e;
  }
}

/** A temporary directory, removed with everything in it on dispose. */
export interface TempDir extends AsyncDisposable {
  path: string;
}

/** Creates a temporary directory for Unix socket paths. */
export async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "pynet-test-" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** A running child process (python3, deno, ...) whose stdout is read line by line. */
export interface ChildPeer extends AsyncDisposable {
  /** The next line the child printed (without its newline); fails after `ms`. */
  readLine(ms?: number): Promise<string>;
  /** Waits for the child to exit and returns its exit code and everything it wrote to stderr. */
  finish(ms?: number): Promise<{ code: number; stderr: string }>;
}

/** A running python3 child whose stdout is read line by line. */
export type PythonPeer = ChildPeer;

/**
 * Starts `python3 -u -c script args...`. Dispose kills the child if it still runs and waits for
 * it, so no process or pipe outlives the test.
 */
export function startPython(script: string, args: string[] = []): PythonPeer {
  return startChild("python3", ["-u", "-c", script, ...args]);
}

/**
 * Starts `deno run --no-config flags... file args...` (a script of the repository, such as an
 * example that serves until it has done its work) and reads its stdout line by line.
 */
export function startDenoFile(file: string, flags: string[] = [], args: string[] = []): ChildPeer {
  return startChild(Deno.execPath(), ["run", "--no-config", ...flags, file, ...args]);
}

/**
 * Starts `command args...` with stdout read line by line. Dispose kills the child if it still
 * runs and waits for it, so no process or pipe outlives the test.
 */
export function startChild(command: string, args: string[]): ChildPeer {
  const child = new Deno.Command(command, {
    args,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderrText = new Response(child.stderr).text();
  let pending = "";
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  async function readLine(ms = WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const nl = pending.indexOf("\n");
      if (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        return line;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${command} printed no line in time`);
      const { value, done } = await within(reader.read(), left, `${command} output`);
      if (done) {
        throw new Error(`${command} exited before printing a line: ${await stderrText}`);
      }
      pending += value;
    }
  }

  async function drain(): Promise<void> {
    try {
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
    } catch {
      // The pipe broke as the child died: nothing more to read.
    }
  }

  async function finish(ms = WAIT_MS): Promise<{ code: number; stderr: string }> {
    const draining = drain();
    const { code } = await within(status, ms, `${command} exit`);
    await draining;
    return { code, stderr: await stderrText };
  }

  return {
    readLine,
    finish,
    async [Symbol.asyncDispose]() {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // It exited in the meantime.
        }
      }
      await drain();
      await status;
      await stderrText;
    },
  };
}

/** The `file:` URL of a file of the socket module, for a child script to import. */
export function socketModule(name: string): string {
  return new URL(`../socket/${name}`, import.meta.url).href;
}

/**
 * Runs a TypeScript snippet in a child `deno run --no-config` with `flags` (and nothing else:
 * no permission, no unstable flag unless given), and returns its exit code and output. The
 * snippet imports the socket module through {@linkcode socketModule} URLs.
 */
export async function runDeno(
  source: string,
  flags: string[] = [],
  ms = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pynet-child-" });
  const file = `${dir}/child.ts`;
  await Deno.writeTextFile(file, source);
  try {
    return await runDenoFile(file, flags, [], ms);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `deno run --no-config flags... file args...` to its end (killed after `ms`), and
 * returns its exit code and output: a script of the repository, such as an example.
 */
export function runDenoFile(
  file: string,
  flags: string[] = [],
  args: string[] = [],
  ms = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runDenoChild(["run", "--no-config", ...flags, file, ...args], ms, `deno run ${file}`);
}

/** Runs the Deno binary with `args` to its end (killed after `ms`): exit code and output. */
function runDenoChild(
  args: string[],
  ms: number,
  what: string,
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(Deno.execPath(), args, ms, what, env);
}

/**
 * Runs `command args...` to its end, killed (SIGKILL) after `ms` with an error naming `what`,
 * and returns its exit code and output; stdin is null.
 */
export async function runCommand(
  command: string,
  args: string[],
  ms: number,
  what: string,
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(command, {
    args,
    ...(env ? { env } : {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = new Response(child.stdout).text();
  const err = new Response(child.stderr).text();
  let status: Deno.CommandStatus;
  try {
    status = await within(child.status, ms, what);
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    await out;
    await err;
    throw e;
  }
  return { code: status.code, stdout: await out, stderr: await err };
}

/** Family-specific loopback host. */
export function loopback(family: number): string {
  return family === AF_INET6 ? "::1" : "127.0.0.1";
}

// ---- Unix socket paths ----------------------------------------------------------------------------
//
// Deno 2.9 asks net permission for each Unix socket path exactly (`--allow-net=unix:/dir/a.sock`;
// neither a directory nor a wildcard grants it), and the test task allows only loopback hosts.
// So the Unix tests run in a child `deno test` of their own file, allowed a fixed set of paths
// in a temporary directory the parent creates and removes.

const UNIX_DIR_ENV = "PYNET_TEST_UNIX_DIR";
const UNIX_SLOTS = 40;
let nextSlot = 0;

/** The directory of the Unix socket paths this (child) run may use, or `undefined` in the parent. */
export function unixTestDir(): string | undefined {
  return Deno.env.get(UNIX_DIR_ENV);
}

/** A fresh Unix socket path this run is allowed to use (each one once). */
export function unixPath(): string {
  const dir = unixTestDir();
  if (dir === undefined) throw new Error("unixPath() is for the child run only");
  if (nextSlot >= UNIX_SLOTS) throw new Error("out of permitted Unix socket paths");
  return `${dir}/u${nextSlot++}.sock`;
}

/** A permitted path inside a directory that does not exist. */
export function unixPathInMissingDir(): string {
  return `${unixTestDir()}/missing/x.sock`;
}

/**
 * Runs `testFile` in a child `deno test` allowed the Unix socket paths of a temporary directory
 * (removed afterwards), and returns its exit code and output.
 */
export async function runUnixTests(testFile: string): Promise<{ code: number; output: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pynet-unix-" });
  try {
    const paths = Array.from({ length: UNIX_SLOTS }, (_, i) => `unix:${dir}/u${i}.sock`);
    paths.push(`unix:${dir}/missing/x.sock`);
    const root = new URL("../", import.meta.url).pathname;
    const { code, stdout, stderr } = await runDenoChild(
      [
        "test",
        `--config=${root}deno.json`,
        `--import-map=${root}import_map.json`,
        "--unstable-net",
        `--allow-net=127.0.0.1,[::1],localhost,${paths.join(",")}`,
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "--allow-run=python3",
        `--allow-env=${UNIX_DIR_ENV}`,
        testFile,
      ],
      120_000,
      "Unix socket tests",
      { [UNIX_DIR_ENV]: dir, NO_COLOR: "1" },
    );
    return { code, output: `${stdout}\n${stderr}` };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---- examples run as servers --------------------------------------------------------------------

/** A running example: the first line it printed, its port, its exit and its whole output. */
export interface RunningExample extends AsyncDisposable {
  /** The first line the example printed (without its newline). */
  firstLine: string;
  /** The last number of the first line (`port 1234`, `serving tcp on ["127.0.0.1",1234]`). */
  port: string;
  /** Waits for the example to exit by itself, and returns its code and whole output. */
  exit(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Starts `deno run --no-config flags... examples/<file> args...` and waits for its first line
 * (the address it serves on). Dispose kills it if it still runs and waits for it.
 */
export async function startExample(
  file: string,
  flags: string[],
  args: string[],
): Promise<RunningExample> {
  const example = new URL(`../examples/${file}`, import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", ...flags, example, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const errors = new Response(child.stderr).text();
  let seen = "";
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const drain = async () => {
    for (;;) {
      const { value, done } = await output.read();
      if (done) return;
      seen += value;
    }
  };
  const kill = async () => {
    if (!exited) child.kill("SIGKILL");
    await status;
    await drain();
    await errors;
  };
  try {
    while (!seen.includes("\n")) {
      const { value, done } = await within(output.read(), 30_000, `${file} first line`);
      if (done) throw new Error(`the example exited: ${await errors}`);
      seen += value;
    }
  } catch (e) {
    await kill();
    throw e;
  }
  const firstLine = seen.slice(0, seen.indexOf("\n"));
  return {
    firstLine,
    port: /(\d+)\D*$/.exec(firstLine)?.[1] ?? "",
    async exit() {
      const { code } = await within(status, 30_000, `${file} exit`);
      await drain();
      return { code, stdout: seen, stderr: await errors };
    },
    [Symbol.asyncDispose]: kill,
  };
}
