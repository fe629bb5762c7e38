"""Benchmark: `console open` and `console history` on a ~1 GB run history vs an empty one.

Builds a history straight into SQLite (200 runs of 25,000 log lines of 200 bytes by default:
about 1 GB, what the chatty dev server of the "trust" issue leaves after a handful of runs),
then measures in this one process, for the empty history and for the big one:

1. the screen's start: RunStore opened, the engine started (marking a dead process's runs),
   and the headless console app up to the frame after it loaded its runs (120x35); and, apart,
   just what that start reads from the history (the screen's own work is the same either way);
2. `history -n 20 --json` written to /dev/null (streamed: one run's log in memory at a time);
3. opening one run's detail (its log, at most [history].max_log_lines_per_run lines).

and prints each median with the ratio to the empty history, and to a history of 50 one-line
runs (what the screen shows of the big one: the same rows to draw, none of its size). Aim: the
start within 1.5x of the empty history.

    python bench/history.py [--runs 200] [--lines 25000] [--rounds 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.commands.history import write_runs_json
from console.engine import Engine, RunStore, history_path
from console.model import Project, Route, RouteKind
from console.settings import Settings
from console.ui.app import create_app
from tests.faults.big_history import fill_history

SIZE = (120, 35)
ROUTE = Route("/api/hello", RouteKind.API, None, "pages/api/hello.js", 1, "hello")


async def open_screen(root: Path) -> float:
    """Seconds from nothing to the console's frame after it loaded its runs."""
    start = time.perf_counter()
    store = RunStore(history_path(root))
    engine = Engine(Project(root, (ROUTE,), ()), Settings(targets=()), store)
    app = create_app(engine, start_dev=False)
    done = asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.call_after_refresh(done.set)
        await done.wait()
        await pilot.pause()
        elapsed = time.perf_counter() - start
    await app.close_engine()
    store.close()
    return elapsed


def start_reads(root: Path) -> float:
    """What the engine and the screen read from the history at start, without the screen:
    open, mark a dead process's runs, the newest 50 runs, and the peers' starting points."""
    from datetime import UTC, datetime

    start = time.perf_counter()
    store = RunStore(history_path(root))
    store.mark_interrupted()
    store.recent(50, logs=False)
    store.last_log_seq()
    store.others_runs(datetime.now(UTC), 200)
    store.close()
    return time.perf_counter() - start


def history_json(root: Path) -> float:
    start = time.perf_counter()
    store = RunStore(history_path(root))
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        write_runs_json(store.iter_recent(20))
    store.close()
    return time.perf_counter() - start


def run_detail(root: Path) -> float:
    store = RunStore(history_path(root))
    newest = store.recent(1, logs=False)
    start = time.perf_counter()
    if newest:
        store.get(newest[0].id)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--lines", type=int, default=25_000, help="log lines per run")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="build (or reuse) the big history here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-history-"))
    empty = tmp / "empty"
    (empty / ".console").mkdir(parents=True)
    RunStore(history_path(empty)).close()
    few = tmp / "few"  # as many runs as the screen shows, with one line each: the screen's
    fill_history(history_path(few), runs=50, lines_per_run=1)  # work without the history's size
    big = args.keep or tmp / "big"
    path = history_path(big)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        fill_history(path, runs=args.runs, lines_per_run=args.lines)
        print(f"built {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    size = path.stat().st_size
    print(f"history: {size / 1e9:.2f} GB ({args.runs} runs x {args.lines:,} lines) vs empty")

    results: dict[str, dict[str, list[float]]] = {}
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        for name, root in (("empty", empty), ("50 small runs", few), ("1 GB", big)):
            r = results.setdefault(name, {"open": [], "reads": [], "history": [], "detail": []})
            with contextlib.redirect_stderr(io.StringIO()):
                r["open"].append(asyncio.run(open_screen(root)))
            r["reads"].append(start_reads(root))
            r["history"].append(history_json(root))
            r["detail"].append(run_detail(root))
    labels = {
        "open": "console open, to the loaded frame",
        "reads": "what the start reads from the history",
        "history": "history -n 20 --json",
        "detail": "one run's detail (its log)",
    }
    for key, label in labels.items():
        e = statistics.median(results["empty"][key])
        f = statistics.median(results["50 small runs"][key])
        b = statistics.median(results["1 GB"][key])
        print(
            f"{label:38} empty {e * 1000:8.1f} ms   50 small runs {f * 1000:8.1f} ms   "
            f"1 GB {b * 1000:8.1f} ms   x{b / e:.2f} of empty, x{b / f:.2f} of 50 small runs"
        )
    if args.keep is None:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
