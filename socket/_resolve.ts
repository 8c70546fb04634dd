// Name resolution: getaddrinfo, gethostbyname, gethostbyaddr, getnameinfo, getservby*, getfqdn
// and gethostname, following glibc's getaddrinfo/nss_files behaviour and CPython's wrappers.
//
// Sources, in glibc's order ("hosts: files dns"):
// - numeric hosts are parsed here, without any lookup or permission;
// - /etc/hosts and /etc/services are read when read permission for them is already granted,
//   otherwise built-in tables stand in ("127.0.0.1 localhost" and Debian's services list);
// - "localhost" never goes to DNS: where glibc would ask DNS (the hosts table has no entry for
//   the family asked), it resolves to the loopback address, as RFC 6761 wants of DNS servers;
// - loopback and unspecified addresses are never looked up in DNS (reverse lookups);
// - other names go to Deno.resolveDns, only when net permission for the DNS server is granted
//   (so nothing ever prompts), with every wait bounded.
import {
  type Addr,
  formatAddr,
  isLocalAddr,
  isMapped,
  LOOPBACK4,
  LOOPBACK6,
  mapped,
  v4,
  v6,
} from "./_addr_bytes.ts";
import { sortAddrs } from "./_addr_sort.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_FAMILY,
  EAI_NONAME,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
} from "./_constants.ts";
import { canonicalName, dnsAddrs, dnsQuery, reverseName, stripDot } from "./_dns.ts";
import { fromDenoError, herror, OSError, OverflowError } from "../_core/errors.ts";
import {
  granted,
  hostsByAddr,
  hostsByName,
  type HostsLine,
  hostsTable,
  isLocalhost,
  type NameResult,
  servicesTable,
} from "./_hosts.ts";
import { idnaEncode } from "../_core/idna.ts";
import { formatIPv4, formatIPv6, parseInetAton, parseIPv4, parseIPv6 } from "./_inet.ts";
import { ifIndexToName, parseScopeId } from "./_interfaces.ts";
import { asCInt, asCLong, asCString, asCUIntMask, checkUtf8, pyTypeName } from "../_core/args.ts";
import {
  gai,
  herr,
  HOST_NOT_FOUND,
  isMissingPermission,
  missingPermission,
  NO_RECOVERY,
  TemporaryFailure,
  TRY_AGAIN,
} from "./_resolve_errors.ts";
import type { ServiceEntry } from "./_services.ts";

/** An IPv4 socket address: `[host, port]`. */
export type SockAddr4 = [host: string, port: number];
/** An IPv6 socket address: `[host, port, flowinfo, scopeId]`. */
export type SockAddr6 = [host: string, port: number, flowinfo: number, scopeId: number];
/** One entry of {@linkcode getaddrinfo}'s result, in Python's order. */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: SockAddr4 | SockAddr6,
];
/** What {@linkcode gethostbynameEx} and {@linkcode gethostbyaddr} return. */
export type HostInfo = [hostname: string, aliases: string[], addresses: string[]];

// ---------------------------------------------------------------------------------------------
// Host lookups (the NSS step of glibc).

type Lookup = NameResult | null;

/** One family's answer: hosts table, then localhost, then DNS. */
async function lookupFamily(
  lines: readonly HostsLine[],
  name: string,
  af: typeof AF_INET | typeof AF_INET6,
  wantCanon: boolean,
): Promise<Lookup> {
  const fromHosts = hostsByName(lines, name, af);
  if (fromHosts) return fromHosts;
  if (isLocalhost(name)) {
    return {
      addrs: [af === AF_INET ? v4(LOOPBACK4) : v6(LOOPBACK6)],
      canon: "localhost",
      aliases: [],
    };
  }
  const addrs = await dnsAddrs(name, af);
  if (addrs.length === 0) return null;
  if (!wantCanon) return { addrs, canon: name, aliases: [] };
  const [canon, aliases] = await canonicalName(name);
  return { addrs, canon, aliases };
}

/** Runs `f`, turning a temporary failure into `null` plus a flag. */
async function tolerant(f: () => Promise<Lookup>, failed: { temp: boolean }): Promise<Lookup> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof TemporaryFailure) {
      failed.temp = true;
      return null;
    }
    throw e;
  }
}

/**
 * getaddrinfo's AF_INET6 lookup, per source (hosts table, then localhost, then DNS): the IPv6
 * answers, then with AI_V4MAPPED the IPv4 ones as mapped addresses, if there were no IPv6 ones or
 * AI_ALL is set. As glibc does, AI_V4MAPPED without AI_ALL drops IPv4-mapped IPv6 answers.
 */
async function lookupInet6(
  lines: readonly HostsLine[],
  name: string,
  flags: number,
  failed: { temp: boolean },
): Promise<Lookup> {
  const v4mapped = (flags & AI_V4MAPPED) !== 0;
  const all = (flags & AI_ALL) !== 0;
  const combine = (six: Lookup, four: Lookup): Lookup => {
    if (!six && !four) return null;
    const addrs = (six?.addrs ?? []).filter((a) => !(v4mapped && !all && isMapped(a.bytes)));
    addrs.push(...(four?.addrs ?? []).map((a) => v6(mapped(a.bytes))));
    return addrs.length > 0
      ? { addrs, canon: six?.canon ?? four?.canon ?? name, aliases: [] }
      : null;
  };
  const six = hostsByName(lines, name, AF_INET6);
  const four = v4mapped && (all || !six) ? hostsByName(lines, name, AF_INET) : null;
  if (six || four) return combine(six, four);
  if (isLocalhost(name)) {
    return combine({ addrs: [v6(LOOPBACK6)], canon: "localhost", aliases: [] }, null);
  }
  const wantCanon = (flags & AI_CANONNAME) !== 0;
  const dns6 = await tolerant(() => lookupFamily([], name, AF_INET6, wantCanon), failed);
  const dns4 = v4mapped && (all || !dns6)
    ? await tolerant(() => lookupFamily([], name, AF_INET, wantCanon), failed)
    : null;
  return combine(dns6, dns4);
}

/** getaddrinfo's name lookup: addresses for `family` (with AI_V4MAPPED/AI_ALL) and the canon. */
async function lookupName(name: string, family: number, flags: number): Promise<NameResult> {
  const lines = await hostsTable();
  const wantCanon = (flags & AI_CANONNAME) !== 0;
  const failed = { temp: false };
  let result: Lookup = null;
  if (family === AF_UNSPEC) {
    result = hostsByName(lines, name, AF_UNSPEC);
    if (!result && isLocalhost(name)) {
      result = { addrs: [v6(LOOPBACK6), v4(LOOPBACK4)], canon: "localhost", aliases: [] };
    }
    if (!result) {
      const [a, b] = await Promise.all([
        tolerant(() => lookupFamily([], name, AF_INET, wantCanon), failed),
        tolerant(() => lookupFamily([], name, AF_INET6, false), failed),
      ]);
      if (a || b) {
        result = {
          addrs: [...(a?.addrs ?? []), ...(b?.addrs ?? [])],
          canon: a?.canon ?? b?.canon ?? name,
          aliases: [],
        };
      }
    }
  } else if (family === AF_INET) {
    result = await tolerant(() => lookupFamily(lines, name, AF_INET, wantCanon), failed);
  } else {
    result = await lookupInet6(lines, name, flags, failed);
  }
  if (result) return result;
  throw gai(failed.temp ? EAI_AGAIN : EAI_NONAME);
}

// ---------------------------------------------------------------------------------------------
// getaddrinfo (glibc's getaddrinfo and gaih_inet).

interface TypeProto {
  socktype: number;
  protocol: number;
  anyProtocol: boolean;
  noService: boolean;
  byDefault: boolean;
  name: string;
}

const TYPE_PROTOS: readonly TypeProto[] = [
  { socktype: 1, protocol: 6, anyProtocol: false, noService: false, byDefault: true, name: "tcp" },
  { socktype: 2, protocol: 17, anyProtocol: false, noService: false, byDefault: true, name: "udp" },
  {
    socktype: 6,
    protocol: 33,
    anyProtocol: false,
    noService: false,
    byDefault: false,
    name: "dccp",
  },
  {
    socktype: 2,
    protocol: 136,
    anyProtocol: false,
    noService: false,
    byDefault: false,
    name: "udplite",
  },
  {
    socktype: 1,
    protocol: 132,
    anyProtocol: false,
    noService: false,
    byDefault: false,
    name: "sctp",
  },
  {
    socktype: 5,
    protocol: 132,
    anyProtocol: false,
    noService: false,
    byDefault: false,
    name: "sctp",
  },
  { socktype: 3, protocol: 0, anyProtocol: true, noService: true, byDefault: true, name: "raw" },
];

const VALID_AI_FLAGS = 0x7ff;

interface Hints {
  family: number;
  socktype: number;
  protocol: number;
  flags: number;
}

interface Entry {
  family: number;
  socktype: number;
  protocol: number;
  canonname: string;
  addr: Addr;
  port: number;
}

/**
 * C's `(int) strtoul(s, &end, 10)` when all of `s` is consumed, else `null`: leading blanks and
 * a sign are allowed, values wrap as the C conversions do.
 */
function numericService(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (!m) return null;
  let v = BigInt(m[2]!);
  const ulongMax = 2n ** 64n - 1n;
  if (v > ulongMax) v = ulongMax;
  else if (m[1] === "-") v = BigInt.asUintN(64, -v);
  return Number(BigInt.asIntN(32, v));
}

function findService(
  table: readonly ServiceEntry[],
  name: string,
  proto: string | null,
): ServiceEntry | undefined {
  return table.find((s) =>
    (s.name === name || s.aliases.includes(name)) && (proto === null || s.proto === proto)
  );
}

async function getaddrinfoCore(
  hostName: string | null,
  service: string | null,
  hints: Hints,
): Promise<Entry[]> {
  const name = hostName === "*" ? null : hostName;
  if (service === "*") service = null;
  if (name === null && service === null) throw gai(EAI_NONAME);
  const { family, socktype, protocol, flags } = hints;
  if (flags & ~VALID_AI_FLAGS) throw gai(EAI_BADFLAGS);
  if ((flags & AI_CANONNAME) && name === null) throw gai(EAI_BADFLAGS);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) throw gai(EAI_FAMILY);

  let serviceName: string | null = null;
  let port = 0;
  const hasService = service !== null && service !== "";
  if (hasService) {
    const num = numericService(service!);
    if (num === null) {
      if (flags & AI_NUMERICSERV) throw gai(EAI_NONAME);
      serviceName = service;
    } else if (num < 0) {
      serviceName = service;
    } else {
      port = num & 0xffff;
    }
  }

  let tp: TypeProto | null = null;
  if (socktype !== 0 || protocol !== 0) {
    tp = TYPE_PROTOS.find((t) =>
      (socktype === 0 || socktype === t.socktype) &&
      (protocol === 0 || t.anyProtocol || protocol === t.protocol)
    ) ?? null;
    if (tp === null) throw gai(socktype !== 0 ? EAI_SOCKTYPE : EAI_SERVICE);
  }
  const tuples: { socktype: number; protocol: number; port: number }[] = [];
  if (hasService && tp?.noService) throw gai(EAI_SERVICE);
  if (serviceName !== null) {
    const table = await servicesTable();
    for (const t of tp ? [tp] : TYPE_PROTOS.filter((t) => !t.noService)) {
      const found = findService(table, serviceName, t.name);
      if (found) {
        tuples.push({
          socktype: t.socktype,
          protocol: t.anyProtocol ? protocol : t.protocol,
          port: found.port,
        });
      }
    }
    if (tuples.length === 0) throw gai(EAI_SERVICE);
  } else if (tp) {
    tuples.push({ socktype: tp.socktype, protocol: tp.anyProtocol ? protocol : tp.protocol, port });
  } else {
    for (const t of TYPE_PROTOS) {
      if (t.byDefault) tuples.push({ socktype: t.socktype, protocol: t.protocol, port });
    }
  }

  let addrs: Addr[];
  let canon: string | null = null;
  if (name === null) {
    const passive = (flags & AI_PASSIVE) !== 0;
    addrs = [];
    if (family !== AF_INET) addrs.push(v6(passive ? new Uint8Array(16) : LOOPBACK6));
    if (family !== AF_INET6) addrs.push(v4(passive ? new Uint8Array(4) : LOOPBACK4));
  } else {
    const b4 = parseInetAton(name, true);
    const pct = name.indexOf("%");
    const b6 = b4 ? null : parseIPv6(pct < 0 ? name : name.slice(0, pct));
    if (b4) {
      if (family !== AF_INET6) addrs = [v4(b4)];
      else if (flags & AI_V4MAPPED) addrs = [v6(mapped(b4))];
      else throw gai(EAI_ADDRFAMILY);
      canon = name;
    } else if (b6) {
      let a: Addr;
      if (family !== AF_INET) a = v6(b6);
      else if (isMapped(b6)) a = v4(b6.slice(12));
      else throw gai(EAI_ADDRFAMILY);
      if (pct >= 0) {
        const scopeId = await parseScopeId(b6, name.slice(pct + 1));
        if (scopeId === null) throw gai(EAI_NONAME);
        if (a.family === AF_INET6) a.scopeId = scopeId;
      }
      addrs = [a];
      canon = name;
    } else {
      if (flags & AI_NUMERICHOST) throw gai(EAI_NONAME);
      const found = await lookupName(name, family, flags);
      addrs = found.addrs;
      canon = found.canon;
    }
  }
  if (addrs.length > 1) addrs = sortAddrs(addrs);

  const out: Entry[] = [];
  for (const addr of addrs) {
    for (const t of tuples) out.push({ family: addr.family, ...t, canonname: "", addr });
  }
  if ((flags & AI_CANONNAME) && out.length > 0) out[0]!.canonname = canon ?? name ?? "";
  return out;
}

function sockaddrOf(addr: Addr, port: number): SockAddr4 | SockAddr6 {
  return addr.family === AF_INET
    ? [formatIPv4(addr.bytes), port]
    : [formatIPv6(addr.bytes), port, 0, addr.scopeId];
}

/** The C string a Python `str` becomes when CPython passes it on as `char *`. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * Translates a host and port into the socket addresses to use, as Python's
 * `socket.getaddrinfo()` does with glibc: numeric hosts (including the legacy IPv4 forms
 * `"127.1"` and `"0x7f.1"`, and IPv6 with a `%scope`) are parsed without any lookup; `null`
 * means the loopback address, or the wildcard with `AI_PASSIVE`; `"localhost"` and the names of
 * `/etc/hosts` resolve without DNS; other names are looked up with `Deno.resolveDns`.
 *
 * When `type` and `proto` are 0, each address comes once per socket type
 * (`SOCK_STREAM`/6, `SOCK_DGRAM`/17, `SOCK_RAW`/0), as in CPython.
 *
 * @param host A host name, an address (as text, or bytes as Python takes them), or `null`.
 * @param port A port number (wrapped to 16 bits as C does), a numeric string, a service name
 * (`"http"`), or `null` for port 0.
 * @param family `AF_UNSPEC` (0), `AF_INET` or `AF_INET6`.
 * @param type A socket type such as `SOCK_STREAM`, or 0 for all.
 * @param proto A protocol number such as `IPPROTO_TCP`, or 0 for all.
 * @param flags `AI_*` flags: `AI_PASSIVE`, `AI_CANONNAME`, `AI_NUMERICHOST`, `AI_NUMERICSERV`,
 * `AI_V4MAPPED`, `AI_ALL`, `AI_ADDRCONFIG`.
 * @returns A promise of `[family, type, proto, canonname, sockaddr]` entries, where `sockaddr`
 * is `[host, port]` for `AF_INET` and `[host, port, flowinfo, scopeId]` for `AF_INET6`.
 * @throws {gaierror} (by rejecting, as every error here) With glibc's code: `EAI_NONAME` (-2)
 * for an unknown host or service, `EAI_SERVICE` (-8) for a service the socket type lacks,
 * `EAI_ADDRFAMILY` (-9) for an address of another family, `EAI_AGAIN` (-3) when DNS does not
 * answer, `EAI_BADFLAGS`, `EAI_FAMILY`, `EAI_SOCKTYPE`.
 * @throws {PermissionError} If a name needs DNS and net permission for the DNS server is not
 * granted; the message names the flag (`--allow-net=10.0.0.53:53`).
 * @throws {UnicodeError} If the host name cannot be IDNA-encoded (a label over 63 characters).
 * @throws {OverflowError} If an integer argument does not fit its C type.
 * @throws {OSError} `"Int or String expected"` if `port` has another type.
 * @throws {TypeError} If another argument has the wrong type.
 *
 * @example Addresses for a TCP connection to localhost
 * ```ts
 * import { AF_INET, getaddrinfo, SOCK_STREAM } from "@pynet/net/socket";
 *
 * const infos = await getaddrinfo("localhost", 8080, AF_INET, SOCK_STREAM);
 * console.log(infos[0]); // [ 2, 1, 6, "", [ "127.0.0.1", 8080 ] ]
 * ```
 *
 * @example Wildcard addresses for a server
 * ```ts
 * import { AI_PASSIVE, AF_UNSPEC, getaddrinfo, SOCK_STREAM } from "@pynet/net/socket";
 *
 * const infos = await getaddrinfo(null, 0, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE);
 * for (const [family, , , , sockaddr] of infos) {
 *   console.log(family, sockaddr); // 2 [ "0.0.0.0", 0 ], then 10 [ "::", 0, 0, 0 ]
 * }
 * ```
 */
export async function getaddrinfo(
  host: string | Uint8Array | null,
  port: number | string | Uint8Array | null,
  family: number = 0,
  type: number = 0,
  proto: number = 0,
  flags: number = 0,
): Promise<AddrInfo[]> {
  const hints = {
    family: asCInt(family),
    socktype: asCInt(type),
    protocol: asCInt(proto),
    flags: asCInt(flags),
  };
  let name: string | null;
  if (host === null) name = null;
  else if (typeof host === "string") name = cString(idnaEncode(host));
  else if (host instanceof Uint8Array) name = cString(latin1(host)); // bytes pass as they are
  else throw new TypeError("getaddrinfo() argument 1 must be string or None");
  let service: string | null;
  if (port === null) {
    service = null;
  } else if ((typeof port === "number" && Number.isInteger(port)) || typeof port === "bigint") {
    service = asCLong(port).toString();
  } else if (typeof port === "string") {
    checkUtf8(port);
    service = cString(port);
  } else if (port instanceof Uint8Array) {
    service = cString(latin1(port));
  } else {
    throw new OSError(null, "Int or String expected");
  }
  const entries = await getaddrinfoCore(name, service, hints);
  return entries.map((
    e,
  ) => [e.family, e.socktype, e.protocol, e.canonname, sockaddrOf(e.addr, e.port)]);
}

// ---------------------------------------------------------------------------------------------
// gethostbyname, gethostbyname_ex, gethostbyaddr (CPython's setipaddr + gethostby*_r).

/** Bytes as the C string CPython hands the resolver, one character per byte. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

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
async function gethostbyaddrR(addr: Addr): Promise<[string, string[]]> {
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
 * @example
 * ```ts
 * import { gethostbyname } from "@pynet/net/socket";
 *
 * console.log(await gethostbyname("localhost")); // "127.0.0.1"
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
 * @example
 * ```ts
 * import { gethostbynameEx } from "@pynet/net/socket";
 *
 * console.log(await gethostbynameEx("127.0.0.1")); // [ "127.0.0.1", [], [ "127.0.0.1" ] ]
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
 * @example
 * ```ts
 * import { gethostbyaddr } from "@pynet/net/socket";
 *
 * const [name, , addresses] = await gethostbyaddr("127.0.0.1");
 * console.log(name, addresses); // "localhost" [ "127.0.0.1" ]
 * ```
 */
export async function gethostbyaddr(ipAddress: string | Uint8Array): Promise<HostInfo> {
  const name = hostArgument(ipAddress, "gethostbyaddr");
  const addr = await setipaddr(name, AF_UNSPEC);
  const [hostname, aliases] = await gethostbyaddrR(addr);
  return [hostname, aliases, [formatAddr(addr)]];
}

// ---------------------------------------------------------------------------------------------
// getnameinfo.

const VALID_NI_FLAGS = 0xff;

async function localDomain(): Promise<string | null> {
  if (!granted({ name: "sys", kind: "hostname" })) return null;
  let host: string;
  try {
    host = Deno.hostname();
  } catch {
    return null;
  }
  let fqdn = host.includes(".") ? host : null;
  if (fqdn === null) {
    const found = hostsByName(await hostsTable(), host, AF_INET);
    if (found) fqdn = [found.canon, ...found.aliases].find((n) => n.includes(".")) ?? null;
  }
  if (fqdn === null) return null;
  const domain = fqdn.slice(fqdn.indexOf(".") + 1);
  return domain === "" ? null : domain;
}

async function numericHost(addr: Addr): Promise<string> {
  if (addr.family === AF_INET) return formatIPv4(addr.bytes);
  let text = formatIPv6(addr.bytes);
  if (addr.scopeId !== 0) {
    const b = addr.bytes;
    const linkLocal = (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) ||
      (b[0] === 0xff && (b[1]! & 0xf) === 2);
    const ifname = linkLocal ? await ifIndexToName(addr.scopeId) : null;
    text += `%${ifname ?? addr.scopeId}`;
  }
  return text;
}

/** A sockaddr tuple as getnameinfo() takes it. */
export type NameInfoAddress =
  | readonly [host: string, port: number]
  | readonly [host: string, port: number, flowinfo: number]
  | readonly [host: string, port: number, flowinfo: number, scopeId: number];

/**
 * Translates a socket address into a host and a service, as Python's `socket.getnameinfo()`:
 * the host by reverse lookup (`/etc/hosts`, then DNS; the numeric address if there is no name),
 * the port by `/etc/services`. Only numeric addresses are taken.
 *
 * @param sockaddr `[host, port]` or `[host, port, flowinfo, scopeId]`, with a numeric host.
 * @param flags `NI_NUMERICHOST`, `NI_NUMERICSERV`, `NI_NAMEREQD`, `NI_NOFQDN`, `NI_DGRAM`.
 * @returns A promise of `[host, port]`, both strings, such as `["localhost", "http"]`.
 * @throws {gaierror} (by rejecting) `EAI_NONAME` (-2) if the host is not numeric (a name such
 * as `"mail.python.org"`), or has no name while `NI_NAMEREQD` is set; `EAI_BADFLAGS` (-1) for
 * unknown flags.
 * @throws {OSError} `"IPv4 sockaddr must be 2 tuple"` for an IPv4 address with more fields.
 * @throws {OverflowError} If `flowinfo` is above 1048575 or an integer does not fit C.
 * @throws {PermissionError} If a reverse lookup needs DNS without net permission for it.
 * @throws {TypeError} If `sockaddr` is not a 2- to 4-element array of the right types.
 *
 * @example
 * ```ts
 * import { getnameinfo, NI_NUMERICHOST, NI_NUMERICSERV } from "@pynet/net/socket";
 *
 * console.log(await getnameinfo(["127.0.0.1", 22], NI_NUMERICHOST)); // [ "127.0.0.1", "ssh" ]
 * const flags = NI_NUMERICHOST | NI_NUMERICSERV;
 * console.log(await getnameinfo(["::1", 8080, 0, 0], flags)); // [ "::1", "8080" ]
 * ```
 */
export async function getnameinfo(
  sockaddr: NameInfoAddress,
  flags: number,
): Promise<[host: string, port: string]> {
  const fl = asCInt(flags);
  if (!Array.isArray(sockaddr)) throw new TypeError("getnameinfo() argument 1 must be a tuple");
  const sa: readonly unknown[] = sockaddr;
  if (sa.length < 2 || sa.length > 4 || typeof sa[0] !== "string") {
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  }
  const host = asCString(sa[0], "getnameinfo() argument 1");
  const port = asCInt(sa[1]);
  const flowinfo = sa.length > 2 ? asCUIntMask(sa[2]) : 0;
  const scopeId = sa.length > 3 ? asCUIntMask(sa[3]) : 0;
  if (flowinfo > 0xfffff) throw new OverflowError("getnameinfo(): flowinfo must be 0-1048575.");
  const entries = await getaddrinfoCore(host, String(port), {
    family: AF_UNSPEC,
    socktype: SOCK_DGRAM,
    protocol: 0,
    flags: AI_NUMERICHOST,
  });
  if (entries.length > 1) throw new OSError(null, "sockaddr resolved to multiple addresses");
  const entry = entries[0]!;
  const addr: Addr = { ...entry.addr };
  if (addr.family === AF_INET && sa.length !== 2) {
    throw new OSError(null, "IPv4 sockaddr must be 2 tuple");
  }
  if (addr.family === AF_INET6) addr.scopeId = scopeId;
  if (fl & ~VALID_NI_FLAGS) throw gai(EAI_BADFLAGS);

  let hostText: string | null = null;
  if (!(fl & NI_NUMERICHOST)) {
    try {
      [hostText] = await gethostbyaddrR(addr);
    } catch (e) {
      if (e instanceof herror && e.errno === TRY_AGAIN) throw gai(EAI_AGAIN, e);
      if (!(e instanceof herror)) throw e;
    }
    if (hostText !== null && (fl & NI_NOFQDN)) {
      const domain = await localDomain();
      const at = domain === null ? -1 : hostText.indexOf(domain);
      if (at > 0 && hostText[at - 1] === ".") hostText = hostText.slice(0, at - 1);
    }
  }
  if (hostText === null) {
    if (fl & NI_NAMEREQD) throw gai(EAI_NONAME);
    hostText = await numericHost(addr);
  }
  let serv = String(entry.port);
  if (!(fl & NI_NUMERICSERV)) {
    const found = (await servicesTable()).find((s) =>
      s.port === entry.port && s.proto === (fl & NI_DGRAM ? "udp" : "tcp")
    );
    if (found) serv = found.name;
  }
  return [hostText, serv];
}

// ---------------------------------------------------------------------------------------------
// Services, host name, FQDN.

/**
 * Translates a service name to its port, as Python's `socket.getservbyname()`, from
 * `/etc/services` (or, without read permission for it, a built-in copy of Debian's list).
 *
 * @param servicename A service name or alias, such as `"http"` or `"www"` (case matters).
 * @param protocolname `"tcp"`, `"udp"`, ...; any protocol if omitted.
 * @returns A promise of the port number.
 * @throws {OSError} (by rejecting) `"service/proto not found"`.
 * @throws {TypeError} If an argument is not a string.
 *
 * @example
 * ```ts
 * import { getservbyname } from "@pynet/net/socket";
 *
 * console.log(await getservbyname("ssh", "tcp")); // 22
 * ```
 */
export async function getservbyname(servicename: string, protocolname?: string): Promise<number> {
  const name = asCString(servicename, "getservbyname() argument 1");
  const proto = protocolname === undefined
    ? null
    : asCString(protocolname, "getservbyname() argument 2");
  const found = findService(await servicesTable(), name, proto);
  if (!found) throw new OSError(null, "service/proto not found");
  return found.port;
}

/**
 * Translates a port to its service name, as Python's `socket.getservbyport()`, from
 * `/etc/services` (or the built-in list).
 *
 * @param port A port from 0 to 65535.
 * @param protocolname `"tcp"`, `"udp"`, ...; any protocol if omitted.
 * @returns A promise of the official service name.
 * @throws {OverflowError} (by rejecting) `"getservbyport: port must be 0-65535."`.
 * @throws {OSError} `"port/proto not found"`.
 * @throws {TypeError} If an argument has the wrong type.
 *
 * @example
 * ```ts
 * import { getservbyport } from "@pynet/net/socket";
 *
 * console.log(await getservbyport(53, "udp")); // "domain"
 * ```
 */
export async function getservbyport(port: number, protocolname?: string): Promise<string> {
  const p = asCInt(port);
  const proto = protocolname === undefined
    ? null
    : asCString(protocolname, "getservbyport() argument 2");
  if (p < 0 || p > 0xffff) throw new OverflowError("getservbyport: port must be 0-65535.");
  const found = (await servicesTable()).find((s) =>
    s.port === p && (proto === null || s.proto === proto)
  );
  if (!found) throw new OSError(null, "port/proto not found");
  return found.name;
}

/**
 * Returns the machine's host name, as Python's `socket.gethostname()`. Needs
 * `--allow-sys=hostname`.
 *
 * @returns The host name.
 * @throws {PermissionError} If `--allow-sys=hostname` is not granted (nothing prompts).
 *
 * @example
 * ```ts
 * import { gethostname } from "@pynet/net/socket";
 *
 * console.log(gethostname()); // This machine's name, such as "vm"
 * ```
 */
export function gethostname(): string {
  if (!granted({ name: "sys", kind: "hostname" })) throw missingPermission("sys", "hostname");
  try {
    return Deno.hostname();
  } catch (e) {
    throw fromDenoError(e);
  }
}

const PY_WHITESPACE =
  "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const STRIP = new RegExp(`^${PY_WHITESPACE}+|${PY_WHITESPACE}+$`, "gu");

/**
 * Returns a fully qualified domain name for `name`, as Python's `socket.getfqdn()`: the first
 * of the reverse lookup's name and aliases that contains a dot, else that name; `name` itself if
 * the lookup fails. An empty name, `"0.0.0.0"` or `"::"` stand for this host
 * ({@linkcode gethostname}).
 *
 * @param name A host name or address; this host if empty.
 * @returns A promise of the name.
 * @throws {PermissionError} (by rejecting) If a Deno permission the lookup needs is missing:
 * `--allow-sys=hostname` for this host's name, net access for a DNS lookup.
 *
 * @example
 * ```ts
 * import { getfqdn } from "@pynet/net/socket";
 *
 * console.log(await getfqdn("127.0.0.1")); // "localhost"
 * ```
 */
export async function getfqdn(name: string = ""): Promise<string> {
  if (typeof name !== "string") {
    throw new TypeError(`getfqdn() argument must be str, not ${pyTypeName(name)}`);
  }
  name = name.replace(STRIP, "");
  if (name === "" || name === "0.0.0.0" || name === "::") name = gethostname();
  try {
    const [hostname, aliases] = await gethostbyaddr(name);
    return [hostname, ...aliases].find((n) => n.includes(".")) ?? hostname;
  } catch (e) {
    if (e instanceof OSError && !isMissingPermission(e)) return name;
    throw e;
  }
}
