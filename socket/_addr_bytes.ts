// Resolved addresses as family, bytes and scope id, with the IPv4-mapped and loopback tests
// that the hosts table, DNS, address ordering and getaddrinfo all share.
import { AF_INET, AF_INET6 } from "./_constants.ts";
import { formatIPv4, formatIPv6, parseIPv6 } from "./_inet.ts";

export interface Addr {
  family: typeof AF_INET | typeof AF_INET6;
  bytes: Uint8Array;
  scopeId: number;
}

export function v4(bytes: Uint8Array): Addr {
  return { family: AF_INET, bytes, scopeId: 0 };
}

export function v6(bytes: Uint8Array, scopeId = 0): Addr {
  return { family: AF_INET6, bytes, scopeId };
}

export function mapped(b4: Uint8Array): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = b[11] = 0xff;
  b.set(b4, 12);
  return b;
}

export function isMapped(b: Uint8Array): boolean {
  return b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

export function isV6Loopback(b: Uint8Array): boolean {
  return b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
}

export const LOOPBACK4 = new Uint8Array([127, 0, 0, 1]);
export const LOOPBACK6 = parseIPv6("::1")!;

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function formatAddr(a: Addr): string {
  return a.family === AF_INET ? formatIPv4(a.bytes) : formatIPv6(a.bytes);
}

/** Loopback or unspecified: resolved locally, never sent to DNS. */
export function isLocalAddr(a: Addr): boolean {
  const b = a.family === AF_INET6 && isMapped(a.bytes) ? a.bytes.subarray(12) : a.bytes;
  if (b.length === 4) return b[0] === 127 || b.every((x) => x === 0);
  return b.subarray(0, 15).every((x) => x === 0) && (b[15] === 0 || b[15] === 1);
}
