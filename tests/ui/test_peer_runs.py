"""A run that another console process records in the same history shows on the open screen."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import console
from console.model import RunState
from tests.ui.conftest import AppFactory, wait_for

OTHER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from dataclasses import replace
    from console.engine.history import RunStore
    from console.model import Run, RouteKind, RunState, TargetKind

    store = RunStore(sys.argv[1])
    now = datetime.now(UTC)
    run = Run(id="0mzzzzzzzpeer1", route="/api/hello", kind=RouteKind.API, target="local",
              target_kind=TargetKind.LOCAL, url="http://127.0.0.1:9/api/hello", method="GET",
              state=RunState.RUNNING, deadline_s=10.0, created_at=now, started_at=now)
    store.insert(run)
    store.append_logs([(run.id, "hello: from the other shell")], now)
    time.sleep(0.4)
    store.update(replace(run, state=RunState.SUCCEEDED, http_status=200, finished_at=now),
                 [("hello: done elsewhere", now)])
    """
)


async def test_a_run_from_another_process_appears_with_its_state_and_lines(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        path = Path(str(app.engine.store.path))
        proc = subprocess.Popen(
            [sys.executable, "-c", OTHER, str(path)], cwd=Path(console.__file__).parent.parent
        )
        try:
            await wait_for(pilot, lambda: "0mzzzzzzzpeer1" in app.main.runs, timeout=10)
            await wait_for(
                pilot,
                lambda: app.main.runs["0mzzzzzzzpeer1"].state is RunState.SUCCEEDED,
                timeout=10,
            )
        finally:
            assert proc.wait(timeout=30) == 0
        text: list[Any] = app.main.log_view.shown_text()
        await wait_for(
            pilot, lambda: any("hello: done elsewhere" in t for t in app.main.log_view.shown_text())
        )
        text = app.main.log_view.shown_text()
        assert any("hello: from the other shell" in t for t in text)
