// The "files" source of glibc's NSS: /etc/hosts and /etc/services, read only when read
// permission is already granted (built-in tables stand in otherwise), and nss_files' lookups.
// Apart from DNS because nothing here prompts or touches the network.
import { type Addr, isMapped, isV6Loopback, LOOPBACK4, sameBytes, v4, v6 } from "./_addr_bytes.ts";
import { AF_INET6, AF_UNSPEC } from "./_constants.ts";
import { parseIPv4, parseIPv6 } from "./_inet.ts";
import { BUILTIN_SERVICES, parseServices, type ServiceEntry } from "./_services.ts";

export function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/** The text of `path` if read permission for it is already granted and it can be read. */
export async function readIfGranted(path: string): Promise<string | null> {
  if (!granted({ name: "read", path })) return null;
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

let servicesCache: { text: string; entries: ServiceEntry[] } | null = null;

export async function servicesTable(): Promise<readonly ServiceEntry[]> {
  const text = await readIfGranted("/etc/services");
  if (text === null) return BUILTIN_SERVICES;
  if (servicesCache?.text !== text) servicesCache = { text, entries: parseServices(text) };
  return servicesCache.entries;
}

export interface HostsLine {
  addr: string;
  names: string[];
}

/** The stand-in for /etc/hosts when it cannot be read. */
const BUILTIN_HOSTS: readonly HostsLine[] = [{ addr: "127.0.0.1", names: ["localhost"] }];

/** Parses hosts(5) text: an address, then the official name and aliases; `#` comments. */
function parseHosts(text: string): HostsLine[] {
  const out: HostsLine[] = [];
  for (const raw of text.split("\n")) {
    const hash = raw.indexOf("#");
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).split(/[ \t\r\f\v]+/).filter((f) =>
      f !== ""
    );
    if (fields.length === 0) continue;
    out.push({ addr: fields[0]!, names: fields.slice(1) });
  }
  return out;
}

export async function hostsTable(): Promise<readonly HostsLine[]> {
  const text = await readIfGranted("/etc/hosts");
  return text === null ? BUILTIN_HOSTS : parseHosts(text);
}

/** The address a hosts line gives for lookups of family `af`, with glibc's conversions. */
function lineAddr(text: string, af: number): Addr | null {
  if (af === AF_INET6) {
    const b = parseIPv6(text);
    return b && v6(b);
  }
  const b4 = parseIPv4(text);
  if (b4) return v4(b4);
  const b6 = parseIPv6(text);
  if (!b6) return null;
  if (af === AF_UNSPEC) return v6(b6);
  // AF_INET: an IPv4-mapped address is its IPv4 address, "::1" is 127.0.0.1.
  if (isMapped(b6)) return v4(b6.slice(12));
  if (isV6Loopback(b6)) return v4(LOOPBACK4.slice());
  return null;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function isLocalhost(name: string): boolean {
  return asciiLower(name) === "localhost";
}

export interface NameResult {
  addrs: Addr[];
  canon: string;
  aliases: string[];
}

/** Forward lookup in a hosts table, as nss_files does it ("multi on"). */
export function hostsByName(
  lines: readonly HostsLine[],
  name: string,
  af: number,
): NameResult | null {
  const key = asciiLower(name);
  let result: NameResult | null = null;
  for (const line of lines) {
    // A line with an address only has "" for its official name.
    const [official = "", ...aliases] = line.names;
    if (asciiLower(official) !== key && !aliases.some((n) => asciiLower(n) === key)) continue;
    const a = lineAddr(line.addr, af);
    if (!a) continue;
    if (result === null) {
      result = { addrs: [a], canon: official, aliases };
    } else {
      result.addrs.push(a);
      result.aliases.push(...aliases);
      if (official !== result.canon) result.aliases.push(official);
    }
  }
  return result;
}

/** Reverse lookup in a hosts table: the first line with this address. */
export function hostsByAddr(lines: readonly HostsLine[], a: Addr): [string, string[]] | null {
  for (const line of lines) {
    const la = lineAddr(line.addr, a.family);
    if (la && sameBytes(la.bytes, a.bytes)) {
      const [official = "", ...aliases] = line.names;
      return [official, aliases];
    }
  }
  return null;
}
