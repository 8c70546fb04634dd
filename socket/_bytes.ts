// Argument checks for data and sizes, with CPython's exception types and messages.
import { ValueError } from "./_errors.ts";
import { pyTypeName } from "./_pyargs.ts";

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

/** Checks a buffer size argument as `recv(bufsize)` does. */
export function checkSize(value: unknown, caller: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (value < 0) throw new ValueError(`negative buffersize in ${caller}`);
  return value;
}

/** Checks a flags argument: an integer. */
export function checkFlags(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  return value;
}
