"""One project, one dev server: parallel `console trigger` processes start one server and share
it; "ready" means our own child answers; an attached server is watched and named."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.devserver.conftest import free_port
from tests.faults.conftest import FAULT_DIR, REPO, make_project
from tests.faults.figures import Figures

PARALLEL = 10


def test_ten_parallel_triggers_start_one_dev_server(tmp_path: Path, figures: Figures) -> None:
    """Before: six servers started, five died of EADDRINUSE but read `ready` because another's
    server answered the probe, and four runs failed when that server's owner exited."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    starts = tmp_path / "starts.txt"
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --starts {starts} --start-delay 1"
    root = make_project(tmp_path / "site", url=url, dev_command=command)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "console", "trigger", str(root), "/api/hello", "--json"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PARALLEL)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    succeeded = sum(1 for code, _, _ in results if code == 0)
    started = len(starts.read_text(encoding="ascii").split())
    figures.inputs("parallel triggers", PARALLEL)
    print(
        f"FIGURE servers started by {PARALLEL} parallel triggers: {started}; runs succeeded: {succeeded}"
    )
    assert started == 1
    for code, _out, err in results:
        assert code == 0 and "Traceback" not in err, err
    assert succeeded == PARALLEL
    # The server went down with its owner, after the last run on it.
    assert not answers(port), "the dev server outlived the console processes"


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True
