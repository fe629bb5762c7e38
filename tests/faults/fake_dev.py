"""A stand-in dev server: prints what the test asks for, spawns grandchildren, serves $PORT.

Run by the console as its `[dev] command`:
`python -m tests.faults.fake_dev [--hostile] [--flood-mb N] [--giant-mb N] [--children N]
[--log-headers] [--die-after-request] [--starts FILE] [--start-delay S]`. With `--starts`, each
launch appends its pid to FILE (so a test counts the servers started); `--start-delay` waits
before listening, as `next dev` compiles before it does. Every request is answered 200 with a JSON body and logged as one line naming
the path (so the console attributes it to its run), except `/api/slow*`, which hangs, and
`/api/fail*`, which answers 500.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Lines a hostile (or merely colourful) dev server prints. Each carries a visible marker word
# that must reach the screen, and an invisible part that must not do anything.
HOSTILE_LINES: list[bytes] = [
    b"MARK-title \x1b]0;PWNED-TITLE\x07after-title",
    b"MARK-title2 \x1b]2;PWNED-TITLE\x1b\\after-title2",
    b"MARK-clear \x1b[2J\x1b[3J\x1b[H\x1bcafter-clear",
    b"MARK-link \x1b]8;;https://evil.example/\x1b\\click-me\x1b]8;;\x1b\\ after-link",
    b"MARK-cursor \x1b[10;10H\x1b[5A\x1b[?25l\x1b[?1049h\x1b[?1000h after-cursor",
    b"MARK-colour \x1b[1;31mred\x1b[0m \x1b[38;2;255;0;0mtrue\x1b[0m after-colour",
    b"MARK-markup [bold red]not bold[/] [link=https://evil.example]x[/link] [/] [@click=app.quit]q[/]",
    b"MARK-nul a\x00b\x00c after-nul",
    b"MARK-utf8 caf\xc3\xa9 \xff\xfe\xc3 after-utf8",
    b"MARK-c1 \xc2\x9b31m\xc2\x9d0;PWNED-TITLE\xc2\x9c after-c1",
    b"MARK-dcs \x1bPq#0;2;0;0;0#0~~@@\x1b\\ after-dcs",
    b"MARK-bell \x07\x07\x08\x08 after-bell",
    b"MARK-cr 10%\r50%\r100% after-cr",
    b"MARK-tab a\tb after-tab",
]
VISIBLE_MARKERS = [line.split(b" ", 1)[0].decode() for line in HOSTILE_LINES]


def _serve(port: int, log_headers: bool, die_after_request: bool) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            print(f"handling {self.command} {self.path}", flush=True)
            if log_headers:
                for k, v in self.headers.items():
                    print(f"{self.path} header {k}: {v}", flush=True)
            if die_after_request:
                os._exit(3)  # a crash with the request's headers as its last words
            if self.path.startswith("/api/slow"):
                time.sleep(600)
            status = 500 if self.path.startswith("/api/fail") else 200
            body = b'{"ok": true}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            print(f"done {self.path} {status}", flush=True)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    Server(("127.0.0.1", port), Handler).serve_forever(poll_interval=0.05)


# A grandchild that says how it ended: on SIGTERM it writes `term-<pid>` into $FAKE_DEV_MARKS.
CHILD = """
import os, signal, sys, time
def bye(signum, frame):
    marks = os.environ.get("FAKE_DEV_MARKS")
    if marks:
        open(os.path.join(marks, f"term-{os.getpid()}"), "w").close()
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
marks = os.environ.get("FAKE_DEV_MARKS")
if marks:
    open(os.path.join(marks, f"ready-{os.getpid()}"), "w").close()
print(f"child {os.getpid()} sid {os.getsid(0)}", flush=True)
time.sleep(600)
"""


def _spawn_children(n: int) -> None:
    """Grandchildren of the console, as npm and next leave them: the last also leaves the group
    (a daemonizing tool: a new session, so not in the dev server's process group)."""
    for i in range(n):
        setsid = ["setsid"] if i == n - 1 else []
        subprocess.Popen([*setsid, sys.executable, "-c", CHILD])
    marks = os.environ.get("FAKE_DEV_MARKS")
    while marks and n and len(glob.glob(os.path.join(marks, "ready-*"))) < n:
        time.sleep(0.01)  # serve only once every child can take its SIGTERM


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--hostile", action="store_true")
    p.add_argument("--flood-mb", type=float, default=None)
    p.add_argument("--giant-mb", type=float, default=0)
    p.add_argument("--children", type=int, default=0)
    p.add_argument("--log-headers", action="store_true")
    p.add_argument("--die-after-request", action="store_true")
    p.add_argument("--starts", default=None)
    p.add_argument("--start-delay", type=float, default=0)
    args = p.parse_args()
    if args.starts:
        with open(args.starts, "a", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
    if args.start_delay:
        time.sleep(args.start_delay)
    out = sys.stdout.buffer
    _spawn_children(args.children)
    if args.hostile:
        for line in HOSTILE_LINES:
            out.write(line + b"\n")
        out.flush()
    if args.giant_mb:
        out.write(b"GIANT-START " + b"x" * int(args.giant_mb * 1024 * 1024) + b" GIANT-END\n")
        out.flush()
    if args.flood_mb is not None:
        # Varied, mostly printable lines with escapes and bad bytes sprinkled in.
        block = b"".join(
            b"flood %06d \x1b[32mok\x1b[0m \xff payload %s\n" % (i, b"y" * (i % 200))
            for i in range(2000)
        )
        left = int(args.flood_mb * 1024 * 1024)
        while left > 0:
            chunk = block[:left]
            out.write(chunk)
            left -= len(chunk)
        out.write(b"FLOOD-END\n")
        out.flush()
    print("ready", flush=True)
    _serve(int(os.environ["PORT"]), args.log_headers, args.die_after_request)


if __name__ == "__main__":
    main()
