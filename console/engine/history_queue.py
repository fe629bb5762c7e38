"""Writes to the run history, queued in order and kept in memory while the file refuses them.

A write that fails (another process holds the write lock past the busy timeout, the disk is
full, the folder is read-only) must not fail the run it records: the run's outcome is what the
user asked for. Each write is a closure; the queue is written in one transaction, and kept
when that fails, to be tried again with the next write (at most every RETRY_AFTER seconds,
with a short busy timeout, so a held lock does not freeze the screen) or on `flush()`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from console.engine.history_file import damaged, is_damage

log = logging.getLogger(__name__)

RETRY_BUSY_TIMEOUT = 0.2  # once a write failed: later tries must not freeze the screen
RETRY_AFTER = 2.0  # seconds between tries while the history cannot be written
MAX_PENDING = 100_000  # writes kept in memory while the history cannot be written

Write = Callable[[sqlite3.Connection], None]


class WriteQueue:
    """The writes of one RunStore connection; `problem` says why they wait, if they do."""

    def __init__(
        self, db: sqlite3.Connection, lock: threading.Lock, path: Path | str, busy: float
    ) -> None:
        self._db = db
        self._lock = lock  # the store's: one connection, possibly touched from a worker thread
        self.path = path
        self._busy = busy
        self.on_trouble: Callable[[str], None] | None = None
        self.problem: str | None = None
        self.lost_writes = 0  # log writes dropped past MAX_PENDING while the file refused them
        self._pending: list[Write] = []
        self._retry_at = 0.0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def write(self, op: Write, *, droppable: bool = False) -> None:
        """Queue one write behind any waiting ones, then try to write them all. A `droppable`
        write (log lines) is dropped, and counted, when MAX_PENDING writes wait already."""
        with self._lock:
            if droppable and len(self._pending) >= MAX_PENDING:
                self.lost_writes += 1
                return
            self._pending.append(op)
            self._flush_locked(force=False)

    def flush(self, timeout: float | None = None) -> bool:
        """Try now (waiting up to `timeout` s for the lock); True when nothing is left waiting."""
        with self._lock:
            return self._flush_locked(force=True, timeout=timeout)

    def _set_busy(self, seconds: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def _flush_locked(self, *, force: bool, timeout: float | None = None) -> bool:
        if not self._pending:
            return True
        if self.problem is not None and not force and time.monotonic() < self._retry_at:
            return False  # in trouble: do not block the caller again before the next try
        wait = timeout if timeout is not None else (
            self._busy if self.problem is None else min(self._busy, RETRY_BUSY_TIMEOUT)
        )  # fmt: skip
        db = self._db
        try:
            self._set_busy(wait)
            db.execute("BEGIN IMMEDIATE")
            try:
                for op in self._pending:
                    try:
                        op(db)
                    except (sqlite3.IntegrityError, sqlite3.InterfaceError) as exc:
                        # This write can never succeed: keeping it would hold back the rest.
                        log.error("a write to the run history %s was dropped: %s", self.path, exc)
                db.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._retry_at = time.monotonic() + RETRY_AFTER
            first = self.problem is None
            self.problem = self._sentence(exc)
            if first:
                log.error("%s", self.problem)
                if self.on_trouble is not None:
                    self.on_trouble(self.problem)
            return False
        finally:
            with suppress(sqlite3.Error):
                self._set_busy(self._busy)
        self._pending.clear()
        if self.problem is not None:
            self.problem = None
            lost = (
                "nothing was lost"
                if not self.lost_writes
                else f"{self.lost_writes:,} batches of log lines were dropped meanwhile"
            )
            log.warning("the run history %s is written again; %s", self.path, lost)
            if self.on_trouble is not None:
                self.on_trouble(f"the run history {self.path} is written again; {lost}")
        return True

    def _sentence(self, exc: sqlite3.Error) -> str:
        if is_damage(exc):
            return str(damaged(self.path, str(exc)))
        text = str(exc)
        if "locked" in text or "busy" in text:
            text = "another console process holds its write lock"
        return (
            f"the run history {self.path} cannot be written ({text}); runs go on and are "
            "recorded when it can be written again"
        )
