"""A real HTTP(S) server on 127.0.0.1 in a thread, scripted per path, recording what it got."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    hang: threading.Event | None = None  # answer only once this is set (or never, if stopped)
    reset_after: int | None = None  # send this many body bytes, then reset the connection
    chunk: int = 64 * 1024


Script = Callable[[Received], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedServer._Http
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        n = int(self.headers.get("content-length") or 0)
        got = Received(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            self.rfile.read(n) if n else b"",
        )
        owner = self.server.owner
        with owner.lock:
            owner.received.append(got)
        for hook in list(owner.on_request):
            hook(got)
        script = owner.routes.get(got.path.split("?", 1)[0], owner.default)
        reply = script(got)
        if reply.hang is not None:
            while not reply.hang.wait(0.05):
                if owner.stopping.is_set():
                    self.close_connection = True
                    return
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        body = reply.body if reply.reset_after is None else reply.body[: reply.reset_after]
        for i in range(0, len(body), reply.chunk):
            self.wfile.write(body[i : i + reply.chunk])
        if reply.reset_after is not None:
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST instead of FIN, a connection reset mid-body.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass


class ScriptedServer:
    """`routes` maps a path to a script; everything else gets `default` (200 "ok")."""

    class _Http(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024
        owner: ScriptedServer

        def handle_error(self, request: object, client_address: object) -> None:
            import sys

            if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
                super().handle_error(request, client_address)  # type: ignore[arg-type]

    def __init__(self, *, tls: bool = False, host: str = "127.0.0.1") -> None:
        self.received: list[Received] = []
        self.routes: dict[str, Script] = {}
        self.default: Script = lambda _r: Reply()
        self.on_request: list[Callable[[Received], None]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._http = self._Http((host, 0), _Handler)
        self._http.owner = self
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(DATA / "selfsigned.pem", DATA / "selfsigned.key")
            self._http.socket = ctx.wrap_socket(self._http.socket, server_side=True)
        self.port = self._http.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def reply(self, path: str, reply: Reply | Script) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _r: reply)

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.received]

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)


@contextmanager
def serving(**kwargs: object) -> Iterator[ScriptedServer]:
    server = ScriptedServer(**kwargs).start()  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
