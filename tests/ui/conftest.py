"""Fixtures for the screen's tests: the example project, real servers, a real engine and history."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from console.engine import Engine, FakeClock, RunStore
from console.model import Project, Target, TargetKind
from console.project import discover
from console.settings import Settings, UiSettings
from console.ui.app import ConsoleApp, create_app
from tests.ui.server import RecordingServer, serving

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "acme"
NOW = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")
SIZE = (120, 35)


@pytest.fixture(scope="session")
def acme() -> Project:
    return discover(ACME)


@pytest.fixture
def local_server() -> Iterator[RecordingServer]:
    with serving() as s:
        yield s


@pytest.fixture
def prod_server() -> Iterator[RecordingServer]:
    with serving() as s:
        yield s


def settings_for(
    root: Path,
    local: str,
    production: str,
    keys: Mapping[str, str] | None = None,
    max_log_lines: int = 10_000,
) -> Settings:
    return Settings(
        ui=UiSettings(max_log_lines=max_log_lines),
        targets=(
            Target("local", TargetKind.LOCAL, local),
            Target("preview", TargetKind.PREVIEW, "http://127.0.0.1:9/preview-never-sent"),
            Target("production", TargetKind.PRODUCTION, production),
        ),
        keys=dict(keys or {}),
        path=root / "console.toml",
    )


AppFactory = Callable[..., ConsoleApp]


@pytest.fixture
def make_app(
    tmp_path: Path, acme: Project, local_server: RecordingServer, prod_server: RecordingServer
) -> Iterator[AppFactory]:
    """The app over a real engine, history in a temp file, targets on real local servers."""
    stores: list[RunStore] = []

    def factory(
        *,
        keys: Mapping[str, str] | None = None,
        project: Project | None = None,
        clock: Any = None,
        max_log_lines: int = 10_000,
        **kwargs: Any,
    ) -> ConsoleApp:
        store = RunStore(tmp_path / f"history-{len(stores)}.sqlite3")
        stores.append(store)
        settings = settings_for(tmp_path, local_server.url, prod_server.url, keys, max_log_lines)
        engine = Engine(project or acme, settings, store, clock=clock)
        kwargs.setdefault("start_dev", False)
        kwargs.setdefault("probe_dev", False)
        kwargs.setdefault("tz", BERLIN)
        return create_app(engine, clock=clock or engine.clock, **kwargs)

    yield factory
    for s in stores:
        s.close()


@pytest.fixture
def frozen() -> FakeClock:
    return FakeClock(NOW)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `predicate` holds (real time bounded; asserts it came true)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.02)


def screen_lines(app: ConsoleApp) -> list[str]:
    """What the terminal shows now, one string per row (the compositor's strips as text)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def updates(*projects: Project) -> AsyncIterator[Project]:
    for p in projects:
        yield p
