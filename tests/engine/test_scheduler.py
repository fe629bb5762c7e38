"""The local scheduler fires scheduled routes at their cron times, on the fake clock."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

from console.engine import FakeClock, SchedulerChanged, SchedulerSkipped
from console.model import RunState
from console.settings import Limits
from tests.engine.conftest import (
    EVERY_MINUTE,
    ROUTES,
    EngineFactory,
    Recorder,
    project,
    settings_for,
)
from tests.engine.server import Reply, ScriptedServer
from tests.engine.test_runs import _until


async def test_fires_at_cron_times_against_the_local_target(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    engine.scheduler.set_enabled(True)
    assert engine.scheduler.enabled
    await clock.sleepers(1)
    await clock.advance(29)  # 10:00:59: nothing yet, and no catch-up of 10:00:00
    assert server.received == []
    await clock.advance(1)  # 10:01:00
    await _until(lambda: len(server.received) == 1)
    got = server.received[0]
    assert got.path == "/api/tick"
    assert got.headers["x-nf-event"] == "schedule"
    assert json.loads(got.body) == {"next_run": "2025-03-01T10:02:00Z"}
    await _until(lambda: all(r.state.final for r in engine.recent_runs(5)))
    await clock.sleepers(1)
    await clock.advance(60)  # 10:02:00
    await _until(lambda: len(server.received) == 2)
    assert [e for e in rec.events if isinstance(e, SchedulerChanged)] == [SchedulerChanged(True)]


async def test_a_fire_whose_previous_run_is_still_going_is_skipped(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock, tmp_path: Path
) -> None:
    release = threading.Event()
    server.reply("/api/tick", Reply(hang=release))
    engine = make_engine(settings_for(server.url, tmp_path, limits=Limits(scheduled=300)))
    rec = Recorder(engine.bus)
    engine.scheduler.set_enabled(True)
    await clock.sleepers(1)
    await clock.advance(30)  # 10:01: fires
    await _until(lambda: len(server.received) == 1)
    await clock.sleepers(2)  # the run's deadline, the scheduler's next fire
    await clock.advance(60)  # 10:02: the 10:01 run still hangs
    await _until(lambda: any(isinstance(e, SchedulerSkipped) for e in rec.events))
    [skip] = [e for e in rec.events if isinstance(e, SchedulerSkipped)]
    assert skip.route == "/api/tick"
    assert skip.reason.startswith("its previous run ") and skip.reason.endswith("is still running")
    assert len(server.received) == 1
    release.set()
    await _until(lambda: engine.recent_runs(1)[0].state is RunState.SUCCEEDED)


async def test_fires_missed_while_asleep_are_not_caught_up(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    engine.scheduler.set_enabled(True)
    await clock.sleepers(1)
    await clock.advance(3 * 3600, jump=True)  # the laptop slept three hours
    await _until(lambda: any(isinstance(e, SchedulerSkipped) for e in rec.events))
    skips = [e for e in rec.events if isinstance(e, SchedulerSkipped)]
    assert len(skips) == 1 and skips[0].reason.startswith("missed by 10770 s")
    assert server.received == []
    await clock.sleepers(1)
    await clock.advance(30)  # 13:01: back to normal
    await _until(lambda: len(server.received) == 1)


async def test_switching_off_stops_the_fires(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    engine.scheduler.set_enabled(True)
    await clock.sleepers(1)
    engine.scheduler.set_enabled(False)
    await clock.advance(120)
    assert server.received == []
    assert not engine.scheduler.enabled
    assert [e.enabled for e in rec.events if isinstance(e, SchedulerChanged)] == [True, False]


async def test_a_reload_picks_up_new_schedules(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock, tmp_path: Path
) -> None:
    engine = make_engine()
    engine.reload_project(project(tmp_path, ()))
    engine.scheduler.set_enabled(True)
    await clock.advance(120)
    assert server.received == []
    engine.reload_project(project(tmp_path, ROUTES))
    await clock.sleepers(1)
    await clock.advance(30)  # 10:03:00, the first minute after the reload
    await _until(lambda: len(server.received) == 1)


async def test_a_bad_schedule_is_reported_once_and_others_still_fire(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock, tmp_path: Path
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    bad = replace(EVERY_MINUTE, route="/api/bad", schedule="61 * * * *")
    engine.reload_project(project(tmp_path, (bad, EVERY_MINUTE)))
    engine.scheduler.set_enabled(True)
    await clock.sleepers(1)
    await clock.advance(30)
    await _until(lambda: len(server.received) == 1)
    notes = [getattr(e, "text", "") for e in rec.events]
    assert sum("scheduler: /api/bad is not scheduled" in n for n in notes) == 1
    assert [r for _, r in engine.scheduler.upcoming()] != []
