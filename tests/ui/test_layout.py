"""The space goes where the content is: row counts at real terminal sizes, the timeline on the
routes' own rows, zoom and focus keys, a header and footer that fit narrow terminals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from console.engine import Engine, FakeClock, RunStore
from console.model import Project, RouteKind, RunState
from console.project import discover
from console.ui.app import ConsoleApp, create_app
from console.ui.widgets.keys_footer import KeysFooter
from console.ui.widgets.route_table import RouteTable
from tests.ui.conftest import BERLIN, NOW, settings_for, wait_for
from tests.ui.demo import finished_run, generated_project


@pytest.fixture(scope="module")
def p32(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return discover(generated_project(tmp_path_factory.mktemp("p32") / "p32", 32))


@pytest.fixture
def make(tmp_path: Path) -> Any:
    stores: list[RunStore] = []

    def factory(project: Project, runs: int = 0) -> ConsoleApp:
        store = RunStore(tmp_path / f"h{len(stores)}.sqlite3")
        stores.append(store)
        for i in range(runs):
            route = project.routes[i].route
            store.insert(
                finished_run(NOW, f"run-{i}", route, RouteKind.API, RunState.SUCCEEDED,
                             60 * (i + 1), 0.2, 200, ("ok",))
            )  # fmt: skip
        settings = settings_for(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
        clock = FakeClock(NOW)
        engine = Engine(project, settings, store, clock=clock)
        return create_app(engine, clock=clock, tz=BERLIN, start_dev=False, probe_dev=False)

    yield factory
    for s in stores:
        s.close()


def screen_lines(app: ConsoleApp) -> list[str]:
    """What the terminal shows, line by line (the compositor's text, no styles)."""
    height = app.size.height
    return [
        Text.assemble(*[(seg.text, seg.style) for seg in strip]).plain
        for strip in app.screen._compositor.render_strips()
    ][:height]


def routes_on_screen(app: ConsoleApp, project: Project) -> list[str]:
    lines = screen_lines(app)
    return [r.route for r in project.routes if any(r.route in line for line in lines)]


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_80x24_without_runs_shows_at_least_8_routes(make: Any, p32: Project) -> None:
    app = make(p32)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.routes_panel.table
        assert table.visible_rows >= 8
        assert len(routes_on_screen(app, p32)) >= 8
        # The empty runs panel takes its three rows, not a share of the screen.
        assert app.main.runs_panel.outer_size.height == 3


async def test_140x45_with_3_runs_shows_at_least_20_routes(make: Any, p32: Project) -> None:
    app = make(p32, runs=3)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        assert len(app.main.runs_panel.runs) == 3
        assert app.main.routes_panel.table.visible_rows >= 20
        assert len(routes_on_screen(app, p32)) >= 20
        assert app.main.runs_panel.outer_size.height == 2 + 1 + 3  # borders, header, three runs


async def test_200x60_shows_every_route_and_columns_follow_the_content(
    make: Any, p32: Project
) -> None:
    app = make(p32)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        assert len(routes_on_screen(app, p32)) == 32
        table = app.main.routes_panel.table
        route_col = next(c for c in table.columns if c.key == "route")
        assert route_col.width == len("  /api/gen/route-0031")  # not 85 columns
        assert table.strip_width > 100  # the timeline takes the room the route does not need


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_each_scheduled_route_has_its_strip_on_its_own_row_and_names_are_written_once(
    make: Any, p32: Project, size: tuple[int, int]
) -> None:
    app = make(p32)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        table = app.main.routes_panel.table
        assert table.strip_width > 0, "the strip is shown at this width"
        for route in routes_on_screen(app, p32):
            mine = [line for line in lines if route in line]
            assert len(mine) <= 2  # its row, and the detail line when it is the selected one
            row = mine[0][1:-2]  # inside the borders and the scrollbar
            kind = p32.route(route).kind  # type: ignore[union-attr]
            has_marks = any(m in row for m in "│┃█") or "·" * 5 in row
            assert has_marks is (kind is RouteKind.SCHEDULED), row
        # No second list of short names beside the table (the old timeline panel); the detail
        # line under the table names the selected route's file (`… · pages/api/gen/…`).
        assert not any(line.count("route-0000") > 1 for line in lines if " · pages/" not in line)


async def test_the_filter_keeps_each_strip_on_its_route(make: Any, p32: Project) -> None:
    app = make(p32)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"route-0003")
        await settle(pilot)
        panel = app.main.routes_panel
        assert [r.route.route for r in panel.shown] == ["/api/gen/route-0003"]
        row = next(line for line in screen_lines(app) if "route-0003  scheduled" in line)
        assert "│" in row  # 0 9 * * 1-5: one fire a bucket at 09:00


async def test_Z_zooms_the_focused_panel_and_back(make: Any, p32: Project) -> None:
    app = make(p32, runs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.main
        await pilot.press("3")
        assert app.focused is main.log_view
        await pilot.press("Z")
        await settle(pilot)
        assert main.zoomed == "logs"
        assert not main.routes_panel.display and not main.runs_panel.display
        assert main.log_panel.outer_size.height == 40 - 2
        await pilot.press("Z")
        await settle(pilot)
        assert main.zoomed is None
        assert main.routes_panel.display and main.runs_panel.display
        await pilot.press("1")
        assert app.focused is main.routes_panel.table
        await pilot.press("Z")
        await settle(pilot)
        assert main.routes_panel.outer_size.height == 38
        assert len(routes_on_screen(app, p32)) == 32  # every route, zoomed
        await pilot.press("2")  # another panel's number while zoomed: zoom moves to it
        await settle(pilot)
        assert main.zoomed == "runs" and app.focused is main.runs_panel.table
        await pilot.press("Z")


async def test_the_routes_table_moves_with_the_keys(make: Any, p32: Project) -> None:
    app = make(p32)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.main.routes_panel
        table = panel.table
        assert isinstance(table, RouteTable) and app.focused is table
        await pilot.press("down", "down")
        assert panel.selected is not None and panel.selected.route.route == "/api/gen/route-0002"
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 31
        assert "route-0031" in "\n".join(screen_lines(app))  # scrolled to it
        await pilot.press("home", "pagedown")
        assert table.cursor == table.visible_rows - 1


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_the_header_keeps_clock_scheduler_and_problems(
    make: Any, tmp_path: Path, width: int
) -> None:
    root = generated_project(tmp_path / "with-problem", 4)
    (root / "pages" / "api" / "gen" / "bad.js").write_text(
        "export const config = { type: 'experimental-scheduled', schedule: 'nope' };\n"
        "export default function handler() {}\n"
    )
    project = discover(root)
    assert project.problems
    app = make(project)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        header = screen_lines(app)[0]
        assert "14:07 UTC" in header
        assert "scheduler off" in header
        assert "✖ " in header or "▲ " in header
        if width >= 120:
            assert "16:07 CEST" in header and "http://127.0.0.1:9" in header


@pytest.mark.parametrize("width", [60, 80, 100, 140])
async def test_the_footer_shows_whole_keys_only(make: Any, p32: Project, width: int) -> None:
    app = make(p32)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = screen_lines(app)[-1]
        left, right = app.main.query_one(KeysFooter).items()
        assert footer.rstrip().endswith("^p palette")
        assert "? help" in footer and "q quit" in footer
        words = footer.split()
        labels = {item.label for item in left + right}
        # Every word is a key or a whole label: nothing cut (`^p paletteo`, `rer`).
        for word in words:
            assert word in labels or any(word == i.shown for i in left + right), word
        assert len(footer) <= width
        labels_left = [i.label for i in left]
        assert len(labels_left) == len(set(labels_left)), "a key listed twice (enter and t)"


async def test_a_remapped_key_shows_in_the_footer(tmp_path: Path, p32: Project) -> None:
    store = RunStore(tmp_path / "h.sqlite3")
    settings = settings_for(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9", {"trigger": "x"})
    engine = Engine(p32, settings, store, clock=FakeClock(NOW))
    app = create_app(engine, tz=BERLIN, start_dev=False, probe_dev=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: "x trigger" in screen_lines(app)[-1])
    store.close()


async def test_routes_discovered_after_the_first_frame_fill_the_table(
    tmp_path: Path, p32: Project
) -> None:
    """`console open` shows the screen first and the routes when discovery is done."""
    from dataclasses import replace

    from tests.ui.conftest import updates

    store = RunStore(tmp_path / "h.sqlite3")
    settings = settings_for(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
    empty = replace(p32, routes=(), problems=())
    engine = Engine(empty, settings, store, clock=FakeClock(NOW))
    arrived = asyncio.Event()

    async def later() -> Any:
        await arrived.wait()
        async for p in updates(p32):
            yield p

    app = create_app(
        engine, tz=BERLIN, start_dev=False, probe_dev=False, project_updates=later(),
        discovering=True,
    )  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.main.routes_panel
        assert "discovering" in str(panel.border_title)
        await pilot.press("z")  # keys work meanwhile
        assert app.main.zoom.value == "7d"
        arrived.set()
        await wait_for(pilot, lambda: len(panel.rows) == 32)
        assert "discovering" not in str(panel.border_title)
        assert not any("reloaded" in str(n.message) for n in app._notifications)
    store.close()


PARTIAL_BLOCKS = set("▁▂▃▄▅▆▇▉▊▋▌▍▎▏")


async def test_no_partial_block_cells_in_the_log_or_tables(make: Any, p32: Project) -> None:
    """Scrollbar thumbs were drawn with eighth-cell glyphs, stray `▌`/`▋` cells in the log."""
    app = make(p32, runs=8)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        long = "x" * 300  # wider than the log: a horizontal scrollbar
        app.main.log_view.add((NOW, "dev", None, f"{i} {long}") for i in range(200))
        await settle(pilot)
        await pilot.press("3", "end")
        await settle(pilot)
        seen = {ch for line in screen_lines(app) for ch in line}
        assert not seen & PARTIAL_BLOCKS, seen & PARTIAL_BLOCKS


async def test_80x24_runs_rows_are_not_taken_by_a_scrollbar(make: Any, p32: Project) -> None:
    app = make(p32, runs=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.runs_panel.table
        assert not table.show_horizontal_scrollbar  # it took one of the panel's few rows
        assert table.scrollable_content_region.height >= 1 + 2  # its header and two runs


async def test_the_example_keeps_its_strips_at_80_columns(make: Any, acme: Project) -> None:
    app = make(acme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main.routes_panel.table.strip_width >= 10
