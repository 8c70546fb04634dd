"""Writes cases.json: the wrong (and a few right) calls tests/differential_errors_test.ts runs in
python3 and in pynet. Run `python3 tests/differential/gen_cases.py && deno fmt tests/differential/cases.json` after
editing it.

A case is {"id", "target", "call", "args", "kwargs"?, "js"?, "jsArgs"?, "new"?, "set"?}:
- target: what the call is made on, built afresh for each case by both runners (see
  tests/differential/README.md): a module ("socket", "select", "selectors", "ssl",
  "asyncore", "asynchat", "socketserver") or an object ("tcp4", "udp4", "poll", "sel", ...).
- call: the Python name; js: the pynet name when it is not the camelCase of call.
- args: JSON values, arrays meaning tuples, with markers: {"$b": hex} bytes, {"$ba": hex}
  bytearray, {"$i": digits} an int beyond JSON's doubles, {"$f": "inf"|"-inf"|"nan"},
  {"$list": [...]} a list, {"$sur": hex} a one-character string of a lone surrogate, {"$sock": target} a fresh socket, {"$reg": 1} the socket the
  target has registered, {"$cert": name} the path of tests/certs/<name>, {"$handler": 1} a
  request handler class.
- kwargs: Python keyword arguments; jsArgs: pynet's arguments when they differ (options bags).
- set: set the attribute `call` to args[0] instead of calling.
"""
import json
import os
import socket as S

cases = []
seen = set()
# Calls that are right and block for good in CPython (nothing to compare), and calls whose
# CPython error is an accident of its implementation (AttributeError from a missing method).
BLOCKING = {json.dumps(c, sort_keys=True) for c in [
    {"target": t, "call": m, "args": [{"$i": str(2**31)}]}
    for t in ("tcp4_conn", "udp4") for m in ("recv", "recvfrom")] + [
    {"target": "select", "call": "select", "args": [{"$list": []}] * 3},
    {"target": "ssl", "call": "PEM_cert_to_DER_cert", "args": [5], "js": "pemCertToDerCert"},
] + [{"target": t, "call": "wrap_socket", "args": [{"$sock": "tcp4"}],
      "kwargs": {"server_hostname": 123}, "jsArgs": [{"$sock": "tcp4"}, {"serverHostname": 123}]}
     for t in ("ctx_client", "ctx_server")]}


def case(target, call, *args, kwargs=None, js=None, jsArgs=None, new=False, set_=False, tag=""):
    c = {"target": target, "call": call, "args": list(args)}
    if kwargs:
        c["kwargs"] = kwargs
    if js:
        c["js"] = js
    if jsArgs is not None:
        c["jsArgs"] = jsArgs
    if new:
        c["new"] = True
    if set_:
        c["set"] = True
    key = json.dumps(c, sort_keys=True)
    if key in seen or key in BLOCKING:
        return
    seen.add(key)
    c["id"] = f"{len(cases):04d} {target}.{call}({json.dumps(args)[1:-1]}{', ' + json.dumps(kwargs) if kwargs else ''}){tag}"
    cases.append(c)


def B(data):
    return {"$b": data.hex()}


def BA(data):
    return {"$ba": data.hex()}


def I(n):
    return {"$i": str(n)}


LONE = {"$sur": "dc80"}  # a lone surrogate, which JSON files cannot hold
NAN = {"$f": "nan"}
INF = {"$f": "inf"}
BIG = I(2**64)
BAD = ["x", None, 1.5, BIG, -1]  # wrong values for an int argument

# --- socket options: every level/option pair CPython knows on Linux, every value type ------------
LEVELS = {
    "SOL_SOCKET": ["SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "SO_BROADCAST", "SO_LINGER",
                   "SO_RCVBUF", "SO_SNDBUF", "SO_RCVLOWAT", "SO_SNDLOWAT", "SO_RCVTIMEO",
                   "SO_SNDTIMEO", "SO_ERROR", "SO_TYPE", "SO_OOBINLINE", "SO_DONTROUTE",
                   "SO_ACCEPTCONN", "SO_PRIORITY", "SO_DOMAIN", "SO_PROTOCOL", "SO_MARK",
                   "SO_PASSCRED", "SO_PEERCRED", "SO_BINDTODEVICE"],
    "IPPROTO_TCP": ["TCP_NODELAY", "TCP_MAXSEG", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT",
                    "TCP_CORK", "TCP_QUICKACK", "TCP_USER_TIMEOUT", "TCP_NOTSENT_LOWAT",
                    "TCP_FASTOPEN", "TCP_DEFER_ACCEPT", "TCP_SYNCNT", "TCP_LINGER2",
                    "TCP_WINDOW_CLAMP", "TCP_INFO", "TCP_CONGESTION"],
    "IPPROTO_IP": ["IP_TTL", "IP_TOS", "IP_MULTICAST_TTL", "IP_MULTICAST_LOOP", "IP_RECVTOS",
                   "IP_MULTICAST_IF", "IP_ADD_MEMBERSHIP", "IP_HDRINCL"],
    "IPPROTO_IPV6": ["IPV6_V6ONLY", "IPV6_UNICAST_HOPS", "IPV6_MULTICAST_HOPS",
                     "IPV6_MULTICAST_LOOP", "IPV6_RECVTCLASS", "IPV6_TCLASS"],
}
OPT_VALUES = [1, 0, "x", None, 1.5, B(b"\x01\x00\x00\x00"), BIG, -1, I(2**31), {"$list": [1]}]
for level, names in LEVELS.items():
    lv = getattr(S, level)
    for name in names:
        opt = getattr(S, name)
        tag = f" [{level}/{name}]"
        for v in OPT_VALUES:
            case("tcp4", "setsockopt", lv, opt, v, tag=tag)
        for sock in (["tcp6"] if level in ("IPPROTO_IP", "IPPROTO_IPV6") else []) + \
                (["udp4"] if level != "IPPROTO_TCP" else []):
            case(sock, "setsockopt", lv, opt, 1, tag=tag)
            case(sock, "setsockopt", lv, opt, "x", tag=tag)
        case("tcp4", "getsockopt", lv, opt, tag=tag)
        for buflen in (4, 0, -1, 2000, "x", None):
            case("tcp4", "getsockopt", lv, opt, buflen, tag=tag)
        if level in ("IPPROTO_IP", "IPPROTO_IPV6"):
            case("tcp6", "getsockopt", lv, opt, tag=tag)
        case("tcp4_closed", "getsockopt", lv, opt, tag=tag)
        case("tcp4_closed", "setsockopt", lv, opt, 1, tag=tag)
for args in [(S.SOL_SOCKET,), (S.SOL_SOCKET, S.SO_REUSEADDR, 1, 4), ("x", S.SO_REUSEADDR, 1),
             (S.SOL_SOCKET, "x", 1), (BIG, S.SO_REUSEADDR, 1), (S.SOL_SOCKET, BIG, 1),
             (999, 1, 1), (S.SOL_SOCKET, 999, 1), (None, None, None), (S.SOL_SOCKET, S.SO_REUSEADDR, True)]:
    case("tcp4", "setsockopt", *args)
for args in [(), (S.SOL_SOCKET,), ("x", S.SO_REUSEADDR), (S.SOL_SOCKET, "x"), (BIG, 1),
             (S.SOL_SOCKET, BIG), (999, 1), (S.SOL_SOCKET, 999)]:
    case("tcp4", "getsockopt", *args)

# --- socket constructor -----------------------------------------------------------------------
FAMS = [S.AF_INET, S.AF_INET6, S.AF_UNIX, 12345, -1, "x", None, 1.5, BIG, I(2**31)]
TYPES = [S.SOCK_STREAM, S.SOCK_DGRAM, 999, -1, "x", None, 1.5, BIG]
for f in FAMS:
    for t in TYPES:
        case("socket", "socket", f, t)
for p in [0, 6, 17, 999, -1, "x", 1.5, BIG, None]:
    case("socket", "socket", S.AF_INET, S.SOCK_STREAM, p)
    case("socket", "socket", S.AF_INET, S.SOCK_DGRAM, p)
for fd in [-2, "x", 1.5, BIG, 999999]:
    case("socket", "socket", S.AF_INET, S.SOCK_STREAM, 0, fd)
case("socket", "socket", S.AF_INET, S.SOCK_STREAM, 0, None, 5)

# --- addresses ---------------------------------------------------------------------------------
ADDR4 = [["127.0.0.1", 0], ["::1", 0], ["localhost", 0], ["127.0.0.1"], ["127.0.0.1", 0, 0],
         ["127.0.0.1", "x"], ["127.0.0.1", -1], ["127.0.0.1", 65536], ["127.0.0.1", BIG],
         [None, 0], [B(b"127.0.0.1"), 0], ["127.0.0.1", 1.5], "127.0.0.1", 80, None, ["", 0],
         ["127.0.0.1\0", 0], [123, 0], ["127.0.0.1", None], [], B(b"127.0.0.1"),
         ["127.0.0.1", True], ["::ffff:127.0.0.1", 0], ["1.2.3.4.5", 0], ["a" * 64, 0],
         [LONE, 0], [{"$list": [1]}, 0]]
ADDR6 = [["::1", 0], ["::1", 0, 0, 0], ["::1", 0, -1], ["::1", 0, 0, I(2**32)],
         ["::1", 0, 2**20], ["::1", 0, 0, -1], ["127.0.0.1", 0], ["::1"], ["::1", 0, 0, 0, 0],
         ["::1", "x"], ["::1", 70000], [B(b"::1"), 0], ["::1", 0, "x"], ["localhost", 0],
         [None, 0], ["", 0], "::1", None, ["::1%lo", 0], ["fe80::1%nosuchif", 0]]
for a in ADDR4:
    case("tcp4", "bind", a)
    case("udp4", "bind", a)
    case("tcp4", "connect", a)
    case("tcp4", "connect_ex", a)
    case("udp4", "sendto", B(b"x"), a)
for a in ADDR6:
    case("tcp6", "bind", a)
    case("udp6", "bind", a)
    case("tcp6", "connect", a)
    case("tcp6", "connect_ex", a)
    case("udp6", "sendto", B(b"x"), a)
case("tcp4", "bind")
case("tcp4", "bind", ["127.0.0.1", 0], 1)
case("tcp4_bound", "bind", ["127.0.0.1", 0])
case("tcp4_closed", "bind", ["127.0.0.1", 0])
case("tcp4_listen", "connect", ["127.0.0.1", 0])
case("tcp4_conn", "connect", "$peer")
case("tcp4_conn", "connect_ex", "$peer")
case("tcp4_conn", "bind", ["127.0.0.1", 0])
case("tcp4_closed", "connect", ["127.0.0.1", 0])
case("tcp4_closed", "connect_ex", ["127.0.0.1", 0])
case("tcp4", "connect")
case("udp4", "connect", ["127.0.0.1", "x"])
case("udp4", "connect", ["::1", 9])

# --- listen / accept / shutdown / misc -------------------------------------------------------------
for target in ["tcp4", "tcp4_bound", "udp4", "tcp4_closed"]:
    for v in [5, 0, -1, "x", None, 1.5, BIG, I(2**31), True]:
        case(target, "listen", v)
    case(target, "listen")
for target in ["tcp4", "tcp4_bound", "udp4", "tcp4_closed"]:
    case(target, "accept")
case("tcp4_listen", "accept", 1)
for target in ["tcp4", "tcp4_conn", "udp4", "tcp4_closed", "tcp4_listen"]:
    for how in [S.SHUT_RD, S.SHUT_WR, S.SHUT_RDWR, 3, -1, "x", None, 1.5, BIG]:
        case(target, "shutdown", how)
    case(target, "shutdown")
    case(target, "getpeername")
    case(target, "getsockname")
    case(target, "fileno")
    case(target, "gettimeout")
    case(target, "getblocking")

# --- recv* / send* -------------------------------------------------------------------------------
for target in ["tcp4", "tcp4_conn", "tcp4_closed", "udp4", "tcp4_listen"]:
    for n in [-1, "x", None, 1.5, BIG, I(2**31)]:
        case(target, "recv", n)
        case(target, "recvfrom", n)
    for flags in ["x", None, 1.5, BIG, I(2**40)]:
        case(target, "recv", 1, flags)
        case(target, "recvfrom", 1, flags)
        case(target, "recv_into", BA(b"\0" * 4), 0, flags)
        case(target, "recvfrom_into", BA(b"\0" * 4), 0, flags)
        case(target, "send", B(b"x"), flags)
        case(target, "sendall", B(b"x"), flags)
    for buf_args in [("x",), (None,), (5,), (BA(b"\0" * 4), -1), (BA(b"\0" * 4), 10),
                     (BA(b"\0" * 4), "x"), (BA(b"\0" * 4), BIG)]:
        case(target, "recv_into", *buf_args)
        case(target, "recvfrom_into", *buf_args)
    for data in ["x", None, 5, 1.5, {"$list": [1]}]:
        case(target, "send", data)
        case(target, "sendall", data)
        case(target, "sendto", data, ["127.0.0.1", 9])
    case(target, "recv")
    case(target, "send")
    case(target, "sendto", B(b"x"))
    case(target, "sendto", B(b"x"), "x", ["127.0.0.1", 9])
    case(target, "sendto", B(b"x"), BIG, ["127.0.0.1", 9])
    case(target, "sendto", B(b"x"), None)
case("tcp4", "send", B(b"x"))
case("tcp4", "sendall", B(b"x"))
case("tcp4", "send", B(b""))
case("tcp4", "recv", 0)
case("tcp4", "recv", 1)
case("tcp4", "recvfrom", 1)
case("tcp4_bound", "send", B(b"x"))
case("tcp4_listen", "send", B(b"x"))
case("tcp4_listen", "recv", 1)
case("tcp4_closed", "send", B(b"x"))
case("tcp4_closed", "recv", 1)
case("udp4", "send", B(b"x"))
case("udp4", "sendall", B(b"x"))
case("udp4", "sendto", B(b"x"), ["127.0.0.1", 9])
case("udp4", "sendto", B(b"x"), 0, ["127.0.0.1", 9])
case("udp4", "sendto", B(b"x" * 70000), ["127.0.0.1", 9])
case("tcp4_conn", "send", B(b"x"))
case("tcp4_conn", "sendto", B(b"x"), ["127.0.0.1", 9])

# --- timeouts, blocking ------------------------------------------------------------------------------
TIMEOUTS = [None, 0, 1.5, -1, -0.5, "x", NAN, INF, BIG, 1e300, I(2**63), True, B(b"1")]
for t in TIMEOUTS:
    case("tcp4", "settimeout", t)
    case("tcp4_closed", "settimeout", t)
    case("socket", "setdefaulttimeout", t)
case("tcp4", "settimeout")
for v in [True, False, 0, 1, None, "x", 1.5, BIG, B(b"")]:
    case("tcp4", "setblocking", v)
    case("tcp4_closed", "setblocking", v)

# --- makefile ----------------------------------------------------------------------------------------
for mode in ["r", "rb", "w", "wb", "rw", "rwb", "x", "rt", "a", "", "r+", 1, None, B(b"r")]:
    case("tcp4_conn", "makefile", mode)
for mode, buffering in [("rb", "x"), ("rb", 1.5), ("r", 0), ("rb", 0), ("rb", -1), ("rb", None),
                        ("w", 0), ("rb", BIG), ("r", 1), ("wb", "x")]:
    case("tcp4_conn", "makefile", mode, buffering, jsArgs=[mode, {"buffering": buffering}])

# --- module functions ---------------------------------------------------------------------------------
for a in [["127.0.0.1"], "x", None, ["127.0.0.1", "x"], ["127.0.0.1", 0], ["127.0.0.1", -1],
          ["127.0.0.1", 70000], [None, 0], ["127.0.0.1", 0, 0], 5, ["::1", 1.5], ["127.0.0.1", None]]:
    case("socket", "create_connection", a)
for t in ["x", -1, NAN, BIG]:
    case("socket", "create_connection", ["127.0.0.1", 0], t)
for src in ["x", ["127.0.0.1"], ["127.0.0.1", "x"], ["::1", 0]]:
    case("socket", "create_connection", ["127.0.0.1", 0], None, src)
SRV = [(["127.0.0.1", 0], {"family": S.AF_INET6}), (["::1", 0], {}), (["::1", 0], {"family": S.AF_INET}),
       (["127.0.0.1", 0], {"family": S.AF_INET, "dualstack_ipv6": True}), (None, {}),
       (["127.0.0.1", 70000], {}), (["127.0.0.1", "x"], {}), (["127.0.0.1"], {}),
       (["127.0.0.1", 0], {"family": "x"}), (["127.0.0.1", 0], {"family": S.AF_UNIX}),
       (["127.0.0.1", 0], {"backlog": "x"}), (["127.0.0.1", 0], {"backlog": -1}),
       (["127.0.0.1", 0], {}), (["::1", 0], {"family": S.AF_INET6}),
       (["localhost", 0], {"family": S.AF_INET6}), ([B(b"127.0.0.1"), 0], {}),
       (["127.0.0.1", 0], {"family": BIG}), (["127.0.0.1", 0], {"backlog": BIG})]
for a, kw in SRV:
    jskw = {{"dualstack_ipv6": "dualstackIpv6"}.get(k, k): v for k, v in kw.items()}
    case("socket", "create_server", a, kwargs=kw, jsArgs=[a, jskw])
GAI = [(None, None), ("127.0.0.1", "x"), ("127.0.0.1", 80, "x"), ("127.0.0.1", 80, BIG),
       ("127.0.0.1", 80, S.AF_INET6), ("::1", 80, S.AF_INET), (B(b"127.0.0.1"), 80),
       ("127.0.0.1", B(b"80")), ("127.0.0.1", 1.5), ("127.0.0.1", -1), ("127.0.0.1", BIG),
       (123, 80), ("127.0.0.1", 80, 0, 0, 0, -1), ("127.0.0.1", 80, 0, 999), ("127.0.0.1", 80, 999),
       ("localhost", None), ("127.0.0.1", 80, 0, 0, "x"), ("127.0.0.1", 80, 0, 0, 999),
       ("127.0.0.1", 70000), ("127.0.0.1", "http"), ("127.0.0.1", "nosuchservice"), ("", 80),
       ("127.0.0.1\0", 80), (LONE, 80), ("127.0.0.1", 80, 0, "x"), ("127.0.0.1",),
       ("127.0.0.1", 80, 0, S.SOCK_STREAM, 17), ("127.0.0.1", 80, 0, 0, 0, "x"),
       ("127.0.0.1", 80, 0, 0, 0, BIG), (B(b"localhost"), B(b"http")), (1.5, 80),
       ("127.0.0.1", None), ("a" * 64, 80), ("127.0.0.1", 80, S.AF_UNIX)]
for args in GAI:
    case("socket", "getaddrinfo", *args)
for fn, js in [("gethostbyname", None), ("gethostbyname_ex", "gethostbynameEx"), ("gethostbyaddr", None)]:
    for h in ["127.0.0.1", B(b"127.0.0.1"), None, 123, "::1" if fn != "gethostbyaddr" else "", LONE,
              "a" * 64, "127.0.0.1\0", 1.5, BA(b"127.0.0.1")]:
        case("socket", fn, h, js=js)
    case("socket", fn, js=js)
for args in [("http",), ("http", "tcp"), ("nosuch",), (B(b"http"),), (None,), ("http", 5),
             ("http", "nosuch"), (5,), ("http", None), ()]:
    case("socket", "getservbyname", *args)
for args in [(80,), (-1,), (65536,), ("80",), (80, "nosuch"), (BIG,), (1.5,), (80, 5), (None,), ()]:
    case("socket", "getservbyport", *args)
for args in [(["127.0.0.1", 80], 0), (["127.0.0.1", 80],), (["127.0.0.1"], 0), ("x", 0),
             (["::1", 80, 0, 0], 0), (["127.0.0.1", 80, 5], 0), (["127.0.0.1", 70000], 0),
             (["127.0.0.1", 80], "x"), (["localhost", 80], 0), (["::1", 80, 0, 0, 0], 0),
             (["127.0.0.1", "x"], 0), ([None, 80], 0), (["127.0.0.1", 80], BIG),
             (["::1", 80, 2**20, 0], 0), (["::1", 80, 0, I(2**32)], 0), (None, 0),
             (["127.0.0.1", 80], S.NI_NAMEREQD | S.NI_NUMERICHOST), ([LONE, 80], 0)]:
    case("socket", "getnameinfo", *args)
for fn, js in [("inet_aton", "inetAton"), ("inet_ntoa", "inetNtoa")]:
    for v in ["1.2.3.4", "x", None, B(b"1.2.3.4"), "1.2.3.4.5", "256.1.1.1", "", B(b"\1\2\3\4"),
              B(b"\1"), 5, "1.2.3.4\0", BA(b"\1\2\3\4"), LONE]:
        case("socket", fn, v, js=js)
for fam in [S.AF_INET, S.AF_INET6, S.AF_UNIX, "x", BIG, None]:
    for v in ["1.2.3.4", "::1", B(b"1.2.3.4"), "x", None, "1.2.3.4\0"]:
        case("socket", "inet_pton", fam, v, js="inetPton")
    for v in [B(b"\1\2\3\4"), B(b"\0" * 16), B(b"\1"), "x", None, BA(b"\1\2\3\4")]:
        case("socket", "inet_ntop", fam, v, js="inetNtop")
for fn in ["htons", "ntohs", "htonl", "ntohl"]:
    for v in [1, 0, 65535, 65536, -1, 2**32, I(2**32 - 1), "x", None, 1.5, BIG, True]:
        case("socket", fn, v)
case("socket", "socketpair", S.AF_INET, S.SOCK_DGRAM, 0, 5)
for args in [("x",), (S.AF_UNIX, "x"), (S.AF_UNIX, S.SOCK_STREAM, "x"), (BIG,), (S.AF_INET, S.SOCK_STREAM, 17)]:
    case("socket", "socketpair", *args)

# --- select ------------------------------------------------------------------------------------------
SOCK = {"$sock": "tcp4"}
for args in [("x", [], [], 0), ([], "x", [], 0), ([], [], "x", 0), ([], [], [], -1), ([], [], [], "x"),
             ([-1], [], [], 0), ([None], [], [], 0), ([], [], [], NAN), ([], [], [], BIG),
             ([{"$sock": "tcp4_closed"}], [], [], 0), ([999999], [], [], 0), ([1.5], [], [], 0),
             ([], [], [], 0), ([SOCK], [], [], 0), ([], [SOCK], [], 0), ([], [], [SOCK], 0),
             ([], [], []), ([], [], [], 0, 1), (["x"], [], [], 0), ([BIG], [], [], 0),
             ([], [], [], INF), ([], [], [], 1e300), (None, None, None, 0), ([], [], [], True)]:
    case("select", "select", *[{"$list": a} if isinstance(a, list) else a for a in args])
for target in ["poll", "poll_reg"]:
    for args in [(-1,), ("x",), (SOCK, 65536), (SOCK, -1), (SOCK, "x"), (None,), (SOCK, BIG),
                 (SOCK, 1.5), (999999,), ({"$sock": "tcp4_closed"},), (1.5,), (BIG,), (SOCK, 0),
                 ({"$reg": 1}, 1), (SOCK, I(2**31))]:
        case(target, "register", *args)
    for args in [(SOCK, 1), ({"$reg": 1}, 65536), ({"$reg": 1}, "x"), ({"$reg": 1},), (-1, 1),
                 ("x", 1), ({"$reg": 1}, -1), (None, 1)]:
        case(target, "modify", *args)
    for args in [(SOCK,), ({"$reg": 1},), (-1,), ("x",), (None,), (BIG,)]:
        case(target, "unregister", *args)
    for args in [("x",), (BIG,), (0,), (1.5,), (NAN,), (0, 1), (I(2**63),), (-0.5,) if target == "poll_reg" else (0.0,)]:
        case(target, "poll", *args)
for args in [("x",), (-2,), (0,), (-1, "x"), (-1, BIG), (BIG,), (1.5,), (-1, 0), (5,), (None,),
             (-1, 12345), (-1, -1)]:
    case("select", "epoll", *args)
for target in ["epoll", "epoll_reg", "epoll_closed"]:
    for args in [(-1,), ("x",), (SOCK, "x"), (SOCK, BIG), (SOCK, -1), (None,), (SOCK,),
                 ({"$reg": 1},), (999999,), (SOCK, 1.5), (SOCK, I(2**32))]:
        case(target, "register", *args)
    for args in [(SOCK, 1), ({"$reg": 1}, 1), ({"$reg": 1}, "x"), (-1, 1), ("x", 1), ({"$reg": 1}, BIG)]:
        case(target, "modify", *args)
    for args in [(SOCK,), ({"$reg": 1},), (-1,), ("x",)]:
        case(target, "unregister", *args)
    for args in [(0, "x"), ("x",), (0, 0), (0, -1), (BIG,), (NAN,), (0, 1.5), (0, BIG), (0,), (0, 1, 2)]:
        case(target, "poll", *args)
    case(target, "fileno")
    case(target, "close")

# --- selectors ------------------------------------------------------------------------------------
for target in ["sel", "sel_reg", "sel_closed"]:
    for args in [(SOCK, 0), (SOCK, 4), (SOCK, "x"), (SOCK, None), (-1, 1), ("x", 1), (None, 1),
                 ({"$reg": 1}, 1), (SOCK, -1), (SOCK, 1.5), (SOCK, BIG), (SOCK, 3), (SOCK, 1, "data"),
                 ({"$sock": "tcp4_closed"}, 1), (999999, 1), (1.5, 1), (SOCK,)]:
        case(target, "register", *args)
    for args in [(SOCK,), ({"$reg": 1},), (-1,), ("x",), (None,), ({"$sock": "tcp4_closed"},)]:
        case(target, "unregister", *args)
        case(target, "get_key", *args)
    for args in [(SOCK, 1), ({"$reg": 1}, 0), ({"$reg": 1}, "x"), ({"$reg": 1}, 2), ({"$reg": 1}, 8),
                 (-1, 1), ({"$reg": 1}, None), ({"$reg": 1}, BIG)]:
        case(target, "modify", *args)
    for args in [(0,), ("x",), (-1,), (BIG,), (NAN,), (0.001,)]:
        case(target, "select", *args)
    case(target, "close")

# --- ssl ---------------------------------------------------------------------------------------------
for p in ["x", 999, BIG, -1, 1.5, None, 2, 16, 17, B(b"")]:
    case("ssl", "SSLContext", p, new=True)
for target in ["ctx_client", "ctx_server"]:
    for args in [("nosuch.pem",), (None,), (123,), ({"$cert": "server.pem"}, {"$cert": "client.key"}),
                 ({"$cert": "server.pem"}, "nosuch.key"), ({"$cert": "server.pem"}, {"$cert": "server.key"}, 123),
                 ({"$cert": "encrypted.key"},), ({"$cert": "server.pem"}, {"$cert": "encrypted.key"}, "wrong"),
                 ({"$cert": "ca.key"},), ({"$cert": "server.pem"}, {"$cert": "server.key"}),
                 ({"$cert": "server_combined.pem"},), ({"$cert": "README.md"},), ({"$cert": "server.pem"}, 5),
                 (B(b"server.pem"),), ({"$cert": "server.pem"},)]:
        case(target, "load_cert_chain", *args)
    for args, kw in [((), {}), ((), {"cadata": "garbage"}), ((), {"cadata": B(b"garbage")}),
                     ((), {"cadata": 123}), (("nosuch.pem",), {}), ((None, None, None), {}),
                     ((123,), {}), ((), {"cadata": ""}), (({"$cert": "ca.pem"},), {}),
                     (({"$cert": "ca.key"},), {}), ((None, "nosuchdir"), {}), ((None, 123), {}),
                     ((), {"cadata": BA(b"garbage")}), ((), {"cadata": B(b"")}),
                     ((), {"cadata": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}),
                     (({"$cert": "README.md"},), {})]:
        order = ["cafile", "capath", "cadata"]
        jsa = list(args) + [None] * (3 - len(args))
        for k, v in kw.items():
            jsa[order.index(k)] = v
        while jsa and jsa[-1] is None and len(jsa) > len(args):
            jsa.pop()
        case(target, "load_verify_locations", *args, kwargs=kw, jsArgs=jsa)
    for protos in [[5], ["a" * 256], "h2", None, [""], ["h2", "http/1.1"], [B(b"h2")], [None], 5, [LONE]]:
        case(target, "set_alpn_protocols", {"$list": protos} if isinstance(protos, list) else protos)
    for attr, js in [("minimum_version", "minimumVersion"), ("maximum_version", "maximumVersion"),
                     ("verify_mode", "verifyMode"), ("options", None), ("check_hostname", "checkHostname")]:
        for v in ["x", 999, None, BIG, -1, 1.5, 0, 2, 771, 772]:
            case(target, attr, v, js=js, set_=True)
    for args, kw in [((SOCK,), {}), ((SOCK,), {"server_hostname": "localhost"}),
                     ((SOCK,), {"server_hostname": 123}), ((SOCK,), {"server_hostname": ""}),
                     ((SOCK,), {"server_hostname": ".x"}), ((SOCK,), {"server_hostname": "a\0b"}),
                     ((SOCK,), {"server_side": True, "server_hostname": "localhost"}),
                     (({"$sock": "udp4"},), {"server_hostname": "localhost"}),
                     (({"$sock": "tcp4_closed"},), {"server_hostname": "localhost"}),
                     ((SOCK,), {"server_hostname": B(b"localhost")}),
                     ((SOCK,), {"server_hostname": LONE}),
                     ((SOCK,), {"server_side": True})]:
        jskw = {{"server_hostname": "serverHostname", "server_side": "serverSide"}[k]: v for k, v in kw.items()}
        case(target, "wrap_socket", *args, kwargs=kw, jsArgs=[*args, jskw])
for fn, js in [("DER_cert_to_PEM_cert", "derCertToPemCert"), ("PEM_cert_to_DER_cert", "pemCertToDerCert")]:
    for v in ["garbage", B(b"garbage"), 5, B(b""), "",
              "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
              "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
              "-----BEGIN CERTIFICATE-----\nAAAA\n", BA(b"garbage")]:
        case("ssl", fn, v, js=js)

# --- asyncore / asynchat / socketserver ----------------------------------------------------------
for args in [("x",), (S.AF_INET, 999), (BIG,), (S.AF_INET, "x"), (S.AF_INET, S.SOCK_STREAM)]:
    case("dispatcher", "create_socket", *args)
for a in [["::1", 0], ["127.0.0.1", "x"], ["127.0.0.1", 70000], "x", None, ["127.0.0.1"]]:
    case("dispatcher4", "bind", a)
    case("dispatcher4", "connect", a)
for v in ["x", -1, None, BIG]:
    case("dispatcher4", "listen", v)
for v in [-1, 1.5, "x", None, B(b"\r\n"), 0, 5, BIG, "\r\n"]:
    case("chat", "set_terminator", v)
for v in ["x", 5, None, {"$list": [1]}, B(b"x")]:
    case("chat", "push", v)
for cls in ["TCPServer", "UDPServer"]:
    for a in [["::1", 0], ["127.0.0.1", "x"], ["127.0.0.1", 70000], "x", None, ["127.0.0.1"],
              ["127.0.0.1", 0]]:
        case("socketserver", cls, a, {"$handler": 1}, new=True)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "cases.json"), "w") as f:
    json.dump(cases, f, indent=0, ensure_ascii=True)
    f.write("\n")
print(len(cases), "cases")
