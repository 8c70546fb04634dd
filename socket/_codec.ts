// What a codec is, for every file of the makefile() text codecs (_codecs.ts is the registry):
// the incremental encoder and decoder types, and the one byte helper they all need.

/** Turns bytes into text a piece at a time; `final` says no more bytes follow. */
export type Decode = (bytes: Uint8Array, final: boolean) => string;
/** Turns text into bytes a piece at a time (a BOM, if any, on the first piece only). */
export type Encode = (text: string) => Uint8Array;

/** A codec as `codecs.lookup()` finds it. */
export interface Codec {
  /** Python's `CodecInfo.name` (`"iso8859-1"` for "latin-1", ...). */
  readonly name: string;
  /** A fresh incremental encoder using the `errors` handler. */
  encoder(errors: string): Encode;
  /** A fresh incremental decoder using the `errors` handler. */
  decoder(errors: string): Decode;
}

/** `a` followed by `b`, in a new array. */
export function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
