"""Function runs through a (stand-in) functions server: the CLI's 202 and markers end the run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from console.engine import Engine, FunctionsState, RunRequest, RunStore
from console.model import Route, RouteKind, RunState
from console.settings import Limits
from tests.devserver.conftest import free_port
from tests.devserver.functions_fixtures import (
    EXPLODE,
    SLOW,
    TICK,
    UPLOAD,
    functions_project,
    functions_settings,
    install_fake_cli,
)

EngineFactory = Callable[..., Engine]


@pytest_asyncio.fixture
async def engines(tmp_path: Path) -> AsyncIterator[EngineFactory]:
    install_fake_cli(tmp_path)
    made: list[tuple[Engine, RunStore]] = []

    def make(limits: Limits | None = None, routes: tuple[Route, ...] | None = None) -> Engine:
        store = RunStore(tmp_path / f"history-{len(made)}.sqlite3")
        project = functions_project(tmp_path, routes) if routes else functions_project(tmp_path)
        settings = functions_settings(f"http://127.0.0.1:{free_port()}", limits=limits)
        engine = Engine(project, settings, store)
        made.append((engine, store))
        return engine

    yield make
    for engine, store in made:
        await engine.close()
        store.close()


async def test_a_background_function_ends_when_the_cli_says_done(engines: EngineFactory) -> None:
    engine = engines()
    await engine.ensure_for(UPLOAD)
    assert engine.functions is not None and engine.functions.state is FunctionsState.READY
    run = await engine.run(UPLOAD, engine.settings.local)
    assert run.state is RunState.SUCCEEDED, run.logs
    assert run.http_status == 202
    assert run.url.startswith(engine.functions.url or "?")
    logs = list(run.logs)
    assert "⬥ Queueing background function upload-background for execution" in logs
    steps = [line for line in logs if line.startswith("upload-background: step")]
    assert steps == [f"upload-background: step {k}/3" for k in (1, 2, 3)]
    # The marker, and the function's own last line printed after it, are both the run's.
    done = logs.index("⬥ Done executing background function upload-background")
    assert "upload-background: done" in logs
    assert logs.index(steps[-1]) < done
    # The console does not play a 202 of its own on top of the CLI's.
    assert not any("as the platform answers" in line for line in logs)
    # And history has the same lines.
    stored = engine.get(run.id)
    assert stored is not None and "upload-background: done" in stored.logs


async def test_a_background_function_that_throws_fails_and_is_retried(
    engines: EngineFactory,
) -> None:
    engine = engines(Limits(api=3, background=30, scheduled=5, retry_delays=(0.1,)))
    await engine.ensure_for(UPLOAD)
    run = await engine.run(UPLOAD, engine.settings.local, RunRequest(query=(("fail", "1"),)))
    assert run.state is RunState.FAILED, run.logs
    assert run.attempts == 2  # as the platform retries a failed background function
    assert run.reason == "the function threw: Error: boom"
    errors = [line for line in run.logs if line.startswith("⬥ Error during background function")]
    assert len(errors) == 2


async def test_a_scheduled_function_gets_the_clis_invocation(engines: EngineFactory) -> None:
    engine = engines()
    await engine.ensure_for(TICK)
    run = await engine.run(TICK, engine.settings.local)
    assert run.state is RunState.SUCCEEDED, run.logs
    assert run.method == "POST"
    # No body of the console's: the CLI computes next_run itself.
    assert "tick: ua=Netlify Clockwork body=-" in run.logs


async def test_a_function_that_throws_keeps_its_stack(engines: EngineFactory) -> None:
    engine = engines()
    await engine.ensure_for(EXPLODE)
    run = await engine.run(EXPLODE, engine.settings.local)
    assert run.state is RunState.FAILED and run.http_status == 500
    logs = list(run.logs)
    assert "explode: about to throw" in logs
    assert "⬥ Function explode has returned an error: boom" in logs
    assert "    at explode (explode.mjs:5:9)" in logs
    assert "Response with status 500 in 1 ms." in logs


async def test_a_function_past_its_deadline_times_out(engines: EngineFactory) -> None:
    engine = engines(Limits(api=0.5, background=30, scheduled=5, retry_delays=()))
    await engine.ensure_for(SLOW)
    run = await engine.run(SLOW, engine.settings.local)
    assert run.state is RunState.TIMED_OUT
    assert run.deadline_s == 0.5


async def test_two_functions_at_once_each_get_their_cli_lines(engines: EngineFactory) -> None:
    engine = engines()
    await engine.ensure_for(UPLOAD)
    upload = engine.submit(UPLOAD, engine.settings.local)
    tick = await engine.run(TICK, engine.settings.local)
    assert tick.state is RunState.SUCCEEDED
    assert engine.get(upload.id) is not None
    done = await engine.run(UPLOAD, engine.settings.local)  # a later one, to wait on
    first = engine.get(upload.id)
    assert first is not None and first.state is RunState.SUCCEEDED
    assert done.state is RunState.SUCCEEDED
    # Lines that name a run go to it and to no other.
    assert not any("tick" in line for line in first.logs if line.startswith("Request from"))
    assert any(line.endswith("POST /.netlify/functions/tick") for line in tick.logs)
    assert "⬥ Done executing background function upload-background" in first.logs


async def test_a_site_of_functions_only_starts_no_dev_server(engines: EngineFactory) -> None:
    engine = engines(routes=(UPLOAD,))
    assert not engine.needs_dev_server
    await engine.ensure_for(UPLOAD)
    assert engine.dev is not None and engine.dev.state.value == "stopped"
    run = await engine.run(UPLOAD, engine.settings.local)
    assert run.state is RunState.SUCCEEDED


async def test_a_function_with_no_functions_server_is_unreachable_in_one_sentence(
    engines: EngineFactory,
) -> None:
    engine = engines()
    run = engine.submit(UPLOAD, engine.settings.local)  # nothing started
    assert run.state is RunState.UNREACHABLE
    assert run.reason is not None and "needs the functions server" in run.reason
    assert RouteKind.BACKGROUND is run.kind


async def test_lines_the_preload_marked_end_the_run_too(
    engines: EngineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real CLI loads the console's preload (NODE_OPTIONS): every line of a console request,
    # the CLI's Done marker included, then starts with the run's mark.
    monkeypatch.setenv("FAKE_NETLIFY_TAGS", "1")
    engine = engines()
    await engine.ensure_for(UPLOAD)
    other = engine.submit(TICK, engine.settings.local)  # in flight too: only marks can tell
    run = await engine.run(UPLOAD, engine.settings.local)
    assert run.state is RunState.SUCCEEDED, run.logs
    assert engine.exact_logs
    assert "⬥ Done executing background function upload-background" in run.logs
    assert "upload-background: step 2/3" in run.logs
    assert not any(line.startswith("\x1e") for line in run.logs)
    ticked = engine.get(other.id)
    assert ticked is not None and not any("upload" in line for line in ticked.logs)


async def test_function_rows_are_served_once_the_functions_server_runs(
    engines: EngineFactory,
) -> None:
    # The screen marks function rows "needs the functions server" from this.
    engine = engines()
    local = engine.settings.local
    assert not engine.serves_functions(local)
    await engine.ensure_for(UPLOAD)
    assert engine.serves_functions(local)
    assert engine.functions is not None
    await engine.functions.stop()
    assert not engine.serves_functions(local)


async def test_with_netlify_dev_one_server_serves_the_functions(tmp_path: Path) -> None:
    # `[dev] command` is `netlify dev` (here the stand-in, which serves functions on $PORT):
    # no functions server of its own; the dev server's lines carry the CLI's markers.
    cli = install_fake_cli(tmp_path)
    url = f"http://127.0.0.1:{free_port()}"
    settings = functions_settings(url, dev_command=f'{cli} dev --port "$PORT"')
    store = RunStore(tmp_path / "history.sqlite3")
    engine = Engine(functions_project(tmp_path), settings, store)
    try:
        assert engine.functions is not None
        assert engine.functions.state is FunctionsState.SHARED
        await engine.ensure_for(UPLOAD)
        assert engine.functions.pid is None  # no second server
        assert engine.dev is not None and engine.dev.state.value == "ready"
        run = await engine.run(UPLOAD, engine.settings.local)
        assert run.state is RunState.SUCCEEDED, run.logs
        assert run.url == f"{url}{UPLOAD.route}"
        assert "⬥ Done executing background function upload-background" in run.logs
        assert "upload-background: done" in run.logs
    finally:
        await engine.close()
        store.close()
