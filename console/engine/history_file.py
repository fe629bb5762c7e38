"""The history file itself: opening it to write or only to read, telling a damaged one, moving it aside.

Reading must work where writing cannot: while another console process holds the write lock
(WAL readers are never blocked by it) and when `.console/` is read-only (a WAL file cannot
create its shared-memory index there; `immutable=1` reads the main file as it is).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from console.errors import HistoryError

TABLES = ("runs", "logs", "attempts")
# What SQLite says when the file is not (or no longer) a sound database of ours.
_DAMAGE = (
    "file is not a database",
    "malformed",
    "no such table",
    "no such column",
    "file is encrypted",
)


def is_damage(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and any(d in text for d in _DAMAGE)


def damaged(path: Path | str, why: str) -> HistoryError:
    """The one sentence for a history file that cannot be used, with the fix."""
    return HistoryError(
        f"the run history {path} is damaged ({why}); move it aside and start a new one with "
        "`console history --reset-history` (or `console open --reset-history`); "
        "nothing is deleted"
    )


def check_tables(db: sqlite3.Connection, path: Path | str) -> None:
    """Raise `damaged` when one of the tables the console needs is missing."""
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in TABLES if t not in names]
    if missing:
        raise damaged(path, f"its {', '.join(missing)} table is missing")


def check_regular(path: Path) -> None:
    """A history that is a FIFO or a device is refused before SQLite opens it (a FIFO would
    block the open for ever)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"cannot read the run history {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise HistoryError(f"the run history {path} is not a regular file")


def connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that never writes, never takes the write lock and never creates a file."""
    check_regular(path)
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, check_same_thread=False)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
    # The folder is read-only: no -shm can be made. Read the main file as it stands.
    db = sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=timeout, check_same_thread=False)
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return db


def reset_history(path: Path, now: datetime | None = None) -> Path | None:
    """Move the history file (and its -wal and -shm) aside under a timestamped name.

    Returns the new name of the main file, or None when there was none. Never deletes.
    """
    if not path.exists():
        return None
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.replace(path, aside)  # the main file first: without it a stray -wal is never read
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise HistoryError(f"cannot move {path} aside: {exc.strerror}") from None
    return aside
