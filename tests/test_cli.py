"""The front door: help, usage errors, and a closed pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme"


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_every_command() -> None:
    out = _console("--help")
    assert out.returncode == 0
    for command in ("open", "routes", "check", "next", "timeline", "trigger", "history", "target"):
        assert command in out.stdout


def test_no_command_is_a_usage_error() -> None:
    assert _console().returncode == 2


def test_missing_project_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    out = _console("routes", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_closed_pipe_is_not_a_traceback() -> None:
    # `console next ... | head -1` used to end in a BrokenPipeError traceback.
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "next", str(EXAMPLE), "-n", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode == 0


def test_debug_works_after_the_command_too(tmp_path: Path) -> None:
    # `console routes X --debug` was "unrecognized arguments: --debug".
    for args in (("routes", str(tmp_path / "nope"), "--debug"), ("--debug", "routes", str(tmp_path / "nope"))):  # fmt: skip
        out = _console(*args)
        assert out.returncode == 2  # not a project, traceback or not
        assert "Traceback" in out.stderr
        assert out.stderr.rstrip().endswith("does not exist.")


def test_main_called_in_process_leaves_the_callers_threads_alone() -> None:
    """Only the process's entry point may end a process a stuck thread would hold; `main`
    called in-process (as tests do) returns, whatever other threads run (a caller's own
    server thread once made `open` end the whole test run with exit code 0)."""
    import threading

    from console.cli import main

    release = threading.Event()
    waiter = threading.Thread(target=release.wait, name="someone-elses")
    waiter.start()
    try:
        assert main(["routes", str(EXAMPLE)]) == 0
        assert waiter.is_alive()
    finally:
        release.set()
        waiter.join()
