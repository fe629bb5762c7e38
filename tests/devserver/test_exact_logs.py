"""Each run's log holds exactly its own handler's lines, through a real dev server the console
started (so it runs with the preload), whatever else runs beside it; and runs that another
console process sends to that server get their lines recorded too."""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import console
from console.engine import Engine, LogLine, RunChanged, RunStore, history_path
from console.engine.events import Event
from console.engine.request import RunRequest
from console.model import Run, RunState
from console.project import discover
from console.settings import load_settings
from tests.devserver.test_run_tags import SITE, needs_node

pytestmark = needs_node

NAMES = ("A", "B", "C", "S", "H")


def make_site(root: Path, port: int) -> Path:
    (root / "pages" / "api").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "tagged", "dependencies": {"next": "13.4.19"}}')
    for name in ("hello", "cleanup", "sync-background"):
        (root / "pages" / "api" / f"{name}.js").write_text(
            "export default function handler(req, res) { res.end() }\n"
        )
    (root / "pages" / "api" / "sync-background.js").write_text(
        "export const config = { type: 'experimental-background' }\n"
        "export default function handler(req, res) { res.end() }\n"
    )
    (root / "pages" / "api" / "cleanup.js").write_text(
        "export const config = { type: 'experimental-scheduled', schedule: '@hourly' }\n"
        "export default function handler(req, res) { res.end() }\n"
    )
    (root / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "http://127.0.0.1:{port}"\n\n'
        f'[dev]\ncommand = "node {shlex.quote(str(SITE))}"\n'
    )
    return root


async def wait_final(engine: Engine, run_ids: list[str], timeout: float = 60) -> list[Run]:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        runs = [engine.get(i) for i in run_ids]
        if all(r is not None and r.state.final for r in runs) and not engine.active_runs():
            return [r for r in runs if r is not None]
        assert loop.time() < end, f"runs did not end: {runs}"
        await asyncio.sleep(0.05)


def handler_lines(run: Run) -> list[str]:
    """The run's lines that a handler printed (`X: ...`), not the console's own."""
    return [line for line in run.logs if line[:3] in {f"{n}: " for n in NAMES}]


def expected(who: str) -> list[str]:
    return [f"{who}: start", *(f"{who}: step {i}/3" for i in (1, 2, 3)), f"{who}: on stderr"]


@pytest.fixture
async def engine(tmp_path: Path, port: int):  # type: ignore[no-untyped-def]
    root = make_site(tmp_path / "site", port)
    store = RunStore(history_path(root))
    eng = Engine(discover(root), load_settings(root), store)
    await eng.start()
    assert eng.dev is not None
    await eng.dev.ensure()
    yield eng
    await eng.close()
    store.close()


async def test_overlapping_runs_of_one_route_and_others_each_get_exactly_their_lines(
    engine: Engine,
) -> None:
    bg = engine.route_for("/api/sync-background")
    ids = [
        engine.submit(bg, engine.settings.local, RunRequest(query=(("who", w), ("wait", "600")))).id
        for w in ("A", "B", "C")
    ]
    ids.append(
        engine.submit(
            engine.route_for("/api/cleanup"), engine.settings.local,
            RunRequest(query=(("who", "S"), ("wait", "300"))),
        ).id
    )  # fmt: skip
    ids.append(
        engine.submit(
            engine.route_for("/api/hello"), engine.settings.local,
            RunRequest(query=(("who", "H"), ("wait", "450"))),
        ).id
    )  # fmt: skip
    runs = await wait_final(engine, ids)
    assert [r.state for r in runs] == [RunState.SUCCEEDED] * 5
    for who, run in zip(("A", "B", "C", "S", "H"), runs, strict=True):
        # its own lines, in order, none of anyone else's, and the line printed after the answer
        assert [line for line in handler_lines(run) if "late" not in line] == expected(who)
        assert f"{who}: late line" in handler_lines(run)
    assert engine.exact_logs
    # the same in the history file
    stored = engine.store.get(ids[1])
    assert stored is not None and handler_lines(stored)[: len(expected("B"))] == expected("B")


async def test_a_cancelled_runs_late_lines_stay_with_it_not_with_the_rerun(
    engine: Engine,
) -> None:
    hello = engine.route_for("/api/hello")
    request = RunRequest(query=(("who", "A"), ("wait", "900"), ("late", "600")))
    first = engine.submit(hello, engine.settings.local, request)
    while not any(line == "A: start" for line in (engine.get(first.id) or first).logs):
        await asyncio.sleep(0.02)
    assert engine.cancel(first.id)
    second = engine.rerun(first.id)
    [old, new] = await wait_final(engine, [first.id, second.id])
    assert old.state is RunState.CANCELLED and "may still be running" in (old.reason or "")
    assert new.state is RunState.SUCCEEDED
    # The old handler goes on in the dev server; its lines reach the cancelled run, late too.
    await asyncio.sleep(1.0)
    old = engine.store.get(first.id) or old
    new = engine.store.get(second.id) or new
    assert handler_lines(new) == [*expected("A"), "A: late line"]
    assert handler_lines(old) == [*expected("A"), "A: late line"]


async def test_a_run_sent_by_another_console_process_gets_its_lines_and_shows_here(
    engine: Engine,
) -> None:
    events: list[Event] = []
    engine.bus.subscribe(events.append)
    engine.watch_peers()
    root = engine.project.root
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "trigger", str(root), "/api/hello",
        "--query", "who=P", "--query", "wait=300", "--no-dev", "--json",
        cwd=Path(console.__file__).parent.parent,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    run_id = json.loads(out)["id"]
    loop = asyncio.get_running_loop()
    end = loop.time() + 10
    while True:
        stored = engine.store.get(run_id)
        mine = [e for e in events if isinstance(e, RunChanged) and e.run.id == run_id]
        if stored and "P: late line" in stored.logs and mine and mine[-1].run.state.final:
            break
        assert loop.time() < end, (stored, mine)
        await asyncio.sleep(0.05)
    # the handler's lines were recorded into the other process's run, by the one reading them
    assert [ln for ln in stored.logs if ln.startswith("P: ")] == [*expected("P"), "P: late line"]
    assert mine[-1].run.state is RunState.SUCCEEDED
    # and published here once each, tagged with that run (read from the dev server, not twice)
    shown = [e.text for e in events if isinstance(e, LogLine) and e.run_id == run_id]
    assert shown.count("P: step 2/3") == 1
    assert any(line.startswith("-> GET") for line in shown)  # the other console's own lines
