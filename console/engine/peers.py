"""Runs that other console processes record in the same history, brought onto this one's bus.

An open console polls `PRAGMA data_version` (a read of a counter: it changes only when another
connection commits), and only then looks at the other processes' recent or unfinished runs and
their new log lines, which it publishes as `RunChanged` and `LogLine` events, as if its own.
Lines this process itself recorded into another process's run (the dev server it reads printed
them) were published when they were read; they are not published twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta

from console.engine.clock import Clock
from console.engine.events import EventBus, LogLine, RunChanged
from console.engine.history import RunStore
from console.errors import HistoryError
from console.model import Run

__all__ = ["PeerRuns"]

log = logging.getLogger(__name__)

POLL_S = 0.25  # a run from another shell shows within about half a second
MAX_RUNS = 200
LOG_BATCH = 5000  # lines per look, so a chatty peer cannot stall the loop


def _looks(run: Run) -> tuple[object, ...]:
    return (run.state, run.http_status, run.attempts, run.started_at, run.finished_at, run.reason)


class PeerRuns:
    def __init__(self, store: RunStore, bus: EventBus, clock: Clock) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self._since: datetime = clock.now()
        self._seq = 0
        self._version: int | None = None
        self._seen: dict[str, tuple[object, ...]] = {}
        self._published: Counter[tuple[str, str]] = Counter()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._since = self.clock.now() - timedelta(seconds=1)
            self._seq = self.store.last_log_seq()
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="peer-runs")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def recorded_for_peer(self, run_id: str, line: str) -> None:
        """This process recorded (and published) `line` into another process's run."""
        self._published[(run_id, line)] += 1

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            try:
                self.poll()
            except HistoryError as exc:
                log.warning("runs of other consoles are not shown: %s", exc)

    def poll(self) -> bool:
        """Publish what changed since the last look; True when the file had changed at all."""
        version = self.store.data_version()
        if version == self._version:
            return False
        self._version = version
        runs = self.store.others_runs(self._since, MAX_RUNS)
        for run in reversed(runs):  # oldest first, as they happened
            looks = _looks(run)
            if self._seen.get(run.id) != looks:
                self._seen[run.id] = looks
                self.bus.publish(RunChanged(run))
        ids = [r.id for r in runs]
        rows = self.store.logs_after(self._seq, ids, LOG_BATCH)
        if len(rows) == LOG_BATCH:
            self._version = None  # more to read: look again next time even if nothing changes
        for seq, run_id, at, line in rows:
            self._seq = max(self._seq, seq)
            key = (run_id, line)
            if self._published[key]:
                self._published[key] -= 1
                if not self._published[key]:
                    del self._published[key]
                continue
            self.bus.publish(LogLine(line, at, "console", run_id))
        if len(self._published) > 10_000:  # lines of a peer run this poll never saw: forget
            self._published.clear()
        return True
