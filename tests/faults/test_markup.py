"""Text from the project, the servers and the user is shown as text on the screen, never read as
Textual markup: a route `/api/users/[id]` keeps its `[id]`, `[@click=...]` makes nothing
clickable, and a stray `[/]` (a cron string, a filter, a server's words) cannot crash the app."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.engine import Engine, RunStore
from console.model import RunState
from console.project import discover
from console.settings import load_settings
from console.ui.app import ConsoleApp, create_app
from tests.devserver.conftest import free_port
from tests.faults.conftest import API, make_project, scheduled
from tests.faults.figures import Figures
from tests.ui.conftest import wait_for
from tests.ui.test_keys import select_route

ROUTES = {
    "users/[id]": API,
    "x/[@click=app.quit]": API,
    "[link=https:]x": API,
    "sched": scheduled("[/] * * * *"),
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[ConsoleApp]:
    # Nothing listens on the local target: a run there ends unreachable, with a reason quoting
    # the dev command, which has a stray closing tag.
    url = f"http://127.0.0.1:{free_port()}"
    toml = '[dev]\ncommand = "test -f .env && [/] next dev"\n'
    root = make_project(tmp_path / "site", routes=ROUTES, toml=toml)
    (root / "console.toml").write_text(f'[targets.local]\nkind = "local"\nurl = "{url}"\n' + toml)
    store = RunStore(tmp_path / "history.sqlite3")
    engine = Engine(discover(root), load_settings(root), store)
    yield create_app(engine, start_dev=False)
    store.close()


def toasts(app: ConsoleApp) -> list[Any]:
    from textual.widgets._toast import Toast

    return [t.render() for t in app.screen.query(Toast)]


async def test_route_names_in_notifications_are_text(app: ConsoleApp, figures: Figures) -> None:
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        for route in ("/api/users/[id]", "/api/x/[@click=app.quit]", "/api/[link=https:]x"):
            select_route(app, route)
            await pilot.press("n")  # not scheduled: a notification names the route
            await wait_for(pilot, lambda r=route: any(r in t.plain for t in toasts(app)))
            figures.inputs("markup")
        shown = [t for t in toasts(app)]
        assert [t.plain for t in shown] == [
            "/api/users/[id] is not scheduled.",
            "/api/x/[@click=app.quit] is not scheduled.",
            "/api/[link=https:]x is not scheduled.",
        ]
        assert all(not t.spans for t in shown)  # no style, no link, no action
        assert app.is_running


async def test_a_stray_closing_tag_in_a_schedule_does_not_crash(
    app: ConsoleApp, figures: Figures
) -> None:
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        select_route(app, "/api/sched")
        await pilot.press("n")  # the schedule is invalid: the notification quotes it
        await wait_for(pilot, lambda: any("[/] * * * *" in t.plain for t in toasts(app)))
        figures.inputs("markup")
        assert app.is_running


@pytest.mark.parametrize("where", ["routes", "log"])
async def test_a_filter_with_brackets_is_text(
    app: ConsoleApp, figures: Figures, where: str
) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        if where == "log":
            app.main.log_view.focus()
        await pilot.press("/")
        await pilot.press(*"[/]")
        await pilot.pause(0.2)
        figures.inputs("markup")
        assert app.is_running
        panel = app.main.routes_panel if where == "routes" else app.main.log_view
        assert panel._border_title is not None
        assert panel._border_title.plain.endswith("/[/]")


async def test_a_reason_with_brackets_is_text(app: ConsoleApp, figures: Figures) -> None:
    async with app.run_test(size=(120, 35)) as pilot:
        select_route(app, "/api/users/[id]")
        await pilot.press("t")
        await pilot.press(*"42", "enter")
        await wait_for(
            pilot,
            lambda: (
                bool(app.main.runs) and app.main.runs_panel.runs[0].state is RunState.UNREACHABLE
            ),
        )
        app.main.runs_panel.focus()
        await pilot.pause(0.2)
        figures.inputs("markup")
        assert app.is_running
        subtitle = app.main.runs_panel._border_subtitle
        assert subtitle is not None and "`test -f .env && [/] next de" in subtitle.plain


async def test_keys_from_console_toml_are_text_on_the_help_screen(
    tmp_path: Path, figures: Figures
) -> None:
    from console.ui.screens.help import HelpScreen

    root = make_project(tmp_path / "site", routes={"hello": API})
    (root / "console.toml").write_text('[keys]\ntrigger = "t,[/]"\nrerun = "[b]"\n')
    store = RunStore(":memory:")
    engine = Engine(discover(root), load_settings(root), store)
    app = create_app(engine, start_dev=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.pause(0.2)
            figures.inputs("markup", 2)
            assert app.is_running
            from rich.console import Console

            from console.ui.screens.help import keys_table

            console = Console(width=160, record=True, file=io.StringIO())
            console.print(keys_table(engine.settings.keys))
            shown = console.export_text()
            assert "t [/]" in shown and "[b]" in shown
    finally:
        store.close()
