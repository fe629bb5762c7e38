"""What the engine tells its watchers: run changes, log lines, dev server and scheduler news."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from console.devserver.functions import FunctionsServerChanged as FunctionsServerChanged
from console.devserver.functions import FunctionsState as FunctionsState

# Re-exported: the engine's events include the dev server's.
from console.devserver.state import DevServerChanged as DevServerChanged
from console.devserver.state import DevState as DevState
from console.model import Run

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunChanged:
    """A run was created or changed state (or its attempt, status or reason changed)."""

    run: Run


@dataclass(frozen=True)
class LogLine:
    """One log line, already sanitized (control sequences stripped, long lines cut), NOT escaped."""

    text: str
    at: datetime
    source: str  # "dev" | "functions" (the functions server) | "console"
    run_id: str | None  # the run it was attributed to, if any


@dataclass(frozen=True)
class SchedulerChanged:
    enabled: bool
    # Another console process on this project that holds the scheduler (its pid), if one does.
    holder: int | None = None


@dataclass(frozen=True)
class SchedulerSkipped:
    """A cron fire was not sent because the route's previous run is still going."""

    route: str
    at: datetime
    reason: str


Event = (
    RunChanged
    | LogLine
    | DevServerChanged
    | FunctionsServerChanged
    | SchedulerChanged
    | SchedulerSkipped
)
Callback = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out: callbacks run in subscription order on the publisher's thread."""

    def __init__(self) -> None:
        self._subscribers: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: Event) -> None:
        # Copy: a callback may unsubscribe itself while we iterate.
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                # One broken watcher must not starve the others or break the run.
                log.exception("event subscriber %r failed on %s", callback, type(event).__name__)
