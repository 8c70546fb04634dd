// Argument checks for data and sizes, with CPython's exception types and messages.
import { OverflowError, ValueError } from "./errors.ts";
import { asCInt, pyTypeName } from "./args.ts";

/** 2**63: a C `ssize_t` is below it. */
const SSIZE_LIMIT = 2 ** 63;

/** Bytes-like data a send method accepts. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

/** Views `data` as bytes without copying; strings and other values are a `TypeError`. */
export function asBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`);
}

/** Checks a buffer size argument as `recv(bufsize)` does (a C `ssize_t`). */
export function checkSize(value: unknown, caller: string): number {
  if (typeof value === "boolean") return value ? 1 : 0; // a Python bool is an int
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (value >= SSIZE_LIMIT || value < -SSIZE_LIMIT) {
    throw new OverflowError("Python int too large to convert to C ssize_t");
  }
  if (value < 0) throw new ValueError(`negative buffersize in ${caller}`);
  return value;
}

/** Checks a flags argument: a C `int`. */
export function checkFlags(value: unknown): number {
  // The common case first: flags are small ints.
  if (typeof value === "number" && (value | 0) === value) return value;
  return asCInt(value);
}

/** The bytes of `parts` joined into one new array (Python's `b"".join(parts)`). */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
