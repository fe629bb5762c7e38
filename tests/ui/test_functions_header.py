"""The header names the functions server's state, from the engine's `FunctionsServerChanged`."""

from __future__ import annotations

import pytest

from console.engine import FunctionsServerChanged, FunctionsState
from console.ui.widgets.header import HeaderBar, header_text
from tests.ui.conftest import SIZE, AppFactory, wait_for


@pytest.mark.parametrize(
    ("state", "detail", "shown"),
    [
        (FunctionsState.STARTING, "starting `netlify functions:serve`", "functions starting…"),
        (FunctionsState.READY, "answers at http://127.0.0.1:9999", "functions ready"),
        (
            FunctionsState.NOT_INSTALLED,
            "not installed: npm i -D netlify-cli",
            "functions not installed: npm i -D netlify-cli",
        ),
        (
            FunctionsState.FAILED,
            "it exited with code 3",
            "functions failed (it exited with code 3)",
        ),
        (FunctionsState.SHARED, "netlify dev serves them", "functions with dev"),
    ],
)
async def test_the_header_says_what_the_functions_server_does(
    make_app: AppFactory, state: FunctionsState, detail: str, shown: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.main.query_one(HeaderBar)
        assert bar.state is not None
        assert "functions" not in header_text(bar.state, 200).plain  # stopped: not named
        app.engine.bus.publish(FunctionsServerChanged(state, detail, None))
        await wait_for(
            pilot, lambda: bar.state is not None and bar.state.functions is state, timeout=5
        )
        assert bar.state is not None
        assert shown in header_text(bar.state, 220).plain
