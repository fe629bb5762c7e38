"""Words, units and states on the screen: what a person reads, driven with Pilot (issue 11)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

from console.engine import FakeClock
from console.model import RouteKind, Run, RunState, TargetKind
from console.ui.screens.problems import ProblemsScreen
from console.ui.screens.run_detail import RunDetailScreen
from console.ui.widgets.header import HeaderBar, header_text
from console.ui.widgets.route_table import row_cells
from tests.ui.conftest import NOW, SIZE, AppFactory, screen_lines, wait_for
from tests.ui.server import RecordingServer
from tests.ui.test_keys import plain, select_route


def _timed_out_run() -> Run:
    return Run(
        id="20250603-140000-slow",
        route="/api/slow",
        kind=RouteKind.API,
        target="local",
        target_kind=TargetKind.LOCAL,
        url="http://127.0.0.1:9/api/slow",
        method="GET",
        state=RunState.TIMED_OUT,
        deadline_s=10,
        created_at=NOW - timedelta(minutes=5),
        started_at=NOW - timedelta(minutes=5),
        finished_at=NOW - timedelta(minutes=5) + timedelta(seconds=10),
        attempts=1,
    )


async def test_states_read_as_words_not_enum_names(make_app: AppFactory, frozen: FakeClock) -> None:
    app = make_app(clock=frozen)
    app.engine.store.insert(_timed_out_run())  # type: ignore[attr-defined]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "timed out" in text
        assert "timed_out" not in text


async def test_a_background_run_waiting_to_retry_says_retry_in(
    make_app: AppFactory, local_server: RecordingServer, frozen: FakeClock
) -> None:
    local_server.statuses["/api/send-emails-background"] = 500
    app = make_app(clock=frozen)
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/send-emails-background")
        await pilot.press("t")
        panel = app.main.runs_panel

        def state_cell() -> str:
            run = panel.runs[0]
            return panel.table.get_cell(run.id, "state").plain  # type: ignore[no-any-return]

        await wait_for(pilot, lambda: bool(panel.runs) and panel.runs[0].http_status == 500)
        await wait_for(pilot, lambda: state_cell() == "retry in 1m 00s")
        await frozen.advance(2)
        await wait_for(pilot, lambda: state_cell() == "retry in 58s")
        assert panel.runs[0].state is RunState.ACCEPTED  # what history says; not what is shown
        await pilot.press("tab")  # to the runs table
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        fields = "\n".join(screen_lines(app))
        assert "retry in 58s (try 2 of 3)" in fields
        assert "last attempt HTTP 500" in fields
        state_row = next(line for line in fields.splitlines() if " state " in line)
        assert "accepted" not in state_row


async def test_one_unit_style_for_a_deadline_and_its_time_left(
    make_app: AppFactory, local_server: RecordingServer, frozen: FakeClock
) -> None:
    local_server.held = ("/api/send-emails-background",)
    app = make_app(clock=frozen)
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/send-emails-background")
        await pilot.press("t")
        panel = app.main.runs_panel
        await wait_for(pilot, lambda: bool(panel.runs) and panel.runs[0].state.name == "RUNNING")
        await frozen.advance(8)
        await pilot.pause(0.3)  # a tick moves the countdown
        deadline = panel.table.get_cell(panel.runs[0].id, "deadline").plain
        assert deadline.endswith("14m 52s")
        await pilot.press("tab", "v")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        assert "15m 00s, 14m 52s left" in "\n".join(screen_lines(app))
        local_server.release.set()


async def test_the_time_zone_is_shown_once_when_local_time_is_utc(
    make_app: AppFactory, frozen: FakeClock
) -> None:
    app = make_app(clock=frozen, tz=UTC)
    async with app.run_test(size=(160, 35)) as pilot:
        await pilot.pause()
        state = app.main.query_one(HeaderBar).state
        assert state is not None
        line = header_text(state, 140).plain
        assert line.rstrip().endswith("14:07 UTC")
        assert line.count("UTC") == 1
        select_route(app, "/api/cleanup")
        await pilot.pause()
        detail = plain(app.main.routes_panel.query_one("#route-detail").render())  # type: ignore[arg-type]
        assert "next Tue 15:00 UTC · in" in detail
        assert detail.count("UTC") == 1


async def test_berlin_keeps_both_clocks(make_app: AppFactory, frozen: FakeClock) -> None:
    app = make_app(clock=frozen)  # Europe/Berlin
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        state = app.main.query_one(HeaderBar).state
        assert state is not None
        assert header_text(state, 140).plain.rstrip().endswith("14:07 UTC · 16:07 CEST")


async def test_the_problems_screen_wraps_messages_whole(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        await pilot.pause()
        # The dialog's frame and the screen around it are not the message: keep the words.
        rows = [line.strip(" █▀▄│╭╮╰╯─") for line in screen_lines(app)]
        shown = " ".join(" ".join(rows).split())
        for problem in app.engine.project.problems:
            words = problem.message.split()
            assert len(words) > 8  # long enough to need wrapping at 80 columns
            for word in words:
                assert word in shown
            assert " ".join(words) in shown  # whole, in order, wrapped at word boundaries


async def test_the_route_detail_line_shows_the_file_and_cuts_with_an_ellipsis(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        select_route(app, "/api/cleanup")  # scheduled: its file was never shown
        await pilot.pause()
        detail = app.main.routes_panel.query_one("#route-detail")
        text = plain(detail.render()).rstrip()  # type: ignore[arg-type]
        assert "scheduled · pages/api/cleanup.js:5" in text
        assert len(text) <= detail.content_size.width
    app = make_app()
    async with app.run_test(size=(60, 24)) as pilot:
        select_route(app, "/api/resize-images-background")
        await pilot.pause()
        detail = app.main.routes_panel.query_one("#route-detail")
        text = plain(detail.render()).rstrip()  # type: ignore[arg-type]
        assert text.startswith("/api/resize-images-background  ")
        assert text.endswith("…")
        assert len(text) == detail.content_size.width


async def test_keys_remapped_in_keys_stay_in_the_footer(make_app: AppFactory) -> None:
    app = make_app(keys={"trigger": "x", "scheduler": "S"})
    async with app.run_test(size=(160, 35)) as pilot:
        await wait_for(pilot, lambda: "x trigger" in screen_lines(app)[-1])
        assert "S scheduler" in screen_lines(app)[-1]


async def test_the_readmes_own_keys_example_shows_trigger_once(make_app: AppFactory) -> None:
    app = make_app(keys={"trigger": "t,enter"})
    async with app.run_test(size=(160, 35)) as pilot:
        await wait_for(pilot, lambda: "t trigger" in screen_lines(app)[-1])
        assert screen_lines(app)[-1].count("trigger") == 1


async def test_ctrl_c_names_the_real_quit_key_in_plain_words(make_app: AppFactory) -> None:
    app = make_app(keys={"quit": "Q"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Press Q to quit the console." in messages
        assert not any("[b]" in m or "ctrl+q" in m for m in messages)


async def test_vim_keys_move_in_the_tables_and_the_log(
    make_app: AppFactory, frozen: FakeClock
) -> None:
    app = make_app(clock=frozen)
    first = _timed_out_run()
    app.engine.store.insert(first)  # type: ignore[attr-defined]
    app.engine.store.insert(  # type: ignore[attr-defined]
        replace(
            first, id="20250603-140100-slow", created_at=first.created_at + timedelta(seconds=60)
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        table = app.main.routes_panel.table
        assert app.focused is table and table.cursor == 0
        await pilot.press("j", "j")
        assert table.cursor == 2
        await pilot.press("k")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == len(table.rows) - 1
        await pilot.press("g")
        assert table.cursor == 0
        runs = app.main.runs_panel.table
        runs.focus()
        await pilot.pause()
        assert runs.row_count == 2 and runs.cursor_row == 0
        await pilot.press("j")
        assert runs.cursor_row == 1
        await pilot.press("g")
        assert runs.cursor_row == 0
        await pilot.press("G")
        assert runs.cursor_row == 1
        await pilot.press("k")
        assert runs.cursor_row == 0
        log = app.main.log_view
        log.add((NOW, "dev", None, f"line {i}") for i in range(200))
        log.focus()
        await pilot.pause()
        assert log.follow
        await pilot.press("k")
        assert not log.follow  # scrolling up pauses follow, as the arrow does
        await pilot.press("g")
        assert log.scroll_y == 0
        await pilot.press("G")
        assert log.follow


async def test_a_netlify_function_on_next_dev_alone_says_it_needs_the_functions_server(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        rows = {r.route.route: r for r in app.main.routes_panel.rows}
        fn = rows["/.netlify/functions/process-upload-background"]
        assert fn.note == "needs the functions server"
        assert rows["/api/hello"].note is None
        assert row_cells(fn, NOW).last == "no fn server"
        select_route(app, fn.route.route)
        await pilot.pause()
        detail = plain(app.main.routes_panel.query_one("#route-detail").render())  # type: ignore[arg-type]
        assert "needs the functions server" in detail
        await pilot.press("p")  # a deployed target serves its functions
        await pilot.pause()
        rows = {r.route.route: r for r in app.main.routes_panel.rows}
        assert rows["/.netlify/functions/process-upload-background"].note is None
