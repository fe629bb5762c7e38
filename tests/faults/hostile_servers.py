"""Servers that misbehave at the socket level, on 127.0.0.1 or ::1, one behaviour per server.

Each accepted connection gets the request read (up to the blank line) and is then handed to a
behaviour: a function that writes whatever it likes and may loop until the server stops. For
faults a well-behaved `http.server` cannot produce: slow headers, endless bodies, lying lengths.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[[socket.socket, threading.Event], None]


class RawServer:
    def __init__(self, behaviour: Behaviour, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        self.url = f"http://{shown}:{self.port}"
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.requests: list[bytes] = []
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
            self.requests.append(head)
            with contextlib.suppress(OSError):
                self.behaviour(conn, self.stopping)

    def start(self) -> RawServer:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._accepter.join(5)
        for t in self._threads:
            t.join(5)
        self.sock.close()


@contextmanager
def raw_server(behaviour: Behaviour, host: str = "127.0.0.1") -> Iterator[RawServer]:
    server = RawServer(behaviour, host).start()
    try:
        yield server
    finally:
        server.stop()


# --- behaviours ---------------------------------------------------------------------------


def slowloris_headers(conn: socket.socket, stop: threading.Event) -> None:
    """A status line, then header bytes one at a time, forever."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.05):
        conn.sendall(b"X")


def endless_body(conn: socket.socket, stop: threading.Event) -> None:
    """A chunked body that never ends, as fast as the client reads it."""
    conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"z" * 65536)
    while not stop.is_set():
        conn.sendall(chunk)


def short_body_then_close(conn: socket.socket, stop: threading.Event) -> None:
    """Promises 1000 bytes, sends 10, hangs up."""
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")


def short_body_then_stall(conn: socket.socket, stop: threading.Event) -> None:
    """Promises 1000 bytes, sends 10, keeps the connection open and silent."""
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")
    stop.wait(30)


def long_body(conn: socket.socket, stop: threading.Event) -> None:
    """Promises 5 bytes, sends 5000 (the rest is not this response's)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n" + b"y" * 5000)
    stop.wait(1)


def bad_content_length(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: lots\r\n\r\nhello")


def two_content_lengths(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 50\r\n\r\nhello")


def not_http(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")


def close_at_once(conn: socket.socket, stop: threading.Event) -> None:
    pass  # the `with` closes it


def huge_header(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nx-big: " + b"h" * 300_000 + b"\r\ncontent-length: 0\r\n\r\n")


def control_characters_in_the_head(conn: socket.socket, stop: threading.Event) -> None:
    """A reason phrase and a header that try to set the terminal title."""
    conn.sendall(
        b"HTTP/1.1 200 \x1b]0;PWNED\x07OK\r\nx-evil: \x1b[2J[bold]x[/]\r\n"
        b"content-length: 2\r\n\r\nok"
    )


def redirect_loop(conn: socket.socket, stop: threading.Event) -> None:
    """301 back to the same URL, for ever."""
    conn.sendall(
        b"HTTP/1.1 301 Moved Permanently\r\nlocation: /api/hello\r\ncontent-length: 0\r\n\r\n"
    )


def ok(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")


def wait_for(predicate: Callable[[], bool], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)
