"""Look at a project's history file from outside the console: integrity and rows, read-only."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path


def history_file(root: Path) -> Path:
    return root / ".console" / "history.sqlite3"


def integrity(root: Path) -> str:
    """SQLite's own verdict on the file (after recovering its WAL, as any opener does)."""
    db = sqlite3.connect(history_file(root), timeout=10)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def rows(root: Path) -> list[dict[str, object]]:
    path = history_file(root)
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return [
            dict(r)
            for r in db.execute(
                "SELECT id, route, state, attempts, reason, owner_pid FROM runs ORDER BY rowid"
            )
        ]
    except sqlite3.OperationalError:
        return []  # not created yet
    finally:
        db.close()


def wait_rows(
    root: Path, predicate: Callable[[list[dict[str, object]]], bool], timeout: float = 30
) -> list[dict[str, object]]:
    """Poll the history until `predicate(rows)` holds; asserts it did within `timeout`."""
    end = time.monotonic() + timeout
    while True:
        found = rows(root)
        if predicate(found):
            return found
        if time.monotonic() > end:
            raise AssertionError(f"the history never got there: {found}")
        time.sleep(0.05)
