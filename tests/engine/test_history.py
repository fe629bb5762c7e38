"""The run history: a real SQLite file, shared by processes, that survives a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import console
from console.engine import Attempt, RunStore
from console.engine.history import BODY_LIMIT
from console.errors import HistoryError
from console.model import RouteKind, Run, RunState, TargetKind
from tests.engine.conftest import START
from tests.engine.server import Reply, ScriptedServer

ROOT = Path(console.__file__).parent.parent


def _run(i: int, state: RunState = RunState.QUEUED, **kw: object) -> Run:
    return Run(
        id=f"run{i:04d}",
        route="/api/hello",
        kind=RouteKind.API,
        target="local",
        target_kind=TargetKind.LOCAL,
        url="http://localhost:3000/api/hello",
        method="GET",
        state=state,
        deadline_s=10,
        created_at=START + timedelta(seconds=i),
        **kw,  # type: ignore[arg-type]
    )


def test_runs_round_trip_newest_first_with_logs(store: RunStore) -> None:
    for i in range(3):
        store.insert(_run(i, logs=("queued",)))
    later = replace(
        _run(1),
        state=RunState.SUCCEEDED,
        http_status=200,
        attempts=1,
        started_at=START,
        finished_at=START + timedelta(seconds=2),
    )
    store.update(later, [("<- 200 OK", START), ("succeeded", START)])
    store.append_log("run0001", "one more", START)
    got = store.get("run0001")
    assert got == replace(later, logs=("queued", "<- 200 OK", "succeeded", "one more"))
    assert [r.id for r in store.recent(2)] == ["run0002", "run0001"]
    assert store.get("nope") is None


def test_attempts_keep_status_headers_and_the_head_of_the_body(store: RunStore) -> None:
    store.insert(_run(1))
    store.save_attempt(
        Attempt(
            "run0001",
            1,
            START,
            START,
            500,
            (("content-type", "text/plain"),),
            b"y" * (BODY_LIMIT + 10),
            BODY_LIMIT + 10,
            "HTTP 500",
        )
    )
    [a] = store.attempts("run0001")
    assert (a.n, a.http_status, a.headers, a.error) == (
        1, 500, (("content-type", "text/plain"),), "HTTP 500"
    )  # fmt: skip
    assert len(a.body) == BODY_LIMIT and a.truncated


def test_the_file_is_in_wal_mode(store: RunStore) -> None:
    import sqlite3

    db = sqlite3.connect(str(store.path))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_an_unwritable_place_is_a_history_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(HistoryError, match="cannot create the run history"):
        RunStore(blocker / ".console" / "history.sqlite3")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HistoryError, match="newer console"):
        RunStore(path)


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def test_mark_interrupted_only_touches_runs_of_dead_processes(store: RunStore) -> None:
    import sqlite3

    store.insert(_run(1, RunState.RUNNING))  # ours, and we are alive
    store.insert(_run(2, RunState.RUNNING))  # will belong to a dead process
    store.insert(_run(3, RunState.ACCEPTED))  # our pid, but written before a pid reuse
    store.insert(replace(_run(4, RunState.ACCEPTED), target_kind=TargetKind.PREVIEW))
    store.insert(_run(5, RunState.SUCCEEDED))
    db = sqlite3.connect(str(store.path))
    dead = _dead_pid()
    db.execute("UPDATE runs SET owner_pid = ? WHERE id IN ('run0002','run0004','run0005')", (dead,))
    db.execute("UPDATE runs SET owner_token = 'another-life' WHERE id = 'run0003'")
    db.commit()
    db.close()
    assert store.mark_interrupted(START) == 2
    states = {r.id: r.state for r in store.recent(10)}
    assert states == {
        "run0001": RunState.RUNNING,
        "run0002": RunState.INTERRUPTED,
        "run0003": RunState.INTERRUPTED,
        "run0004": RunState.ACCEPTED,  # the platform runs it; not ours to finish
        "run0005": RunState.SUCCEEDED,
    }
    got = store.get("run0002")
    assert got is not None and got.finished_at == START
    assert f"(pid {dead}) stopped before it finished" in (got.reason or "")


_WRITER = """
import sys
from datetime import UTC, datetime
from console.engine import RunStore
from console.model import Run, RouteKind, RunState, TargetKind
store = RunStore(sys.argv[1])
tag = sys.argv[2]
for i in range(150):
    run = Run(f"{tag}{i:04d}", "/api/x", RouteKind.API, "local", TargetKind.LOCAL, "u", "GET",
              RunState.QUEUED, 10.0, datetime.now(UTC))
    store.insert(run)
    store.append_log(run.id, "line", datetime.now(UTC))
    store.update(run.__class__(**{**run.__dict__, "state": RunState.SUCCEEDED}))
store.close()
"""


def test_several_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), tag],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b", "c")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    store = RunStore(path)
    runs = store.recent(1000)
    store.close()
    assert len(runs) == 450
    assert {r.state for r in runs} == {RunState.SUCCEEDED}
    assert {r.logs for r in runs} == {("line",)}


_CRASHER = """
import asyncio, sys
from pathlib import Path
from console.engine import Engine, RunStore
from console.model import Project, Route, RouteKind, Target, TargetKind
from console.settings import Settings

route = Route("/api/sync-background", RouteKind.BACKGROUND, None, "p.js", 1, "f")
settings = Settings((Target("local", TargetKind.LOCAL, sys.argv[2]),))

async def main():
    engine = Engine(Project(Path(sys.argv[1]), (route,), ()), settings,
                    RunStore(Path(sys.argv[1]) / "history.sqlite3"))
    await engine.start()
    engine.submit(route, settings.local)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_a_killed_console_leaves_its_run_for_the_next_start_to_mark(
    tmp_path: Path, server: ScriptedServer
) -> None:
    arrived = threading.Event()
    release = threading.Event()
    server.on_request.append(lambda _r: arrived.set())
    server.reply("/api/sync-background", Reply(hang=release))
    proc = subprocess.Popen([sys.executable, "-c", _CRASHER, str(tmp_path), server.url], cwd=ROOT)
    try:
        assert arrived.wait(60), "the crasher never sent its request"
        store = RunStore(tmp_path / "history.sqlite3")
        # The owner is alive: its run is left alone.
        assert store.mark_interrupted() == 0
        [running] = store.recent(5)
        assert running.state is RunState.RUNNING
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert store.mark_interrupted() == 1
        [run] = store.recent(5)
        assert run.state is RunState.INTERRUPTED
        assert run.logs[0].startswith("-> POST")
        store.close()
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def test_a_zombie_owner_counts_as_dead(store: RunStore) -> None:
    import sqlite3

    from console.engine import owner

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # Not reaped yet: until wait(), the pid exists (as a zombie) with its own start token.
        deadline = time.monotonic() + 30
        while Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never exited"
            time.sleep(0.01)
        store.insert(_run(1, RunState.RUNNING))
        db = sqlite3.connect(str(store.path))
        db.execute(
            "UPDATE runs SET owner_pid = ?, owner_token = ?", (proc.pid, owner.token_for(proc.pid))
        )
        db.commit()
        db.close()
        assert store.mark_interrupted() == 1
    finally:
        proc.wait()


def test_an_in_memory_store_works_for_tests_and_previews() -> None:
    store = RunStore(":memory:")
    store.insert(_run(1, logs=("a",)))
    assert [r.logs for r in store.recent(5)] == [("a",)]
    store.close()
