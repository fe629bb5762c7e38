"""`console history`: past runs of a project, newest first."""

from __future__ import annotations

import argparse
from pathlib import Path

from console.commands._common import print_json
from console.devserver.sanitize import clean_line
from console.engine.history import RunStore, history_path
from console.errors import NotAProjectError, UsageError
from console.model import Run


def run(args: argparse.Namespace) -> int:
    root = Path(args.project)
    if not root.is_dir():
        raise NotAProjectError(f"{root} is not a folder")
    if args.n < 0:
        raise UsageError(f"-n {args.n}: give a number of runs, 0 or more")
    path = history_path(root)
    runs: list[Run] = []
    if path.exists():  # reading must not create .console/ in a folder that never ran anything
        store = RunStore(path)
        try:
            store.mark_interrupted()
            runs = store.recent(args.n)
        finally:
            store.close()
    if args.json:
        print_json({"runs": [r.to_json() for r in runs]})
        return 0
    if not runs:
        print("no runs yet")
        return 0
    for line in format_table(runs):
        print(line)
    return 0


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
                str(r.state),
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
