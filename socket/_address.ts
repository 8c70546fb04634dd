// Socket addresses: Python's tuple forms, checked with CPython's exception types and messages,
// and converted to and from Deno's address objects.
import { AF_INET6, AF_UNIX, EAI_ADDRFAMILY } from "./_constants.ts";
import { OSError, OverflowError } from "../_core/errors.ts";
import { loneSurrogateIndex, pyTypeName } from "../_core/args.ts";
import { gai } from "./_resolve_errors.ts";

/** An AF_INET address: `[host, port]`. */
export type IPv4Address = [host: string, port: number];
/** An AF_INET6 address: `[host, port, flowinfo, scopeId]` (the last two may be left out). */
export type IPv6Address =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number]
  | [host: string, port: number, flowinfo: number, scopeId: number];
/** An AF_UNIX address: a filesystem path (`""` for an unbound socket). */
export type UnixAddress = string;
/** Any socket address pynet accepts or returns. */
export type Address = IPv4Address | IPv6Address | UnixAddress;

/** An address in the form Deno's APIs take. */
export type DenoTarget =
  | { transport: "tcp" | "udp"; hostname: string; port: number }
  | { transport: "unix" | "unixpacket"; path: string };

const MAX_UNIX_PATH = 107;
const decoder = new TextDecoder();

/**
 * Checks `address` for a socket of `family` and turns it into Deno's form, raising what
 * CPython raises for a wrong shape (`TypeError`) or an out-of-range number (`OverflowError`).
 *
 * @param caller The Python method name used in messages (`"bind"`, `"connect"`, ...).
 */
export function toDenoTarget(
  family: number,
  datagram: boolean,
  address: unknown,
  caller: string,
): DenoTarget {
  if (family === AF_UNIX) {
    let path: string;
    if (typeof address === "string") path = address;
    else if (address instanceof Uint8Array) path = decoder.decode(address);
    else throw new TypeError(`a bytes-like object is required, not '${pyTypeName(address)}'`);
    if (new TextEncoder().encode(path).length > MAX_UNIX_PATH) {
      throw new OSError(null, "AF_UNIX path too long");
    }
    return { transport: datagram ? "unixpacket" : "unix", path };
  }
  const v6 = family === AF_INET6;
  const name = v6 ? "AF_INET6" : "AF_INET";
  if (!Array.isArray(address)) {
    throw new TypeError(`${caller}(): ${name} address must be tuple, not ${pyTypeName(address)}`);
  }
  if (v6 ? address.length < 2 || address.length > 4 : address.length !== 2) {
    throw new TypeError(
      v6
        ? "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"
        : "AF_INET address must be a pair (host, port)",
    );
  }
  const [rawHost, rawPort, rawFlowinfo = 0] = address as unknown[];
  const host = hostArgument(rawHost);
  const port = intArgument(rawPort);
  const flowinfo = intArgument(rawFlowinfo);
  if (port < 0 || port > 65535) {
    throw new OverflowError(`${caller}(): port must be 0-65535.`);
  }
  if (flowinfo < 0 || flowinfo > 0xfffff) {
    throw new OverflowError(`${caller}(): flowinfo must be 0-1048575.`);
  }
  checkHostFamily(host, v6);
  return {
    transport: datagram ? "udp" : "tcp",
    hostname: denoHostname(host, v6),
    port,
  };
}

/** A port or flowinfo: an int (a Python bool is one). */
function intArgument(value: unknown): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  }
  return value;
}

/** A host as CPython takes it: `str`, or bytes (`Uint8Array`) holding its ASCII name. */
function hostArgument(value: unknown): string {
  let host: string;
  if (typeof value === "string") host = value;
  else if (value instanceof Uint8Array) host = decoder.decode(value);
  else throw new TypeError(`str, bytes or bytearray expected, not ${pyTypeName(value)}`);
  if (host.includes("\0")) throw new TypeError("host name must not contain null character");
  if (loneSurrogateIndex(host) >= 0) throw new TypeError("encoding of hostname failed");
  return host;
}

const IPV4_LITERAL = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * CPython resolves a host for the socket's family: an IPv6 literal for an AF_INET socket, or an
 * IPv4 literal for an AF_INET6 one, is `gaierror` `EAI_ADDRFAMILY` (an IPv4-mapped IPv6
 * literal, `::ffff:1.2.3.4`, resolves for AF_INET).
 */
function checkHostFamily(host: string, v6: boolean): void {
  const mismatch = v6
    ? IPV4_LITERAL.test(host)
    : host.includes(":") && !/^::ffff:[\d.]+$/i.test(host);
  if (mismatch) throw gai(EAI_ADDRFAMILY);
}

/** Python's special host strings, and `localhost` pinned to the socket's family. */
function denoHostname(host: string, v6: boolean): string {
  if (host === "") return v6 ? "::" : "0.0.0.0";
  if (host === "<broadcast>") return v6 ? "::" : "255.255.255.255";
  if (host === "localhost") return v6 ? "::1" : "127.0.0.1";
  return host;
}

/** Turns a Deno address into Python's tuple (or path) for a socket of `family`. */
export function fromDenoAddr(family: number, addr: Deno.Addr | null | undefined): Address {
  if (family === AF_UNIX) {
    return addr && "path" in addr ? (addr.path ?? "") : "";
  }
  if (!addr || !("hostname" in addr)) return unboundAddress(family);
  return family === AF_INET6 ? [addr.hostname, addr.port, 0, 0] : [addr.hostname, addr.port];
}

/** What `getsockname()` gives for a socket that is not bound. */
export function unboundAddress(family: number): Address {
  if (family === AF_UNIX) return "";
  return family === AF_INET6 ? ["::", 0, 0, 0] : ["0.0.0.0", 0];
}

/** Whether two Deno addresses name the same endpoint (a connected datagram socket's filter). */
export function sameEndpoint(a: Deno.Addr, b: DenoTarget): boolean {
  if (!("hostname" in a) || !("hostname" in b)) {
    return "path" in a && "path" in b && a.path === b.path;
  }
  return a.port === b.port && normaliseHost(a.hostname) === normaliseHost(b.hostname);
}

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/** Python's `str()` of an address: a tuple's repr, or a path as it is. */
export function pyStr(address: Address): string {
  if (typeof address === "string") return address;
  return `(${address.map((part) => typeof part === "string" ? `'${part}'` : part).join(", ")})`;
}
