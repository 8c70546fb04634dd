// compact_traceback(): asyncore's one-line account of an error, built from the JavaScript stack
// (V8's "at function (file:line:column)" lines) instead of Python's traceback objects.

/**
 * A class of errors, as `compactTraceback` reports it.
 *
 * @example A built-in error class
 * ```ts
 * import type { ErrorClass } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const type: ErrorClass = RangeError;
 * assertEquals(type.name, "RangeError");
 * ```
 */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/**
 * `[[file, function, line], type, value, info]`, the shape of CPython's result.
 *
 * @example Taking it apart
 * ```ts
 * import { type CompactTraceback, compactTraceback } from "@pynet/net/asyncore";
 * import { assertEquals } from "@std/assert";
 *
 * const [innermost, type]: CompactTraceback = compactTraceback(new TypeError("x"));
 * assertEquals([innermost.length, type], [3, TypeError]);
 * ```
 */
export type CompactTraceback = [
  innermost: [file: string, fn: string, line: string],
  type: ErrorClass | null,
  value: unknown,
  info: string,
];

const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

/**
 * Python's `asyncore.compact_traceback()`, for an error caught by the caller (JavaScript has no
 * `sys.exc_info()`, so the error is passed in): the innermost frame as `[file, function, line]`,
 * the error's class, the error, and every frame as `[file|function|line]`, outermost first.
 * A value thrown without a stack (a string, say) has no frames: `["?", "?", "0"]` and `""`.
 *
 * @param error The caught error.
 * @returns `[[file, function, line], type, value, info]`.
 *
 * @example Describing a caught error
 * ```ts
 * import { compactTraceback } from "@pynet/net/asyncore";
 * import { assertEquals, assertMatch } from "@std/assert";
 *
 * function failing(): never {
 *   throw new RangeError("out of range");
 * }
 * try {
 *   failing();
 * } catch (e) {
 *   const [[, fn], type, value, info] = compactTraceback(e);
 *   assertEquals(fn, "failing");
 *   assertEquals(type, RangeError);
 *   assertEquals(value, e);
 *   assertMatch(info, /\|failing\|\d+\]$/);
 * }
 * ```
 */
export function compactTraceback(error: unknown): CompactTraceback {
  const frames: [string, string, string][] = [];
  const stack = error instanceof Error ? error.stack ?? "" : "";
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    // Deno's own frames (ext:, node:) are not the program's, as Python's C frames are not.
    if (!m || /^(ext|node):/.test(m[2]!)) continue;
    // V8 names a method "Class.method"; Python's code object names it "method".
    frames.push([m[2]!, m[1]?.split(".").pop() || "<module>", m[3]!]);
  }
  frames.reverse();
  const type = typeof error === "object" && error !== null
    ? (error.constructor as ErrorClass | undefined) ?? null
    : null;
  const info = frames.map(([file, fn, line]) => `[${file}|${fn}|${line}]`).join(" ");
  return [frames.at(-1) ?? ["?", "?", "0"], type, error, info];
}

/** `%s` of an error class, as Python prints one: `<class 'ZeroDivisionError'>`. */
export function className(type: ErrorClass | null, value: unknown): string {
  return `<class '${type?.name ?? typeof value}'>`;
}

/** `%s` of an error, as Python's `str(exception)`: the message. */
export function errorText(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
