"""Run history: a SQLite file in WAL mode that several console processes share."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.engine import owner
from console.engine.history_bounds import LogBudget, prune
from console.engine.history_file import check_tables, connect_read_only, damaged, is_damage
from console.engine.history_queue import Write, WriteQueue
from console.engine.history_rows import _RUN_COLUMNS, _SCHEMA, readable, run_from_row
from console.engine.request import RunRequest
from console.errors import HistoryError
from console.model import Run, RunState, TargetKind
from console.settings import HistorySettings

log = logging.getLogger(__name__)

BODY_LIMIT = 64 * 1024  # bytes of response body kept per attempt
SCHEMA_VERSION = 1
HISTORY_DIR = ".console"
HISTORY_FILE = "history.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a write waits for another process's write lock
WAL_LIMIT = 64 * 1024 * 1024  # bytes the -wal file is cut back to after a checkpoint


@dataclass(frozen=True)
class Attempt:
    """One request of a run (background runs may make three), with what came back."""

    run_id: str
    n: int  # 1-based
    started_at: datetime
    finished_at: datetime | None = None
    http_status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""  # at most BODY_LIMIT bytes
    body_size: int = 0  # bytes the server sent
    error: str | None = None

    @property
    def truncated(self) -> bool:
        return self.body_size > len(self.body)


def history_path(project_root: Path) -> Path:
    return project_root / HISTORY_DIR / HISTORY_FILE


def _us(t: datetime | None) -> int | None:
    return None if t is None else int(t.timestamp() * 1_000_000)


def _dt(us: int | None) -> datetime | None:
    return None if us is None else datetime.fromtimestamp(us / 1_000_000, UTC)


class RunStore:
    """Runs, their log lines and attempts. Short transactions; safe to share between processes.

    A write that fails (another process holds the write lock past the busy timeout, the disk
    is full, the folder is read-only) does not raise: it is kept in memory, in order, and
    written with the next write or `flush()` once the file takes it. `problem` says why
    nothing is being recorded, and `on_trouble` hears it once per spell of trouble.
    """

    def __init__(
        self,
        path: Path | str,
        limits: HistorySettings | None = None,
        *,
        read_only: bool = False,
        busy_timeout: float | None = None,
    ) -> None:
        self.path = path
        self.limits = limits or HistorySettings()
        self.read_only = read_only
        self._busy = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        self._lock = threading.Lock()  # one connection, possibly touched from a worker thread
        self._budgets: dict[str, LogBudget] = {}
        self._empty = False  # a read-only look at a file no console ever wrote tables into
        try:
            if read_only:
                self._db = connect_read_only(Path(path), self._busy)
                self._check_version()
            else:
                if str(path) != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(
                    str(path), isolation_level=None, check_same_thread=False, timeout=self._busy
                )
                self._db.execute(f"PRAGMA busy_timeout = {int(self._busy * 1000)}")
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: a commit is durable against a crash of the process (not of the
                # OS), and costs no fsync; a run's record is written before its request is sent.
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
                if self._check_version() < SCHEMA_VERSION:
                    # Before the first table: lets pruning hand pages back to the file system.
                    self._db.execute("PRAGMA auto_vacuum = INCREMENTAL")
                    # Idempotent: two processes creating the file at once both succeed.
                    self._db.executescript(_SCHEMA)
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                check_tables(self._db, path)
        except sqlite3.Error as exc:
            if is_damage(exc):
                raise damaged(path, str(exc)) from None
            raise HistoryError(f"cannot open the run history {path}: {exc}") from None
        except OSError as exc:
            raise HistoryError(f"cannot create the run history {path}: {exc.strerror}") from None
        self._queue = WriteQueue(self._db, self._lock, path, self._busy)
        self._pid = os.getpid()
        self._token = owner.own_token()

    def _check_version(self) -> int:
        version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path} was written by a newer console (schema {version}); update the console"
            )
        if self.read_only:
            if version == 0 and not self._db.execute("SELECT 1 FROM sqlite_master").fetchone():
                self._empty = True
            else:
                check_tables(self._db, self.path)
        return version

    # -- writing (through the queue: history_queue.py) -----------------------------------------

    @property
    def pending(self) -> int:
        """Writes waiting in memory for the file to take them."""
        return self._queue.pending

    @property
    def problem(self) -> str | None:
        """Why writes are waiting in memory (one sentence), or None."""
        return self._queue.problem

    @property
    def on_trouble(self) -> Callable[[str], None] | None:
        """Told once when writes start waiting, and once when they are written again."""
        return self._queue.on_trouble

    @on_trouble.setter
    def on_trouble(self, hear: Callable[[str], None] | None) -> None:
        self._queue.on_trouble = hear

    def flush(self, timeout: float | None = None) -> bool:
        """Try now to write what is waiting; True when nothing is left waiting."""
        return self._queue.flush(timeout)

    def _write(self, op: Write, *, droppable: bool = False) -> None:
        if self.read_only:
            raise HistoryError(f"the run history {self.path} was opened only to read")
        self._queue.write(op, droppable=droppable)

    def _budget(self, run_id: str) -> LogBudget:
        budget = self._budgets.get(run_id)
        if budget is None:
            budget = LogBudget(self.limits.max_log_lines_per_run, self.limits.max_log_bytes_per_run)
            self._budgets[run_id] = budget
        return budget

    def insert(self, run: Run, request: RunRequest | None = None) -> None:
        budget = self._budget(run.id)
        lines = [(run.id, _us(run.created_at), line) for line in run.logs if budget.take(line)]
        row = (*self._row(run), self._pid, self._token, request and request.dumps())
        if run.state.final:
            lines.extend(self._end_lines(run.id, _us(run.finished_at or run.created_at)))

        def op(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT OR REPLACE INTO runs ({_RUN_COLUMNS}, owner_pid, owner_token, request) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            db.executemany("INSERT INTO logs (run_id, at, line) VALUES (?,?,?)", lines)

        self._write(op)
        self._prune(run.created_at)  # the engine's clock: the age of runs is counted from it

    def _end_lines(self, run_id: str, at: int | None) -> list[tuple[str, int | None, str]]:
        """The line saying how much of a finished run's log was dropped; forgets its budget."""
        budget = self._budgets.pop(run_id, None)
        summary = budget.summary() if budget is not None else None
        return [] if summary is None else [(run_id, at, summary)]

    def _prune(self, now: datetime) -> None:
        """Delete a slice of the runs past [history]'s limits; never in the way of a run."""
        if self._queue.pending:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    deleted = prune(self._db, self.limits, now)
                    self._db.execute("COMMIT")
                except BaseException:
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise
                if deleted:
                    self._db.execute("PRAGMA incremental_vacuum(2000)")
            except sqlite3.Error as exc:
                log.info("old runs were not pruned from %s this time: %s", self.path, exc)

    def update(self, run: Run, logs: Sequence[tuple[str, datetime]] = ()) -> None:
        """Write the run's current fields, and append `logs` (line, at) in the same transaction.

        `run.logs` is not written here: lines are appended as they come. The lines of the
        change that ends a run are kept past the log budget (they say how it ended), followed
        by one line saying how much was dropped.
        """
        row = self._row(run)
        rows: list[tuple[str, int | None, str]] = []
        budget = self._budget(run.id)
        for line, at in logs:
            if run.state.final or budget.take(line):
                rows.append((run.id, _us(at), line))
        if run.state.final:
            end = run.finished_at or (logs[-1][1] if logs else run.created_at)
            rows.extend(self._end_lines(run.id, _us(end)))

        def op(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE runs SET route=?, kind=?, target=?, target_kind=?, url=?, method=?, "
                "state=?, deadline_s=?, created_at=?, http_status=?, attempts=?, started_at=?, "
                "finished_at=?, reason=? WHERE id=?",
                (*row[1:], run.id),
            )
            if rows:
                db.executemany("INSERT INTO logs (run_id, at, line) VALUES (?,?,?)", rows)

        self._write(op)

    def append_log(self, run_id: str, line: str, at: datetime) -> None:
        self.append_logs(((run_id, line),), at)

    def append_logs(self, lines: Sequence[tuple[str, str]], at: datetime) -> None:
        """Append (run_id, line) pairs that arrived together, in order, in one transaction.

        Past a run's log budget, lines are only counted (see history_bounds.py).
        """
        stamp = _us(at)
        rows = [(run_id, stamp, line) for run_id, line in lines if self._budget(run_id).take(line)]
        if not rows:
            return

        def op(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO logs (run_id, at, line) VALUES (?,?,?)", rows)

        self._write(op, droppable=True)

    def save_attempt(self, attempt: Attempt) -> None:
        row = (
            attempt.run_id,
            attempt.n,
            _us(attempt.started_at),
            _us(attempt.finished_at),
            attempt.http_status,
            json.dumps([list(h) for h in attempt.headers]),
            attempt.body[:BODY_LIMIT],
            attempt.body_size,
            attempt.error,
        )

        def op(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO attempts (run_id, n, started_at, finished_at, "
                "http_status, headers, body, body_size, error) VALUES (?,?,?,?,?,?,?,?,?)",
                row,
            )

        self._write(op)

    @staticmethod
    def _row(run: Run) -> tuple[Any, ...]:
        return (
            run.id,
            run.route,
            str(run.kind),
            run.target,
            str(run.target_kind),
            run.url,
            run.method,
            str(run.state),
            run.deadline_s,
            _us(run.created_at),
            run.http_status,
            run.attempts,
            _us(run.started_at),
            _us(run.finished_at),
            run.reason,
        )

    # -- reading -------------------------------------------------------------------------------

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._empty:
            return []
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                if is_damage(exc):
                    raise damaged(self.path, str(exc)) from None
                raise HistoryError(f"cannot read the run history {self.path}: {exc}") from None

    def get(self, run_id: str) -> Run | None:
        """The run with its log (at most the budget's lines, even from an older console)."""
        rows = self._query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        if not rows or not self._readable(rows[0]):
            return None
        return self._run(rows[0], self._logs(run_id))

    def recent(self, n: int, *, logs: bool = True) -> list[Run]:
        """The newest `n` runs, newest first (`logs=False`: without their logs, which is cheap)."""
        return list(self.iter_recent(n, logs=logs))

    def iter_recent(
        self,
        n: int,
        *,
        logs: bool = True,
        routes: Sequence[str] = (),
        states: Sequence[RunState] = (),
    ) -> Iterator[Run]:
        """The newest `n` runs, newest first, one at a time: a caller that prints them holds
        one run's log at a time, however long the history. `routes` and `states` keep only the
        runs of those routes and in those states (`n` counts the runs kept)."""
        where, args = [], []
        for column, values in (("route", list(routes)), ("state", [str(s) for s in states])):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs {clause}ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (*args, max(0, n)),
        )
        for r in rows:
            if self._readable(r):
                yield self._run(r, self._logs(r[0]) if logs else ())

    def _logs(self, run_id: str) -> tuple[str, ...]:
        # The budget's lines, the lines of the run's end and the line about what was dropped;
        # a run written by an older console may hold far more, and says so in one more line.
        cap = self.limits.max_log_lines_per_run + 3
        rows = self._query(
            "SELECT line FROM logs WHERE run_id = ? ORDER BY seq LIMIT ?", (run_id, cap + 1)
        )
        lines = [line if isinstance(line, str) else repr(line) for (line,) in rows[:cap]]
        if len(rows) > cap:
            (total,) = self._query("SELECT count(*) FROM logs WHERE run_id = ?", (run_id,))[0]
            lines.append(
                f"[console] {total - cap:,} more log lines of this run are in the history and "
                f"not shown (history.max_log_lines_per_run = {self.limits.max_log_lines_per_run})"
            )
        return tuple(lines)

    def request(self, run_id: str) -> RunRequest | None:
        rows = self._query("SELECT request FROM runs WHERE id = ?", (run_id,))
        if not rows or rows[0][0] is None:
            return None
        try:
            return RunRequest.from_json(json.loads(rows[0][0]))
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("the request of run %s in %s cannot be read (%s)", run_id, self.path, exc)
            return None

    def last_request_of(self, route: str) -> RunRequest | None:
        """The request of the route's newest run that has one (the trigger dialog's start)."""
        rows = self._query(
            "SELECT id FROM runs WHERE route = ? AND request IS NOT NULL "
            "ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (route,),
        )
        return self.request(rows[0][0]) if rows else None

    def attempts(self, run_id: str) -> list[Attempt]:
        rows = self._query(
            "SELECT run_id, n, started_at, finished_at, http_status, headers, body, body_size, "
            "error FROM attempts WHERE run_id = ? ORDER BY n",
            (run_id,),
        )
        return [
            Attempt(
                run_id=r[0],
                n=r[1],
                started_at=_dt(r[2]) or datetime.fromtimestamp(0, UTC),
                finished_at=_dt(r[3]),
                http_status=r[4],
                headers=tuple((str(k), str(v)) for k, v in json.loads(r[5])),
                body=bytes(r[6]),
                body_size=r[7],
                error=r[8],
            )
            for r in rows
        ]

    def _readable(self, r: tuple[Any, ...]) -> bool:
        return readable(r, self.path)

    _run = staticmethod(run_from_row)

    # -- recovery ------------------------------------------------------------------------------

    def mark_interrupted(self, now: datetime | None = None) -> int:
        """Mark `interrupted` the unfinished runs whose owning process is gone; returns how many.

        Runs of live processes (this one included) are left alone. A background run accepted by
        a deployed target is not unfinished business of ours: the platform runs it.
        """
        now = now or datetime.now(UTC)
        unfinished = [str(s) for s in RunState if not s.final]
        marks = ",".join("?" * len(unfinished))
        # An index on state finds them; accepted runs on deployed targets are the platform's.
        rows = self._query(
            f"SELECT id, state, target_kind, owner_pid, owner_token FROM runs "
            f"WHERE state IN ({marks}) AND NOT (state = ? AND target_kind != ?)",
            (*unfinished, str(RunState.ACCEPTED), str(TargetKind.LOCAL)),
        )
        alive: dict[tuple[int, str], bool] = {}
        dead: list[tuple[str, str, int]] = []
        for run_id, state, target_kind, pid, token in rows:
            if state == RunState.ACCEPTED and target_kind != TargetKind.LOCAL:
                continue
            key = (pid, token)
            if key not in alive:
                alive[key] = owner.is_alive(pid, token)
            if not alive[key]:
                dead.append((run_id, state, pid))
        if not dead or self.read_only:
            return 0 if self.read_only else len(dead)

        def op(db: sqlite3.Connection) -> None:
            for run_id, state, pid in dead:
                reason = f"the console process that ran it (pid {pid}) stopped before it finished"
                db.execute(
                    "UPDATE runs SET state = ?, finished_at = ?, reason = ? "
                    "WHERE id = ? AND state = ?",
                    (str(RunState.INTERRUPTED), _us(now), reason, run_id, state),
                )

        self._write(op)
        return len(dead)

    # -- other processes -----------------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection (another console) commits to the file."""
        return int(self._query("PRAGMA data_version")[0][0])

    def is_ours(self, run_id: str) -> bool | None:
        """Was the run recorded by this process? None when there is no such run."""
        rows = self._query("SELECT owner_pid, owner_token FROM runs WHERE id = ?", (run_id,))
        if not rows:
            return None
        return (rows[0][0], rows[0][1]) == (self._pid, self._token)

    def last_log_seq(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM logs")[0][0])

    def others_runs(self, since: datetime, limit: int = 200) -> list[Run]:
        """Runs other processes recorded since `since`, or that are still unfinished; no logs."""
        unfinished = [str(s) for s in RunState if not s.final]
        marks = ",".join("?" * len(unfinished))
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE NOT (owner_pid = ? AND owner_token = ?) "
            f"AND (created_at >= ? OR state IN ({marks})) "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (self._pid, self._token, _us(since), *unfinished, limit),
        )
        return [self._run(r, ()) for r in rows if self._readable(r)]

    def logs_after(
        self, seq: int, run_ids: Sequence[str], limit: int = 5000
    ) -> list[tuple[int, str, datetime, str]]:
        """(seq, run id, at, line) of the given runs' lines written after `seq`, oldest first."""
        if not run_ids:
            return []
        marks = ",".join("?" * len(run_ids))
        rows = self._query(
            f"SELECT seq, run_id, at, line FROM logs WHERE seq > ? AND run_id IN ({marks}) "
            "ORDER BY seq LIMIT ?",
            (seq, *run_ids, limit),
        )
        return [(r[0], r[1], _dt(r[2]) or datetime.fromtimestamp(0, UTC), str(r[3])) for r in rows]

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._db.close()
