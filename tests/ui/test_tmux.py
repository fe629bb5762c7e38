"""Smoke test in a real terminal: open a copy of the example site under tmux, trigger, quit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import ACME, ROOT
from tests.ui.server import RecordingServer

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def session() -> Iterator[str]:
    name = f"console-smoke-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def capture(name: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True)
    return out.stdout


def alive(name: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", name], capture_output=True).returncode == 0


def until(check: Callable[[], bool], what: str, timeout: float = 20.0, name: str = "") -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            screen = capture(name) if name and alive(name) else "(no session)"
            raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
        time.sleep(0.1)


def keys(name: str, *sent: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", name, *sent], check=True)


def test_open_trigger_quit(tmp_path: Path, session: str, local_server: RecordingServer) -> None:
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    (site / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "{local_server.url}"\n', encoding="utf-8"
    )
    # COLUMNS/LINES inherited from the test process would pin the app to 80x24.
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES {sys.executable} -m console open {site} --no-dev"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    # A new tmux server may size a detached window 80x24 whatever -x/-y say: set it again.
    subprocess.run(["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], check=True)
    until(lambda: "/api/hello" in capture(session), "the routes table", name=session)
    screen = capture(session)
    assert "acme" in screen and "local" in screen and local_server.url in screen

    keys(session, "/")
    until(lambda: "filter routes" in capture(session), "the filter box", name=session)
    keys(session, "hello")
    # The example's route count changes as it grows: "1/" is the filter's work.
    until(lambda: "routes 1/" in capture(session), "the filter to apply", name=session)
    keys(session, "Enter")
    time.sleep(0.5)  # a person's pause: the focus moves back to the table after the key
    keys(session, "t")
    until(lambda: local_server.paths() == ["/api/hello"], "the request", name=session)
    until(lambda: "succeeded" in capture(session), "the run to succeed", name=session)

    keys(session, "q")
    until(lambda: not alive(session), "the console to quit", timeout=10)


def capture_sgr(name: str) -> str:
    """The pane with its colours, as SGR escapes (what the app asked the terminal for)."""
    out = subprocess.run(
        ["tmux", "capture-pane", "-p", "-e", "-t", name], capture_output=True, text=True
    )
    return out.stdout


@pytest.mark.parametrize(
    ("env", "label"),
    [
        ("NO_COLOR=1", "no-color"),
        ("TERM=xterm TEXTUAL_COLOR_SYSTEM=standard", "16-colours"),
        ("TEXTUAL_THEME=textual-light", "light"),
        ("TEXTUAL_THEME=textual-dark", "dark"),
    ],
)
def test_open_in_every_terminal(
    tmp_path: Path, session: str, local_server: RecordingServer, env: str, label: str
) -> None:
    """NO_COLOR crashed the first frame; the screen must come up (and trigger, and quit) with it,
    on a 16-colour terminal, and in the light and the dark theme."""
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    (site / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "{local_server.url}"\n', encoding="utf-8"
    )
    # Textual draws on stderr, so the exit code is printed after the app has gone instead.
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES -u NO_COLOR {env} "
        f"{sys.executable} -m console open {site} --no-dev; echo console-exit=$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    subprocess.run(["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], check=True)
    until(lambda: "/api/hello" in capture(session), f"the routes table ({label})", name=session)
    until(lambda: "timeline" in capture(session), f"the timeline ({label})", name=session)
    keys(session, "/")
    until(lambda: "filter routes" in capture(session), f"the filter box ({label})", name=session)
    keys(session, "hello")
    until(lambda: "routes 1/" in capture(session), f"the filter ({label})", name=session)
    keys(session, "Enter")
    time.sleep(0.5)  # a person's pause: the focus moves back to the table after the key
    keys(session, "t")
    until(lambda: "succeeded" in capture(session), f"a run to succeed ({label})", name=session)
    sgr = capture_sgr(session)
    if label == "16-colours":
        # Only the 16 ANSI colours: no 256-colour or true-colour escapes reach the terminal.
        assert "38;2;" not in sgr and "48;2;" not in sgr and "38;5;" not in sgr
    if label == "no-color":
        # Greys only: every true colour the app sends has r == g == b.
        import re

        for r, g, b in re.findall(r"[34]8;2;(\d+);(\d+);(\d+)", sgr):
            assert r == g == b, f"a colour under NO_COLOR: {r};{g};{b}"
    keys(session, "q")
    until(lambda: "console-exit=" in capture(session), "the console to quit", name=session)
    screen = capture(session)
    assert "console-exit=0" in screen and "Traceback" not in screen, screen


@pytest.mark.parametrize(("size", "least"), [((80, 24), 8), ((140, 45), 20), ((200, 60), 32)])
@pytest.mark.parametrize("env", ["", "NO_COLOR=1"])
def test_a_32_route_project_fills_the_terminal(
    tmp_path: Path, session: str, size: tuple[int, int], least: int, env: str
) -> None:
    """In a real terminal: the routes table gets the rows an empty runs list does not need,
    the timeline strips sit on the routes' own rows, the footer shows whole keys only."""
    from tests.ui.demo import generated_project

    site = generated_project(tmp_path / "p32", 32)
    width, height = size
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES -u NO_COLOR {env} "
        f"{sys.executable} -m console open {site} --no-dev; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    subprocess.run(
        ["tmux", "resize-window", "-t", session, "-x", str(width), "-y", str(height)], check=True
    )
    # Generous: a loaded machine starts Python, Textual and the discovery process slowly.
    until(lambda: "route-0000" in capture(session), "the routes", timeout=60, name=session)
    until(lambda: "timeline 24h" in capture(session), "the strips", timeout=60, name=session)
    lines = capture(session).splitlines()
    shown = [i for i in range(32) if any(f"/api/gen/route-{i:04d} " in x for x in lines)]
    assert len(shown) >= least, "\n".join(lines)
    footer = lines[-1] if len(lines) >= height else ""
    assert footer.rstrip().endswith("^p palette"), footer
    assert "paletteo" not in footer and "? help" in footer
    keys(session, "q")
    until(lambda: "route-0000" not in capture(session), "the console to quit", name=session)
