"""Nothing reaches production without the confirm dialog's `y`; route parameters are asked for.

The production target is a real HTTP server on 127.0.0.1: "nothing sent" means it got no request.
"""

from __future__ import annotations

from textual.widgets import Input

from console.engine import RunRequest
from console.model import RunState
from console.ui.screens.dialogs import ConfirmDialog
from console.ui.screens.request_dialog import RequestDialog
from tests.ui.conftest import SIZE, AppFactory, wait_for
from tests.ui.server import RecordingServer
from tests.ui.test_keys import select_route


async def to_production(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("p", "p")
    assert app.main.target.name == "production"


async def test_y_sends_to_production(
    make_app: AppFactory, prod_server: RecordingServer, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.route == "/api/hello"
        assert dialog.url == prod_server.url + "/api/hello"
        assert prod_server.paths() == []  # the dialog is up: nothing sent yet
        await pilot.press("y")
        await wait_for(pilot, lambda: prod_server.paths() == ["/api/hello"])
        await wait_for(pilot, lambda: app.main.runs_panel.runs[0].state is RunState.SUCCEEDED)
    assert local_server.paths() == []


async def test_escape_sends_nothing(make_app: AppFactory, prod_server: RecordingServer) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.3)
        assert app.main.runs == {}
    assert prod_server.paths() == []


async def test_n_and_enter_send_nothing(make_app: AppFactory, prod_server: RecordingServer) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/hello")
        for key in ("n", "enter"):  # enter presses the focused button: "Don't send"
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press(key)
            await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.3)
        assert app.main.runs == {}
    assert prod_server.paths() == []


async def test_rerun_on_production_asks_again(
    make_app: AppFactory, prod_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: bool(app.main.runs) and app.main.runs_panel.runs[0].state.final
        )
        await pilot.press("l")  # the rerun goes where the run went, whatever the current target
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.3)
        assert len(app.main.runs) == 1
    assert prod_server.paths() == ["/api/hello"]


async def test_the_palette_goes_through_the_confirm_too(
    make_app: AppFactory, prod_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/hello")
        command = next(
            c for c in app.get_system_commands(app.main) if c.title.startswith("Trigger")
        )
        await command.callback()  # type: ignore[misc]
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.3)
    assert prod_server.paths() == []


async def test_unconfirmed_submit_to_production_is_refused_by_the_engine(
    make_app: AppFactory, prod_server: RecordingServer
) -> None:
    # The second lock on the door: even a bug that skipped the dialog would send nothing.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        route = app.engine.project.route("/api/hello")
        assert route is not None
        production = app.engine.settings.target("production")
        run = app.engine.submit(route, production, RunRequest())
        assert run.state is RunState.REFUSED
        await pilot.pause(0.2)
    assert prod_server.paths() == []


async def test_params_are_asked_for_and_sent(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/users/[id]")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        await pilot.press("enter")  # empty: required, the dialog stays
        assert isinstance(app.screen, RequestDialog)
        await pilot.press("4", "2", "enter")
        await wait_for(pilot, lambda: local_server.paths() == ["/api/users/42"])


async def test_escape_in_the_params_dialog_sends_nothing(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/files/[...path]")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        app.screen.query_one(Input).value = "a/b"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.2)
    assert local_server.paths() == []


async def test_production_confirm_names_the_url_with_params(
    make_app: AppFactory, prod_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_production(pilot, app)
        select_route(app, "/api/files/[...path]")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        await pilot.press(*"a/b", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.url == prod_server.url + "/api/files/a/b"
        await pilot.press("y")
        await wait_for(pilot, lambda: prod_server.paths() == ["/api/files/a/b"])
