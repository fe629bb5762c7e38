"""The local scheduler: fires each scheduled route at its cron times against the local target."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from console.engine.clock import Clock
from console.engine.events import EventBus, SchedulerChanged, SchedulerSkipped
from console.engine.fire_claims import FireClaims
from console.errors import ConsoleError
from console.model import Project, Route, RouteKind, Run, Target, TargetKind
from console.settings import Settings

log = logging.getLogger(__name__)

LATE_LIMIT = 60.0  # seconds: a fire woken later than this (a suspended laptop) is skipped
FIRES_PER_SLICE = 50  # fires sent between two yields to the event loop
LEASE_REFRESH_S = 5.0  # real seconds between two looks at (or refreshes of) the scheduler lease


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

    def __init__(self, engine: SchedulerHost, claims: FireClaims | None = None) -> None:
        self._engine = engine
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._warned: set[str] = set()
        # Shared with the other console processes on this project (fire_claims.py): without
        # it (tests of one engine) every fire is this process's own.
        self._claims = claims
        self._lease: asyncio.Task[None] | None = None
        self.holder: int | None = None  # another process holding the scheduler, if any

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
        if self._claims is not None:
            if enabled:
                self.holder = self._claims.hold_lease()
            else:
                self._claims.release_lease()
                self.holder = self._claims.holder()
            self.watch()
        self._engine.bus.publish(SchedulerChanged(enabled, self.holder))

    def watch(self) -> None:
        """Keep the lease fresh while on, and know who holds it while off (for the header)."""
        if self._claims is None or (self._lease is not None and not self._lease.done()):
            return
        self._lease = asyncio.get_running_loop().create_task(self._watch_lease(), name="lease")

    async def _watch_lease(self) -> None:
        claims = self._claims
        assert claims is not None
        while True:
            holder = await asyncio.to_thread(claims.hold_lease if self.enabled else claims.holder)
            if holder != self.holder:
                self.holder = holder
                self._engine.bus.publish(SchedulerChanged(self.enabled, holder))
            # Real time, not the engine's clock: the lease is between processes, and the
            # tests' fake clock must see only the scheduler's own sleepers.
            await asyncio.sleep(LEASE_REFRESH_S)

    def reload(self) -> None:
        """The project changed: compute the next fires again."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        lease, self._lease = self._lease, None
        for t in (task, lease):
            if t is not None:
                t.cancel()
        await asyncio.gather(*(t for t in (task, lease) if t is not None), return_exceptions=True)
        if self._claims is not None:
            self._claims.release_lease()
            self._claims.close()
        if task is not None:
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
            await self._fire_all([(r, f) for r, f in fires if f == due], now)
            after = max(due, now)

    async def _fire_all(self, due: list[tuple[Route, datetime]], now: datetime) -> None:
        """Send the fires due now: claimed together, and with the loop let go now and then, so
        that thousands of routes due in one minute cost one transaction and no frozen screen."""
        engine = self._engine
        late = [(r, f) for r, f in due if (now - f).total_seconds() > LATE_LIMIT]
        for route, at in late:
            self._skip(
                route, at, f"missed by {(now - at).total_seconds():.0f} s (the machine was asleep?)"
            )
        due = [(r, f) for r, f in due if (now - f).total_seconds() <= LATE_LIMIT]
        won: dict[tuple[str, datetime], int | None] = {}
        if self._claims is not None and due:
            # One fire per (route, instant) across the processes sharing this history.
            claims = self._claims
            won = await asyncio.to_thread(claims.claim_fires, [(r.route, f) for r, f in due])
        # The runs still going, by route: looked up once, not once per fire.
        busy = {
            run.route: run
            for run in engine.active_runs()
            if run.target_kind is TargetKind.LOCAL and not run.state.final
        }
        for i, (route, at) in enumerate(due):
            pid = won.get((route.route, at))
            if pid is not None:
                by = f" (pid {pid})" if pid else ""
                self._skip(route, at, f"another console process{by} sent this fire")
            elif (run := busy.get(route.route)) is not None:
                self._skip(route, at, f"its previous run {run.id} is still {run.state}")
            else:
                try:
                    busy[route.route] = engine.submit(route, engine.settings.local)
                except ConsoleError as exc:
                    self._skip(route, at, str(exc))
            if i % FIRES_PER_SLICE == FIRES_PER_SLICE - 1:
                await asyncio.sleep(0)

    def _skip(self, route: Route, at: datetime, reason: str) -> None:
        from console.model import iso_utc

        self._engine.console_line(f"scheduler: skipped {route.route} at {iso_utc(at)}: {reason}")
        self._engine.bus.publish(SchedulerSkipped(route.route, at, reason))
