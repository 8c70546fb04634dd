"""Runs tests/differential/cases.json in CPython and prints one JSON result per case:
{"id", "error": class name or null, "errno": number or null}. The pynet twin is
tests/differential/pynet_runner.ts; tests/differential_errors_test.ts compares them."""
import asynchat
import asyncore
import json
import os
import select
import selectors
import signal
import socket
import socketserver
import ssl
import sys
import warnings

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "..", "certs")
MODULES = {"socket": socket, "select": select, "selectors": selectors, "ssl": ssl,
           "asyncore": asyncore, "asynchat": asynchat, "socketserver": socketserver}


class Hang(Exception):
    pass


def on_alarm(*_):
    raise Hang()


signal.signal(signal.SIGALRM, on_alarm)


class Case:
    def __init__(self):
        self.closers = []
        self.reg = None
        self.peer = None

    def keep(self, obj):
        if hasattr(obj, "close"):
            self.closers.append(obj)
        return obj

    def sock(self, kind):
        if kind == "tcp4":
            return self.keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        if kind == "tcp6":
            return self.keep(socket.socket(socket.AF_INET6, socket.SOCK_STREAM))
        if kind == "udp4":
            return self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        if kind == "udp6":
            return self.keep(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        if kind == "tcp4_closed":
            s = socket.socket()
            s.close()
            return s
        if kind == "tcp4_bound":
            s = self.sock("tcp4")
            s.bind(("127.0.0.1", 0))
            return s
        if kind == "tcp4_listen":
            s = self.sock("tcp4_bound")
            s.listen()
            return s
        if kind == "tcp4_conn":
            listener = self.sock("tcp4_listen")
            self.peer = listener.getsockname()
            s = self.sock("tcp4")
            s.connect(self.peer)
            self.keep(listener.accept()[0])
            return s
        raise KeyError(kind)

    def target(self, name):
        if name in MODULES:
            return MODULES[name]
        if name.startswith(("tcp", "udp")):
            return self.sock(name)
        if name.startswith("poll"):
            p = select.poll()
            if name == "poll_reg":
                self.reg = self.sock("tcp4")
                p.register(self.reg)
            return p
        if name.startswith("epoll"):
            e = self.keep(select.epoll())
            if name == "epoll_reg":
                self.reg = self.sock("tcp4")
                e.register(self.reg)
            if name == "epoll_closed":
                self.reg = self.sock("tcp4")
                e.register(self.reg)
                e.close()
            return e
        if name.startswith("sel"):
            s = self.keep(selectors.DefaultSelector())
            if name in ("sel_reg", "sel_closed"):
                self.reg = self.sock("tcp4")
                s.register(self.reg, selectors.EVENT_READ)
            if name == "sel_closed":
                s.close()
            return s
        if name == "ctx_client":
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if name == "ctx_server":
            return ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if name == "dispatcher":
            return self.keep(asyncore.dispatcher(map={}))
        if name == "dispatcher4":
            d = self.keep(asyncore.dispatcher(map={}))
            d.create_socket(socket.AF_INET, socket.SOCK_STREAM)
            return d
        if name == "chat":
            return self.keep(asynchat.async_chat(map={}))
        raise KeyError(name)

    def value(self, v):
        if isinstance(v, list):
            return tuple(self.value(x) for x in v)
        if isinstance(v, dict):
            if "$b" in v:
                return bytes.fromhex(v["$b"])
            if "$ba" in v:
                return bytearray.fromhex(v["$ba"])
            if "$i" in v:
                return int(v["$i"])
            if "$f" in v:
                return float(v["$f"])
            if "$sur" in v:
                return chr(int(v["$sur"], 16))
            if "$list" in v:
                return [self.value(x) for x in v["$list"]]
            if "$sock" in v:
                return self.sock(v["$sock"])
            if "$reg" in v:
                return self.reg
            if "$cert" in v:
                return os.path.join(CERTS, v["$cert"])
            if "$handler" in v:
                return socketserver.BaseRequestHandler
            return {k: self.value(x) for k, x in v.items()}
        if v == "$peer":
            return self.peer
        return v

    def close(self):
        for obj in reversed(self.closers):
            try:
                obj.close()
            except Exception:
                pass


def run(c):
    ctx = Case()
    try:
        target = ctx.target(c["target"])
        args = [ctx.value(a) for a in c["args"]]
        kwargs = {k: ctx.value(v) for k, v in c.get("kwargs", {}).items()}
        signal.setitimer(signal.ITIMER_REAL, 2)
        try:
            if c.get("set"):
                setattr(target, c["call"], args[0])
            else:
                result = getattr(target, c["call"])(*args, **kwargs)
                if isinstance(result, tuple) and result and hasattr(result[0], "close"):
                    ctx.keep(result[0])
                ctx.keep(result)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return {"id": c["id"], "error": None, "errno": None}
    except Hang:
        return {"id": c["id"], "error": "hang", "errno": None}
    except BaseException as e:
        errno = getattr(e, "errno", None) if isinstance(e, OSError) else None
        return {"id": c["id"], "error": type(e).__name__, "errno": errno, "message": str(e)[:200]}
    finally:
        ctx.close()
        socket.setdefaulttimeout(None)


def main():
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    out = [run(c) for c in cases]
    json.dump(out, sys.stdout)


main()
