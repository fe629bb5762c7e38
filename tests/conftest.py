"""What every folder of the suite shares: the tmux tests' own tmux server.

The tests marked `tmux` create a session each and kill it when done. On the user's default
server a killed last session makes the server exit, and a test that starts its session in that
moment gets `server exited unexpectedly` (seen once in CI, in tests/faults/test_signals.py).
So the suite runs its own server, in a private socket folder, held up by a session that lives
until the suite ends; the user's own tmux sessions are not touched either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

KEEPALIVE = "console-tests-keepalive"


@pytest.fixture(scope="session")
def tmux_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private tmux server for the session; yields its socket folder."""
    folder = tmp_path_factory.mktemp("tmux")
    saved = {name: os.environ.get(name) for name in ("TMUX_TMPDIR", "TMUX", "TMUX_PANE")}
    os.environ["TMUX_TMPDIR"] = str(folder)
    os.environ.pop("TMUX", None)  # inside tmux, the client would talk to the outer server
    os.environ.pop("TMUX_PANE", None)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", KEEPALIVE, "-x", "80", "-y", "24", "sleep 86400"],
        check=True,
    )
    try:
        yield str(folder)
    finally:
        subprocess.run(["tmux", "kill-server"], capture_output=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(autouse=True)
def _tmux_tests_use_the_private_server(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("tmux") and shutil.which("tmux"):
        request.getfixturevalue("tmux_server")
