"""End to end on a real `next dev` of examples/acme: runs, their logs, deadlines, failures."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

import httpx
import pytest

from console.engine import DevState, Event, LogLine, RunRequest
from console.model import Run, RunState
from tests.e2e.conftest import Acme

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(300)]


async def trigger(acme: Acme, path: str, request: RunRequest | None = None) -> Run:
    engine = acme.engine
    route, _ = engine.resolve(path)
    request = request or RunRequest()
    run = await engine.run(route, engine.settings.local, request)
    stored = engine.store.get(run.id)
    assert stored is not None
    # The history holds the same lines as the run the engine returned (and `trigger --json`).
    assert [line for line in run.logs if line in stored.logs] == list(run.logs)
    return run


async def test_a_background_run_gets_its_three_steps(acme: Acme) -> None:
    run = await trigger(acme, "/api/send-emails-background")
    assert run.state is RunState.SUCCEEDED, run.logs
    for step in ("step 1/3", "step 2/3", "step 3/3"):
        assert f"send-emails-background: {step}" in run.logs, run.logs
    stored = acme.engine.store.get(run.id)
    assert stored is not None
    assert "send-emails-background: step 3/3" in stored.logs
    assert "send-emails-background: step 2/3" in run.to_json()["logs"]


async def test_a_scheduled_run_gets_post_and_a_future_minute_aligned_next_run(acme: Acme) -> None:
    run = await trigger(acme, "/api/cleanup")
    assert run.state is RunState.SUCCEEDED, run.logs
    line = next(line for line in run.logs if line.startswith("cleanup: method="))
    m = re.fullmatch(r"cleanup: method=(\w+) next_run=(\S+)", line)
    assert m is not None, line
    assert m.group(1) == "POST"
    next_run = datetime.fromisoformat(m.group(2).replace("Z", "+00:00"))
    assert run.started_at is not None and next_run > run.started_at
    assert (next_run.second, next_run.microsecond) == (0, 0)
    # The handler logs its last line after it answered; it still belongs to the run.
    assert "cleanup: done removed=7 expired sessions" in run.logs


async def test_a_route_slower_than_the_limit_times_out_and_the_server_keeps_serving(
    acme: Acme,
) -> None:
    done = asyncio.Event()

    def watch(event: Event) -> None:
        if isinstance(event, LogLine) and event.text == "slow: done":
            done.set()

    unsubscribe = acme.engine.bus.subscribe(watch)
    try:
        run = await trigger(acme, "/api/slow", RunRequest(query=(("seconds", "5"),)))
        assert run.state is RunState.TIMED_OUT, run.logs
        assert "slow: start seconds=5" in run.logs
        # The handler goes on after the console gave up, as it does on a real server.
        await asyncio.wait_for(done.wait(), 30)
    finally:
        unsubscribe()
    assert acme.engine.dev is not None and acme.engine.dev.state is DevState.READY
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        assert (await client.get(acme.url + "/api/hello")).status_code == 200
    again = await trigger(acme, "/api/slow", RunRequest(query=(("seconds", "1"),)))
    assert again.state is RunState.SUCCEEDED, again.logs


async def test_a_route_that_throws_fails_with_its_stack_in_its_logs(acme: Acme) -> None:
    run = await trigger(acme, "/api/explode")
    assert run.state is RunState.FAILED, run.logs
    assert run.http_status == 500
    logs = run.logs
    assert "explode: start" in logs
    assert any(line.startswith("- error pages/api/explode.js") for line in logs), logs
    assert any("Error: explode: the database is on fire" in line for line in logs), logs
    assert any(line.strip().startswith("at handler (") for line in logs), logs


async def test_lines_of_the_dev_server_reach_the_global_log_too(acme: Acme) -> None:
    seen: list[LogLine] = []
    unsubscribe = acme.engine.bus.subscribe(
        lambda e: seen.append(e) if isinstance(e, LogLine) and e.source == "dev" else None
    )
    try:
        run = await trigger(acme, "/api/send-emails-background")
    finally:
        unsubscribe()
    mine = [e.text for e in seen if e.run_id == run.id]
    assert "send-emails-background: step 1/3" in mine
    assert all("\x1b" not in e.text for e in seen)
