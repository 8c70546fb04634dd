// Python's text codecs for makefile(): the names Python accepts (normalised and aliased as
// `encodings.search_function` does), byte-exact encoding and decoding, incremental decoding
// across reads, and Python's error handlers and exception messages. TextDecoder is used only
// for UTF-8 and only as a fast path: browsers map "latin1", "iso-8859-1" and "ascii" to
// windows-1252, which is not what Python does.
//
// This file is the registry: codec names and aliases, and the table of codecs. The codecs live in
// _codec_single_byte.ts, _codec_utf8.ts and _codec_utf16_utf32.ts; errors and error handlers in
// _codec_errors.ts.
import { ValueError } from "../_core/errors.ts";
import { pyTypeName } from "../_core/args.ts";
import type { Codec } from "./_codec.ts";
import { LookupError } from "./_codec_errors.ts";
import {
  CP1252_HIGH,
  CP437_HIGH,
  identity,
  latin1Table,
  singleByte,
} from "./_codec_single_byte.ts";
import { utf8 } from "./_codec_utf8.ts";
import { wide } from "./_codec_utf16_utf32.ts";

export type { Codec, Decode, Encode } from "./_codec.ts";
export { checkErrors, LookupError, UnicodeDecodeError } from "./_codec_errors.ts";

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
