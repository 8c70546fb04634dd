// UTF-8 and UTF-8-sig for makefile() text mode. TextDecoder is the fast path for valid input;
// a byte-by-byte decoder takes over on the first error, so that error handlers see exactly the
// bad sequences Python's decoder reports (the maximal-subpart rule).
import { type Codec, type Decode, joinBytes } from "./_codec.ts";
import { decodeFailure, encodeWith } from "./_codec_errors.ts";

const utf8Fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Where an incomplete UTF-8 sequence at the end of `data` starts (`data.length` if none). */
function utf8CompleteEnd(data: Uint8Array): number {
  for (let j = data.length - 1; j >= 0 && j >= data.length - 3; j--) {
    const b = data[j]!;
    if (b < 0x80) return data.length;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return data.length - j < need ? j : data.length;
    }
  }
  return data.length;
}

/**
 * Decodes `data` byte by byte with Python's (and WHATWG's) maximal-subpart rule, giving the
 * error handler each bad sequence. Returns the text and where an incomplete tail starts.
 */
function utf8Slow(data: Uint8Array, final: boolean, errors: string): [string, number] {
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > runStart) parts.push(utf8Fatal.decode(data.subarray(runStart, end)));
  };
  while (i < data.length) {
    const b = data[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    }
    let bad: [number, string] | null = need === 0 ? [i + 1, "invalid start byte"] : null;
    for (let k = 1; !bad && k <= need; k++) {
      if (i + k >= data.length) {
        if (!final) {
          flush(i);
          return [parts.join(""), i];
        }
        bad = [data.length, "unexpected end of data"];
        break;
      }
      const c = data[i + k]!;
      if (c < (k === 1 ? lower : 0x80) || c > (k === 1 ? upper : 0xbf)) {
        bad = [i + k, "invalid continuation byte"];
      }
    }
    if (bad) {
      flush(i);
      parts.push(decodeFailure("utf-8", data, i, bad[0], bad[1], errors));
      i = bad[0];
      runStart = i;
    } else {
      i += need + 1;
    }
  }
  flush(data.length);
  return [parts.join(""), data.length];
}

/** An incremental UTF-8 decoder; with `sig`, a leading BOM is dropped. */
function utf8Decoder(errors: string, sig: boolean): Decode {
  let pending: Uint8Array = new Uint8Array(0);
  let bomChecked = !sig;
  return (chunk, final) => {
    let data = pending.length ? joinBytes(pending, chunk) : chunk;
    if (!bomChecked) {
      const bom = [0xef, 0xbb, 0xbf];
      const n = Math.min(data.length, 3);
      if (data.subarray(0, n).every((b, k) => b === bom[k])) {
        if (n < 3 && !final) {
          pending = data.slice();
          return "";
        }
        if (n === 3) data = data.subarray(3);
      }
      bomChecked = true;
    }
    const end = final ? data.length : utf8CompleteEnd(data);
    let text: string;
    let rest = end;
    try {
      text = utf8Fatal.decode(data.subarray(0, end));
    } catch {
      [text, rest] = utf8Slow(data, final, errors);
    }
    pending = data.slice(rest);
    return text;
  };
}

/** UTF-8 bytes of `text`; lone surrogates go to the `errors` handler. */
function utf8Encode(text: string, errors: string): Uint8Array {
  if (text.isWellFormed()) return utf8Encoder.encode(text);
  return encodeWith(text, "utf-8", "surrogates not allowed", errors, (cp, out) => {
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    out.push(...utf8Encoder.encode(String.fromCodePoint(cp)));
    return true;
  });
}

/** The utf-8 codec, or utf-8-sig (a BOM written first, skipped when read) with `sig`. */
export function utf8(sig: boolean): Codec {
  return {
    name: sig ? "utf-8-sig" : "utf-8",
    encoder: (errors) => {
      let first = sig;
      return (text) => {
        const bytes = utf8Encode(text, errors);
        if (!first) return bytes;
        first = false;
        return joinBytes(new Uint8Array([0xef, 0xbb, 0xbf]), bytes);
      };
    },
    decoder: (errors) => utf8Decoder(errors, sig),
  };
}
