"""Make untrusted log text safe for a terminal: strip escape and control sequences, cap length."""

from __future__ import annotations

import re

# OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC (ESC P|X|^|_ ... ESC \), CSI (ESC [ ... final),
# then any other two-byte escape, then C1 CSI/OSC introducers (0x9b, 0x9d).
_SEQUENCES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# What is left of C0 (except tab), DEL and C1.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def clean_line(text: str, max_len: int = 4000) -> str:
    """One display-safe line: no escape sequences, no control characters, at most `max_len`."""
    text = _SEQUENCES.sub("", text)
    if "\r" in text:
        # A progress bar redraws with CR: what the terminal would finally show is the last part.
        parts = [p for p in text.split("\r") if p.strip()]
        text = parts[-1] if parts else ""
    text = _CONTROLS.sub("", text.replace("\t", "    "))
    if len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text
