"""The routes panel: a filter box, the routes table and one line about the selected route."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from console.model import Route
from console.ui.text import clean_line
from console.ui.view import RouteRow, clock_label, in_words, matches, schedule_description
from console.ui.widgets.route_table import RouteTable, short_route, state_text

__all__ = ["RoutesPanel", "detail_text", "short_route", "state_text"]


class RoutesPanel(Vertical):
    """Shows route rows and their timeline strips; filters them by text; posts `Highlighted`."""

    DEFAULT_CSS = """
    RoutesPanel { border: round $primary-muted; }
    RoutesPanel:focus-within { border: round $primary; }
    RoutesPanel #routes-filter { display: none; height: 1; border: none; padding: 0 1; }
    RoutesPanel.-filtering #routes-filter { display: block; }
    RoutesPanel RouteTable { height: 1fr; }
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
        self.discovering = False  # routes are being discovered: the table is empty for now
        self.zoom_label = "24h"
        self.now = datetime(1970, 1, 1, tzinfo=UTC)
        self.tz: tzinfo = UTC
        self.border_title = "routes"

    def compose(self) -> ComposeResult:
        yield RouteTable(id="routes-table")
        yield Static("", id="route-detail")

    @property
    def table(self) -> RouteTable:
        return self.query_one(RouteTable)

    @property
    def selected(self) -> RouteRow | None:
        i = self.table.cursor
        if not self.shown or i < 0 or i >= len(self.shown):
            return None
        return self.shown[i]

    @property
    def wanted_height(self) -> int:
        """Rows the panel needs to show every route: borders, the header line, the detail."""
        filtering = 1 if self.has_class("-filtering") else 0
        return 2 + 1 + max(1, len(self.shown)) + 1 + filtering

    def show(self, rows: Sequence[RouteRow], now: datetime, tz: tzinfo) -> None:
        """Replace the rows (after a reload, a target switch, a finished run, a new minute)."""
        self.rows = list(rows)
        self.now = now
        self.tz = tz
        self._fill()

    def set_window(self, start: datetime, end: datetime, now: datetime, zoom_label: str) -> None:
        """The span of the timeline strips: 24 hours or 7 days, in UTC."""
        self.zoom_label = zoom_label
        self.table.set_window(start, end, now)
        self._titles()

    def tick(self, now: datetime) -> None:
        self.now = now
        self.table.set_now(now)

    def open_filter(self) -> None:
        self.add_class("-filtering")
        boxes = self.query("#routes-filter").results(Input)
        box = next(boxes, None)
        if box is None:  # made on first use: one widget less to build at start-up
            box = Input(placeholder="filter routes (enter keeps, esc clears)", id="routes-filter")
            self.mount(box, before=self.table)
        box.focus()

    def _fill(self) -> None:
        keep = self.selected.route.route if self.selected else None
        self.shown = [r for r in self.rows if matches(r, self.filter_text)]
        self.table.set_rows(self.shown, self.now, keep)
        self._titles()
        self._detail()

    def _titles(self) -> None:
        total, shown = len(self.rows), len(self.shown)
        title = f"routes {shown}/{total}" if shown != total else f"routes {total}"
        if self.discovering:
            title = "routes · discovering…"
        if self.table.strip_width:
            title += f" · timeline {self.zoom_label} UTC"
        if self.filter_text:
            title += f" · /{self.filter_text}"
        self.border_title = Content(title)  # the filter is text, not markup

    def _detail(self) -> None:
        row = self.selected
        detail = self.query_one("#route-detail", Static)
        if row is None:
            if self.discovering:
                detail.update(Text("discovering the project's routes…"))
            else:
                detail.update(Text("no route" if not self.rows else "no route matches the filter"))
            return
        detail.update(detail_text(row, self.now, self.tz, detail.content_size.width or None))

    @on(RouteTable.Highlighted, "#routes-table")
    def _highlighted(self, event: RouteTable.Highlighted) -> None:
        event.stop()
        self._detail()
        row = self.selected
        self.post_message(self.Highlighted(row.route if row else None))

    def on_resize(self) -> None:
        self._titles()  # the strip comes and goes with the width

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


def detail_text(row: RouteRow, now: datetime, tz: tzinfo, width: int | None = None) -> Text:
    """The line under the table: what stops the route here, its kind and file (every route has
    them), the schedule in words and the next fire; cut with `…` at `width`."""
    r = row.route
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(short_route(clean_line(r.route)), style="bold")
    if row.note:
        text.append(f"  {row.note}", style="italic yellow")
    text.append(f"  {r.kind} · {clean_line(r.file)}:{r.line}", style="dim")
    if r.schedule:
        text.append(f"  {schedule_description(r.schedule)}", style="cyan")
    if row.next_fire is not None:
        text.append(f"  next {clock_label(row.next_fire, tz, '%a %H:%M')}", style="bold")
        text.append(f" · {in_words(row.next_fire - now)}")
    if width is not None and text.cell_len > width:
        # A Static wraps at a space and its one row shows the first piece: cut it ourselves.
        text.truncate(width, overflow="ellipsis")
    return text
