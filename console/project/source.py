"""Reading one project file safely: size, binary and permission limits, and 1-based positions."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.model import Problem, Severity

MAX_BYTES = (
    1024 * 1024
)  # larger files are not read: a route file that big is generated or a mistake
_SNIFF = 8192  # bytes looked at for a NUL, the same sniff git uses to call a file binary


@dataclass(frozen=True)
class Source:
    """The bytes of one file, with its path relative to the project (with `/`)."""

    rel: str
    data: bytes

    def position(self, row: int, byte_column: int) -> tuple[int, int]:
        """1-based line and character column for a 0-based row and byte column (tree-sitter's)."""
        start = 0
        for _ in range(row):
            nl = self.data.find(b"\n", start)
            if nl < 0:
                break
            start = nl + 1
        prefix = self.data[start : start + byte_column]
        return row + 1, len(prefix.decode("utf-8", "replace")) + 1

    def position_of_offset(self, offset: int) -> tuple[int, int]:
        """1-based line and character column of a byte offset."""
        row = self.data.count(b"\n", 0, offset)
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        return self.position(row, offset - line_start)

    def problem(
        self, row: int, byte_column: int, severity: Severity, code: str, message: str
    ) -> Problem:
        line, column = self.position(row, byte_column)
        return Problem(self.rel, line, column, severity, code, message)


def read_source(path: str | Path, rel: str) -> Source | Problem:
    """Read a file for analysis, or explain in a `not-read` warning why it was not read."""
    try:
        # Non-blocking: a FIFO (a project can hold one) must not stall the open; not read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _not_read(rel, f"{rel} is not a regular file and was not read")
            size = info.st_size
            if size > MAX_BYTES:
                return _not_read(
                    rel, f"{rel} is larger than 1 MB ({size:,} bytes) and was not read"
                )
            # Ask for what fstat promised (plus one byte to notice growth), not for 1 MB: a
            # read(n) buffer is allocated at size n up front.
            data = fh.read(size + 1)
            if size < len(data) <= MAX_BYTES:  # it grew since fstat: read up to the limit
                data += fh.read(MAX_BYTES + 1 - len(data))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _not_read(rel, f"{rel} could not be read: {reason}")
    if len(data) > MAX_BYTES:
        return _not_read(rel, f"{rel} is larger than 1 MB and was not read")
    if b"\0" in data[:_SNIFF]:
        return _not_read(rel, f"{rel} looks binary (it holds NUL bytes) and was not read")
    return Source(rel, data)


def _not_read(rel: str, message: str) -> Problem:
    return Problem(rel, 1, 1, Severity.WARNING, "not-read", message)


def read_json(path: str | Path, max_bytes: int = MAX_BYTES) -> Any:
    """A small JSON file's value, or None when it is missing, special, too large or not JSON.

    For files read on the side (a parent's package.json, a manifest in node_modules, a lock
    file): the same non-blocking, regular-files-only open as `read_source`.
    """
    data = read_bytes(path, max_bytes)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


def read_bytes(path: str | Path, max_bytes: int) -> bytes | None:
    """The file's bytes, or None: missing, unreadable, not a regular file, or over `max_bytes`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
                return None
            data = fh.read(info.st_size + 1)
    except OSError:
        return None
    return data if len(data) <= max_bytes else None
