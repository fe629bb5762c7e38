"""The screen opens before discovery; the functions server beside the dev server must still
start once discovery finds Netlify functions (the first look had no routes to go by)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from console.engine import Engine, FakeClock, FunctionsState, RunStore
from console.model import Project
from console.ui.app import create_app
from console.ui.screens.main import MainScreen
from tests.ui.conftest import BERLIN, NOW, settings_for, updates, wait_for


@pytest.mark.parametrize("start_dev", [True, False])
async def test_the_functions_server_starts_when_discovery_finds_functions(
    tmp_path: Path, acme: Project, monkeypatch: pytest.MonkeyPatch, start_dev: bool
) -> None:
    started: list[bool] = []
    probed: list[bool] = []
    # Record instead of starting real servers; the first look's project has no routes.
    monkeypatch.setattr(MainScreen, "_functions", lambda self, restart: started.append(restart))
    monkeypatch.setattr(MainScreen, "_dev", lambda self, restart: None)
    monkeypatch.setattr(MainScreen, "_probe_dev", lambda self: probed.append(True))
    store = RunStore(tmp_path / "h.sqlite3")
    settings = settings_for(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
    engine = Engine(replace(acme, routes=(), problems=()), settings, store, clock=FakeClock(NOW))
    assert engine.functions is not None and not engine.functions.needed
    arrived = asyncio.Event()

    async def later() -> Any:
        await arrived.wait()
        async for p in updates(acme):
            yield p

    app = create_app(
        engine, tz=BERLIN, start_dev=start_dev, probe_dev=True, project_updates=later(),
        discovering=True,
    )  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        probes_before = len(probed)
        assert started == []
        arrived.set()
        await wait_for(pilot, lambda: not app.main.discovering)
        assert engine.functions.needed and engine.functions.state is FunctionsState.STOPPED
        if start_dev:
            assert started == [False]
        else:
            assert started == [] and len(probed) == probes_before + 1
    store.close()
