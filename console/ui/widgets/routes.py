"""The routes panel: a filter box, the routes table and one line about the selected route."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.model import Route, RouteKind, RunState, Severity
from console.ui.bindings import Scope, bindings
from console.ui.text import clean_line, shorten
from console.ui.view import (
    RouteRow,
    fire_label,
    in_words,
    matches,
    schedule_description,
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
# Fixed columns after the route (which takes what is left, its problem mark included).
COLUMNS = (
    ("kind", "kind", 10),
    ("schedule", "schedule", 11),
    ("next", "next", 5),
    ("last", "last run", 14),
)
# The table's short form of `route_note`; the detail line and a toast say it in full.
SHORT_NOTE = {
    "runs on schedule only": "schedule only",
    "does not run on previews": "not on preview",
}


def short_route(route: str) -> str:
    """Netlify functions' default paths are long and all alike: show `ƒ/name` in the table."""
    if route.startswith(FUNCTIONS_PREFIX):
        return "ƒ/" + route[len(FUNCTIONS_PREFIX) :]
    return route


def state_text(state: RunState | None) -> Text:
    if state is None:
        return Text("—", style="dim")
    return Text(str(state), style=STATE_STYLE.get(state, ""))


class FixedCell:
    """A cell of a fixed-width column: renders its text and offers no width to measure.

    DataTable measures every cell of every new row (on idle, through the console's options)
    to size auto-width columns; the routes table has none, so that measuring was pure cost:
    about 55 ms of the start-up with 1,000 routes (bench/ui.py). A renderable without
    `__rich_measure__` is not measured; it is drawn exactly as its text."""

    __slots__ = ("text",)

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text


class RoutesTable(DataTable[FixedCell]):
    """The table itself; `enter` triggers (bound on the main screen's action)."""

    BINDINGS = bindings(Scope.ROUTES)


class RoutesPanel(Vertical):
    """Shows route rows; filters them by text; posts `Highlighted` when the selection moves."""

    DEFAULT_CSS = """
    RoutesPanel { border: round $primary-muted; }
    RoutesPanel:focus-within { border: round $primary; }
    RoutesPanel #routes-filter { display: none; height: 1; border: none; padding: 0 1; }
    RoutesPanel.-filtering #routes-filter { display: block; }
    RoutesPanel RoutesTable { height: 1fr; scrollbar-size-vertical: 1; }
    RoutesPanel #route-detail { height: 1; color: $text-muted; padding: 0 1; }
    """

    class Highlighted(Message):
        def __init__(self, route: Route | None) -> None:
            super().__init__()
            self.route = route

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[RouteRow] = []
        self.shown: list[RouteRow] = []
        self.filter_text = ""
        self.now = datetime(1970, 1, 1, tzinfo=UTC)
        self.tz: tzinfo = UTC
        self._route_col_width = 0
        self.border_title = "routes"

    def compose(self) -> ComposeResult:
        table: RoutesTable = RoutesTable(
            id="routes-table",
            cursor_type="row",
            zebra_stripes=True,
            cursor_foreground_priority="renderable",
        )
        yield table
        yield Static("", id="route-detail")

    @property
    def table(self) -> RoutesTable:
        return self.query_one(RoutesTable)

    @property
    def selected(self) -> RouteRow | None:
        table = self.table
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def on_resize(self) -> None:
        if self._columns():
            self._fill()  # new columns come without rows

    def _route_width(self) -> int:
        fixed = sum(w for _, _, w in COLUMNS)
        padding = 2 * (len(COLUMNS) + 1)
        scrollbar = 1
        return max(16, self.content_size.width - fixed - padding - scrollbar)

    def _columns(self) -> bool:
        """Lay out the columns for the current width; True when they changed."""
        table = self.table
        width = self._route_width()
        if table.columns and self._route_col_width == width:
            return False
        self._route_col_width = width
        table.clear(columns=True)
        table.add_column("  route", key="route", width=width)
        for key, label, w in COLUMNS:
            table.add_column(label, key=key, width=w)
        return True

    def show(self, rows: Sequence[RouteRow], now: datetime, tz: tzinfo) -> None:
        """Replace the rows (after a reload, a target switch, a finished run, a new minute)."""
        self.rows = list(rows)
        self.now = now
        self.tz = tz
        self._fill()

    def open_filter(self) -> None:
        self.add_class("-filtering")
        boxes = self.query("#routes-filter").results(Input)
        box = next(boxes, None)
        if box is None:  # made on first use: one widget less to build at start-up
            box = Input(placeholder="filter routes (enter keeps, esc clears)", id="routes-filter")
            self.mount(box, before=self.table)
        box.focus()

    def _fill(self) -> None:
        table = self.table
        if not table.columns:
            return
        keep = self.selected.route.route if self.selected else None
        self.shown = [r for r in self.rows if matches(r, self.filter_text)]
        width = self._route_col_width
        table.clear()
        for row in self.shown:
            table.add_row(*map(FixedCell, self._cells(row, width)), key=row.route.route)
        if keep is not None:
            for i, row in enumerate(self.shown):
                if row.route.route == keep:
                    table.move_cursor(row=i, animate=False)
                    break
        total, shown = len(self.rows), len(self.shown)
        title = f"routes {shown}/{total}" if shown != total else f"routes {total}"
        if self.filter_text:
            title += f" · /{self.filter_text}"
        self.border_title = Content(title)  # the filter is text, not markup
        self._detail()

    def _cells(self, row: RouteRow, width: int) -> list[Text]:
        r = row.route
        cell = Text("  ")
        if row.problem is Severity.ERROR:
            cell = Text("✖ ", style="bold red")
        elif row.problem is Severity.WARNING:
            cell = Text("▲ ", style="bold yellow")
        cell.append(shorten(short_route(clean_line(r.route)), width - 2), style="")
        last = (
            Text(SHORT_NOTE.get(row.note, shorten(row.note, 14)), style="italic yellow")
            if row.note
            else state_text(row.last_state)
        )
        next_fire = fire_label(row.next_fire, self.now)
        if len(next_fire) > 5:
            next_fire = next_fire[:3]  # "Tue" or "06-30": the detail line has the full time
        return [
            cell,
            Text(str(r.kind), style=KIND_STYLE[r.kind]),
            Text(shorten(r.schedule or "", 11), style="cyan") if r.schedule else Text("—", "dim"),
            Text(next_fire, no_wrap=True, end=""),  # as DataTable makes of a plain string
            last,
        ]

    def _detail(self) -> None:
        row = self.selected
        detail = self.query_one("#route-detail", Static)
        if row is None:
            detail.update(Text("no route" if not self.rows else "no route matches the filter"))
            return
        detail.update(detail_text(row, self.now, self.tz))

    @on(DataTable.RowHighlighted, "#routes-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail()
        row = self.selected
        self.post_message(self.Highlighted(row.route if row else None))

    @on(Input.Changed, "#routes-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self._fill()

    @on(Input.Submitted, "#routes-filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filter_text:
            self.remove_class("-filtering")
        self.table.focus()

    def clear_filter(self) -> None:
        for box in self.query("#routes-filter").results(Input):
            box.value = ""
        self.filter_text = ""
        self.remove_class("-filtering")
        self._fill()
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        # Escape clears the filter while typing it, and also once it was kept with enter
        # (the table has the focus then), as in k9s.
        if event.key == "escape" and self.has_class("-filtering"):
            event.stop()
            self.clear_filter()


def detail_text(row: RouteRow, now: datetime, tz: tzinfo) -> Text:
    """The line under the table: the schedule in words, the next fire in UTC and local time."""
    r = row.route
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(short_route(clean_line(r.route)), style="bold")
    if row.note:
        text.append(f"  {row.note}", style="italic yellow")
    if r.schedule:
        text.append(f"  {schedule_description(r.schedule)}", style="cyan")
    if row.next_fire is not None:
        utc = row.next_fire.astimezone(UTC)
        local = row.next_fire.astimezone(tz)
        text.append(f"  next {utc:%a %H:%M} UTC", style="bold")
        text.append(f" · {local:%a %H:%M} {local.tzname() or ''}".rstrip())
        text.append(f" · {in_words(row.next_fire - now)}")
    if not r.schedule:
        text.append(f"  {r.kind} · {clean_line(r.file)}:{r.line}", style="dim")
    return text
