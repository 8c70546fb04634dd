// Name resolution: getaddrinfo, gethostbyname, gethostbyaddr, getnameinfo, getservby*, getfqdn
// and gethostname, following glibc's getaddrinfo/nss_files behaviour and CPython's wrappers.
//
// Sources, in glibc's order ("hosts: files dns"):
// - numeric hosts are parsed here, without any lookup or permission;
// - /etc/hosts and /etc/services are read when read permission for them is already granted,
//   otherwise built-in tables stand in ("127.0.0.1 localhost" and Debian's services list);
// - "localhost" never goes to DNS: where glibc would ask DNS (the hosts table has no entry for
//   the family asked), it resolves to the loopback address, as RFC 6761 wants of DNS servers;
// - loopback and unspecified addresses are never looked up in DNS (reverse lookups);
// - other names go to Deno.resolveDns, only when net permission for the DNS server is granted
//   (so nothing ever prompts), with every wait bounded.
//
// This file gathers the resolver's public names for socket/mod.ts; each lives in a file of its
// own: _getaddrinfo.ts, _gethostbyname.ts, _getnameinfo.ts, _getservby.ts and _hostname.ts, on
// top of _lookup_name.ts (the hosts-then-DNS step), _hosts.ts, _dns.ts and _resolve_errors.ts.
export { type AddrInfo, getaddrinfo, type SockAddr4, type SockAddr6 } from "./_getaddrinfo.ts";
export { gethostbyaddr, gethostbyname, gethostbynameEx, type HostInfo } from "./_gethostbyname.ts";
export { getnameinfo, type NameInfoAddress } from "./_getnameinfo.ts";
export { getservbyname, getservbyport } from "./_getservby.ts";
export { getfqdn, gethostname } from "./_hostname.ts";
