"""The routes table: one line per route, its schedule's fires drawn as a strip on the same line.

A line-API widget (`ScrollView`): only the lines on screen are drawn, so 1,000 routes cost what
20 do (a `DataTable` builds and measures every row up front). Column widths follow the content:
a 30-character route gets its 30 columns and the strip of the timeline takes what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.errors import ConsoleError
from console.model import RouteKind, RunState, Severity
from console.schedule import CronSpec, parse_cron, timeline
from console.ui.bindings import Scope, bindings
from console.ui.segments import text_segments
from console.ui.text import clean_line, shorten
from console.ui.view import RouteRow, fire_label, state_word
from console.ui.widgets.timeline import (
    MIN_STRIP,
    axis_labels,
    axis_text,
    column_of,
    strip_segments,
)

FUNCTIONS_PREFIX = "/.netlify/functions/"
KIND_STYLE = {RouteKind.API: "", RouteKind.BACKGROUND: "magenta", RouteKind.SCHEDULED: "cyan"}
STATE_STYLE = {
    RunState.SUCCEEDED: "green",
    RunState.ACCEPTED: "green",
    RunState.RUNNING: "bold yellow",
    RunState.QUEUED: "yellow",
    RunState.FAILED: "bold red",
    RunState.TIMED_OUT: "bold red",
    RunState.UNREACHABLE: "red",
    RunState.CANCELLED: "dim",
    RunState.REFUSED: "yellow",
    RunState.INTERRUPTED: "dim",
}
# The table's short form of `route_note`; the detail line and a toast say it in full.
SHORT_NOTE = {
    "runs on schedule only": "schedule only",
    "does not run on previews": "not on preview",
    "needs the functions server": "no fn server",
}
GAP = 2  # spaces between columns
LEFT = 1  # space before the first column
MIN_ROUTE = 12  # a route column is never cut below this
SCHEDULE_MAX = 15  # a longer cron string is cut (the detail line says it in full)


@lru_cache(maxsize=64)
def _style(definition: str) -> Style:
    return Style.parse(definition) if definition else Style.null()


def short_route(route: str) -> str:
    """Netlify functions' default paths are long and all alike: show `ƒ/name` in the table."""
    if route.startswith(FUNCTIONS_PREFIX):
        return "ƒ/" + route[len(FUNCTIONS_PREFIX) :]
    return route


def state_text(state: RunState | None) -> Text:
    if state is None:
        return Text("—", style="dim")
    return Text(state_word(state), style=STATE_STYLE.get(state, ""))


class Column(NamedTuple):
    key: str
    label: str
    width: int


class Cells(NamedTuple):
    """A row's cells as plain text: what the column widths are measured from."""

    route: str
    kind: str
    schedule: str
    next: str
    last: str


HEADERS = Cells("  route", "kind", "schedule", "next", "last run")
# The last-run column keeps one width whatever the runs do, so the strip never jumps.
LAST_WIDTH = max(len(HEADERS.last), *(len(state_word(s)) for s in RunState))


def row_cells(row: RouteRow, now: datetime) -> Cells:
    r = row.route
    next_fire = fire_label(row.next_fire, now)
    if len(next_fire) > 5:
        next_fire = next_fire[:3]  # "Tue" or "06-30": the detail line has the full time
    if row.note:
        last = SHORT_NOTE.get(row.note, shorten(row.note, 14))
    else:
        last = state_word(row.last_state) if row.last_state else "—"
    return Cells(
        route="  " + short_route(clean_line(r.route)),
        kind=str(r.kind),
        schedule=shorten(clean_line(r.schedule), SCHEDULE_MAX) if r.schedule else "—",
        next=next_fire,
        last=last,
    )


def content_widths(rows: Sequence[RouteRow]) -> dict[str, int]:
    """The widest cell of each column, from the rows' plain facts (no cell is built: with
    1,000 routes only the 30 on screen ever are)."""
    widths = {k: len(h) for k, h in zip(Cells._fields, HEADERS, strict=True)}
    kinds = {r.route.kind for r in rows}
    if rows:
        widths["route"] = max(
            widths["route"], 2 + max(len(short_route(r.route.route)) for r in rows)
        )
    widths["kind"] = max(widths["kind"], *(len(str(k)) for k in kinds)) if kinds else widths["kind"]
    schedules = [min(len(r.route.schedule), SCHEDULE_MAX) for r in rows if r.route.schedule]
    widths["schedule"] = max(widths["schedule"], *schedules) if schedules else widths["schedule"]
    widths["next"] = max(widths["next"], 5) if any(r.next_fire for r in rows) else widths["next"]
    notes = [len(SHORT_NOTE.get(r.note, shorten(r.note, 14))) for r in rows if r.note]
    widths["last"] = max(widths["last"], LAST_WIDTH, *notes)
    return widths


def layout_columns(content: dict[str, int], available: int, scheduled: bool) -> list[Column]:
    """Columns as wide as their widest cell; the strip (when it fits) takes what is left.

    Too narrow for all of them: the route is cut first (not below MIN_ROUTE), then the
    schedule and next-fire columns go (the detail line says both), then the kind."""
    widths = dict(content)
    keys = ["route", "kind", "schedule", "next", "last"] if scheduled else ["route", "kind", "last"]

    def needed() -> int:
        return LEFT + sum(widths[k] for k in keys) + GAP * (len(keys) - 1)

    for drop in ("schedule", "next", "kind"):
        excess = needed() - available
        if excess <= 0:
            break
        widths["route"] = max(MIN_ROUTE, widths["route"] - excess)
        if needed() > available and drop in keys:
            keys.remove(drop)
    if (excess := needed() - available) > 0:
        widths["route"] = max(4, widths["route"] - excess)
    strip = available - needed() - GAP
    # The strip shows a schedule better than its cron text (the detail line has both).
    fits_without = strip + widths["schedule"] + GAP >= MIN_STRIP
    if scheduled and strip < MIN_STRIP and "schedule" in keys and fits_without:
        keys.remove("schedule")
        strip = available - needed() - GAP
    labels = dict(zip(Cells._fields, HEADERS, strict=True))
    columns = [Column(k, labels[k], widths[k]) for k in keys]
    if scheduled and strip >= MIN_STRIP:
        columns.append(Column("strip", "", strip))
    return columns


class RouteTable(ScrollView, can_focus=True):
    """Shows route rows and the fires of each scheduled one; posts `Highlighted` on a move."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings(Scope.ROUTES),
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("home", "scroll_home", "first", show=False),
        Binding("end", "scroll_end", "last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "route-table--header",
        "route-table--cursor",
        "route-table--even",
    }
    DEFAULT_CSS = """
    RouteTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .route-table--header { text-style: bold; background: $panel; }
        & > .route-table--even { background: $surface-lighten-1 50%; }
        & > .route-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .route-table--cursor {
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, table: RouteTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> RouteTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[RouteRow] = []
        self._cells: dict[int, Cells] = {}  # made when a line is first drawn
        self._widths: dict[str, int] = content_widths(())
        self.columns: list[Column] = []
        self.now = datetime(1970, 1, 1, tzinfo=UTC)
        self.window = (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 2, tzinfo=UTC))
        self._scheduled = False
        self._specs: dict[str, CronSpec | None] = {}
        self._counts: dict[str, list[int]] = {}
        self._axis = ""
        self._now_col: int | None = None
        self._lines: LRUCache[tuple[int, bool], Strip] = LRUCache(512)

    # --- what the panel sets ----------------------------------------------------------------

    def set_rows(self, rows: Sequence[RouteRow], now: datetime, keep: str | None) -> None:
        """Replace the rows; the cursor stays on route `keep` when it is still shown."""
        self.rows = list(rows)
        self.now = now
        self._cells.clear()
        self._widths = content_widths(self.rows)
        self._scheduled = any(r.route.kind is RouteKind.SCHEDULED for r in self.rows)
        index = 0
        if keep is not None:
            index = next((i for i, r in enumerate(self.rows) if r.route.route == keep), 0)
        self._relayout()
        self.cursor = min(index, max(0, len(self.rows) - 1))

    def set_window(self, start: datetime, end: datetime, now: datetime) -> None:
        """The strip's span (24 hours or 7 days); counts are made again for it."""
        if (start, end) != self.window:
            self.window = (start, end)
            self._counts.clear()
            self._axis_changed()
        self.set_now(now)

    def set_now(self, now: datetime) -> None:
        """Move the now column; redraws only when it moved to another bucket."""
        self.now = now
        col = self._column_of_now()
        if col != self._now_col:
            self._now_col = col
            self._dirty()

    @property
    def strip_width(self) -> int:
        return next((c.width for c in self.columns if c.key == "strip"), 0)

    @property
    def visible_rows(self) -> int:
        """Route lines on screen (the header line is not one)."""
        return max(0, self.scrollable_content_region.height - 1)

    @property
    def first_visible(self) -> int:
        return int(self.scroll_offset.y)

    # --- layout -----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        columns = layout_columns(self._widths, width, self._scheduled) if width > 0 else []
        if columns != self.columns:
            old_strip = self.strip_width
            self.columns = columns
            if self.strip_width != old_strip:
                self._counts.clear()
                self._axis_changed()
        self.virtual_size = Size(width, len(self.rows) + 1)
        self._dirty()

    def _axis_changed(self) -> None:
        start, end = self.window
        width = self.strip_width
        self._axis = axis_labels(start, end, width) if width else ""
        self._now_col = self._column_of_now()
        self._dirty()

    def _column_of_now(self) -> int | None:
        start, end = self.window
        return column_of(self.now, start, end, self.strip_width)

    def _dirty(self) -> None:
        self._lines.clear()
        self.refresh()

    # --- the cursor -------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.first_visible
        shown = max(1, self.visible_rows)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + shown:
            self.scroll_to(y=new - shown + 1, animate=False, immediate=True)
        self._dirty()
        self.post_message(self.Highlighted(self, new))

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.visible_rows - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.visible_rows - 1)

    def action_scroll_home(self) -> None:
        self.cursor = 0

    def action_scroll_end(self) -> None:
        self.cursor = len(self.rows) - 1

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = self.first_visible + offset.y - 1
        if index < len(self.rows):
            self.cursor = index

    # --- drawing ----------------------------------------------------------------------------

    def watch_has_focus(self, focus: bool) -> None:
        self._dirty()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = self.first_visible + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        key = (index, index == self.cursor)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._line(index, width, base)
            self._lines[key] = strip
        return strip

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("route-table--header")
        text = Text(" " * LEFT, style=style, end="", no_wrap=True)
        for i, col in enumerate(self.columns):
            if i:
                text.append(" " * GAP)
            if col.key == "strip":
                text.append_text(axis_text(self._axis, self._now_col))
            else:
                text.append(f"{col.label:<{col.width}}"[: col.width])
        return self._strip(text, width, style)

    def _line(self, index: int, width: int, base: Style) -> Strip:
        """One route's line as segments, built directly: a `Text` per cell and its render
        cost more than the rest of the start-up together (bench/ui.py)."""
        row = self.rows[index]
        cells = self._cells.get(index)
        if cells is None:
            cells = self._cells[index] = row_cells(row, self.now)
        style = base
        if index % 2:
            style = style + self.get_component_rich_style("route-table--even")
        if index == self.cursor:
            style = style + self.get_component_rich_style("route-table--cursor")
        segments = [Segment(" " * LEFT, style)]
        for i, col in enumerate(self.columns):
            if i:
                segments.append(Segment(" " * GAP, style))
            if col.key == "strip":
                counts = self._strip_counts(row)
                if counts is not None:
                    segments.extend(strip_segments(counts, self._now_col, style))
                continue
            segments.extend(self._cell(row, cells, col, style))
        return Strip(segments).crop_extend(0, width, style)

    def _cell(self, row: RouteRow, cells: Cells, col: Column, base: Style) -> list[Segment]:
        value: str = getattr(cells, col.key)
        shown = f"{shorten(value, col.width):<{col.width}}"
        if col.key == "route":
            if row.problem is Severity.ERROR:
                return [Segment("✖ ", base + _style("bold red")), Segment(shown[2:], base)]
            if row.problem is Severity.WARNING:
                return [Segment("▲ ", base + _style("bold yellow")), Segment(shown[2:], base)]
            return [Segment(shown, base)]
        if col.key == "kind":
            cell_style = KIND_STYLE[row.route.kind]
        elif col.key == "schedule":
            cell_style = "cyan" if row.route.schedule else "dim"
        elif col.key == "last":
            if row.note:
                cell_style = "italic yellow"
            else:
                cell_style = STATE_STYLE.get(row.last_state, "dim") if row.last_state else "dim"
        else:
            cell_style = ""
        return [Segment(shown, base + _style(cell_style))]

    def _strip_counts(self, row: RouteRow) -> list[int] | None:
        """The fires per bucket of a scheduled route, made when its line is first drawn."""
        schedule = row.route.schedule
        if row.route.kind is not RouteKind.SCHEDULED or not schedule:
            return None  # a schedule the platform ignores (config not read) never fires
        counts = self._counts.get(schedule)
        if counts is None:
            if schedule not in self._specs:
                try:
                    self._specs[schedule] = parse_cron(schedule)
                except (ConsoleError, ValueError):
                    self._specs[schedule] = None  # a problem, shown in the problems list
            spec = self._specs[schedule]
            if spec is None:
                return None
            start, end = self.window
            counts = self._counts[schedule] = timeline([spec], start, end, self.strip_width)[0]
        return counts

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = text_segments(text, self.app.console)
        return Strip(segments).crop_extend(0, width, style)
