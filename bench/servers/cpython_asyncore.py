"""CPython's asyncore echo server for the pynet asyncore benchmark (bench/asyncore_bench.ts).

The echo of Python's asyncore documentation (a `dispatcher_with_send` handler that sends back
what each `recv(8192)` returns, accepted by a listening `dispatcher`), with TCP_NODELAY on every
accepted socket as the other benchmark servers have. bench/servers/pynet_asyncore.ts is the same
server on pynet.

Prints its port on the first line of stdout and runs until killed.
"""

import socket
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore


class EchoHandler(asyncore.dispatcher_with_send):
    def handle_read(self):
        data = self.recv(8192)
        if data:
            self.send(data)


class EchoServer(asyncore.dispatcher):
    def __init__(self, host, port):
        asyncore.dispatcher.__init__(self)
        self.create_socket()
        self.set_reuse_addr()
        self.bind((host, port))
        self.listen(128)

    def handle_accepted(self, sock, addr):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        EchoHandler(sock)


server = EchoServer("127.0.0.1", 0)
print(server.socket.getsockname()[1], flush=True)
try:
    asyncore.loop()
except KeyboardInterrupt:
    pass
