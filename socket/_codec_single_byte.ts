// The single-byte codecs of makefile() text mode (ascii, latin-1, cp1252, cp437): one
// 256-entry table each, with a fast path for the runs where byte and code point agree.
import type { Codec } from "./_codec.ts";
import { decodeFailure, encodeWith } from "./_codec_errors.ts";

/** cp1252's bytes 0x80-0x9f ('\ufffe': undefined), from Python's `encodings/cp1252.py`. */
export const CP1252_HIGH =
  "\u20ac\ufffe\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039" +
  "\u0152\ufffe\u017d\ufffe\ufffe\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161" +
  "\u203a\u0153\ufffe\u017e\u0178";
/** cp437's bytes 0x80-0xff, from Python's `encodings/cp437.py`. */
export const CP437_HIGH =
  "\xc7\xfc\xe9\xe2\xe4\xe0\xe5\xe7\xea\xeb\xe8\xef\xee\xec\xc4\xc5\xc9\xe6" +
  "\xc6\xf4\xf6\xf2\xfb\xf9\xff\xd6\xdc\xa2\xa3\xa5\u20a7\u0192\xe1\xed\xf3\xfa\xf1\xd1\xaa" +
  "\xba\xbf\u2310\xac\xbd\xbc\xa1\xab\xbb\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556" +
  "\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510\u2514\u2534\u252c\u251c\u2500\u253c" +
  "\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567\u2568\u2564\u2565\u2559" +
  "\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580\u03b1\xdf\u0393" +
  "\u03c0\u03a3\u03c3\xb5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229\u2261\xb1" +
  "\u2265\u2264\u2320\u2321\xf7\u2248\xb0\u2219\xb7\u221a\u207f\xb2\u25a0\xa0";

/** Whether every byte of `data` is below `limit`. */
function below(data: Uint8Array, limit: number): boolean {
  for (let i = 0; i < data.length; i++) if (data[i]! >= limit) return false;
  return true;
}

/** The string whose code points are `data`'s bytes, built a slice at a time. */
function byteString(data: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < data.length; i += 8192) {
    parts.push(String.fromCharCode(...data.subarray(i, i + 8192)));
  }
  return parts.join("");
}

/** Builds a single-byte codec from its 256-entry table ('\ufffe': undefined byte). */
export function singleByte(name: string, errorName: string, table: string, reason: string): Codec {
  // Bytes below `identityEnd` decode to the same code point: a run of them needs no table.
  let identityEnd = 0;
  while (identityEnd < 256 && table.charCodeAt(identityEnd) === identityEnd) identityEnd++;
  const toByte = new Map<number, number>();
  for (let b = 0; b < 256; b++) {
    if (table[b] !== "\ufffe") toByte.set(table.charCodeAt(b), b);
  }
  return {
    name,
    encoder: (errors) => (text) =>
      encodeWith(text, errorName, reason, errors, (cp, out) => {
        const b = toByte.get(cp);
        if (b === undefined) return false;
        out.push(b);
        return true;
      }),
    decoder: (errors) => (data) => {
      if (below(data, identityEnd)) return byteString(data);
      const parts: string[] = [];
      let run = "";
      for (let i = 0; i < data.length; i++) {
        const ch = table[data[i]!]!;
        if (ch !== "\ufffe") {
          run += ch;
          continue;
        }
        parts.push(run, decodeFailure(errorName, data, i, i + 1, reason, errors));
        run = "";
      }
      parts.push(run);
      return parts.join("");
    },
  };
}

/** A 256-entry table mapping bytes below `limit` to the same code point, the rest undefined. */
export function latin1Table(limit: number): string {
  let s = "";
  for (let b = 0; b < 256; b++) s += b < limit ? String.fromCharCode(b) : "\ufffe";
  return s;
}

/** The code points `from..to-1` (a table's run where byte = code point). */
export function identity(from: number, to: number): string {
  return latin1Table(256).slice(from, to);
}
