// Host name lookups for getaddrinfo and gethostbyname: the NSS step of glibc ("hosts: files
// dns"), one family at a time: the hosts table, then "localhost" (never sent to DNS, as RFC 6761
// wants), then Deno.resolveDns. Apart from _getaddrinfo.ts because both resolvers share it.
import { isMapped, LOOPBACK4, LOOPBACK6, mapped, v4, v6 } from "./_addr_bytes.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_ALL,
  AI_CANONNAME,
  AI_V4MAPPED,
  EAI_AGAIN,
  EAI_NONAME,
} from "./_constants.ts";
import { canonicalName, dnsAddrs } from "./_dns.ts";
import { hostsByName, type HostsLine, hostsTable, isLocalhost, type NameResult } from "./_hosts.ts";
import { gai, TemporaryFailure } from "./_resolve_errors.ts";

/** A lookup's answer, or `null` when the name has no address of the family asked. */
export type Lookup = NameResult | null;

/** One family's answer: hosts table, then localhost, then DNS. */
export async function lookupFamily(
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
export async function lookupName(name: string, family: number, flags: number): Promise<NameResult> {
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
