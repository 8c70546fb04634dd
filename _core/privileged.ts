// What the `ssl` module may do to a socket that a user may not: upgrade its connection to TLS,
// replace its listener by a TLS one, hold its readiness while a handshake runs, and look at
// its connection. A socket hands these out under one symbol, `socketCore`, as Deno hands out
// a resource id under its `internalRidSymbol`: the symbol is exported from here only, never
// from a public `mod.ts`, so the public API does not reach it (ARCHITECTURE.md, "Layers").
import type { ByteConn, ErrorMapper } from "./channel.ts";

/**
 * The key under which a socket hands out its core (see {@linkcode SocketPrivileges}). Made with
 * `Symbol()`, not `Symbol.for()`: only code that imports it can name it.
 */
export const socketCore: unique symbol = Symbol("pynet.socketCore");

/**
 * The key of a socket class's Python name, for `repr()` (`socket.socket`, `ssl.SSLSocket`). A
 * class states it as its own static property; a user's subclass, which has none of its own,
 * shows its own JavaScript name, as CPython's `__main__.Name` does.
 */
export const pythonClassName: unique symbol = Symbol("pynet.pythonClassName");

/** The Python name of a socket class (see {@linkcode pythonClassName}). */
export function pythonNameOf(ctor: unknown): string {
  const fn = ctor as { name: string; [pythonClassName]?: string };
  return Object.hasOwn(fn, pythonClassName) ? fn[pythonClassName]! : fn.name;
}

/** What an upgrade makes: the new connection, and how its errors map to a socket's. */
export interface UpgradedConn {
  /** The upgraded (TLS) connection. */
  conn: ByteConn;
  /** How its errors become a socket's; Deno's mapping when left out. */
  mapError?: ErrorMapper;
}

/** A connected stream socket's connection and the count of received bytes not yet read. */
export interface StreamView {
  /** The connection the socket runs on now. */
  conn: ByteConn;
  /** Bytes received and not yet read. */
  buffered: number;
}

/** What the `ssl` module may do to a socket, through `sock[socketCore]`. */
export interface SocketPrivileges {
  /**
   * Replaces a connected stream socket's connection by what `upgrade` makes of it (a TLS
   * connection), once its read-ahead is parked and its send buffer drained; the socket object,
   * its descriptor and its watchers stay. On failure the plain connection is left as it was.
   * `clean` says no read was left pending on the plain connection.
   */
  upgrade(upgrade: (conn: ByteConn, clean: boolean) => Promise<UpgradedConn>): Promise<void>;
  /**
   * Replaces a listening stream socket's listener by `make(address)` (a `Deno.listenTls` on the
   * same address), whose accepted connections' errors map through `acceptedErrors`.
   */
  replaceListener(
    make: (address: Deno.NetAddr) => Deno.Listener,
    acceptedErrors?: ErrorMapper,
  ): void;
  /**
   * Makes a connected stream socket report `events` as its readiness instead of its
   * connection's, until called again with `null`: a non-blocking TLS handshake runs in the
   * background, and the socket must look ready only once it has settled.
   */
  holdReadiness(events: number | null): void;
  /** The connection and buffered count of a connected stream socket, else `null`. */
  stream(): StreamView | null;
}
