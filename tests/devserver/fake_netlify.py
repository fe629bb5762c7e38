"""A stand-in for `netlify functions:serve --port N`: a real HTTP server that prints the CLI's lines.

Installed as `node_modules/.bin/netlify` of a test project (a shell script that execs this
file), so the console finds it as it finds the real CLI. It prints what netlify-cli 27.10.2
prints, in the order seen (tests/e2e checks the real one):

- any request: `Request from ::ffff:127.0.0.1: METHOD PATH`, then, when answered,
  `Response with status N in M ms.`;
- `/.netlify/functions/NAME-background`: `⬥ Queueing background function NAME for execution`,
  202, then `NAME: step k/3` lines and `⬥ Done executing background function NAME` followed
  by `NAME: done` (the CLI's marker can come before the function's last line), or with
  `?fail=1`, `⬥ Error during background function NAME execution: Error: boom`;
- `/.netlify/functions/tick` (scheduled): logs the user agent and body it got, answers 200;
- `/.netlify/functions/explode`: `⬥ Function explode has returned an error: boom`, a stack, 500;
- `/.netlify/functions/slow`: sleeps 5 s;
- anything else: 404.

With `FAKE_NETLIFY_TAGS=1` it marks every line of a request that carries `x-console-run` with
that run id, as the console's Node preload does in the real CLI (run_tags.py).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIX = "/.netlify/functions/"


TAGS = os.environ.get("FAKE_NETLIFY_TAGS") == "1"
context = threading.local()


def say(line: str) -> None:
    run_id = getattr(context, "run_id", None)
    if TAGS and run_id:
        line = f"\x1e{run_id}\x1f{line}"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # the CLI's lines only
        pass

    def do_GET(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        say(f"Response with status {status} in 1 ms.")

    def handle_any(self) -> None:
        context.run_id = self.headers.get("x-console-run")
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        say(f"Request from ::ffff:127.0.0.1: {self.command} {self.path}")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        name = parts.path.removeprefix(PREFIX)
        if not parts.path.startswith(PREFIX):
            self.answer(404, b"Function not found...")
        elif name.endswith("-background"):
            say(f"⬥ Queueing background function {name} for execution")
            self.answer(202)
            fail = query.get("fail") == ["1"]
            args = (name, fail, context.run_id)
            threading.Thread(target=background, args=args, daemon=True).start()
        elif name == "tick":
            say(f"tick: ua={self.headers.get('user-agent')} body={body or '-'}")
            self.answer(200)
        elif name == "explode":
            say("explode: about to throw")
            say("")
            say("⬥ Function explode has returned an error: boom")
            say("    at explode (explode.mjs:5:9)")
            say("")
            self.answer(500, b"Error: boom")
        elif name == "slow":
            time.sleep(5)
            self.answer(200)
        else:
            self.answer(404, b"Function not found...")


def background(name: str, fail: bool, run_id: str | None) -> None:
    context.run_id = run_id
    for step in (1, 2, 3):
        time.sleep(0.05)
        say(f"{name}: step {step}/3")
        if fail:
            say(f"⬥ Error during background function {name} execution: Error: boom")
            return
    say(f"⬥ Done executing background function {name}")
    time.sleep(0.02)
    say(f"{name}: done")


def main(argv: list[str]) -> int:
    port = int(argv[argv.index("--port") + 1])
    say("⬥ Ignored general context env var: LANG (defined in process)")
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    say(f"   Local dev server ready: http://localhost:{port}")
    say("⬥ Loaded function tick")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
