// Python's codec errors and error handlers for the makefile() text codecs: LookupError,
// UnicodeDecodeError with Python's messages, the `errors` argument check, and what "strict",
// "ignore", "replace", "backslashreplace", "xmlcharrefreplace" and "surrogateescape" do. Every
// codec file (_codec_single_byte.ts, _codec_utf8.ts, _codec_utf16_utf32.ts) reports through
// these, so that all codecs fail alike.
import { NotImplementedError } from "../_core/errors.ts";
import { pyTypeName, UnicodeEncodeError, UnicodeError } from "../_core/args.ts";

/**
 * Python's `LookupError`: an encoding (or error handler) name Python does not know.
 *
 * @example Unknown encoding
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { LookupError, socketpair } from "@pynet/net/socket";
 *
 * const [a, b] = socketpair();
 * using _a = a, _b = b;
 * const e = assertThrows(() => a.makefile("r", { encoding: "no-such-codec" }), LookupError);
 * assertEquals(e.message, "unknown encoding: no-such-codec");
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
 *
 * const [a, b] = socketpair();
 * using _b = b;
 * await a.sendall(new Uint8Array([0x63, 0xe9]));
 * a.close(); // the reader gets EOF after these two bytes
 * await using f = b.makefile("r", { encoding: "ascii" });
 * const e = await assertRejects(() => f.read(), UnicodeDecodeError);
 * assertEquals(e.reason, "ordinal not in range(128)");
 * assertEquals(
 *   e.message,
 *   "'ascii' codec can't decode byte 0xe9 in position 1: ordinal not in range(128)",
 * );
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

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** What a decode error handler gives for `data[start..end]`, or the error it raises. */
export function decodeFailure(
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
export function encodeWith(
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
