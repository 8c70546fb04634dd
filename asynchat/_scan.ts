// Searching the input for a terminator without copying it: the parser keeps an offset into
// the bytes received and searches from there, so each byte is looked at a bounded number of
// times however the reads fall (CPython slices and re-searches its buffer instead).

/** Up to this many bytes, a one-byte terminator is searched for by a loop of our own. */
const SHORT_SCAN = 256;

/**
 * The first index of `needle` in `haystack` at or after `from`, or -1.
 *
 * @param haystack The bytes.
 * @param needle A non-empty terminator.
 * @param from Where to start.
 */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const m = needle.length;
  if (m === 1) {
    // A short span is searched here: a typed array's indexOf is a call into the runtime
    // (~100 ns), more than a compiled loop over a line's few dozen bytes costs.
    const end = haystack.length;
    if (end - from > SHORT_SCAN) return haystack.indexOf(first, from);
    for (let i = from < 0 ? 0 : from; i < end; i++) if (haystack[i] === first) return i;
    return -1;
  }
  const last = haystack.length - m;
  for (let i = from; i <= last; i++) {
    i = haystack.indexOf(first, i);
    if (i === -1 || i > last) return -1;
    let j = 1;
    while (j < m && haystack[i + j] === needle[j]) j++;
    if (j === m) return i;
  }
  return -1;
}

/**
 * Python's `asynchat.find_prefix_at_end(haystack, needle)`: the length of the longest proper
 * prefix of `needle` that `haystack` ends with (0 if none), so that a terminator split across
 * two reads is held back rather than delivered.
 *
 * @param haystack The bytes (or text) received.
 * @param needle The terminator.
 * @returns A length between 0 and `needle.length - 1`.
 *
 * @example test_find_prefix_at_end's cases
 * ```ts
 * import { findPrefixAtEnd } from "@pynet/net/asynchat";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(findPrefixAtEnd("qwerty\r", "\r\n"), 1);
 * assertEquals(findPrefixAtEnd("qwertydkjf", "\r\n"), 0);
 * const bytes = new TextEncoder().encode("abc\r\n.\r");
 * assertEquals(findPrefixAtEnd(bytes, new TextEncoder().encode("\r\n.\r\n")), 4);
 * ```
 */
export function findPrefixAtEnd<T extends Uint8Array | string>(haystack: T, needle: T): number {
  let l = needle.length - 1;
  while (l > 0 && !endsWith(haystack, needle, l)) l--;
  return Math.max(l, 0);
}

/** Whether `haystack` ends with the first `l` items of `needle`. */
function endsWith(haystack: Uint8Array | string, needle: Uint8Array | string, l: number): boolean {
  const start = haystack.length - l;
  if (start < 0) return false;
  for (let i = 0; i < l; i++) if (haystack[start + i] !== needle[i]) return false;
  return true;
}
