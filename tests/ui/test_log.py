"""The log: batched from the bus, bounded, safe to show, following until scrolled up, filterable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.engine import LogLine
from console.model import RunState
from tests.ui.conftest import SIZE, AppFactory, updates, wait_for
from tests.ui.server import RecordingServer
from tests.ui.test_keys import select_route

AT = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)


def line(text: str, run_id: str | None = None) -> LogLine:
    return LogLine(text, AT, "dev", run_id)


async def test_lines_show_as_text_without_markup_or_control_sequences(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.engine.bus.publish(
            line("[bold red]not markup[/] \x1b[31mred\x1b[0m \x1b]0;title\x07end")
        )
        await wait_for(pilot, lambda: app.main.log_view.line_count == 1)
        (text,) = app.main.log_view.shown_text()
        assert text.endswith("[bold red]not markup[/] red end")
        assert "\x1b" not in text
        strip = app.main.log_view.render_line(0)
        rendered = "".join(seg.text for seg in strip)
        assert "[bold red]not markup[/]" in rendered


async def test_the_log_keeps_at_most_max_lines(make_app: AppFactory) -> None:
    app = make_app(max_log_lines=1_000)
    async with app.run_test(size=SIZE) as pilot:
        for i in range(25_000):
            app.engine.bus.publish(line(f"line {i}"))
        await wait_for(pilot, lambda: app.main.log_view.line_count > 0)
        await pilot.pause(0.1)
        log = app.main.log_view
        assert log.line_count == 1_000
        shown = log.shown_text()
        assert shown[-1].endswith("line 24999")
        assert "lines skipped" in shown[0]  # the gap says so


async def test_scrolling_up_pauses_follow_and_counts_new_lines(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.log_view
        for i in range(100):
            app.engine.bus.publish(line(f"first {i}"))
        await wait_for(pilot, lambda: log.line_count == 100)
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y
        log.focus()
        await pilot.press("up", "up")
        assert not log.follow
        held = log.scroll_y
        for i in range(5):
            app.engine.bus.publish(line(f"more {i}"))
        await wait_for(pilot, lambda: log.line_count == 105)
        assert log.new_while_paused == 5
        assert "5 new" in str(log.border_subtitle)
        assert log.scroll_y == held  # the reader's place does not move
        await pilot.press("f")
        await pilot.pause()
        assert log.follow and log.scroll_y == log.max_scroll_y


async def test_slash_in_the_log_filters_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.log_view
        for text in ("GET /api/hello 200", "Error: boom", "compiled", "another error here"):
            app.engine.bus.publish(line(text))
        await wait_for(pilot, lambda: log.line_count == 4)
        log.focus()
        await pilot.press("slash", *"error")
        await pilot.pause()
        shown = [t.split(" ", 2)[2].strip() for t in log.shown_text()]
        assert shown == ["Error: boom", "another error here"]
        assert "/error" in str(log.border_title)
        await pilot.press("escape")
        await pilot.pause()
        assert len(log.shown_text()) == 4


async def test_w_wraps_long_lines(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.log_view
        app.engine.bus.publish(line("x" * 500))
        await wait_for(pilot, lambda: log.line_count == 1)
        assert log.shown_count == 1
        await pilot.press("w")
        await pilot.pause()
        assert log.wrap and log.shown_count > 1
        await pilot.press("w")
        await pilot.pause()
        assert log.shown_count == 1


async def test_o_shows_only_the_selected_runs_lines(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.engine.bus.publish(line("a dev line of nobody"))
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(
            pilot, lambda: bool(app.main.runs) and app.main.runs_panel.runs[0].state.final
        )
        run = app.main.runs_panel.runs[0]
        log = app.main.log_view
        await pilot.press("o")
        assert log.run_filter == run.id
        shown = log.shown_text()
        assert shown and not any("nobody" in t for t in shown)
        assert any("200" in t for t in shown)
        await pilot.press("o")
        assert log.run_filter is None
        assert any("nobody" in t for t in log.shown_text())


async def test_y_copies_the_shown_log(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for text in ("one", "two"):
            app.engine.bus.publish(line(text))
        await wait_for(pilot, lambda: app.main.log_view.line_count == 2)
        await pilot.press("y")
        assert app.clipboard.endswith("two") and "one" in app.clipboard


async def test_keys_remap_from_console_toml(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app(keys={"trigger": "x", "nonsense": "k"})
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await pilot.press("t")
        await pilot.pause(0.3)
        assert local_server.paths() == []
        await pilot.press("x")
        await wait_for(pilot, lambda: local_server.paths() == ["/api/hello"])
        assert any("nonsense" in str(n.message) for n in app._notifications)


async def test_routes_reload_when_the_project_changes(make_app: AppFactory) -> None:
    app = make_app()
    project = app.engine.project
    fewer = replace(project, routes=tuple(r for r in project.routes if r.route != "/api/hello"))
    app = make_app(project=project, project_updates=updates(fewer))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.routes_panel
        await wait_for(pilot, lambda: len(panel.rows) == len(project.routes) - 1)
        assert "/api/hello" not in [r.route.route for r in panel.rows]
        assert app.engine.project is fewer


async def test_a_finished_run_updates_the_routes_last_state(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await pilot.press("t")
        rows = app.main.routes_panel
        await wait_for(
            pilot,
            lambda: (
                {r.route.route: r.last_state for r in rows.rows}["/api/hello"] is RunState.SUCCEEDED
            ),
        )


async def test_a_history_that_cannot_be_written_is_said_on_screen_and_the_run_still_shows(
    make_app: AppFactory, local_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the history's write lock while a run is triggered: the run ends
    `succeeded` on screen, the log says the history cannot be written, and once the lock is
    released it says the history is written again."""
    import console.engine.engine as engine_module
    import console.engine.history as history_module
    import console.engine.history_queue as history_queue
    from tests.faults.write_lock import write_lock

    monkeypatch.setattr(history_module, "BUSY_TIMEOUT", 0.3)
    monkeypatch.setattr(engine_module, "HISTORY_RETRY", 0.05)
    monkeypatch.setattr(history_queue, "RETRY_AFTER", 0.05)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        log = app.main.log_view
        with write_lock(Path(str(app.engine.store.path))) as lock:
            lock.take()
            select_route(app, "/api/hello")
            await pilot.press("t")
            await wait_for(
                pilot, lambda: bool(app.main.runs) and app.main.runs_panel.runs[0].state.final
            )
            assert app.main.runs_panel.runs[0].state is RunState.SUCCEEDED
            await wait_for(pilot, lambda: any("cannot be written" in t for t in log.shown_text()))
        await wait_for(pilot, lambda: any("is written again" in t for t in log.shown_text()))
        assert app.engine.store.pending == 0 and app.engine.store.problem is None
