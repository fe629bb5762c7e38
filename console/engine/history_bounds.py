"""What keeps the run history bounded: a log budget per run, and pruning of old runs.

A chatty dev server once stored 690,627 lines (130 MB) for one 5-second run. Each run now keeps
the head of its log up to `max_log_lines_per_run` lines and `max_log_bytes_per_run` bytes; past
that, lines are counted instead of stored, and one line at the run's end says how many were
dropped. Old runs (past `max_runs`, or older than `max_age_days`) are deleted a slice at a time
after each new run, so no single write takes long however large the file has grown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.model import RunState
from console.settings import HistorySettings

PRUNE_ROWS = 20_000  # log rows deleted per prune: a few tens of milliseconds
PRUNE_RUNS = 50  # runs looked at per prune
_FINAL = tuple(str(s) for s in RunState if s.final)


def _size(line: str) -> int:
    return len(line.encode("utf-8", "replace"))


@dataclass
class LogBudget:
    """The lines one run may still store; what it dropped past its limits."""

    max_lines: int
    max_bytes: int
    lines: int = 0
    size: int = 0
    dropped_lines: int = 0
    dropped_bytes: int = 0

    def take(self, line: str) -> bool:
        """Count `line`; True when it is to be stored."""
        n = _size(line)
        if self.dropped_lines or self.lines >= self.max_lines or self.size + n > self.max_bytes:
            self.dropped_lines += 1
            self.dropped_bytes += n
            return False
        self.lines += 1
        self.size += n
        return True

    def summary(self) -> str | None:
        """The one line that says how much was dropped, or None when nothing was."""
        if not self.dropped_lines:
            return None
        limit = (
            f"history.max_log_lines_per_run = {self.max_lines}"
            if self.lines >= self.max_lines
            else f"history.max_log_bytes_per_run = {self.max_bytes}"
        )
        return (
            f"[console] {self.dropped_lines:,} more log lines ({_human(self.dropped_bytes)}) "
            f"were not recorded: the run reached {limit} (console.toml)"
        )


def _human(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _us(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


def prune(db: sqlite3.Connection, limits: HistorySettings, now: datetime) -> int:
    """Delete a slice of the runs past the limits, oldest first; returns the log rows deleted.

    Only finished runs go. A run's log rows are deleted first, at most PRUNE_ROWS per call, and
    the run itself once none are left, so a run with a huge log takes several calls and no
    call holds the write lock for long. Called inside a write transaction.
    """
    cutoff = _us(now - timedelta(days=limits.max_age_days))
    marks = ",".join("?" * len(_FINAL))
    old = db.execute(
        f"SELECT id FROM runs WHERE created_at < ? AND state IN ({marks}) "
        "ORDER BY created_at LIMIT ?",
        (cutoff, *_FINAL, PRUNE_RUNS),
    ).fetchall()
    # The runs past the newest max_runs (the index on created_at walks them in order).
    extra = db.execute(
        "SELECT id, state FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
        (PRUNE_RUNS, limits.max_runs),
    ).fetchall()
    victims = list(dict.fromkeys([r[0] for r in old] + [r[0] for r in extra if r[1] in _FINAL]))
    budget = PRUNE_ROWS
    for run_id in victims:
        cur = db.execute(
            "DELETE FROM logs WHERE seq IN (SELECT seq FROM logs WHERE run_id = ? LIMIT ?)",
            (run_id, budget),
        )
        budget -= cur.rowcount
        if budget <= 0:
            break  # this run may have more lines: the next call goes on
        db.execute("DELETE FROM attempts WHERE run_id = ?", (run_id,))
        db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
    return PRUNE_ROWS - budget
