"""Run history: a SQLite file in WAL mode that several console processes share."""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.engine import owner
from console.engine.request import RunRequest
from console.errors import HistoryError
from console.model import RouteKind, Run, RunState, TargetKind

log = logging.getLogger(__name__)

BODY_LIMIT = 64 * 1024  # bytes of response body kept per attempt
SCHEMA_VERSION = 1
HISTORY_DIR = ".console"
HISTORY_FILE = "history.sqlite3"

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


# What a run id (console/engine/ids.py) and an HTTP method look like. A history file comes with
# the project folder, so it may come from anywhere: a row that does not fit is not shown.
_RUN_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_METHOD = re.compile(r"^[A-Za-z]{1,20}$")


def history_path(project_root: Path) -> Path:
    return project_root / HISTORY_DIR / HISTORY_FILE


def _us(t: datetime | None) -> int | None:
    return None if t is None else int(t.timestamp() * 1_000_000)


def _dt(us: int | None) -> datetime | None:
    return None if us is None else datetime.fromtimestamp(us / 1_000_000, UTC)


class RunStore:
    """Runs, their log lines and attempts. Short transactions; safe to share between processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._lock = threading.Lock()  # one connection, possibly touched from a worker thread
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a commit is durable against a crash of the process (not of the OS),
            # and costs no fsync; a run's record is written before its request is sent.
            self._db.execute("PRAGMA synchronous = NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{path} was written by a newer console (schema {version}); update the console"
                )
            if version < SCHEMA_VERSION:
                # Idempotent: two processes creating the file at once both succeed.
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the run history {path}: {exc}") from None
        except OSError as exc:
            raise HistoryError(f"cannot create the run history {path}: {exc.strerror}") from None
        self._pid = os.getpid()
        self._token = owner.own_token()

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise HistoryError(f"cannot write the run history {self.path}: {exc}") from None

    def insert(self, run: Run, request: RunRequest | None = None) -> None:
        with self._write() as db:
            db.execute(
                f"INSERT INTO runs ({_RUN_COLUMNS}, owner_pid, owner_token, request) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*self._row(run), self._pid, self._token, request and request.dumps()),
            )
            db.executemany(
                "INSERT INTO logs (run_id, at, line) VALUES (?,?,?)",
                [(run.id, _us(run.created_at), line) for line in run.logs],
            )

    def update(self, run: Run, logs: Sequence[tuple[str, datetime]] = ()) -> None:
        """Write the run's current fields, and append `logs` (line, at) in the same transaction.

        `run.logs` is not written here: lines are appended as they come.
        """
        row = self._row(run)
        with self._write() as db:
            db.execute(
                "UPDATE runs SET route=?, kind=?, target=?, target_kind=?, url=?, method=?, "
                "state=?, deadline_s=?, created_at=?, http_status=?, attempts=?, started_at=?, "
                "finished_at=?, reason=? WHERE id=?",
                (*row[1:], run.id),
            )
            if logs:
                db.executemany(
                    "INSERT INTO logs (run_id, at, line) VALUES (?,?,?)",
                    [(run.id, _us(at), line) for line, at in logs],
                )

    def append_log(self, run_id: str, line: str, at: datetime) -> None:
        self.append_logs(((run_id, line),), at)

    def append_logs(self, lines: Sequence[tuple[str, str]], at: datetime) -> None:
        """Append (run_id, line) pairs that arrived together, in order, in one transaction."""
        stamp = _us(at)
        with self._write() as db:
            db.executemany(
                "INSERT INTO logs (run_id, at, line) VALUES (?,?,?)",
                [(run_id, stamp, line) for run_id, line in lines],
            )

    def save_attempt(self, attempt: Attempt) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO attempts (run_id, n, started_at, finished_at, "
                "http_status, headers, body, body_size, error) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    attempt.run_id,
                    attempt.n,
                    _us(attempt.started_at),
                    _us(attempt.finished_at),
                    attempt.http_status,
                    json.dumps([list(h) for h in attempt.headers]),
                    attempt.body[:BODY_LIMIT],
                    attempt.body_size,
                    attempt.error,
                ),
            )

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
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise HistoryError(f"cannot read the run history {self.path}: {exc}") from None

    def get(self, run_id: str) -> Run | None:
        rows = self._query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        return self._with_logs(rows)[0] if rows else None

    def recent(self, n: int, *, logs: bool = True) -> list[Run]:
        """The newest `n` runs, newest first."""
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (max(0, n),),
        )
        if logs:
            return self._with_logs(rows)
        return [self._run(r, ()) for r in rows if self._readable(r)]

    def request(self, run_id: str) -> RunRequest | None:
        rows = self._query("SELECT request FROM runs WHERE id = ?", (run_id,))
        if not rows or rows[0][0] is None:
            return None
        try:
            return RunRequest.from_json(json.loads(rows[0][0]))
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("the request of run %s in %s cannot be read (%s)", run_id, self.path, exc)
            return None

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

    def _with_logs(self, rows: list[tuple[Any, ...]]) -> list[Run]:
        rows = [r for r in rows if self._readable(r)]
        if not rows:
            return []
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        lines: dict[str, list[str]] = {i: [] for i in ids}
        for run_id, line in self._query(
            f"SELECT run_id, line FROM logs WHERE run_id IN ({marks}) ORDER BY seq", ids
        ):
            lines[run_id].append(line if isinstance(line, str) else repr(line))
        return [self._run(r, tuple(lines[r[0]])) for r in rows]

    def _readable(self, r: tuple[Any, ...]) -> bool:
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
            self._run(r, ())
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            shown = ascii(r[0])[:40]
            log.warning("run %s in %s cannot be read and is not shown (%s)", shown, self.path, exc)
            return False
        return True

    @staticmethod
    def _run(r: tuple[Any, ...], logs: tuple[str, ...]) -> Run:
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

    # -- recovery ------------------------------------------------------------------------------

    def mark_interrupted(self, now: datetime | None = None) -> int:
        """Mark `interrupted` the unfinished runs whose owning process is gone; returns how many.

        Runs of live processes (this one included) are left alone. A background run accepted by
        a deployed target is not unfinished business of ours: the platform runs it.
        """
        now = now or datetime.now(UTC)
        unfinished = [str(s) for s in RunState if not s.final]
        marks = ",".join("?" * len(unfinished))
        rows = self._query(
            f"SELECT id, state, target_kind, owner_pid, owner_token FROM runs "
            f"WHERE state IN ({marks})",
            unfinished,
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
        count = 0
        with self._write() as db:
            for run_id, state, pid in dead:
                reason = f"the console process that ran it (pid {pid}) stopped before it finished"
                cur = db.execute(
                    "UPDATE runs SET state = ?, finished_at = ?, reason = ? "
                    "WHERE id = ? AND state = ?",
                    (str(RunState.INTERRUPTED), _us(now), reason, run_id, state),
                )
                count += cur.rowcount
        return count

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
