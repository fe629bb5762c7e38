"""Every key of the main screen, driven with Pilot against a real engine and real local servers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Console, RenderableType
from textual.pilot import Pilot
from textual.widgets import Static

from console.engine import DevState, FakeClock
from console.model import RunState, TargetKind
from console.ui.app import ConsoleApp
from console.ui.bindings import KEYS
from console.ui.screens.help import HelpScreen, keys_table
from console.ui.screens.next_fires import NextFiresDialog, fires_table
from console.ui.screens.problems import ProblemsScreen
from console.ui.screens.run_detail import RunDetailScreen
from console.ui.widgets.header import HeaderBar
from tests.ui.conftest import BERLIN, SIZE, AppFactory, wait_for
from tests.ui.server import RecordingServer


def plain(renderable: RenderableType) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def select_route(app: ConsoleApp, path: str) -> None:
    panel = app.main.routes_panel
    index = [row.route.route for row in panel.shown].index(path)
    panel.table.cursor = index


def run_states(app: ConsoleApp) -> list[RunState]:
    return [r.state for r in app.main.runs_panel.runs]


async def trigger_and_wait(pilot: Pilot[Any], app: ConsoleApp, key: str = "t") -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: bool(app.main.runs) and app.main.runs_panel.runs[0].state.final)


async def test_t_triggers_the_selected_route_on_local(
    make_app: AppFactory, local_server: RecordingServer, prod_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await trigger_and_wait(pilot, app)
        assert local_server.paths() == ["/api/hello"]
        assert run_states(app) == [RunState.SUCCEEDED]
        assert app.main.runs_panel.runs[0].http_status == 200
    assert prod_server.paths() == []


async def test_enter_in_the_routes_table_triggers(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        app.main.routes_panel.table.focus()
        await trigger_and_wait(pilot, app, "enter")
        assert local_server.paths() == ["/api/hello"]


async def test_slash_filters_routes_and_escape_clears(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.routes_panel
        total = len(panel.shown)
        await pilot.press("slash", *"background")
        await pilot.pause()
        assert panel.shown and all("background" in r.route.route for r in panel.shown)
        assert len(panel.shown) < total
        await pilot.press("enter")  # keeps the filter, back to the table
        assert app.focused is panel.table
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(panel.shown) == total


async def test_escape_in_the_table_clears_a_kept_filter(make_app: AppFactory) -> None:
    # Escape after enter (the filter kept, the table focused) used to do nothing.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.routes_panel
        total = len(panel.shown)
        await pilot.press("slash", *"cleanup", "enter")
        await pilot.pause()
        assert app.focused is panel.table
        assert len(panel.shown) < total
        await pilot.press("escape")
        await pilot.pause()
        assert len(panel.shown) == total
        assert panel.filter_text == ""
        assert not panel.has_class("-filtering")


async def test_p_switches_preview_and_production_and_l_goes_back(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        header = app.main.query_one(HeaderBar)
        assert app.main.target.kind is TargetKind.LOCAL
        await pilot.press("p")
        assert app.main.target.kind is TargetKind.PREVIEW
        assert not header.has_class("-production")
        await pilot.press("p")
        assert app.main.target.kind is TargetKind.PRODUCTION
        assert header.has_class("-production")
        assert "PRODUCTION" in header.render().plain
        await pilot.press("p")
        assert app.main.target.kind is TargetKind.PREVIEW
        await pilot.press("l")
        assert app.main.target.kind is TargetKind.LOCAL
        await pilot.pause()
        assert not header.has_class("-production")


async def test_deployed_targets_say_scheduled_routes_do_not_run_on_request(
    make_app: AppFactory, prod_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = {r.route.route: r.note for r in app.main.routes_panel.rows}
        assert notes["/api/cleanup"] is None
        await pilot.press("p")
        notes = {r.route.route: r.note for r in app.main.routes_panel.rows}
        assert notes["/api/cleanup"] == "does not run on previews"
        assert notes["/api/hello"] is None
        await pilot.press("p")
        notes = {r.route.route: r.note for r in app.main.routes_panel.rows}
        assert notes["/api/cleanup"] == "runs on schedule only"
        select_route(app, "/api/cleanup")
        await pilot.press("t")
        await pilot.pause(0.2)
        assert app.screen is app.main  # no confirm: nothing would be sent anyway
        assert app.main.runs == {}
        assert prod_server.paths() == []


async def test_n_shows_the_next_ten_fires_in_utc_and_local_time(
    make_app: AppFactory, frozen: FakeClock
) -> None:
    app = make_app(clock=frozen)
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/cleanup")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NextFiresDialog))
        dialog = app.screen
        assert isinstance(dialog, NextFiresDialog)
        assert len(dialog.fires) == 10
        assert dialog.fires[0] > frozen.now()
        text = plain(fires_table(dialog.fires, frozen.now(), BERLIN))
        assert "Tue 2025-06-03 15:00" in text  # UTC (@hourly)
        assert "Tue 17:00 CEST" in text  # local
        await pilot.press("escape")
        assert app.screen is app.main


async def test_n_on_a_route_without_schedule_says_so(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.main
        assert any("not scheduled" in str(n.message) for n in app._notifications)


async def test_s_turns_the_local_scheduler_on_and_off(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        header = app.main.query_one(HeaderBar)
        await pilot.press("s")
        await wait_for(pilot, lambda: header.state is not None and header.state.scheduler)
        assert app.engine.scheduler.enabled
        await pilot.press("s")
        await wait_for(pilot, lambda: header.state is not None and not header.state.scheduler)
        assert not app.engine.scheduler.enabled


async def test_c_cancels_the_selected_run(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/slow")
        await pilot.press("t")
        await wait_for(pilot, lambda: run_states(app) == [RunState.RUNNING])
        await wait_for(pilot, lambda: local_server.paths() == ["/api/slow"])
        await pilot.press("c")
        await wait_for(pilot, lambda: run_states(app) == [RunState.CANCELLED])


async def test_r_reruns_the_selected_run(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await trigger_and_wait(pilot, app)
        await pilot.press("r")
        await wait_for(
            pilot, lambda: len(app.main.runs) == 2 and all(s.final for s in run_states(app))
        )
        assert local_server.paths() == ["/api/hello", "/api/hello"]


async def test_d_attaches_to_a_dev_server_that_already_answers(
    make_app: AppFactory,
) -> None:
    app = make_app()  # the local target is a real server: the engine's dev server attaches
    async with app.run_test(size=SIZE) as pilot:
        header = app.main.query_one(HeaderBar)
        assert header.state is not None and header.state.dev is DevState.STOPPED
        await pilot.press("d")
        await wait_for(
            pilot, lambda: header.state is not None and header.state.dev is DevState.ATTACHED
        )
        await pilot.press("d")  # not ours: it says so and leaves it alone
        await pilot.pause()
        assert any("outside the console" in str(n.message) for n in app._notifications)


async def test_no_dev_still_shows_a_server_that_answers_as_attached(
    make_app: AppFactory,
) -> None:
    # `console open --no-dev` said "dev stopped" while a dev server answered at the local URL.
    app = make_app(probe_dev=True)  # start_dev stays False, as with --no-dev
    async with app.run_test(size=SIZE) as pilot:
        header = app.main.query_one(HeaderBar)
        await wait_for(
            pilot, lambda: header.state is not None and header.state.dev is DevState.ATTACHED
        )
        assert app.engine.dev is not None and not app.engine.dev.started_by_us


async def test_f_toggles_follow(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.log_view
        assert log.follow
        await pilot.press("f")
        assert not log.follow
        await pilot.press("f")
        assert log.follow


async def test_question_mark_lists_every_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        text = plain(keys_table({}))
        for key in KEYS:
            assert key.id in text
        await pilot.press("escape")
        assert app.screen is app.main


async def test_q_quits_and_closes_the_engine(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.engine._closed  # type: ignore[attr-defined]


async def test_e_shows_the_problems(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        assert isinstance(app.screen, ProblemsScreen)
        assert app.screen.problems == sorted(
            app.engine.project.problems, key=lambda p: (p.severity != "error", p.file, p.line)
        )
        title = str(app.screen.query_one("#dialog-title", Static).render())
        assert "1 error, 0 warnings" in title  # the example's one mistake; it said "1 errors"
        await pilot.press("escape")
        assert app.screen is app.main


async def test_v_shows_the_selected_run_with_its_log(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await trigger_and_wait(pilot, app)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        assert isinstance(app.screen, RunDetailScreen)
        assert app.screen.run.logs  # the full log from history
        await pilot.press("escape")
        assert app.screen is app.main


async def test_z_zooms_the_timeline_to_seven_days(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = app.main.routes_panel.table
        assert table.window[1] - table.window[0] == timedelta(hours=24)
        await pilot.press("z")
        assert table.window[1] - table.window[0] == timedelta(days=7)
        await pilot.press("z")
        assert table.window[1] - table.window[0] == timedelta(hours=24)


async def test_every_key_is_in_the_palette_with_its_description(make_app: AppFactory) -> None:
    app = make_app(keys={"trigger": "x"})
    async with app.run_test(size=SIZE):
        commands = {c.title: c.help for c in app.get_system_commands(app.main)}
        for key in KEYS:
            if key.palette:
                assert key.description in commands
        assert commands["Trigger the selected route on the current target"] == "key: x"
        assert commands["Show every key"] == "key: ?"


async def test_d_starts_ours_when_the_attached_server_has_gone(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    """Before: `d` refused ("started outside the console") though the server had gone."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        header = app.main.query_one(HeaderBar)
        await pilot.press("d")
        await wait_for(
            pilot, lambda: header.state is not None and header.state.dev is DevState.ATTACHED
        )
        local_server.stop()
        dev = app.engine.dev
        assert dev is not None
        await pilot.press("d")  # looks again: nothing answers, so it starts the project's own
        await wait_for(
            pilot,
            lambda: (
                header.state is not None
                and header.state.dev in (DevState.STARTING, DevState.FAILED, DevState.READY)
            ),
        )
        assert not any("outside the console" in str(n.message) for n in app._notifications)
