// Web Streams on a connected stream socket, shaped like Deno.Conn's `readable` and `writable`.
// They run on the socket's own Python-style calls (recvInto, sendall), so the socket's timeout,
// TLS (an SSLSocket's overrides) and the read-ahead apply unchanged: bytes already read ahead
// come out of the readable first, and a read that outlives a timeout keeps its bytes.
import type { AbortOptions } from "../_core/abort.ts";
import { SHUT_RD, SHUT_WR } from "./_constants.ts";
import { BlockingIOError } from "../_core/errors.ts";
import { POLLIN, POLLOUT, readinessSource, type Watchable } from "../_core/readiness.ts";
import { waitReady } from "../_core/wait_ready.ts";

/**
 * The option key a stream's own calls carry: they pass the check that refuses Python-style
 * calls while a stream is locked.
 */
export const fromStream: unique symbol = Symbol("pynet.fromStream");

/** A call's options as the streams pass them. */
export type StreamCallOptions = AbortOptions & { [fromStream]?: true };

/** What the streams need of a socket: its public calls, and a way to give bytes back. */
export interface StreamSocket extends Watchable {
  recvInto(
    buffer: Uint8Array,
    nbytes: number,
    flags: number,
    options: AbortOptions,
  ): Promise<number>;
  send(data: Uint8Array, flags: number, options: AbortOptions): Promise<number>;
  sendall(data: Uint8Array, flags: number, options: AbortOptions): Promise<void>;
  shutdown(how: number): void;
  gettimeout(): number | null;
}

/** The size of the buffers a default reader gets: Deno's own `conn.readable` reads 64 KiB. */
const CHUNK_SIZE = 64 * 1024;

const OWN: StreamCallOptions = { [fromStream]: true };

/**
 * Streams that will take or give no more bytes (closed, cancelled, errored): a reader or writer
 * that still holds one (`toText` never releases its reader) must not keep Python-style calls
 * refused, since the stream no longer competes for the bytes.
 */
const finished = new WeakSet<ReadableStream | WritableStream>();

/** Whether `stream` is one of the socket's streams that is still live. */
export function isLive(stream: ReadableStream | WritableStream): boolean {
  return !finished.has(stream);
}

/**
 * The socket's `readable`: a byte stream (BYOB readers read straight into their buffer) whose
 * pulls are `recvInto` calls. Cancelling it is `shutdown(SHUT_RD)`. `giveBack` returns bytes a
 * pull brought in after its reader was released to the socket's inbox, for the next `recv`.
 */
export function socketReadable(
  sock: StreamSocket,
  giveBack: (bytes: Uint8Array) => void,
): ReadableStream<Uint8Array> {
  let cancelled = false;
  const stream: ReadableStream<Uint8Array> = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: CHUNK_SIZE,
    async pull(controller) {
      const request = controller.byobRequest!;
      const given = request.view!;
      const view = new Uint8Array(given.buffer, given.byteOffset, given.byteLength);
      let n: number;
      for (;;) {
        try {
          n = await sock.recvInto(view, 0, 0, OWN);
          break;
        } catch (e) {
          if (cancelled) return;
          // A non-blocking socket's stream waits, as a stream has no "would block".
          if (!wouldBlock(e)) {
            finished.add(stream); // the error ends the stream
            throw e;
          }
          await readiness(sock, POLLIN);
        }
      }
      if (cancelled) return;
      if (n > 0 && !stream.locked) {
        // The reader was released while this read ran: the bytes go back to the socket, so a
        // recv() (or the next reader) gets them; the request stays for the next pull.
        giveBack(view.slice(0, n));
        return;
      }
      if (n === 0) {
        finished.add(stream);
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(n);
    },
    cancel() {
      cancelled = true;
      finished.add(stream);
      try {
        sock.shutdown(SHUT_RD);
      } catch {
        // Closed already: nothing more will be read.
      }
    },
  });
  return stream;
}

/**
 * The socket's `writable`: each chunk is `sendall`; closing it (or aborting it) is
 * `shutdown(SHUT_WR)`, so the peer reads EOF once every byte written has been sent.
 */
export function socketWritable(sock: StreamSocket): WritableStream<Uint8Array> {
  const stream: WritableStream<Uint8Array> = new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        await writeChunk(sock, chunk);
      } catch (e) {
        finished.add(stream); // the error ends the stream
        throw e;
      }
    },
    close() {
      finished.add(stream);
      sock.shutdown(SHUT_WR);
    },
    abort() {
      finished.add(stream);
      try {
        sock.shutdown(SHUT_WR);
      } catch {
        // Closed already.
      }
    },
  });
  return stream;
}

/** Sends a whole chunk: `sendall`, or on a non-blocking socket, what fits as room comes. */
async function writeChunk(sock: StreamSocket, chunk: Uint8Array): Promise<void> {
  if (sock.gettimeout() !== 0) return await sock.sendall(chunk, 0, OWN);
  // Non-blocking: send what fits, then wait for room, as a stream has no "would block".
  let offset = 0;
  while (offset < chunk.length) {
    try {
      offset += await sock.send(offset === 0 ? chunk : chunk.subarray(offset), 0, OWN);
    } catch (e) {
      if (!wouldBlock(e)) throw e;
      await readiness(sock, POLLOUT);
    }
  }
}

/** A non-blocking call's "try again later": `BlockingIOError`, or TLS's want-read/write. */
function wouldBlock(e: unknown): boolean {
  return e instanceof BlockingIOError ||
    (e instanceof Error && (e.name === "SSLWantReadError" || e.name === "SSLWantWriteError"));
}

/**
 * Resolves once `events` (or an error, hang-up or close) hold on `sock`. The wait holds the
 * process (the read-ahead it starts does not: see _core/keep_alive.ts), as a stream being read or
 * written is work the program awaits.
 */
async function readiness(sock: Watchable, events: number): Promise<void> {
  await waitReady(sock[readinessSource](), events, null, { holder: sock });
}
