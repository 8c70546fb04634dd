// What Linux answers to setsockopt()/getsockopt() of an int-sized value, for the options that
// Deno gives no way to apply (socket/_options.ts keeps the ones it can). pynet refuses those
// with ENOPROTOOPT ("Deno cannot ..."), but where Linux itself would refuse the call, pynet
// raises Linux's errno instead, so a program sees CPython's error for its mistake.
// Measured against CPython 3.11 on Linux by tests/differential_errors_test.ts.

const SOL_SOCKET = 1;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_UNIX = 1;
const SOCK_STREAM = 1;

const ENOENT = 2;
const ENODEV = 19;
const EINVAL = 22;
const EPROTO = 71;
const ENOPROTOOPT = 92;
const EOPNOTSUPP = 95;
const EADDRNOTAVAIL = 99;

/** Linux's verdict on setting an option to `value`: an errno, or `null` when it takes it. */
type SetRule = (value: number, stream: boolean) => number | null;

const ok: SetRule = () => null;
const fails = (errno: number): SetRule => () => errno;
const atLeast = (min: number): SetRule => (v) => v < min ? EINVAL : null;
const hops: SetRule = (v) => v < -1 || v > 255 ? EINVAL : null;

/** SOL_SOCKET options, by number. */
const SOCKET_SET = new Map<number, SetRule>([
  [2, ok], // SO_REUSEADDR
  [15, ok], // SO_REUSEPORT
  [9, ok], // SO_KEEPALIVE
  [6, ok], // SO_BROADCAST
  [7, ok], // SO_SNDBUF
  [8, ok], // SO_RCVBUF
  [18, ok], // SO_RCVLOWAT
  [10, ok], // SO_OOBINLINE
  [5, ok], // SO_DONTROUTE
  [12, ok], // SO_PRIORITY
  [36, ok], // SO_MARK
  [13, fails(EINVAL)], // SO_LINGER: an int is shorter than struct linger
  [20, fails(EINVAL)], // SO_RCVTIMEO: an int is shorter than struct timeval
  [21, fails(EINVAL)], // SO_SNDTIMEO
  [25, (v) => v === 0 ? null : ENODEV], // SO_BINDTODEVICE: the int's bytes name no device
]);

/** IPPROTO_TCP options of a TCP socket. */
const TCP_SET = new Map<number, SetRule>([
  [1, ok], // TCP_NODELAY
  [3, ok], // TCP_CORK
  [12, ok], // TCP_QUICKACK
  [25, ok], // TCP_NOTSENT_LOWAT
  [9, ok], // TCP_DEFER_ACCEPT
  [8, ok], // TCP_LINGER2
  [10, ok], // TCP_WINDOW_CLAMP
  [4, atLeast(1)], // TCP_KEEPIDLE
  [5, atLeast(1)], // TCP_KEEPINTVL
  [6, atLeast(1)], // TCP_KEEPCNT
  [7, atLeast(1)], // TCP_SYNCNT
  [18, atLeast(0)], // TCP_USER_TIMEOUT
  [23, atLeast(0)], // TCP_FASTOPEN
  [2, (v) => v !== 0 && (v < 88 || v > 32767) ? EINVAL : null], // TCP_MAXSEG
  [13, fails(ENOENT)], // TCP_CONGESTION: the int's bytes name no algorithm
]);

/** IPPROTO_IP options of an AF_INET or AF_INET6 socket. */
const IP_SET = new Map<number, SetRule>([
  [1, ok], // IP_TOS
  [13, ok], // IP_RECVTOS
  [34, ok], // IP_MULTICAST_LOOP
  [2, (v) => v === 0 || v < -1 || v > 255 ? EINVAL : null], // IP_TTL
  [33, (v, stream) => stream ? EINVAL : hops(v, stream)], // IP_MULTICAST_TTL
  [32, (v, stream) => stream ? EINVAL : v === 0 ? null : EADDRNOTAVAIL], // IP_MULTICAST_IF
  [35, (_, stream) => stream ? EPROTO : EINVAL], // IP_ADD_MEMBERSHIP: int shorter than ip_mreq
]);

/** IPPROTO_IPV6 options of an AF_INET6 socket. */
const IPV6_SET = new Map<number, SetRule>([
  [26, ok], // IPV6_V6ONLY
  [66, ok], // IPV6_RECVTCLASS
  [16, hops], // IPV6_UNICAST_HOPS
  [67, hops], // IPV6_TCLASS
  [19, (v) => v === 0 || v === 1 ? null : EINVAL], // IPV6_MULTICAST_LOOP
  [18, (v, stream) => stream ? ENOPROTOOPT : hops(v, stream)], // IPV6_MULTICAST_HOPS
]);

/** Options Linux lets getsockopt() read as an int, by level. */
const READABLE = new Map<number, Set<number>>([
  [SOL_SOCKET, new Set([...SOCKET_SET.keys(), 3, 4, 17, 19, 30, 38, 39])],
  [IPPROTO_TCP, new Set([...TCP_SET.keys(), 11])],
  [IPPROTO_IP, new Set([1, 2, 3, 13, 32, 33, 34])],
  [IPPROTO_IPV6, new Set([...IPV6_SET.keys()])],
]);

/**
 * The errno Linux raises for `setsockopt(level, option, value)` on a socket of this family
 * and type, or `null` when Linux takes it.
 */
export function linuxSetErrno(
  family: number,
  type: number,
  level: number,
  option: number,
  value: number,
): number | null {
  const stream = type === SOCK_STREAM;
  let rule: SetRule | undefined;
  if (level === SOL_SOCKET) {
    if (option === 16) return family === AF_UNIX ? null : EOPNOTSUPP; // SO_PASSCRED
    rule = SOCKET_SET.get(option);
  } else if (family !== AF_INET && family !== AF_INET6) {
    return family === AF_UNIX ? EOPNOTSUPP : ENOPROTOOPT;
  } else if (level === IPPROTO_TCP && stream) {
    rule = TCP_SET.get(option);
  } else if (level === IPPROTO_IP) {
    rule = IP_SET.get(option);
  } else if (level === IPPROTO_IPV6 && family === AF_INET6) {
    rule = IPV6_SET.get(option);
  }
  return rule ? rule(value, stream) : ENOPROTOOPT;
}

/** The errno Linux raises for `getsockopt(level, option)`, or `null` when it answers. */
export function linuxGetErrno(
  family: number,
  type: number,
  level: number,
  option: number,
): number | null {
  if (level === SOL_SOCKET && option === 16) return family === AF_UNIX ? null : EOPNOTSUPP;
  if (level !== SOL_SOCKET) {
    if (family === AF_UNIX) return EOPNOTSUPP;
    if (level === IPPROTO_IPV6 && family !== AF_INET6) return EOPNOTSUPP;
    if (level === IPPROTO_TCP && type !== SOCK_STREAM) return ENOPROTOOPT;
    if (level === IPPROTO_UDP && type === SOCK_STREAM) return ENOPROTOOPT;
    if (!READABLE.has(level)) return EOPNOTSUPP;
  }
  return READABLE.get(level)?.has(option) ? null : ENOPROTOOPT;
}
