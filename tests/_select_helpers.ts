// Shared helpers of the select and selectors tests: socketpairs, the four selector classes,
// coarse clocks, and the echo server of Python's selectors documentation.
import { assert, assertEquals } from "@std/assert";
import { AF_INET, SOCK_STREAM, Socket, socketpair } from "../socket/mod.ts";
import { select } from "../select/mod.ts";
import { within } from "./_helpers.ts";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  PollSelector,
  type SelectorKey,
  SelectSelector,
} from "../selectors/mod.ts";

/** The selector classes CPython's test_selectors runs its generic tests for, by name. */
export const SELECTORS: [string, new () => BaseSelector][] = [
  ["DefaultSelector", DefaultSelector],
  ["SelectSelector", SelectSelector],
  ["PollSelector", PollSelector],
  ["EpollSelector", EpollSelector],
];

/** A set of sockets closed together (`using`), so no test leaves one open. */
export class SocketBag implements Disposable {
  readonly sockets: Socket[] = [];

  /** Keeps `sockets` for closing and returns them. */
  add<T extends Socket[]>(...sockets: T): T {
    this.sockets.push(...sockets);
    return sockets;
  }

  /** A new socketpair, closed with the bag. */
  pair(): [Socket, Socket] {
    return this.add(...socketpair());
  }

  [Symbol.dispose](): void {
    for (const sock of this.sockets) sock.close();
  }
}

/**
 * Waits (bounded) until `select()` reports `sock` readable. Such a wait also opens a write
 * batch (_core/write_batch.ts).
 */
export async function selectReadable(sock: Socket): Promise<void> {
  const [r] = await within(select([sock], [], [], 5), 6_000, "select");
  assertEquals(r, [sock]);
}

/** A listening TCP socket on 127.0.0.1 with a port from the OS. */
export function listener(backlog?: number): Socket {
  const sock = new Socket(AF_INET, SOCK_STREAM);
  sock.bind(["127.0.0.1", 0]);
  sock.listen(backlog);
  return sock;
}

/** A port nothing listens on: one the OS just handed out and took back. */
export function freePort(): number {
  using probe = listener();
  return (probe.getsockname() as [string, number])[1];
}

/** Milliseconds `fn` took to settle, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

/** The file objects of `ready` whose events include `event`. */
export function readyFor<T>(ready: [SelectorKey<T>, number][], event: number): unknown[] {
  return ready.filter(([, events]) => events & event).map(([key]) => key.fileobj);
}

/** What to do with a ready registration in the echo server: Python's `key.data` callbacks. */
type Callback = (sock: Socket, mask: number) => Promise<void>;

/**
 * The echo server of Python's selectors documentation, with non-blocking sockets and
 * `key.data` callbacks, serving until `clients` connections have been accepted and closed
 * (or `deadlineMs` passes, which fails the test). Closes every socket it accepted.
 */
export async function serveEcho(
  server: Socket,
  clients: number,
  deadlineMs = 30_000,
  makeSelector: () => BaseSelector = () => new DefaultSelector(),
): Promise<{ accepted: number; closed: number }> {
  using sel = makeSelector();
  let accepted = 0;
  let closed = 0;
  const read: Callback = async (conn) => {
    const data = await conn.recv(1000); // Should be ready
    if (data.length > 0) {
      let sent = 0; // A non-blocking send takes what the send buffer has room for.
      while (sent < data.length) sent += await conn.send(data.subarray(sent));
    } else {
      sel.unregister(conn);
      conn.close();
      closed++;
    }
  };
  const accept: Callback = async (sock) => {
    const [conn] = await sock.accept(); // Should be ready
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
    accepted++;
  };
  server.setblocking(false);
  sel.register(server, EVENT_READ, accept);
  const deadline = performance.now() + deadlineMs;
  try {
    while (closed < clients) {
      assert(performance.now() < deadline, `echo server: ${closed} of ${clients} served in time`);
      for (const [key, mask] of await sel.select(1)) {
        await (key.data as Callback)(key.fileobj as Socket, mask);
      }
    }
  } finally {
    for (const key of [...sel.getMap()!.values()]) {
      if (key.fileobj !== server) (key.fileobj as Socket).close();
    }
  }
  return { accepted, closed };
}
