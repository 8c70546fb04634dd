// Interface names and indexes, for IPv6 scope ids ("fe80::1%lo"): only the parsing and
// printing of numeric scoped addresses need them, never a name lookup.
import { granted } from "./_hosts.ts";

const IFNAMSIZ = 16;

/**
 * Interface names and indexes, from what Deno lets us see: /sys/class/net (readable only with
 * --allow-all), the scope ids of link-local addresses (--allow-sys=networkInterfaces), and "lo",
 * which is interface 1 on Linux.
 */
async function interfaceIndexes(): Promise<Map<string, number>> {
  const indexes = new Map<string, number>([["lo", 1]]);
  if (granted({ name: "sys", kind: "networkInterfaces" })) {
    try {
      for (const i of Deno.networkInterfaces()) {
        if (i.family === "IPv6" && i.scopeid) indexes.set(i.name, i.scopeid);
      }
    } catch {
      // Keep what we have.
    }
  }
  if (granted({ name: "read", path: "/sys/class/net" })) {
    try {
      for await (const entry of Deno.readDir("/sys/class/net")) {
        const text = await Deno.readTextFile(`/sys/class/net/${entry.name}/ifindex`);
        const index = Number.parseInt(text, 10);
        if (index > 0) indexes.set(entry.name, index);
      }
    } catch {
      // Deno asks for --allow-all to read /sys; keep what we have.
    }
  }
  return indexes;
}

async function ifNameToIndex(name: string): Promise<number> {
  if (name.length >= IFNAMSIZ) return 0;
  return (await interfaceIndexes()).get(name) ?? 0;
}

export async function ifIndexToName(index: number): Promise<string | null> {
  for (const [name, i] of await interfaceIndexes()) if (i === index) return name;
  return null;
}

/** glibc's __inet6_scopeid_pton: an interface name (link-local scopes only) or a number. */
export async function parseScopeId(b: Uint8Array, scope: string): Promise<number | null> {
  const linkLocal = b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  const mcNodeOrLink = b[0] === 0xff && ((b[1]! & 0xf) === 1 || (b[1]! & 0xf) === 2);
  if (linkLocal || mcNodeOrLink) {
    const index = await ifNameToIndex(scope);
    if (index !== 0) return index;
  }
  if (/^[0-9]+$/.test(scope)) {
    const n = BigInt(scope);
    if (n <= 0xffffffffn) return Number(n);
  }
  return null;
}
