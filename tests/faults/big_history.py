"""A large run history written straight into SQLite (what an older console, or years of use,
leaves behind): for the bounds tests and bench/history.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.engine import RunStore

START = datetime(2026, 1, 1, tzinfo=UTC)


def _us(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


def fill_history(
    path: Path,
    *,
    runs: int,
    lines_per_run: int,
    line_bytes: int = 200,
    start: datetime = START,
    state: str = "succeeded",
    owner_pid: int = 1,
) -> int:
    """Write `runs` finished runs of `lines_per_run` log lines each; returns the file's size."""
    RunStore(path).close()  # the schema, as the console makes it
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    pad = "x" * max(0, line_bytes - 40)
    for i in range(runs):
        run_id = f"big{i:08d}"
        at = start + timedelta(seconds=i)
        db.execute(
            "INSERT INTO runs (id, route, kind, target, target_kind, url, method, state, "
            "deadline_s, created_at, http_status, attempts, started_at, finished_at, reason, "
            "owner_pid, owner_token, request) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, "/api/hello", "api", "local", "local", "http://127.0.0.1:1/api/hello",
             "GET", state, 10.0, _us(at), 200, 1, _us(at), _us(at) + 5_000_000, None,
             owner_pid, "token", None),
        )  # fmt: skip

        def rows(run_id: str = run_id, stamp: int = _us(at)) -> Iterator[tuple[str, int, str]]:
            for n in range(lines_per_run):
                yield run_id, stamp, f"line {n:09d} of {run_id} {pad}"

        db.executemany("INSERT INTO logs (run_id, at, line) VALUES (?,?,?)", rows())
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.stat().st_size
