"""The local scheduler: fires each scheduled route at its cron times against the local target."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from console.engine.clock import Clock
from console.engine.events import EventBus, SchedulerChanged, SchedulerSkipped
from console.errors import ConsoleError
from console.model import Project, Route, RouteKind, Run, Target, TargetKind
from console.settings import Settings

log = logging.getLogger(__name__)

LATE_LIMIT = 60.0  # seconds: a fire woken later than this (a suspended laptop) is skipped


class SchedulerHost(Protocol):
    """What the scheduler needs of the engine (given, so the two modules do not import each other)."""

    bus: EventBus
    clock: Clock
    project: Project
    settings: Settings

    def next_fire(self, schedule: str, after: datetime) -> datetime | None: ...
    def active_runs(self) -> list[Run]: ...
    def submit(self, route: Route, target: Target) -> Run: ...
    def console_line(self, text: str) -> None: ...


class LocalScheduler:
    """Off until switched on. No catch-up: fires missed while the console was closed are lost,
    as they would be for a deploy that did not exist yet."""

    def __init__(self, engine: SchedulerHost) -> None:
        self._engine = engine
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._warned: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self._task is not None and not self._task.done()

    def set_enabled(self, enabled: bool) -> None:
        """Switch on or off; must be called inside the running loop."""
        if enabled == self.enabled:
            return
        if enabled:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="scheduler")
        elif self._task is not None:
            self._task.cancel()
            self._task = None
        self._engine.bus.publish(SchedulerChanged(enabled))

    def reload(self) -> None:
        """The project changed: compute the next fires again."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            self._engine.bus.publish(SchedulerChanged(False))

    def upcoming(self, after: datetime | None = None) -> list[tuple[Route, datetime]]:
        """The next fire of every scheduled route with a schedule that can be computed."""
        after = after or self._engine.clock.now()
        out: list[tuple[Route, datetime]] = []
        for route in self._engine.project.routes:
            if route.kind is not RouteKind.SCHEDULED or not route.schedule:
                continue
            try:
                fire = self._engine.next_fire(route.schedule, after)
            except Exception as exc:
                if route.route not in self._warned:
                    self._warned.add(route.route)
                    self._engine.console_line(
                        f"scheduler: {route.route} is not scheduled: {route.schedule!r} ({exc})"
                    )
                continue
            if fire is not None:
                out.append((route, fire))
        return out

    async def _loop(self) -> None:
        clock = self._engine.clock
        after = clock.now()
        while True:
            self._wake.clear()
            fires = self.upcoming(after)
            sleeper: asyncio.Future[None]
            if fires:
                wait = (min(f for _, f in fires) - clock.now()).total_seconds()
                sleeper = asyncio.ensure_future(clock.sleep(wait))
            else:  # nothing scheduled: wait for a reload
                sleeper = asyncio.get_running_loop().create_future()
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()
            now = clock.now()
            if not sleeper.done() or sleeper.cancelled():
                after = now  # reloaded: start again from now
                continue
            due = min(f for _, f in fires)
            for route, fire in fires:
                if fire == due:
                    self._fire(route, fire, late=(now - fire).total_seconds())
            after = max(due, now)

    def _fire(self, route: Route, at: datetime, late: float) -> None:
        engine = self._engine
        if late > LATE_LIMIT:
            self._skip(route, at, f"missed by {late:.0f} s (the machine was asleep?)")
            return
        for run in engine.active_runs():
            if (
                run.route == route.route
                and run.target_kind is TargetKind.LOCAL
                and not run.state.final
            ):
                self._skip(route, at, f"its previous run {run.id} is still {run.state}")
                return
        try:
            engine.submit(route, engine.settings.local)
        except ConsoleError as exc:
            self._skip(route, at, str(exc))

    def _skip(self, route: Route, at: datetime, reason: str) -> None:
        from console.model import iso_utc

        self._engine.console_line(f"scheduler: skipped {route.route} at {iso_utc(at)}: {reason}")
        self._engine.bus.publish(SchedulerSkipped(route.route, at, reason))
