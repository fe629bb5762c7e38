"""`console history`: past runs of a project, newest first."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from console.commands._common import json_text, print_text
from console.devserver.sanitize import clean_line
from console.engine.history import RunStore, history_path
from console.engine.history_file import reset_history
from console.errors import HistoryError, NotAProjectError, UsageError
from console.model import Run, RunState

MAX_RUNS = 1_000_000
READ_BUSY_TIMEOUT = 0.5  # marking a dead process's runs may wait this long; reading never waits


def run(args: argparse.Namespace) -> int:
    root = Path(args.project)
    try:
        with os.scandir(root):
            pass
    except (FileNotFoundError, NotADirectoryError):
        raise NotAProjectError(f"{root} is not a folder") from None
    except OSError as exc:  # closed to this user, or inside a folder that is
        raise NotAProjectError(f"{root} cannot be read: {exc.strerror}") from None
    if not 0 <= args.n <= MAX_RUNS:
        raise UsageError(f"-n {args.n}: give a number of runs from 0 to {MAX_RUNS:,}")
    states = parse_states(args.state)
    path = history_path(root)
    if args.reset_history:
        report_reset(path)
    try:
        exists = path.exists()
    except OSError as exc:  # .console/ is there but closed to us
        raise HistoryError(f"cannot read the run history {path}: {exc.strerror}") from None
    if not exists:  # reading must not create .console/ in a folder that never ran anything
        return _show(iter(()), args.json)
    store = open_for_reading(path)
    try:
        runs = store.iter_recent(args.n, routes=args.route, states=states)
        return _show(runs, args.json)
    finally:
        store.close()


def parse_states(words: list[str]) -> list[RunState]:
    """`--state timed-out`, `--state "timed out"` or `--state timed_out`: the same state."""
    out = []
    for word in words:
        value = word.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            out.append(RunState(value))
        except ValueError:
            known = ", ".join(s.words for s in RunState)
            raise UsageError(f"--state {word!r} is not a run state; states: {known}") from None
    return out


def report_reset(path: Path) -> None:
    """--reset-history: move the history aside (never delete it) and say where it went."""
    aside = reset_history(path)
    if aside is None:
        print_text(f"console: there is no run history at {path} to move aside", file=sys.stderr)
    else:
        print_text(f"console: moved the run history aside to {aside}", file=sys.stderr)


def open_for_reading(path: Path) -> RunStore:
    """The history to read: written to only to mark a dead process's runs `interrupted`, and
    opened read-only when that cannot be done (another process holds the write lock past a
    short wait: the marks stay for later; `.console/` is read-only)."""
    try:
        store = RunStore(path, busy_timeout=READ_BUSY_TIMEOUT)
    except HistoryError as exc:
        if "damaged" in str(exc):
            raise
        return RunStore(path, read_only=True)
    store.mark_interrupted()
    return store


def _show(runs: Iterator[Run], as_json: bool) -> int:
    if as_json:
        write_runs_json(runs)
        return 0
    first = next(runs, None)
    if first is None:
        print("no runs yet")
        return 0
    for line in format_table([first, *runs]):
        print_text(line)
    return 0


def write_runs_json(runs: Iterable[Run]) -> None:
    """`{"runs": [...]}`, written one run at a time: memory holds one run's log, not them all."""
    out = sys.stdout
    out.write('{\n  "runs": [')
    sep = "\n"
    for r in runs:
        body = json_text(r.to_json()).replace("\n", "\n    ")
        out.write(f"{sep}    {body}")
        sep = ",\n"
    out.write("\n  ]\n}\n" if sep != "\n" else "]\n}\n")
    out.flush()


def format_table(runs: list[Run]) -> list[str]:
    rows = [["ID", "WHEN", "ROUTE", "TARGET", "STATE", "HTTP", "TOOK", "REASON"]]
    for r in runs:
        took = "" if r.duration_ms is None else f"{r.duration_ms / 1000:.1f}s"
        rows.append(
            [
                r.id,
                r.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                clean_line(r.route, 80),
                clean_line(r.target, 40),
                r.state.words,
                "" if r.http_status is None else str(r.http_status),
                took,
                clean_line(r.reason or "", 100),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
