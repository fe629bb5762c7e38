"""A history file that came with the project (or from another console version) and does not fit:
unknown states, control sequences in ids, wrong types. The rows that fit are shown, the others
are left out with a one-line warning; nothing crashes, nothing reaches the terminal raw."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from console.engine import Engine, RunStore, history_path
from console.project import discover
from console.settings import load_settings
from console.ui.app import create_app
from tests.devserver.conftest import free_port
from tests.faults.conftest import cli, make_project
from tests.faults.figures import Figures
from tests.ui.conftest import wait_for

ESC = "\x1b"
BAD_ROWS = {
    "state": "UPDATE runs SET state = 'exploded' WHERE id = ?",
    "kind": "UPDATE runs SET kind = 'weird' WHERE id = ?",
    "id": "UPDATE runs SET id = char(27) || ']0;PWNED' || char(7) || 'x' WHERE id = ?",
    "time": "UPDATE runs SET created_at = 'yesterday' WHERE id = ?",
    "route": "UPDATE runs SET route = X'1b5d303b50574e4507' WHERE id = ?",
    "method": "UPDATE runs SET method = char(27) || '[2J' WHERE id = ?",
    "huge-time": "UPDATE runs SET started_at = 9223372036854775807 WHERE id = ?",
}


def hostile_history(root: Path) -> tuple[list[str], str]:
    """Ten real runs, seven of them then broken one way each, one with a broken request."""
    ids = []
    for _ in range(10):
        r = cli("trigger", str(root), "/api/hello", "--no-dev", "--json").assert_clean()
        ids.append(r.json()["id"])
    db = sqlite3.connect(history_path(root))
    for (_, sql), run_id in zip(BAD_ROWS.items(), ids, strict=False):
        db.execute(sql, (run_id,))
    bad_request = ids[len(BAD_ROWS)]
    db.execute("UPDATE runs SET request = '{\"body\": \"!!not base64\", \"params\": 7}' WHERE id = ?", (bad_request,))  # fmt: skip
    db.execute(
        "INSERT INTO logs (run_id, at, line) VALUES (?, 0, ?)",
        (bad_request, b"\x1b]0;PWNED\x07 a blob line"),
    )
    db.commit()
    db.close()
    return ids[len(BAD_ROWS) :], bad_request


def test_the_history_command_shows_what_fits(tmp_path: Path, figures: Figures) -> None:
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    good, _ = hostile_history(root)
    figures.inputs("hostile projects", len(BAD_ROWS) + 2)
    shown = cli("history", str(root), "-n", "50").assert_clean()
    assert shown.code == 0
    assert ESC not in shown.stdout + shown.stderr
    assert all(i in shown.stdout for i in good)
    assert shown.stderr.count("cannot be read and is not shown") == len(BAD_ROWS)
    as_json = cli("history", str(root), "-n", "50", "--json").assert_clean()
    assert [r["id"] for r in as_json.json()["runs"]] == list(reversed(good))
    again = cli("trigger", str(root), "/api/hello", "--no-dev", "--json").assert_clean()
    assert again.json()["state"] == "unreachable"  # the next command works


async def test_the_screen_shows_what_fits_and_reruns_safely(
    tmp_path: Path, figures: Figures
) -> None:
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    good, bad_request = hostile_history(root)
    figures.inputs("hostile projects", len(BAD_ROWS) + 2)
    store = RunStore(history_path(root))
    engine = Engine(discover(root), load_settings(root), store)
    app = create_app(engine, start_dev=False)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause(0.3)
            assert sorted(app.main.runs) == sorted(good), app.main.runs
            runs = app.main.runs_panel
            index = [r.id for r in runs.runs].index(bad_request)
            runs.table.move_cursor(row=index)
            await pilot.press("r")  # its request cannot be read: sent as a plain request
            await wait_for(pilot, lambda: len(app.main.runs) == len(good) + 1)
            await pilot.press("v")
            await pilot.pause(0.2)
            assert app.is_running
    finally:
        store.close()
