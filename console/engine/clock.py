"""Time as the engine sees it: the system clock, and a fake one tests move by hand."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to: `await clock.advance(60)` wakes due sleepers.

    Sleepers register at call time, so a test that wants to fire a deadline first waits until
    the engine is asleep (`await clock.sleepers(1)`), then advances.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 1, 1, tzinfo=UTC)
        self._heap: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._changed: asyncio.Event | None = None

    def now(self) -> datetime:
        return self._now

    @property
    def pending(self) -> int:
        """How many sleepers are waiting (cancelled ones do not count)."""
        return sum(1 for _, _, f in self._heap if not f.done())

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if seconds <= 0:
            fut.set_result(None)
        else:
            heapq.heappush(
                self._heap, (self._now + timedelta(seconds=seconds), next(self._seq), fut)
            )
        self._notify()
        await fut

    async def advance(self, seconds: float, *, jump: bool = False) -> None:
        """Move time forward, waking every sleeper due on the way, in order.

        With `jump`, time moves first and the sleepers wake late, all seeing the new time: what
        a suspended machine does.
        """
        target = self._now + timedelta(seconds=seconds)
        if jump:
            self._now = target
        while self._heap and self._heap[0][0] <= target:
            when, _, fut = heapq.heappop(self._heap)
            self._now = max(self._now, when)
            if not fut.done():
                fut.set_result(None)
                await _settle()
        self._now = target
        await _settle()

    async def sleepers(self, n: int = 1, timeout: float = 5.0) -> None:
        """Wait (in real time, bounded) until at least `n` sleepers are registered."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while self.pending < n:
            if loop.time() > end:
                raise TimeoutError(f"expected {n} sleepers, have {self.pending}")
            self._changed = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=0.05)

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()


async def _settle() -> None:
    # Let woken tasks run until they block again.
    for _ in range(5):
        await asyncio.sleep(0)
