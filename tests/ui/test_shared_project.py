"""The screen when another console process shares the project: who holds the scheduler."""

from __future__ import annotations

import os

from console.engine.fire_claims import FireClaims
from console.ui.widgets.header import HeaderBar, header_text
from tests.ui.conftest import SIZE, AppFactory, wait_for


async def test_the_header_names_the_process_that_holds_the_scheduler(
    make_app: AppFactory,
) -> None:
    app = make_app()
    engine = app.engine
    other = FireClaims(engine.store.path)  # type: ignore[attr-defined]
    try:
        assert other.hold_lease() is None  # another console process switched it on first
        async with app.run_test(size=SIZE) as pilot:
            header = app.main.query_one(HeaderBar)

            def shown() -> str:
                state = header.state
                return "" if state is None else header_text(state, 200).plain

            await wait_for(pilot, lambda: f"held by pid {os.getpid()}" in shown())
            await pilot.press("s")
            await pilot.pause()
            assert engine.scheduler.enabled
            assert f"held by pid {os.getpid()}" in shown()
            assert any("holds the scheduler" in str(n.message) for n in app._notifications)
    finally:
        other.close()
