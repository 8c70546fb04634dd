// Destination address ordering (RFC 3484 as glibc applies it, with its default tables): it
// ranks getaddrinfo's answers whatever source they came from.
import { type Addr, isLocalAddr, isMapped, isV6Loopback, mapped } from "./_addr_bytes.ts";
import { AF_INET } from "./_constants.ts";
import { parseIPv6 } from "./_inet.ts";

const PRECEDENCE: [string, number, number][] = [
  ["::1", 128, 50],
  ["2002::", 16, 30],
  ["::", 96, 20],
  ["::ffff:0:0", 96, 10],
  ["::", 0, 40],
];
const LABELS: [string, number, number][] = [
  ["::1", 128, 0],
  ["2002::", 16, 2],
  ["::", 96, 3],
  ["::ffff:0:0", 96, 4],
  ["fec0::", 10, 5],
  ["fc00::", 7, 6],
  ["2001::", 32, 7],
  ["::", 0, 1],
];

function prefixMatch(b: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((b[i >> 3]! & mask) !== (prefix[i >> 3]! & mask)) return false;
  }
  return true;
}

function lookupTable(table: [string, number, number][], b: Uint8Array): number {
  for (const [p, bits, value] of table) if (prefixMatch(b, parseIPv6(p)!, bits)) return value;
  return 0;
}

function scopeOf(a: Addr): number {
  if (a.family === AF_INET || isMapped(a.bytes)) {
    const b = a.family === AF_INET ? a.bytes : a.bytes.subarray(12);
    return b[0] === 127 || (b[0] === 169 && b[1] === 254) ? 2 : 14;
  }
  const b = a.bytes;
  if (b[0] === 0xff) return b[1]! & 0xf;
  if ((b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || isV6Loopback(b)) return 2;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 5;
  return 14;
}

interface Ranked {
  index: number;
  scope: number;
  label: number;
  precedence: number;
  srcScope: number;
  srcLabel: number;
}

/**
 * Sorts destinations as glibc's rfc3484_sort does (rules 2, 5, 6, 8; stable otherwise). The
 * source address is the loopback of the family for loopback and unspecified destinations; for
 * others, Deno cannot tell, so a source of matching scope and label is assumed (a dual-stack
 * host), which leaves precedence to decide.
 */
export function sortAddrs(addrs: Addr[]): Addr[] {
  const ranked: Ranked[] = addrs.map((a, index) => {
    const b6 = a.family === AF_INET ? mapped(a.bytes) : a.bytes;
    const scope = scopeOf(a);
    const label = lookupTable(LABELS, b6);
    let srcScope = scope;
    let srcLabel = label;
    if (isLocalAddr(a)) {
      srcScope = 2;
      srcLabel = a.family === AF_INET || isMapped(a.bytes) ? 4 : 0;
    }
    return { index, scope, label, precedence: lookupTable(PRECEDENCE, b6), srcScope, srcLabel };
  });
  ranked.sort((x, y) => {
    const xs = x.scope === x.srcScope, ys = y.scope === y.srcScope;
    if (xs !== ys) return xs ? -1 : 1;
    const xl = x.label === x.srcLabel, yl = y.label === y.srcLabel;
    if (xl !== yl) return xl ? -1 : 1;
    if (x.precedence !== y.precedence) return y.precedence - x.precedence;
    if (x.scope !== y.scope) return x.scope - y.scope;
    return x.index - y.index;
  });
  return ranked.map((r) => addrs[r.index]!);
}
