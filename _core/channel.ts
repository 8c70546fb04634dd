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

/**
 * Whether a connection's pending reads hold the process (Deno's `ref()`/`unref()`, which apply
 * to the read pending and the later ones). A read the program awaits holds it; a read-ahead
 * does not (ARCHITECTURE.md, "A script ends when its work ends"). Made unref'd; each call
 * reaches the connection only when the state changes, so back-to-back blocking reads pay no
 * ref/unref per read.
 */
export class ReadHold {
  readonly #conn: { ref?(): void; unref?(): void };
  /** As last set; null when unknown (another layer had the connection meanwhile). */
  #held: boolean | null = false;

  constructor(conn: { ref?(): void; unref?(): void }) {
    this.#conn = conn;
    conn.unref?.();
  }

  /** Makes the connection's reads hold the process. */
  hold(): void {
    if (this.#held === true) return;
    this.#held = true;
    this.#conn.ref?.();
  }

  /** Makes the connection's reads, the pending one too, leave the process free to end. */
  release(): void {
    if (this.#held === false) return;
    this.#held = false;
    this.#conn.unref?.();
  }

  /** Forgets the state: the next hold or release reaches the connection whatever it was. */
  forget(): void {
    this.#held = null;
  }
}
