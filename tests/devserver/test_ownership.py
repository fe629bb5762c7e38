"""Who answers at the dev URL: an attached server is watched, named, and warned about when it is
another project's; "ready" means our own child answers; the owner waits for others' runs."""

from __future__ import annotations

import asyncio
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.devserver import sharing as sharing_module
from console.devserver.ownership import descends_from, listeners, same_project
from console.engine.events import DevState
from console.errors import DevServerError
from tests.devserver.conftest import http_server_command
from tests.devserver.test_supervisor import get, supervisor, wait_for

FAKE_DEV = Path(__file__).resolve().parents[1] / "faults" / "fake_dev.py"


def foreign_server(port: int, cwd: Path) -> subprocess.Popen[bytes]:
    """`python -m http.server` in another folder: someone else's server on our port."""
    cwd.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc


async def until_answers(port: int) -> None:
    await wait_for(lambda: listeners(port), timeout=15)


@pytest.fixture
def quick_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharing_module, "ATTACHED_PROBE_S", 0.1)


@pytest.fixture
def in_thread_server(port: int) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), http.server.SimpleHTTPRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_an_attached_server_that_goes_away_reads_as_gone(
    tmp_path: Path, port: int, quick_probe: None, in_thread_server: http.server.HTTPServer
) -> None:
    """Before: the header said `dev attached` to a server that had gone."""
    dev, rec = supervisor(tmp_path, port, http_server_command())
    assert await dev.ensure() is DevState.ATTACHED
    in_thread_server.shutdown()
    in_thread_server.server_close()
    await wait_for(lambda: dev.state is DevState.STOPPED)
    assert "nothing answers" in dev.detail
    assert rec.states == [DevState.ATTACHED, DevState.STOPPED]


async def test_attaching_names_the_process_and_folder_and_warns_for_another_project(
    tmp_path: Path, port: int
) -> None:
    other = tmp_path / "another-project"
    proc = foreign_server(port, other)
    try:
        await until_answers(port)
        dev, rec = supervisor(tmp_path / "site", port, http_server_command())
        assert await dev.ensure() is DevState.ATTACHED
        assert dev.listener is not None and dev.listener.pid == proc.pid
        assert dev.listener.cwd == other
        assert f"pid {proc.pid}" in dev.detail and str(other) in dev.detail
        assert dev.warning is not None and "not this project's" in dev.warning
        assert rec.changes()[-1].warning == dev.warning  # the header shows it
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_attaching_to_this_projects_server_warns_of_nothing(
    tmp_path: Path, port: int
) -> None:
    site = tmp_path / "site"
    proc = foreign_server(port, site)
    try:
        await until_answers(port)
        dev, _ = supervisor(site, port, http_server_command())
        assert await dev.ensure() is DevState.ATTACHED
        assert dev.listener is not None and dev.listener.pid == proc.pid
        assert dev.warning is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_ready_means_our_child_answers_not_someone_elses_server(
    tmp_path: Path, port: int
) -> None:
    """Before: our server died of EADDRINUSE but read `ready` because another one answered."""
    command = f"{sys.executable} {FAKE_DEV} --start-delay 1.5"
    dev, rec = supervisor(tmp_path / "site", port, command)
    start = asyncio.create_task(dev.ensure())
    await wait_for(lambda: dev.state is DevState.STARTING)
    proc = foreign_server(port, tmp_path / "elsewhere")
    try:
        with pytest.raises(DevServerError) as caught:
            await start
        assert dev.state is DevState.FAILED
        assert DevState.READY not in rec.states
        assert "exited with code" in str(caught.value)
        assert f"pid {proc.pid}" in str(caught.value)  # who holds the port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        await dev.stop()


async def test_the_owner_waits_for_another_process_run_before_stopping(
    tmp_path: Path, port: int
) -> None:
    """Before: four of ten parallel runs failed when the server's owner exited under them."""
    owner, _ = supervisor(tmp_path, port, http_server_command())
    other, _ = supervisor(tmp_path, port, http_server_command())
    assert await owner.ensure() is DevState.READY
    assert await other.ensure() is DevState.ATTACHED
    other.use()  # a run of the other process is in flight
    stopping = asyncio.create_task(owner.stop())
    await asyncio.sleep(0.3)  # let the stop begin: it must wait, not kill
    assert not stopping.done()
    assert await asyncio.to_thread(get, port) == 200
    other.done()
    await asyncio.wait_for(stopping, 20)
    assert owner.state is DevState.STOPPED
    assert not listeners(port)


def test_ownership_helpers() -> None:
    import os

    me = os.getpid()
    assert descends_from(me, me)
    assert descends_from(me, os.getppid())
    assert not descends_from(os.getppid(), me)
    root = Path("/tmp/x/site")
    assert same_project(root, root) and same_project(root / "sub", root)
    assert not same_project(Path("/tmp/elsewhere"), root)
