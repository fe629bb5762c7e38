"""The fake clock tests rely on, and the event bus."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from console.engine import EventBus, FakeClock, SchedulerChanged
from tests.engine.conftest import START


async def test_fake_clock_wakes_sleepers_in_order_at_their_time() -> None:
    clock = FakeClock(START)
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, (clock.now() - START).total_seconds()))

    tasks = [asyncio.ensure_future(sleeper(n, s)) for n, s in (("b", 20), ("a", 10), ("c", 30))]
    await clock.sleepers(3)
    await clock.advance(25)
    assert woke == [("a", 10), ("b", 20)]
    assert clock.now() == START + timedelta(seconds=25)
    await clock.advance(5)
    assert woke[-1] == ("c", 30)
    await asyncio.gather(*tasks)


async def test_a_jump_wakes_sleepers_late() -> None:
    clock = FakeClock(START)
    seen: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(10)
        seen.append((clock.now() - START).total_seconds())

    task = asyncio.ensure_future(sleeper())
    await clock.sleepers(1)
    await clock.advance(100, jump=True)
    assert seen == [100]
    await task


async def test_cancelled_sleepers_do_not_count() -> None:
    clock = FakeClock(START)
    task = asyncio.ensure_future(clock.sleep(5))
    await clock.sleepers(1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert clock.pending == 0
    with pytest.raises(TimeoutError):
        await clock.sleepers(1, timeout=0.05)


def test_bus_calls_in_order_survives_a_broken_subscriber_and_unsubscribes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    got: list[str] = []

    def broken(_e: object) -> None:
        raise RuntimeError("boom")

    bus.subscribe(lambda e: got.append("first"))
    bus.subscribe(broken)
    off = bus.subscribe(lambda e: got.append("third"))
    with caplog.at_level(logging.ERROR):
        bus.publish(SchedulerChanged(True))
    assert got == ["first", "third"]
    assert "boom" in caplog.text
    off()
    bus.publish(SchedulerChanged(False))
    assert got == ["first", "third", "first"]
