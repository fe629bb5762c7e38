"""However the console ends, the dev server it started goes with it (no process left behind)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.devserver.procs import describe, marked, take_sigint, wait_gone

REPO = Path(__file__).resolve().parents[2]


def start_console(root: Path, port: int, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.devserver.supervised_console", str(root), str(port), mode],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=take_sigint,  # a Ctrl+C must reach it even when pytest ignores SIGINT
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("ready "), first + proc.stderr.read() if proc.stderr else ""
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_the_dev_server_dies_with_the_console(
    tmp_path: Path, port: int, process_mark: str, sig: signal.Signals
) -> None:
    console = start_console(tmp_path, port, "sleep")
    supervised = [pid for pid in marked(process_mark) if pid != console.pid]
    assert len(supervised) >= 3, describe(supervised)  # guard, sh, http.server
    console.send_signal(sig)
    console.wait(timeout=10)
    left = wait_gone(process_mark, timeout=10)
    assert left == [], f"left running after {sig.name}: {describe(left)}"


def test_the_dev_server_dies_when_the_console_dies_of_an_exception(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    console = start_console(tmp_path, port, "raise")
    assert console.wait(timeout=10) != 0
    assert console.stderr is not None
    assert "the console hit a bug" in console.stderr.read()
    left = wait_gone(process_mark, timeout=10)
    assert left == [], describe(left)
