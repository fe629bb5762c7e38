"""Make the README's screenshots from real runs: SVGs from the app, PNGs from the SVGs.

Everything on the pictures happened: the app is built by the same factory as `console open`
(console.ui.app.create_app) on a copy of examples/acme with its packages installed
(`npm ci`), the console starts the site's real `next dev` itself, and the runs are real
requests to it (their ids, lines and states are the engine's). The clock is the real one.
Pictures: the main screen at 120x40 and at 80x24, the problems screen, the timeline over 7
days, a run's detail, the production confirm dialog, and a generated 32-route project.

    python scripts/screenshots.py [--setup] [--out screenshots] [--node-modules DIR]

`--setup` installs what the PNGs need on Debian: rsvg-convert (librsvg2-bin) and a monospace
font (fonts-dejavu-core), so the columns line up. npm must be on PATH (for `npm ci`).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.engine import DevState, Engine, RunRequest, RunStore, history_path  # noqa: E402
from console.model import RunState  # noqa: E402
from console.project import discover  # noqa: E402
from console.settings import load_settings  # noqa: E402
from console.ui.app import ConsoleApp, create_app  # noqa: E402
from tests.ui.demo import generated_project  # noqa: E402

ACME = ROOT / "examples" / "acme"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_copy(tmp: Path, node_modules: Path | None) -> Path:
    """examples/acme in a temp folder with its packages (`npm ci`, or a link to an installed
    node_modules), and a console.toml that runs its `next dev` on a free port (3000 may be
    taken). The deployed URLs are never sent to: the production picture is of the dialog."""
    site = tmp / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    if node_modules is not None:
        (site / "node_modules").symlink_to(node_modules.resolve())
    else:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
            cwd=site,
            check=True,
        )
    port = free_port()
    (site / "console.toml").write_text(
        f"""[targets.local]
kind = "local"
url = "http://localhost:{port}"

[targets.preview]
kind = "preview"
url = "https://deploy-preview-42--acme.netlify.app"

[targets.production]
kind = "production"
url = "https://acme.netlify.app"

[dev]
command = "npx next dev -p {port}"
url = "http://localhost:{port}"
""",
        encoding="utf-8",
    )
    return site


async def until(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise TimeoutError(f"the scene did not settle: {what}")
        await asyncio.sleep(0.1)


WARM_UP = (
    "/api/hello",
    "/api/explode",
    "/api/cleanup",
    "/api/import-csv-background?fail=0",
    "/api/slow?seconds=0",
    "/api/daily-report",
)


def warm_up(base: str, paths: tuple[str, ...]) -> None:
    import contextlib
    import urllib.error
    import urllib.request

    for path in paths:
        # /api/explode answers 500 on purpose: it is compiled all the same.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(base + path, timeout=180).read()


def save(app: ConsoleApp, out: Path, name: str, title: str) -> None:
    svg = app.export_screenshot(title=title)
    # librsvg collapses the leading spaces of a text run unless told to keep them, and the font
    # must be one that is installed for the columns to line up.
    svg = svg.replace("<svg ", '<svg xml:space="preserve" ', 1)
    svg = svg.replace('"Fira Code"', f'"{FONT}"').replace(
        "Fira Code, monospace", f"{FONT}, monospace"
    )
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


def select_route(app: ConsoleApp, path: str) -> None:
    panel = app.main.routes_panel
    panel.table.cursor = [r.route.route for r in panel.shown].index(path)


async def example_site(out: Path, tmp: Path, node_modules: Path | None) -> None:
    """One session on the example: the console starts `next dev`, real runs go to it."""
    site = site_copy(tmp, node_modules)
    project = discover(site)
    settings = load_settings(site)
    store = RunStore(history_path(site), settings.history)
    engine = Engine(project, settings, store)
    app = create_app(engine, start_dev=True)
    title = "console open examples/acme"
    async with app.run_test(size=(120, 40)) as pilot:
        assert engine.dev is not None
        await until(lambda: engine.dev is not None and engine.dev.state is DevState.READY, "dev")
        local = settings.local
        # `next dev` compiles a route on its first request, which on a slow machine takes more
        # than an api route's 10 s: ask for each once first, as a browser would (not a run).
        await asyncio.to_thread(warm_up, local.url, WARM_UP)

        def send(path: str, **query: str) -> None:
            route = engine.project.route(path)
            assert route is not None, path
            engine.submit(route, local, RunRequest(query=tuple(query.items())))

        def state(path: str) -> RunState | None:
            runs = [r for r in app.main.runs.values() if r.route == path]
            return runs[0].state if runs else None

        for path, query in (
            ("/api/hello", {}),
            ("/api/explode", {}),
            ("/api/cleanup", {}),
            ("/api/import-csv-background", {"fail": "0"}),
        ):
            send(path, **query)
            await until(lambda p=path: state(p) is not None and state(p).final, path)
        send("/api/slow")  # 15 s of work against a 10 s deadline: a countdown that runs out
        await until(lambda: state("/api/slow") is RunState.RUNNING, "slow running")
        await asyncio.sleep(7)  # the countdown is past its warning mark
        select_route(app, "/api/daily-report")
        await pilot.pause(0.5)
        save(app, out, "main", title)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.5)
        save(app, out, "main-80x24", title)
        await pilot.resize_terminal(120, 40)
        await until(lambda: state("/api/slow") is RunState.TIMED_OUT, "slow timed out", 30)
        await pilot.press("e")
        await pilot.pause(0.5)
        save(app, out, "problems", title)
        await pilot.press("escape")
        await app.main.run_action("zoom_timeline")
        await pilot.pause(0.5)
        save(app, out, "timeline-7d", title)
        await app.main.run_action("zoom_timeline")
        runs = app.main.runs_panel
        runs.table.move_cursor(row=[r.route for r in runs.runs].index("/api/explode"))
        await app.main.run_action("run_detail")
        await pilot.pause(0.5)
        save(app, out, "run-logs", title)
        await pilot.press("escape")
        await app.main.run_action("switch_target")
        await app.main.run_action("switch_target")
        select_route(app, "/api/hello")
        await app.main.run_action("trigger")
        await pilot.pause(0.5)
        save(app, out, "production-confirm", title)
        await pilot.press("escape")  # "Don't send": nothing goes to production
        await app.close_engine()
    store.close()


async def many_routes(out: Path, tmp: Path) -> None:
    """A generated project of 32 routes (no dev server: the header says so)."""
    site = generated_project(tmp / "p32", 32)
    project = discover(site)
    settings = load_settings(site)
    store = RunStore(history_path(site), settings.history)
    engine = Engine(project, settings, store)
    app = create_app(engine, start_dev=False, probe_dev=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        save(app, out, "routes-32", "console open p32")
        await app.close_engine()
    store.close()


async def run(out: Path, node_modules: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        await example_site(out, Path(tmp), node_modules)
        await many_routes(out, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help="install rsvg-convert and a font")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument(
        "--node-modules", type=Path, help="an installed node_modules of the example (no npm ci)"
    )
    args = parser.parse_args()
    if args.setup:
        setup()
    if not shutil.which("rsvg-convert"):
        sys.exit("rsvg-convert is missing: run with --setup (Debian) or install librsvg2-bin")
    if not shutil.which("npm"):
        sys.exit("npm is missing: the pictures come from the example's real next dev")
    asyncio.run(run(args.out, args.node_modules))


if __name__ == "__main__":
    main()
