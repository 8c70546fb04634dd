// Shared helpers of the ssl tests: the fixture certificates, ready-made contexts, TLS socket
// pairs on loopback, and `openssl s_server` / `s_client` run as real peers. Every wait is
// bounded and every child process is killed and awaited on dispose.
import { createConnection, createServer, type Socket } from "../socket/mod.ts";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLSocket,
  type WrapSocketOptions,
} from "../ssl/mod.ts";
import { startPython, WAIT_MS, within } from "./_helpers.ts";

const CERTS = new URL("./certs/", import.meta.url);

/** The path of a fixture in tests/certs/. */
export function certPath(name: string): string {
  return new URL(name, CERTS).pathname;
}

/** The text of a fixture in tests/certs/. */
export function certText(name: string): string {
  return Deno.readTextFileSync(new URL(name, CERTS));
}

/** A `PROTOCOL_TLS_SERVER` context with `<name>.pem` / `<name>.key` loaded. */
export function serverContext(name = "server"): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(certPath(`${name}.pem`), certPath(`${name}.key`));
  return ctx;
}

/** A `PROTOCOL_TLS_CLIENT` context trusting only the test CA. */
export function clientContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(certPath("ca.pem"));
  return ctx;
}

/** A client context that verifies nothing (`CERT_NONE`, no host name check). */
export function insecureClientContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = CERT_NONE;
  return ctx;
}

/** A server context that asks for (and verifies) client certificates: the node engine. */
export function nodeServerContext(): SSLContext {
  const ctx = serverContext();
  ctx.verifyMode = CERT_OPTIONAL;
  ctx.loadVerifyLocations(certPath("ca.pem"));
  return ctx;
}

/** A verifying client presenting client.pem: the node engine. */
export function nodeClientContext(): SSLContext {
  const ctx = clientContext();
  ctx.loadCertChain(certPath("client.pem"), certPath("client.key"));
  return ctx;
}

/** Context makers that put both sides on Deno's own TLS engine, or both on node:tls. */
export const ENGINES = [
  { engine: "deno", server: () => serverContext(), client: () => clientContext() },
  { engine: "node", server: nodeServerContext, client: nodeClientContext },
] as const;

/** A listening TLS server socket, a client TLS socket connected to it, and the accepted one. */
export interface TlsPair extends Disposable {
  server: SSLSocket;
  client: SSLSocket;
  conn: SSLSocket;
}

/** Options of {@linkcode tlsPair}: each side's wrapSocket options. */
export interface TlsPairOptions {
  client?: WrapSocketOptions;
  server?: WrapSocketOptions;
}

/**
 * Makes a listening TLS server from `serverCtx` on 127.0.0.1 and connects a TLS client made
 * from `clientCtx` (server name `localhost` unless given) to it. `using` closes all three.
 */
export async function tlsPair(
  serverCtx: SSLContext,
  clientCtx: SSLContext,
  options: TlsPairOptions = {},
): Promise<TlsPair> {
  const server = await serverCtx.wrapSocket(createServer(["127.0.0.1", 0]), {
    serverSide: true,
    ...options.server,
  });
  const address = server.getsockname() as [string, number];
  let client: SSLSocket | null = null;
  let conn: SSLSocket | null = null;
  try {
    const accepting = within(server.accept(), WAIT_MS, "accept");
    const connecting = within(createConnection(address), WAIT_MS, "connect")
      .then((plain) =>
        clientCtx.wrapSocket(plain, { serverHostname: "localhost", ...options.client })
      );
    const [c, a] = await Promise.allSettled([connecting, accepting]);
    if (c.status === "fulfilled") client = c.value;
    if (a.status === "fulfilled") conn = a.value[0];
    if (c.status === "rejected") throw c.reason;
    if (a.status === "rejected") throw a.reason;
    const pair = { server, client: client!, conn: conn! };
    return {
      ...pair,
      [Symbol.dispose]() {
        pair.conn.close();
        pair.client.close();
        pair.server.close();
      },
    };
  } catch (e) {
    client?.close();
    conn?.close();
    server.close();
    throw e;
  }
}

/** A port free on 127.0.0.1 right now (for a child that must be told its port). */
export function freePort(): number {
  using probe = createServer(["127.0.0.1", 0]);
  return (probe.getsockname() as [string, number])[1];
}

/** A running child process whose output is collected. */
export interface Child extends AsyncDisposable {
  /** The port it listens on (servers). */
  port: number;
  /** Waits for it to exit; its code and output. */
  finish(ms?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

interface Spawned {
  child: Deno.ChildProcess;
  stdout: Promise<string>;
  stderr: Promise<string>;
  status: Promise<Deno.CommandStatus>;
  exited: () => boolean;
  /** stdout so far. */
  seen: () => string;
}

function spawn(command: string, args: string[], input: Uint8Array | null): Spawned {
  const child = new Deno.Command(command, {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let seen = "";
  const stdout = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) seen += decoder.decode(chunk, { stream: true });
    return seen;
  })();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  if (input) {
    const writer = child.stdin.getWriter();
    writer.write(input).then(() => writer.close()).catch(() => {});
  }
  return { child, stdout, stderr, status, exited: () => exited, seen: () => seen };
}

async function reap(spawned: Spawned): Promise<void> {
  if (!spawned.exited()) {
    try {
      spawned.child.kill("SIGKILL");
    } catch {
      // It exited in the meantime.
    }
  }
  await spawned.status;
  await spawned.stdout.catch(() => "");
  await spawned.stderr.catch(() => "");
}

function childOf(spawned: Spawned, port: number): Child {
  return {
    port,
    async finish(ms = WAIT_MS) {
      const { code } = await within(spawned.status, ms, "child exit");
      return { code, stdout: await spawned.stdout, stderr: await spawned.stderr };
    },
    async [Symbol.asyncDispose]() {
      await reap(spawned);
    },
  };
}

/**
 * Starts `openssl s_server` on a free loopback port with `server.pem` (unless `args` name a
 * `-cert`), answering each line with its reverse (`-rev`); resolves once it accepts. A port
 * taken between the probe and the start is retried on another one.
 */
export async function startOpensslServer(args: string[] = []): Promise<Child> {
  const certArgs = args.includes("-cert")
    ? []
    : ["-cert", certPath("server.pem"), "-key", certPath("server.key")];
  for (let attempt = 0;; attempt++) {
    const port = freePort();
    const spawned = spawn("openssl", [
      "s_server",
      "-accept",
      `127.0.0.1:${port}`,
      ...certArgs,
      ...args,
    ], null);
    const deadline = Date.now() + WAIT_MS;
    while (!spawned.seen().includes("ACCEPT") && !spawned.exited() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (spawned.seen().includes("ACCEPT")) return childOf(spawned, port);
    await reap(spawned);
    const stderr = await spawned.stderr;
    if (attempt < 5 && /in use|bind/i.test(stderr)) continue;
    throw new Error(`openssl s_server did not start: ${stderr}`);
  }
}

/**
 * Runs `openssl s_client` against 127.0.0.1:`port` with `args`, writing `input` to it; the
 * returned child's `finish()` gives its output.
 */
export function startOpensslClient(port: number, args: string[], input: Uint8Array): Child {
  return childOf(
    spawn("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, ...args], input),
    port,
  );
}

/** A plain loopback listener that accepts and then says nothing (for handshake timeouts). */
export function silentServer(): Socket {
  return createServer(["127.0.0.1", 0]);
}

/**
 * CPython's `getpeercert()` dictionary for the certificate file `name` (decoded by python3's own
 * `ssl._ssl._test_decode_cert`), with tuples as arrays.
 */
export async function pythonCertDict(name: string): Promise<unknown> {
  await using peer = startPython(
    "import json, ssl, sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))",
    [certPath(name)],
  );
  const line = await peer.readLine();
  await peer.finish();
  return JSON.parse(line);
}
