"""A stand-in for the console process: supervise a dev server, then die the way the test says.

Run as `python -m tests.devserver.supervised_console ROOT PORT MODE` from the repository root.
It deliberately never calls `stop()`: the dev server must go away however this process ends.
MODE `sleep` waits to be killed by a signal; MODE `raise` dies of an unhandled exception.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from console.devserver.supervisor import DevServer
from console.engine.events import EventBus
from tests.devserver.conftest import http_server_command, make_project, make_settings


async def main(root: Path, port: int, mode: str) -> None:
    settings = make_settings(f"http://127.0.0.1:{port}", http_server_command())
    dev = DevServer(make_project(root), settings, EventBus(), on_lines=lambda lines: None)
    state = await dev.ensure()
    print(f"{state} {dev.pid}", flush=True)
    if mode == "raise":
        raise RuntimeError("the console hit a bug")
    await asyncio.sleep(600)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
