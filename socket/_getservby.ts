// socket.getservbyname() and getservbyport(): /etc/services (or its built-in copy, see
// _services.ts) in both directions.
import { OSError, OverflowError } from "../_core/errors.ts";
import { servicesTable } from "./_hosts.ts";
import { asCInt, asCString } from "../_core/args.ts";
import { findService } from "./_getaddrinfo.ts";

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
 * @example The port of ssh
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getservbyname } from "@pynet/net/socket";
 *
 * assertEquals(await getservbyname("ssh", "tcp"), 22);
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
 * @example The service on UDP port 53
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { getservbyport } from "@pynet/net/socket";
 *
 * assertEquals(await getservbyport(53, "udp"), "domain");
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
