"""CPython's asynchat line server for the pynet asyncore benchmark (bench/asyncore_bench.ts).

A line-based request/response server: an `async_chat` handler with the terminator b"\\n" that
collects each line and pushes it back with its newline (so to the load generator it is an echo
of newline-terminated requests). bench/servers/pynet_asynchat.ts is the same server on pynet.

Prints its port on the first line of stdout and runs until killed.
"""

import socket
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asynchat
    import asyncore


class LineHandler(asynchat.async_chat):
    def __init__(self, sock):
        asynchat.async_chat.__init__(self, sock)
        self.set_terminator(b"\n")
        self.line = []

    def collect_incoming_data(self, data):
        self.line.append(data)

    def found_terminator(self):
        request = b"".join(self.line)
        self.line = []
        self.push(request + b"\n")


class LineServer(asyncore.dispatcher):
    def __init__(self, host, port):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.set_reuse_addr()
        self.bind((host, port))
        self.listen(128)

    def handle_accepted(self, sock, addr):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        LineHandler(sock)


server = LineServer("127.0.0.1", 0)
print(server.socket.getsockname()[1], flush=True)
try:
    asyncore.loop()
except KeyboardInterrupt:
    pass
