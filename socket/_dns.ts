// DNS queries through Deno.resolveDns, made only when net permission for the DNS server is
// already granted and bounded in time: the one source of names that goes to the network.
import { type Addr, isMapped, v4, v6 } from "./_addr_bytes.ts";
import { AF_INET, AF_INET6 } from "./_constants.ts";
import { EACCES } from "../_core/errno.ts";
import { fromDenoError, PermissionError } from "../_core/errors.ts";
import { granted, readIfGranted } from "./_hosts.ts";
import { parseIPv4, parseIPv6 } from "./_inet.ts";
import { missingPermission, TemporaryFailure } from "./_resolve_errors.ts";

/** How long one DNS query may take before it counts as a temporary failure (`EAI_AGAIN`). */
const DNS_TIMEOUT_MS = 10_000;

const DNS_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_-]{1,63}(\.[A-Za-z0-9_-]{1,63})*\.?$/;

async function nameServers(): Promise<string[] | null> {
  const text = await readIfGranted("/etc/resolv.conf");
  if (text === null) return null;
  const servers: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+([^\s%]+)/.exec(line);
    if (m && (parseIPv4(m[1]!) || parseIPv6(m[1]!))) servers.push(m[1]!);
  }
  return servers.length > 0 ? servers : ["127.0.0.1"];
}

/**
 * One DNS query. Resolves to the records (`[]` when there are none or the name is not a valid
 * DNS name); throws `TemporaryFailure` when no answer came, or `PermissionError` when net
 * permission for the DNS server is not granted (checked first, so nothing prompts).
 */
export async function dnsQuery(
  name: string,
  type: "A" | "AAAA" | "PTR" | "CNAME",
): Promise<string[]> {
  if (!DNS_NAME.test(name)) return [];
  const servers = await nameServers();
  const options: Deno.ResolveDnsOptions = {};
  if (servers === null) {
    if (!granted({ name: "net" })) {
      const text = `Requires net access to the DNS server to resolve "${name}"`;
      throw new PermissionError(
        EACCES,
        `${text}: run again with --allow-read=/etc/resolv.conf and --allow-net=<server>:53, ` +
          "or with --allow-net",
        { cause: new Deno.errors.NotCapable(text) },
      );
    }
  } else {
    const hostOf = (ip: string) => ip.includes(":") ? `[${ip}]:53` : `${ip}:53`;
    const allowed = servers.filter((ip) => granted({ name: "net", host: hostOf(ip) }));
    if (allowed.length === 0) throw missingPermission("net", hostOf(servers[0]!));
    if (allowed.length < servers.length) options.nameServer = { ipAddr: allowed[0]!, port: 53 };
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), DNS_TIMEOUT_MS);
  try {
    return await Deno.resolveDns(name, type, { ...options, signal: abort.signal });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    if (e instanceof Deno.errors.NotCapable) throw fromDenoError(e);
    const message = e instanceof Error ? e.message : String(e);
    if (
      !abort.signal.aborted && !(e instanceof Deno.errors.TimedOut) &&
      /proto error/.test(message) && !/timed? ?out|io error|connection/i.test(message)
    ) {
      return []; // A malformed name or a negative answer.
    }
    throw new TemporaryFailure(message, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

export function stripDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** The end of `name`'s CNAME chain, and the names on the way. */
export async function canonicalName(name: string): Promise<[string, string[]]> {
  const chain: string[] = [];
  let current = name;
  for (let hops = 0; hops < 8; hops++) {
    let targets: string[];
    try {
      targets = await dnsQuery(current, "CNAME");
    } catch {
      break;
    }
    if (targets.length === 0) break;
    chain.push(current);
    current = stripDot(targets[0]!);
  }
  return [current, chain];
}

/** DNS addresses of `name` for one family (`[]` when there are none). */
export async function dnsAddrs(
  name: string,
  af: typeof AF_INET | typeof AF_INET6,
): Promise<Addr[]> {
  const records = await dnsQuery(name, af === AF_INET ? "A" : "AAAA");
  const out: Addr[] = [];
  for (const r of records) {
    const b = af === AF_INET ? parseIPv4(r) : parseIPv6(r);
    if (b) out.push(af === AF_INET ? v4(b) : v6(b));
  }
  return out;
}

export function reverseName(a: Addr): string {
  const b = a.family === AF_INET6 && isMapped(a.bytes) ? a.bytes.subarray(12) : a.bytes;
  if (b.length === 4) return `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) {
    nibbles.push((b[i]! & 0xf).toString(16), (b[i]! >> 4).toString(16));
  }
  return `${nibbles.join(".")}.ip6.arpa`;
}
