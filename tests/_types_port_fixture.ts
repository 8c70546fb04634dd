// Faithful ports of Python programs, as a Python programmer would write them: no `as` casts
// and no non-null `!` anywhere in this file (tests/types_port_test.ts checks both, runs the
// ports against python3, and `deno check`s this file). The selector's type arguments and
// `socket(AF_INET, SOCK_DGRAM)` carry what the program registered and what a datagram gives.
import { DefaultSelector, EVENT_READ } from "../selectors/mod.ts";
import {
  type Address,
  AF_INET,
  type DatagramSocket,
  SOCK_DGRAM,
  type Socket,
  socket,
} from "../socket/mod.ts";

/** What the selectors docs' echo server keeps as `key.data`. */
export type Callback = (sock: Socket, mask: number) => Promise<void>;

/**
 * The echo server of Python's selectors documentation, over an already listening `sock`; it
 * returns once `connections` clients have come and gone (the original loops forever).
 */
export async function selectorsEchoServer(sock: Socket, connections: number): Promise<void> {
  const sel = new DefaultSelector<Callback, Socket>();
  let finished = 0;

  async function accept(sock: Socket, _mask: number): Promise<void> {
    const [conn, _addr] = await sock.accept(); // Should be ready
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
  }

  async function read(conn: Socket, _mask: number): Promise<void> {
    const data = await conn.recv(1000); // Should be ready
    if (data.length) {
      await conn.sendall(data);
    } else {
      sel.unregister(conn);
      conn.close();
      finished += 1;
    }
  }

  sock.setblocking(false);
  sel.register(sock, EVENT_READ, accept);
  try {
    while (finished < connections) {
      for (const [key, mask] of await sel.select()) {
        const callback = key.data;
        await callback(key.fileobj, mask);
      }
    }
  } finally {
    sel.close();
  }
}

/** PyMOTW-3's UDP echo server loop, for `datagrams` datagrams. */
export async function udpEchoServer(sock: DatagramSocket, datagrams: number): Promise<Address[]> {
  const senders: Address[] = [];
  for (let i = 0; i < datagrams; i++) {
    const [data, address] = await sock.recvfrom(4096);
    senders.push(address);
    if (data.length) await sock.sendto(data, address);
  }
  return senders;
}

/** A UDP server socket made as Python makes it. */
export function udpServer(): DatagramSocket {
  const sock = socket(AF_INET, SOCK_DGRAM);
  sock.bind(["127.0.0.1", 0]);
  return sock;
}

/**
 * Wrong uses the types refuse. Never called: each `@ts-expect-error` line must fail to
 * compile, or `deno check` reports the directive as unused.
 */
export async function wrongUses(
  sel: DefaultSelector<Callback, Socket>,
  stream: Socket,
  datagram: DatagramSocket,
): Promise<void> {
  // @ts-expect-error: this selector's data are callbacks, not strings.
  sel.register(stream, EVENT_READ, "accept");
  // @ts-expect-error: data may be left out only when the data type admits null.
  sel.register(stream, EVENT_READ);
  // @ts-expect-error: it holds sockets, not bare descriptors.
  sel.register(5, EVENT_READ, async () => {});
  // @ts-expect-error: a stream's recvfrom() address may be null.
  const _from: Address = (await stream.recvfrom(1))[1];
  // @ts-expect-error: a datagram's address is never null, nor a number.
  const _port: number = (await datagram.recvfrom(1))[1];
}
