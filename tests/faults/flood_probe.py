"""Feed a flood of dev server output through the engine (or the whole app) and report memory.

`python -m tests.faults.flood_probe MODE ROOT` with MODE `engine` or `app`: starts the project's
dev server (tests/faults/fake_dev.py, as console.toml says) through the console, waits for the
`FLOOD-END` line, and prints one JSON line: lines seen, peak memory before the dev server started
and after the flood (VmHWM, kB), and, in app mode, how many lines the log view kept.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from console.engine import Engine, Event, LogLine, RunStore, history_path
from console.project import discover
from console.settings import load_settings
from tests.faults.measured import peak_kb


async def engine_mode(engine: Engine, seen: list[str], done: asyncio.Event) -> dict[str, object]:
    assert engine.dev is not None
    await engine.dev.ensure()
    await asyncio.wait_for(done.wait(), 300)
    return {}


async def app_mode(engine: Engine, seen: list[str], done: asyncio.Event) -> dict[str, object]:
    from console.ui.app import create_app

    app = create_app(engine, start_dev=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await asyncio.wait_for(done.wait(), 300)
        end = time.monotonic() + 30
        view = app.main.log_view
        while not any("FLOOD-END" in t for t in view.shown_text()[-5:]):
            assert time.monotonic() < end, "the log view never showed the end of the flood"
            await pilot.pause(0.05)
        return {"kept": view.line_count, "running": app.is_running}


async def main(mode: str, root: Path) -> None:
    from console.ui import app as _ui  # noqa: F401  (imported before measuring, in both modes)

    store = RunStore(history_path(root))
    engine = Engine(discover(root), load_settings(root), store)
    seen: list[str] = []
    done = asyncio.Event()
    count = 0

    def on_event(event: Event) -> None:
        nonlocal count
        if isinstance(event, LogLine) and event.source == "dev":
            count += 1
            if len(seen) < 50 or "GIANT" in event.text or "FLOOD-END" in event.text:
                seen.append(event.text[:200] + f" [{len(event.text)}]")
            if "FLOOD-END" in event.text:
                done.set()

    engine.bus.subscribe(on_event)
    await engine.start()
    before = peak_kb()
    try:
        extra = await (engine_mode if mode == "engine" else app_mode)(engine, seen, done)
    finally:
        await engine.close()
        store.close()
    print(
        json.dumps(
            {"lines": count, "before_kb": before, "after_kb": peak_kb(), "seen": seen, **extra}
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
