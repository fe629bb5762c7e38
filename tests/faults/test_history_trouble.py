"""Nothing lost when the disk or the lock says no: a history that cannot be written mid-run, one
that can only be read, and one that is damaged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import console.engine.engine as engine_module
import console.engine.history as history_module
import console.engine.history_queue as history_queue
from console.cli import main
from console.engine import Engine, LogLine, RunStore, history_path
from console.model import RunState
from console.project import discover
from console.settings import load_settings
from tests.engine.server import Received, Reply, ScriptedServer, serving
from tests.faults.big_history import fill_history
from tests.faults.conftest import REPO, cli, make_project
from tests.faults.figures import Figures
from tests.faults.unprivileged import reachable_folder, unprivileged
from tests.faults.write_lock import WriteLock, write_lock


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The busy timeout (10 s) and the last try at close (2 s), shortened: the same code paths."""
    monkeypatch.setattr(history_module, "BUSY_TIMEOUT", 0.3)
    monkeypatch.setattr(engine_module, "HISTORY_LAST_TRY", 0.3)
    monkeypatch.setattr(engine_module, "HISTORY_RETRY", 0.05)
    monkeypatch.setattr(history_queue, "RETRY_AFTER", 0.05)


def _lock_when_asked(server: ScriptedServer, lock: WriteLock) -> None:
    """The server takes the history's lock while it handles the request: the run was recorded
    as sent, and every later write of it finds the file locked."""

    def script(got: Received) -> Reply:
        lock.take()
        return Reply(status=200, body=b'{"ok": true}')

    server.reply("/api/hello", script)


def _row(path: Path, run_id: str) -> tuple[object, ...] | None:
    db = sqlite3.connect(path)
    try:
        row: tuple[object, ...] | None = db.execute(
            "SELECT state, http_status FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        return row
    finally:
        db.close()


def test_a_run_whose_record_is_locked_out_is_reported_and_recorded_later(
    tmp_path: Path, short_waits: None, figures: Figures
) -> None:
    """Another process holds the write lock from the moment the server answers: the run's 200
    reaches the caller and the screen is told; once the lock is free, the run is recorded."""
    with serving() as server:
        root = make_project(tmp_path / "site", url=server.url)
        path = history_path(root)
        store = RunStore(path)
        engine = Engine(discover(root), load_settings(root), store)
        said: list[str] = []
        engine.bus.subscribe(
            lambda e: said.append(e.text) if isinstance(e, LogLine) and e.run_id is None else None
        )
        with write_lock(path) as lock:
            _lock_when_asked(server, lock)

            async def go() -> tuple[object, ...]:
                await engine.start()
                run = await engine.run(engine.route_for("/api/hello"), engine.settings.local)
                pending = store.pending
                lock.release()
                await asyncio.sleep(0.5)  # the engine's retry writes what waited
                await engine.close()
                return run, pending

            run, pending = asyncio.run(go())
        store.close()
    figures.inputs("history", 1)
    assert run.state is RunState.SUCCEEDED and run.http_status == 200  # type: ignore[attr-defined]
    assert pending, "the writes after the lock was taken should have waited in memory"
    assert any("cannot be written" in s and "write lock" in s for s in said), said
    assert any("is written again" in s for s in said), said
    assert _row(path, run.id) == ("succeeded", 200)  # type: ignore[attr-defined]
    figures.runs(held=1, lost=0)


def test_trigger_reports_a_run_it_could_not_record(
    tmp_path: Path, short_waits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lock is still held when `trigger` exits: --json has the outcome and says it is not
    recorded, stderr says so in one sentence, and there is no traceback."""
    with serving() as server:
        root = make_project(tmp_path / "site", url=server.url)
        path = history_path(root)
        RunStore(path).close()
        with write_lock(path) as lock:
            _lock_when_asked(server, lock)
            code = main(["trigger", str(root), "/api/hello", "--no-dev", "--json"])
            out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["state"] == "succeeded" and data["http_status"] == 200
    assert data["recorded"] is False
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"console: run {data['id']} ended succeeded but is not recorded"), err
    assert "write lock" in last


def test_a_full_disk_mid_run_is_reported_and_recorded_once_there_is_room(
    tmp_path: Path, short_waits: None, figures: Figures
) -> None:
    """`.console` on a 1 MB file system that fills up while the run is in flight."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    with serving() as server:
        root = make_project(tmp_path / "site", url=server.url)
        console_dir = root / ".console"
        console_dir.mkdir()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(console_dir)],
            capture_output=True,
        )
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a small file system here: {mounted.stderr!r}")
        try:
            path = history_path(root)
            store = RunStore(path)
            engine = Engine(discover(root), load_settings(root), store)
            filler = console_dir / "filler"

            def fill(got: Received) -> Reply:
                with contextlib.suppress(OSError), open(filler, "wb") as f:
                    while True:
                        f.write(b"\0" * 65536)
                return Reply(status=200, body=b"x" * 50_000)

            server.reply("/api/hello", fill)

            async def go() -> tuple[object, int, str | None]:
                await engine.start()
                run = await engine.run(engine.route_for("/api/hello"), engine.settings.local)
                pending, problem = store.pending, store.problem
                filler.unlink()
                await asyncio.sleep(0.5)
                await engine.close()
                return run, pending, problem

            run, pending, problem = asyncio.run(go())
            store.close()
            figures.inputs("history", 1)
            assert run.state is RunState.SUCCEEDED  # type: ignore[attr-defined]
            assert pending and problem is not None and "full" in problem, problem
            assert _row(path, run.id) == ("succeeded", 200)  # type: ignore[attr-defined]
            figures.runs(held=1, lost=0)
        finally:
            subprocess.run(["umount", "-l", str(console_dir)], check=False)


def test_history_reads_while_another_process_holds_the_write_lock(
    tmp_path: Path, figures: Figures
) -> None:
    """A run of a dead process wants marking `interrupted` (a write): reading must not wait
    for the lock (10 s, then an error, before)."""
    root = make_project(tmp_path / "site")
    path = history_path(root)
    fill_history(path, runs=3, lines_per_run=2, state="running", owner_pid=2**22 + 7)
    with write_lock(path) as lock:
        lock.take()
        r = cli("history", str(root), "--json", timeout=30).assert_clean()
        t = cli("history", str(root), timeout=30).assert_clean()
    figures.inputs("history", 1)
    assert r.code == 0, r.stderr
    assert [x["id"] for x in r.json()["runs"]] == ["big00000002", "big00000001", "big00000000"]
    assert t.code == 0 and "big00000002" in t.stdout


def test_history_reads_a_read_only_console_folder(tmp_path: Path, figures: Figures) -> None:
    prefix = unprivileged()
    with reachable_folder(prefix) as folder:
        if folder is None:
            pytest.skip("needs a user that file permissions stop (setpriv as root, or not root)")
        root = make_project(folder / "site")
        path = history_path(root)
        fill_history(path, runs=2, lines_per_run=3, state="running", owner_pid=2**22 + 7)
        for p in (folder, *folder.rglob("*")):
            p.chmod(0o755 if p.is_dir() else 0o644)
        proc = subprocess.run(
            [*(prefix or []), sys.executable, "-m", "console", "history", str(root), "--json"],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    figures.inputs("history", 1)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert [x["id"] for x in json.loads(proc.stdout)["runs"]] == ["big00000001", "big00000000"]


DAMAGE = {
    "logs dropped": "DROP TABLE logs",
    "runs dropped": "DROP TABLE runs",
    "attempts dropped": "DROP TABLE attempts",
}


@pytest.mark.parametrize("damage", [*DAMAGE, "garbage", "truncated"])
def test_a_damaged_history_names_the_file_and_the_fix(
    tmp_path: Path, damage: str, figures: Figures
) -> None:
    root = make_project(tmp_path / "site")
    path = history_path(root)
    fill_history(path, runs=50, lines_per_run=200)
    if damage in DAMAGE:
        db = sqlite3.connect(path)
        db.execute(DAMAGE[damage])
        db.commit()
        db.close()
    elif damage == "garbage":
        path.write_bytes(b"this is not a database, it only has its name" * 100)
    else:
        data = path.read_bytes()
        path.write_bytes(data[:4096] + b"\xff" * 8192 + data[4096 + 8192 : len(data) // 3])
    before = path.read_bytes()
    figures.inputs("history", 1)
    for argv in (["history"], ["history", "--json"], ["open", "--no-dev"],
                 ["trigger", "/api/hello", "--no-dev"]):  # fmt: skip
        r = cli(argv[0], str(root), *argv[1:], timeout=60).assert_clean()
        assert r.code in (1, 2), (argv, r.stdout, r.stderr)
        said = r.stderr if argv[0] != "trigger" else r.stderr.strip().splitlines()[-1] + "\n"
        assert said.count("\n") == 1 and str(path) in said, (argv, r.stderr)
        assert "--reset-history" in said, (argv, r.stderr)
    reset = cli("history", str(root), "--reset-history").assert_clean()
    assert reset.code == 0, reset.stderr
    aside = [p for p in path.parent.iterdir() if p.name.startswith("history.sqlite3.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == before  # moved, never deleted
    assert str(aside[0]) in reset.stderr
    assert "no runs yet" in reset.stdout
    assert "--reset-history" in cli("open", "--help").stdout


def test_open_reset_history_moves_the_damaged_file_aside_before_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import console.commands.open as open_command

    root = make_project(tmp_path / "site")
    path = history_path(root)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 10)
    seen: list[bool] = []

    async def no_screen(*args: object, **kwargs: object) -> int:  # the screen opens a fresh one
        store = RunStore(path)
        seen.append(store.recent(5) == [])
        store.close()
        return 0

    monkeypatch.setattr(open_command, "_open", no_screen)
    assert main(["open", str(root), "--no-dev", "--reset-history"]) == 0
    aside = [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == b"not a database" * 10
    assert f"moved the run history aside to {aside[0]}" in capsys.readouterr().err
    assert seen == [True]
