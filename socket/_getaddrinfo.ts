// socket.getaddrinfo(), following glibc's getaddrinfo and gaih_inet: hints, services, socket
// types, numeric hosts, then a name lookup (_lookup_name.ts) and RFC 6724 sorting. Its core
// (getaddrinfoCore) also serves gethostbyname, gethostbyaddr and getnameinfo, which CPython
// builds on getaddrinfo() too.
import { type Addr, isMapped, LOOPBACK4, LOOPBACK6, mapped, v4, v6 } from "./_addr_bytes.ts";
import { sortAddrs } from "./_addr_sort.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  EAI_ADDRFAMILY,
  EAI_BADFLAGS,
  EAI_FAMILY,
  EAI_NONAME,
  EAI_SERVICE,
  EAI_SOCKTYPE,
} from "./_constants.ts";
import { OSError } from "../_core/errors.ts";
import { servicesTable } from "./_hosts.ts";
import { idnaEncode } from "../_core/idna.ts";
import { formatIPv4, formatIPv6, parseInetAton, parseIPv6 } from "./_inet.ts";
import { parseScopeId } from "./_interfaces.ts";
import { asCInt, asCLong, checkUtf8 } from "../_core/args.ts";
import { gai } from "./_resolve_errors.ts";
import type { ServiceEntry } from "./_services.ts";
import { lookupName } from "./_lookup_name.ts";

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

/** The `/etc/services` entry named `name` (or aliased so) for `proto` (any if `null`). */
export function findService(
  table: readonly ServiceEntry[],
  name: string,
  proto: string | null,
): ServiceEntry | undefined {
  return table.find((s) =>
    (s.name === name || s.aliases.includes(name)) && (proto === null || s.proto === proto)
  );
}

/**
 * glibc's getaddrinfo() on C strings: checks the hints, resolves the service to ports per
 * socket type, the host to sorted addresses, and pairs them up. Everything here rejects with
 * gaierror; Python's argument conversions are the callers'.
 */
export async function getaddrinfoCore(
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
 * import { assertEquals } from "@std/assert";
 * import { AF_INET, getaddrinfo, IPPROTO_TCP, SOCK_STREAM } from "@pynet/net/socket";
 *
 * const infos = await getaddrinfo("localhost", 8080, AF_INET, SOCK_STREAM);
 * assertEquals(infos[0], [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 8080]]);
 * ```
 *
 * @example Wildcard addresses for a server
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import {
 *   AF_INET,
 *   AF_INET6,
 *   AF_UNSPEC,
 *   AI_PASSIVE,
 *   getaddrinfo,
 *   SOCK_STREAM,
 * } from "@pynet/net/socket";
 *
 * const infos = await getaddrinfo(null, 0, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE);
 * assertEquals(infos.map(([family, , , , sockaddr]) => [family, sockaddr]), [
 *   [AF_INET, ["0.0.0.0", 0]],
 *   [AF_INET6, ["::", 0, 0, 0]],
 * ]);
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

/** Bytes as the C string CPython hands the resolver, one character per byte. */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}
