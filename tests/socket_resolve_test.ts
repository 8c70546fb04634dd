import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  IPPROTO_UDP,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
} from "../socket/_constants.ts";
import { gaierror, herror, OSError, OverflowError, PermissionError } from "../_core/errors.ts";
import { idnaEncode } from "../_core/idna.ts";
import { isIPv4Literal, isIPv6Literal } from "../socket/_inet.ts";
import { UnicodeEncodeError, UnicodeError } from "../_core/args.ts";
import {
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbynameEx,
  gethostname,
  getnameinfo,
  getservbyname,
  getservbyport,
} from "../socket/_resolve.ts";

/** Asserts `p` rejects with a gaierror of `code` and glibc's message. */
async function assertGaierror(p: Promise<unknown>, code: number, message: string): Promise<void> {
  const e = await assertRejects(() => p, gaierror);
  assertEquals([e.errno, e.strerror], [code, message]);
}

const NONAME = [-2, "Name or service not known"] as const;

// ---- getaddrinfo -------------------------------------------------------------------------------

Deno.test("getaddrinfo() returns the stream, datagram and raw entries for a numeric host", async () => {
  assertEquals(await getaddrinfo("127.0.0.1", 80), [
    [AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 80]],
    [AF_INET, SOCK_DGRAM, 17, "", ["127.0.0.1", 80]],
    [AF_INET, SOCK_RAW, 0, "", ["127.0.0.1", 80]],
  ]);
  assertEquals(await getaddrinfo("::1", "443", AF_INET6, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::1", 443, 0, 0]],
  ]);
});

Deno.test("getaddrinfo() of null is loopback, or the wildcard with AI_PASSIVE", async () => {
  assertEquals(await getaddrinfo(null, 80, AF_UNSPEC, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::1", 80, 0, 0]],
    [AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 80]],
  ]);
  assertEquals(await getaddrinfo(null, 0, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE), [
    [AF_INET, SOCK_STREAM, 6, "", ["0.0.0.0", 0]],
    [AF_INET6, SOCK_STREAM, 6, "", ["::", 0, 0, 0]],
  ]);
  assertEquals(await getaddrinfo(null, 80, AF_INET, SOCK_STREAM, 0, AI_PASSIVE), [
    [AF_INET, SOCK_STREAM, 6, "", ["0.0.0.0", 80]],
  ]);
});

Deno.test("getaddrinfo() resolves localhost to loopback addresses only", async () => {
  const infos = await getaddrinfo("localhost", 80, AF_UNSPEC, SOCK_STREAM);
  assert(infos.length > 0);
  for (const [, , , , [host]] of infos) assert(host === "127.0.0.1" || host === "::1", host);
  // One entry per hosts line: "::1 localhost" counts as 127.0.0.1 for AF_INET, as in glibc.
  const v4 = await getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM);
  assert(v4.length > 0);
  for (const info of v4) assertEquals(info, [AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 80]]);
  // Without an IPv6 line in /etc/hosts glibc would ask DNS; pynet answers ::1 (RFC 6761).
  assertEquals(await getaddrinfo("localhost", 80, AF_INET6, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::1", 80, 0, 0]],
  ]);
});

Deno.test("getaddrinfo() takes legacy IPv4 forms and lower-cases IPv6 text", async () => {
  for (const host of ["127.1", "0x7f.1", "0177.0.0.1", "2130706433"]) {
    assertEquals(await getaddrinfo(host, 1, AF_INET, SOCK_STREAM), [
      [AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 1]],
    ]);
  }
  // test_getaddrinfo_ipv6_basic
  assertEquals(
    await getaddrinfo("ff02::1de:c0:face:8D", 1234, AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
    [[AF_INET6, SOCK_DGRAM, 17, "", ["ff02::1de:c0:face:8d", 1234, 0, 0]]],
  );
  // test_getaddrinfo_ipv6_scopeid_symbolic, with the loopback interface.
  assertEquals(
    await getaddrinfo("ff02::1de:c0:face:8D%lo", 1234, AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
    [[AF_INET6, SOCK_DGRAM, 17, "", ["ff02::1de:c0:face:8d", 1234, 0, 1]]],
  );
  assertEquals(await getaddrinfo("fe80::1%42", 7, AF_INET6, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["fe80::1", 7, 0, 42]],
  ]);
  assertEquals(await getaddrinfo("::ffff:1.2.3.4", 7, AF_INET, SOCK_STREAM), [
    [AF_INET, SOCK_STREAM, 6, "", ["1.2.3.4", 7]],
  ]);
});

Deno.test("getaddrinfo() takes ports as int, numeric string or service name, wrapping as C does", async () => {
  const port = async (p: number | string | null) =>
    (await getaddrinfo("127.0.0.1", p, AF_INET, SOCK_STREAM))[0]![4][1];
  assertEquals(await port(null), 0);
  assertEquals(await port(""), 0);
  assertEquals(await port("http"), 80);
  assertEquals(await port("www"), 80);
  assertEquals(await port(" 80"), 80);
  assertEquals(await port("+80"), 80);
  assertEquals(await port(65536), 0);
  assertEquals(await port(70000), 4464);
  assertEquals(await port(2 ** 32 + 80), 80);
  assertEquals(await port("4294967296"), 0);
  for (const p of [-1, 2 ** 31, "-1", "80 ", "HTTP", "nosuch"]) {
    await assertGaierror(port(p), -8, "Servname not supported for ai_socktype");
  }
  await assertRejects(() => port(2 ** 63), OverflowError, "Python int too large to convert");
  await assertRejects(() => port(80.5), OSError, "Int or String expected");
  await assertRejects(() => port("\ud800"), UnicodeEncodeError, "surrogates not allowed");
});

Deno.test("getaddrinfo() chooses socket types and protocols as glibc does", async () => {
  const kinds = async (type: number, proto: number, port: number | string | null = 80) =>
    (await getaddrinfo("127.0.0.1", port, AF_INET, type, proto)).map(([, t, p]) => [t, p]);
  assertEquals(await kinds(0, 0), [[1, 6], [2, 17], [3, 0]]);
  assertEquals(await kinds(0, 0, "domain"), [[1, 6], [2, 17]]);
  assertEquals(await kinds(0, 0, "http"), [[1, 6]]);
  assertEquals(await kinds(0, 17), [[2, 17]]);
  assertEquals(await kinds(0, 132), [[1, 132]]);
  assertEquals(await kinds(5, 0), [[5, 132]]);
  assertEquals(await kinds(3, 255, null), [[3, 255]]);
  await assertGaierror(kinds(3, 0), -8, "Servname not supported for ai_socktype");
  await assertGaierror(kinds(1, 17), -7, "ai_socktype not supported");
  await assertGaierror(kinds(7, 0), -7, "ai_socktype not supported");
  await assertGaierror(kinds(2, 0, "http"), -8, "Servname not supported for ai_socktype");
});

Deno.test("getaddrinfo() rejects with glibc's gaierror codes", async () => {
  await assertGaierror(getaddrinfo(null, null), ...NONAME);
  await assertGaierror(getaddrinfo("", 80), ...NONAME);
  await assertGaierror(getaddrinfo("localhost.invalid name", 80), ...NONAME);
  await assertGaierror(getaddrinfo("localhost", 80, 0, 0, 0, AI_NUMERICHOST), ...NONAME);
  await assertGaierror(getaddrinfo("fe80::1%nosuchif0", 80), ...NONAME);
  await assertGaierror(getaddrinfo("::1%lo", 80), ...NONAME);
  await assertGaierror(getaddrinfo("127.0.0.1", "http", 0, 0, 0, AI_NUMERICSERV), ...NONAME);
  await assertGaierror(
    getaddrinfo("::1", 80, AF_INET),
    -9,
    "Address family for hostname not supported",
  );
  await assertGaierror(
    getaddrinfo("127.0.0.1", 80, AF_INET6),
    -9,
    "Address family for hostname not supported",
  );
  await assertGaierror(getaddrinfo("127.0.0.1", 80, AF_UNIX), -6, "ai_family not supported");
  await assertGaierror(getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0x800), -1, "Bad value for ai_flags");
  await assertGaierror(getaddrinfo(null, 80, 0, 0, 0, AI_CANONNAME), -1, "Bad value for ai_flags");
});

Deno.test("getaddrinfo() honours AI_CANONNAME and AI_V4MAPPED", async () => {
  assertEquals(await getaddrinfo("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME), [
    [AF_INET, SOCK_STREAM, 6, "127.0.0.1", ["127.0.0.1", 80]],
  ]);
  const [first] = await getaddrinfo("LocalHost", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME);
  assertEquals(first![3], "localhost");
  assertEquals(await getaddrinfo("10.1.2.3", 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::ffff:10.1.2.3", 80, 0, 0]],
  ]);
  const all = await getaddrinfo("127.0.0.1", 80, AF_INET, 0, 0, AI_CANONNAME);
  assertEquals(all.map((e) => e[3]), ["127.0.0.1", "", ""]);
});

Deno.test("getaddrinfo() reports argument errors by rejecting, not by throwing", async () => {
  const anyGai = getaddrinfo as (...args: unknown[]) => Promise<unknown>;
  // deno-lint-ignore no-explicit-any
  const calls: [unknown[], new (...args: any[]) => Error, string][] = [
    [[1, 80], TypeError, "getaddrinfo() argument 1 must be string or None"],
    [["localhost", true], OSError, "Int or String expected"],
    [["localhost", 80, "2"], TypeError, "'str' object cannot be interpreted as an integer"],
    [["localhost", 80, 0, 0, 0, 2 ** 31], OverflowError, "signed integer is greater than maximum"],
    [["a".repeat(64), 80], UnicodeError, "label too long"],
    [["x..y", 80], UnicodeError, "label empty or too long"],
  ];
  for (const [args, ErrorClass, message] of calls) {
    let promise: Promise<unknown> | undefined;
    try {
      promise = anyGai(...args);
    } catch (e) {
      throw new Error(`getaddrinfo(${args}) threw synchronously: ${e}`);
    }
    await assertRejects(() => promise!, ErrorClass, message);
  }
});

Deno.test("a name that needs DNS rejects with PermissionError naming --allow-net", {
  // Only meaningful when this test run may not reach the DNS server.
  ignore: !dnsServerForbidden(),
}, async () => {
  const e = await assertRejects(
    () => getaddrinfo("pynet-test.invalid", 80),
    PermissionError,
    "--allow-net=",
  );
  assertEquals(e.errno, 13);
  await assertRejects(() => gethostbyname("pynet-test.invalid"), PermissionError, "--allow-net=");
  await assertRejects(() => gethostbyaddr("192.0.2.77"), PermissionError, "--allow-net=");
});

/** Whether /etc/resolv.conf names a DNS server this run has no net permission for. */
function dnsServerForbidden(): boolean {
  try {
    const conf = Deno.readTextFileSync("/etc/resolv.conf");
    const server = /^\s*nameserver\s+(\S+)/m.exec(conf)?.[1] ?? "127.0.0.1";
    const host = server.includes(":") ? `[${server}]:53` : `${server}:53`;
    return Deno.permissions.querySync({ name: "net", host }).state !== "granted";
  } catch {
    return false;
  }
}

// ---- gethostbyname, gethostbyname_ex, gethostbyaddr -----------------------------------------

Deno.test("gethostbyname() returns numeric addresses unchanged (test_host_resolution)", async () => {
  for (const addr of ["127.0.0.1", "10.0.0.1", "255.255.255.255"]) {
    assertEquals(await gethostbyname(addr), addr);
  }
  assert((await gethostbyaddr("127.0.0.1"))[2].includes("127.0.0.1"));
  assertEquals(await gethostbyname(""), "0.0.0.0");
  assertEquals(await gethostbyname("<broadcast>"), "255.255.255.255");
  assertEquals(await gethostbyname("127.1"), "127.0.0.1");
  assertEquals(await gethostbyname("::ffff:127.0.0.1"), "127.0.0.1");
  assertEquals(await gethostbyname("localhost"), "127.0.0.1");
});

Deno.test("malformed addresses reject with gaierror (test_host_resolution_bad_address)", async () => {
  for (const addr of ["0.1.1.~1", "1+.1.1.1", "::1q", "::1::2", "1:1:1:1:1:1:1:1:1"]) {
    await assertGaierror(gethostbyname(addr), ...NONAME);
    await assertGaierror(gethostbyaddr(addr), ...NONAME);
  }
  await assertGaierror(gethostbyname("::1"), -9, "Address family for hostname not supported");
});

Deno.test("gethostbynameEx() returns the host entry, or herror for a name without one", async () => {
  assertEquals(await gethostbynameEx("127.0.0.1"), ["127.0.0.1", [], ["127.0.0.1"]]);
  assertEquals(await gethostbynameEx("127.1"), ["127.1", [], ["127.0.0.1"]]);
  const [name, , addrs] = await gethostbynameEx("localhost");
  assertEquals(name, "localhost");
  assert(addrs.every((a) => a === "127.0.0.1"));
  let e = await assertRejects(() => gethostbynameEx("<broadcast>"), herror);
  assertEquals([e.errno, e.strerror], [1, "Unknown host"]);
  e = await assertRejects(() => gethostbynameEx(""), herror);
  assertEquals([e.errno, e.strerror], [3, "Unknown server error"]);
  await assertRejects(() => gethostbynameEx("::ffff:127.0.0.1"), herror, "Unknown host");
});

Deno.test("gethostbyaddr() names loopback from the hosts table and never asks DNS for it", async () => {
  const [name, , addrs] = await gethostbyaddr("127.0.0.1");
  assertEquals(addrs, ["127.0.0.1"]);
  assert(name.length > 0);
  const [loopback] = (await gethostbyaddr("localhost"))[2];
  assert(loopback === "127.0.0.1" || loopback === "::1", loopback);
  await assertRejects(() => gethostbyaddr("127.0.0.2"), herror, "Unknown host");
  await assertRejects(() => gethostbyaddr(""), OSError, "wildcard resolved to multiple address");
  await assertRejects(
    () => (gethostbyaddr as (x: unknown) => Promise<unknown>)(null),
    TypeError,
    "gethostbyaddr() argument 1 must be str, bytes or bytearray, not NoneType",
  );
  await assertRejects(() => gethostbyaddr("127.0.0.1\0"), TypeError, "without null bytes");
});

// ---- getnameinfo -------------------------------------------------------------------------------

Deno.test("getnameinfo() takes only numeric hosts (test_getnameinfo)", async () => {
  await assertRejects(() => getnameinfo(["mail.python.org", 0], 0), OSError);
  await assertGaierror(getnameinfo(["mail.python.org", 0], 0), ...NONAME);
  await assertGaierror(getnameinfo(["localhost", 80], 0), ...NONAME);
  await assertRejects(() => getnameinfo(["x", 0, 0, 0], 0), OSError); // testInterpreterCrash
});

Deno.test("getnameinfo() names the host and the service", async () => {
  assertEquals(await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST), ["127.0.0.1", "http"]);
  assertEquals(await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV), [
    "127.0.0.1",
    "80",
  ]);
  assertEquals(await getnameinfo(["127.0.0.1", 512], NI_NUMERICHOST), ["127.0.0.1", "exec"]);
  assertEquals(await getnameinfo(["127.0.0.1", 512], NI_NUMERICHOST | NI_DGRAM), [
    "127.0.0.1",
    "biff",
  ]);
  assertEquals(await getnameinfo(["127.0.0.1", 65536], NI_NUMERICHOST), ["127.0.0.1", "0"]);
  assertEquals(await getnameinfo(["::1", 8080, 0, 0], NI_NUMERICHOST), ["::1", "http-alt"]);
  assertEquals((await getnameinfo(["127.0.0.1", 22], NI_NOFQDN))[1], "ssh");
  await assertGaierror(getnameinfo(["127.0.0.2", 80], NI_NAMEREQD), ...NONAME);
  await assertGaierror(getnameinfo(["127.0.0.1", 80], 0x100), -1, "Bad value for ai_flags");
  await assertGaierror(
    getnameinfo(["127.0.0.1", -1], 0),
    -8,
    "Servname not supported for ai_socktype",
  );
});

Deno.test("getnameinfo() writes IPv6 scope ids as CPython's tests expect", async () => {
  // test_getnameinfo_ipv6_scopeid_symbolic, with the loopback interface (index 1).
  assertEquals(
    await getnameinfo(["ff02::1de:c0:face:8D", 1234, 0, 1], NI_NUMERICHOST | NI_NUMERICSERV),
    ["ff02::1de:c0:face:8d%lo", "1234"],
  );
  assertEquals(await getnameinfo(["fe80::1", 22, 0, 99], NI_NUMERICHOST), ["fe80::1%99", "ssh"]);
  assertEquals(await getnameinfo(["::1", 22, 0, 2], NI_NUMERICHOST), ["::1%2", "ssh"]);
  assertEquals(await getnameinfo(["::1%1", 22], NI_NUMERICHOST), ["::1", "ssh"]);
});

Deno.test("getnameinfo() validates the sockaddr as CPython does", async () => {
  const anyGni = getnameinfo as (sa: unknown, flags: unknown) => Promise<unknown>;
  await assertRejects(() => anyGni("127.0.0.1", 0), TypeError, "must be a tuple");
  await assertRejects(() => anyGni(["127.0.0.1"], 0), TypeError, "illegal sockaddr argument");
  await assertRejects(() => anyGni([1, 80], 0), TypeError, "illegal sockaddr argument");
  await assertRejects(() => anyGni(["127.0.0.1", "80"], 0), TypeError, "'str' object cannot");
  await assertRejects(
    () => anyGni(["127.0.0.1", 80, 0], 0),
    OSError,
    "IPv4 sockaddr must be 2 tuple",
  );
  await assertRejects(() => anyGni(["::1", 80, 0x100000, 0], 0), OverflowError, "flowinfo");
  await assertRejects(
    () => anyGni(["*", 80], 0),
    OSError,
    "sockaddr resolved to multiple addresses",
  );
  await assertRejects(() => anyGni(["127.0.0.1", 2 ** 31], 0), OverflowError);
});

// ---- services, host name, FQDN --------------------------------------------------------------

Deno.test("getservbyname() and getservbyport() agree (testGetServBy)", async () => {
  for (const service of ["daytime", "qotd", "domain"]) {
    const port = await getservbyname(service, "tcp");
    assertEquals(await getservbyname(service), port);
    assertEquals(await getservbyport(port), service);
    assertEquals(await getservbyport(port, "tcp"), service);
    const udp = await getservbyname(service, "udp").catch(() => null);
    if (udp !== null) {
      assertEquals(udp, port);
      assertEquals(await getservbyport(udp, "udp"), service);
    }
  }
  await assertRejects(
    () => getservbyport(-1),
    OverflowError,
    "getservbyport: port must be 0-65535.",
  );
  await assertRejects(() => getservbyport(65536), OverflowError);
});

Deno.test("getservbyname() and getservbyport() reject unknown services with OSError", async () => {
  let e = await assertRejects(() => getservbyname("http", "udp"), OSError);
  assertEquals([e.errno, e.message], [null, "service/proto not found"]);
  e = await assertRejects(() => getservbyname("HTTP"), OSError);
  e = await assertRejects(() => getservbyport(0), OSError);
  assertEquals(e.message, "port/proto not found");
  await assertRejects(() => getservbyname("http\0", "tcp"), Error, "embedded null character");
});

Deno.test("gethostname() returns the host name Deno reports", () => {
  assertEquals(gethostname(), Deno.hostname());
});

Deno.test("getfqdn() treats '', '0.0.0.0' and '::' as this host (test_getfqdn_filter_localhost)", async () => {
  // This host's name may need DNS; then all four reject alike (PermissionError in tests).
  const outcome = (name?: string) =>
    getfqdn(name).then((v) => v, (e: Error) => `${e.name}: ${e.message}`);
  const self = await outcome();
  assertEquals(await outcome("0.0.0.0"), self);
  assertEquals(await outcome("::"), self);
  assertEquals(await outcome("  "), self);
  // No name: the argument comes back.
  assertEquals(await getfqdn("127.0.0.2"), "127.0.0.2");
  assertEquals(await getfqdn(" ::ffff:127.0.0.2 "), "::ffff:127.0.0.2");
});

// ---- No permissions at all -------------------------------------------------------------------

const NO_PERMISSION_SCRIPT = `
import * as r from "./socket/_resolve.ts";
const out: Record<string, unknown> = {};
const attempt = async (key: string, f: () => unknown) => {
  try {
    out[key] = await f();
  } catch (e) {
    out[key] = { error: (e as Error).name, message: (e as Error).message };
  }
};
await attempt("localhost", () => r.getaddrinfo("localhost", 80, 0, 1));
await attempt("localhost6", () => r.getaddrinfo("localhost", 80, 10, 1));
await attempt("numeric", () => r.getaddrinfo("127.0.0.1", "http"));
await attempt("numeric6", () => r.getaddrinfo("::1", "https", 10, 1));
await attempt("passive", () => r.getaddrinfo(null, 0, 0, 1, 0, 1));
await attempt("byname", () => r.gethostbyname("localhost"));
await attempt("bynameEx", () => r.gethostbynameEx("localhost"));
await attempt("byaddr", () => r.gethostbyaddr("127.0.0.1"));
await attempt("nameinfo", () => r.getnameinfo(["127.0.0.1", 22], 0));
const services = ["echo", "ftp", "ssh", "telnet", "smtp", "domain", "http", "pop3", "imap", "https"];
await attempt("services", () => Promise.all(services.map((s) => r.getservbyname(s, "tcp"))));
await attempt("ports", () => Promise.all([7, 21, 22, 23, 25, 53, 80, 110, 143, 443].map((p) => r.getservbyport(p))));
await attempt("dns", () => r.getaddrinfo("pynet-test.invalid", 80));
await attempt("hostname", () => r.gethostname());
console.log(JSON.stringify(out));
`;

Deno.test("localhost, numeric hosts and services resolve with no permissions at all", async () => {
  const root = new URL("..", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--import-map=import_map.json", "-"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(NO_PERMISSION_SCRIPT));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const out = JSON.parse(new TextDecoder().decode(stdout));
  assertEquals(out.localhost, [[2, 1, 6, "", ["127.0.0.1", 80]]]);
  assertEquals(out.localhost6, [[10, 1, 6, "", ["::1", 80, 0, 0]]]);
  assertEquals(out.numeric, [[2, 1, 6, "", ["127.0.0.1", 80]]]);
  assertEquals(out.numeric6, [[10, 1, 6, "", ["::1", 443, 0, 0]]]);
  assertEquals(out.passive, [[2, 1, 6, "", ["0.0.0.0", 0]], [10, 1, 6, "", ["::", 0, 0, 0]]]);
  assertEquals(out.byname, "127.0.0.1");
  assertEquals(out.bynameEx, ["localhost", [], ["127.0.0.1"]]);
  assertEquals(out.byaddr, ["localhost", [], ["127.0.0.1"]]);
  assertEquals(out.nameinfo, ["localhost", "ssh"]);
  assertEquals(out.services, [7, 21, 22, 23, 25, 53, 80, 110, 143, 443]);
  assertEquals(out.ports, [
    "echo",
    "ftp",
    "ssh",
    "telnet",
    "smtp",
    "domain",
    "http",
    "pop3",
    "imap2",
    "https",
  ]);
  assertEquals(out.dns.error, "PermissionError");
  assert(out.dns.message.includes("--allow-net"), out.dns.message);
  assertEquals(out.hostname.error, "PermissionError");
  assert(
    out.hostname.message.endsWith("run again with --allow-sys=hostname"),
    out.hostname.message,
  );
});

// ---- Host names are IDNA-encoded as CPython does ------------------------------------------------

Deno.test("getaddrinfo() IDNA-encodes host names, so full-width LOCALHOST is localhost", async () => {
  assertEquals(
    await getaddrinfo(
      "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
      80,
      AF_INET,
      SOCK_STREAM,
    ),
    [
      [AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 80]],
    ],
  );
  assertEquals(
    await gethostbyname("\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34"),
    "127.0.0.1",
  );
});

const IDNA_ORACLE = String.raw`
import json, sys
def enc(s):
    try:
        return s.encode("idna").decode("ascii")
    except Exception as e:
        return "!" + type(e).__name__ + ": " + str(e)
print(json.dumps([enc(s) for s in json.load(sys.stdin)]))
`;

Deno.test("idnaEncode() matches Python's idna codec (python3 oracle)", async () => {
  const names = [
    "",
    "localhost",
    "LocalHost.",
    "a..b",
    ".a",
    "a".repeat(63),
    "a".repeat(64),
    `${"a".repeat(63)}.b`,
    `${"a".repeat(64)}.b`,
    "ma\u00f1ana.example",
    "\u00df.\u03a3\u0391\u03a3.\ufb01",
    "\u0130stanbul",
    "\u0131i",
    "a\u00adb",
    "b\u00fccher.",
    "M\u00dcNCHEN.de",
    "\u65e5\u672c\u8a9e\u3002jp",
    "xn--abc.\u00fc",
    "\u00fc".repeat(60),
    "\u200db",
    "a\uff0eb\uff61c",
    "foo\u03a3",
    "\u01c5",
    "local\udc80host",
    "\u0438\u0441\u043f\u044b\u0442\u0430\u043d\u0438\u0435.pythontest.net",
    "\u210cello",
    "a\u00a0b",
    "a\u3000b",
    "\ue000x",
    "\u1e9e",
    "\u00c5ngstr\u00f6m",
    "\u2460\u2461",
    "\u0645\u062b\u0627\u0644",
    "\ud83d\ude00.example",
    "\uff21\uff22\uff23",
  ];
  const child = new Deno.Command("python3", {
    args: ["-c", IDNA_ORACLE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(names)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const expected = JSON.parse(new TextDecoder().decode(stdout)) as string[];
  const actual = names.map((name) => {
    try {
      return idnaEncode(name);
    } catch (e) {
      return `!${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  assertEquals(actual, expected);
});

// ---- Oracle: the same calls through CPython ---------------------------------------------------

type Call = { fn: string; args: unknown[]; dns?: boolean };

const ORACLE = String.raw`
import json, socket, sys
calls = json.load(sys.stdin)
def norm(v):
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    return v
def run(c):
    fn, args = c["fn"], c["args"]
    try:
        if fn == "getnameinfo":
            args = [tuple(args[0])] + args[1:]
        return norm(getattr(socket, fn)(*args))
    except Exception as e:
        return "!" + type(e).__name__ + ": " + str(e)
print(json.dumps([run(c) for c in calls]))
`;

const OURS: Record<string, (...args: never[]) => unknown> = {
  getaddrinfo,
  gethostbyname,
  gethostbyname_ex: gethostbynameEx,
  gethostbyaddr,
  getnameinfo,
  getservbyname,
  getservbyport,
  getfqdn,
};

async function runOurs(call: Call): Promise<unknown> {
  try {
    return await (OURS[call.fn] as (...args: unknown[]) => unknown)(...call.args);
  } catch (e) {
    return `!${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Host names of /etc/hosts, with the families their lines give (so no DNS is needed). */
function hostsNames(): Map<string, Set<number>> {
  const names = new Map<string, Set<number>>();
  let text = "";
  try {
    text = Deno.readTextFileSync("/etc/hosts");
  } catch {
    return names;
  }
  for (const line of text.split("\n")) {
    const [addr = "", ...hostnames] = line.replace(/#.*/, "").trim().split(/\s+/);
    const v4 = isIPv4Literal(addr);
    const v6 = !addr.includes("%") && isIPv6Literal(addr);
    if (!v4 && !v6) continue;
    const v4ish = v4 || addr === "::1" || /^::ffff:[0-9.]+$/i.test(addr);
    for (const name of hostnames) {
      if (!/^[a-z0-9-]+$/i.test(name)) continue;
      const key = name.toLowerCase();
      const families = names.get(key) ?? new Set([AF_UNSPEC]);
      if (v4ish) families.add(AF_INET);
      if (v6) families.add(AF_INET6);
      names.set(key, families);
    }
  }
  return names;
}

function oracleCalls(): Call[] {
  const calls: Call[] = [];
  const gai = (...args: unknown[]) => calls.push({ fn: "getaddrinfo", args });
  const numericHosts = [
    null,
    "127.0.0.1",
    "127.1",
    "0x7f.1",
    "0177.0.0.1",
    "2130706433",
    "10.1.2.3",
    "255.255.255.255",
    "::1",
    "::",
    "::ffff:1.2.3.4",
    "FE80::ABCD",
    "fe80::1%1",
    "fe80::1%lo",
    "fe80::1%4294967295",
    "ff02::1%lo",
    "ff01::1%lo",
    "febf::1%lo",
    "*",
  ];
  const flagsList = [
    0,
    AI_CANONNAME,
    AI_PASSIVE,
    AI_NUMERICHOST,
    AI_V4MAPPED,
    AI_V4MAPPED | AI_ALL,
    AI_NUMERICSERV,
    AI_ADDRCONFIG,
    0x800,
  ];
  for (const host of numericHosts) {
    for (const family of [AF_UNSPEC, AF_INET, AF_INET6]) {
      for (const flags of flagsList) {
        for (const type of [0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW]) {
          for (const port of [80, "http", null, "nosuch"]) gai(host, port, family, type, 0, flags);
        }
      }
    }
  }
  const names = hostsNames();
  for (const [name, families] of names) {
    for (const variant of [name, name.toUpperCase()]) {
      for (const family of [AF_UNSPEC, AF_INET, AF_INET6]) {
        for (const flags of flagsList) {
          // Skip what glibc would ask DNS about (and pynet too, or its localhost answer).
          const mappedFromV4 = family === AF_INET6 && (flags & AI_V4MAPPED) &&
            families.has(AF_INET);
          if (!families.has(family) && !mappedFromV4) continue;
          for (const type of [0, SOCK_STREAM]) gai(variant, 80, family, type, 0, flags);
        }
      }
    }
  }
  const ports = [
    0,
    1,
    80,
    65535,
    65536,
    70000,
    -1,
    -80,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 32 + 80,
    -(2 ** 31),
    2 ** 63,
    "",
    "*",
    "0",
    "80",
    " 80",
    "\t80",
    "+80",
    "-80",
    "80 ",
    "0x50",
    "65536",
    "4294967295",
    "4294967296",
    "18446744073709551696",
    "http",
    "www",
    "domain",
    "echo",
    "biff",
    "exec",
    "HTTP",
    "nosuch",
  ];
  for (const port of ports) {
    for (const type of [0, SOCK_STREAM, SOCK_DGRAM]) {
      for (const flags of [0, AI_NUMERICSERV]) gai("127.0.0.1", port, AF_UNSPEC, type, 0, flags);
    }
  }
  for (const type of [0, 1, 2, 3, 4, 5, 6, 7, 10]) {
    for (const proto of [0, 6, 17, 132, 33, 136, 1, 255, -1, 300]) {
      for (const port of [80, null, "http", "domain"]) gai("127.0.0.1", port, AF_INET, type, proto);
    }
  }
  const localhost = names.get("localhost")?.has(AF_INET) ?? false;
  gai(null, null);
  gai(null, null, 0, 0, 0, AI_PASSIVE);
  gai("*", "*");
  if (localhost) gai("localhost", "*");
  gai(null, 80, 0, 0, 0, AI_CANONNAME);
  for (const family of [AF_UNIX, 3, 7, -1]) gai("127.0.0.1", 80, family);
  for (const flags of [-1, 0x10000, 2 ** 31]) gai("127.0.0.1", 80, 0, 0, 0, flags);
  gai(1, 80);
  gai("localhost", 80.5);
  gai("localhost", true);
  gai("localhost", 80, "2");
  gai("localhost", 80, 2.5);
  gai("a".repeat(64), 80);
  gai("x..y", 80);
  gai(".", 80);
  gai("localhost", "\ud800");
  gai("local\udc80host", 80);
  if (localhost) {
    gai("localhost\0junk", 80, AF_INET, SOCK_STREAM);
    gai("localhost", "80\0x", AF_INET, SOCK_STREAM);
  }
  // Malformed names: glibc asks DNS, which cannot know them; pynet answers EAI_NONAME itself.
  for (
    const host of [
      "0.1.1.~1",
      "1+.1.1.1",
      "::1q",
      "::1::2",
      "1:1:1:1:1:1:1:1:1",
      "127.0.0.1 ",
      "",
      "1.2.3.4%1",
      "fe80::1%nosuchif0",
      "::1%lo",
      "fe80::1%1x",
      "fe80::1%4294967296",
      "::1%",
    ]
  ) {
    calls.push({ fn: "getaddrinfo", args: [host, 80, 0, SOCK_STREAM], dns: true });
    calls.push({ fn: "getaddrinfo", args: [host, 80, 0, SOCK_STREAM, 0, AI_NUMERICHOST] });
  }

  const local = [...names].filter(([, f]) => f.has(AF_INET)).flatMap(([n]) => [
    n,
    n.toUpperCase(),
  ]);
  const byName = [
    ...local,
    "127.0.0.1",
    "127.1",
    "::1",
    "1.2.3.4",
    "255.255.255.255",
    "",
    "::ffff:127.0.0.1",
    "127.0.0.2",
    "fe80::1%1",
    "*",
    "a".repeat(64),
    "x..y",
    "127.0.0.1\0junk",
  ];
  for (const host of [...byName, "<broadcast>", "0x7f.1"]) {
    calls.push({ fn: "gethostbyname", args: [host] });
  }
  // "" last: CPython reports a failed gethostbyname_r with the global h_errno, which "" leaves
  // at NO_RECOVERY (3) for the failures that follow it in the same process.
  for (const host of [...byName.filter((h) => h !== ""), "<broadcast>", ""]) {
    calls.push({ fn: "gethostbyname_ex", args: [host] });
  }
  for (const host of [...local, "127.0.0.1", "127.1", "0x7f.1", "::1", "", "::ffff:127.0.0.1"]) {
    calls.push({ fn: "gethostbyaddr", args: [host] });
  }
  calls.push({ fn: "gethostbyaddr", args: ["127.0.0.2"] });
  for (const host of ["0.1.1.~1", "1+.1.1.1", "::1q", "::1::2", "1:1:1:1:1:1:1:1:1"]) {
    for (const fn of ["gethostbyname", "gethostbyname_ex", "gethostbyaddr"]) {
      calls.push({ fn, args: [host], dns: true });
    }
  }

  const niFlags = [0, NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM, NI_NOFQDN, 32, 0x100];
  const localAddrs: unknown[][] = [
    ["127.0.0.1", 80],
    ["127.0.0.1", 0],
    ["127.0.0.1", 53],
    ["127.0.0.1", 512],
    ["127.0.0.1", 65535],
    ["127.0.0.1", 65536],
    ["127.0.0.1", -1],
    ["127.1", 80],
    ["::1", 80],
    ["::1", 80, 0, 0],
    ["::1", 80, 1, 2],
    ["::1%1", 80],
    ["127.0.0.2", 80],
    ["::ffff:127.0.0.1", 80],
    ["127.0.0.1", 80, 0],
    ["localhost", 80],
    ["", 80],
    ["*", 80],
    ["::1", 80, 0x100000, 0],
    ["::1", 80, -1],
    ["127.0.0.1"],
    ["127.0.0.1", 80, 0, 0, 0],
    ["127.0.0.1", 2 ** 31],
    ["127.0.0.1\0x", 80],
  ];
  for (const sa of localAddrs) {
    for (const flags of niFlags) calls.push({ fn: "getnameinfo", args: [sa, flags] });
  }
  const remoteAddrs: unknown[][] = [
    ["1.2.3.4", 80],
    ["fe80::1", 22, 0, 1],
    ["fe80::1", 22, 0, 99],
    ["ff02::1", 0, 0, 1],
    ["ff01::1", 0, 0, 1],
    ["fe80::1", 0, 2 ** 32, -1],
    ["fe80::1%lo", 80],
  ];
  for (const sa of remoteAddrs) {
    for (const flags of niFlags) {
      if (flags & NI_NUMERICHOST) calls.push({ fn: "getnameinfo", args: [sa, flags] });
    }
  }

  const services = Deno.readTextFileSync("/etc/services").split("\n")
    .map((l) => l.replace(/#.*/, "").trim().split(/\s+/))
    .filter((f) => f.length >= 2 && /^\d+\//.test(f[1]!));
  const serviceNames = new Set(services.flatMap((f) => [f[0]!, ...f.slice(2)]));
  for (const name of [...serviceNames, "nosuch", "HTTP", ""]) {
    calls.push({ fn: "getservbyname", args: [name] });
    for (const proto of ["tcp", "udp", "ddp", "sctp", "TCP", ""]) {
      calls.push({ fn: "getservbyname", args: [name, proto] });
    }
  }
  for (let port = 0; port <= 1100; port++) {
    calls.push({ fn: "getservbyport", args: [port] });
    calls.push({ fn: "getservbyport", args: [port, "udp"] });
  }
  for (const port of [-1, 65536, 65535, 2 ** 31, 7]) {
    calls.push({ fn: "getservbyport", args: [port] });
    calls.push({ fn: "getservbyport", args: [port, "ddp"] });
  }

  for (const name of ["127.0.0.1", "::1", "127.0.0.2", "  127.0.0.1  ", ...local]) {
    calls.push({ fn: "getfqdn", args: [name] });
  }
  if (names.get(Deno.hostname().toLowerCase())?.has(AF_INET)) {
    for (const name of ["", "0.0.0.0", "::"]) calls.push({ fn: "getfqdn", args: [name] });
  }
  return calls;
}

Deno.test("resolution functions match CPython call for call (python3 oracle)", async () => {
  const calls = oracleCalls();
  const child = new Deno.Command("python3", {
    args: ["-c", ORACLE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(calls)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const expected = JSON.parse(new TextDecoder().decode(stdout)) as unknown[];
  assertEquals(expected.length, calls.length);

  const mismatches: unknown[] = [];
  for (const [i, call] of calls.entries()) {
    const got = await runOurs(call);
    const want = expected[i];
    if (call.dns && typeof want === "string") {
      // Python's answer came from the DNS server (no such name, or no server at all).
      const ok = got === "!gaierror: [Errno -2] Name or service not known" &&
        typeof want === "string" && /^!gaierror: \[Errno -[23]\]/.test(want);
      if (!ok) mismatches.push({ call, ours: got, python: want });
    } else if (JSON.stringify(got) !== JSON.stringify(want)) {
      mismatches.push({ call, ours: got, python: want });
    }
  }
  if (Deno.env.get("PYNET_ORACLE_VERBOSE")) {
    for (const m of mismatches) console.log(JSON.stringify(m));
  }
  assertEquals(mismatches.slice(0, 5), [], `${mismatches.length} of ${calls.length} calls differ`);
  assert(calls.length > 5000);
});
