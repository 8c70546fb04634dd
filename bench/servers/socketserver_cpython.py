"""CPython's socketserver echo for bench/socketserver_bench.ts: the contender pynet's
socketserver is measured beside.

    python3 bench/servers/socketserver_cpython.py [--server threading|forking] [--work N]

A ThreadingTCPServer (a thread per connection) or ForkingTCPServer (a process per
connection) whose BaseRequestHandler echoes with recv(65536)/sendall until EOF, as
bench/servers/socketserver_pynet.ts does. `--work N` first spends N rounds of a busy loop per
request (the multi-core load; the same FNV-1a loop as the pynet server, far slower in Python).

Prints its port on the first line of stdout and serves until killed.
"""

import socket
import socketserver
import sys


def busy(data: bytes, rounds: int) -> int:
    """FNV-1a over `data`, `rounds` times: CPU work the interpreter cannot skip."""
    h = 0x811C9DC5
    for _ in range(rounds):
        for b in data:
            h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


class EchoHandler(socketserver.BaseRequestHandler):
    work = 0
    sink = 0

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        while data := self.request.recv(65536):
            if self.work:
                EchoHandler.sink ^= busy(data, self.work)
            self.request.sendall(data)


class ThreadingServer(socketserver.ThreadingTCPServer):
    # The default of 5 drops SYNs when 20 clients connect at once (a 1 s retransmit each);
    # every contender listens with a backlog of at least 128.
    request_queue_size = 128
    daemon_threads = True


class ForkingServer(socketserver.ForkingTCPServer):
    request_queue_size = 128


def main() -> None:
    args = sys.argv[1:]
    kind = "threading"
    while args:
        flag, value, *args = args
        if flag == "--server" and value in ("threading", "forking"):
            kind = value
        elif flag == "--work" and value.isdigit():
            EchoHandler.work = int(value)
        else:
            sys.exit("usage: socketserver_cpython.py [--server threading|forking] [--work N]")
    cls = ThreadingServer if kind == "threading" else ForkingServer
    with cls(("127.0.0.1", 0), EchoHandler) as server:
        print(server.server_address[1], flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
