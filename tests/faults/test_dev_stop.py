"""Stopping the dev server: every process of it gets SIGTERM first, even one that left its
process group (a daemonizing tool), so each can clean up; SIGKILL is only for the deaf."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.devserver.conftest import free_port
from tests.faults.conftest import FAULT_DIR, cli, make_project


def test_a_grandchild_in_its_own_session_gets_sigterm_too(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    url = f"http://127.0.0.1:{free_port()}"
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --children 2"
    root = make_project(tmp_path / "site", url=url, dev_command=command)
    r = cli("trigger", str(root), "/api/hello", env={"FAKE_DEV_MARKS": str(marks)}).assert_clean()
    assert r.code == 0, r.stderr
    ready = sorted(p.name.removeprefix("ready-") for p in marks.glob("ready-*"))
    termed = sorted(p.name.removeprefix("term-") for p in marks.glob("term-*"))
    assert len(ready) == 2
    # Before the fix the one in its own session was found only once orphaned, after the
    # SIGTERM round: it got SIGKILL five seconds later and could not clean up.
    assert termed == ready
