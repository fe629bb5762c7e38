"""`console trigger` on the local target: starts `next dev` when nothing answers, runs the route,
stops what it started; with --no-dev it starts nothing; killed, it leaves nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devserver.procs import MARK_VAR, describe, marked, take_sigint, wait_gone
from tests.e2e.conftest import ACME, free_port, require_node_modules

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A copy of the example (sharing its node_modules) whose console.toml names a free port."""
    require_node_modules()
    root = tmp_path / "acme"
    shutil.copytree(ACME, root, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    (root / "node_modules").symlink_to(ACME / "node_modules", target_is_directory=True)
    port = free_port()
    (root / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "http://127.0.0.1:{port}"\n\n'
        "[dev]\nstart_timeout = 240\n\n"
        # A route's first request compiles it inside the run's time: on a busy machine that
        # alone can pass 10 s, and these tests are about processes, not deadlines.
        "[limits]\napi = 120\n"
    )
    yield root, port


@pytest.fixture
def cli_mark(e2e_mark: str) -> str:
    """A mark of this test's own, under the session's (which the session end checks)."""
    return f"{e2e_mark}.{uuid.uuid4().hex[:8]}"


def console(
    *args: str, mark: str, wait: bool = True
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    env = {**os.environ, MARK_VAR: mark}
    argv = [sys.executable, "-m", "console", *args]
    if wait:
        return subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=280, check=False
        )
    return subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=take_sigint,  # a Ctrl+C must reach it even when pytest ignores SIGINT
    )  # fmt: skip


def assert_nothing_left(mark: str, port: int) -> None:
    left = wait_gone(mark, timeout=15)
    assert left == [], describe(left)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "something still answers on the port"


def test_trigger_starts_the_dev_server_runs_the_route_and_stops_it(
    site: tuple[Path, int], cli_mark: str
) -> None:
    root, port = site
    done = console("trigger", str(root), "/api/cleanup", "--json", mark=cli_mark)
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert run["state"] == "succeeded"
    assert any(line.startswith("cleanup: method=POST next_run=") for line in run["logs"])
    assert "dev server starting" in done.stderr and "dev server ready" in done.stderr
    assert_nothing_left(cli_mark, port)


def test_no_dev_starts_nothing_and_the_run_is_unreachable(
    site: tuple[Path, int], cli_mark: str
) -> None:
    root, _ = site
    done = console("trigger", str(root), "/api/cleanup", "--json", "--no-dev", mark=cli_mark)
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["state"] == "unreachable"
    assert marked(cli_mark) == []


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name
)
def test_a_console_that_is_killed_leaves_no_dev_server_behind(
    site: tuple[Path, int], cli_mark: str, sig: signal.Signals
) -> None:
    root, port = site
    proc = console(
        "trigger", str(root), "/api/slow", "--query", "seconds=60", mark=cli_mark, wait=False
    )
    assert isinstance(proc, subprocess.Popen) and proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 240
    for line in proc.stderr:  # follow its progress until the handler runs inside next dev
        seen.append(line)
        if "slow: 1/60 s" in line or time.monotonic() > deadline:
            break
    assert any("slow: 1/60 s" in line for line in seen), "".join(seen)
    names = describe(marked(cli_mark))
    assert "next" in names and "process_guard" in names, names
    proc.send_signal(sig)
    proc.wait(timeout=10)
    proc.stderr.close()
    assert proc.stdout is not None
    proc.stdout.close()
    assert_nothing_left(cli_mark, port)
