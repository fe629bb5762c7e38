"""Hostile output from the dev server: terminal sequences, markup, NULs, broken UTF-8, a 5 MB line,
100 MB in a burst. The console shows inert, cut text; the terminal's title and state do not
change; memory stays bounded."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.engine import Engine, LogLine, RunStore, history_path
from console.project import discover
from console.settings import load_settings
from console.ui.app import create_app
from tests.devserver.conftest import free_port
from tests.faults.conftest import FAULT_DIR, REPO, make_project
from tests.faults.fake_dev import HOSTILE_LINES, VISIBLE_MARKERS
from tests.faults.figures import Figures
from tests.ui.conftest import wait_for

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
GIANT_MB = 5
# What each hostile line must read as once made safe (tabs stay in the engine's lines).
EXPECTED = {
    "MARK-title": "MARK-title after-title",
    "MARK-title2": "MARK-title2 after-title2",
    "MARK-clear": "MARK-clear after-clear",
    "MARK-link": "MARK-link click-me after-link",
    "MARK-cursor": "MARK-cursor  after-cursor",
    "MARK-colour": "MARK-colour red true after-colour",
    "MARK-markup": "MARK-markup [bold red]not bold[/] [link=https://evil.example]x[/link] [/] "
    "[@click=app.quit]q[/]",
    "MARK-nul": "MARK-nul abc after-nul",
    "MARK-utf8": "MARK-utf8 café \ufffd\ufffd\ufffd after-utf8",
    "MARK-c1": "MARK-c1  after-c1",
    "MARK-dcs": "MARK-dcs  after-dcs",
    "MARK-bell": "MARK-bell  after-bell",
    "MARK-cr": "100% after-cr",
    "MARK-tab": "MARK-tab a\tb after-tab",
}


def hostile_project(root: Path, flags: str) -> Path:
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} {flags}"
    return make_project(root, url=f"http://127.0.0.1:{free_port()}", dev_command=command)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    root = hostile_project(tmp_path / "site", f"--hostile --giant-mb {GIANT_MB}")
    store = RunStore(history_path(root))
    yield Engine(discover(root), load_settings(root), store)
    store.close()


async def test_the_engine_passes_on_inert_cut_lines(engine: Engine, figures: Figures) -> None:
    lines: list[str] = []
    engine.bus.subscribe(lambda e: isinstance(e, LogLine) and lines.append(e.text))
    await engine.start()
    try:
        assert engine.dev is not None
        await engine.dev.ensure()
        end = time.monotonic() + 20
        while not any(line == "ready" for line in lines):
            assert time.monotonic() < end, lines
            await asyncio.sleep(0.02)
    finally:
        await engine.close()
    figures.inputs("hostile lines", len(HOSTILE_LINES) + 1)
    assert "MARK-cr" in VISIBLE_MARKERS
    for line in lines:
        assert not CONTROL.search(line), repr(line)
    for text in EXPECTED.values():
        assert text in lines
    [giant] = [line for line in lines if line.startswith("GIANT-START")]
    assert len(giant) < 4100
    cut = int(re.search(r"\[cut (\d+) chars\]$", giant).group(1))  # type: ignore[union-attr]
    assert cut > GIANT_MB * 1024 * 1024 - 4100


async def test_the_screen_shows_them_as_text(engine: Engine, figures: Figures) -> None:
    app = create_app(engine, start_dev=True)
    async with app.run_test(size=(160, 50)) as pilot:
        view = app.main.log_view
        await wait_for(pilot, lambda: any("MARK-tab" in t for t in view.shown_text()), 20)
        shown = view.shown_text()
        figures.inputs("hostile lines", len(HOSTILE_LINES))
        for marker, text in EXPECTED.items():
            want = text.expandtabs(4)  # the screen expands tabs
            assert any(t.endswith(want) for t in shown), (marker, shown)
        # What is drawn: plain text, no style from the line, no link, no action.
        view.focus()
        rows = 0
        for y in range(view.size.height):
            for segment in view.render_line(y):
                assert not CONTROL.search(segment.text), repr(segment.text)
                style = segment.style
                if style is not None:
                    assert style.link is None and set(style.meta) <= {"offset"}, style
                    assert not (style.bold and "not bold" in segment.text)
            rows += 1
        assert rows > 10
        assert app.is_running


@pytest.mark.parametrize(("mode", "budget_kb"), [("engine", 40_000), ("app", 80_000)])
def test_a_hundred_megabytes_of_output_in_bounded_memory(
    tmp_path: Path, figures: Figures, mode: str, budget_kb: int
) -> None:
    root = hostile_project(tmp_path / "site", "--hostile --giant-mb 5 --flood-mb 100")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.faults.flood_probe", mode, str(root)],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    figures.inputs("hostile lines", report["lines"])
    assert report["lines"] > 770_000
    grown = report["after_kb"] - report["before_kb"]
    assert grown < budget_kb, f"{mode}: the peak grew by {grown} kB over 100 MB of output"
    if mode == "app":
        assert report["running"] and report["kept"] == 10_000  # [ui] max_log_lines


# --- a real terminal ----------------------------------------------------------------------


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_terminal_title_and_state_do_not_change(tmp_path: Path, figures: Figures) -> None:
    root = hostile_project(tmp_path / "site", "--hostile")
    session = f"faults-{root.parent.name[-8:]}-{time.monotonic_ns() % 10**6}"
    shell = "sh -c 'printf \"\\033]2;before-title\\007\"; exec sh'"
    _tmux("new-session", "-d", "-s", session, "-x", "140", "-y", "45", shell)
    try:
        _tmux("resize-window", "-t", session, "-x", "140", "-y", "45")
        end = time.monotonic() + 10
        while _tmux("display", "-p", "-t", session, "#{pane_title}").strip() != "before-title":
            assert time.monotonic() < end, "the shell never set the title"
            time.sleep(0.05)
        command = f"cd {REPO} && env -u COLUMNS -u LINES {sys.executable} -m console open {root}"
        _tmux("send-keys", "-t", session, command, "Enter")
        end = time.monotonic() + 30
        while "after-tab" not in (screen := _tmux("capture-pane", "-p", "-t", session)):
            assert time.monotonic() < end, screen
            time.sleep(0.1)
        figures.inputs("hostile lines", len(HOSTILE_LINES))
        assert _tmux("display", "-p", "-t", session, "#{pane_title}").strip() == "before-title"
        assert "PWNED" not in screen
        assert "[bold red]not bold[/]" in screen  # markup shown as written
        assert "MARK-clear after-clear" in screen and "routes" in screen, screen
        _tmux("send-keys", "-t", session, "q")
        end = time.monotonic() + 15
        while _tmux("display", "-p", "-t", session, "#{alternate_on}").strip() != "0":
            assert time.monotonic() < end, "the console did not leave the alternate screen"
            time.sleep(0.1)
        time.sleep(0.5)
        state = _tmux(
            "display", "-p", "-t", session, "#{pane_title}|#{cursor_flag}|#{mouse_any_flag}"
        )
        assert state.strip() == "before-title|1|0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
