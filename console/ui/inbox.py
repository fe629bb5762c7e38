"""The engine's events, gathered between frames: the app drains them on a timer, in one batch.

A dev server can print 300,000 lines in a burst and a run can change state many times a second;
drawing each event on its own would starve the keyboard. The bus callback only appends here (cheap,
safe from any thread); the app takes everything at once a few dozen times a second. Log lines are
bounded by what the screen keeps, run changes coalesce to the last state of each run, and the dev
server and scheduler keep only their latest state.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from console.engine import (
    DevServerChanged,
    Event,
    FunctionsServerChanged,
    LogLine,
    RunChanged,
    SchedulerChanged,
    SchedulerSkipped,
)
from console.model import Run


@dataclass
class Batch:
    """What happened since the last drain."""

    lines: list[LogLine] = field(default_factory=list)
    dropped: int = 0  # lines that arrived but were pushed out before they could be shown
    runs: list[Run] = field(default_factory=list)  # the latest state of each changed run
    dev: DevServerChanged | None = None
    functions: FunctionsServerChanged | None = None
    scheduler: bool | None = None
    scheduler_holder: int | None = None  # with `scheduler`: another process holding it
    skipped: list[SchedulerSkipped] = field(default_factory=list)


class EventInbox:
    """A bus subscriber that keeps what the next frame needs, and no more."""

    def __init__(self, max_lines: int) -> None:
        self._lock = threading.Lock()
        self._max_lines = max(1, max_lines)
        self._lines: deque[LogLine] = deque(maxlen=self._max_lines)
        self._received = 0
        self._runs: dict[str, Run] = {}
        self._dev: DevServerChanged | None = None
        self._functions: FunctionsServerChanged | None = None
        self._scheduler: bool | None = None
        self._scheduler_holder: int | None = None
        self._skipped: list[SchedulerSkipped] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, LogLine):
                self._lines.append(event)
                self._received += 1
            elif isinstance(event, RunChanged):
                self._runs[event.run.id] = event.run
            elif isinstance(event, DevServerChanged):
                self._dev = event
            elif isinstance(event, FunctionsServerChanged):
                self._functions = event
            elif isinstance(event, SchedulerChanged):
                self._scheduler = event.enabled
                self._scheduler_holder = event.holder
            elif isinstance(event, SchedulerSkipped):
                self._skipped.append(event)

    @property
    def pending(self) -> bool:
        return bool(
            self._received
            or self._runs
            or self._dev is not None
            or self._functions is not None
            or self._scheduler is not None
            or self._skipped
        )

    def drain(self) -> Batch | None:
        """Everything gathered since the last call, or None when nothing happened."""
        with self._lock:
            if not self.pending:
                return None
            lines = list(self._lines)
            batch = Batch(
                lines=lines,
                dropped=self._received - len(lines),
                runs=list(self._runs.values()),
                dev=self._dev,
                functions=self._functions,
                scheduler=self._scheduler,
                scheduler_holder=self._scheduler_holder,
                skipped=self._skipped,
            )
            self._lines.clear()
            self._received = 0
            self._runs = {}
            self._dev = None
            self._functions = None
            self._scheduler = None
            self._skipped = []
        return batch
