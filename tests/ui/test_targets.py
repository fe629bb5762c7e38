"""Targets and settings while the screen is open: console.toml reloads, the target picker, the
trigger dialog's query, method and body (issue 11), driven with Pilot against real servers."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, OptionList

from console.commands.open import watch_project
from console.engine import RunRequest
from console.errors import SettingsError
from console.model import RouteKind, Run, RunState, Target, TargetKind
from console.settings import Settings, add_target
from console.ui.ports import Update
from console.ui.screens.dialogs import ConfirmDialog
from console.ui.screens.request_dialog import RequestDialog
from console.ui.screens.targets import TargetPicker
from console.ui.widgets.header import HeaderBar
from tests.ui.conftest import ACME, NOW, SIZE, AppFactory, screen_lines, wait_for
from tests.ui.server import RecordingServer
from tests.ui.test_keys import select_route


class Feed:
    """What `console open`'s watcher hands the app, fed by the test when it wants."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Update] = asyncio.Queue()

    def __aiter__(self) -> Feed:
        return self

    async def __anext__(self) -> Update:
        return await self.queue.get()


def messages(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def with_target(settings: Settings, target: Target) -> Settings:
    return replace(settings, targets=(*settings.targets, target))


async def pick(pilot: object, app: object, name: str) -> None:
    await pilot.press("T")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, TargetPicker))  # type: ignore[arg-type, attr-defined]
    picker = app.screen  # type: ignore[attr-defined]
    index = [t.name for t in picker.targets].index(name)
    picker.query_one(OptionList).highlighted = index
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: app.screen is app.main)  # type: ignore[arg-type, attr-defined]


async def test_a_target_added_while_open_is_usable_at_once(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    feed = Feed()
    app = make_app(project_updates=feed)
    async with app.run_test(size=SIZE) as pilot:
        staging = Target("staging", TargetKind.PREVIEW, local_server.url)
        await feed.queue.put(with_target(app.engine.settings, staging))
        await wait_for(pilot, lambda: staging in app.engine.settings.targets)
        assert any("console.toml reloaded" in m and "staging (preview)" in m for m in messages(app))
        await pick(pilot, app, "staging")
        assert app.main.target == staging
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: local_server.paths() == ["/api/hello"])
        await wait_for(pilot, lambda: app.main.runs_panel.runs[0].target == "staging")


async def test_a_broken_console_toml_keeps_the_last_good_settings(make_app: AppFactory) -> None:
    feed = Feed()
    app = make_app(project_updates=feed)
    async with app.run_test(size=SIZE) as pilot:
        before = app.engine.settings
        await feed.queue.put(SettingsError("console.toml line 3: expected '=' after a key"))
        await wait_for(pilot, lambda: any("last good settings" in m for m in messages(app)))
        assert app.engine.settings is before
        text = [m for m in messages(app) if "last good settings" in m]
        assert text == [
            "console.toml line 3: expected '=' after a key; the last good settings stay in use."
        ]


async def test_keys_and_a_removed_target_follow_console_toml(make_app: AppFactory) -> None:
    feed = Feed()
    app = make_app(project_updates=feed)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "preview")
        assert app.main.target.name == "preview"
        settings = app.engine.settings
        gone = replace(
            settings,
            targets=tuple(t for t in settings.targets if t.name != "preview"),
            keys={"scheduler": "S"},
        )
        await feed.queue.put(gone)
        await wait_for(pilot, lambda: app.main.target.kind is TargetKind.LOCAL)
        assert any("target preview is gone, back to local" in m for m in messages(app))
        scheduler = app.engine.scheduler.enabled
        await pilot.press("S")
        assert app.engine.scheduler.enabled is not scheduler


async def test_the_picker_lists_every_target_and_production_still_asks(
    make_app: AppFactory, local_server: RecordingServer, prod_server: RecordingServer
) -> None:
    feed = Feed()
    app = make_app(project_updates=feed)
    async with app.run_test(size=SIZE) as pilot:
        second = Target("production-eu", TargetKind.PRODUCTION, prod_server.url)
        await feed.queue.put(with_target(app.engine.settings, second))
        await wait_for(pilot, lambda: second in app.engine.settings.targets)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TargetPicker))
        picker = app.screen
        assert isinstance(picker, TargetPicker)
        assert [(t.name, t.kind) for t in picker.targets] == [
            ("local", TargetKind.LOCAL),
            ("preview", TargetKind.PREVIEW),
            ("production", TargetKind.PRODUCTION),
            ("production-eu", TargetKind.PRODUCTION),
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        assert app.main.target.kind is TargetKind.LOCAL
        await pick(pilot, app, "production-eu")  # the second production: `p` never reached it
        assert app.main.target == second
        assert app.main.query_one(HeaderBar).has_class("-production")
        state = app.main.query_one(HeaderBar).state
        assert state is not None and state.target == second
        select_route(app, "/api/hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.pause(0.2)
        assert prod_server.paths() == []
        await pilot.press("l")  # the shortcuts stay
        assert app.main.target.kind is TargetKind.LOCAL


async def test_the_trigger_dialog_sends_query_method_and_body_and_remembers_them(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        dialog = app.screen
        dialog.query_one("#query", Input).value = "name=ada&n=2"
        dialog.query_one("#method", Input).value = "put"
        dialog.query_one("#body", Input).value = '{"x": 1}'
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(local_server.requests) == 1)
        sent = local_server.requests[0]
        assert (sent.method, sent.path) == ("PUT", "/api/hello?name=ada&n=2")
        assert json.loads(sent.body) == {"x": 1}
        assert {k.lower(): v for k, v in sent.headers.items()}["content-type"] == "application/json"
        await wait_for(pilot, lambda: app.main.runs_panel.runs[0].state.final)
        await pilot.press("m")  # the next time starts from the last run of the route
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        dialog = app.screen
        assert dialog.query_one("#query", Input).value == "name=ada&n=2"
        assert dialog.query_one("#method", Input).value == "PUT"
        assert json.loads(dialog.query_one("#body", Input).value) == {"x": 1}
        await pilot.press("escape")


async def test_the_trigger_dialog_says_what_is_wrong_and_sends_nothing(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/hello")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        dialog = app.screen
        dialog.query_one("#body", Input).value = "{not json"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RequestDialog)
        error = str(dialog.query_one("#dialog-error").render())
        assert "body is not valid JSON" in error
        dialog.query_one("#body", Input).value = ""
        dialog.query_one("#method", Input).value = "G3T"
        await pilot.press("enter")
        await pilot.pause()
        assert "G3T is not an HTTP method" in str(dialog.query_one("#dialog-error").render())
        await pilot.press("escape")
        await pilot.pause(0.2)
    assert local_server.requests == []


async def test_a_scheduled_route_keeps_the_platforms_method_and_body(
    make_app: AppFactory, local_server: RecordingServer
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select_route(app, "/api/cleanup")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        assert not app.screen.query("#method") and not app.screen.query("#body")
        app.screen.query_one("#query", Input).value = "dry=1"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(local_server.requests) == 1)
        sent = local_server.requests[0]
        assert (sent.method, sent.path) == ("POST", "/api/cleanup?dry=1")
        assert "next_run" in json.loads(sent.body)


async def test_the_watcher_reads_console_toml_again(tmp_path: Path) -> None:
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    updates = watch_project(site, settings=True)
    first = asyncio.ensure_future(anext(updates))
    await asyncio.sleep(0.5)  # the watcher is up
    add_target(site, Target("staging", TargetKind.PREVIEW, "https://staging.example.com"))
    settings = await asyncio.wait_for(first, timeout=15)
    assert isinstance(settings, Settings)
    assert settings.target("staging").url == "https://staging.example.com"
    second = asyncio.ensure_future(anext(updates))
    await asyncio.sleep(0.2)
    (site / "console.toml").write_text("[targets.staging\nkind = 'preview'\n")
    broken = await asyncio.wait_for(second, timeout=15)
    assert isinstance(broken, SettingsError)
    await updates.aclose()


async def test_the_trigger_dialog_fits_at_80x24(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        select_route(app, "/api/users/[id]")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        for shown in ("id ", "query", "method", "body", "Send", "Cancel"):
            assert shown in text


async def test_the_trigger_dialog_starts_from_the_routes_last_run_in_history(
    make_app: AppFactory, frozen: object
) -> None:
    app = make_app(clock=frozen)
    store = app.engine.store  # type: ignore[attr-defined]
    old = _run("/api/hello", 0)
    store.insert(old, RunRequest(method="PATCH", query=(("page", "3"),), body=b'{"a": 1}'))
    for i in range(1, 61):  # more than the screen keeps: the route's run is not on it
        store.insert(_run("/api/cleanup", i), RunRequest())
    async with app.run_test(size=SIZE) as pilot:
        assert old.id not in app.main.runs
        select_route(app, "/api/hello")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestDialog))
        dialog = app.screen
        assert dialog.query_one("#method", Input).value == "PATCH"
        assert dialog.query_one("#query", Input).value == "page=3"
        assert json.loads(dialog.query_one("#body", Input).value) == {"a": 1}


def _run(route: str, minute: int) -> Run:
    at = NOW - timedelta(hours=2) + timedelta(minutes=minute)
    return Run(
        id=f"20250603-1{minute:03d}-r",
        route=route,
        kind=RouteKind.API if route == "/api/hello" else RouteKind.SCHEDULED,
        target="local",
        target_kind=TargetKind.LOCAL,
        url="http://127.0.0.1:9" + route,
        method="GET",
        state=RunState.SUCCEEDED,
        deadline_s=10,
        created_at=at,
        started_at=at,
        finished_at=at + timedelta(seconds=1),
        attempts=1,
    )
