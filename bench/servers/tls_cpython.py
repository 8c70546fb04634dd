"""CPython TLS echo server for bench/ssl_bench.ts: prints its port, then serves until killed.

    python3 bench/servers/tls_cpython.py [--impl selectors|threads|asyncio]

SSLContext(PROTOCOL_TLS_SERVER) with load_cert_chain(tests/certs/server.pem, server.key), the
library defaults otherwise (TLS 1.2 and 1.3, two session tickets per handshake). Every accepted
socket gets TCP_NODELAY, as in bench/servers/cpython_echo.py.

- selectors (default): one thread, selectors.DefaultSelector (epoll), non-blocking sockets
  wrapped with do_handshake_on_connect=False; the handshake is driven by do_handshake() on
  readiness (SSLWantReadError / SSLWantWriteError), then recv(65536) and send, the rest of a
  partial send written on EVENT_WRITE before reading again. recv is repeated while pending()
  reports decrypted bytes the selector cannot see.
- threads: blocking sockets, one thread per connection, which does the handshake
  (do_handshake) and then recv(65536) / sendall.
- asyncio: asyncio.start_server(ssl=context) streams, reader.read(65536), writer.write, drain.
"""

import argparse
import asyncio
import selectors
import socket
import ssl
import threading

CERT = "tests/certs/server.pem"
KEY = "tests/certs/server.key"


def make_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    return ctx


def listening_socket() -> socket.socket:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(511)
    print(srv.getsockname()[1], flush=True)
    return srv


# ------------------------------------------------------------------ selectors


class Conn:
    __slots__ = ("sock", "handshaking", "out")

    def __init__(self, sock: ssl.SSLSocket) -> None:
        self.sock = sock
        self.handshaking = True
        self.out = b""


def serve_selectors() -> None:
    ctx = make_context()
    srv = listening_socket()
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)

    def drop(c: Conn) -> None:
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    def handshake(c: Conn) -> None:
        try:
            c.sock.do_handshake()
        except ssl.SSLWantReadError:
            sel.modify(c.sock, selectors.EVENT_READ, c)
            return
        except ssl.SSLWantWriteError:
            sel.modify(c.sock, selectors.EVENT_WRITE, c)
            return
        except (OSError, ValueError):
            drop(c)
            return
        c.handshaking = False
        sel.modify(c.sock, selectors.EVENT_READ, c)
        # The client's first data may already sit decrypted inside the SSL object.
        echo(c)

    def flush(c: Conn) -> bool:
        """Writes what is pending; False if some is still left (EVENT_WRITE is then set)."""
        while c.out:
            try:
                n = c.sock.send(c.out)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                sel.modify(c.sock, selectors.EVENT_WRITE, c)
                return False
            c.out = c.out[n:]
        sel.modify(c.sock, selectors.EVENT_READ, c)
        return True

    def echo(c: Conn) -> None:
        try:
            if c.out and not flush(c):
                return
            while True:
                try:
                    data = c.sock.recv(65536)
                except (ssl.SSLWantReadError, BlockingIOError):
                    return
                except ssl.SSLWantWriteError:
                    sel.modify(c.sock, selectors.EVENT_WRITE, c)
                    return
                if not data:
                    drop(c)
                    return
                c.out = data
                if not flush(c):
                    return
                if not c.sock.pending():
                    # Nothing decrypted is left; another recv would most likely only raise
                    # SSLWantReadError, so go back to the selector.
                    return
        except (OSError, ValueError):
            drop(c)

    while True:
        for key, _ in sel.select():
            if key.data is None:
                while True:
                    try:
                        raw, _ = srv.accept()
                    except BlockingIOError:
                        break
                    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    raw.setblocking(False)
                    tls = ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
                    c = Conn(tls)
                    sel.register(tls, selectors.EVENT_READ, c)
                    handshake(c)
                continue
            c = key.data
            if c.handshaking:
                handshake(c)
            else:
                echo(c)


# ------------------------------------------------------------------ threads


def serve_threads() -> None:
    ctx = make_context()
    srv = listening_socket()

    def handle(raw: socket.socket) -> None:
        try:
            with ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False) as tls:
                tls.do_handshake()
                while True:
                    data = tls.recv(65536)
                    if not data:
                        break
                    tls.sendall(data)
        except (OSError, ValueError):
            pass

    while True:
        raw, _ = srv.accept()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(raw,), daemon=True).start()


# ------------------------------------------------------------------ asyncio


async def serve_asyncio() -> None:
    ctx = make_context()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (OSError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, backlog=511)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["selectors", "threads", "asyncio"], default="selectors")
    impl = ap.parse_args().impl
    if impl == "selectors":
        serve_selectors()
    elif impl == "threads":
        serve_threads()
    else:
        asyncio.run(serve_asyncio())


if __name__ == "__main__":
    main()
