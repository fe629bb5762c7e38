"""Rich text to segments that always carry a style, for widgets that build their own strips."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

_NULL = Style.null()


def text_segments(text: Text, console: Console) -> list[Segment]:
    """`text.render`, except that no segment is left without a style.

    Rich renders a Text without spans as one bare segment: its own style is dropped (a dim
    line came out plain) and the segment's style is None, which Textual's line filters (the
    monochrome filter NO_COLOR turns on) dereference: the first frame crashed.
    """
    if not text.spans:
        if not text.plain:
            return []
        return [Segment(text.plain, console.get_style(text.style, default=_NULL))]
    return [Segment(t, _NULL if s is None else s, c) for t, s, c in text.render(console)]
