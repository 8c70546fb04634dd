/**
 * Python's `asynchat` module for Deno: {@linkcode AsyncChat}, an `asyncore` dispatcher for
 * protocols of records, split at a terminator (a byte string such as `"\r\n"`, a byte count,
 * or none), with a queue of output and producers. The calls to `collectIncomingData()` and
 * `foundTerminator()` are CPython 3.11's for any split of the input into reads, including a
 * terminator split across reads, a terminator changed inside `foundTerminator()`, and counts
 * that span reads; the input is parsed in linear time however the reads fall.
 *
 * ```
 * asyncore.Dispatcher
 *  └── AsyncChat
 *        input:  handleRead ── this.recv(acInBufferSize)
 *                  └── collectIncomingData(piece)* ── foundTerminator()   (repeat)
 *                      setTerminator(bytes | text | count | null), getTerminator()
 *        output: push(bytes), pushWithProducer(producer), closeWhenDone()
 *                  └── producerFifo ── initiateSend (one send per call) ── handleClose at the mark
 * SimpleProducer: more() hands out data in pieces
 * ```
 *
 * Text terminators and text from producers need `useEncoding = true`, as in Python 3 (they are
 * encoded with `encoding`, latin-1 by default); without it a text terminator fails inside
 * `handleRead` as CPython's does (a `TypeError`, which `handleError` logs before closing).
 *
 * ## Python -> pynet
 *
 * | Python | pynet |
 * |---|---|
 * | `asynchat.async_chat(sock=None, map=None)` | `new AsyncChat(sock?, map?)` |
 * | `set_terminator(term)`, `get_terminator()`, `terminator` | `setTerminator(term)`, `getTerminator()`, `terminator` |
 * | `collect_incoming_data(data)`, `found_terminator()` | `collectIncomingData(data)`, `foundTerminator()`; may return a Promise |
 * | `_collect_incoming_data`, `_get_data`, `incoming` | `_collectIncomingData`, `_getData`, `incoming` |
 * | `push(data)`, `push_with_producer(p)` | `await push(data)`, `await pushWithProducer(p)` |
 * | `close_when_done()`, `discard_buffers()`, `initiate_send()` | `closeWhenDone()`, `discardBuffers()`, `await initiateSend()` |
 * | `ac_in_buffer_size`, `ac_out_buffer_size`, `ac_in_buffer`, `producer_fifo` | `acInBufferSize`, `acOutBufferSize`, `acInBuffer`, `producerFifo` (an array) |
 * | `use_encoding`, `encoding` | `useEncoding`, `encoding` |
 * | `simple_producer(data, buffer_size=512)` | `new SimpleProducer(data, bufferSize)` |
 * | a producer: an object with `more()` | {@linkcode Producer}: `more()` may return a Promise |
 * | `find_prefix_at_end(haystack, needle)` | `findPrefixAtEnd(haystack, needle)` |
 *
 * The rest (`handleRead`, `handleWrite`, `handleClose`, `readable`, `writable`, the loop) is
 * `asyncore`'s: see `@pynet/net/asyncore`.
 *
 * @example A record reader: a header line, then a body of the length it gives
 * ```ts
 * import { AsyncChat } from "@pynet/net/asynchat";
 * import { loop } from "@pynet/net/asyncore";
 * import { socketpair } from "@pynet/net/socket";
 * import { assertEquals } from "@std/assert";
 *
 * const records: string[] = [];
 * class Reader extends AsyncChat {
 *   override collectIncomingData(data: Uint8Array) {
 *     this._collectIncomingData(data);
 *   }
 *   override foundTerminator() {
 *     const record = new TextDecoder().decode(this._getData());
 *     records.push(record);
 *     // "Len: n" announces a body of n bytes; after it, lines again.
 *     const m = /^Len: (\d+)$/.exec(record);
 *     this.setTerminator(m ? Number(m[1]) : new TextEncoder().encode("\r\n"));
 *   }
 * }
 * const [a, b] = socketpair();
 * const map = new Map();
 * const reader = new Reader(b, map);
 * reader.setTerminator(new TextEncoder().encode("\r\n"));
 * await a.sendall(new TextEncoder().encode("Len: 4\r\nBODYnext\r\n"));
 * a.close();
 * await loop({ timeout: 1, map });
 * assertEquals(records, ["Len: 4", "BODY", "next"]);
 * ```
 *
 * @module
 */

export { AsyncChat } from "./_chat.ts";
export type { FifoEntry, Terminator } from "./_values.ts";
export { type Chunk, type Producer, SimpleProducer } from "./_producer.ts";
export { findPrefixAtEnd } from "./_scan.ts";
