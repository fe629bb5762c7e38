"""The bus subscriber that coalesces the engine's events between two frames."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from console.engine import DevServerChanged, DevState, LogLine, RunChanged, SchedulerChanged
from console.model import RouteKind, Run, RunState, TargetKind
from console.ui.inbox import EventInbox

AT = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)
RUN = Run("r1", "/api/x", RouteKind.API, "local", TargetKind.LOCAL, "u", "GET",
          RunState.QUEUED, 10, AT)  # fmt: skip


def test_nothing_happened_gives_none() -> None:
    assert EventInbox(10).drain() is None


def test_runs_coalesce_to_their_last_state_and_states_to_the_latest() -> None:
    inbox = EventInbox(10)
    for state in (RunState.QUEUED, RunState.RUNNING, RunState.SUCCEEDED):
        inbox(RunChanged(replace(RUN, state=state)))
    inbox(DevServerChanged(DevState.STARTING, "", None))
    inbox(DevServerChanged(DevState.READY, "up", None))
    inbox(SchedulerChanged(True))
    batch = inbox.drain()
    assert batch is not None
    assert [r.state for r in batch.runs] == [RunState.SUCCEEDED]
    assert batch.dev is not None and batch.dev.state is DevState.READY
    assert batch.scheduler is True
    assert inbox.drain() is None


def test_lines_are_bounded_and_the_overflow_counted() -> None:
    inbox = EventInbox(100)
    for i in range(1_000):
        inbox(LogLine(f"line {i}", AT, "dev", None))
    batch = inbox.drain()
    assert batch is not None
    assert len(batch.lines) == 100
    assert batch.lines[-1].text == "line 999"
    assert batch.dropped == 900
