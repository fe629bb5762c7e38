"""SIGTERM, SIGHUP and a closed terminal on `console open`, in a real terminal (tmux): the
terminal is restored, active runs are recorded `cancelled` with the reason, the dev server we
started stops, and the exit code is 128 + the signal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.devserver.conftest import free_port
from tests.faults.conftest import FAULT_DIR, REPO, make_project
from tests.faults.figures import Figures
from tests.faults.history_check import integrity, rows
from tests.faults.test_crash import _in_folder

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def screen(self) -> str:
        try:
            return tmux("capture-pane", "-p", "-t", self.session)
        except subprocess.CalledProcessError:
            return "(no session)"

    def modes(self) -> str:
        """alternate screen, mouse reporting (any, button, SGR): `1 1 1 1` inside the app."""
        return tmux(
            "display", "-p", "-t", self.session,
            "#{alternate_on} #{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}",
        ).strip()  # fmt: skip

    def wait(self, check: Callable[[], object], what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < end, f"timed out waiting for {what}:\n{self.screen()}"
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.session, *keys)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    port = free_port()
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --children 2"
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{port}", dev_command=command)
    session = f"faults-signal-{os.getpid()}-{port}"
    yield root, session
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def console_child(shell_pid: int) -> int:
    """The console process: the child of the pane's shell."""
    with open(f"/proc/{shell_pid}/task/{shell_pid}/children") as f:
        children = [int(p) for p in f.read().split()]
    assert len(children) == 1, children
    return children[0]


def open_with_a_run_in_flight(
    root: Path, session: str, exit_file: Path, *, linger: bool = True
) -> tuple[Terminal, int]:
    # The shell ignores SIGHUP so that it can write the console's exit code after a closed
    # terminal; the console installs its own handler (an ignored disposition is inherited).
    shell = (
        f"trap '' HUP; cd {REPO} && env -u COLUMNS -u LINES {sys.executable} -m console open "
        f"{root}; echo $? > {exit_file}; echo console-exit=$(cat {exit_file})"
    )
    if linger:  # keep the pane, to look at the terminal after the console has gone
        shell += "; trap - HUP; sleep 60"
    tmux("new-session", "-d", "-s", session, "-x", "140", "-y", "45", shell)
    term = Terminal(session)
    tmux("resize-window", "-t", session, "-x", "140", "-y", "45")
    shell_pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
    term.wait(lambda: "ready" in term.screen(), "the dev server")
    assert term.modes().startswith("1 1")  # alternate screen, mouse reporting on
    term.keys("/")
    term.wait(lambda: "filter routes" in term.screen(), "the filter")
    term.keys("slow")
    term.wait(lambda: "routes 1/5" in term.screen(), "the filter to apply")
    term.keys("Enter")
    time.sleep(0.5)  # the focus moves back to the table after the key
    term.keys("t")
    term.wait(lambda: any(r["state"] == "running" for r in rows(root)), "the run in flight")
    return term, console_child(shell_pid)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_restores_the_terminal_and_records_the_runs(
    site: tuple[Path, str], tmp_path: Path, figures: Figures, sig: signal.Signals, code: int
) -> None:
    """Before: the terminal stayed in the alternate screen with mouse reporting on, the run
    stayed `running` and the dev server was killed by the guard, not stopped."""
    root, session = site
    exit_file = tmp_path / "exit-code"
    term, pid = open_with_a_run_in_flight(root, session, exit_file)
    assert len(_in_folder(root)) >= 3  # guard, server, its children
    os.kill(pid, sig)
    term.wait(lambda: "console-exit=" in term.screen(), "the console to exit")
    assert exit_file.read_text().strip() == str(code)
    assert term.modes() == "0 0 0 0", term.modes()  # main screen, no mouse reporting
    assert "Traceback" not in term.screen()
    _check_recorded(root, sig, figures)


def test_a_closed_terminal_is_a_sighup(
    site: tuple[Path, str], tmp_path: Path, figures: Figures
) -> None:
    root, session = site
    exit_file = tmp_path / "exit-code"
    open_with_a_run_in_flight(root, session, exit_file, linger=False)
    tmux("kill-session", "-t", session)  # the window closes: the terminal hangs up
    end = time.monotonic() + 30
    while not exit_file.exists() or not exit_file.read_text().strip():
        assert time.monotonic() < end, "the console did not exit after its terminal closed"
        time.sleep(0.1)
    assert exit_file.read_text().strip() == "129"
    _check_recorded(root, signal.SIGHUP, figures)


def _check_recorded(root: Path, sig: signal.Signals, figures: Figures) -> None:
    end = time.monotonic() + 15
    while _in_folder(root):  # our dev server (the guard's whole group) stopped
        assert time.monotonic() < end, f"left running: {_in_folder(root)}"
        time.sleep(0.1)
    assert integrity(root) == "ok"
    runs = rows(root)
    assert [r["state"] for r in runs] == ["cancelled"], runs
    assert f"the console received {sig.name}" in str(runs[0]["reason"])
    figures.runs(held=len(runs), lost=0)


STUCK_THREAD = """
import sys, threading, time
from console.cli import leave_no_thread_behind

def spin():  # what Textual's input thread does on a hung-up terminal: never stops
    while True:
        time.sleep(0.01)

threading.Thread(target=spin, name="textual-input").start()
print("closed", flush=False)
leave_no_thread_behind(129, join_s=0.2)
print("unreachable")
"""


def test_a_thread_that_misses_its_stop_does_not_keep_the_console_alive() -> None:
    """Seen under tmux: the terminal hung up while the screen closed, Textual's input thread
    missed its stop and span for ever, and the interpreter waited for it at exit: an orphaned
    `console open` using a core. Once everything is closed, the process ends regardless."""
    done = subprocess.run(
        [sys.executable, "-c", STUCK_THREAD], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 129
    assert done.stdout == "closed\n"  # flushed before leaving; nothing after


def test_quit_then_a_closed_terminal_leaves_no_console_behind(tmp_path: Path) -> None:
    """`q`, and the window closes while the console is still shutting down (a person closing
    the tab, or a test's cleanup): no `console open` may outlive its terminal. The race hit
    about one run in four before; each round here is one chance to hit it."""
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    left: list[int] = []
    for n in range(4):
        session = f"faults-quit-close-{os.getpid()}-{n}"
        shell = f"cd {REPO} && {sys.executable} -m console open {root} --no-dev; sleep 30"
        tmux("new-session", "-d", "-s", session, "-x", "140", "-y", "45", shell)
        term = Terminal(session)
        shell_pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
        shown = term.screen
        term.wait(lambda: "routes" in shown() and "scheduler" in shown(), "the screen")  # noqa: B023
        pid = console_child(shell_pid)
        term.keys("q")
        term.wait(lambda: "scheduler" not in shown(), "the screen to close")  # noqa: B023
        tmux("kill-session", "-t", session)
        end = time.monotonic() + 15
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < end:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    break
            time.sleep(0.1)
        if os.path.exists(f"/proc/{pid}"):
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] != "Z":
                    left.append(pid)
                    os.kill(pid, signal.SIGKILL)
    assert left == [], f"console processes outlived their terminal: {left}"


def test_sessions_come_and_go_on_a_server_that_stays(tmux_server: str) -> None:
    """CI once failed the test above with `server exited unexpectedly`: its session was the
    server's last one, the server was exiting when the next round started. The suite's own
    server (tests/conftest.py) is held up by a session of its own, so quick rounds all start."""
    assert os.environ["TMUX_TMPDIR"] == tmux_server
    for n in range(20):
        session = f"faults-come-go-{os.getpid()}-{n}"
        tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "sleep 30")
        tmux("kill-session", "-t", session)
    assert "console-tests-keepalive" in tmux("list-sessions", "-F", "#{session_name}")
