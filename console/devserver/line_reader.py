"""Turn a child's output bytes into sanitized lines, holding at most one bounded partial line.

The supervisor feeds whatever `os.read` returned; complete lines come back decoded, stripped of
control sequences and cut. Memory stays flat whatever the child prints: a line without a
newline is kept only up to `max_bytes`; the rest is counted and reported in the cut mark.
"""

from __future__ import annotations

import re

from console.devserver.run_tags import TAG_END, TAG_START, split_tag
from console.devserver.sanitize import DEFAULT_MAX_CHARS, cut_line, decode_line, strip_controls

__all__ = ["LineReader"]

# Anything that needs the slow path: control characters other than tab and newline.
_NEEDS_STRIP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same for ASCII bytes, as a deletion table of everything else: `bytes.translate` runs ~5x
# faster than a regex character class over a block, and most dev server output is plain ASCII.
# Deleting what is *not* a control leaves (and writes) nothing for a plain block, which makes
# it ~1.6x faster again than deleting the controls and comparing lengths.
_ASCII_CONTROLS = frozenset([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_NOT_ASCII_CONTROLS = bytes(b for b in range(256) if b not in _ASCII_CONTROLS)
# Run marks (run_tags: RS id US at a line's start) are the only controls a tagged block holds;
# such a block stays on the fast path when every RS and US in it belongs to a valid mark.
_MARK_BYTES = (TAG_START + TAG_END).encode()
_NEEDS_STRIP_BUT_MARKS = re.compile(r"[\x00-\x08\x0b-\x1d\x7f-\x9f]")
_VALID_MARK = re.compile(r"^\x1e[A-Za-z0-9_.-]{1,64}\x1f", re.MULTILINE)


def _only_valid_marks(text: str) -> bool:
    marks = _VALID_MARK.subn("", text)[1]
    return marks == text.count(TAG_START) == text.count(TAG_END)


class LineReader:
    """Stateful splitter for one byte stream; `feed` chunks, then `flush` at end-of-file."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_chars = max_chars
        # UTF-8 needs at most 4 bytes a character, and stripped sequences take room too.
        self.max_bytes = max_chars * 4 + 256
        self._partial = bytearray()
        self._dropped = 0

    def feed(self, data: bytes) -> list[str]:
        last_nl = data.rfind(b"\n")
        if last_nl < 0:
            self._keep(data)
            return []
        head = data[:last_nl]
        out: list[str] = []
        if self._partial or self._dropped:
            # Finish the line that an earlier chunk began.
            first_nl = head.find(b"\n")
            self._keep(head if first_nl < 0 else head[:first_nl])
            out.append(self._finish(bytes(self._partial), self._dropped))
            self._partial.clear()
            self._dropped = 0
            if first_nl < 0:
                self._keep(data[last_nl + 1 :])
                return out
            head = head[first_nl + 1 :]
        out.extend(self._split(head))
        self._keep(data[last_nl + 1 :])
        return out

    def flush(self) -> list[str]:
        """The last line when the stream ended without a newline."""
        if not self._partial and not self._dropped:
            return []
        line = self._finish(bytes(self._partial), self._dropped)
        self._partial.clear()
        self._dropped = 0
        return [line]

    def _split(self, block: bytes) -> list[str]:
        # The common case, plain text, is handled for the whole block at C speed; a newline
        # is never part of a multi-byte UTF-8 sequence, so decoding before splitting is safe.
        if block.isascii():
            text = block.decode("ascii")
            controls = block.translate(None, _NOT_ASCII_CONTROLS)
            plain = not controls or (
                not controls.translate(None, _MARK_BYTES) and _only_valid_marks(text)
            )
        else:
            text = block.decode("utf-8", errors="replace")
            plain = _NEEDS_STRIP.search(text) is None or (
                _NEEDS_STRIP_BUT_MARKS.search(text) is None and _only_valid_marks(text)
            )
        lines = text.split("\n")
        if not plain:
            lines = [_clean(line) for line in lines]
        if max(map(len, lines)) > self.max_chars:
            lines = [cut_line(line, self.max_chars) for line in lines]
        return lines

    def _finish(self, raw: bytes, dropped: int) -> str:
        return cut_line(_clean(decode_line(raw)), self.max_chars, dropped)

    def _keep(self, data: bytes) -> None:
        room = self.max_bytes - len(self._partial)
        if len(data) <= room:
            self._partial += data
        else:
            self._partial += data[: max(room, 0)]
            self._dropped += len(data) - max(room, 0)


def _clean(line: str) -> str:
    """`strip_controls`, except that a valid run mark at the start survives (see run_tags)."""
    if line.startswith(TAG_START):
        run_id, rest = split_tag(line)
        if run_id is not None:
            return f"{TAG_START}{run_id}{TAG_END}{strip_controls(rest)}"
    return strip_controls(line)
