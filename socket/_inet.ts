// Address conversion: inet_aton/inet_ntoa, inet_pton/inet_ntop and the byte-order functions,
// with glibc's parsing and formatting rules and CPython's errors.
import { AF_INET, AF_INET6 } from "./_constants.ts";
import { EAFNOSUPPORT } from "../_core/errno.ts";
import { OSError, OverflowError, ValueError } from "../_core/errors.ts";
import { asBytes } from "../_core/bytes.ts";
import { asCInt, asCString, asPyInt, pyTypeName } from "../_core/args.ts";

// ---------------------------------------------------------------------------------------------
// Parsers (glibc's resolv/inet_addr.c and resolv/inet_pton.c), working on JS strings.

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** C's `isspace()` in the C locale, for ASCII characters. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * glibc's `inet_aton()`: the legacy IPv4 forms (`a.b.c.d`, `a.b.c`, `a.b`, `a`, each part
 * decimal, octal with a leading `0` or hexadecimal with `0x`).
 *
 * @param exact When false (`inet_aton`), whitespace after the address ends it and anything
 * after that is ignored; when true (`__inet_aton_exact`, used by `getaddrinfo`), nothing may
 * follow the address.
 * @returns The four bytes, or `null` if `s` is not such an address.
 */
export function parseInetAton(s: string, exact = false): Uint8Array | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  for (;;) {
    if (!isDigit(s.charCodeAt(i))) return null;
    // strtoul(cp, &end, 0): base from the prefix, digits up to the first that does not fit.
    let base = 10;
    if (s[i] === "0") {
      if ((s[i + 1] === "x" || s[i + 1] === "X") && hexValue(s.charCodeAt(i + 2)) >= 0) {
        base = 16;
        i += 2;
      } else {
        base = 8;
      }
    }
    let n = 0;
    let overflow = false;
    for (;;) {
      const d = hexValue(s.charCodeAt(i));
      if (d < 0 || d >= base) break;
      n = n * base + d;
      if (n > 0xffffffff) overflow = true;
      i++;
    }
    if (overflow) return null;
    val = n;
    if (s[i] === ".") {
      if (parts.length > 2 || val > 0xff) return null;
      parts.push(val);
      i++;
    } else {
      break;
    }
  }
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if (exact || c >= 0x80 || !isCSpace(c)) return null;
  }
  const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length]!;
  if (val > max) return null;
  const out = new Uint8Array(4);
  parts.forEach((p, k) => out[k] = p);
  for (let k = 3; k >= parts.length; k--) {
    out[k] = val & 0xff;
    val = Math.floor(val / 256);
  }
  return out;
}

/** glibc's strict `inet_pton(AF_INET)`: exactly four decimal octets, no leading zeros. */
export function parseIPv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let sawDigit = false;
  let octets = 0;
  let cur = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (sawDigit && out[cur] === 0) return null;
      const next = out[cur]! * 10 + (c - 0x30);
      if (next > 255) return null;
      out[cur] = next;
      if (!sawDigit) {
        if (++octets > 4) return null;
        sawDigit = true;
      }
    } else if (c === 0x2e && sawDigit) {
      if (octets === 4) return null;
      cur++;
      sawDigit = false;
    } else {
      return null;
    }
  }
  return octets < 4 ? null : out;
}

/** glibc's `inet_pton(AF_INET6)` (no scope suffix): the 16 bytes, or `null`. */
export function parseIPv6(s: string): Uint8Array | null {
  const tmp = new Uint8Array(16);
  let tp = 0;
  let colonp = -1;
  let i = 0;
  if (s.length === 0) return null;
  if (s[0] === ":") {
    i++;
    if (i === s.length || s[i] !== ":") return null;
  }
  let curtok = i;
  let xdigitsSeen = 0;
  let val = 0;
  while (i < s.length) {
    const ch = s.charCodeAt(i++);
    const digit = hexValue(ch);
    if (digit >= 0) {
      if (xdigitsSeen === 4) return null;
      val = (val << 4) | digit;
      xdigitsSeen++;
      continue;
    }
    if (ch === 0x3a) {
      curtok = i;
      if (xdigitsSeen === 0) {
        if (colonp >= 0) return null;
        colonp = tp;
        continue;
      } else if (i === s.length) {
        return null;
      }
      if (tp + 2 > 16) return null;
      tmp[tp++] = (val >> 8) & 0xff;
      tmp[tp++] = val & 0xff;
      xdigitsSeen = 0;
      val = 0;
      continue;
    }
    if (ch === 0x2e && tp + 4 <= 16) {
      const v4 = parseIPv4(s.slice(curtok));
      if (v4 !== null) {
        tmp.set(v4, tp);
        tp += 4;
        xdigitsSeen = 0;
        break;
      }
    }
    return null;
  }
  if (xdigitsSeen > 0) {
    if (tp + 2 > 16) return null;
    tmp[tp++] = (val >> 8) & 0xff;
    tmp[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return null; // "::" must stand for at least one group.
    const n = tp - colonp;
    tmp.copyWithin(16 - n, colonp, tp);
    tmp.fill(0, colonp, 16 - n);
    tp = 16;
  }
  return tp === 16 ? tmp : null;
}

/** glibc's `inet_ntop(AF_INET)`. */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * glibc's `inet_ntop(AF_INET6)`: lower-case hex, the longest run of two or more zero groups
 * (the first of equal runs) as `::`, and the dotted tail for `::a.b.c.d` and `::ffff:a.b.c.d`.
 */
export function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) [bestBase, bestLen] = [curBase, curLen];
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    [bestBase, bestLen] = [curBase, curLen];
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (
      i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))
    ) {
      return out + formatIPv4(b.subarray(12));
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

/**
 * Whether `s` is an IPv4 address in the strict dotted-quad form `inet_pton(AF_INET)` accepts
 * (four decimal numbers 0-255, no leading zeros, nothing else).
 *
 * @param s The text to check.
 * @returns `true` for `"127.0.0.1"`, `false` for `"127.1"`, `"0x7f.0.0.1"` or `"localhost"`.
 */
export function isIPv4Literal(s: string): boolean {
  return parseIPv4(s) !== null;
}

/**
 * Whether `s` is an IPv6 address as `inet_pton(AF_INET6)` accepts it, optionally followed by a
 * non-empty `%scope` (an interface name or number), as in `"fe80::1%eth0"`.
 *
 * @param s The text to check.
 * @returns `true` for `"::1"` and `"fe80::1%2"`, `false` for `"::1::2"` or `"127.0.0.1"`.
 */
export function isIPv6Literal(s: string): boolean {
  const pct = s.indexOf("%");
  if (pct >= 0) {
    const scope = s.slice(pct + 1);
    if (scope === "" || /[%\s]/.test(scope)) return false;
    s = s.slice(0, pct);
  }
  return parseIPv6(s) !== null;
}

// ---------------------------------------------------------------------------------------------
// The Python API.

/**
 * Converts an IPv4 address from text to its 4 packed bytes, as Python's `socket.inet_aton()`
 * (glibc's `inet_aton`), accepting the legacy forms too: `"127.1"` (a.b with b 24 bits wide),
 * `"1.2.3"`, `"2130706433"`, octal `"0177.0.0.1"` and hexadecimal `"0x7f.1"`. As in glibc,
 * whitespace after the address ends it and whatever follows is ignored.
 *
 * @param ipString The address text.
 * @returns The address in network byte order (4 bytes).
 * @throws {OSError} `"illegal IP address string passed to inet_aton"` (with `errno` `null`) if
 * `ipString` is not an address.
 * @throws {ValueError} If `ipString` holds a NUL character.
 * @throws {TypeError} If `ipString` is not a string.
 *
 * @example Packing an address, in full or in a legacy short form
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { inetAton } from "@pynet/net/socket";
 *
 * assertEquals(inetAton("127.0.0.1"), new Uint8Array([127, 0, 0, 1]));
 * assertEquals(inetAton("127.1"), new Uint8Array([127, 0, 0, 1]));
 * ```
 */
export function inetAton(ipString: string): Uint8Array {
  const s = asCString(ipString, "inet_aton() argument 1");
  const packed = parseInetAton(s);
  if (packed === null) throw new OSError(null, "illegal IP address string passed to inet_aton");
  return packed;
}

/**
 * Converts 4 packed bytes to dotted-quad text, as Python's `socket.inet_ntoa()`.
 *
 * @param packedIp The address in network byte order (any bytes-like object of 4 bytes).
 * @returns The address as `"a.b.c.d"`.
 * @throws {OSError} `"packed IP wrong length for inet_ntoa"` if `packedIp` is not 4 bytes long.
 * @throws {TypeError} If `packedIp` is not bytes-like.
 *
 * @example Unpacking an address
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { inetNtoa } from "@pynet/net/socket";
 *
 * assertEquals(inetNtoa(new Uint8Array([127, 0, 0, 1])), "127.0.0.1");
 * ```
 */
export function inetNtoa(packedIp: Uint8Array): string {
  const b = asBytes(packedIp);
  if (b.length !== 4) throw new OSError(null, "packed IP wrong length for inet_ntoa");
  return formatIPv4(b);
}

/**
 * Converts an address from text to packed bytes for the given family, as Python's
 * `socket.inet_pton()`. Parsing is strict: IPv4 takes exactly four decimal numbers without
 * leading zeros, IPv6 takes the RFC 4291 text forms (with an optional dotted IPv4 tail) and no
 * `%scope`.
 *
 * @param addressFamily `AF_INET` or `AF_INET6`.
 * @param ipString The address text.
 * @returns 4 bytes for `AF_INET`, 16 for `AF_INET6`.
 * @throws {OSError} `"illegal IP address string passed to inet_pton"` (with `errno` `null`) if
 * `ipString` is not an address of that family; `[Errno 97] Address family not supported by
 * protocol` for another family.
 * @throws {ValueError} If `ipString` holds a NUL character.
 * @throws {OverflowError} If `addressFamily` does not fit a C `int`.
 * @throws {TypeError} If an argument has the wrong type.
 *
 * @example Packing IPv4 and IPv6 addresses
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, AF_INET6, inetPton } from "@pynet/net/socket";
 *
 * assertEquals(inetPton(AF_INET, "10.0.0.1"), new Uint8Array([10, 0, 0, 1]));
 * assertEquals(inetPton(AF_INET6, "::1").length, 16);
 * ```
 */
export function inetPton(addressFamily: number, ipString: string): Uint8Array {
  const af = asCInt(addressFamily);
  const s = asCString(ipString, "inet_pton() argument 2");
  let packed: Uint8Array | null;
  if (af === AF_INET) packed = parseIPv4(s);
  else if (af === AF_INET6) packed = parseIPv6(s);
  else throw new OSError(EAFNOSUPPORT);
  if (packed === null) throw new OSError(null, "illegal IP address string passed to inet_pton");
  return packed;
}

/**
 * Converts packed bytes to address text for the given family, as Python's `socket.inet_ntop()`
 * (glibc's formatting: lower-case hex, the longest run of zero groups as `::`, dotted tails
 * for IPv4-compatible and IPv4-mapped addresses).
 *
 * @param addressFamily `AF_INET` or `AF_INET6`.
 * @param packedIp 4 bytes for `AF_INET`, 16 for `AF_INET6` (any bytes-like object).
 * @returns The address text, such as `"192.0.2.1"` or `"2001:db8::1"`.
 * @throws {ValueError} `"invalid length of packed IP address string"` if `packedIp` has the
 * wrong length; `"unknown address family N"` for another family.
 * @throws {OverflowError} If `addressFamily` does not fit a C `int`.
 * @throws {TypeError} If an argument has the wrong type.
 *
 * @example Formatting an IPv6 address in its shortest form
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AF_INET6, inetNtop, inetPton } from "@pynet/net/socket";
 *
 * assertEquals(inetNtop(AF_INET6, inetPton(AF_INET6, "0:0:0:0:0:0:0:1")), "::1");
 * ```
 */
export function inetNtop(addressFamily: number, packedIp: Uint8Array): string {
  const af = asCInt(addressFamily);
  const b = asBytes(packedIp);
  if (af === AF_INET || af === AF_INET6) {
    if (b.length !== (af === AF_INET ? 4 : 16)) {
      throw new ValueError("invalid length of packed IP address string");
    }
    return af === AF_INET ? formatIPv4(b) : formatIPv6(b);
  }
  throw new ValueError(`unknown address family ${af}`);
}

function swap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >> 8) & 0xff);
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function short(name: string, x: number): number {
  const v = asCInt(x);
  if (v < 0) {
    throw new OverflowError(
      `${name}: can't convert negative Python int to C 16-bit unsigned integer`,
    );
  }
  if (v > 0xffff) {
    throw new OverflowError(
      `${name}: Python int too large to convert to C 16-bit unsigned integer`,
    );
  }
  return v;
}

function long(x: number): number {
  const v = asPyInt(x);
  if (v === null) throw new TypeError(`expected int, ${pyTypeName(x)} found`);
  if (v < 0n) throw new OverflowError("can't convert negative value to unsigned int");
  if (v >= 2n ** 64n) {
    throw new OverflowError("Python int too large to convert to C unsigned long");
  }
  if (v > 0xffffffffn) throw new OverflowError("int larger than 32 bits");
  return Number(v);
}

/**
 * Converts a 16-bit integer from host to network byte order, as Python's `socket.htons()`
 * (hosts here are little-endian, so the two bytes swap).
 *
 * @param x An integer from 0 to 65535.
 * @returns `x` with its two bytes swapped.
 * @throws {OverflowError} If `x` is negative or above 65535.
 * @throws {TypeError} If `x` is not an integer.
 *
 * @example Swapping the bytes of a 16-bit port
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { htons } from "@pynet/net/socket";
 *
 * assertEquals(htons(1), 256);
 * ```
 */
export function htons(x: number): number {
  return swap16(short("htons", x));
}

/**
 * Converts a 16-bit integer from network to host byte order, as Python's `socket.ntohs()`.
 *
 * @param x An integer from 0 to 65535.
 * @returns `x` with its two bytes swapped.
 * @throws {OverflowError} If `x` is negative or above 65535.
 * @throws {TypeError} If `x` is not an integer.
 *
 * @example Port 80 from network order
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ntohs } from "@pynet/net/socket";
 *
 * assertEquals(ntohs(0x5000), 80);
 * ```
 */
export function ntohs(x: number): number {
  return swap16(short("ntohs", x));
}

/**
 * Converts a 32-bit integer from host to network byte order, as Python's `socket.htonl()`.
 *
 * @param x An integer from 0 to 4294967295.
 * @returns `x` with its four bytes reversed.
 * @throws {OverflowError} If `x` is negative or does not fit 32 bits.
 * @throws {TypeError} If `x` is not an integer.
 *
 * @example The loopback address in network order
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { htonl, INADDR_LOOPBACK } from "@pynet/net/socket";
 *
 * assertEquals(htonl(INADDR_LOOPBACK), 0x0100007f);
 * ```
 */
export function htonl(x: number): number {
  return swap32(long(x));
}

/**
 * Converts a 32-bit integer from network to host byte order, as Python's `socket.ntohl()`.
 *
 * @param x An integer from 0 to 4294967295.
 * @returns `x` with its four bytes reversed.
 * @throws {OverflowError} If `x` is negative or does not fit 32 bits.
 * @throws {TypeError} If `x` is not an integer.
 *
 * @example The loopback address back from network order
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { INADDR_LOOPBACK, ntohl } from "@pynet/net/socket";
 *
 * assertEquals(ntohl(0x0100007f), INADDR_LOOPBACK);
 * ```
 */
export function ntohl(x: number): number {
  return swap32(long(x));
}
