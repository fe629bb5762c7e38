"""The timeline strip: a schedule's fires as marks in time buckets, and the time axis above them.

The routes table draws one strip per scheduled route on that route's own line (see
`route_table.py`); these helpers are the strip's drawing rules, kept apart so they read alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

MIN_STRIP = 10  # narrower than this, a strip says nothing: the column is left out

# Every style carries a colour or an attribute that monochrome terminals still show (NO_COLOR
# keeps bold, dim and reverse), so the now column and the future fires stay visible without colour.
NOW_STYLE = Style(bgcolor="dark_orange3", color="white", bold=True)
PAST_STYLE = Style(dim=True)
FUTURE_STYLE = Style(color="cyan", bold=True)
EMPTY_STYLE = Style(dim=True)


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


def strip_segments(counts: list[int], now_col: int | None, base: Style) -> list[Segment]:
    """One route's strip over `base`: past fires dim, future ones bold, the now column marked;
    runs of one style merged into one segment (a 100-bucket strip is a handful, not 100)."""
    empty, past, future = base + EMPTY_STYLE, base + PAST_STYLE, base + FUTURE_STYLE
    segments: list[Segment] = []
    run: list[str] = []
    run_style: Style | None = None
    for col, count in enumerate(counts):
        if count <= 0:
            style = empty
        elif now_col is not None and col < now_col:
            style = past
        else:
            style = future
        if col == now_col:
            style = style + NOW_STYLE
        if style is not run_style and run:
            segments.append(Segment("".join(run), run_style))
            run = []
        run_style = style
        run.append(mark(count))
    if run:
        segments.append(Segment("".join(run), run_style))
    return segments


def axis_text(axis: str, now_col: int | None) -> Text:
    text = Text(axis, style=PAST_STYLE, end="", no_wrap=True)
    if now_col is not None and now_col < len(axis):
        text.stylize(NOW_STYLE, now_col, now_col + 1)
    return text
