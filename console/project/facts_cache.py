"""Per-file results kept between discoveries, keyed by what makes them stale: path, mtime, size."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from console.model import Problem
from console.project.source import Source, read_source

T = TypeVar("T")

_MAX_ENTRIES = 50_000
_cache: dict[tuple[object, ...], tuple[tuple[int, int, int], object]] = {}


def clear() -> None:
    """Forget every cached result (the benchmark measures cold runs with it)."""
    _cache.clear()


def analysed(
    path: str | Path,
    rel: str,
    key: tuple[object, ...],
    analyse: Callable[[Source], T],
    *,
    use_cache: bool = True,
) -> T | Problem:
    """`analyse(source)` for the file, or a `not-read` problem; reused while the file is unchanged.

    `key` holds whatever else the result depends on (the file's role, netlify.toml's schedule).
    """
    stamp: tuple[int, int, int] | None = None
    full_key = (str(path), rel, *key)
    if use_cache:
        try:
            info = os.stat(path)
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            stamp = None
        if stamp is not None:
            hit = _cache.get(full_key)
            if hit is not None and hit[0] == stamp:
                return hit[1]  # type: ignore[return-value]
    source = read_source(path, rel)
    result: T | Problem = source if isinstance(source, Problem) else analyse(source)
    if stamp is not None:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        _cache[full_key] = (stamp, result)
    return result
