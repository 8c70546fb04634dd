// socket.getnameinfo(): a numeric socket address back to a host name (the reverse lookup of
// _gethostbyname.ts) and a service name (/etc/services), with the NI_* flags.
import type { Addr } from "./_addr_bytes.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_NUMERICHOST,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_NONAME,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
} from "./_constants.ts";
import { herror, OSError, OverflowError } from "../_core/errors.ts";
import { granted, hostsByName, hostsTable, servicesTable } from "./_hosts.ts";
import { formatIPv4, formatIPv6 } from "./_inet.ts";
import { ifIndexToName } from "./_interfaces.ts";
import { asCInt, asCString, asCUIntMask } from "../_core/args.ts";
import { gai, TRY_AGAIN } from "./_resolve_errors.ts";
import { getaddrinfoCore } from "./_getaddrinfo.ts";
import { gethostbyaddrR } from "./_gethostbyname.ts";

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
 * @example Numeric hosts, with and without service names
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getnameinfo, NI_NUMERICHOST, NI_NUMERICSERV } from "@pynet/net/socket";
 *
 * assertEquals(await getnameinfo(["127.0.0.1", 22], NI_NUMERICHOST), ["127.0.0.1", "ssh"]);
 * const flags = NI_NUMERICHOST | NI_NUMERICSERV;
 * assertEquals(await getnameinfo(["::1", 8080, 0, 0], flags), ["::1", "8080"]);
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
