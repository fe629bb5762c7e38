"""The history's tables, and a row of `runs` read back as a Run (when it can be).

A history file comes with the project folder, so it may come from anywhere (another console
version, a hand edit, an attacker): a row that does not fit is left out with one warning.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.model import RouteKind, Run, RunState, TargetKind

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    route TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    deadline_s REAL NOT NULL,
    created_at INTEGER NOT NULL,
    http_status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER,
    finished_at INTEGER,
    reason TEXT,
    owner_pid INTEGER NOT NULL,
    owner_token TEXT NOT NULL,
    request TEXT
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
CREATE INDEX IF NOT EXISTS runs_state ON runs (state);
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_run ON logs (run_id, seq);
CREATE TABLE IF NOT EXISTS attempts (
    run_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    http_status INTEGER,
    headers TEXT NOT NULL DEFAULT '[]',
    body BLOB NOT NULL DEFAULT x'',
    body_size INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    PRIMARY KEY (run_id, n)
);
"""

_RUN_COLUMNS = (
    "id, route, kind, target, target_kind, url, method, state, deadline_s, created_at, "
    "http_status, attempts, started_at, finished_at, reason"
)


# What a run id (console/engine/ids.py) and an HTTP method look like. A history file comes with
# the project folder, so it may come from anywhere: a row that does not fit is not shown.
_RUN_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_METHOD = re.compile(r"^[A-Za-z]{1,20}$")


def _dt(us: int | None) -> datetime | None:
    return None if us is None else datetime.fromtimestamp(us / 1_000_000, UTC)


def readable(r: tuple[Any, ...], path: Path | str) -> bool:
    """Can this row be shown as a run? If not, say so once and leave it out."""
    try:
        if not isinstance(r[0], str) or not _RUN_ID.match(r[0]):
            raise ValueError("its id is not a run id")
        if not isinstance(r[6], str) or not _METHOD.match(r[6]):
            raise ValueError("its method is not an HTTP method")
        texts = (r[1], r[3], r[5]) + (() if r[14] is None else (r[14],))
        numbers = (r[8], r[11]) + (() if r[10] is None else (r[10],))
        if not all(isinstance(t, str) for t in texts):
            raise ValueError("a text column holds something else")
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            raise ValueError("a number column holds something else")
        run_from_row(r, ())
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        shown = ascii(r[0])[:40]
        log.warning("run %s in %s cannot be read and is not shown (%s)", shown, path, exc)
        return False
    return True


def run_from_row(r: tuple[Any, ...], logs: tuple[str, ...]) -> Run:
    return Run(
        id=r[0],
        route=r[1],
        kind=RouteKind(r[2]),
        target=r[3],
        target_kind=TargetKind(r[4]),
        url=r[5],
        method=r[6],
        state=RunState(r[7]),
        deadline_s=r[8],
        created_at=_dt(r[9]) or datetime.fromtimestamp(0, UTC),
        http_status=r[10],
        attempts=r[11],
        started_at=_dt(r[12]),
        finished_at=_dt(r[13]),
        reason=r[14],
        logs=logs,
    )
