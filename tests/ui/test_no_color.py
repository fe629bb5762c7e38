"""NO_COLOR: segments always carry a style, and greys keep text readable."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color

from console.ui.no_color import MIN_CONTRAST, ReadableMonochrome
from console.ui.segments import text_segments


def test_a_text_without_spans_keeps_its_style() -> None:
    # Rich renders it as one bare segment (style None): the dim was lost, and Textual's
    # monochrome filter crashed on the None.
    segments = text_segments(Text("  13:00", style="dim"), Console())
    assert segments == [Segment("  13:00", Style(dim=True))]


def test_no_segment_is_left_without_a_style() -> None:
    text = Text("a ", end="")
    text.append("b", style="bold")
    assert all(s.style is not None for s in text_segments(text, Console()))
    assert text_segments(Text(""), Console()) == []


def test_red_on_black_becomes_a_readable_grey() -> None:
    black = Color(0, 0, 0)
    (out,) = ReadableMonochrome().apply([Segment("failed", Style(color="#800000"))], black)
    assert out.style is not None and out.style.color is not None
    r, g, b = out.style.color.get_truecolor()
    assert r == g == b  # grey: no colour left
    assert Color(r, g, b).brightness - black.brightness >= MIN_CONTRAST


def test_greys_with_enough_contrast_are_kept_and_none_styles_pass() -> None:
    white = Color(255, 255, 255)
    segs = [Segment("x", Style(color="#202020")), Segment("y")]
    out = ReadableMonochrome().apply(segs, white)
    assert out[0].style is not None and out[0].style.color is not None
    assert out[0].style.color.get_truecolor() == (32, 32, 32)
    assert out[1].style is None
