"""Make the README's screenshots from the example site: SVGs from the app, PNGs from the SVGs.

The app is built by the same factory as `console open` (console.ui.app.create_app), on
examples/acme, with a frozen clock and the real engine sending real requests to a small local
server that stands in for the dev server (so the runs and countdowns on the pictures are real).

    python scripts/screenshots.py [--setup] [--out screenshots]

`--setup` installs what the PNGs need on Debian: rsvg-convert (librsvg2-bin) and a monospace
font (fonts-dejavu-core), so the columns line up.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.engine import Engine, FakeClock, LogLine, RunStore  # noqa: E402
from console.model import Project, RouteKind, Run, RunState, Target, TargetKind  # noqa: E402
from console.project import discover  # noqa: E402
from console.settings import Settings  # noqa: E402
from console.ui.app import ConsoleApp, create_app  # noqa: E402
from tests.ui.demo import finished_run  # noqa: E402

ACME = ROOT / "examples" / "acme"
NOW = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)  # a Tuesday afternoon
ZONE = ZoneInfo("Europe/Berlin")
SIZE = (120, 35)
FONT = "DejaVu Sans Mono"
PACKAGES = ("librsvg2-bin", "fonts-dejavu-core")


def setup() -> None:
    """Install rsvg-convert and a monospace font when they are missing (Debian, as root)."""
    have_font = FONT in subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    if shutil.which("rsvg-convert") and have_font:
        return
    if not shutil.which("apt-get"):
        sys.exit(f"install rsvg-convert and the {FONT} font, then run again")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *PACKAGES], check=True)


@contextmanager
def stand_in_dev_server() -> Iterator[str]:
    """Answers like a dev server: at once, except `/api/slow` and background routes (held)."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if self.path.startswith("/api/slow") or "background" in self.path:
                release.wait(30)
            body = b'{"ok": true}'
            try:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def finished(n: int, route: str, kind: RouteKind, state: RunState, ago: float, took: float,
             status: int | None, logs: tuple[str, ...], reason: str | None = None) -> Run:  # fmt: skip
    return finished_run(NOW, f"20250603-13{n:02d}-demo{n}", route, kind, state, ago, took, status, logs, reason)  # fmt: skip


HISTORY = (
    finished(1, "/api/cleanup", RouteKind.SCHEDULED, RunState.SUCCEEDED, 420, 0.8, 200,
             ("-> POST http://localhost:3000/api/cleanup (scheduled, deadline 30 s)",
              "running…", "<- 200 OK", "cleanup: removed 12 expired sessions",
              "succeeded in 0.8 s (HTTP 200)")),
    finished(2, "/api/explode", RouteKind.API, RunState.FAILED, 300, 0.2, 500,
             ("-> GET http://localhost:3000/api/explode (api, deadline 10 s)", "running…",
              "<- 500 Internal Server Error",
              "Error: something went wrong on purpose",
              "    at handler (pages/api/explode.js:4:9)",
              "failed: HTTP 500"), reason="HTTP 500"),
)  # fmt: skip

DEV_LINES = (
    "▲ Next.js 13.4.19",
    "- Local:        http://localhost:3000",
    "event - compiled client and server successfully in 1184 ms (312 modules)",
    "wait  - compiling /api/cleanup (client and server)...",
    "event - compiled successfully in 96 ms (37 modules)",
)


class Scene:
    """The example site on a frozen clock, with history and a stand-in dev server."""

    def __init__(self, project: Project, url: str, tmp: Path) -> None:
        self.store = RunStore(tmp / "history.sqlite3")
        for run in HISTORY:
            self.store.insert(run)
        settings = Settings(
            targets=(
                Target("local", TargetKind.LOCAL, url),
                Target(
                    "preview", TargetKind.PREVIEW, "https://deploy-preview-42--acme.netlify.app"
                ),
                Target("production", TargetKind.PRODUCTION, "https://acme.netlify.app"),
            ),
        )
        self.clock = FakeClock(NOW)
        self.engine = Engine(project, settings, self.store, clock=self.clock)
        self.app: ConsoleApp = create_app(
            self.engine, clock=self.clock, tz=ZONE, start_dev=False, probe_dev=False
        )

    async def live(self) -> None:
        """Two runs still going (one near its deadline), dev lines, the scheduler on."""
        app, engine = self.app, self.engine
        for text in DEV_LINES:
            engine.bus.publish(LogLine(text, NOW - timedelta(seconds=30), "dev", None))
        local = engine.settings.local
        for path in ("/api/import-csv-background", "/api/slow"):
            route = engine.project.route(path)
            assert route is not None, path
            engine.submit(route, local)
        await until(lambda: sum(r.state is RunState.RUNNING for r in app.main.runs.values()) == 2)
        await self.clock.advance(8.6)  # the api run has 1.4 s of its 10 left: the bar warns
        engine.scheduler.set_enabled(True)
        await asyncio.sleep(0.3)

    def select_route(self, path: str) -> None:
        panel = self.app.main.routes_panel
        panel.table.cursor = [r.route.route for r in panel.shown].index(path)


async def until(check: Callable[[], bool], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise TimeoutError("the scene did not settle")
        await asyncio.sleep(0.02)


async def shoot(
    out: Path, name: str, project: Project, act: Callable[[Scene], Awaitable[None]]
) -> None:
    with stand_in_dev_server() as url, tempfile.TemporaryDirectory() as tmp:
        scene = Scene(project, url, Path(tmp))
        async with scene.app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await act(scene)
            await pilot.pause(0.5)
            svg = scene.app.export_screenshot(title="console open examples/acme")
            await scene.app.close_engine()
        scene.store.close()
    # librsvg collapses the leading spaces of a text run unless told to keep them, and the font
    # must be one that is installed for the columns to line up.
    svg = svg.replace("<svg ", '<svg xml:space="preserve" ', 1)
    svg = svg.replace('"Fira Code"', f'"{FONT}"').replace(
        "Fira Code, monospace", f"{FONT}, monospace"
    )
    svg = svg.replace(url, "http://localhost:3000")  # the stand-in's port is not the point
    (out / f"{name}.svg").write_text(svg, encoding="utf-8")
    subprocess.run(
        [
            "rsvg-convert",
            "--width",
            "1600",
            str(out / f"{name}.svg"),
            "-o",
            str(out / f"{name}.png"),
        ],
        check=True,
    )
    print(f"{out / name}.png")


async def main_screen(scene: Scene) -> None:
    await scene.live()
    scene.select_route("/api/daily-report")


async def production_confirm(scene: Scene) -> None:
    await scene.live()
    await scene.app.main.run_action("switch_target")
    await scene.app.main.run_action("switch_target")
    scene.select_route("/api/hello")
    await scene.app.main.run_action("trigger")


async def timeline_week(scene: Scene) -> None:
    await scene.live()
    await scene.app.main.run_action("zoom_timeline")


async def run_with_logs(scene: Scene) -> None:
    await scene.live()
    runs = scene.app.main.runs_panel
    runs.table.move_cursor(row=[r.route for r in runs.runs].index("/api/explode"))
    await scene.app.main.run_action("run_detail")


async def run(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    project = discover(ACME)
    await shoot(out, "main", project, main_screen)
    await shoot(out, "production-confirm", project, production_confirm)
    await shoot(out, "timeline-7d", project, timeline_week)
    await shoot(out, "run-logs", project, run_with_logs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help="install rsvg-convert and a font")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    if args.setup:
        setup()
    if not shutil.which("rsvg-convert"):
        sys.exit("rsvg-convert is missing: run with --setup (Debian) or install librsvg2-bin")
    asyncio.run(run(args.out))


if __name__ == "__main__":
    main()
