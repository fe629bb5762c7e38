"""One console engine with the local scheduler on, for a while: `python -m
tests.faults.scheduler_process PROJECT SECONDS PERIOD`.

The cron is replaced by a fire every PERIOD seconds of wall time (aligned to multiples of
PERIOD, so two processes agree on the instants), so that a test sees many fires in a few
seconds. Prints `READY` once the scheduler is on, and the number of fires it sent at the end.
"""

from __future__ import annotations

import asyncio
import math
import sys
from datetime import UTC, datetime
from pathlib import Path

from console.engine import Engine, RunStore, history_path
from console.engine.events import Event, RunChanged, SchedulerSkipped
from console.project import discover
from console.settings import load_settings


def every(period: float):  # type: ignore[no-untyped-def]
    def next_fire(schedule: str, after: datetime) -> datetime:
        t = after.timestamp()
        return datetime.fromtimestamp((math.floor(t / period) + 1) * period, UTC)

    return next_fire


async def main(root: Path, seconds: float, period: float) -> None:
    project = discover(root)
    store = RunStore(history_path(root))
    engine = Engine(project, load_settings(root), store, next_fire=every(period))
    sent: set[str] = set()
    skipped = 0

    def watch(event: Event) -> None:
        nonlocal skipped
        if isinstance(event, RunChanged):
            sent.add(event.run.id)
        elif isinstance(event, SchedulerSkipped):
            skipped += 1

    engine.bus.subscribe(watch)
    await engine.start()
    engine.scheduler.set_enabled(True)
    print("READY", flush=True)
    await asyncio.sleep(seconds)
    await engine.close()
    store.close()
    print(f"SENT {len(sent)} SKIPPED {skipped}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])))
