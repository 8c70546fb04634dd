// socket.gethostbyname(), gethostbyname_ex() and gethostbyaddr(): CPython's setipaddr() on top
// of getaddrinfo's core, then glibc's gethostbyname_r()/gethostbyaddr_r() for the host entry.
// gethostbyaddrR() also gives getnameinfo() its reverse lookup.
import { type Addr, formatAddr, isLocalAddr, v4, v6 } from "./_addr_bytes.ts";
import { AF_INET, AF_INET6, AF_UNSPEC, AI_PASSIVE, SOCK_DGRAM } from "./_constants.ts";
import { dnsQuery, reverseName, stripDot } from "./_dns.ts";
import { OSError } from "../_core/errors.ts";
import { hostsByAddr, hostsByName, hostsTable } from "./_hosts.ts";
import { idnaEncode } from "../_core/idna.ts";
import { formatIPv4, parseInetAton, parseIPv4, parseIPv6 } from "./_inet.ts";
import { pyTypeName } from "../_core/args.ts";
import {
  herr,
  HOST_NOT_FOUND,
  NO_RECOVERY,
  TemporaryFailure,
  TRY_AGAIN,
} from "./_resolve_errors.ts";
import { type Lookup, lookupFamily } from "./_lookup_name.ts";
import { getaddrinfoCore, latin1 } from "./_getaddrinfo.ts";

/** What {@linkcode gethostbynameEx} and {@linkcode gethostbyaddr} return. */
export type HostInfo = [hostname: string, aliases: string[], addresses: string[]];

/** CPython's `"et"` conversion with the idna codec. */
function hostArgument(value: unknown, fname: string): string {
  if (value instanceof Uint8Array) value = latin1(value); // bytes and bytearray pass as they are
  if (typeof value !== "string") {
    throw new TypeError(
      `${fname}() argument 1 must be str, bytes or bytearray, not ${pyTypeName(value)}`,
    );
  }
  const encoded = idnaEncode(value);
  if (encoded.includes("\0")) {
    throw new TypeError(`${fname}() argument 1 must be encoded string without null bytes, not str`);
  }
  return encoded;
}

/** CPython's setipaddr(): one address for `name`, numeric forms first. */
async function setipaddr(name: string, af: number): Promise<Addr> {
  if (name === "") {
    const entries = await getaddrinfoCore(null, "0", {
      family: af,
      socktype: SOCK_DGRAM,
      protocol: 0,
      flags: AI_PASSIVE,
    });
    if (entries.length > 1) throw new OSError(null, "wildcard resolved to multiple address");
    return entries[0]!.addr;
  }
  if (name === "255.255.255.255" || name === "<broadcast>") {
    if (af !== AF_INET && af !== AF_UNSPEC) throw new OSError(null, "address family mismatched");
    return v4(new Uint8Array([255, 255, 255, 255]));
  }
  if (af === AF_UNSPEC || af === AF_INET) {
    const b = parseIPv4(name);
    if (b) return v4(b);
  }
  if ((af === AF_UNSPEC || af === AF_INET6) && !name.includes("%")) {
    const b = parseIPv6(name);
    if (b) return v6(b);
  }
  const entries = await getaddrinfoCore(name, null, {
    family: af,
    socktype: 0,
    protocol: 0,
    flags: 0,
  });
  return entries[0]!.addr;
}

/** glibc's gethostbyname_r() for AF_INET: digits-and-dots, hosts table, localhost, DNS. */
async function gethostbynameR(name: string): Promise<HostInfo> {
  const c0 = name.charCodeAt(0);
  const isDigit = c0 >= 0x30 && c0 <= 0x39;
  if (isDigit && /^[0-9.]*$/.test(name) && !name.endsWith(".")) {
    const b = parseInetAton(name, true);
    if (!b) throw herr(HOST_NOT_FOUND);
    return [name, [], [formatIPv4(b)]];
  }
  if ((/^[0-9a-fA-F]/.test(name) && name.includes(":")) || name[0] === ":") {
    throw herr(HOST_NOT_FOUND); // An IPv6 address cannot be an AF_INET answer.
  }
  const lines = await hostsTable();
  let found: Lookup = hostsByName(lines, name, AF_INET);
  if (!found && name === "") throw herr(NO_RECOVERY); // What the DNS resolver makes of "".
  try {
    found ??= await lookupFamily(lines, name, AF_INET, true);
  } catch (e) {
    if (e instanceof TemporaryFailure) throw herr(TRY_AGAIN, e);
    throw e;
  }
  if (!found) throw herr(HOST_NOT_FOUND);
  return [found.canon, found.aliases, found.addrs.map(formatAddr)];
}

/** glibc's gethostbyaddr_r(): hosts table, then DNS (PTR) unless the address is local. */
export async function gethostbyaddrR(addr: Addr): Promise<[string, string[]]> {
  const fromHosts = hostsByAddr(await hostsTable(), addr);
  if (fromHosts) return fromHosts;
  if (isLocalAddr(addr)) throw herr(HOST_NOT_FOUND);
  let names: string[];
  try {
    names = await dnsQuery(reverseName(addr), "PTR");
  } catch (e) {
    if (e instanceof TemporaryFailure) throw herr(TRY_AGAIN, e);
    throw e;
  }
  if (names.length === 0) throw herr(HOST_NOT_FOUND);
  const [first, ...rest] = names.map(stripDot);
  return [first!, rest];
}

/**
 * Translates a host name to one IPv4 address, as Python's `socket.gethostbyname()`: dotted
 * quads come back unchanged, `""` is `"0.0.0.0"` and `"<broadcast>"` is `"255.255.255.255"`;
 * names resolve as in {@linkcode getaddrinfo} with `AF_INET`.
 *
 * @param hostname A host name or IPv4 address (text, or bytes as in Python).
 * @returns A promise of the address as `"a.b.c.d"`.
 * @throws {gaierror} (by rejecting) `EAI_NONAME` (-2) for an unknown name or a malformed
 * address such as `"0.1.1.~1"`, `EAI_ADDRFAMILY` (-9) for an IPv6 address.
 * @throws {PermissionError} If the name needs DNS without net permission for the DNS server.
 * @throws {UnicodeError} If the name cannot be IDNA-encoded.
 * @throws {TypeError} If `hostname` is not a string or holds a NUL character.
 *
 * @example The address of localhost
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { gethostbyname } from "@pynet/net/socket";
 *
 * assertEquals(await gethostbyname("localhost"), "127.0.0.1");
 * ```
 */
export async function gethostbyname(hostname: string | Uint8Array): Promise<string> {
  const name = hostArgument(hostname, "gethostbyname");
  return formatAddr(await setipaddr(name, AF_INET));
}

/**
 * Translates a host name to its IPv4 host entry, as Python's `socket.gethostbyname_ex()`:
 * the primary name, the aliases and all the addresses (from `/etc/hosts`, merging every line
 * that names the host, or from DNS).
 *
 * @param hostname A host name or IPv4 address (text, or bytes as in Python).
 * @returns A promise of `[hostname, aliases, addresses]`.
 * @throws {gaierror} (by rejecting) If the name does not resolve at all (as in
 * {@linkcode gethostbyname}).
 * @throws {herror} `[1, "Unknown host"]` if it has no host entry, `[2, ...]` if DNS does not
 * answer.
 * @throws {PermissionError} If the name needs DNS without net permission for the DNS server.
 * @throws {UnicodeError} If the name cannot be IDNA-encoded.
 * @throws {TypeError} If `hostname` is not a string or holds a NUL character.
 *
 * @example A dotted quad is its own host entry
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { gethostbynameEx } from "@pynet/net/socket";
 *
 * assertEquals(await gethostbynameEx("127.0.0.1"), ["127.0.0.1", [], ["127.0.0.1"]]);
 * ```
 */
export async function gethostbynameEx(hostname: string | Uint8Array): Promise<HostInfo> {
  const name = hostArgument(hostname, "gethostbyname_ex");
  await setipaddr(name, AF_INET);
  return await gethostbynameR(name);
}

/**
 * Looks up the host entry of an address, as Python's `socket.gethostbyaddr()`: `/etc/hosts`
 * first, then a DNS PTR query (never for loopback or unspecified addresses). A host name is
 * resolved first and its address looked up.
 *
 * @param ipAddress An IPv4 or IPv6 address, or a host name.
 * @returns A promise of `[hostname, aliases, addresses]`.
 * @throws {herror} (by rejecting) `[1, "Unknown host"]` if the address has no name.
 * @throws {gaierror} If `ipAddress` is a name that does not resolve, or a malformed address.
 * @throws {OSError} `"wildcard resolved to multiple address"` for `""`.
 * @throws {PermissionError} If DNS is needed without net permission for the DNS server.
 * @throws {TypeError} If `ipAddress` is not a string or holds a NUL character.
 *
 * @example The name of the loopback address, from /etc/hosts
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { gethostbyaddr } from "@pynet/net/socket";
 *
 * const [name, , addresses] = await gethostbyaddr("127.0.0.1");
 * assertEquals(name, "localhost");
 * assertEquals(addresses, ["127.0.0.1"]);
 * ```
 */
export async function gethostbyaddr(ipAddress: string | Uint8Array): Promise<HostInfo> {
  const name = hostArgument(ipAddress, "gethostbyaddr");
  const addr = await setipaddr(name, AF_UNSPEC);
  const [hostname, aliases] = await gethostbyaddrR(addr);
  return [hostname, aliases, [formatAddr(addr)]];
}
