"""A flood of dev server output must not hold the event loop: bounded work per wake-up, no line lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from console.devserver.supervisor import SLICE_LINES, WAKE_LINES, DevServer
from console.engine.events import DevState, EventBus
from tests.devserver.conftest import PY, make_project, make_settings

LINES = 300_000

# Listens so the supervisor sees it ready; floods stdout once a client sends "g" (the
# supervisor's readiness probe connects and closes without a byte, so it does not start it).
CHILD = f"""
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(os.environ["PORT"]))); s.listen()
while True:
    c, _ = s.accept()
    if c.recv(1) == b"g":
        break
    c.close()
w = sys.stdout.write
for i in range({LINES}):
    w(f"line {{i:06d}} GET /api/item 200\\n")
sys.stdout.flush()
c.close()
time.sleep(600)
"""


async def test_a_flood_is_handed_over_in_bounded_slices_between_loop_iterations(
    tmp_path: Path, port: int
) -> None:
    script = tmp_path / "flood.py"
    script.write_text(CHILD)
    ticks = 0
    per_tick: Counter[int] = Counter()  # lines handed over between two runs of the ticker
    lines: list[str] = []
    done = asyncio.Event()

    batches: list[int] = []  # the size of each batch handed over

    def on_lines(batch: Sequence[str]) -> None:
        lines.extend(batch)
        batches.append(len(batch))
        per_tick[ticks] += len(batch)
        if len(lines) == LINES:
            done.set()

    settings = make_settings(f"http://127.0.0.1:{port}", f"{PY} {script}")
    dev = DevServer(make_project(tmp_path), settings, EventBus(), on_lines=on_lines)
    assert await dev.ensure() is DevState.READY

    async def ticker() -> None:
        # sleep(0) yields exactly one loop iteration: a tick between every two iterations.
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    try:
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"g")
        await writer.drain()
        await asyncio.wait_for(done.wait(), 120)
        await ticking
        writer.close()
    finally:
        await dev.stop()

    assert lines == [f"line {i:06d} GET /api/item 200" for i in range(LINES)]
    # Before the fix one wake-up handed over up to 16 reads of 256 KiB (~100,000 lines here).
    assert max(per_tick.values()) <= WAKE_LINES
    assert len(per_tick) >= LINES // WAKE_LINES
    # One call per slice of a read (a read may hold a few lines or thousands), none larger
    # than a slice while the flood is bounded.
    assert max(batches) <= SLICE_LINES
    assert sum(batches) == LINES
