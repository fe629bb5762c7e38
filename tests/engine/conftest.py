"""Fixtures for the engine tests: a real server, a real history file, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.engine import Engine, Event, EventBus, FakeClock, RunStore
from console.model import Project, Route, RouteKind, Target, TargetKind
from console.settings import Limits, Settings
from tests.engine.server import ScriptedServer, serving

START = datetime(2025, 3, 1, 10, 0, 30, tzinfo=UTC)

API = Route("/api/hello", RouteKind.API, None, "pages/api/hello.js", 1, "_api_hello")
USER = Route(
    "/api/users/[id]", RouteKind.API, None, "pages/api/users/[id].js", 1, "_api_users_id-PARAM"
)
FILES = Route("/api/files/[...path]", RouteKind.API, None, "pages/api/files/[...path].js", 1, "f")
BACKGROUND = Route(
    "/api/sync-background", RouteKind.BACKGROUND, None, "pages/api/sync-background.js", 1, "b"
)
SCHEDULED = Route("/api/cleanup", RouteKind.SCHEDULED, "@hourly", "pages/api/cleanup.js", 3, "c")
EVERY_MINUTE = Route("/api/tick", RouteKind.SCHEDULED, "* * * * *", "pages/api/tick.js", 3, "t")
ROUTES = (API, USER, FILES, BACKGROUND, SCHEDULED, EVERY_MINUTE)


def project(root: Path, routes: tuple[Route, ...] = ROUTES) -> Project:
    return Project(root, routes, ())


def settings_for(url: str, root: Path, *extra: Target, limits: Limits | None = None) -> Settings:
    return Settings(
        (Target("local", TargetKind.LOCAL, url), *extra),
        limits=limits or Limits(),
        path=root / "console.toml",
    )


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serving() as s:
        yield s


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    s = RunStore(tmp_path / ".console" / "history.sqlite3")
    yield s
    s.close()


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def states(self, run_id: str) -> list[str]:
        from console.engine import RunChanged

        out: list[str] = []
        for e in self.events:
            if (
                isinstance(e, RunChanged)
                and e.run.id == run_id
                and (not out or out[-1] != e.run.state)
            ):
                out.append(str(e.run.state))
        return out


EngineFactory = Callable[..., Engine]


@pytest.fixture
async def make_engine(
    tmp_path: Path, store: RunStore, clock: FakeClock, server: ScriptedServer
) -> AsyncIterator[EngineFactory]:
    engines: list[Engine] = []

    def make(settings: Settings | None = None, **kwargs: object) -> Engine:
        kwargs.setdefault("clock", clock)
        engine = Engine(
            project(tmp_path),
            settings or settings_for(server.url, tmp_path),
            store,
            **kwargs,  # type: ignore[arg-type]
        )
        engines.append(engine)
        return engine

    yield make
    for e in engines:
        await e.close()
