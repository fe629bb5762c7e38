"""Benchmark: the console screen's start-up and its log under a 300,000-line burst.

1. Start-up to the first frame (headless, 120x35): the console on the example site and on a
   generated 1,000-route project, against a bare Textual app in the same process (the baseline;
   aim: within 1.5x). Discovery is timed apart: it is the project layer's cost, not the screen's.
2. The log burst: 300,000 dev-server lines published on the engine's bus by a producer that
   yields to the loop every 1,000 lines (as a pipe reader does). Reported: lines/s through to the
   log view, the worst and median latency of a key (zoom the timeline) pressed every 100 ms while
   it runs, measured to the next frame, and the lines the view keeps (bounded by max_lines).
   Baseline in the same run: Textual's `Log` written one line at a time.

3. `console open` on a project of 50,000 route files: time to the first frame (keys work from
   there), time until every route is shown, key latency meanwhile, the screen's peak memory.

    python bench/ui.py [--rounds 5] [--lines 300000] [--files 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Footer, Log, Static

from console.engine import DevState, Engine, RunStore
from console.model import Project, Target
from console.model import TargetKind as TKind
from console.project import discover
from console.settings import DevSettings, Settings
from console.ui.app import ConsoleApp, create_app
from tests.ui.demo import generated_project

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"
SIZE = (120, 35)
SETTINGS = Settings(targets=())


class Bare(App[None]):
    """The baseline: a Textual app with a line of text and a footer."""

    def compose(self) -> ComposeResult:
        yield Static("hello")
        yield Footer()


async def first_frame(app: App[Any]) -> float:
    """Seconds from run_test() to the first frame after the app says it is ready."""
    return (await first_frame_times(app))[0]


async def first_frame_times(app: App[Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) from run_test() to the first frame after
    `ready`. The CPU time is what the app itself spends; the wall time also waits on the
    frame timer and, on a busy machine, on other processes."""
    start = time.perf_counter()
    cpu = time.process_time()
    done = asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.call_after_refresh(done.set)
        await done.wait()
        await pilot.pause()  # the frame after `ready` (the console loads runs on ready)
        elapsed = time.perf_counter() - start
        spent = time.process_time() - cpu
    return elapsed, spent


def console_app(project: Project, store_dir: Path) -> ConsoleApp:
    store = RunStore(store_dir / f"h{time.perf_counter_ns()}.sqlite3")
    engine = Engine(project, SETTINGS, store)
    return create_app(engine, start_dev=False)


async def startup(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        t = time.perf_counter()
        acme = discover(ACME, use_cache=False)
        acme_discover = time.perf_counter() - t
        gen_root = generated_project(tmp_path / "gen", 1000)
        t = time.perf_counter()
        gen = discover(gen_root, use_cache=False)
        gen_discover = time.perf_counter() - t
        store_dir = tmp_path / "stores"
        store_dir.mkdir()
        await first_frame(Bare())  # warm imports and caches for everyone
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "small": [], "large": []}
        for _ in range(rounds):
            runs["bare"].append(await first_frame_times(Bare()))
            runs["small"].append(await first_frame_times(console_app(acme, store_dir)))
            runs["large"].append(await first_frame_times(console_app(gen, store_dir)))
        wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
        b, bc = wall["bare"], cpu["bare"]
        print(f"start-up to first frame (median of {rounds}, headless {SIZE[0]}x{SIZE[1]}):")
        print("                               wall   ratio     CPU   ratio")
        for key, label, note in (
            ("bare", "bare Textual app", ""),
            ("small", "console, example site", f"  ({len(acme.routes)} routes)"),
            ("large", "console, 1,000 routes", f"  ({len(gen.routes)} routes)"),
        ):
            print(f"  {label:<24} {wall[key] * 1000:6.0f} ms {wall[key] / b:5.2f}x "
                  f"{cpu[key] * 1000:5.0f} ms {cpu[key] / bc:5.2f}x{note}")  # fmt: skip
        print(f"  discovery (not in the above): example {acme_discover * 1000:.0f} ms, "
              f"1,000 routes {gen_discover * 1000:.0f} ms (cold)")  # fmt: skip


async def big_project(n_files: int) -> None:
    """`console open` on a project of n route files, as the command builds it: the first look
    (package.json, netlify.toml) opens the screen, discovery runs in its process meanwhile."""
    import resource

    from console.commands.open import DiscoveryProcess, watch_project
    from console.project import first_look

    with tempfile.TemporaryDirectory() as tmp:
        root = generated_project(Path(tmp) / "big", n_files)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        process = DiscoveryProcess()
        project = first_look(root)
        assert project is not None
        store = RunStore(Path(tmp) / "h.sqlite3")
        engine = Engine(project, SETTINGS, store)
        app = create_app(
            engine,
            start_dev=False,
            probe_dev=False,
            project_updates=watch_project(root, discover_first=True, process=process),
            discovering=True,
        )
        async with app.run_test(size=SIZE) as pilot:
            shown = asyncio.Event()
            app.call_after_refresh(shown.set)
            await shown.wait()
            first = time.perf_counter() - start
            probe = LatencyProbe(app)
            while app.main.discovering:
                await probe.press()
                await pilot.pause(0.1)
            shown_routes = len(app.main.routes_panel.rows)
            routes = time.perf_counter() - start
        process.close()
        store.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    lat = sorted(probe.samples) or [0.0]
    print(f"console open on {n_files:,} route files (discovery in its own process):")
    print(f"  first frame, keys work    {first:.2f} s")
    print(f"  every route shown         {routes:.2f} s ({shown_routes:,} routes)")
    print(f"  key to frame meanwhile    worst {lat[-1] * 1000:.0f} ms, median "
          f"{statistics.median(lat) * 1000:.0f} ms over {len(lat)} presses")  # fmt: skip
    print(f"  screen process peak RSS   {rss / 1024:.0f} MB (before: {rss_before / 1024:.0f} MB)")


class LoopLag:
    """The longest the event loop was busy without a break: the floor under every key's latency."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - start - 0.005)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


class LatencyProbe:
    """Presses a key and times it to the next frame: what a user would see."""

    def __init__(self, app: ConsoleApp) -> None:
        self.app = app
        self.samples: list[float] = []

    async def press(self) -> None:
        start = time.perf_counter()
        zoom = self.app.main.zoom
        self.app.post_message(events.Key("z", "z"))  # as the terminal driver delivers a key
        while self.app.main.zoom == zoom:
            await asyncio.sleep(0.001)
        shown = asyncio.Event()
        self.app.call_after_refresh(shown.set)
        await shown.wait()
        self.samples.append(time.perf_counter() - start)


async def burst(n_lines: int, max_lines: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        acme = discover(ACME)
        store = RunStore(Path(tmp) / "h.sqlite3")
        settings = Settings(targets=(), ui=type(SETTINGS.ui)(max_log_lines=max_lines))
        engine = Engine(acme, settings, store)
        app = create_app(engine, start_dev=False, freeze_gc=True)  # as `console open` does
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            log = app.main.log_view
            probe = LatencyProbe(app)
            done = asyncio.Event()

            async def produce() -> None:
                # As the supervisor hands them over: slices of 250, 1,000 lines a wake-up.
                for start in range(0, n_lines, 250):
                    stop = min(start + 250, n_lines)
                    engine.on_dev_lines(
                        [f"GET /api/item/{i} 200 in 3ms" for i in range(start, stop)]
                    )
                    if stop % 1000 == 0:
                        await asyncio.sleep(0)
                done.set()

            async def press_keys() -> None:
                while not done.is_set():
                    await probe.press()
                    await asyncio.sleep(0.1)

            start = time.perf_counter()
            with LoopLag() as lag:
                await asyncio.gather(produce(), press_keys())
                last = f"GET /api/item/{n_lines - 1} 200 in 3ms"
                while log.last_line() != last:
                    await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - start
            kept = log.line_count
        store.close()

    per_line = await per_line_baseline(20_000)
    print(f"log burst of {n_lines:,} lines (max_log_lines {max_lines:,}):")
    print(f"  through to the log view   {n_lines / elapsed:12,.0f} lines/s  ({elapsed:.2f} s)")
    print(f"  Textual Log, line by line {per_line:12,.0f} lines/s  (baseline, 20,000 lines)")
    print(f"  ratio                     {n_lines / elapsed / per_line:12.1f}x")
    lat = sorted(probe.samples)
    print(f"  key to frame during it    worst {lat[-1] * 1000:.0f} ms, median "
          f"{statistics.median(lat) * 1000:.0f} ms over {len(lat)} presses")  # fmt: skip
    print(f"  longest loop stall        {lag.worst * 1000:.0f} ms")
    print(f"  lines kept on screen      {kept:,}")


async def per_line_baseline(n: int) -> float:
    class LogApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Log(max_lines=10_000)

    app = LogApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Log)
        start = time.perf_counter()
        for i in range(n):
            log.write_line(f"GET /api/item/{i} 200 in 3ms")
            if i % 100 == 99:
                await pilot.pause()  # let it draw, as a live log must
        await pilot.pause()
        return n / (time.perf_counter() - start)


DEV_SERVER = r"""
import http.server, os, sys, threading
n = int(sys.argv[1])


def burst():
    out = sys.stdout
    for start in range(0, n, 10_000):
        out.write("".join(f"GET /api/item/{i} 200 in 3ms\n" for i in range(start, min(n, start + 10_000))))
    out.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        if self.path == "/burst":
            threading.Thread(target=burst).start()

    def log_message(self, *args):
        pass


port = int(os.environ["PORT"])
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


async def real_dev_server(n_lines: int) -> None:
    """The whole path: a child process prints the burst, the supervisor reads it, the engine
    attributes and publishes each line, the screen shows it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "dev.py"
        script.write_text(DEV_SERVER)
        site = Path(tmp) / "acme"
        shutil.copytree(
            ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console")
        )
        (site / "node_modules").mkdir()  # the supervisor checks packages are installed
        acme = discover(site)
        url = f"http://127.0.0.1:{port}"
        settings = Settings(
            targets=(Target("local", TKind.LOCAL, url),),
            dev=DevSettings(command=f"{sys.executable} {script} {n_lines}", url=url),
        )
        store = RunStore(Path(tmp) / "h.sqlite3")
        engine = Engine(acme, settings, store)
        app = create_app(engine, start_dev=True, freeze_gc=True)
        last = f"GET /api/item/{n_lines - 1} 200 in 3ms"
        async with app.run_test(size=SIZE) as pilot:
            assert engine.dev is not None
            while engine.dev.state is not DevState.READY:
                await pilot.pause(0.05)
            log = app.main.log_view
            probe = LatencyProbe(app)
            start = time.perf_counter()
            # Ask the dev server for its burst from a thread, as a browser would.
            asyncio.get_running_loop().run_in_executor(
                None, lambda: urllib.request.urlopen(url + "/burst", timeout=10).read()
            )
            with LoopLag() as lag:
                while log.last_line() != last and time.perf_counter() - start < 60:
                    await probe.press()
                    await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - start
            await app.close_engine()
        store.close()
    lat = sorted(probe.samples)
    print(f"real dev server printing {n_lines:,} lines (through the supervisor and the engine):")
    print(f"  start to last line shown  {elapsed:.2f} s ({n_lines / elapsed:,.0f} lines/s)")
    print(f"  key to frame during it    worst {lat[-1] * 1000:.0f} ms, median "
          f"{statistics.median(lat) * 1000:.0f} ms over {len(lat)} presses")  # fmt: skip
    print(f"  longest loop stall        {lag.worst * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--max-lines", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=50_000, help="route files of the big project")
    args = parser.parse_args()
    asyncio.run(startup(args.rounds))
    asyncio.run(big_project(args.files))
    asyncio.run(burst(args.lines, args.max_lines))
    asyncio.run(real_dev_server(args.lines))


if __name__ == "__main__":
    main()
