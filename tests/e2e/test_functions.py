"""End to end with the real Netlify CLI (`netlify functions:serve`, netlify-cli 27.10.2 from the
example's devDependencies) on the example's Netlify functions: each kind, the CLI's markers,
deadlines, the scheduler, a killed console, and the screen.

The session starts the functions server once, for an engine over the example's functions alone
(a site of functions only: no `next dev` is started for it).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from console.engine import Engine, FunctionsState, RunChanged, RunRequest, RunStore
from console.model import Project, Route, RouteSource, Run, RunState
from console.project import discover
from console.settings import Limits
from tests.devserver.procs import MARK_VAR, describe, marked, wait_gone
from tests.e2e.conftest import ACME, acme_settings, free_port, require_node_modules

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
session_loop = pytest.mark.asyncio(loop_scope="session")

REPO = Path(__file__).resolve().parents[2]
BG = "/.netlify/functions/process-upload-background"
CHUNKS = [f"process-upload-background: chunk {k}/3 scanned" for k in (1, 2, 3)]
NEXT_RUN = r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def functions_only(project: Project) -> Project:
    """The example as a site of Netlify functions only (no Next.js routes, no dev script)."""
    routes = tuple(r for r in project.routes if r.source is RouteSource.FUNCTION)
    return replace(project, routes=routes, dev_script=None)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def functions_engine(
    e2e_mark: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Engine]:
    require_node_modules()
    project = functions_only(discover(ACME))
    settings = acme_settings(f"http://127.0.0.1:{free_port()}")
    settings = replace(settings, limits=Limits(api=3, background=60, scheduled=30, retry_delays=()))
    store = RunStore(tmp_path_factory.mktemp("e2e-functions") / "history.sqlite3")
    engine = Engine(project, settings, store)
    await engine.start()
    try:
        assert not engine.needs_dev_server
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(MARK_VAR, e2e_mark)  # inherited by the guard, the CLI, node
            await engine.ensure_for(engine.route_for(BG))
        yield engine
    finally:
        await engine.close()
        store.close()


async def trigger(engine: Engine, path: str, request: RunRequest | None = None) -> Run:
    route, params = engine.resolve(path)
    run = await engine.run(route, engine.settings.local, request or RunRequest(params=params))
    stored = engine.store.get(run.id)
    assert stored is not None
    assert [line for line in run.logs if line in stored.logs] == list(run.logs)
    return run


@session_loop
async def test_the_functions_server_alone_serves_a_site_of_functions(
    functions_engine: Engine,
) -> None:
    f = functions_engine.functions
    assert f is not None and f.state is FunctionsState.READY and f.started_by_us
    assert functions_engine.dev is not None
    assert functions_engine.dev.state.value == "stopped"  # no next dev for it


@session_loop
async def test_a_background_function_succeeds_when_the_cli_says_done(
    functions_engine: Engine,
) -> None:
    run = await trigger(functions_engine, BG)
    assert run.state is RunState.SUCCEEDED, run.logs
    assert run.http_status == 202
    logs = list(run.logs)
    for line in CHUNKS:
        assert line in logs, logs
    assert "process-upload-background: done" in logs
    done = logs.index("⬥ Done executing background function process-upload-background")
    assert logs.index("<- 202 Accepted") < logs.index(CHUNKS[0]) < done
    assert logs[-1].startswith("succeeded in")
    # The CLI's own lines are the run's too, and the console played no 202 of its own.
    assert "⬥ Queueing background function process-upload-background for execution" in logs
    assert any(line.startswith("Response with status 202 in") for line in logs)
    assert not any("as the platform answers" in line for line in logs)


@session_loop
async def test_a_background_function_that_throws_fails_with_the_clis_error(
    functions_engine: Engine,
) -> None:
    run = await trigger(functions_engine, BG, RunRequest(query=(("fail", "1"),)))
    assert run.state is RunState.FAILED, run.logs
    assert run.reason == (
        "the function threw: Error: process-upload-background: the upload is corrupt"
    )
    assert CHUNKS[0] in run.logs and CHUNKS[1] not in run.logs


@session_loop
@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/.netlify/functions/nightly-digest", rf"nightly-digest: method=POST next_run={NEXT_RUN}"),
        ("/.netlify/functions/weekly-backup", rf"weekly-backup: next_run={NEXT_RUN}"),
        ("/.netlify/functions/purge-sessions", rf"purge-sessions: method=POST next_run={NEXT_RUN}"),
    ],
    ids=["v2-config-schedule", "v1-schedule-helper", "netlify-toml-schedule"],
)
async def test_a_scheduled_function_gets_the_clis_invocation(
    functions_engine: Engine, path: str, pattern: str
) -> None:
    run = await trigger(functions_engine, path)
    assert run.state is RunState.SUCCEEDED, run.logs
    assert run.method == "POST" and run.http_status == 200
    assert any(re.fullmatch(pattern, line) for line in run.logs), run.logs
    name = path.rsplit("/", 1)[1]
    assert f"{name}: done" in run.logs
    line = next(line for line in run.logs if "next_run=" in line)
    next_run = datetime.fromisoformat(line.rsplit("=", 1)[1].replace("Z", "+00:00"))
    assert run.started_at is not None and next_run > run.started_at


@session_loop
async def test_a_function_that_throws_fails_with_its_stack(functions_engine: Engine) -> None:
    run = await trigger(functions_engine, "/.netlify/functions/explode")
    assert run.state is RunState.FAILED and run.http_status == 500, run.logs
    assert "explode: about to throw" in run.logs
    assert any(
        line.startswith("⬥ Function explode has returned an error: explode: this function")
        for line in run.logs
    ), run.logs
    assert any(line.strip().startswith("at ") for line in run.logs), run.logs


@session_loop
async def test_a_function_past_its_deadline_times_out(functions_engine: Engine) -> None:
    route = functions_engine.route_for("/.netlify/functions/slow-export")
    request = RunRequest(query=(("seconds", "6"),))
    run = await functions_engine.run(route, functions_engine.settings.local, request)
    assert run.state is RunState.TIMED_OUT, run.logs
    assert run.deadline_s == 3
    assert "slow-export: 1/6 s" in run.logs


@session_loop
async def test_the_local_scheduler_fires_the_functions_schedules(
    functions_engine: Engine,
) -> None:
    engine = functions_engine
    scheduled = {r.route for r in engine.project.routes if r.schedule}
    assert len(scheduled) == 3
    ended: dict[str, Run] = {}
    all_ended = asyncio.Event()

    def watch(event: Any) -> None:
        if isinstance(event, RunChanged) and event.run.state.final:
            ended[event.run.route] = event.run
            if scheduled <= set(ended):
                all_ended.set()

    first = engine.clock.now() + timedelta(seconds=1)
    saved = engine.next_fire
    # Every schedule fires one second from now (once): the cron itself is tested elsewhere.
    engine.next_fire = lambda schedule, after: first if after < first else None
    unsubscribe = engine.bus.subscribe(watch)
    try:
        engine.scheduler.set_enabled(True)
        await asyncio.wait_for(all_ended.wait(), 120)
    finally:
        engine.scheduler.set_enabled(False)
        unsubscribe()
        engine.next_fire = saved
    for route in scheduled:
        run = ended[route]
        assert run.state is RunState.SUCCEEDED, run.logs
        name = route.rsplit("/", 1)[1]
        # Three functions at once: each run has its own function's lines, no other's.
        assert f"{name}: done" in run.logs, run.logs
        others = {r.rsplit("/", 1)[1] for r in scheduled} - {name}
        assert not any(line.startswith(tuple(f"{o}:" for o in others)) for line in run.logs)


def console(*args: str, mark: str) -> subprocess.Popen[str]:
    env = {**os.environ, MARK_VAR: mark}
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_trigger_a_background_function_records_succeeded_with_its_lines(
    e2e_mark: str, tmp_path: Path
) -> None:
    require_node_modules()
    mark = f"{e2e_mark}.{uuid.uuid4().hex[:8]}"
    proc = console("trigger", str(ACME), BG, "--json", mark=mark)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    run = json.loads(out)
    assert run["state"] == "succeeded" and run["http_status"] == 202, run
    for line in CHUNKS:
        assert line in run["logs"], run["logs"]
    assert "functions server ready" in err
    left = wait_gone(mark, timeout=15)
    assert left == [], describe(left)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=lambda s: s.name)
def test_a_killed_console_leaves_no_cli_or_node_behind(e2e_mark: str, sig: signal.Signals) -> None:
    require_node_modules()
    mark = f"{e2e_mark}.{uuid.uuid4().hex[:8]}"
    proc = console(
        "trigger", str(ACME), "/.netlify/functions/slow-export", "--query", "seconds=60", mark=mark
    )
    assert proc.stderr is not None and proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 240
    for line in proc.stderr:  # until the function runs inside the CLI
        seen.append(line)
        if "slow-export: 1/60 s" in line or time.monotonic() > deadline:
            break
    assert any("slow-export: 1/60 s" in line for line in seen), "".join(seen)
    names = describe(marked(mark))
    assert "netlify" in names and "process_guard" in names, names
    proc.send_signal(sig)
    proc.wait(timeout=10)
    proc.stderr.close()
    proc.stdout.close()
    left = wait_gone(mark, timeout=20)
    assert left == [], describe(left)


def test_without_the_cli_trigger_says_one_sentence(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "netlify" / "functions").mkdir(parents=True)
    (root / "netlify" / "functions" / "hello.mjs").write_text(
        "export default async () => new Response('hi')\n"
    )
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    env.pop(MARK_VAR, None)
    done = subprocess.run(
        [sys.executable, "-m", "console", "trigger", str(root), "/.netlify/functions/hello"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"console: the Netlify CLI is not installed in {root}: run `npm i -D netlify-cli` "
        "there to run its Netlify functions locally"
    ], done.stderr


@session_loop
async def test_the_screen_runs_a_background_function_to_succeeded(
    e2e_mark: str, tmp_path: Path
) -> None:
    from console.ui.app import create_app

    require_node_modules()
    project = functions_only(discover(ACME))
    settings = acme_settings(f"http://127.0.0.1:{free_port()}")
    store = RunStore(tmp_path / "history.sqlite3")
    engine = Engine(project, settings, store)
    app = create_app(engine, start_dev=True)
    route: Route = engine.route_for(BG)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(MARK_VAR, e2e_mark)
        try:
            async with app.run_test(size=(140, 44)) as pilot:
                loop = asyncio.get_running_loop()
                end = loop.time() + 240
                # `console open` starts the functions server beside (here: instead of) next dev.
                while app.main.functions_state is not FunctionsState.READY:
                    assert loop.time() < end, app.main.functions_state
                    await pilot.pause(0.2)
                panel = app.main.routes_panel
                rows = [r.route.route for r in panel.shown]
                panel.table.cursor = rows.index(route.route)
                await pilot.pause()
                await pilot.press("t")
                await pilot.pause()
                while not any(r.state.final for r in engine.recent_runs(5)):
                    assert loop.time() < end
                    await pilot.pause(0.2)
                newest = engine.recent_runs(1)[0]
                assert newest.route == BG
                run = engine.get(newest.id)
                assert run is not None
                assert run.state is RunState.SUCCEEDED, run.logs
                for line in CHUNKS:
                    assert line in run.logs
                await app.close_engine()
        finally:
            store.close()
