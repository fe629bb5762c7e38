"""The dev server supervisor against real child processes: start, attach, crash, fail, stop."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from console.devserver.supervisor import DevServer
from console.engine.events import DevServerChanged, DevState, Event, EventBus
from console.errors import DevServerError
from tests.devserver.conftest import (
    PY,
    http_server_command,
    make_project,
    make_settings,
)
from tests.devserver.procs import marked


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.events: list[Event] = []

    @property
    def states(self) -> list[DevState]:
        return [e.state for e in self.events if isinstance(e, DevServerChanged)]

    def changes(self) -> list[DevServerChanged]:
        return [e for e in self.events if isinstance(e, DevServerChanged)]


def supervisor(
    root: Path, port: int, command: str | None, *, start_timeout: float = 30
) -> tuple[DevServer, Recorder]:
    rec = Recorder()
    bus = EventBus()
    bus.subscribe(rec.events.append)
    settings = make_settings(f"http://127.0.0.1:{port}", command, start_timeout)
    dev = DevServer(make_project(root), settings, bus, on_lines=rec.lines.extend)
    return dev, rec


def get(port: int, path: str = "/") -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        return int(resp.status)


async def wait_for(predicate: object, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_starts_the_command_streams_its_lines_and_stops_the_whole_group(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    dev, rec = supervisor(tmp_path, port, http_server_command("echo hello from dev; "))
    assert await dev.ensure() is DevState.READY
    try:
        assert dev.started_by_us
        assert rec.states == [DevState.STARTING, DevState.READY]
        assert await asyncio.to_thread(get, port) == 200
        await wait_for(lambda: any("GET / HTTP" in line for line in rec.lines))
        assert "hello from dev" in rec.lines
        # guard, sh and the http.server grandchild all run under the mark
        assert len(marked(process_mark)) >= 3
    finally:
        await dev.stop()
    assert dev.state is DevState.STOPPED
    assert rec.states[-1] is DevState.STOPPED
    assert marked(process_mark) == []


async def test_attaches_to_a_server_that_already_answers_and_starts_nothing(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), http.server.SimpleHTTPRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dev, rec = supervisor(tmp_path, port, "exit 99")
        assert await dev.ensure() is DevState.ATTACHED
        assert not dev.started_by_us
        assert marked(process_mark) == []
        with pytest.raises(DevServerError, match="not started by the console"):
            await dev.restart()
        await dev.stop()
        assert dev.state is DevState.STOPPED
        assert "keeps running" in rec.changes()[-1].detail
        assert await asyncio.to_thread(get, port) == 200  # we did not touch it
    finally:
        server.shutdown()
        server.server_close()


async def test_a_crash_after_ready_is_an_event_with_the_exit_code(
    tmp_path: Path, port: int
) -> None:
    script = tmp_path / "crashy.py"
    script.write_text(
        "import os, socket, sys, time\n"
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen()\n"
        "print('listening', flush=True)\n"
        "s.accept()[0].close()\n"  # the readiness probe
        "print('out of memory, giving up', flush=True)\n"
        "sys.exit(3)\n"
    )
    dev, rec = supervisor(tmp_path, port, f"{PY} crashy.py")
    await dev.ensure()
    try:
        await wait_for(lambda: DevState.CRASHED in rec.states)
        crash = rec.changes()[-1]
        assert crash.exit_code == 3
        assert "code 3" in crash.detail
        assert "out of memory, giving up" in crash.detail
        assert dev.state is DevState.CRASHED
    finally:
        await dev.stop()


async def test_exiting_before_it_answers_fails_with_the_code_and_last_lines(
    tmp_path: Path, port: int
) -> None:
    dev, rec = supervisor(tmp_path, port, "echo 'Error: Cannot find module next'; exit 4")
    with pytest.raises(DevServerError) as err:
        await dev.ensure()
    assert "exited with code 4" in str(err.value)
    assert "Cannot find module next" in str(err.value)
    assert dev.state is DevState.FAILED
    assert rec.changes()[-1].exit_code == 4


async def test_giving_up_after_the_start_timeout_stops_what_it_started(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    dev, _rec = supervisor(
        tmp_path, port, "echo compiling forever; sleep 600 & wait", start_timeout=0.5
    )
    with pytest.raises(DevServerError) as err:
        await dev.ensure()
    message = str(err.value)
    assert f"did not answer at http://127.0.0.1:{port} within 0.5 s" in message
    assert "compiling forever" in message
    assert dev.state is DevState.FAILED
    assert marked(process_mark) == []


async def test_missing_node_modules_says_which_install_command_fixes_it(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    (tmp_path / "package.json").write_text('{"scripts": {"dev": "next dev"}}')
    rec = Recorder()
    bus = EventBus()
    bus.subscribe(rec.events.append)
    settings = make_settings(f"http://127.0.0.1:{port}")
    project = make_project(tmp_path, dev_script="next dev", manager="pnpm")
    dev = DevServer(project, settings, bus, on_lines=rec.lines.extend)
    with pytest.raises(DevServerError, match=r"node_modules is missing .*run `pnpm install`"):
        await dev.ensure()
    assert rec.states == [DevState.FAILED]
    assert marked(process_mark) == []


async def test_a_dev_command_from_console_toml_starts_without_node_modules(
    tmp_path: Path, port: int
) -> None:
    # A [dev] command (say, a Python stand-in or `netlify dev` installed globally) was refused
    # because the project had a package.json but no node_modules.
    (tmp_path / "package.json").write_text('{"scripts": {"dev": "next dev"}}')
    dev, rec = supervisor(tmp_path, port, http_server_command())
    dev.project = make_project(tmp_path, dev_script="next dev")
    assert await dev.ensure() is DevState.READY
    await dev.stop()
    assert rec.states[-1] is DevState.STOPPED


async def test_restart_runs_a_new_server(tmp_path: Path, port: int) -> None:
    dev, rec = supervisor(tmp_path, port, http_server_command())
    await dev.ensure()
    try:
        first = dev.pid
        await dev.restart()
        assert dev.state is DevState.READY
        assert dev.pid != first
        assert rec.states == [
            DevState.STARTING,
            DevState.READY,
            DevState.STOPPED,
            DevState.STARTING,
            DevState.READY,
        ]
    finally:
        await dev.stop()


async def test_a_server_that_ignores_sigterm_is_killed_after_the_grace_period(
    tmp_path: Path, port: int, process_mark: str
) -> None:
    stubborn = f"{PY} -c \"import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('stubborn', flush=True); time.sleep(600)\" & "
    dev, rec = supervisor(tmp_path, port, http_server_command(stubborn))
    await dev.ensure()
    await wait_for(lambda: "stubborn" in rec.lines)
    await dev.stop()
    assert marked(process_mark) == []


async def test_drain_delivers_lines_already_in_the_pipe(tmp_path: Path, port: int) -> None:
    dev, rec = supervisor(tmp_path, port, http_server_command())
    await dev.ensure()
    try:
        for n in range(5):
            # http.server logs the request to stderr before it sends the response, so once
            # the response is here the line is in the pipe: drain() must hand it over now.
            await asyncio.to_thread(get, port, f"/?n={n}")
            dev.drain()
            assert any(f"GET /?n={n} HTTP" in line for line in rec.lines), rec.lines
    finally:
        await dev.stop()


async def test_output_is_sanitized_before_anyone_sees_it(tmp_path: Path, port: int) -> None:
    noisy = (
        r"printf '\033[31mred\033[0m \033]0;title\007plain\n\377\376 bad bytes\n'; "
        f"{PY} -c \"print('x' * 100000)\"; "
    )
    dev, rec = supervisor(tmp_path, port, http_server_command(noisy))
    await dev.ensure()
    try:
        await wait_for(lambda: any(line.startswith("xxx") for line in rec.lines))
    finally:
        await dev.stop()
    assert "red plain" in rec.lines
    assert "\ufffd\ufffd bad bytes" in rec.lines
    long = next(line for line in rec.lines if line.startswith("xxx"))
    assert long.endswith(" … [cut 96000 chars]")
    assert all("\x1b" not in line and "\x07" not in line for line in rec.lines)


async def test_when_the_server_it_attached_to_goes_away_ensure_starts_one(
    tmp_path: Path, port: int
) -> None:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), http.server.SimpleHTTPRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    dev, rec = supervisor(tmp_path, port, http_server_command())
    try:
        assert await dev.ensure() is DevState.ATTACHED
    finally:
        server.shutdown()
        server.server_close()
    try:
        assert await dev.ensure() is DevState.READY
        assert dev.started_by_us
        assert rec.states == [DevState.ATTACHED, DevState.STARTING, DevState.READY]
    finally:
        await dev.stop()


async def test_a_caller_that_gave_up_waiting_leaves_a_start_the_next_one_finishes(
    tmp_path: Path, port: int
) -> None:
    dev, rec = supervisor(tmp_path, port, f"sleep 0.5; {http_server_command()}")
    first = asyncio.create_task(dev.ensure())
    await wait_for(lambda: dev.state is DevState.STARTING)
    first.cancel()  # as a Textual worker is cancelled when the key is pressed again
    with pytest.raises(asyncio.CancelledError):
        await first
    try:
        assert await dev.ensure() is DevState.READY
        assert dev.started_by_us
        assert rec.states == [DevState.STARTING, DevState.READY]
    finally:
        await dev.stop()


def test_a_server_that_died_is_seen_gone_before_its_guard_reaps_it() -> None:
    """CI once stopped a crashed dev server before its guard had noticed (the request that
    broke was the crash) and said `stopped`, not `crashed`: a stop first asks whether the
    guard's server still lives (console/devserver/supervisor.py `_server_gone`)."""
    import signal as _signal
    import subprocess as _subprocess

    from console.devserver.supervisor import _server_gone

    # The shell stands for the guard: its child leads a process group of its own.
    shell = _subprocess.Popen(
        ["sh", "-c", "setsid sleep 60 & echo $!; wait; exec sleep 60"],
        stdout=_subprocess.PIPE,
        text=True,
    )
    assert shell.stdout is not None
    server = int(shell.stdout.readline())
    try:
        deadline = time.monotonic() + 10
        while _server_gone(shell.pid) and time.monotonic() < deadline:
            time.sleep(0.02)  # setsid has not exec'd yet
        assert not _server_gone(shell.pid)
        os.kill(server, _signal.SIGKILL)
        while not _server_gone(shell.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _server_gone(shell.pid)
        assert not _server_gone(2**22 + 1)  # no such guard: not a crash to wait for
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(server, _signal.SIGKILL)
        shell.kill()
        shell.wait()
