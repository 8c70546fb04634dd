// asynchat's values: the terminator and output-queue types, Python's truth value and type name
// of what a caller passes. _chat.ts uses them.
import type { Chunk, Producer } from "./_producer.ts";

/**
 * What `setTerminator` takes: bytes, text (with `useEncoding`), a byte count, or `null`.
 *
 * @example The kinds
 * ```ts
 * import { AsyncChat, type Terminator } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * const chat = new AsyncChat();
 * for (const t of [new TextEncoder().encode("\r\n"), 10, null] as Terminator[]) {
 *   chat.setTerminator(t);
 *   assertEquals(chat.getTerminator(), t);
 * }
 * ```
 */
export type Terminator = Uint8Array | string | number | boolean | null;

/**
 * An entry of the output queue: bytes, a producer, or `null` (close here).
 *
 * @example What push, pushWithProducer and closeWhenDone queue (nothing is sent unconnected)
 * ```ts
 * import { AsyncChat, type FifoEntry, SimpleProducer } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * const chat = new AsyncChat();
 * const producer = new SimpleProducer(new Uint8Array(3));
 * await chat.push(new Uint8Array(2));
 * await chat.pushWithProducer(producer);
 * chat.closeWhenDone();
 * const queue: FifoEntry[] = chat.producerFifo;
 * assertEquals(queue.length, 3);
 * assertEquals(queue[1], producer);
 * assertEquals(queue[2], null);
 * ```
 */
export type FifoEntry = Chunk | Producer | null;

/** Python's truth value of a terminator: `None`, `0`, `False` and empty bytes are false. */
export function truthy(t: Terminator | undefined): boolean {
  if (t === null || t === undefined || t === false || t === 0) return false;
  return typeof t === "object" || typeof t === "string" ? t.length > 0 : true;
}

/** Python's type name of `value`, for CPython's messages. */
export function pyType(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  return (value as object).constructor?.name ?? typeof value;
}
