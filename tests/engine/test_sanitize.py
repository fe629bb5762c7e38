"""Untrusted log text is made safe for a terminal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from console.devserver.sanitize import clean_line


def test_colours_titles_links_and_controls_are_stripped() -> None:
    assert clean_line("\x1b[1;31merror\x1b[0m done") == "error done"
    assert clean_line("\x1b]0;owned title\x07after") == "after"
    assert clean_line("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert clean_line("a\x00b\x07c\x08d\x7fe\x85f") == "abcdef"
    assert clean_line("\x9b31mred") == "red"  # C1 CSI, one byte
    assert clean_line("\x1bPqdcs\x1b\\x") == "x"
    assert clean_line("tab\there") == "tab    here"
    assert clean_line("50%\r100%") == "100%"
    assert clean_line("line\n") == "line"


def test_long_lines_are_cut() -> None:
    assert clean_line("x" * 10, max_len=5) == "xxxx…"
    assert len(clean_line("y" * 10_000)) == 4000


@given(st.text())
def test_nothing_escapes(text: str) -> None:
    out = clean_line(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert len(out) <= 4000
