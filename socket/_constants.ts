// Linux values of CPython's socket constants (checked against CPython 3.11 on Linux).

// Address families.
/** `socket.AF_UNSPEC` (Linux value 0). */
export const AF_UNSPEC = 0;
/** `socket.AF_UNIX` (Linux value 1). */
export const AF_UNIX = 1;
/** `socket.AF_INET` (Linux value 2). */
export const AF_INET = 2;
/** `socket.AF_INET6` (Linux value 10). */
export const AF_INET6 = 10;

// Socket types and creation flags.
/** `socket.SOCK_STREAM` (Linux value 1). */
export const SOCK_STREAM = 1;
/** `socket.SOCK_DGRAM` (Linux value 2). */
export const SOCK_DGRAM = 2;
/** `socket.SOCK_RAW` (Linux value 3). */
export const SOCK_RAW = 3;
/** `socket.SOCK_RDM` (Linux value 4). */
export const SOCK_RDM = 4;
/** `socket.SOCK_SEQPACKET` (Linux value 5). */
export const SOCK_SEQPACKET = 5;
/** `socket.SOCK_NONBLOCK` (Linux value 2048). */
export const SOCK_NONBLOCK = 2048;
/** `socket.SOCK_CLOEXEC` (Linux value 524288). */
export const SOCK_CLOEXEC = 524288;

// Option levels.
/** `socket.SOL_IP` (Linux value 0). */
export const SOL_IP = 0;
/** `socket.SOL_SOCKET` (Linux value 1). */
export const SOL_SOCKET = 1;
/** `socket.SOL_TCP` (Linux value 6). */
export const SOL_TCP = 6;
/** `socket.SOL_UDP` (Linux value 17). */
export const SOL_UDP = 17;

// `SOL_SOCKET` options.
/** `socket.SO_DEBUG` (Linux value 1). */
export const SO_DEBUG = 1;
/** `socket.SO_REUSEADDR` (Linux value 2). */
export const SO_REUSEADDR = 2;
/** `socket.SO_TYPE` (Linux value 3). */
export const SO_TYPE = 3;
/** `socket.SO_ERROR` (Linux value 4). */
export const SO_ERROR = 4;
/** `socket.SO_DONTROUTE` (Linux value 5). */
export const SO_DONTROUTE = 5;
/** `socket.SO_BROADCAST` (Linux value 6). */
export const SO_BROADCAST = 6;
/** `socket.SO_SNDBUF` (Linux value 7). */
export const SO_SNDBUF = 7;
/** `socket.SO_RCVBUF` (Linux value 8). */
export const SO_RCVBUF = 8;
/** `socket.SO_KEEPALIVE` (Linux value 9). */
export const SO_KEEPALIVE = 9;
/** `socket.SO_OOBINLINE` (Linux value 10). */
export const SO_OOBINLINE = 10;
/** `socket.SO_PRIORITY` (Linux value 12). */
export const SO_PRIORITY = 12;
/** `socket.SO_LINGER` (Linux value 13). */
export const SO_LINGER = 13;
/** `socket.SO_REUSEPORT` (Linux value 15). */
export const SO_REUSEPORT = 15;
/**
 * pynet's own option, not Linux's: a stream socket bound with it set listens with Deno's
 * `loadBalanced`, so several Worker isolates of one process can bind the same address and
 * Deno hands each connection to one of the isolates waiting in `accept()` (no flag needed,
 * unlike `SO_REUSEPORT`; not across processes). Bound to port 0, the socket first finds a free
 * port, which the other isolates then bind. `socketserver`'s `ForkingMixIn` is built on it.
 */
export const SO_DENO_LOADBALANCED = 0x7e01;
/** `socket.SO_PASSCRED` (Linux value 16). */
export const SO_PASSCRED = 16;
/** `socket.SO_PEERCRED` (Linux value 17). */
export const SO_PEERCRED = 17;
/** `socket.SO_RCVLOWAT` (Linux value 18). */
export const SO_RCVLOWAT = 18;
/** `socket.SO_SNDLOWAT` (Linux value 19). */
export const SO_SNDLOWAT = 19;
/** `socket.SO_RCVTIMEO` (Linux value 20). */
export const SO_RCVTIMEO = 20;
/** `socket.SO_SNDTIMEO` (Linux value 21). */
export const SO_SNDTIMEO = 21;
/** `socket.SO_BINDTODEVICE` (Linux value 25). */
export const SO_BINDTODEVICE = 25;
/** `socket.SO_ACCEPTCONN` (Linux value 30). */
export const SO_ACCEPTCONN = 30;
/** `socket.SO_PEERSEC` (Linux value 31). */
export const SO_PEERSEC = 31;
/** `socket.SO_PASSSEC` (Linux value 34). */
export const SO_PASSSEC = 34;
/** `socket.SO_MARK` (Linux value 36). */
export const SO_MARK = 36;
/** `socket.SO_PROTOCOL` (Linux value 38). */
export const SO_PROTOCOL = 38;
/** `socket.SO_DOMAIN` (Linux value 39). */
export const SO_DOMAIN = 39;
/** `socket.SO_INCOMING_CPU` (Linux value 49). */
export const SO_INCOMING_CPU = 49;

// Protocol numbers.
/** `socket.IPPROTO_HOPOPTS` (Linux value 0). */
export const IPPROTO_HOPOPTS = 0;
/** `socket.IPPROTO_IP` (Linux value 0). */
export const IPPROTO_IP = 0;
/** `socket.IPPROTO_ICMP` (Linux value 1). */
export const IPPROTO_ICMP = 1;
/** `socket.IPPROTO_IGMP` (Linux value 2). */
export const IPPROTO_IGMP = 2;
/** `socket.IPPROTO_IPIP` (Linux value 4). */
export const IPPROTO_IPIP = 4;
/** `socket.IPPROTO_TCP` (Linux value 6). */
export const IPPROTO_TCP = 6;
/** `socket.IPPROTO_EGP` (Linux value 8). */
export const IPPROTO_EGP = 8;
/** `socket.IPPROTO_PUP` (Linux value 12). */
export const IPPROTO_PUP = 12;
/** `socket.IPPROTO_UDP` (Linux value 17). */
export const IPPROTO_UDP = 17;
/** `socket.IPPROTO_IDP` (Linux value 22). */
export const IPPROTO_IDP = 22;
/** `socket.IPPROTO_TP` (Linux value 29). */
export const IPPROTO_TP = 29;
/** `socket.IPPROTO_IPV6` (Linux value 41). */
export const IPPROTO_IPV6 = 41;
/** `socket.IPPROTO_ROUTING` (Linux value 43). */
export const IPPROTO_ROUTING = 43;
/** `socket.IPPROTO_FRAGMENT` (Linux value 44). */
export const IPPROTO_FRAGMENT = 44;
/** `socket.IPPROTO_RSVP` (Linux value 46). */
export const IPPROTO_RSVP = 46;
/** `socket.IPPROTO_GRE` (Linux value 47). */
export const IPPROTO_GRE = 47;
/** `socket.IPPROTO_ESP` (Linux value 50). */
export const IPPROTO_ESP = 50;
/** `socket.IPPROTO_AH` (Linux value 51). */
export const IPPROTO_AH = 51;
/** `socket.IPPROTO_ICMPV6` (Linux value 58). */
export const IPPROTO_ICMPV6 = 58;
/** `socket.IPPROTO_NONE` (Linux value 59). */
export const IPPROTO_NONE = 59;
/** `socket.IPPROTO_DSTOPTS` (Linux value 60). */
export const IPPROTO_DSTOPTS = 60;
/** `socket.IPPROTO_PIM` (Linux value 103). */
export const IPPROTO_PIM = 103;
/** `socket.IPPROTO_SCTP` (Linux value 132). */
export const IPPROTO_SCTP = 132;
/** `socket.IPPROTO_UDPLITE` (Linux value 136). */
export const IPPROTO_UDPLITE = 136;
/** `socket.IPPROTO_RAW` (Linux value 255). */
export const IPPROTO_RAW = 255;
/** `socket.IPPROTO_MPTCP` (Linux value 262). */
export const IPPROTO_MPTCP = 262;

// `IPPROTO_TCP` options.
/** `socket.TCP_NODELAY` (Linux value 1). */
export const TCP_NODELAY = 1;
/** `socket.TCP_MAXSEG` (Linux value 2). */
export const TCP_MAXSEG = 2;
/** `socket.TCP_CORK` (Linux value 3). */
export const TCP_CORK = 3;
/** `socket.TCP_KEEPIDLE` (Linux value 4). */
export const TCP_KEEPIDLE = 4;
/** `socket.TCP_KEEPINTVL` (Linux value 5). */
export const TCP_KEEPINTVL = 5;
/** `socket.TCP_KEEPCNT` (Linux value 6). */
export const TCP_KEEPCNT = 6;
/** `socket.TCP_SYNCNT` (Linux value 7). */
export const TCP_SYNCNT = 7;
/** `socket.TCP_LINGER2` (Linux value 8). */
export const TCP_LINGER2 = 8;
/** `socket.TCP_DEFER_ACCEPT` (Linux value 9). */
export const TCP_DEFER_ACCEPT = 9;
/** `socket.TCP_WINDOW_CLAMP` (Linux value 10). */
export const TCP_WINDOW_CLAMP = 10;
/** `socket.TCP_INFO` (Linux value 11). */
export const TCP_INFO = 11;
/** `socket.TCP_QUICKACK` (Linux value 12). */
export const TCP_QUICKACK = 12;
/** `socket.TCP_CONGESTION` (Linux value 13). */
export const TCP_CONGESTION = 13;
/** `socket.TCP_USER_TIMEOUT` (Linux value 18). */
export const TCP_USER_TIMEOUT = 18;
/** `socket.TCP_FASTOPEN` (Linux value 23). */
export const TCP_FASTOPEN = 23;
/** `socket.TCP_NOTSENT_LOWAT` (Linux value 25). */
export const TCP_NOTSENT_LOWAT = 25;

// `IPPROTO_IP` options.
/** `socket.IP_DEFAULT_MULTICAST_LOOP` (Linux value 1). */
export const IP_DEFAULT_MULTICAST_LOOP = 1;
/** `socket.IP_DEFAULT_MULTICAST_TTL` (Linux value 1). */
export const IP_DEFAULT_MULTICAST_TTL = 1;
/** `socket.IP_TOS` (Linux value 1). */
export const IP_TOS = 1;
/** `socket.IP_TTL` (Linux value 2). */
export const IP_TTL = 2;
/** `socket.IP_HDRINCL` (Linux value 3). */
export const IP_HDRINCL = 3;
/** `socket.IP_OPTIONS` (Linux value 4). */
export const IP_OPTIONS = 4;
/** `socket.IP_RECVOPTS` (Linux value 6). */
export const IP_RECVOPTS = 6;
/** `socket.IP_RECVRETOPTS` (Linux value 7). */
export const IP_RECVRETOPTS = 7;
/** `socket.IP_RETOPTS` (Linux value 7). */
export const IP_RETOPTS = 7;
/** `socket.IP_RECVTOS` (Linux value 13). */
export const IP_RECVTOS = 13;
/** `socket.IP_TRANSPARENT` (Linux value 19). */
export const IP_TRANSPARENT = 19;
/** `socket.IP_MAX_MEMBERSHIPS` (Linux value 20). */
export const IP_MAX_MEMBERSHIPS = 20;
/** `socket.IP_BIND_ADDRESS_NO_PORT` (Linux value 24). */
export const IP_BIND_ADDRESS_NO_PORT = 24;
/** `socket.IP_MULTICAST_IF` (Linux value 32). */
export const IP_MULTICAST_IF = 32;
/** `socket.IP_MULTICAST_TTL` (Linux value 33). */
export const IP_MULTICAST_TTL = 33;
/** `socket.IP_MULTICAST_LOOP` (Linux value 34). */
export const IP_MULTICAST_LOOP = 34;
/** `socket.IP_ADD_MEMBERSHIP` (Linux value 35). */
export const IP_ADD_MEMBERSHIP = 35;
/** `socket.IP_DROP_MEMBERSHIP` (Linux value 36). */
export const IP_DROP_MEMBERSHIP = 36;

// `IPPROTO_IPV6` options.
/** `socket.IPV6_RTHDR_TYPE_0` (Linux value 0). */
export const IPV6_RTHDR_TYPE_0 = 0;
/** `socket.IPV6_CHECKSUM` (Linux value 7). */
export const IPV6_CHECKSUM = 7;
/** `socket.IPV6_NEXTHOP` (Linux value 9). */
export const IPV6_NEXTHOP = 9;
/** `socket.IPV6_UNICAST_HOPS` (Linux value 16). */
export const IPV6_UNICAST_HOPS = 16;
/** `socket.IPV6_MULTICAST_IF` (Linux value 17). */
export const IPV6_MULTICAST_IF = 17;
/** `socket.IPV6_MULTICAST_HOPS` (Linux value 18). */
export const IPV6_MULTICAST_HOPS = 18;
/** `socket.IPV6_MULTICAST_LOOP` (Linux value 19). */
export const IPV6_MULTICAST_LOOP = 19;
/** `socket.IPV6_JOIN_GROUP` (Linux value 20). */
export const IPV6_JOIN_GROUP = 20;
/** `socket.IPV6_LEAVE_GROUP` (Linux value 21). */
export const IPV6_LEAVE_GROUP = 21;
/** `socket.IPV6_V6ONLY` (Linux value 26). */
export const IPV6_V6ONLY = 26;
/** `socket.IPV6_RECVPKTINFO` (Linux value 49). */
export const IPV6_RECVPKTINFO = 49;
/** `socket.IPV6_PKTINFO` (Linux value 50). */
export const IPV6_PKTINFO = 50;
/** `socket.IPV6_RECVHOPLIMIT` (Linux value 51). */
export const IPV6_RECVHOPLIMIT = 51;
/** `socket.IPV6_HOPLIMIT` (Linux value 52). */
export const IPV6_HOPLIMIT = 52;
/** `socket.IPV6_RECVHOPOPTS` (Linux value 53). */
export const IPV6_RECVHOPOPTS = 53;
/** `socket.IPV6_HOPOPTS` (Linux value 54). */
export const IPV6_HOPOPTS = 54;
/** `socket.IPV6_RTHDRDSTOPTS` (Linux value 55). */
export const IPV6_RTHDRDSTOPTS = 55;
/** `socket.IPV6_RECVRTHDR` (Linux value 56). */
export const IPV6_RECVRTHDR = 56;
/** `socket.IPV6_RTHDR` (Linux value 57). */
export const IPV6_RTHDR = 57;
/** `socket.IPV6_RECVDSTOPTS` (Linux value 58). */
export const IPV6_RECVDSTOPTS = 58;
/** `socket.IPV6_DSTOPTS` (Linux value 59). */
export const IPV6_DSTOPTS = 59;
/** `socket.IPV6_RECVPATHMTU` (Linux value 60). */
export const IPV6_RECVPATHMTU = 60;
/** `socket.IPV6_PATHMTU` (Linux value 61). */
export const IPV6_PATHMTU = 61;
/** `socket.IPV6_DONTFRAG` (Linux value 62). */
export const IPV6_DONTFRAG = 62;
/** `socket.IPV6_RECVTCLASS` (Linux value 66). */
export const IPV6_RECVTCLASS = 66;
/** `socket.IPV6_TCLASS` (Linux value 67). */
export const IPV6_TCLASS = 67;

// `shutdown()` directions.
/** `socket.SHUT_RD` (Linux value 0). */
export const SHUT_RD = 0;
/** `socket.SHUT_WR` (Linux value 1). */
export const SHUT_WR = 1;
/** `socket.SHUT_RDWR` (Linux value 2). */
export const SHUT_RDWR = 2;

// Message flags.
/** `socket.MSG_OOB` (Linux value 1). */
export const MSG_OOB = 1;
/** `socket.MSG_PEEK` (Linux value 2). */
export const MSG_PEEK = 2;
/** `socket.MSG_DONTROUTE` (Linux value 4). */
export const MSG_DONTROUTE = 4;
/** `socket.MSG_CTRUNC` (Linux value 8). */
export const MSG_CTRUNC = 8;
/** `socket.MSG_TRUNC` (Linux value 32). */
export const MSG_TRUNC = 32;
/** `socket.MSG_DONTWAIT` (Linux value 64). */
export const MSG_DONTWAIT = 64;
/** `socket.MSG_EOR` (Linux value 128). */
export const MSG_EOR = 128;
/** `socket.MSG_WAITALL` (Linux value 256). */
export const MSG_WAITALL = 256;
/** `socket.MSG_CONFIRM` (Linux value 2048). */
export const MSG_CONFIRM = 2048;
/** `socket.MSG_ERRQUEUE` (Linux value 8192). */
export const MSG_ERRQUEUE = 8192;
/** `socket.MSG_NOSIGNAL` (Linux value 16384). */
export const MSG_NOSIGNAL = 16384;
/** `socket.MSG_MORE` (Linux value 32768). */
export const MSG_MORE = 32768;
/** `socket.MSG_FASTOPEN` (Linux value 536870912). */
export const MSG_FASTOPEN = 536870912;
/** `socket.MSG_CMSG_CLOEXEC` (Linux value 1073741824). */
export const MSG_CMSG_CLOEXEC = 1073741824;

// `getaddrinfo()` flags.
/** `socket.AI_PASSIVE` (Linux value 1). */
export const AI_PASSIVE = 1;
/** `socket.AI_CANONNAME` (Linux value 2). */
export const AI_CANONNAME = 2;
/** `socket.AI_NUMERICHOST` (Linux value 4). */
export const AI_NUMERICHOST = 4;
/** `socket.AI_V4MAPPED` (Linux value 8). */
export const AI_V4MAPPED = 8;
/** `socket.AI_ALL` (Linux value 16). */
export const AI_ALL = 16;
/** `socket.AI_ADDRCONFIG` (Linux value 32). */
export const AI_ADDRCONFIG = 32;
/** `socket.AI_NUMERICSERV` (Linux value 1024). */
export const AI_NUMERICSERV = 1024;

// `getnameinfo()` flags and limits.
/** `socket.NI_NUMERICHOST` (Linux value 1). */
export const NI_NUMERICHOST = 1;
/** `socket.NI_NUMERICSERV` (Linux value 2). */
export const NI_NUMERICSERV = 2;
/** `socket.NI_NOFQDN` (Linux value 4). */
export const NI_NOFQDN = 4;
/** `socket.NI_NAMEREQD` (Linux value 8). */
export const NI_NAMEREQD = 8;
/** `socket.NI_DGRAM` (Linux value 16). */
export const NI_DGRAM = 16;
/** `socket.NI_MAXSERV` (Linux value 32). */
export const NI_MAXSERV = 32;
/** `socket.NI_MAXHOST` (Linux value 1025). */
export const NI_MAXHOST = 1025;

// `gaierror` codes.
/** `socket.EAI_OVERFLOW` (Linux value -12). */
export const EAI_OVERFLOW: number = -12;
/** `socket.EAI_SYSTEM` (Linux value -11). */
export const EAI_SYSTEM: number = -11;
/** `socket.EAI_MEMORY` (Linux value -10). */
export const EAI_MEMORY: number = -10;
/** `socket.EAI_ADDRFAMILY` (Linux value -9). */
export const EAI_ADDRFAMILY: number = -9;
/** `socket.EAI_SERVICE` (Linux value -8). */
export const EAI_SERVICE: number = -8;
/** `socket.EAI_SOCKTYPE` (Linux value -7). */
export const EAI_SOCKTYPE: number = -7;
/** `socket.EAI_FAMILY` (Linux value -6). */
export const EAI_FAMILY: number = -6;
/** `socket.EAI_NODATA` (Linux value -5). */
export const EAI_NODATA: number = -5;
/** `socket.EAI_FAIL` (Linux value -4). */
export const EAI_FAIL: number = -4;
/** `socket.EAI_AGAIN` (Linux value -3). */
export const EAI_AGAIN: number = -3;
/** `socket.EAI_NONAME` (Linux value -2). */
export const EAI_NONAME: number = -2;
/** `socket.EAI_BADFLAGS` (Linux value -1). */
export const EAI_BADFLAGS: number = -1;

// Well-known IPv4 addresses, as host-order integers.
/** `socket.INADDR_ANY` (Linux value 0). */
export const INADDR_ANY = 0;
/** `socket.INADDR_LOOPBACK` (Linux value 2130706433). */
export const INADDR_LOOPBACK = 2130706433;
/** `socket.INADDR_UNSPEC_GROUP` (Linux value 3758096384). */
export const INADDR_UNSPEC_GROUP = 3758096384;
/** `socket.INADDR_ALLHOSTS_GROUP` (Linux value 3758096385). */
export const INADDR_ALLHOSTS_GROUP = 3758096385;
/** `socket.INADDR_MAX_LOCAL_GROUP` (Linux value 3758096639). */
export const INADDR_MAX_LOCAL_GROUP = 3758096639;
/** `socket.INADDR_BROADCAST` (Linux value 4294967295). */
export const INADDR_BROADCAST = 4294967295;
/** `socket.INADDR_NONE` (Linux value 4294967295). */
export const INADDR_NONE = 4294967295;

// Limits.
/** `socket.SOMAXCONN` (Linux value 4096). */
export const SOMAXCONN = 4096;
/** `socket.IPPORT_RESERVED` (Linux value 1024). */
export const IPPORT_RESERVED = 1024;
/** `socket.IPPORT_USERRESERVED` (Linux value 5000). */
export const IPPORT_USERRESERVED = 5000;
