// How a socket's core gets its channel: bind, listen, accept, connect (ARCHITECTURE.md,
// "Layers"). `Socket` (_socket.ts) checks Python's arguments and calls these.
import { type Address, type DenoTarget, toDenoTarget, unboundAddress } from "./_address.ts";
import {
  AF_INET6,
  AF_UNIX,
  SO_DENO_LOADBALANCED,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./_constants.ts";
import {
  EALREADY,
  EBADF,
  ECONNREFUSED,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  EOPNOTSUPP,
} from "../_core/errno.ts";
import { BlockingIOError, fromDenoError, OSError, osError, timedOut } from "../_core/errors.ts";
import { DatagramChannel } from "./_datagram.ts";
import { ListenerChannel } from "./_listener.ts";
import { hasUnstableNet, optionKey, unstableNetError } from "./_options.ts";
import { POLLIN } from "../_core/readiness.ts";
import { WAKE_ALWAYS } from "../_core/wait_ready.ts";
import { raceAbort } from "../_core/abort.ts";
import { withTimeout } from "../_core/timeout.ts";
import type { ErrorMapper } from "../_core/channel.ts";
import type { SocketCore, State } from "./_socket_core.ts";

/**
 * What is left of `timeout` seconds since `start` (a `performance.now()` time), for a call that
 * may wait more than once: the whole call keeps to the timeout, as CPython's calls do. `null`
 * (no limit) and 0 (non-blocking) stay as they are.
 *
 * @throws {TimeoutError} When nothing is left.
 */
export function timeLeft(timeout: number | null, start: number): number | null {
  if (!timeout) return timeout;
  const left = timeout - (performance.now() - start) / 1000;
  if (left <= 0) throw timedOut();
  return left;
}

/**
 * The port a load-balanced listener binds: Deno shares such a listener between isolates by the
 * address asked for, so port 0 would give each isolate a port of its own. A free port is found
 * first with a plain listener (closed at once) and then bound by everyone.
 */
function freePortFor(hostname: string, port: number): number {
  if (port !== 0) return port;
  const probe = Deno.listen({ transport: "tcp", hostname, port: 0 });
  const found = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return found;
}

/**
 * Binds the socket. A stream socket is bound and listening in Deno from here on (Deno has no
 * separate bind); a datagram socket gets its datagram channel.
 */
export function bind(core: SocketCore, address: Address): void {
  const state = core.open();
  if (state.kind !== "fresh") throw new OSError(EINVAL);
  const datagram = core.type === SOCK_DGRAM;
  const target = toDenoTarget(core.family, datagram, address, "bind");
  core.bindPort = "port" in target ? target.port : 0;
  if (datagram) {
    core.enter({ kind: "datagram", channel: openDatagram(core, target) });
    return;
  }
  const reusePort = (core.options.get(optionKey(SOL_SOCKET, SO_REUSEPORT)) ?? 0) !== 0;
  // Deno exits the whole process on reusePort without --unstable-net: check first.
  if (reusePort && !hasUnstableNet()) throw unstableNetError("SO_REUSEPORT");
  const loadBalanced = (core.options.get(optionKey(SOL_SOCKET, SO_DENO_LOADBALANCED)) ?? 0) !== 0;
  let listener: Deno.Listener;
  try {
    listener = "path" in target
      ? Deno.listen({ transport: "unix", path: target.path })
      : Deno.listen({
        transport: "tcp",
        hostname: target.hostname,
        port: loadBalanced ? freePortFor(target.hostname, target.port) : target.port,
        ...(reusePort ? { reusePort: true } : {}),
        ...(loadBalanced ? { loadBalanced: true } : {}),
      });
  } catch (e) {
    throw fromDenoError(e);
  }
  const channel = new ListenerChannel(listener, core.owner, { reject: core.rejects });
  core.enter({ kind: "bound", channel });
}

function openDatagram(core: SocketCore, target: DenoTarget): DatagramChannel {
  try {
    const conn = "path" in target
      ? Deno.listenDatagram({ transport: "unixpacket", path: target.path })
      : Deno.listenDatagram({
        transport: "udp",
        hostname: target.hostname,
        port: target.port,
      });
    return new DatagramChannel(conn, core.owner);
  } catch (e) {
    throw fromDenoError(e);
  }
}

/** Starts listening; an unbound socket is first bound to an ephemeral port, as Linux does. */
export function listen(core: SocketCore): void {
  let state = core.open();
  if (core.type !== SOCK_STREAM) throw new OSError(EOPNOTSUPP);
  if (state.kind === "fresh") {
    bind(core, core.family === AF_UNIX ? "" : unboundAddress(core.family));
    state = core.state;
  }
  if (state.kind === "bound") {
    core.enter({ kind: "listening", channel: state.channel });
    core.changed();
  } else if (state.kind !== "listening") {
    throw new OSError(EINVAL);
  }
}

/**
 * Waits for a connection and takes it, with how its errors map (a TLS listener's), as the
 * socket's timeout says.
 */
export async function acceptConn(
  core: SocketCore,
  signal?: AbortSignal,
): Promise<[Deno.Conn, ErrorMapper | undefined]> {
  const state = core.open();
  if (core.type !== SOCK_STREAM) throw new OSError(EOPNOTSUPP);
  if (state.kind !== "listening") throw new OSError(EINVAL);
  const start = performance.now();
  let conn: Deno.Conn | null = null;
  // Another accept() waiting at the same time may take the connection first: wait on.
  while (conn === null) {
    const left = timeLeft(core.timeout, start);
    // A connection already queued (the accept-ahead's, under churn): taken without the wait's
    // async frame and its microtask hops. The check is the wait's own first one.
    if (!(core.pollEvents() & (POLLIN | WAKE_ALWAYS))) await core.ready(POLLIN, left, 0, signal);
    core.open();
    // Taking a connection (or an error) lets the channel accept ahead again for watchers.
    conn = state.channel.take();
  }
  return [conn, state.channel.acceptedErrors];
}

/**
 * Connects (a datagram socket only records its peer). Non-blocking, it rejects with
 * `BlockingIOError` (`EINPROGRESS`) while the connection goes on.
 */
export async function connect(
  core: SocketCore,
  address: Address,
  signal?: AbortSignal,
): Promise<void> {
  const state = core.open();
  const datagram = core.type === SOCK_DGRAM;
  const target = toDenoTarget(core.family, datagram, address, "connect");
  if (datagram) {
    datagramChannel(core, target).peer = target;
    core.peer = target;
    return;
  }
  switch (state.kind) {
    case "connected":
      throw new OSError(EISCONN);
    case "connecting":
      throw new BlockingIOError(EALREADY);
    case "listening":
      throw new OSError(EISCONN); // as Linux
    case "bound":
      unbindForConnect(core, state.channel);
  }
  const done = startConnect(core, target);
  if (core.timeout === 0) {
    done.catch(() => {}); // reported through readiness and SO_ERROR
    throw new BlockingIOError(EINPROGRESS);
  }
  try {
    await raceAbort(withTimeout(done, core.timeout, timedOut), signal);
  } catch (e) {
    const current = core.state;
    if (current.kind === "connecting") current.abort.abort();
    done.catch(() => {});
    // A blocking connect reports its error itself; the socket may try again.
    if (core.state.kind === "failed" || core.state.kind === "connecting") {
      core.state = { kind: "fresh" };
    }
    throw e;
  }
}

/** Deno cannot connect from a chosen local address: only an ephemeral bind is undone. */
function unbindForConnect(core: SocketCore, channel: ListenerChannel): void {
  channel.close();
  core.enter({ kind: "fresh" });
  if (core.family === AF_UNIX || core.bindPort !== 0) {
    throw new OSError(
      EOPNOTSUPP,
      "Operation not supported: Deno cannot connect from a chosen local address " +
        "(Deno.connect has no local-address option); connect without bind()",
    );
  }
}

function startConnect(core: SocketCore, target: DenoTarget): Promise<void> {
  const abort = new AbortController();
  const connecting = "path" in target
    ? Deno.connect({ transport: "unix", path: target.path })
    : target.port === 0
    // Linux refuses port 0 at once; Deno would raise a TypeError.
    ? Promise.reject(osError(ECONNREFUSED))
    : Deno.connect({ hostname: target.hostname, port: target.port, signal: abort.signal });
  // Compared by identity: an abandoned (timed-out, aborted) connect that completes late must
  // not take over the socket while a newer connect runs.
  const done = connecting.then(
    (conn) => {
      if (core.state !== mine) {
        conn.close();
        throw new OSError(EBADF);
      }
      core.attach(conn);
      core.applyConnOptions();
    },
    (e) => {
      const error = e instanceof DOMException && e.name === "AbortError"
        ? timedOut()
        : fromDenoError(e) as OSError;
      if (core.state === mine) {
        core.state = { kind: "failed", error };
        core.changed();
      }
      throw error;
    },
  );
  const mine: State = { kind: "connecting", abort, done };
  core.enter(mine);
  return done;
}

/** The datagram channel, binding an unbound socket to an ephemeral port first. */
export function datagramChannel(core: SocketCore, toward: DenoTarget): DatagramChannel {
  const state = core.open();
  if (state.kind === "datagram") return state.channel;
  if ("path" in toward) {
    throw new OSError(
      EOPNOTSUPP,
      "Operation not supported: Deno cannot send from an unbound AF_UNIX datagram socket; " +
        "bind() it to a path first",
    );
  }
  bind(core, implicitBindAddress(core.family, toward));
  return (core.state as { channel: DatagramChannel }).channel;
}

/**
 * Where an unbound datagram socket is bound before its first send or connect. The kernel binds
 * to the wildcard address, but Deno asks net permission for the bind address as well: a program
 * allowed only `--allow-net=127.0.0.1` could not even send to 127.0.0.1. So when the wildcard
 * is not granted and the peer is on loopback, the socket binds to loopback instead (the route
 * the kernel would take anyway); otherwise the wildcard, whose permission error names the flag.
 */
function implicitBindAddress(family: number, toward: DenoTarget): [string, number] {
  const wildcard = unboundAddress(family) as [string, number];
  if (!("hostname" in toward)) return wildcard;
  const host = toward.hostname.toLowerCase();
  const loopback = family === AF_INET6
    ? (host === "::1" || host === "[::1]" ? "::1" : null)
    : (/^127\./.test(host) ? "127.0.0.1" : null);
  if (loopback === null) return wildcard;
  const asked = family === AF_INET6 ? "[::]:0" : "0.0.0.0:0";
  const { state } = Deno.permissions.querySync({ name: "net", host: asked });
  return state === "granted" ? wildcard : [loopback, 0];
}
