"""Run ids: short, sortable by creation time, unique across processes."""

from __future__ import annotations

import secrets
from datetime import datetime

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def new_run_id(at: datetime) -> str:
    """9 base-36 digits of milliseconds since 1970 (good until the year 5000) + 5 random ones."""
    ms = int(at.timestamp() * 1000)
    return _base36(ms, 9) + _base36(secrets.randbelow(36**5), 5)
