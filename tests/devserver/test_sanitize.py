"""Untrusted output becomes plain, safe text: no control sequences, lenient decoding, cut lines."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from console.devserver.line_reader import LineReader
from console.devserver.sanitize import cut_line, decode_line, sanitize_line, strip_controls

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def test_colours_and_cursor_movement_go() -> None:
    assert strip_controls("\x1b[1;31merror\x1b[0m \x1b[2K\x1b[1Gdone") == "error done"


def test_osc_titles_and_hyperlinks_go_with_either_terminator() -> None:
    assert strip_controls("\x1b]0;pwned\x07a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"


def test_device_control_and_other_strings_go() -> None:
    assert strip_controls("a\x1bPq#0;2;0;0;0\x1b\\b\x1b_apc\x1b\\c\x1b^pm\x1b\\d") == "abcd"


def test_eight_bit_c1_sequences_go() -> None:
    assert strip_controls("a\x9b31mb\x9d0;t\x9cc\x85d") == "abcd"


def test_c0_controls_go_but_tabs_stay() -> None:
    assert strip_controls("a\x00b\x07c\x08d\te\x7f") == "abcd\te"


def test_an_unterminated_sequence_hides_the_rest_as_a_terminal_would() -> None:
    assert strip_controls("ok\x1b]0;never ends") == "ok"
    assert strip_controls("ok\x1b[") == "ok"


def test_a_redrawn_line_keeps_what_the_terminal_would_show() -> None:
    assert strip_controls("10%\r50%\r100%") == "100%"
    assert strip_controls("windows line\r") == "windows line"


def test_bad_utf8_is_replaced_not_fatal() -> None:
    assert decode_line(b"caf\xc3\xa9 \xff\xfe ok") == "café \ufffd\ufffd ok"


def test_long_lines_are_cut_with_a_mark_saying_how_much() -> None:
    assert cut_line("a" * 10, 4) == "aaaa … [cut 6 chars]"
    assert cut_line("short", 10) == "short"
    assert cut_line("abc", 10, dropped=5) == "abc … [cut 5 chars]"


def test_sanitize_strips_before_cutting() -> None:
    # The colour codes must not use up the budget, nor be cut in half and leak.
    assert sanitize_line(b"\x1b[31m" + b"x" * 8 + b"\x1b[0m", max_chars=8) == "x" * 8


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    out = sanitize_line(text)
    assert not CONTROL.search(out)
    assert "\x1b" not in out


@given(st.binary())
def test_any_bytes_decode(raw: bytes) -> None:
    assert isinstance(sanitize_line(raw), str)


@given(st.text())
def test_stripping_is_idempotent(text: str) -> None:
    once = strip_controls(text)
    assert strip_controls(once) == once


# -- the line reader ---------------------------------------------------------------------------


def read_all(chunks: list[bytes], max_chars: int = 4000) -> list[str]:
    reader = LineReader(max_chars)
    lines: list[str] = []
    for chunk in chunks:
        lines.extend(reader.feed(chunk))
    return lines + reader.flush()


def test_lines_split_across_chunks_join_up() -> None:
    assert read_all([b"hel", b"lo\nwor", b"ld\n", b"tail"]) == ["hello", "world", "tail"]


def test_every_ascii_control_in_a_block_of_plain_lines_is_caught() -> None:
    for byte in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]:
        block = b"plain\tone\n" * 50 + b"bad" + bytes([byte]) + b"line\n" + b"plain two\n"
        lines = read_all([block])
        assert lines[50] == strip_controls(f"bad{chr(byte)}line") != f"bad{chr(byte)}line"
        assert lines[:50] == ["plain\tone"] * 50 and lines[51] == "plain two"


def test_a_multibyte_character_split_across_chunks_survives() -> None:
    assert read_all([b"caf\xc3", b"\xa9\n"]) == ["café"]


def test_a_huge_line_without_newline_is_held_only_up_to_the_bound() -> None:
    reader = LineReader(max_chars=10)
    for _ in range(1000):
        assert reader.feed(b"y" * 1000) == []
        assert len(reader._partial) <= reader.max_bytes
    [line] = reader.feed(b"\n")
    assert line == "y" * 10 + " … [cut 999990 chars]"


def test_a_huge_line_within_one_chunk_is_cut() -> None:
    assert read_all([b"z" * 50 + b"\nnext\n"], max_chars=20) == [
        "z" * 20 + " … [cut 30 chars]",
        "next",
    ]


@given(st.lists(st.binary(max_size=40), max_size=30), st.data())
def test_how_the_bytes_are_chunked_does_not_change_the_lines(
    parts: list[bytes], data: st.DataObject
) -> None:
    whole = b"".join(parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(whole)), max_size=8)))
    chunks = [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)], strict=True)]
    expected = [sanitize_line(line) for line in whole.split(b"\n")]
    if not whole or whole.endswith(b"\n"):
        expected = expected[:-1]
    assert read_all(chunks) == expected
