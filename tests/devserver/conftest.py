"""Fixtures for the dev server tests: a project and settings to supervise, a free port, a mark
on every process a test starts, and the check that a test left none of them running."""

from __future__ import annotations

import shlex
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.model import Project, Target, TargetKind
from console.settings import DevSettings, Settings
from tests.devserver.procs import marking_processes

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
    yield from marking_processes(monkeypatch, "devserver")
