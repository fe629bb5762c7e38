"""Make untrusted child-process output safe to show: lenient decoding, no control sequences, cut lines.

Log lines from a dev server may hold anything: colour codes, cursor movement, terminal titles
(OSC), device control strings, NULs, broken UTF-8, or a single 50 MB line of minified JSON.
Everything the console shows or stores goes through `sanitize_line` first. The result is
plain text without markup escaping (the UI escapes when it renders).
"""

from __future__ import annotations

import re

__all__ = [
    "DEFAULT_MAX_CHARS",
    "clean_line",
    "cut_line",
    "decode_line",
    "escape_undecodable",
    "sanitize_line",
    "strip_controls",
]

DEFAULT_MAX_CHARS = 4_000
"""Lines longer than this (in characters) are cut with a mark saying how much was dropped."""

# One alternation so a line is scanned once. Order matters: the string-type sequences
# (OSC, DCS, SOS, PM, APC) swallow everything up to their terminator, including bytes that
# would otherwise look like other sequences; an unterminated one runs to the end of the line,
# since a terminal would hide that text too.
_CONTROL = re.compile(
    r"""
      (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                     # CSI ... final byte (7- and 8-bit)
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])               # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?                 #   ... up to BEL or ST (or the end)
    | \x1b[ -/]*[0-~]?                                      # other ESC sequences (charset, keypad, RIS)
    | [\x00-\x08\x0a-\x1f\x7f-\x9f]                         # the remaining C0 (except tab), DEL, C1
    """,
    re.VERBOSE,
)

# A cheap first look: most lines hold no control character at all and skip the substitution.
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")

# Lone surrogates: bytes of a file name that are not UTF-8 (Python keeps byte 0x9b as U+DC9B).
# Written out as they are, they become the raw byte again, which a terminal reads as a CSI.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_undecodable(text: str) -> str:
    """Show bytes that were not UTF-8 as `\\x9b`: visible, and never a raw byte on output."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


_MARK = re.compile(r" … \[cut \d+ chars\]$")


def decode_line(raw: bytes) -> str:
    """Decode as UTF-8, replacing what is not; bad bytes never stop a stream."""
    return raw.decode("utf-8", errors="replace")


def strip_controls(text: str) -> str:
    """Remove terminal control sequences and control characters, keeping tabs.

    A carriage return inside a line means the program redrew it (progress bars): keep what a
    terminal would end up showing, the text after the last non-trailing `\\r`.
    """
    if not _ANY_CONTROL.search(text):
        return text
    text = escape_undecodable(text)
    if "\r" in text:
        parts = [p for p in text.split("\r") if p]
        text = parts[-1] if parts else ""
    return _CONTROL.sub("", text)


def cut_line(text: str, max_chars: int = DEFAULT_MAX_CHARS, dropped: int = 0) -> str:
    """Cut `text` to `max_chars` with a mark; `dropped` counts characters already dropped upstream.

    A line that already carries a mark within the limit is left alone, so cutting twice (the
    supervisor, then the engine) does not cut the mark.
    """
    over = len(text) - max_chars
    if over > 0 and not dropped:
        m = _MARK.search(text, max_chars)
        if m is not None and m.start() <= max_chars:
            return text
    if over > 0:
        text = text[:max_chars]
        dropped += over
    if dropped > 0:
        return f"{text} … [cut {dropped} chars]"
    return text


def sanitize_line(raw: bytes | str, max_chars: int = DEFAULT_MAX_CHARS, dropped: int = 0) -> str:
    """Decode leniently, strip control sequences, then cut: the one entry point for untrusted lines.

    `dropped` is how many bytes of this line a reader already discarded to bound its memory; it
    is added to the cut mark so the reader need never hold a whole giant line.
    """
    text = decode_line(raw) if isinstance(raw, bytes) else raw
    return cut_line(strip_controls(text), max_chars, dropped)


def clean_line(text: str, max_len: int = DEFAULT_MAX_CHARS) -> str:
    """Untrusted text for one cell or line of output: no controls, tabs as spaces, at most `max_len`.

    Unlike `sanitize_line` it never grows past `max_len` (an ellipsis, no mark): for table
    columns and the console's own lines.
    """
    text = strip_controls(text).replace("\t", "    ")
    if len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text
