// Python's "idna" codec (IDNA 2003, RFC 3490), which CPython applies to every host name before
// resolving it: ASCII names pass through after a label-length check, others are nameprepped and
// Punycode-encoded label by label.
import { reprChar, UnicodeError } from "./args.ts";

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;

function adapt(delta: number, numPoints: number, firstTime: boolean): number {
  delta = firstTime ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - T_MIN) * T_MAX) >> 1) {
    delta = Math.floor(delta / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + SKEW));
}

function digit(d: number): string {
  return String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26);
}

/** RFC 3492 Punycode encoding of one label (without the `xn--` prefix). */
export function punycodeEncode(label: string): string {
  const cps = [...label].map((c) => c.codePointAt(0)!);
  let out = cps.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join("");
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += "-";
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < cps.length) {
    let m = Infinity;
    for (const c of cps) if (c >= n && c < m) m = c;
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c === n) {
        let q = delta;
        for (let k = BASE;; k += BASE) {
          const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
          if (q < t) break;
          out += digit(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        out += digit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

// RFC 3454 table B.1: characters nameprep maps to nothing.
const MAPPED_TO_NOTHING =
  /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/gu;

// RFC 3454 tables C.1.2, C.2.2, C.3-C.9 (nameprep's prohibited output), as regexp ranges.
const PROHIBITED_RANGES = [
  "\\u00a0\\u1680\\u2000-\\u200b\\u202f\\u205f\\u3000", // C.1.2 non-ASCII spaces
  "\\u0080-\\u009f\\u06dd\\u070f\\u180e\\u200c\\u200d\\u2028\\u2029", // C.2.2 controls
  "\\u2060-\\u2063\\u206a-\\u206f\\ufeff\\ufff9-\\ufffc\\u{1d173}-\\u{1d17a}",
  "\\ue000-\\uf8ff\\u{f0000}-\\u{ffffd}\\u{100000}-\\u{10fffd}", // C.3 private use
  "\\ufdd0-\\ufdef\\ufffe\\uffff", // C.4 non-characters (and those of every plane, below)
  ...Array.from(
    { length: 16 },
    (_, p) => `\\u{${(p + 1).toString(16)}fffe}\\u{${(p + 1).toString(16)}ffff}`,
  ),
  "\\ufff9-\\ufffd", // C.6
  "\\u2ff0-\\u2ffb", // C.7
  "\\u0340\\u0341\\u200e\\u200f\\u202a-\\u202e", // C.8
  "\\u{e0001}\\u{e0020}-\\u{e007f}", // C.9
];
const PROHIBITED = new RegExp(
  `[${
    PROHIBITED_RANGES.join("")
  }]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`,
  "u",
);

/** Full case folding, for the characters where it differs from `toLowerCase()` too. */
function caseFold(s: string): string {
  const special: Record<string, string> = {
    "\u00df": "ss",
    "\u1e9e": "ss",
    "\u03c2": "\u03c3",
    "\u017f": "s",
    "\u0130": "i\u0307",
  };
  let out = "";
  for (const ch of s) out += special[ch] ?? ch.toLowerCase();
  return out;
}

/** An approximation of RFC 3491 nameprep: map, case-fold, NFKC, check prohibited output. */
function nameprep(label: string): string {
  const folded = caseFold(label.replace(MAPPED_TO_NOTHING, "")).normalize("NFKC");
  const mapped = caseFold(folded).normalize("NFKC");
  const bad = PROHIBITED.exec(mapped);
  if (bad) throw new UnicodeError(`Invalid character ${reprChar(bad[0])}`);
  return mapped;
}

// deno-lint-ignore no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

function fail(message: string): never {
  throw new UnicodeError(`encoding with 'idna' codec failed (UnicodeError: ${message})`);
}

function toAscii(label: string): string {
  if (ASCII.test(label)) {
    if (label.length > 0 && label.length < 64) return label;
    fail("label empty or too long");
  }
  let prepped: string;
  try {
    prepped = nameprep(label);
  } catch (e) {
    fail((e as Error).message);
  }
  if (ASCII.test(prepped)) {
    if (prepped.length > 0 && prepped.length < 64) return prepped;
    fail("label empty or too long");
  }
  if (prepped.startsWith("xn--")) fail("Label starts with ACE prefix");
  const ace = "xn--" + punycodeEncode(prepped);
  if (ace.length < 64) return ace;
  fail("label empty or too long");
}

/**
 * Encodes a host name as Python's `str.encode("idna")` does.
 *
 * @throws {UnicodeError} For an empty or over-long label, or a prohibited character.
 */
export function idnaEncode(host: string): string {
  if (host === "") return "";
  if (ASCII.test(host)) {
    const labels = host.split(".");
    for (const label of labels.slice(0, -1)) {
      if (label.length === 0 || label.length >= 64) fail("label empty or too long");
    }
    if (labels[labels.length - 1]!.length >= 64) fail("label too long");
    return host;
  }
  const labels = host.split(/[.\u3002\uff0e\uff61]/u);
  let trailingDot = "";
  if (labels.length > 0 && labels[labels.length - 1] === "") {
    trailingDot = ".";
    labels.pop();
  }
  return labels.map(toAscii).join(".") + trailingDot;
}
