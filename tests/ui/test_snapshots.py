"""Snapshots of the screens on the example site, clock frozen (review the SVG before accepting).

Update with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at each SVG.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from console.engine import Engine, FakeClock, LogLine, RunStore
from console.model import Project, RouteKind, Run, RunState, Target, TargetKind
from console.settings import Settings
from console.ui.app import ConsoleApp, create_app
from tests.ui.conftest import BERLIN, NOW, SIZE
from tests.ui.demo import finished_run

SETTINGS = Settings(
    targets=(
        Target("local", TargetKind.LOCAL, "http://localhost:3000"),
        Target("preview", TargetKind.PREVIEW, "https://deploy-preview-42--acme.netlify.app"),
        Target("production", TargetKind.PRODUCTION, "https://acme.netlify.app"),
    )
)


def past_run(n: int, route: str, kind: RouteKind, state: RunState, ago: float, took: float,
             status: int | None, logs: tuple[str, ...], reason: str | None = None) -> Run:  # fmt: skip
    return finished_run(NOW, f"20250603-14{n:02d}-acme{n}", route, kind, state, ago, took, status, logs, reason)  # fmt: skip


HISTORY = (
    past_run(1, "/api/cleanup", RouteKind.SCHEDULED, RunState.SUCCEEDED, 420, 0.8, 200,
             ("-> POST http://localhost:3000/api/cleanup (scheduled, deadline 30 s)",
              "running…", "<- 200 OK", "cleanup: removed 12 expired sessions",
              "succeeded in 0.8 s (HTTP 200)")),
    past_run(2, "/api/explode", RouteKind.API, RunState.FAILED, 300, 0.2, 500,
             ("-> GET http://localhost:3000/api/explode (api, deadline 10 s)", "running…",
              "<- 500 Internal Server Error", "Error: the handler threw on purpose",
              "failed: HTTP 500"), reason="HTTP 500"),
    past_run(3, "/api/slow", RouteKind.API, RunState.TIMED_OUT, 120, 10, None,
             ("-> GET http://localhost:3000/api/slow (api, deadline 10 s)", "running…",
              "timed out: no answer within 10 s; the request was aborted"),
             reason="no answer within 10 s; the request was aborted"),
)  # fmt: skip

DEV_LINES = (
    "▲ Next.js 13.4.19",
    "- Local:        http://localhost:3000",
    "event - compiled client and server successfully in 1184 ms (312 modules)",
    "wait  - compiling /api/cleanup (client and server)...",
    "event - compiled successfully in 96 ms (37 modules)",
    "cleanup: removed 12 expired sessions",
    "[bold]this is not markup[/] and \x1b[31mthis colour code\x1b[0m is stripped",
)


@pytest.fixture
def scene(tmp_path: Path, acme: Project) -> Iterator[ConsoleApp]:
    """The example site with a short history and a few dev server lines, the clock frozen."""
    store = RunStore(tmp_path / "history.sqlite3")
    for run in HISTORY:
        store.insert(run)
    clock = FakeClock(NOW)
    engine = Engine(acme, SETTINGS, store, clock=clock)
    app = create_app(engine, clock=clock, tz=BERLIN, start_dev=False, probe_dev=False)
    for text in DEV_LINES:
        engine.bus.publish(LogLine(text, NOW - timedelta(seconds=30), "dev", None))
    yield app
    store.close()


def select(path: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ConsoleApp)
        await pilot.pause()
        panel = app.main.routes_panel
        panel.table.cursor = [r.route.route for r in panel.shown].index(path)
        await pilot.pause()

    return run_before


class TestMainScreen:
    def test_local(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(scene, terminal_size=SIZE, run_before=select("/api/cleanup"))

    def test_production(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(scene, press=["p", "p"], terminal_size=SIZE)

    def test_timeline_seven_days(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(scene, press=["z"], terminal_size=SIZE)


class TestDialogs:
    def test_production_confirm(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(
            scene, press=["p", "p", "t"], terminal_size=SIZE, run_before=select("/api/hello")
        )

    def test_next_fires(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(
            scene, press=["n"], terminal_size=SIZE, run_before=select("/api/daily-report")
        )

    def test_help(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(scene, press=["question_mark"], terminal_size=SIZE)

    def test_run_detail(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(scene, press=["v"], terminal_size=SIZE)


@pytest.fixture
def no_color_scene(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, acme: Project
) -> Iterator[ConsoleApp]:
    """The scene with NO_COLOR set, as many users have it globally (Textual reads it when the
    app is built)."""
    monkeypatch.setenv("NO_COLOR", "1")
    store = RunStore(tmp_path / "history-no-color.sqlite3")
    for run in HISTORY:
        store.insert(run)
    clock = FakeClock(NOW)
    engine = Engine(acme, SETTINGS, store, clock=clock)
    app = create_app(engine, clock=clock, tz=BERLIN, start_dev=False, probe_dev=False)
    assert app.no_color
    for text in DEV_LINES:
        engine.bus.publish(LogLine(text, NOW - timedelta(seconds=30), "dev", None))
    yield app
    store.close()


def themed(theme: str, path: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.theme = theme
        await select(path)(pilot)

    return run_before


class TestColours:
    """NO_COLOR, and the light and dark themes: the screen must read in each (look at them)."""

    def test_no_color(self, snap_compare: Any, no_color_scene: ConsoleApp) -> None:
        # Crashed at the first frame: the timeline's segments had no style for the monochrome
        # filter NO_COLOR turns on.
        assert snap_compare(no_color_scene, terminal_size=SIZE, run_before=select("/api/cleanup"))

    def test_light_theme(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(
            scene, terminal_size=SIZE, run_before=themed("textual-light", "/api/cleanup")
        )

    def test_dark_theme(self, snap_compare: Any, scene: ConsoleApp) -> None:
        assert snap_compare(
            scene, terminal_size=SIZE, run_before=themed("textual-dark", "/api/cleanup")
        )
