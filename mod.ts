/**
 * pynet: Python's network-programming modules for Deno, with Python's names and behaviour on
 * Deno's own sockets. Each Python module is a sub-export (`@pynet/net/socket`, ...) and, here,
 * a namespace of the same name.
 *
 * | Python | pynet |
 * |---|---|
 * | `import socket` | `import { socket } from "@pynet/net"` or `import * as socket from "@pynet/net/socket"` |
 * | `import select` | `import { select } from "@pynet/net"` or `import * as select from "@pynet/net/select"` |
 * | `import ssl` | `import { ssl } from "@pynet/net"` or `import * as ssl from "@pynet/net/ssl"` |
 * | `import selectors` | `import { selectors } from "@pynet/net"` or `import * as selectors from "@pynet/net/selectors"` |
 * | `import asyncore` | `import { asyncore } from "@pynet/net"` or `import * as asyncore from "@pynet/net/asyncore"` |
 * | `import asynchat` | `import { asynchat } from "@pynet/net"` or `import * as asynchat from "@pynet/net/asynchat"` |
 * | `import socketserver` | `import { socketserver } from "@pynet/net"` or `import * as socketserver from "@pynet/net/socketserver"` |
 *
 * @example A round trip over loopback
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socket } from "@pynet/net";
 *
 * using server = socket.createServer(["127.0.0.1", 0]);
 * const [host, port] = server.getsockname() as socket.IPv4Address;
 * using client = await socket.createConnection([host, port]);
 * const [conn] = await server.accept();
 * using peer = conn;
 * await client.sendall(new TextEncoder().encode("ping"));
 * assertEquals(new TextDecoder().decode(await peer.recv(4)), "ping");
 * ```
 *
 * @module
 */

export * as socket from "./socket/mod.ts";
export * as select from "./select/mod.ts";
export * as selectors from "./selectors/mod.ts";
export * as ssl from "./ssl/mod.ts";
export * as asyncore from "./asyncore/mod.ts";
export * as asynchat from "./asynchat/mod.ts";
export * as socketserver from "./socketserver/mod.ts";
