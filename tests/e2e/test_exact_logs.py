"""End to end on a real `next dev` of examples/acme: each run's log holds exactly its handler's
lines while other runs, of the same route and of others, run beside it (the Node preload)."""

from __future__ import annotations

import asyncio

import pytest

from console.engine import RunRequest
from console.model import Run, RunState
from tests.e2e.conftest import Acme

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(300)]

HANDLER_PREFIXES = ("send-emails-background:", "cleanup:", "hello:")


def handler_lines(run: Run) -> list[str]:
    return [line for line in run.logs if line.startswith(HANDLER_PREFIXES)]


def batch_lines(batch: str) -> list[str]:
    label = f" batch={batch}"
    return [
        f"send-emails-background: start{label}",
        *(f"send-emails-background: step {i}/3{label}" for i in (1, 2, 3)),
        f"send-emails-background: done{label}",
    ]


async def final(acme: Acme, run_ids: list[str], timeout: float = 120) -> list[Run]:
    engine = acme.engine
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        runs = [engine.get(i) for i in run_ids]
        if all(r is not None and r.state.final for r in runs):
            return [r for r in runs if r is not None]
        assert loop.time() < end, runs
        await asyncio.sleep(0.05)


async def test_three_overlapping_background_runs_a_scheduled_and_an_api_run_each_get_their_lines(
    acme: Acme,
) -> None:
    engine = acme.engine
    local = engine.settings.local
    background = engine.route_for("/api/send-emails-background")
    ids = [
        engine.submit(background, local, RunRequest(query=(("batch", b),))).id
        for b in ("A", "B", "C")
    ]
    ids.append(engine.submit(engine.route_for("/api/cleanup"), local).id)
    ids.append(engine.submit(engine.route_for("/api/hello"), local).id)
    a, b, c, cleanup, hello = await final(acme, ids)
    assert [r.state for r in (a, b, c, cleanup, hello)] == [RunState.SUCCEEDED] * 5
    for run, batch in ((a, "A"), (b, "B"), (c, "C")):
        assert handler_lines(run) == batch_lines(batch), run.logs
    [method, done] = handler_lines(cleanup)
    assert method.startswith("cleanup: method=POST next_run=20") and done.startswith(
        "cleanup: done"
    )
    assert handler_lines(hello) == ["hello: start method=GET", "hello: done"]
    assert engine.exact_logs


async def test_cancel_and_rerun_the_old_handlers_late_lines_stay_in_the_cancelled_run(
    acme: Acme,
) -> None:
    engine = acme.engine
    background = engine.route_for("/api/send-emails-background")
    first = engine.submit(background, engine.settings.local, RunRequest(query=(("batch", "X"),)))
    loop = asyncio.get_running_loop()
    end = loop.time() + 60
    while "send-emails-background: step 1/3 batch=X" not in (engine.get(first.id) or first).logs:
        assert loop.time() < end
        await asyncio.sleep(0.02)
    assert engine.cancel(first.id)
    second = engine.rerun(first.id)
    old, new = await final(acme, [first.id, second.id])
    assert (old.state, new.state) == (RunState.CANCELLED, RunState.SUCCEEDED)
    await asyncio.sleep(1.5)  # the first handler goes on in next dev (it is not stopped)
    old = engine.store.get(first.id) or old
    new = engine.store.get(second.id) or new
    assert handler_lines(new) == batch_lines("X")
    assert handler_lines(old) == batch_lines("X")
    assert "may still be running in the dev server" in (old.reason or "")
