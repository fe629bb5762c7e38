"""`q` quits at once in every state; with runs in flight it asks once first."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from console.engine import DevState, Engine, RunStore
from console.model import Project, RunState, Target, TargetKind
from console.settings import DevSettings, Settings
from console.ui.app import create_app
from console.ui.screens.quit_dialog import QuitDialog, quit_question
from tests.ui.conftest import BERLIN, SIZE, AppFactory, wait_for
from tests.ui.server import RecordingServer
from tests.ui.test_keys import select_route


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_q_while_the_dev_server_is_still_starting_quits_at_once(
    tmp_path: Path, acme: Project
) -> None:
    """Before: `q` waited for the start (15 s and more: it needed the supervisor's lock)."""
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(
        targets=(Target("local", TargetKind.LOCAL, url),),
        dev=DevSettings(command="sleep 600", url=url, start_timeout=600),
    )
    store = RunStore(tmp_path / "history.sqlite3")
    engine = Engine(acme, settings, store)
    app = create_app(engine, tz=BERLIN, start_dev=True)
    try:

        async def run() -> None:
            async with app.run_test(size=SIZE) as pilot:
                dev = engine.dev
                assert dev is not None
                await wait_for(pilot, lambda: dev.state is DevState.STARTING)
                await pilot.press("q")
                await wait_for(pilot, lambda: not app.is_running, timeout=10)

        # Bounded, so that the old behaviour fails instead of hanging the suite.
        await asyncio.wait_for(run(), 60)
        assert engine.dev is not None and engine.dev.state is DevState.STOPPED
        assert app.return_code == 0
    finally:
        store.close()


async def test_q_with_runs_in_flight_asks_once(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/slow")
        await pilot.press("t")
        await wait_for(pilot, lambda: bool(app.engine.active_runs()))
        (run,) = app.engine.active_runs()
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitDialog))
        assert quit_question(1) == "1 run is active: quit and cancel it?"
        await pilot.press("n")  # stay
        await wait_for(pilot, lambda: not isinstance(app.screen, QuitDialog))
        assert app.is_running and app.engine.active_runs()
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitDialog))
        await pilot.press("q")  # q again: yes
        await wait_for(pilot, lambda: not app.is_running)
    stored = app.engine.get(run.id)
    assert stored is not None and stored.state is RunState.CANCELLED


def test_the_question_counts_the_runs() -> None:
    assert quit_question(2) == "2 runs active: quit and cancel them?"


async def test_q_with_nothing_in_flight_quits_without_asking(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0
