"""The timeline: one row per scheduled route, its fires as marks in time buckets, a moving now line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.ui.segments import text_segments
from console.ui.text import clean_line, shorten

LABEL_WIDTH = 16  # at most; the widest label decides


@dataclass(frozen=True)
class TimelineData:
    """Fire counts per bucket of [start, end) for each labelled row."""

    start: datetime
    end: datetime
    labels: Sequence[str] = ()
    counts: Sequence[Sequence[int]] = field(default_factory=list)

    @property
    def buckets(self) -> int:
        return len(self.counts[0]) if self.counts else 0


def label_width(labels: Sequence[str]) -> int:
    return min(LABEL_WIDTH, max((len(label) for label in labels), default=8))


def mark(count: int) -> str:
    """A fire count as one cell: nothing, one fire, a few, many."""
    if count <= 0:
        return "·"
    if count == 1:
        return "│"
    if count < 5:
        return "┃"
    return "█"


def column_of(at: datetime, start: datetime, end: datetime, buckets: int) -> int | None:
    """The bucket a moment falls in, or None outside the window."""
    if not start <= at < end or buckets <= 0:
        return None
    return int((at - start) / (end - start) * buckets)


def axis_labels(start: datetime, end: datetime, buckets: int) -> str:
    """Time labels placed over the buckets they start in: hours for a day, days for a week."""
    span = end - start
    line = [" "] * buckets
    if span <= timedelta(days=2):
        fmt, width = "%H:%M", 7
        steps = [timedelta(hours=h) for h in (1, 2, 3, 4, 6, 12, 24)]
        first = start.replace(minute=0, second=0, microsecond=0)
    else:
        fmt, width = "%a", 5
        steps = [timedelta(days=d) for d in (1, 2, 7)]
        first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    # The smallest step whose labels do not touch at this width.
    step = next((s for s in steps if s / span * buckets >= width), steps[-1])
    t = first
    while t < end:
        if t >= start:
            col = column_of(t, start, end, buckets)
            label = "╵" + t.astimezone(UTC).strftime(fmt)
            free = col is not None and col + len(label) <= buckets
            if free and col is not None:
                free = all(c == " " for c in line[max(0, col - 1) : col + len(label) + 1])
            if free and col is not None:
                line[col : col + len(label)] = list(label)
        t += step
    return "".join(line)


class TimelineView(ScrollView, can_focus=False):
    """Shows `TimelineData`; posts `BucketsChanged` when its width changes."""

    DEFAULT_CSS = """
    TimelineView {
        border: round $primary-muted;
        overflow-y: auto;
        overflow-x: hidden;
    }
    """

    class BucketsChanged(Message):
        def __init__(self, buckets: int) -> None:
            super().__init__()
            self.buckets = buckets

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = TimelineData(datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 2, tzinfo=UTC))
        self.now = datetime(1970, 1, 1, tzinfo=UTC)
        self.zoom_label = "24h"
        self._buckets = 0
        self.border_title = "timeline"

    @property
    def label_width(self) -> int:
        return label_width(self.data.labels)

    def bucket_count(self, labels: Sequence[str]) -> int:
        """How many buckets fit beside these labels at the current width (0 before layout)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return 0
        return max(8, width - label_width(labels) - 1)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._buckets:
            self._buckets = width
            self.post_message(self.BucketsChanged(width))

    def show(self, data: TimelineData, now: datetime, zoom_label: str) -> None:
        self.data = data
        self.now = now
        self.zoom_label = zoom_label
        self.virtual_size = Size(self.scrollable_content_region.width, len(data.labels) + 1)
        self._titles()
        self.refresh()

    def tick(self, now: datetime) -> None:
        old = self._now_column()
        self.now = now
        if self._now_column() != old:
            self.refresh()
        self._titles()

    def _titles(self) -> None:
        d = self.data
        self.border_title = f"timeline · {self.zoom_label} · UTC"
        self.border_subtitle = "│ 1 fire  ┃ 2-4  █ 5+ · z zoom"
        if not d.labels:
            self.border_subtitle = "no scheduled routes"

    def _now_column(self) -> int | None:
        d = self.data
        return column_of(self.now, d.start, d.end, d.buckets)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        d = self.data
        now_col = self._now_column()
        now_style = Style(bgcolor="dark_orange3", color="white", bold=True)
        if y == 0:
            axis = axis_labels(d.start, d.end, d.buckets)
            lw = self.label_width
            text = Text(" " * (lw + 1) + axis, style=base + Style(dim=True), end="")
            if now_col is not None:
                text.stylize(now_style, lw + 1 + now_col, lw + 2 + now_col)
            return self._strip(text, width)
        index = int(self.scroll_y) + y - 1
        if index >= len(d.labels):
            return Strip.blank(width, base)
        lw = self.label_width
        label = shorten(clean_line(d.labels[index]), lw)
        text = Text(f"{label:<{lw}} ", style=base, end="")
        past = base + Style(dim=True)
        future = base + Style(color="cyan", bold=True)
        for col, count in enumerate(d.counts[index]):
            style = past if now_col is not None and col < now_col else future
            if count <= 0:
                style = base + Style(dim=True)
            if col == now_col:
                style = style + now_style
            text.append(mark(count), style=style)
        return self._strip(text, width)

    def _strip(self, text: Text, width: int) -> Strip:
        segments = text_segments(text, self.app.console)
        return Strip(segments).crop_extend(0, width, self.rich_style)
