"""The emulation table of DESIGN.md, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.engine import FakeClock, LogLine, RunChanged, RunRequest, RunStore
from console.errors import UsageError
from console.model import Route, RouteKind, RouteSource, RunState, Target, TargetKind
from console.settings import Limits
from tests.engine.conftest import (
    API,
    BACKGROUND,
    FILES,
    SCHEDULED,
    START,
    USER,
    EngineFactory,
    Recorder,
    settings_for,
)
from tests.engine.server import Received, Reply, ScriptedServer


async def test_api_run_sends_get_and_succeeds(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    run = await engine.run(API, engine.settings.local, RunRequest(query=(("q", "a b"),)))
    assert run.state is RunState.SUCCEEDED
    assert run.http_status == 200
    assert run.method == "GET"
    assert server.received[0].method == "GET"
    assert server.received[0].path == "/api/hello?q=a+b"
    assert rec.states(run.id) == ["queued", "running", "succeeded"]
    assert run.logs[0].startswith(f"-> GET {server.url}/api/hello?q=a+b (api, deadline 10 s)")
    assert run.logs[-1].startswith("succeeded in")
    assert engine.store.get(run.id) == run


async def test_api_error_status_is_failed(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    server.reply("/api/hello", Reply(status=404, body=b"nope"))
    engine = make_engine()
    run = await engine.run(API, engine.settings.local)
    assert run.state is RunState.FAILED
    assert run.reason == "HTTP 404"
    assert run.attempts == 1


async def test_a_netlify_function_404_on_local_says_it_needs_netlify_dev(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    # `next dev` answers 404 for /.netlify/functions/*; a bare "HTTP 404" left users guessing.
    function = Route(
        "/.netlify/functions/nightly",
        RouteKind.SCHEDULED,
        "@daily",
        "netlify/functions/nightly.mjs",
        1,
        "nightly",
        RouteSource.FUNCTION,
    )
    server.reply("/.netlify/functions/nightly", Reply(status=404, body=b"not found"))
    engine = make_engine()
    run = await engine.run(function, engine.settings.local)
    assert run.state is RunState.FAILED
    assert run.reason is not None
    assert run.reason.startswith("HTTP 404: Netlify functions are served by `netlify dev`")
    # A Next API route's 404 stays a plain one.
    server.reply("/api/hello", Reply(status=404, body=b"nope"))
    assert (await engine.run(API, engine.settings.local)).reason == "HTTP 404"


async def test_background_is_accepted_at_once_then_running_then_succeeded(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    rec = Recorder(engine.bus)
    run = await engine.run(BACKGROUND, engine.settings.local, RunRequest(body=b'{"n": 1}'))
    assert run.state is RunState.SUCCEEDED
    assert rec.states(run.id) == ["queued", "accepted", "running", "succeeded"]
    got = server.received[0]
    assert got.method == "POST"
    assert got.body == b'{"n": 1}'
    assert got.headers["content-type"] == "application/json"


async def test_scheduled_sends_the_clockwork_request(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    run = await engine.run(SCHEDULED, engine.settings.local)
    assert run.state is RunState.SUCCEEDED
    got = server.received[0]
    assert got.method == "POST"
    assert got.headers["user-agent"] == "Netlify Clockwork"
    assert got.headers["x-nf-event"] == "schedule"
    # @hourly after 10:00:30 -> the following fire is 11:00.
    assert json.loads(got.body) == {"next_run": "2025-03-01T11:00:00Z"}


async def test_scheduled_with_a_bad_schedule_sends_the_next_minute_and_says_so(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    from dataclasses import replace

    engine = make_engine()
    broken = replace(SCHEDULED, schedule="61 * * * *")
    run = await engine.run(broken, engine.settings.local)
    assert json.loads(server.received[0].body) == {"next_run": "2025-03-01T10:01:00Z"}
    assert any("cannot compute the next fire of '61 * * * *'" in line for line in run.logs)


async def test_deadline_aborts_the_request_and_times_out(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    engine = make_engine()
    run = engine.submit(API, engine.settings.local)
    await clock.sleepers(1)  # the deadline timer is armed
    await clock.advance(9.9)
    assert engine.get(run.id).state is RunState.RUNNING  # type: ignore[union-attr]
    await clock.advance(0.1)
    await _settled(engine, run.id)
    final = engine.store.get(run.id)
    assert final is not None
    assert final.state is RunState.TIMED_OUT
    assert final.reason == "no answer within 10 s; the request was aborted"
    release.set()


async def test_background_failures_are_retried_after_60_then_120_seconds(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    statuses = iter([500, 503, 200])
    server.reply("/api/sync-background", lambda _r: Reply(status=next(statuses)))
    engine = make_engine()
    rec = Recorder(engine.bus)
    run = engine.submit(BACKGROUND, engine.settings.local)
    await _retry_pending(engine, run.id, 1)
    progress = engine.progress(run.id)
    assert progress is not None and progress.next_attempt_at is not None
    assert (progress.next_attempt_at - START).total_seconds() == 60
    await clock.advance(59)
    assert len(server.received) == 1
    await clock.advance(1)
    await _retry_pending(engine, run.id, 2)
    await clock.advance(119)
    assert len(server.received) == 2
    await clock.advance(1)
    await _settled(engine, run.id)
    final = engine.store.get(run.id)
    assert final is not None and final.state is RunState.SUCCEEDED
    assert final.attempts == 3
    assert [a.http_status for a in engine.store.attempts(run.id)] == [500, 503, 200]
    assert rec.states(run.id) == [
        "queued", "accepted", "running", "accepted", "running", "accepted", "running", "succeeded"
    ]  # fmt: skip


async def test_background_gives_up_after_the_last_retry(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    server.reply("/api/sync-background", Reply(status=500))
    engine = make_engine()
    run = engine.submit(BACKGROUND, engine.settings.local)
    for n in (1, 2):
        await _retry_pending(engine, run.id, n)
        await clock.advance(60 * n)
    await _settled(engine, run.id)
    final = engine.store.get(run.id)
    assert final is not None and final.state is RunState.FAILED
    assert final.attempts == 3 and final.http_status == 500


async def test_no_retries_means_one_attempt(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    server.reply("/api/sync-background", Reply(status=500))
    engine = make_engine()
    run = await engine.run(BACKGROUND, engine.settings.local, RunRequest(retries=False))
    assert run.state is RunState.FAILED
    assert len(server.received) == 1


async def test_background_4xx_is_not_retried(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    server.reply("/api/sync-background", Reply(status=400))
    engine = make_engine()
    run = await engine.run(BACKGROUND, engine.settings.local)
    assert run.state is RunState.FAILED and run.attempts == 1


async def test_a_background_deadline_is_retried(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock, tmp_path: Path
) -> None:
    release = threading.Event()
    calls = iter([Reply(hang=release), Reply(status=200)])
    server.reply("/api/sync-background", lambda _r: next(calls))
    engine = make_engine(settings_for(server.url, tmp_path, limits=Limits(background=5)))
    run = engine.submit(BACKGROUND, engine.settings.local)
    await _until(lambda: len(server.received) == 1)
    await clock.sleepers(1)
    await clock.advance(5)  # deadline of attempt 1
    await _retry_pending(engine, run.id, 1)
    await clock.advance(60)  # the retry delay
    await _settled(engine, run.id)
    final = engine.store.get(run.id)
    assert final is not None and final.state is RunState.SUCCEEDED and final.attempts == 2
    first = engine.store.attempts(run.id)[0]
    assert first.http_status is None and "no answer within 5 s" in (first.error or "")
    release.set()


async def test_deployed_background_expects_202_and_stops_at_accepted(
    make_engine: EngineFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    server.reply("/api/sync-background", Reply(status=202, body=b""))
    preview = Target("preview", TargetKind.PREVIEW, server.url)
    engine = make_engine(settings_for(server.url, tmp_path, preview))
    rec = Recorder(engine.bus)
    run = await engine.run(BACKGROUND, preview)
    assert run.state is RunState.ACCEPTED
    assert run.http_status == 202
    assert rec.states(run.id) == ["queued", "accepted"]
    assert [r.id for r in engine.active_runs()] == [run.id]  # counted down until its deadline


async def test_deployed_background_without_202_failed(
    make_engine: EngineFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    server.reply("/api/sync-background", Reply(status=200))
    preview = Target("preview", TargetKind.PREVIEW, server.url)
    engine = make_engine(settings_for(server.url, tmp_path, preview))
    run = await engine.run(BACKGROUND, preview)
    assert run.state is RunState.FAILED
    assert run.reason == "a deployed background route answers 202, this one answered 200"


async def test_deployed_scheduled_is_refused_unless_forced(
    make_engine: EngineFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    server.reply("/api/cleanup", Reply(status=404))
    preview = Target("preview", TargetKind.PREVIEW, server.url)
    engine = make_engine(settings_for(server.url, tmp_path, preview))
    refused = await engine.run(SCHEDULED, preview)
    assert refused.state is RunState.REFUSED
    assert "only the platform's scheduler runs it" in (refused.reason or "")
    assert server.received == []
    assert engine.store.get(refused.id) == refused
    forced = await engine.run(SCHEDULED, preview, RunRequest(force=True))
    assert forced.state is RunState.SUCCEEDED
    assert forced.http_status == 404
    assert "as expected" in (forced.reason or "")


async def test_production_needs_confirmation(
    make_engine: EngineFactory, server: ScriptedServer, tmp_path: Path
) -> None:
    prod = Target("production", TargetKind.PRODUCTION, server.url)
    engine = make_engine(settings_for(server.url, tmp_path, prod))
    refused = await engine.run(API, prod)
    assert refused.state is RunState.REFUSED
    assert "needs confirmation" in (refused.reason or "")
    assert server.received == []
    sent = await engine.run(API, prod, RunRequest(confirmed=True))
    assert sent.state is RunState.SUCCEEDED
    assert len(server.received) == 1


async def test_the_run_is_in_history_before_the_request_arrives(
    make_engine: EngineFactory, server: ScriptedServer, store: RunStore
) -> None:
    seen: list[tuple[str, str]] = []

    def look(_got: Received) -> None:
        # Another connection, from the server's thread: what a crash right now would leave.
        db = sqlite3.connect(str(store.path))
        seen.extend(db.execute("SELECT route, state FROM runs").fetchall())
        db.close()

    server.on_request.append(look)
    engine = make_engine()
    await engine.run(BACKGROUND, engine.settings.local)
    assert seen == [("/api/sync-background", "running")]


async def test_header_secrets_are_sent_but_never_recorded(
    make_engine: EngineFactory,
    server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PREVIEW_AUTH", "s3cr3t-value")
    preview = Target(
        "preview", TargetKind.PREVIEW, server.url, (("Authorization", "Basic ${PREVIEW_AUTH}"),)
    )
    engine = make_engine(settings_for(server.url, tmp_path, preview))
    rec = Recorder(engine.bus)
    run = await engine.run(API, preview)
    assert server.received[0].headers["authorization"] == "Basic s3cr3t-value"
    assert "s3cr3t" not in json.dumps(run.to_json())
    assert all("s3cr3t" not in repr(e) for e in rec.events)
    raw = Path(engine.store.path).read_bytes() + Path(f"{engine.store.path}-wal").read_bytes()
    assert b"s3cr3t" not in raw


async def test_a_missing_variable_is_a_clear_error_and_nothing_is_sent(
    make_engine: EngineFactory,
    server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREVIEW_AUTH", raising=False)
    preview = Target("preview", TargetKind.PREVIEW, server.url, (("X-Key", "${PREVIEW_AUTH}"),))
    engine = make_engine(settings_for(server.url, tmp_path, preview))
    with pytest.raises(UsageError, match="needs the environment variable PREVIEW_AUTH"):
        engine.submit(API, preview)
    assert server.received == []
    assert engine.store.recent(5) == []


async def test_dynamic_params_are_encoded_and_catch_all_keeps_slashes(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    await engine.run(USER, engine.settings.local, RunRequest(params={"id": "a b?"}))
    await engine.run(FILES, engine.settings.local, RunRequest(params={"path": "docs/q 1.txt"}))
    assert server.paths() == ["/api/users/a%20b%3F", "/api/files/docs/q%201.txt"]
    with pytest.raises(UsageError, match=r"needs a value for id: add --param id=VALUE"):
        engine.submit(USER, engine.settings.local)


async def test_cancel_marks_the_run_cancelled(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    engine = make_engine()
    run = engine.submit(API, engine.settings.local)
    await _until(lambda: len(server.received) == 1)
    assert engine.cancel(run.id)
    await _settled(engine, run.id)
    final = engine.store.get(run.id)
    assert final is not None and final.state is RunState.CANCELLED
    assert not engine.cancel(run.id)
    release.set()


async def test_close_cancels_active_runs(
    make_engine: EngineFactory, server: ScriptedServer, store: RunStore
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    engine = make_engine()
    run = engine.submit(API, engine.settings.local)
    await _until(lambda: len(server.received) == 1)
    await engine.close()
    assert store.get(run.id).state is RunState.CANCELLED  # type: ignore[union-attr]
    release.set()


async def test_rerun_sends_the_same_request_again(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    first = await engine.run(
        USER, engine.settings.local, RunRequest(method="PUT", params={"id": "7"}, body=b"[1]")
    )
    again = engine.rerun(first.id)
    await _settled(engine, again.id)
    assert again.id != first.id
    assert [(r.method, r.path, r.body) for r in server.received] == [
        ("PUT", "/api/users/7", b"[1]")
    ] * 2


async def test_hundreds_of_runs_at_once(make_engine: EngineFactory, server: ScriptedServer) -> None:
    engine = make_engine()
    runs = await asyncio.gather(*(engine.run(API, engine.settings.local) for _ in range(200)))
    assert {r.state for r in runs} == {RunState.SUCCEEDED}
    assert len({r.id for r in runs}) == 200
    assert len(server.received) == 200
    assert len(engine.store.recent(500)) == 200


async def test_dev_lines_are_sanitized_and_attributed_to_the_running_run(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    engine = make_engine()
    rec = Recorder(engine.bus)
    run = engine.submit(API, engine.settings.local)
    await _until(lambda: len(server.received) == 1)
    engine.on_dev_line("\x1b[32mhello: start\x1b[0m \x1b]0;pwned\x07")
    lines = [e for e in rec.events if isinstance(e, LogLine) and e.source == "dev"]
    assert lines == [LogLine("hello: start ", START, "dev", run.id)]
    assert "hello: start " in engine.store.get(run.id).logs  # type: ignore[union-attr]
    release.set()
    await _settled(engine, run.id)
    await clock.advance(5)  # past the attributor's short linger for late lines
    engine.on_dev_line("after")
    assert (
        next(e for e in rec.events if isinstance(e, LogLine) and e.text == "after").run_id is None
    )


async def test_a_batch_of_dev_lines_is_handled_line_by_line_in_order(
    make_engine: EngineFactory, server: ScriptedServer, clock: FakeClock
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    engine = make_engine()
    rec = Recorder(engine.bus)
    run = engine.submit(API, engine.settings.local)
    await _until(lambda: len(server.received) == 1)
    batch = ["one", "\x1b[31mtwo\x1b[0m", "", "three"]
    engine.on_dev_lines(batch)
    engine.on_dev_lines([])  # nothing to do, and no event
    lines = [e for e in rec.events if isinstance(e, LogLine) and e.source == "dev"]
    assert lines == [LogLine(t, START, "dev", run.id) for t in ["one", "two", "", "three"]]
    stored = engine.store.get(run.id).logs  # type: ignore[union-attr]
    assert [line for line in stored if line in {"one", "two", "", "three"}] == [
        "one",
        "two",
        "",
        "three",
    ]
    release.set()
    await _settled(engine, run.id)


async def test_run_ids_sort_by_creation(make_engine: EngineFactory, clock: FakeClock) -> None:
    engine = make_engine()
    ids = []
    for _ in range(5):
        ids.append((await engine.run(API, engine.settings.local)).id)
        await clock.advance(0.002)
    assert ids == sorted(ids)
    assert [r.id for r in engine.recent_runs(5)] == ids[::-1]


async def test_recent_runs_include_changes_from_the_events(
    make_engine: EngineFactory,
) -> None:
    engine = make_engine()
    seen: list[RunChanged] = []
    engine.bus.subscribe(lambda e: seen.append(e) if isinstance(e, RunChanged) else None)
    run = await engine.run(API, engine.settings.local)
    assert seen[-1].run == run
    assert datetime(2025, 1, 1, tzinfo=UTC) < run.created_at


async def _until(condition: object, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def _settled(engine: object, run_id: str) -> None:
    from console.engine import Engine

    assert isinstance(engine, Engine)
    await _until(lambda: engine.get(run_id) is not None and engine.get(run_id).state.final)  # type: ignore[union-attr]


async def _retry_pending(engine: object, run_id: str, attempt: int) -> None:
    """Wait until attempt `attempt` failed and the engine sleeps until the next one."""
    from console.engine import Engine

    assert isinstance(engine, Engine)

    def waiting() -> bool:
        p = engine.progress(run_id)
        return p is not None and p.attempt == attempt and p.next_attempt_at is not None

    await _until(waiting)


async def test_a_background_body_over_256_kb_is_refused_before_anything_is_recorded(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    engine = make_engine()
    big = b"[" + b"1," * (128 * 1024) + b"1]"
    with pytest.raises(
        UsageError,
        match=r"the body is 262,147 bytes; the platform takes at most 262,144 \(256 KB\)",
    ):
        engine.submit(BACKGROUND, engine.settings.local, RunRequest(body=big))
    assert engine.store.recent(1) == []
    ok = await engine.run(
        BACKGROUND, engine.settings.local, RunRequest(body=b"[" + b"1," * 1000 + b"1]")
    )
    assert ok.state is RunState.SUCCEEDED
    assert server.received[0].body.startswith(b"[1,1,")
