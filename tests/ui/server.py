"""A real HTTP server on 127.0.0.1 in a thread that records every request it gets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class RecordingServer:
    """Answers 200 (or `statuses[path]`) with `payload`; paths under `held` (`/api/slow`) hold
    the answer until released (or 10 s)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.release = threading.Event()
        self.statuses: dict[str, int] = {}  # path -> status to answer instead of 200
        self.payload = b'{"ok": true}'
        self.held = ("/api/slow",)  # path prefixes whose answer waits for `release`
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(
                        Received(self.command, self.path, dict(self.headers), body)
                    )
                if self.path.startswith(server.held):
                    server.release.wait(10)
                payload = server.payload
                try:
                    self.send_response(server.statuses.get(self.path.split("?")[0], 200))
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the console gave up on it (cancelled or timed out)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


@contextmanager
def serving() -> Iterator[RecordingServer]:
    server = RecordingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
