"""Fixtures for the dev server tests: a project and settings to supervise, a free port, a mark
on every process a test starts, and the check that a test left none of them running."""

from __future__ import annotations

import shlex
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.model import Project, Target, TargetKind
from console.settings import DevSettings, Settings
from tests.devserver.procs import MARK_VAR, describe, kill_marked, wait_gone

PY = shlex.quote(sys.executable)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_project(root: Path, *, dev_script: str | None = None, manager: str = "npm") -> Project:
    return Project(
        root=root, routes=(), problems=(), package_manager=manager, dev_script=dev_script
    )


def make_settings(url: str, command: str | None = None, start_timeout: float = 30) -> Settings:
    return Settings(
        targets=(Target("local", TargetKind.LOCAL, url),),
        dev=DevSettings(command=command, url=url, start_timeout=start_timeout),
    )


def http_server_command(extra: str = "") -> str:
    """A dev command shaped like `npm run dev`: a shell whose grandchild serves $PORT."""
    return (
        f'{extra}{PY} -u -m http.server "$PORT" --bind 127.0.0.1 & echo "spawned server $!"; wait'
    )


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture(autouse=True)
def process_mark(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Mark the processes this test starts; fail the test if any is still running after it."""
    mark = f"devserver-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv(MARK_VAR, mark)
    yield mark
    left = wait_gone(mark, timeout=15)
    if left:
        shown = describe(left)
        kill_marked(mark)
        pytest.fail(f"processes left running after the test: {shown}")
