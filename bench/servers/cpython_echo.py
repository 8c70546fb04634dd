"""CPython echo server for the pynet benchmarks.

The default is a `selectors` non-blocking loop, the fastest of the idiomatic standard-library
echoes measured here (see BENCHMARKS.md); `--impl asyncio-streams` and `--impl asyncio-protocol`
keep the alternatives runnable so that choice can be re-checked.

Prints its port on the first line of stdout and runs until killed.
"""

import selectors
import socket
import sys

RECV_SIZE = 65536


def serve_selectors(srv: socket.socket) -> None:
    sel = selectors.DefaultSelector()
    srv.setblocking(False)
    sel.register(srv, selectors.EVENT_READ, None)
    # Per connection: bytes accepted from the peer but not yet written back. While any are
    # pending the connection is watched for writability only, which is the same
    # backpressure as the other servers' "read, write all, then read again".
    pending: dict[socket.socket, memoryview] = {}

    def close(conn: socket.socket) -> None:
        sel.unregister(conn)
        pending.pop(conn, None)
        conn.close()

    while True:
        for key, events in sel.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is srv:
                while True:
                    try:
                        conn, _ = srv.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sel.register(conn, selectors.EVENT_READ, None)
                continue
            try:
                if events & selectors.EVENT_WRITE:
                    rest = pending[sock]
                    n = sock.send(rest)
                    if n < len(rest):
                        pending[sock] = rest[n:]
                    else:
                        del pending[sock]
                        sel.modify(sock, selectors.EVENT_READ, None)
                elif events & selectors.EVENT_READ:
                    data = sock.recv(RECV_SIZE)
                    if not data:
                        close(sock)
                        continue
                    try:
                        n = sock.send(data)
                    except BlockingIOError:
                        n = 0
                    if n < len(data):
                        pending[sock] = memoryview(data)[n:]
                        sel.modify(sock, selectors.EVENT_WRITE, None)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                # A peer reset ends this connection only.
                close(sock)


def serve_asyncio_streams(srv: socket.socket) -> None:
    import asyncio

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while data := await reader.read(RECV_SIZE):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, sock=srv)
        await server.serve_forever()

    asyncio.run(main())


def serve_asyncio_protocol(srv: socket.socket) -> None:
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            transport.get_extra_info("socket").setsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
            )

        def data_received(self, data: bytes) -> None:
            self.transport.write(data)

        # Stop reading while the peer is not reading its echo, as the other servers do.
        def pause_writing(self) -> None:
            self.transport.pause_reading()

        def resume_writing(self) -> None:
            self.transport.resume_reading()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, sock=srv)
        await server.serve_forever()

    asyncio.run(main())


IMPLS = {
    "selectors": serve_selectors,
    "asyncio-streams": serve_asyncio_streams,
    "asyncio-protocol": serve_asyncio_protocol,
}


def main() -> None:
    impl = "selectors"
    args = sys.argv[1:]
    if args[:1] == ["--impl"] and len(args) == 2 and args[1] in IMPLS:
        impl = args[1]
    elif args:
        sys.exit(f"usage: cpython_echo.py [--impl {'|'.join(IMPLS)}]")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    print(srv.getsockname()[1], flush=True)
    try:
        IMPLS[impl](srv)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
