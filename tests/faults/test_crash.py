"""SIGKILL the console mid-run, mid-write and mid-supervision: nothing finished is lost, the
killed runs read `interrupted`, the history opens cleanly, no process is left, the next command
works."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devserver.conftest import free_port
from tests.devserver.procs import marked
from tests.engine.server import Reply, ScriptedServer, serving
from tests.faults.conftest import FAULT_DIR, cli, make_project, start_cli
from tests.faults.figures import Figures
from tests.faults.history_check import integrity, rows, wait_rows

IN_FLIGHT = {"queued", "accepted", "running"}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    release = threading.Event()
    with serving() as s:
        s.reply("/api/slow", Reply(hang=release))
        s.reply("/api/tick", Reply(hang=release))
        s.reply("/api/fail", Reply(status=500, body=b"boom"))
        s.reply("/api/work-background", Reply(status=503, body=b"busy"))
        yield s
        release.set()


def finished_runs(root: Path) -> dict[str, str]:
    """Three runs that end before the crash, by id: their states must survive it."""
    out = {}
    for route, extra in (("/api/hello", ()), ("/api/fail", ()), ("/api/hello", ("--query", "a=1"))):
        r = cli("trigger", str(root), route, "--no-dev", "--json", *extra).assert_clean()
        run = r.json()
        out[run["id"]] = run["state"]
    assert sorted(out.values()) == ["failed", "succeeded", "succeeded"]
    return out


@pytest.mark.parametrize(
    ("route", "flight"),
    [
        ("/api/slow", "running"),  # an api request the server has not answered
        ("/api/tick", "running"),  # a scheduled route fired by hand
        ("/api/work-background", "accepted"),  # a background run waiting for its retry
    ],
)
def test_sigkill_during_a_run(
    tmp_path: Path, server: ScriptedServer, figures: Figures, route: str, flight: str
) -> None:
    root = make_project(tmp_path / "site", url=server.url, toml="[limits]\nretry_delays = [60]\n")
    before = finished_runs(root)
    console = start_cli("trigger", str(root), route, "--no-dev", "--json")

    def there(r: dict[str, object]) -> bool:
        waiting = flight != "accepted" or "retrying" in str(r["reason"])
        return r["route"] == route and r["state"] == flight and waiting

    in_flight = wait_rows(root, lambda rs: any(there(r) for r in rs))
    killed_id = next(r["id"] for r in in_flight if r["route"] == route)
    if flight == "accepted":  # it has failed once and waits: the retry is pending
        assert server.paths().count(route) == 1
    console.send_signal(signal.SIGKILL)
    assert console.wait(timeout=10) == -signal.SIGKILL
    _check_after_crash(root, before, {str(killed_id)}, figures)


def _check_after_crash(
    root: Path, finished: dict[str, str], killed: set[str], figures: Figures, *next_args: str
) -> None:
    assert integrity(root) == "ok"
    history = cli("history", str(root), "-n", "1000", "--json").assert_clean()
    assert history.code == 0, history.stderr
    runs = {r["id"]: r for r in history.json()["runs"]}
    lost = [i for i in finished if i not in runs]
    figures.runs(held=len(runs), lost=len(lost) + len([i for i in killed if i not in runs]))
    assert lost == []
    for run_id, state in finished.items():
        assert runs[run_id]["state"] == state
    for run_id in killed:
        assert runs[run_id]["state"] == "interrupted"
        assert "stopped before it finished" in runs[run_id]["reason"]
    assert not any(r["state"] in IN_FLIGHT for r in runs.values())
    # The next command works, and the interrupted runs stay as they are.
    args = next_args or ("--no-dev",)
    again = cli("trigger", str(root), "/api/hello", "--json", *args).assert_clean()
    assert again.code == 0 and again.json()["state"] == "succeeded"
    after = {r["id"]: r["state"] for r in rows(root)}
    assert len(after) == len(runs) + 1
    assert all(after[i] == "interrupted" for i in killed)


def test_sigkill_while_the_history_is_written_by_many_runs(
    tmp_path: Path, figures: Figures
) -> None:
    """One process drives 60 runs at once (answers trickle in, logs and states are written all the
    time); it is killed half-way. A second process writing the same history is left alone."""
    with serving() as s:
        s.default = _trickle
        root = make_project(tmp_path / "site", url=s.url, toml="[limits]\napi = 20\n")
        victim = start_driver(root, 60, "victim")
        bystander = start_driver(root, 40, "bystander")
        for d in (victim, bystander):
            d.go()
        victim.wait_finals(25)
        victim.proc.send_signal(signal.SIGKILL)
        assert victim.proc.wait(timeout=10) == -signal.SIGKILL
        victim.read_rest()
        # While the bystander still runs, the next command marks only the dead process's runs.
        mid = cli("history", str(root), "-n", "1000", "--json").assert_clean()
        assert mid.code == 0
        mid_runs = {r["id"]: r for r in mid.json()["runs"]}
        assert all(mid_runs[i]["state"] != "interrupted" for i in bystander.queued if i in mid_runs)
        bystander.wait_done()
    runs = {r["id"]: r for r in cli("history", str(root), "-n", "1000", "--json").json()["runs"]}
    assert integrity(root) == "ok"
    # Every run the victim recorded before it died is there; the ones it saw end kept their end.
    missing = [i for i in victim.queued if i not in runs]
    missing += [i for i in bystander.queued if i not in runs]
    figures.runs(held=len(runs), lost=len(missing))
    assert missing == []
    for run_id, state in victim.finals.items():
        assert runs[run_id]["state"] == state
    unfinished = [i for i in victim.queued if i not in victim.finals]
    assert unfinished, "the kill came too late to interrupt anything"
    for run_id in unfinished:
        assert runs[run_id]["state"] in {"interrupted", "succeeded", "failed"}
    assert sum(runs[i]["state"] == "interrupted" for i in unfinished) >= 1
    # The bystander lost nothing and was never marked interrupted.
    assert len(bystander.finals) == 40
    for run_id, state in bystander.finals.items():
        assert runs[run_id]["state"] == state != "interrupted"
    assert not any(r["state"] in IN_FLIGHT for r in runs.values())


def _trickle(received: object) -> Reply:
    """Answers after a short, varied wait, some with errors: many runs overlap in time."""
    import random
    import time

    time.sleep(random.uniform(0.05, 0.6))
    return Reply(status=random.choice([200, 200, 200, 500]), body=b"x" * random.randint(0, 4096))


class Driver:
    """A console process (tests/faults/drive_runs.py) submitting runs and reporting their ends."""

    def __init__(self, proc: object, name: str) -> None:
        import subprocess

        assert isinstance(proc, subprocess.Popen)
        self.proc: subprocess.Popen[str] = proc
        self.name = name
        self.queued: list[str] = []
        self.finals: dict[str, str] = {}
        self.done = False

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def _line(self) -> bool:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            return False
        kind, *rest = line.split()
        if kind == "queued":
            self.queued.append(rest[0])
        elif kind == "final":
            self.finals[rest[0]] = rest[1]
        elif kind == "done":
            self.done = True
        return True

    def wait_finals(self, n: int) -> None:
        while len(self.finals) < n:
            assert self._line(), self._stderr()
        assert len(self.queued) >= n

    def wait_done(self) -> None:
        while not self.done:
            assert self._line(), self._stderr()
        assert self.proc.wait(timeout=30) == 0, self._stderr()

    def read_rest(self) -> None:
        while self._line():
            pass

    def _stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


def start_driver(root: Path, n: int, name: str, *routes: str) -> Driver:
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.drive_runs", str(root), str(n), *routes],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    driver = Driver(proc, name)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", driver._stderr()
    return driver


def test_sigkill_while_supervising_a_dev_server(
    tmp_path: Path, figures: Figures, process_mark: str
) -> None:
    """The console started the dev server (which spawned grandchildren, one in its own session)
    and a run is in flight on it; SIGKILL leaves no process and an interrupted run."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --children 3"
    root = make_project(tmp_path / "site", url=url, dev_command=command)
    first = cli("trigger", str(root), "/api/hello", "--json").assert_clean()  # starts and stops it
    assert first.code == 0, first.stderr
    assert "dev server ready" in first.stderr
    before = {first.json()["id"]: "succeeded"}
    console = start_cli("trigger", str(root), "/api/slow", "--json")
    in_flight = wait_rows(
        root, lambda rs: any(r["route"] == "/api/slow" and r["state"] == "running" for r in rs)
    )
    killed = {str(r["id"]) for r in in_flight if r["route"] == "/api/slow"}
    supervised = [p for p in marked(process_mark) if p != console.pid]
    assert len(supervised) >= 5  # guard, sh, the server, its grandchildren
    console.send_signal(signal.SIGKILL)
    assert console.wait(timeout=10) == -signal.SIGKILL
    from tests.devserver.procs import describe, wait_gone

    left = [p for p in wait_gone(process_mark, timeout=15) if p != console.pid]
    assert left == [], f"left running after SIGKILL: {describe(left)}"
    # The next command starts its own dev server again, and stops it.
    _check_after_crash(root, before, killed, figures, "--json")


def _in_folder(folder: Path) -> list[int]:
    """Live processes whose working directory is inside `folder` (the dev server and its kin)."""
    import os

    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (cwd == str(folder) or cwd.startswith(f"{folder}/")):
            found.append(int(name))
    return found


@pytest.mark.tmux
@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed")
def test_sigkill_console_open_in_a_terminal(tmp_path: Path, figures: Figures) -> None:
    """The real screen in a real terminal: it started the dev server, a run is in flight."""
    import os
    import subprocess
    import time

    port = free_port()
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --children 3"
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{port}", dev_command=command)
    session = f"faults-open-{os.getpid()}-{port}"
    repo = Path(__file__).resolve().parents[2]
    shell = f"cd {repo} && exec env -u COLUMNS -u LINES {sys.executable} -m console open {root}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout

    def wait(check: object, what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while not check():  # type: ignore[operator]
            assert time.monotonic() < end, f"{what}:\n{tmux('capture-pane', '-p', '-t', session)}"
            time.sleep(0.1)

    tmux("new-session", "-d", "-s", session, "-x", "140", "-y", "45", shell)
    try:
        tmux("resize-window", "-t", session, "-x", "140", "-y", "45")
        console_pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
        wait(lambda: "ready" in tmux("capture-pane", "-p", "-t", session), "the dev server")
        tmux("send-keys", "-t", session, "/")
        wait(lambda: "filter routes" in tmux("capture-pane", "-p", "-t", session), "the filter")
        tmux("send-keys", "-t", session, "slow")
        wait(lambda: "routes 1/5" in tmux("capture-pane", "-p", "-t", session), "the filter")
        tmux("send-keys", "-t", session, "Enter")
        time.sleep(0.5)  # the focus moves back to the table after the key
        tmux("send-keys", "-t", session, "t")
        wait(
            lambda: any(r["state"] == "running" for r in rows(root)),
            "the run to be in flight",
        )
        supervised = _in_folder(root)
        assert len(supervised) >= 4, supervised  # guard, the server, its children
        os.kill(console_pid, signal.SIGKILL)
        end = time.monotonic() + 15
        while _in_folder(root):
            assert time.monotonic() < end, f"left running: {_in_folder(root)}"
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    killed = {str(r["id"]) for r in rows(root)}
    _check_after_crash(root, {}, killed, figures, "--json")
