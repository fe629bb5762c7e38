"""Find the processes a test started, wherever they ended up, by a mark in their environment.

Every child inherits the environment, so a variable set before starting a dev server marks the
guard, the shell, npm, node and anything they spawn, even a process that left the group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest

MARK_VAR = "CONSOLE_TEST_PROC_MARK"


def take_sigint() -> None:
    """`preexec_fn` for a child a test will send SIGINT to. When pytest itself runs as a
    background job of a shell without job control (`sh -c 'pytest &'`, nohup setups, CI
    runners), it starts with SIGINT ignored, and every child inherits that: Python then never
    installs its KeyboardInterrupt handler, and the test's Ctrl+C is lost. Reset it here."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def marked(mark: str) -> list[int]:
    """Live processes whose environment holds MARK_VAR=mark or MARK_VAR=mark.<more>.

    (Zombies have no environment: they are dead, only not yet reaped.)
    """
    needle = f"{MARK_VAR}={mark}".encode()
    sub = needle + b"."
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if any(e == needle or e.startswith(sub) for e in env):
            found.append(int(name))
    return found


def wait_gone(mark: str, timeout: float) -> list[int]:
    """Wait until no marked process is left; returns those still there at the timeout."""
    deadline = time.monotonic() + timeout
    left = marked(mark)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked(mark)
    return left


def kill_marked(mark: str) -> list[int]:
    """Last resort for a failed test: SIGKILL what is left, so no test leaves a process behind."""
    left = marked(mark)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def describe(pids: list[int]) -> str:
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{pid}: {cmdline}")
        except OSError:
            out.append(f"{pid}: (gone)")
    return "; ".join(out)


def marking_processes(monkeypatch: pytest.MonkeyPatch, prefix: str) -> Iterator[str]:
    """Body of an autouse fixture: mark what the test starts; fail it if any is left running."""
    mark = f"{prefix}-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv(MARK_VAR, mark)
    yield mark
    left = wait_gone(mark, timeout=15)
    if left:
        shown = describe(left)
        kill_marked(mark)
        pytest.fail(f"processes left running after the test: {shown}")
