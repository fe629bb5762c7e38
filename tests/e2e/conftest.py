"""One real `next dev` of the example site for the whole e2e session, driven by a real Engine.

The example's packages must be installed (`npm ci` in examples/acme). Without them the suite
is skipped, except under CI (the CI variable set), where that is a failure: CI installs them.
Every process the session starts carries a mark in its environment; at the end none may be left.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from console.engine import Engine, RunStore
from console.model import Project, Target, TargetKind
from console.project import discover
from console.settings import DevSettings, Limits, Settings
from tests.devserver.procs import MARK_VAR, describe, kill_marked, wait_gone

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"
API_LIMIT_S = 3.0  # small on purpose: /api/slow?seconds=6 must time out
START_TIMEOUT_S = 240.0  # a cold `next dev` on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_node_modules() -> None:
    if (ACME / "node_modules" / "next").is_dir() and shutil.which("node"):
        return
    message = (
        f"the example site's packages are not installed: run `npm ci` in {ACME} "
        "(the e2e tests run a real `next dev` there)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def e2e_mark() -> Iterator[str]:
    """The mark of every process this session's e2e tests start; checked at the very end."""
    mark = f"e2e-{uuid.uuid4().hex[:12]}"
    yield mark
    left = wait_gone(mark, timeout=15)
    if left:
        shown = describe(left)
        kill_marked(mark)
        pytest.fail(f"processes left running after the e2e session: {shown}")


@dataclass
class Acme:
    engine: Engine
    project: Project
    url: str


def acme_settings(url: str) -> Settings:
    return Settings(
        targets=(Target("local", TargetKind.LOCAL, url),),
        dev=DevSettings(url=url, start_timeout=START_TIMEOUT_S),
        limits=Limits(api=API_LIMIT_S, background=60, scheduled=30, retry_delays=()),
    )


WARM = [
    "/api/send-emails-background",
    "/api/cleanup",
    "/api/slow?seconds=0",
    "/api/explode",
    "/api/hello",
]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def acme(e2e_mark: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Acme]:
    require_node_modules()
    project = discover(ACME)
    url = f"http://127.0.0.1:{free_port()}"
    store = RunStore(tmp_path_factory.mktemp("e2e") / "history.sqlite3")
    engine = Engine(project, acme_settings(url), store)
    await engine.start()
    try:
        assert engine.dev is not None
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(MARK_VAR, e2e_mark)  # inherited by the guard, npm, node
            await engine.dev.ensure()
        # The first request to a route compiles it (seconds); warm them all once so the
        # tests' deadlines measure the handlers, not webpack.
        async with httpx.AsyncClient(timeout=120, trust_env=False) as client:
            for path in WARM:
                await client.post(url + path, json={})
        yield Acme(engine, project, url)
    finally:
        await engine.close()
        store.close()
