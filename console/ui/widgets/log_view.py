"""The live log: a bounded, filterable, wrappable line view that follows new lines until scrolled up.

Lines arrive in batches (see `inbox.py`); each batch is one append, one virtual-size change and at
most one scroll. Lines are shown as `Text` built from plain strings, so markup in a line is text,
and control sequences are stripped once, when the line comes in. Only the rows on screen are
rendered, and a rendered row is cached until the content or the selection changes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, NamedTuple

from rich.cells import cell_len, chop_cells
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.selection import Selection
from textual.strip import Strip

from console.ui.bindings import Scope, bindings
from console.ui.segments import text_segments
from console.ui.text import clean_line

TAG_WIDTH = 12
PREFIX_WIDTH = 9 + TAG_WIDTH + 1  # "HH:MM:SS " + the source tag + " "


# Tuples, not dataclasses: a burst makes tens of thousands of these between two frames.
class LogEntry(NamedTuple):
    """One line as the log keeps it: already cleaned, with where it came from."""

    seq: int
    at: datetime
    run_id: str | None
    text: str
    kind: str  # "dev", "run" or "console": how the tag is coloured
    prefix: str  # "HH:MM:SS tag    " (UTC)


class Row(NamedTuple):
    """One screen row: a whole entry, or a piece of a wrapped one."""

    seq: int
    start: int  # offset of this piece in the entry's full text (prefix included)
    text: str
    prefix_len: int  # characters of the row that are the dim prefix (0 on continuation rows)
    kind: str


def width_of(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def tag_for(source: str, run_id: str | None, run_name: str | None = None) -> tuple[str, str]:
    """The prefix tag of a line and its colour class: the run's route name (or the random end
    of its id), else where the line came from."""
    if run_id:
        return (run_name or run_id[-6:])[:TAG_WIDTH], "run"
    if source == "dev":
        return "dev", "dev"
    if source == "functions":  # the functions server's own lines, coloured as the dev server's
        return "fn", "dev"
    return "—", "console"


class LogView(ScrollView, can_focus=True):
    """Shows log entries; keeps at most `max_lines`; follows the end while `follow` is on."""

    BINDINGS = bindings(Scope.LOG)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log--time",
        "log--dev",
        "log--run",
        "log--console",
        "log--match",
    }
    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        overflow-y: auto;
        overflow-x: auto;
        & > .log--time { color: $text-muted; }
        & > .log--dev { color: $text-accent; }
        & > .log--run { color: $text-secondary; }
        & > .log--console { color: $text-primary; }
        & > .log--match { background: $warning 40%; }
    }
    """

    follow: reactive[bool] = reactive(True)
    wrap: reactive[bool] = reactive(False)

    def __init__(
        self, max_lines: int = 10_000, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.max_lines = max(1, max_lines)
        self._entries: deque[LogEntry] = deque(maxlen=self.max_lines)
        self._run_entries: deque[LogEntry] | None = None  # the source while one run is shown
        self.run_filter: str | None = None
        self.text_filter = ""
        self._rows: deque[Row] = deque()
        self._seq = 0
        self._width = 0
        self._wrap_width = 0
        self.new_while_paused = 0
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._clock_text: tuple[datetime | None, str] = (None, "")
        self.run_names: dict[str, str] = {}  # run id -> short route name, kept by the screen

    # --- what the screen calls -------------------------------------------------------------

    @property
    def line_count(self) -> int:
        """Entries kept (in the shown source), before the text filter."""
        return len(self._source)

    @property
    def shown_count(self) -> int:
        """Rows on the virtual canvas (after filter and wrapping)."""
        return len(self._rows)

    def last_line(self) -> str | None:
        """The text of the newest line kept (in the shown source), or None."""
        source = self._source
        return source[-1].text if source else None

    def shown_text(self) -> list[str]:
        """The entries shown, one string per entry (prefix included), for copying."""
        source = self._source
        return [e.prefix + e.text for e in source if self._passes(e)]

    def add(self, lines: Iterable[tuple[datetime, str, str | None, str]], dropped: int = 0) -> None:
        """Append lines given as (at, source, run_id, text); `dropped` counts lines lost before."""
        fresh = [self._entry(at, src, run_id, text) for at, src, run_id, text in lines]
        if dropped and len(fresh) >= self.max_lines:
            # Make room for the note about the gap, or the bounded deque pushes it out at once.
            cut = len(fresh) - self.max_lines + 1
            dropped += cut
            fresh = fresh[cut:]
        if dropped and fresh:
            # Say so where the gap is: a burst bigger than the screen keeps only its end.
            note = f"… {dropped:,} lines skipped (more than {self.max_lines:,} at once)"
            fresh.insert(0, self._entry(fresh[0].at, "console", None, note))
        if not fresh:
            return
        self._entries.extend(fresh)
        if self._run_entries is not None:
            mine = [e for e in fresh if e.run_id == self.run_filter]
            self._run_entries.extend(mine)
            fresh = mine
        self._append_rows([e for e in fresh if self._passes(e)])

    def show_run(
        self, run_id: str | None, history: Sequence[str] = (), at: datetime | None = None
    ) -> None:
        """Show only one run's lines (its history, stamped `at`, then what arrives), or all lines."""
        self.run_filter = run_id
        if run_id is None or at is None:
            self.run_filter = None
            self._run_entries = None
        else:
            self._run_entries = deque(maxlen=self.max_lines)
            self._run_entries.extend(self._entry(at, "console", run_id, line) for line in history)
        self._rebuild()
        self._update_titles()

    def set_text_filter(self, text: str) -> None:
        self.text_filter = text
        self._rebuild()
        self._update_titles()

    # --- rows -------------------------------------------------------------------------------

    @property
    def _source(self) -> deque[LogEntry]:
        return self._entries if self._run_entries is None else self._run_entries

    def _entry(self, at: datetime, source: str, run_id: str | None, text: str) -> LogEntry:
        self._seq += 1
        tag, kind = tag_for(source, run_id, self.run_names.get(run_id) if run_id else None)
        second = at.replace(microsecond=0)
        if self._clock_text[0] != second:  # lines of a burst share their second: format once
            self._clock_text = (second, f"{at.astimezone(UTC):%H:%M:%S}")
        prefix = f"{self._clock_text[1]} {tag:<{TAG_WIDTH}} "
        return LogEntry(self._seq, at, run_id, clean_line(text), kind, prefix)

    def _passes(self, entry: LogEntry) -> bool:
        if not self.text_filter:
            return True
        return self.text_filter.lower() in entry.text.lower()

    def _rows_for(self, entry: LogEntry, wrap: bool) -> list[Row]:
        prefix = entry.prefix
        full = prefix + entry.text
        width = self._wrap_width
        if not wrap or width <= PREFIX_WIDTH or width_of(full) <= width:
            return [Row(entry.seq, 0, full, len(prefix), entry.kind)]
        rows = []
        start = 0
        for piece in chop_cells(full, width):
            rows.append(Row(entry.seq, start, piece, max(0, len(prefix) - start), entry.kind))
            start += len(piece)
        return rows

    def _append_rows(self, entries: list[LogEntry]) -> None:
        removed = self._trim_rows()
        new_rows: list[Row] = []
        wrap = self.wrap
        for e in entries:
            new_rows.extend(self._rows_for(e, wrap))
        if not new_rows and not removed:
            return
        self._rows.extend(new_rows)
        if not self.wrap:
            widest = max((width_of(r.text) for r in new_rows), default=0)
            self._width = max(self._width, widest)
        if not self.follow:
            self.new_while_paused += len(entries)
        self._resize(removed)
        self._update_titles()

    def _trim_rows(self) -> int:
        """Drop rows whose entries the bounded source has pushed out; return how many."""
        source = self._source
        if not source:
            n = len(self._rows)
            self._rows.clear()
            return n
        first = source[0].seq
        n = 0
        while self._rows and self._rows[0].seq < first:
            self._rows.popleft()
            n += 1
        return n

    def _rebuild(self) -> None:
        self._rows.clear()
        self._width = 0
        self._cache.clear()
        wrap = self.wrap
        for e in self._source:
            if self._passes(e):
                self._rows.extend(self._rows_for(e, wrap))
        if not self.wrap:
            self._width = max((width_of(r.text) for r in self._rows), default=0)
        self.new_while_paused = 0
        self._resize(0, rebuilt=True)

    def _resize(self, removed: int, *, rebuilt: bool = False) -> None:
        width = self._wrap_width if self.wrap else self._width
        self.virtual_size = Size(width, len(self._rows))
        if removed or rebuilt:
            self._cache.clear()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            # Once more after layout: a horizontal scrollbar that just appeared hides a row.
            self.call_after_refresh(self._follow_end)
        elif removed and not rebuilt:
            # Keep the rows the user is reading still while older ones fall off the top.
            self.scroll_to(
                y=max(0, self.scroll_y - removed), animate=False, immediate=True, force=True
            )
        self.refresh()

    def _follow_end(self) -> None:
        if self.follow and self.scroll_y != self.max_scroll_y:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    # --- state ------------------------------------------------------------------------------

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_while_paused = 0
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self._update_titles()

    def watch_wrap(self, wrap: bool) -> None:
        self._wrap_width = self.scrollable_content_region.width
        self._rebuild()
        self._update_titles()

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if self.wrap and width != self._wrap_width:
            self._wrap_width = width
            self._rebuild()

    def _update_titles(self) -> None:
        parts = ["log"]
        if self.run_filter:
            parts.append(f"run {self.run_filter[:8]}")
        if self.text_filter:
            parts.append(f"/{self.text_filter}")
        self.border_title = Content(" · ".join(parts))  # the filter is text, not markup
        state = (
            "following" if self.follow else f"paused · {self.new_while_paused:,} new · f follows"
        )
        if self.wrap:
            state += " · wrap"
        self.border_subtitle = state

    def on_mount(self) -> None:
        self._update_titles()

    # --- scrolling by the user pauses the follow --------------------------------------------

    def action_scroll_up(self) -> None:
        self.follow = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self.follow = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self.follow = False
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        self.follow = True

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.max_scroll_y > 0:
            self.follow = False

    def on_scroll_up(self, message: ScrollUp) -> None:
        self.follow = False

    def on_scroll_to(self, message: ScrollTo) -> None:
        if message.y is not None and message.y < self.max_scroll_y:
            self.follow = False

    # --- rendering --------------------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join(r.text for r in self._rows)
        return selection.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._cache.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, style)
        strip = self._row_strip(index, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)

    def _row_strip(self, index: int, style: Style) -> Strip:
        row = self._rows[index]
        selection = self.text_selection
        key = (row.seq, row.start)
        if selection is None and key in self._cache:
            return self._cache[key]
        text = Text(row.text, style=style, no_wrap=True, end="")
        if row.prefix_len:
            time_len = min(row.prefix_len, 8)
            text.stylize(self.get_component_rich_style("log--time"), 0, time_len)
            tag_style = self.get_component_rich_style(f"log--{row.kind}")
            text.stylize(tag_style, time_len, row.prefix_len)
        if self.text_filter:
            text.highlight_words(
                [self.text_filter],
                self.get_component_rich_style("log--match"),
                case_sensitive=False,
            )
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            if end == -1:
                end = len(text)
            text.stylize(self.screen.get_component_rich_style("screen--selection"), start, end)
        strip = Strip(text_segments(text, self.app.console), cell_len(row.text))
        if selection is None:
            self._cache[key] = strip
        return strip
