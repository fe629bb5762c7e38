"""Make untrusted text safe to show: strip terminal control sequences, expand tabs."""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, and the
# C0/C1 controls that are left. A dev server line may carry colours or cursor moves; none of
# them may reach the terminal, and none may move our own cursor.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated or cut
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]?"  # two-byte escapes, or a lone ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 (but tab and newline) and C1 controls
)


def clean_line(text: str) -> str:
    """One line fit for the screen: no control sequences, tabs as spaces, no newlines."""
    if text.isprintable():  # the usual case, checked in C: nothing to strip
        return text
    if "\t" in text:
        text = text.expandtabs(4)
    if "\n" in text:
        text = text.replace("\r\n", " ").replace("\n", " ")
    return _CONTROL.sub("", text)


def shorten(text: str, width: int) -> str:
    """Cut `text` to `width` characters with an ellipsis when it is longer."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"
