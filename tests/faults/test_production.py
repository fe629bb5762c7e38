"""Nothing reaches a production target without its confirmation: every way to trigger is driven
with production selected (key, enter, palette, rerun, the scheduler, the engine's own calls, the
command line with every spelling of the URL), and the production server counts what it got."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.engine import Engine, FakeClock, RunStore, history_path
from console.model import RunState, TargetKind
from console.project import discover
from console.settings import load_settings
from console.ui.app import ConsoleApp, create_app
from console.ui.screens.dialogs import ConfirmDialog
from tests.faults.conftest import API, cli, make_project, scheduled
from tests.faults.figures import Figures
from tests.ui.conftest import wait_for
from tests.ui.server import RecordingServer, serving
from tests.ui.test_keys import select_route

NOW = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)
ROUTES = {"hello": API, "tick": scheduled("* * * * *")}


@pytest.fixture
def servers() -> Iterator[tuple[RecordingServer, RecordingServer]]:
    with serving() as local, serving() as production:
        yield local, production


def production_project(root: Path, local: str, production: str) -> Path:
    toml = f'[targets.production]\nkind = "production"\nurl = "{production}"\n'
    return make_project(root, url=local, routes=ROUTES, toml=toml)


@pytest.fixture
async def app(
    tmp_path: Path, servers: tuple[RecordingServer, RecordingServer]
) -> AsyncIterator[ConsoleApp]:
    local, production = servers
    root = production_project(tmp_path / "site", local.url, production.url)
    store = RunStore(history_path(root))
    clock = FakeClock(NOW)
    engine = Engine(discover(root), load_settings(root), store, clock=clock)
    yield create_app(engine, start_dev=False, clock=clock, target="production")
    store.close()


async def declined(pilot, app: ConsoleApp) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main)


async def test_every_way_to_trigger_asks_first(
    app: ConsoleApp, servers: tuple[RecordingServer, RecordingServer], figures: Figures
) -> None:
    local, production = servers
    async with app.run_test(size=(120, 35)) as pilot:
        assert app.main.target.kind is TargetKind.PRODUCTION
        select_route(app, "/api/hello")
        ways = 0
        await pilot.press("t")  # the key
        await declined(pilot, app)
        app.main.routes_panel.table.focus()
        await pilot.press("enter")  # the other key
        await declined(pilot, app)
        command = next(
            c for c in app.get_system_commands(app.main) if c.title.startswith("Trigger")
        )
        await command.callback()  # type: ignore[misc]  # the palette
        await declined(pilot, app)
        ways += 3
        assert production.paths() == []
        # Confirmed once: it goes, once. Then its rerun asks again.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: production.paths() == ["/api/hello"])
        await wait_for(pilot, lambda: app.main.runs_panel.runs[0].state is RunState.SUCCEEDED)
        app.main.runs_panel.focus()
        await pilot.press("r")  # rerun
        await declined(pilot, app)
        ways += 1
        # The engine's own doors are locked too, whatever the screen does.
        engine = app.engine
        route = engine.project.route("/api/hello")
        assert route is not None
        refused = engine.submit(route, engine.settings.target("production"))
        first = app.main.runs_panel.runs[-1]
        again = engine.rerun(first.id)
        assert refused.state is RunState.REFUSED and again.state is RunState.REFUSED
        ways += 2
        # The scheduler, switched on with production selected, fires on local only.
        await pilot.press("s")
        assert engine.scheduler.enabled
        clock = app.clock
        assert isinstance(clock, FakeClock)
        for _ in range(3):
            await clock.sleepers(1)
            await clock.advance(60)
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: local.paths().count("/api/tick") == 3)
        ways += 1
        await pilot.pause(0.2)
    figures.inputs("production", ways)
    assert production.paths() == ["/api/hello"]  # the one confirmed request, nothing else
    assert all(p == "/api/tick" for p in local.paths())


@pytest.mark.parametrize(
    "spelling",
    [
        "{url}",
        "{url}/",
        "{url}//",
        "{scheme}://LOCALHOST:{port}",
        "{scheme}://LocalHost:{port}/",
        "HTTP://localhost:{port}",
        # Sites, not strings: before, each of these reached production without --yes.
        "https://localhost:{port}",
        "http://localhost.:{port}",
        "HTTP://LOCALHOST.:{port}/",
        "http://127.0.0.1:{port}",
        "http://2130706433:{port}",
        "http://0x7f000001:{port}",
        "http://127.1:{port}",
        "http://[::ffff:127.0.0.1]:{port}",
        "http://[::1]:{port}",
        "http://bob:pw-of-bob@localhost:{port}",
    ],
)
def test_the_command_line_needs_yes_however_the_url_is_written(
    tmp_path: Path,
    servers: tuple[RecordingServer, RecordingServer],
    figures: Figures,
    spelling: str,
) -> None:
    local, production = servers
    url = production.url.replace("127.0.0.1", "localhost")
    root = production_project(tmp_path / "site", local.url, url)
    port = url.rsplit(":", 1)[1]
    given = spelling.format(url=url, scheme="http", port=port)
    r = cli("trigger", str(root), "/api/hello", "--url", given, "--json").assert_clean()
    figures.inputs("production")
    assert r.code == 2, r.stdout + r.stderr
    assert r.json()["state"] == "refused"
    assert "is production" in r.stderr
    assert production.paths() == []
    by_name = cli("trigger", str(root), "/api/hello", "--target", "production").assert_clean()
    assert by_name.code == 2 and production.paths() == []
    if given.startswith("https") or "[::" in given:
        return  # TLS to a plain server, or an address it may not listen on: refused is the point
    sent = cli("trigger", str(root), "/api/hello", "--url", given, "--yes").assert_clean()
    assert sent.code == 0 and production.paths() == ["/api/hello"]


@pytest.mark.parametrize(
    "spelling",
    [
        "https://127.0.0.2:443",
        "http://127.0.0.2:80/",
        "http://2130706434",
        "http://0x7f000002",
        "http://127.2",
        "http://[::ffff:127.0.0.2]",
        "http://0177.0.0.2",
        "https://LOCALHOST.",  # every loopback address is one host: production's, on its port
    ],
)
def test_production_on_a_default_port_is_production_on_every_default_port(
    tmp_path: Path, servers: tuple[RecordingServer, RecordingServer], spelling: str
) -> None:
    """Production at `http://127.0.0.2` (port 80, where nothing listens: a slip fails closed)."""
    local, _ = servers
    root = production_project(tmp_path / "site", local.url, "http://127.0.0.2")
    r = cli("trigger", str(root), "/api/hello", "--url", spelling, "--json").assert_clean()
    assert r.code == 2, r.stdout + r.stderr
    assert r.json()["state"] == "refused" and r.json()["target_kind"] == "production"
    assert local.paths() == []


@pytest.mark.parametrize(
    ("kind", "production", "other"),
    [
        ("preview", "https://acme.netlify.app", "http://acme.netlify.app:443"),
        ("preview", "https://acme.netlify.app", "https://ACME.netlify.app./"),
        ("preview", "http://acme.netlify.app", "https://acme.netlify.app:8443"),
        ("preview", "http://127.0.0.2", "http://2130706434"),
        ("preview", "http://127.0.0.2", "http://[::ffff:127.0.0.2]:80"),
        ("local", "http://localhost:3000", "http://127.0.0.1:3000"),
        ("local", "https://bob:pw@acme.netlify.app", "http://acme.netlify.app"),
    ],
)
def test_a_production_target_on_the_site_of_another_target_is_refused(
    tmp_path: Path, kind: str, production: str, other: str
) -> None:
    """Before: accepted, so a plain trigger (or every scheduler fire) went to production."""
    toml = (
        f'[targets.production]\nkind = "production"\nurl = "{production}"\n\n'
        f'[targets.other]\nkind = "{kind}"\nurl = "{other}"\n'
    )
    root = make_project(tmp_path / "site", toml=toml)
    for args in (
        ("trigger", str(root), "/api/hello", "--target", "other"),
        ("target", "list", str(root)),
    ):
        r = cli(*args).assert_clean()
        assert r.code == 2, r.stdout + r.stderr
        [sentence] = r.stderr.strip().splitlines()
        assert "the production target 'production'" in sentence
        assert f"the {kind} target 'other'" in sentence
        assert "pw" not in sentence  # the credentials in a URL are never shown
    # `target add` will not write such a file either, and leaves the one there as it was.
    fresh = make_project(tmp_path / "fresh")
    before = (fresh / "console.toml").read_text()
    ok = cli("target", "add", str(fresh), "other", other, "--kind", kind).assert_clean()
    assert ok.code == 0, ok.stderr
    written = (fresh / "console.toml").read_text()
    added = cli("target", "add", str(fresh), "production", production, "--kind", "production")
    assert added.assert_clean().code == 2
    assert added.stderr.startswith(
        "console: target 'production' not added: the production target 'production'"
    )
    assert f"the {kind} target 'other'" in added.stderr and "pw" not in added.stderr
    assert (fresh / "console.toml").read_text() == written != before


def test_the_dev_server_url_on_the_production_site_is_refused(tmp_path: Path) -> None:
    toml = '[targets.production]\nkind = "production"\nurl = "http://127.0.0.1:3000"\n'
    root = make_project(tmp_path / "site", toml=toml)  # the default local is localhost:3000
    r = cli("trigger", str(root), "/api/hello").assert_clean()
    assert r.code == 2
    assert "the local target 'local' (http://localhost:3000)" in r.stderr
