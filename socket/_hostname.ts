// socket.gethostname() and getfqdn(): this machine's name, and the fully qualified form of a
// name by reverse lookup. Apart from the resolvers because they need --allow-sys=hostname.
import { fromDenoError, OSError } from "../_core/errors.ts";
import { granted } from "./_hosts.ts";
import { pyTypeName } from "../_core/args.ts";
import { isMissingPermission, missingPermission } from "./_resolve_errors.ts";
import { gethostbyaddr } from "./_gethostbyname.ts";

/**
 * Returns the machine's host name, as Python's `socket.gethostname()`. Needs
 * `--allow-sys=hostname`.
 *
 * @returns The host name.
 * @throws {PermissionError} If `--allow-sys=hostname` is not granted (nothing prompts).
 *
 * @example This machine's name (it varies, so only its presence is checked)
 * ```ts
 * import { assert } from "@std/assert";
 * import { gethostname } from "@pynet/net/socket";
 *
 * assert(gethostname().length > 0);
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
 * @example The loopback address, named without a domain in /etc/hosts
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getfqdn } from "@pynet/net/socket";
 *
 * assertEquals(await getfqdn("127.0.0.1"), "localhost");
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
