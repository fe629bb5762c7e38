"""What the screen needs from the engine, written down as protocols (see ENGINE_API.md).

The app is typed against these, not against the engine's classes, so that the view depends on
the contract only; `console.engine.engine.Engine` satisfies them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from console.engine import DevState, Event, RunProgress, RunRequest
from console.model import Project, Route, Run, Target
from console.settings import Settings


class Clock(Protocol):
    def now(self) -> datetime: ...


class BusPort(Protocol):
    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]: ...


class SchedulerPort(Protocol):
    @property
    def enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None: ...


class DevServerPort(Protocol):
    @property
    def state(self) -> DevState: ...

    @property
    def started_by_us(self) -> bool: ...

    async def ensure(self) -> DevState: ...

    async def probe(self) -> DevState: ...

    async def stop(self) -> None: ...


class StorePort(Protocol):
    def get(self, run_id: str) -> Run | None: ...


class EnginePort(Protocol):
    @property
    def bus(self) -> BusPort: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def project(self) -> Project: ...

    @property
    def store(self) -> StorePort: ...

    @property
    def scheduler(self) -> SchedulerPort: ...

    @property
    def dev(self) -> DevServerPort | None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def check(self, route: Route, target: Target, request: RunRequest | None = None) -> None: ...

    def submit(self, route: Route, target: Target, request: RunRequest | None = None) -> Run: ...

    def cancel(self, run_id: str) -> bool: ...

    def rerun(self, run_id: str, *, confirmed: bool = False) -> Run: ...

    def active_runs(self) -> list[Run]: ...

    def get(self, run_id: str) -> Run | None: ...

    def progress(self, run_id: str) -> RunProgress | None: ...

    def recent_runs(self, n: int = 50) -> list[Run]: ...

    def reload_project(self, project: Project) -> None: ...
