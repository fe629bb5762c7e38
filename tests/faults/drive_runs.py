"""A console process for the crash and concurrency tests: the real engine and history, many runs.

`python -m tests.faults.drive_runs PROJECT N [ROUTE...]` prints `ready`, waits for `go` on
stdin (so two drivers start together), submits N runs at once (cycling through the routes,
default /api/hello) to the local target, and prints `queued ID` when a run is recorded,
`final ID STATE` when its end is recorded, and `done` at the end. Those lines come after the
history write they report, so a test that kills this process knows what must have survived.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from console.engine import Engine, Event, RunChanged, RunRequest, RunStore, history_path
from console.project import discover
from console.settings import load_settings


async def main(root: Path, n: int, routes: list[str]) -> None:
    project = discover(root)
    settings = load_settings(root)
    store = RunStore(history_path(root))
    engine = Engine(project, settings, store)
    seen: set[str] = set()

    def report(event: Event) -> None:
        if not isinstance(event, RunChanged):
            return
        run = event.run
        if run.id not in seen:
            seen.add(run.id)
            print(f"queued {run.id}", flush=True)
        if run.state.final:
            print(f"final {run.id} {run.state}", flush=True)

    engine.bus.subscribe(report)
    await engine.start()
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    resolved = [engine.route_for(r) for r in routes]
    target = settings.local
    try:
        # Each run carries `?run=<pid>-<i>` so a server can tell their attempts apart.
        tagged = [RunRequest(query=(("run", f"{os.getpid()}-{i}"),)) for i in range(n)]
        await asyncio.gather(
            *(engine.run(resolved[i % len(resolved)], target, tagged[i]) for i in range(n))
        )
    finally:
        await engine.close()
        store.close()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:] or ["/api/hello"]))
