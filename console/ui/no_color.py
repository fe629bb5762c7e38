"""NO_COLOR: greys that stay readable, in place of Textual's plain monochrome filter."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome

MIN_CONTRAST = 0.4  # luminance difference (0..1) between a grey text and its grey background


@lru_cache(1024)
def _grey_style(style: Style, background: Color) -> Style:
    bg = (
        Color.from_rich_color(style.bgcolor).monochrome
        if style.bgcolor is not None
        else background.monochrome
    )
    fg = Color.from_rich_color(style.color).monochrome if style.color is not None else None
    if fg is not None and abs(fg.brightness - bg.brightness) < MIN_CONTRAST:
        # Red on black is a dark grey on black once the colour is gone: the word that said
        # "failed" in red vanished. Push such text to the far end from its background.
        fg = Color(0, 0, 0) if bg.brightness > 0.5 else Color(255, 255, 255)
    return style + Style.from_color(
        None if fg is None else fg.rich_color,
        None if style.bgcolor is None else bg.rich_color,
    )


class ReadableMonochrome(LineFilter):
    """Every colour to grey (as NO_COLOR asks), keeping text readable against its background."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, style if style is None else _grey_style(style, background), None)
            for text, style, _ in segments
        ]


def use_readable_monochrome(app: App[Any]) -> None:
    """Swap Textual's Monochrome filter (put there when NO_COLOR is set) for ours.

    `_filters` is Textual's private list; if its shape changes this does nothing, and the
    screen stays on Textual's own (less legible) monochrome.
    """
    filters = getattr(app, "_filters", None)
    if not isinstance(filters, list):
        return
    for i, f in enumerate(filters):
        if type(f) is Monochrome:
            filters[i] = ReadableMonochrome()
