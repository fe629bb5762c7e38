"""The functions server supervisor: finding the CLI, its port, its states, and nothing left behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.devserver.functions import (
    FunctionsServer,
    FunctionsServerChanged,
    FunctionsServerError,
    FunctionsState,
    find_netlify_cli,
    netlify_dev_serves_functions,
)
from console.engine.events import EventBus
from console.model import Project
from tests.devserver.conftest import free_port
from tests.devserver.functions_fixtures import (
    functions_project,
    functions_settings,
    install_fake_cli,
)


def no_cli(name: str) -> str | None:
    return None


def server_for(
    project: Project, dev_url: str, events: list[FunctionsServerChanged], **kw: object
) -> FunctionsServer:
    bus = EventBus()
    bus.subscribe(lambda e: events.append(e) if isinstance(e, FunctionsServerChanged) else None)
    settings = functions_settings(dev_url, **kw)  # type: ignore[arg-type]
    return FunctionsServer(project, settings, bus, on_lines=lambda lines: None, which=no_cli)


def test_the_project_cli_comes_before_the_one_on_path(tmp_path: Path) -> None:
    assert find_netlify_cli(tmp_path, which=lambda n: "/usr/bin/netlify") == "/usr/bin/netlify"
    cli = install_fake_cli(tmp_path)
    assert find_netlify_cli(tmp_path, which=lambda n: "/usr/bin/netlify") == str(cli)
    assert find_netlify_cli(tmp_path / "elsewhere", which=no_cli) is None


@pytest.mark.parametrize(
    ("command", "shared"),
    [
        ("netlify dev", True),
        ("npx netlify dev --offline", True),
        ("ntl dev", True),
        ("./node_modules/.bin/netlify dev", True),
        ("next dev", False),
        ("netlify functions:serve", False),
        ("netlify deploy", False),
    ],
)
def test_netlify_dev_is_told_from_other_commands(command: str, shared: bool) -> None:
    project = functions_project(Path("."), dev_script=command)
    assert netlify_dev_serves_functions(project, functions_settings("http://127.0.0.1:1")) is shared


async def test_no_functions_no_server(tmp_path: Path) -> None:
    events: list[FunctionsServerChanged] = []
    server = server_for(functions_project(tmp_path, routes=()), "http://127.0.0.1:1", events)
    assert server.state is FunctionsState.NONE and not server.needed
    assert await server.ensure() is FunctionsState.NONE
    assert server.pid is None


async def test_netlify_dev_serves_them_and_no_second_server_starts(tmp_path: Path) -> None:
    install_fake_cli(tmp_path)
    events: list[FunctionsServerChanged] = []
    url = "http://127.0.0.1:8888"
    server = server_for(functions_project(tmp_path), url, events, dev_command="netlify dev")
    assert await server.ensure() is FunctionsState.SHARED
    assert server.pid is None and not server.needed
    assert server.url == url


async def test_a_missing_cli_is_one_sentence_and_a_state(tmp_path: Path) -> None:
    events: list[FunctionsServerChanged] = []
    server = server_for(functions_project(tmp_path), "http://127.0.0.1:1", events)
    with pytest.raises(FunctionsServerError) as caught:
        await server.ensure()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the Netlify CLI is not installed in")
    assert "`npm i -D netlify-cli`" in message
    assert server.state is FunctionsState.NOT_INSTALLED
    assert events[-1].detail == "not installed: npm i -D netlify-cli"
    assert server.pid is None


async def test_it_starts_on_a_free_port_and_stops_with_nothing_left(tmp_path: Path) -> None:
    install_fake_cli(tmp_path)
    events: list[FunctionsServerChanged] = []
    lines: list[str] = []
    bus = EventBus()
    bus.subscribe(lambda e: events.append(e) if isinstance(e, FunctionsServerChanged) else None)
    server = FunctionsServer(
        functions_project(tmp_path),
        functions_settings("http://127.0.0.1:1"),
        bus,
        on_lines=lines.extend,
        which=no_cli,
    )
    assert await server.ensure() is FunctionsState.READY
    assert server.started_by_us and server.pid is not None
    assert server.url is not None and server.url.startswith("http://127.0.0.1:")
    assert [e.state for e in events] == [FunctionsState.STARTING, FunctionsState.READY]
    assert events[-1].url == server.url
    assert "functions:serve --offline --port" in events[0].detail
    await server.settle()
    assert any("Loaded function tick" in line for line in lines)
    # A second ensure attaches to what runs: no second process.
    pid = server.pid
    assert await server.ensure() is FunctionsState.READY
    assert server.pid == pid
    await server.stop()
    assert server.state is FunctionsState.STOPPED
    # (the autouse process mark fails the test if the fake CLI outlived stop())


async def test_a_configured_command_gets_the_port_of_the_configured_url(tmp_path: Path) -> None:
    cli = install_fake_cli(tmp_path)
    port = free_port()
    events: list[FunctionsServerChanged] = []
    server = server_for(
        functions_project(tmp_path),
        "http://127.0.0.1:1",
        events,
        command=f"{cli} functions:serve --port {{port}}",
        url=f"http://127.0.0.1:{port}",
    )
    try:
        assert await server.ensure() is FunctionsState.READY
        assert server.url == f"http://127.0.0.1:{port}"
        assert f"--port {port}" in events[0].detail
    finally:
        await server.stop()


async def test_it_attaches_to_a_server_already_at_the_configured_url(tmp_path: Path) -> None:
    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    listening = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    events: list[FunctionsServerChanged] = []
    # No CLI anywhere: attaching needs none.
    server = server_for(
        functions_project(tmp_path), "http://127.0.0.1:1", events, url=f"http://127.0.0.1:{port}"
    )
    try:
        assert await server.ensure() is FunctionsState.ATTACHED
        assert not server.started_by_us
        await server.stop()
        assert events[-1].state is FunctionsState.STOPPED
        assert "not started by the console and keeps running" in events[-1].detail
    finally:
        listening.close()
        await listening.wait_closed()


async def test_a_cli_that_exits_at_once_fails_with_its_last_lines(tmp_path: Path) -> None:
    events: list[FunctionsServerChanged] = []
    server = server_for(
        functions_project(tmp_path),
        "http://127.0.0.1:1",
        events,
        command="echo 'Error: no functions folder'; exit 3",
    )
    with pytest.raises(FunctionsServerError) as caught:
        await server.ensure()
    assert "the functions server" in str(caught.value)
    assert "exited with code 3" in str(caught.value)
    assert "no functions folder" in str(caught.value)
    assert server.state is FunctionsState.FAILED
