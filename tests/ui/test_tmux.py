"""Smoke test in a real terminal: open a copy of the example site under tmux, trigger, quit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import ACME, ROOT
from tests.ui.server import RecordingServer

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def session() -> Iterator[str]:
    name = f"console-smoke-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def capture(name: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True)
    return out.stdout


def alive(name: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", name], capture_output=True).returncode == 0


def until(check: Callable[[], bool], what: str, timeout: float = 20.0, name: str = "") -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            screen = capture(name) if name and alive(name) else "(no session)"
            raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
        time.sleep(0.1)


def keys(name: str, *sent: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", name, *sent], check=True)


def test_open_trigger_quit(tmp_path: Path, session: str, local_server: RecordingServer) -> None:
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    (site / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "{local_server.url}"\n', encoding="utf-8"
    )
    # COLUMNS/LINES inherited from the test process would pin the app to 80x24.
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES {sys.executable} -m console open {site} --no-dev"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    # A new tmux server may size a detached window 80x24 whatever -x/-y say: set it again.
    subprocess.run(["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], check=True)
    until(lambda: "/api/hello" in capture(session), "the routes table", name=session)
    screen = capture(session)
    assert "acme" in screen and "local" in screen and local_server.url in screen

    keys(session, "/")
    until(lambda: "filter routes" in capture(session), "the filter box", name=session)
    keys(session, "hello")
    until(lambda: "routes 1/17" in capture(session), "the filter to apply", name=session)
    keys(session, "Enter")
    time.sleep(0.5)  # a person's pause: the focus moves back to the table after the key
    keys(session, "t")
    until(lambda: local_server.paths() == ["/api/hello"], "the request", name=session)
    until(lambda: "succeeded" in capture(session), "the run to succeed", name=session)

    keys(session, "q")
    until(lambda: not alive(session), "the console to quit", timeout=10)
