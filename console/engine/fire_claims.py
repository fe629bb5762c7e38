"""Scheduler fires and the scheduler lease, shared through the history file by every console
process on one project, so that two `console open` with the scheduler on fire each schedule
once.

A fire is one event per (route, fire instant): the process that inserts its row first sends
it; the other finds the key taken and only says so. The lease row says which process holds the
scheduler (pid + start token, as `owner.py` reads them, refreshed while it is on); the others
show "scheduler: pid N". It lives in the run history (`.console/history.sqlite3`) through a
connection of its own, in tables of its own, created when first used.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from console.engine import owner

__all__ = ["LEASE_STALE_S", "FireClaims"]

log = logging.getLogger(__name__)

LEASE_STALE_S = 15.0  # a lease not refreshed for this long is free (its holder hung or froze)
KEEP_FIRES = timedelta(days=2)  # claims older than this (by fire instant) are dropped

_TABLES = """
CREATE TABLE IF NOT EXISTS scheduler_fires (
    route TEXT NOT NULL,
    fire_at INTEGER NOT NULL,
    owner_pid INTEGER NOT NULL,
    claimed_at INTEGER NOT NULL,
    PRIMARY KEY (route, fire_at)
);
CREATE TABLE IF NOT EXISTS scheduler_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    owner_pid INTEGER NOT NULL,
    owner_token TEXT NOT NULL,
    holder TEXT NOT NULL,
    refreshed_at REAL NOT NULL
);
"""


def _us(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


class FireClaims:
    """Claims of fires and of the scheduler lease in one project's history file.

    Every method answers even when the file cannot be written (a read-only project, a lock
    held too long): a claim then counts as won, since firing twice is better than never.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._pid = os.getpid()
        self._token = owner.own_token()
        # Two engines in one process (tests, or a future embedding) are two holders.
        self._holder = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._warned: set[str] = set()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            if str(self.path) != ":memory:":
                try:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:  # one kind of trouble for the callers: cannot write
                    raise sqlite3.OperationalError(f"cannot create {self.path}: {exc}") from exc
            db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=5.0
            )
            db.execute("PRAGMA busy_timeout = 5000")
            db.executescript(_TABLES)
            self._db = db
        return self._db

    def claim_fire(self, route: str, at: datetime) -> bool:
        """Is this process the one to send `route`'s fire at `at`? (First to ask wins.)"""
        return self.claim_fires([(route, at)])[(route, at)] is None

    def claim_fires(
        self, fires: Sequence[tuple[str, datetime]]
    ) -> dict[tuple[str, datetime], int | None]:
        """Claim these fires in one transaction (a minute may bring thousands): for each, None
        when this process won it, else the pid of the process that claimed it first."""
        out: dict[tuple[str, datetime], int | None] = {f: None for f in fires}
        if not fires:
            return out
        stamp = int(time.time() * 1_000_000)
        with self._lock:
            try:
                db = self._connect()
                db.execute("BEGIN IMMEDIATE")
                try:
                    for route, at in fires:
                        cur = db.execute(
                            "INSERT OR IGNORE INTO scheduler_fires (route, fire_at, owner_pid, "
                            "claimed_at) VALUES (?,?,?,?)",
                            (route, _us(at), self._pid, stamp),
                        )
                        if cur.rowcount != 1:
                            row = db.execute(
                                "SELECT owner_pid FROM scheduler_fires "
                                "WHERE route = ? AND fire_at = ?",
                                (route, _us(at)),
                            ).fetchone()
                            out[(route, at)] = int(row[0]) if row is not None else 0
                    oldest = min(at for _, at in fires) - KEEP_FIRES
                    db.execute("DELETE FROM scheduler_fires WHERE fire_at < ?", (_us(oldest),))
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._warn(f"the scheduler could not claim its fires in {self.path}: {exc}")
                return {f: None for f in fires}
        return out

    def fired_by(self, route: str, at: datetime) -> int | None:
        """The pid that claimed this fire, if any."""
        with self._lock:
            try:
                row = (
                    self._connect()
                    .execute(
                        "SELECT owner_pid FROM scheduler_fires WHERE route = ? AND fire_at = ?",
                        (route, _us(at)),
                    )
                    .fetchone()
                )
            except sqlite3.Error:
                return None
        return None if row is None else int(row[0])

    def hold_lease(self) -> int | None:
        """Take or refresh the scheduler lease; the pid of another live holder when it has it."""
        now = time.time()
        with self._lock:
            try:
                db = self._connect()
                db.execute("BEGIN IMMEDIATE")
                try:
                    other = self._other_holder(db, now)
                    if other is None:
                        db.execute(
                            "INSERT OR REPLACE INTO scheduler_lease (id, owner_pid, "
                            "owner_token, holder, refreshed_at) VALUES (1,?,?,?,?)",
                            (self._pid, self._token, self._holder, now),
                        )
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                return other
            except sqlite3.Error as exc:
                self._warn(f"the scheduler lease in {self.path} cannot be written: {exc}")
                return None

    def holder(self) -> int | None:
        """The pid of another live process that holds the scheduler lease, if one does."""
        with self._lock:
            try:
                return self._other_holder(self._connect(), time.time())
            except sqlite3.Error:
                return None

    def _other_holder(self, db: sqlite3.Connection, now: float) -> int | None:
        row = db.execute(
            "SELECT owner_pid, owner_token, holder, refreshed_at FROM scheduler_lease WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        pid, token, holder, refreshed = int(row[0]), str(row[1]), str(row[2]), float(row[3])
        if holder == self._holder or now - refreshed > LEASE_STALE_S:
            return None
        if not owner.is_alive(pid, token):
            return None
        return pid

    def release_lease(self) -> None:
        with self._lock:
            try:
                self._connect().execute(
                    "DELETE FROM scheduler_lease WHERE holder = ?", (self._holder,)
                )
            except sqlite3.Error as exc:
                self._warn(f"the scheduler lease in {self.path} cannot be released: {exc}")

    def _warn(self, message: str) -> None:
        # Once per kind of trouble: a read-only project would say it every 5 s otherwise.
        if message.split(":", 1)[0] not in self._warned:
            self._warned.add(message.split(":", 1)[0])
            log.warning("%s", message)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                try:
                    self._db.close()
                finally:
                    self._db = None
