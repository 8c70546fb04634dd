// Python's argument conversions ("i", "s", "y*" of PyArg_ParseTuple), with CPython's own error
// classes and messages, for the functions of socket/_inet.ts and the resolver's files (see
// socket/_resolve.ts).
import { OverflowError, ValueError } from "./errors.ts";

/**
 * Python's `UnicodeError`, a `ValueError`: text that cannot be encoded as asked, such as a host
 * name whose label is too long for IDNA.
 *
 * @example A host name label over 63 characters
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { getaddrinfo, UnicodeError } from "@pynet/net/socket";
 *
 * await assertRejects(() => getaddrinfo(`${"a".repeat(64)}.example`, 80), UnicodeError);
 * ```
 */
export class UnicodeError extends ValueError {}

/**
 * Python's `UnicodeEncodeError`: a string holding a lone surrogate, which UTF-8 cannot encode.
 *
 * @example A service name with a lone surrogate
 * ```ts
 * import { assertInstanceOf, assertRejects } from "@std/assert";
 * import { getaddrinfo, UnicodeEncodeError, UnicodeError } from "@pynet/net/socket";
 *
 * const e = await assertRejects(() => getaddrinfo("127.0.0.1", "\ud800"), UnicodeEncodeError);
 * assertInstanceOf(e, UnicodeError);
 * ```
 */
export class UnicodeEncodeError extends UnicodeError {}

/** The name of `value`'s Python type, as CPython's messages print it. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  switch (typeof value) {
    case "string":
      return "str";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "function":
      return "function";
  }
  if (Array.isArray(value)) return "list";
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return "bytes";
  if (ArrayBuffer.isView(value)) return "memoryview";
  const constructor = (value as { constructor?: { name?: string } }).constructor;
  return !constructor || constructor === Object ? "dict" : constructor.name ?? "object";
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A Python int as a bigint, or `null` when `value` is not one (booleans count, as in Python). */
export function asPyInt(value: unknown): bigint | null {
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return null;
}

/** `PyLong_AsLong`: a C `long`, or `OverflowError`/`TypeError` as CPython raises them. */
export function asCLong(value: unknown): bigint {
  const n = asPyInt(value);
  if (n === null) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  if (n < LONG_MIN || n > LONG_MAX) {
    throw new OverflowError("Python int too large to convert to C long");
  }
  return n;
}

/** The `"i"` conversion of `PyArg_ParseTuple`: a C `int`. */
export function asCInt(value: unknown): number {
  const n = asCLong(value);
  if (n > 2147483647n) throw new OverflowError("signed integer is greater than maximum");
  if (n < -2147483648n) throw new OverflowError("signed integer is less than minimum");
  return Number(n);
}

/** The `"I"` conversion: a C `unsigned int`, wrapped modulo 2**32 without overflow checks. */
export function asCUIntMask(value: unknown): number {
  const n = asPyInt(value);
  if (n === null) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  return Number(BigInt.asUintN(32, n));
}

/** Where `s` holds a lone surrogate (which UTF-8 cannot encode), or -1. */
export function loneSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Python's `repr()` of one character, as its error messages quote it. */
export function reprChar(ch: string): string {
  if (ch === "'") return `"'"`;
  if (ch === "\\") return "'\\\\'";
  const cp = ch.codePointAt(0)!;
  if (ch === "\t") return "'\\t'";
  if (ch === "\n") return "'\\n'";
  if (ch === "\r") return "'\\r'";
  const printable = cp === 0x20 || !/[\p{C}\p{Z}]/u.test(ch);
  if (printable && cp >= 0x20 && cp !== 0x7f) return `'${ch}'`;
  if (cp < 0x100) return `'\\x${cp.toString(16).padStart(2, "0")}'`;
  if (cp < 0x10000) return `'\\u${cp.toString(16).padStart(4, "0")}'`;
  return `'\\U${cp.toString(16).padStart(8, "0")}'`;
}

/** Code points in `s` counted as Python counts them (a surrogate pair is one character). */
function pyIndex(s: string, utf16Index: number): number {
  return [...s.slice(0, utf16Index)].length;
}

/** Throws Python's `UnicodeEncodeError` if `s` cannot be encoded as UTF-8. */
export function checkUtf8(s: string): void {
  const i = loneSurrogateIndex(s);
  if (i >= 0) {
    const ch = s[i]!;
    const at = pyIndex(s, i);
    throw new UnicodeEncodeError(
      `'utf-8' codec can't encode character ${reprChar(ch)} in position ${at}: ` +
        "surrogates not allowed",
    );
  }
}

/**
 * The `"s"` conversion: a `str` that UTF-8 can encode and that holds no NUL character.
 *
 * @param what How CPython names the argument in its `TypeError`, such as
 * `"inet_aton() argument 1"`.
 */
export function asCString(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be str, not ${pyTypeName(value)}`);
  }
  checkUtf8(value);
  if (value.includes("\0")) throw new ValueError("embedded null character");
  return value;
}
