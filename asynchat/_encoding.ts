// Python's str -> bytes for the encodings asynchat's `use_encoding` is used with.
import { UnicodeEncodeError, ValueError } from "../socket/mod.ts";

/**
 * `bytes(text, encoding)` for latin-1 (asynchat's default), ASCII and UTF-8.
 *
 * @throws {UnicodeEncodeError} A character the encoding cannot hold.
 * @throws {ValueError} An encoding this module does not know (Python's `LookupError`).
 */
export function encode(text: string, encoding: string): Uint8Array {
  const name = encoding.toLowerCase().replace(/_/g, "-");
  if (name === "utf-8" || name === "utf8") return new TextEncoder().encode(text);
  const limit = name === "ascii" || name === "us-ascii"
    ? 0x7f
    : ["latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"].includes(name)
    ? 0xff
    : -1;
  if (limit < 0) throw new ValueError(`unknown encoding: ${encoding}`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > limit) {
      throw new UnicodeEncodeError(
        `'${name.replace("-", "")}' codec can't encode character '\\x${
          code.toString(16)
        }' in position ${i}: ordinal not in range(${limit + 1})`,
      );
    }
    out[i] = code;
  }
  return out;
}
