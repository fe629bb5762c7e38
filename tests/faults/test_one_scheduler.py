"""One project, one scheduler: console processes (or engines) that share a history send each
fire once, whoever has the scheduler on; the others say who holds it."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from console.engine import Engine, FakeClock, RunStore, SchedulerSkipped
from console.engine.fire_claims import FireClaims
from tests.engine.conftest import START, Recorder, project, settings_for
from tests.engine.server import serving
from tests.engine.test_runs import _until
from tests.faults.conftest import make_project, start_module
from tests.faults.figures import Figures


async def test_two_engines_on_one_history_fire_each_schedule_once(
    tmp_path: Path, figures: Figures
) -> None:
    """Before: both sent every fire (the skip looked only at its own process's runs)."""
    clock = FakeClock(START)
    path = tmp_path / ".console" / "history.sqlite3"
    stores = [RunStore(path), RunStore(path)]
    with serving() as server:
        engines = [
            Engine(project(tmp_path), settings_for(server.url, tmp_path), s, clock=clock)
            for s in stores
        ]
        recorders = [Recorder(e.bus) for e in engines]
        try:
            for e in engines:
                e.scheduler.set_enabled(True)
            for minute in range(3):
                await clock.sleepers(2)
                await clock.advance(30 if minute == 0 else 60)  # to 10:01:00, 10:02:00, ...
                await _until(lambda m=minute: len(server.received) >= m + 1)  # type: ignore[misc]
                await _until(lambda: all(r.state.final for e in engines for r in e.active_runs()))
            fires = Counter((r.path, json.loads(r.body)["next_run"]) for r in server.received)
            figures.inputs("scheduler fires", len(fires))
            assert len(fires) == 3 and set(fires.values()) == {1}, fires
            skipped = [
                e for rec in recorders for e in rec.events if isinstance(e, SchedulerSkipped)
            ]
            assert len(skipped) == 3
            assert all("another console process" in s.reason for s in skipped)
            # The second to switch on sees the first as the scheduler's holder.
            assert engines[1].scheduler.holder == os.getpid()
            assert engines[0].scheduler.holder is None
        finally:
            for e in engines:
                await e.close()
            for s in stores:
                s.close()


def test_two_processes_fire_each_schedule_once(tmp_path: Path, figures: Figures) -> None:
    """Two real console processes, the scheduler on in both, a fire every second for 6 s.

    A fire is told apart by its body (`next_run`: the following instant), so the period is long
    enough that a fire woken late still names the instant after its own.
    """
    with serving() as server:
        root = make_project(tmp_path / "site", url=server.url)
        procs = [
            start_module("tests.faults.scheduler_process", str(root), "6", "1") for _ in range(2)
        ]
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (_out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0 and "Traceback" not in err, err
        fires = Counter((r.path, json.loads(r.body)["next_run"]) for r in server.received)
    most = max(fires.values())
    sent = [out.strip().splitlines()[-1] for out, _ in outs]
    print(f"FIGURE two processes: {len(fires)} fires, at most {most} per (route, instant); {sent}")
    figures.inputs("scheduler fires", len(fires))
    assert len(fires) >= 4  # it did fire
    assert most == 1, [k for k, n in fires.items() if n > 1]


def test_the_lease_names_a_live_holder_and_frees_a_gone_one(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    a, b = FireClaims(path), FireClaims(path)
    try:
        assert a.hold_lease() is None  # first: it holds it
        assert b.hold_lease() == os.getpid()  # second: told who holds it
        assert b.holder() == os.getpid()
        a.release_lease()
        assert b.hold_lease() is None  # free again: the second takes it
        assert a.holder() == os.getpid()
        assert a.claim_fire("/api/tick", START) is True
        assert b.claim_fire("/api/tick", START) is False
        assert b.fired_by("/api/tick", START) == os.getpid()
    finally:
        a.close()
        b.close()


def test_a_history_that_cannot_be_written_fires_anyway_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    claims = FireClaims(folder / "missing" / "history.sqlite3")
    (folder / "missing").write_text("a file where the folder should be")  # cannot be created
    try:
        assert claims.claim_fire("/api/tick", START) is True  # firing beats never firing
        assert claims.claim_fire("/api/tick", START) is True
        assert claims.hold_lease() is None
        assert claims.hold_lease() is None
        warnings = [r for r in caplog.records if r.levelname == "WARNING"]
        assert len(warnings) == 2, [r.message for r in warnings]  # once per kind of trouble
    finally:
        claims.close()
