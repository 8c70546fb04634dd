// UTF-16 and UTF-32 for makefile() text mode, in either byte order or with a BOM: decoders
// that keep an incomplete unit (or a high surrogate) for the next read.
import { UnicodeError } from "../_core/args.ts";
import { type Codec, type Decode, joinBytes } from "./_codec.ts";
import { decodeFailure, encodeWith } from "./_codec_errors.ts";

/** A byte order: little- or big-endian. */
type Order = "le" | "be";

/** Decodes UTF-16 in one byte order, keeping an odd byte or a high surrogate for later. */
function utf16Core(order: Order, errors: string): Decode {
  const codec = `utf-16-${order}`;
  let pending: Uint8Array = new Uint8Array(0);
  return (chunk, final) => {
    const data = pending.length ? joinBytes(pending, chunk) : chunk;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const le = order === "le";
    let out = "";
    let i = 0;
    while (i + 1 < data.length) {
      const u = view.getUint16(i, le);
      if (u < 0xd800 || u > 0xdfff) {
        out += String.fromCharCode(u);
        i += 2;
      } else if (u >= 0xdc00) {
        out += decodeFailure(codec, data, i, i + 2, "illegal encoding", errors);
        i += 2;
      } else if (i + 3 < data.length) {
        const v = view.getUint16(i + 2, le);
        if (v >= 0xdc00 && v <= 0xdfff) {
          out += String.fromCharCode(u, v);
          i += 4;
        } else {
          out += decodeFailure(codec, data, i, i + 2, "illegal UTF-16 surrogate", errors);
          i += 2;
        }
      } else if (final) {
        out += decodeFailure(codec, data, i, data.length, "unexpected end of data", errors);
        i = data.length;
      } else {
        break;
      }
    }
    if (final && i < data.length) {
      out += decodeFailure(codec, data, i, data.length, "truncated data", errors);
      i = data.length;
    }
    pending = data.slice(i);
    return out;
  };
}

/** Decodes UTF-32 in one byte order, keeping an incomplete unit for later. */
function utf32Core(order: Order, errors: string): Decode {
  const codec = `utf-32-${order}`;
  let pending: Uint8Array = new Uint8Array(0);
  return (chunk, final) => {
    const data = pending.length ? joinBytes(pending, chunk) : chunk;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let out = "";
    let i = 0;
    for (; i + 3 < data.length; i += 4) {
      const cp = view.getUint32(i, order === "le");
      if (cp > 0x10ffff) {
        out += decodeFailure(codec, data, i, i + 4, "code point not in range(0x110000)", errors);
      } else if (cp >= 0xd800 && cp <= 0xdfff) {
        const reason = "code point in surrogate code point range(0xd800, 0xe000)";
        out += decodeFailure(codec, data, i, i + 4, reason, errors);
      } else {
        out += String.fromCodePoint(cp);
      }
    }
    if (final && i < data.length) {
      out += decodeFailure(codec, data, i, data.length, "truncated data", errors);
      i = data.length;
    }
    pending = data.slice(i);
    return out;
  };
}

/**
 * A UTF-16 or UTF-32 codec. Without a byte order, reading requires a BOM first (CPython's
 * incremental decoder raises `UnicodeError("UTF-16 stream does not start with BOM")`
 * otherwise), yet writing puts none: CPython's `TextIOWrapper` writes the BOM only at the
 * start of a seekable stream, and a socket file is not one. Two CPython programs cannot talk
 * "utf-16" over a socket either; "utf-16-le"/"-be" work.
 */
export function wide(bits: 16 | 32, order: Order | null): Codec {
  const name = `utf-${bits}` + (order ? `-${order}` : "");
  const size = bits / 8;
  const core = bits === 16 ? utf16Core : utf32Core;
  const encodeOrder = order ?? "le";
  const encodeName = `utf-${bits}-${encodeOrder}`;
  return {
    name,
    encoder: (errors) => {
      return (text) => {
        const bytes = encodeWith(text, encodeName, "surrogates not allowed", errors, (cp, out) => {
          if (cp >= 0xd800 && cp <= 0xdfff) return false;
          const units = bits === 32 || cp < 0x10000
            ? [cp]
            : [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)];
          for (const unit of units) {
            for (let k = 0; k < size; k++) {
              const shift = 8 * (encodeOrder === "le" ? k : size - 1 - k);
              out.push((unit >>> shift) & 0xff);
            }
          }
          return true;
        });
        return bytes;
      };
    },
    decoder: (errors) => {
      if (order) return core(order, errors);
      let inner: Decode | null = null;
      let head: Uint8Array = new Uint8Array(0);
      return (chunk, final) => {
        if (inner) return inner(chunk, final);
        head = joinBytes(head, chunk);
        if (head.length < size) {
          if (!final || head.length === 0) return "";
          return core("le", errors)(head, true);
        }
        const le = bits === 16 ? [0xff, 0xfe] : [0xff, 0xfe, 0, 0];
        const be = bits === 16 ? [0xfe, 0xff] : [0, 0, 0xfe, 0xff];
        const starts = (mark: number[]) => mark.every((b, k) => head[k] === b);
        if (!starts(le) && !starts(be)) {
          throw new UnicodeError(`UTF-${bits} stream does not start with BOM`);
        }
        inner = core(starts(le) ? "le" : "be", errors);
        return inner(head.subarray(size), final);
      };
    },
  };
}
