// Python's text codecs for makefile(): the names Python accepts (normalised and aliased as
// `encodings.search_function` does), byte-exact encoding and decoding, incremental decoding
// across reads, and Python's error handlers and exception messages. TextDecoder is used only
// for UTF-8 and only as a fast path: browsers map "latin1", "iso-8859-1" and "ascii" to
// windows-1252, which is not what Python does.
import { NotImplementedError, ValueError } from "../_core/errors.ts";
import { pyTypeName, UnicodeEncodeError, UnicodeError } from "../_core/args.ts";

/**
 * Python's `LookupError`: an encoding (or error handler) name Python does not know.
 *
 * @example Unknown encoding
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { LookupError, socketpair } from "@pynet/net/socket";
 * const [a, b] = socketpair();
 * const e = assertThrows(() => a.makefile("r", { encoding: "no-such-codec" }), LookupError);
 * assertEquals(e.message, "unknown encoding: no-such-codec");
 * a.close();
 * b.close();
 * ```
 */
export class LookupError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was not found.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Python's `UnicodeDecodeError`: bytes the file's encoding cannot decode, with Python's
 * attributes (`encoding`, `object`, `start`, `end`, `reason`) and message.
 *
 * @example ASCII refuses byte 0xe9
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { socketpair, UnicodeDecodeError } from "@pynet/net/socket";
 * const [a, b] = socketpair();
 * await a.sendall(new Uint8Array([0x63, 0xe9]));
 * a.close();
 * await using f = b.makefile("r", { encoding: "ascii" });
 * const e = await assertRejects(() => f.read(), UnicodeDecodeError);
 * assertEquals(e.message, "'ascii' codec can't decode byte 0xe9 in position 1: ordinal not in range(128)");
 * b.close();
 * ```
 */
export class UnicodeDecodeError extends UnicodeError {
  /** The codec's name as Python's message gives it (`"ascii"`, `"charmap"`, ...). */
  readonly encoding: string;
  /** The bytes being decoded. */
  readonly object: Uint8Array;
  /** Where the undecodable bytes start in `object`. */
  readonly start: number;
  /** Where they end. */
  readonly end: number;
  /** Why they could not be decoded. */
  readonly reason: string;

  /**
   * Creates the error, with Python's message.
   *
   * @param encoding The codec's name.
   * @param object The bytes being decoded.
   * @param start Where the bad bytes start.
   * @param end Where they end.
   * @param reason Why they are bad.
   */
  constructor(encoding: string, object: Uint8Array, start: number, end: number, reason: string) {
    const where = end - start === 1
      ? `byte 0x${object[start]!.toString(16).padStart(2, "0")} in position ${start}`
      : `bytes in position ${start}-${end - 1}`;
    super(`'${encoding}' codec can't decode ${where}: ${reason}`);
    this.encoding = encoding;
    this.object = object;
    this.start = start;
    this.end = end;
    this.reason = reason;
  }
}

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

/** Error handlers Python has that this file does not implement. */
const MISSING_HANDLERS = new Set(["namereplace", "surrogatepass"]);

/**
 * Checks an `errors` argument. Python checks the name only when an error occurs (then
 * `LookupError`); a handler Python has and pynet lacks is refused at once, so that it never
 * fails later under a different class.
 */
export function checkErrors(errors: unknown): string {
  if (errors === undefined || errors === null) return "strict";
  if (typeof errors !== "string") {
    throw new TypeError(
      `TextIOWrapper() argument 'errors' must be str or None, not ${pyTypeName(errors)}`,
    );
  }
  if (MISSING_HANDLERS.has(errors)) {
    throw new NotImplementedError(`the '${errors}' error handler is not available in pynet`);
  }
  return errors;
}

// ---- names --------------------------------------------------------------------------------

/** Python's `encodings.aliases` entries for the codecs below (alias -> module name). */
const ALIASES: Record<string, string> = {
  "646": "ascii",
  "ansi_x3.4_1968": "ascii",
  ansi_x3_4_1968: "ascii",
  "ansi_x3.4_1986": "ascii",
  cp367: "ascii",
  csascii: "ascii",
  ibm367: "ascii",
  iso646_us: "ascii",
  "iso_646.irv_1991": "ascii",
  iso_ir_6: "ascii",
  us: "ascii",
  us_ascii: "ascii",
  "1252": "cp1252",
  windows_1252: "cp1252",
  "437": "cp437",
  cspc8codepage437: "cp437",
  ibm437: "cp437",
  "8859": "latin_1",
  cp819: "latin_1",
  csisolatin1: "latin_1",
  ibm819: "latin_1",
  iso8859: "latin_1",
  iso8859_1: "latin_1",
  iso_8859_1: "latin_1",
  iso_8859_1_1987: "latin_1",
  iso_ir_100: "latin_1",
  l1: "latin_1",
  latin: "latin_1",
  latin1: "latin_1",
  u16: "utf_16",
  utf16: "utf_16",
  unicodebigunmarked: "utf_16_be",
  utf_16be: "utf_16_be",
  unicodelittleunmarked: "utf_16_le",
  utf_16le: "utf_16_le",
  u32: "utf_32",
  utf32: "utf_32",
  utf_32be: "utf_32_be",
  utf_32le: "utf_32_le",
  cp65001: "utf_8",
  u8: "utf_8",
  utf: "utf_8",
  utf8: "utf_8",
  utf8_ucs2: "utf_8",
  utf8_ucs4: "utf_8",
};

/**
 * `encodings.normalize_encoding()` after `codecs.lookup()`'s lower-casing: each run of
 * characters other than ASCII letters, digits and '.' becomes one '_' (none at the ends).
 */
export function normalizeEncoding(name: string): string {
  let out = "";
  let punct = false;
  for (const c of name.toLowerCase()) {
    if (/^[\p{L}\p{N}.]$/u.test(c)) {
      if (punct && out) out += "_";
      if (c.charCodeAt(0) < 0x80) out += c;
      punct = false;
    } else {
      punct = true;
    }
  }
  return out;
}

/**
 * Python's `codecs.lookup(name)` over the codecs pynet has: ascii, latin-1, cp1252, cp437,
 * utf-8, utf-8-sig, utf-16(-le/-be), utf-32(-le/-be), under all of Python's spellings.
 *
 * @throws {LookupError} `unknown encoding: <name>` for any other name.
 */
export function lookupCodec(name: unknown): Codec {
  if (typeof name !== "string") {
    throw new TypeError(
      `TextIOWrapper() argument 'encoding' must be str or None, not ${pyTypeName(name)}`,
    );
  }
  if (name.includes("\0")) throw new ValueError("embedded null character");
  const norm = normalizeEncoding(name);
  const module = ALIASES[norm] ?? ALIASES[norm.replaceAll(".", "_")] ?? norm;
  const make = CODECS[module];
  if (!make) throw new LookupError(`unknown encoding: ${name}`);
  return make();
}

// ---- error handlers ----------------------------------------------------------------------

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** What a decode error handler gives for `data[start..end]`, or the error it raises. */
function decodeFailure(
  codec: string,
  data: Uint8Array,
  start: number,
  end: number,
  reason: string,
  errors: string,
): string {
  const error = () => new UnicodeDecodeError(codec, data.slice(), start, end, reason);
  switch (errors) {
    case "strict":
      throw error();
    case "ignore":
      return "";
    case "replace":
      return "\ufffd";
    case "backslashreplace": {
      let s = "";
      for (let i = start; i < end; i++) s += `\\x${hex(data[i]!, 2)}`;
      return s;
    }
    case "surrogateescape": {
      let s = "";
      for (let i = start; i < end; i++) {
        if (data[i]! < 0x80) throw error();
        s += String.fromCharCode(0xdc00 + data[i]!);
      }
      return s;
    }
    default:
      throw new LookupError(`unknown error handler name '${errors}'`);
  }
}

/** The message of Python's `UnicodeEncodeError` for code points `[start, end)`. */
function encodeFailure(
  codec: string,
  chars: number[],
  start: number,
  end: number,
  reason: string,
): UnicodeEncodeError {
  let where: string;
  if (end - start === 1) {
    const cp = chars[start]!;
    const ch = cp <= 0xff
      ? `\\x${hex(cp, 2)}`
      : cp <= 0xffff
      ? `\\u${hex(cp, 4)}`
      : `\\U${hex(cp, 8)}`;
    where = `character '${ch}' in position ${start}`;
  } else {
    where = `characters in position ${start}-${end - 1}`;
  }
  return new UnicodeEncodeError(`'${codec}' codec can't encode ${where}: ${reason}`);
}

/**
 * What an encode error handler gives for code points `[start, end)`: text (ASCII, to be
 * encoded by the codec) or raw bytes (`surrogateescape`).
 */
function encodeReplacement(
  codec: string,
  chars: number[],
  start: number,
  end: number,
  reason: string,
  errors: string,
): string | number[] {
  const run = chars.slice(start, end);
  switch (errors) {
    case "strict":
      throw encodeFailure(codec, chars, start, end, reason);
    case "ignore":
      return "";
    case "replace":
      return "?".repeat(run.length);
    case "backslashreplace":
      return run.map((cp) =>
        cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`
      ).join("");
    case "xmlcharrefreplace":
      return run.map((cp) => `&#${cp};`).join("");
    case "surrogateescape":
      for (const cp of run) {
        if (cp < 0xdc80 || cp > 0xdcff) throw encodeFailure(codec, chars, start, end, reason);
      }
      return run.map((cp) => cp - 0xdc00);
    default:
      throw new LookupError(`unknown error handler name '${errors}'`);
  }
}

/** The code points of `text`, a lone surrogate counting as one (as in Python's `str`). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return out;
}

/**
 * Encodes code points with `unit` (bytes for one code point, or null when it cannot be
 * encoded), running the error handler over each run of unencodable ones as Python does.
 */
function encodeWith(
  text: string,
  codec: string,
  reason: string,
  errors: string,
  unit: (cp: number, out: number[]) => boolean,
): Uint8Array {
  const chars = codePoints(text);
  const out: number[] = [];
  for (let i = 0; i < chars.length;) {
    if (unit(chars[i]!, out)) {
      i++;
      continue;
    }
    let end = i + 1;
    const probe: number[] = [];
    while (end < chars.length && !unit(chars[end]!, probe)) end++;
    const replacement = encodeReplacement(codec, chars, i, end, reason, errors);
    if (typeof replacement === "string") {
      for (const cp of codePoints(replacement)) unit(cp, out);
    } else {
      out.push(...replacement);
    }
    i = end;
  }
  return new Uint8Array(out);
}

// ---- single-byte codecs ------------------------------------------------------------------

/** cp1252's bytes 0x80-0x9f ('\ufffe': undefined), from Python's `encodings/cp1252.py`. */
const CP1252_HIGH = "\u20ac\ufffe\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039" +
  "\u0152\ufffe\u017d\ufffe\ufffe\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161" +
  "\u203a\u0153\ufffe\u017e\u0178";
/** cp437's bytes 0x80-0xff, from Python's `encodings/cp437.py`. */
const CP437_HIGH = "\xc7\xfc\xe9\xe2\xe4\xe0\xe5\xe7\xea\xeb\xe8\xef\xee\xec\xc4\xc5\xc9\xe6" +
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
function singleByte(name: string, errorName: string, table: string, reason: string): Codec {
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
function latin1Table(limit: number): string {
  let s = "";
  for (let b = 0; b < 256; b++) s += b < limit ? String.fromCharCode(b) : "\ufffe";
  return s;
}

/** The code points `from..to-1` (a table's run where byte = code point). */
function identity(from: number, to: number): string {
  return latin1Table(256).slice(from, to);
}

// ---- UTF-8 -------------------------------------------------------------------------------

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

function utf8Encode(text: string, errors: string): Uint8Array {
  if (text.isWellFormed()) return utf8Encoder.encode(text);
  return encodeWith(text, "utf-8", "surrogates not allowed", errors, (cp, out) => {
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    out.push(...utf8Encoder.encode(String.fromCodePoint(cp)));
    return true;
  });
}

function utf8(sig: boolean): Codec {
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

// ---- UTF-16 and UTF-32 -------------------------------------------------------------------

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
function wide(bits: 16 | 32, order: Order | null): Codec {
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

// ---- the table ---------------------------------------------------------------------------

/** Python's codec module names -> the codec. */
const CODECS: Record<string, () => Codec> = {
  ascii: () => singleByte("ascii", "ascii", latin1Table(128), "ordinal not in range(128)"),
  latin_1: () => singleByte("iso8859-1", "latin-1", latin1Table(256), "ordinal not in range(256)"),
  cp1252: () =>
    singleByte(
      "cp1252",
      "charmap",
      identity(0, 128) + CP1252_HIGH + identity(160, 256),
      "character maps to <undefined>",
    ),
  cp437: () =>
    singleByte("cp437", "charmap", identity(0, 128) + CP437_HIGH, "character maps to <undefined>"),
  utf_8: () => utf8(false),
  utf_8_sig: () => utf8(true),
  utf_16: () => wide(16, null),
  utf_16_le: () => wide(16, "le"),
  utf_16_be: () => wide(16, "be"),
  utf_32: () => wide(32, null),
  utf_32_le: () => wide(32, "le"),
  utf_32_be: () => wide(32, "be"),
};

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
