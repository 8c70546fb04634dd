// What a channel runs on: the byte connection Deno (or an in-memory pipe, or a TLS layer) gives,
// and how that connection's errors become a socket's.
import type { OSError } from "./errors.ts";

/** The part of `Deno.Conn` a stream needs; `socketpair()`'s in-memory pipe has it too. */
export interface ByteConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  /** Makes pending and later reads keep the process alive (Deno's conns have it). */
  ref?(): void;
  /** Makes pending and later reads not keep the process alive. */
  unref?(): void;
}

/**
 * Turns what a connection rejected with into the error a socket raises. `null` (for a read)
 * means EOF: a TLS connection cut without close_notify, where ragged EOFs are suppressed.
 */
export type ErrorMapper = (e: unknown, op: "read" | "write") => OSError | null;

/** What a channel tells the object that owns it. */
export interface ChannelOwner {
  /** The channel's readiness may have changed. */
  changed(): void;
}

/**
 * The face the stream, listener and datagram channels share: what their owner (a socket's
 * core) asks of any of them, whichever state it is in.
 */
export interface Channel {
  /** The `POLL*` events that hold now. */
  pollEvents(): number;
  /** Whether a take settles at once: input, EOF, a queued connection or datagram, an error. */
  readonly readable: boolean;
  /** Starts looking for input (a read-ahead, an accept-ahead, a receive-ahead). */
  armRead(sizeHint?: number): void;
  /** Closes the channel and what it runs on. */
  close(): void;
}
