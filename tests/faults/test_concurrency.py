"""Two console processes on one project, 100 runs each at once: all 200 are in the history exactly
once, each with the final state its process saw."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

from tests.engine.server import Received, Reply, serving
from tests.faults.conftest import cli, make_project
from tests.faults.figures import Figures
from tests.faults.history_check import history_file, integrity
from tests.faults.test_crash import start_driver

ROUTES = ["/api/hello", "/api/fail", "/api/slow", "/api/work-background"]
EXPECTED = {
    "/api/hello": "succeeded",
    "/api/fail": "failed",
    "/api/slow": "timed_out",  # hangs past `limits.api`
    "/api/work-background": "succeeded",  # fails once, then succeeds on its retry
}


def test_two_processes_a_hundred_runs_each(tmp_path: Path, figures: Figures) -> None:
    release = threading.Event()
    background_tries: Counter[str] = Counter()
    lock = threading.Lock()

    def answer(got: Received) -> Reply:
        path, _, query = got.path.partition("?")
        if path == "/api/slow":
            return Reply(hang=release)
        release.wait(random.uniform(0.0, 0.3))  # answers overlap and arrive out of order
        if path == "/api/fail":
            return Reply(status=500)
        if path == "/api/work-background":
            with lock:
                background_tries[query] += 1
                first = background_tries[query] == 1
            # The first attempt of each run fails: it is retried after 0.2 s, and succeeds.
            return Reply(status=500 if first else 200)
        return Reply()

    with serving() as server:
        server.default = answer
        root = make_project(
            tmp_path / "site",
            url=server.url,
            toml="[limits]\napi = 1.5\nretry_delays = [0.2]\n",
        )
        drivers = [start_driver(root, 100, name, *ROUTES) for name in ("one", "two")]
        for d in drivers:
            d.go()
        for d in drivers:
            d.wait_done()
        release.set()
    history = cli("history", str(root), "-n", "1000", "--json").assert_clean()
    assert history.code == 0
    runs = history.json()["runs"]
    ids = [r["id"] for r in runs]
    reported = {i: s for d in drivers for i, s in d.finals.items()}
    lost = [i for d in drivers for i in d.queued if i not in ids]
    figures.runs(held=len(runs), lost=len(lost))
    assert lost == []
    assert len(reported) == 200
    assert len(ids) == len(set(ids)) == 200  # exactly once
    by_id = {r["id"]: r for r in runs}
    for run_id, state in reported.items():
        run = by_id[run_id]
        assert run["state"] == state == EXPECTED[run["route"]], run
        # Each run's log was written once: its first line appears once.
        assert sum(line.startswith("-> ") for line in run["logs"]) == 1, run["logs"]
    assert Counter(r["route"] for r in runs) == {route: 50 for route in ROUTES}
    assert len(background_tries) == 50 and set(background_tries.values()) == {2}
    assert integrity(root) == "ok"
    assert history_file(root).stat().st_size > 0
