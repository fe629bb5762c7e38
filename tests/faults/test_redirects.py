"""A redirect never takes a request to production, and never leaves its origin silently.

Before: a local, preview or `--url` target answering `307 Location: <production>` made the
console send the same method and body to production, and the output said `<- 200 OK`; a dev
server with such a rule did it on every scheduler fire. Here real servers on 127.0.0.1 play
the redirecting target, production (which must receive nothing) and another origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.engine import Engine, FakeClock, RunStore, history_path
from console.model import RunState
from console.project import discover
from console.settings import load_settings
from tests.engine.server import Received, Reply, ScriptedServer, serving
from tests.engine.test_runs import _until
from tests.faults.conftest import API, cli, make_project, scheduled
from tests.faults.figures import Figures

ROUTES = {"hello": API, "tick": scheduled("* * * * *")}


@pytest.fixture
def production() -> Iterator[ScriptedServer]:
    with serving() as s:
        yield s


@pytest.fixture
def redirector() -> Iterator[ScriptedServer]:
    with serving() as s:
        yield s


@pytest.fixture
def elsewhere() -> Iterator[ScriptedServer]:
    with serving() as s:
        yield s


def production_url(production: ScriptedServer) -> str:
    return f"http://localhost:{production.port}"


def to(url: str, status: int = 307) -> Reply:
    return Reply(status=status, body=b"moved", headers={"location": url})


def site(root: Path, production: ScriptedServer, local: str | None, extra: str = "") -> Path:
    toml = (
        f'[targets.production]\nkind = "production"\nurl = "{production_url(production)}"\n\n'
        + extra
    )
    return make_project(root, url=local, routes=ROUTES, toml=toml)


def attempts(root: Path, run_id: str) -> list[dict[str, str]]:
    store = RunStore(history_path(root))
    try:
        return [dict(a.headers) for a in store.attempts(run_id)]
    finally:
        store.close()


# How the run reaches the redirecting server: as the local target, a preview, a bare --url.
WAYS = {
    "local": lambda r: (r.url, "", ("--no-dev",)),
    "preview": lambda r: (
        None,
        f'[targets.preview]\nkind = "preview"\nurl = "{r.url}"\n',
        ("--target", "preview"),
    ),
    "url": lambda r: (None, "", ("--url", r.url, "--no-dev")),
}


@pytest.mark.parametrize(
    ("way", "location"),
    [
        ("local", "{prod}/api/hello"),
        ("preview", "{prod}/api/hello"),
        ("url", "{prod}/api/hello"),
        ("local", "http://127.0.0.1:{port}/api/hello"),  # another spelling of production's site
        ("local", "http://2130706433:{port}/"),
        ("local", "https://[::ffff:127.0.0.1]:{port}/"),
        ("preview", "//localhost.:{port}/api/hello"),  # scheme-relative, trailing dot
    ],
)
def test_a_redirect_to_production_is_refused(
    tmp_path: Path,
    production: ScriptedServer,
    redirector: ScriptedServer,
    figures: Figures,
    way: str,
    location: str,
) -> None:
    prod = production_url(production)
    redirector.default = lambda _got: to(location.format(prod=prod, port=production.port))
    local, extra, args = WAYS[way](redirector)
    root = site(tmp_path / "site", production, local, extra)
    r = cli(
        "trigger", str(root), "/api/hello", "--method", "POST", "--data", '{"n": 1}', "--json",
        *args,
    ).assert_clean()  # fmt: skip
    figures.inputs("redirects")
    assert production.received == []  # nothing, not even a connection that sent a request
    assert len(redirector.received) == 1 and redirector.received[0].body == b'{"n": 1}'
    assert r.code == 2, r.stdout + r.stderr
    run = r.json()
    assert run["state"] == "refused"
    assert run["http_status"] == 307
    reason = run["reason"]
    assert f"{redirector.url}/api/hello answered 307 redirecting to " in reason
    assert f"which is the production target 'production' ({prod})" in reason
    assert "never takes a request to production" in reason
    assert "<- 200" not in r.stderr
    assert "console: refused: " in r.stderr
    [headers] = attempts(root, run["id"])
    assert headers["location"] == location.format(prod=prod, port=production.port)


async def test_the_scheduler_never_follows_a_redirect_to_production(
    tmp_path: Path, production: ScriptedServer, redirector: ScriptedServer, figures: Figures
) -> None:
    """A dev server with a redirect rule, and the scheduler on: each fire is refused."""
    redirector.reply("/api/tick", to(f"{production_url(production)}/api/tick", 308))
    root = site(tmp_path / "site", production, redirector.url)
    clock = FakeClock(datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC))
    store = RunStore(history_path(root))
    engine = Engine(discover(root), load_settings(root), store, clock=clock)
    engine.dev = None  # the redirecting server plays the dev server
    try:
        engine.scheduler.set_enabled(True)
        for fire in (1, 2, 3):
            await clock.sleepers(1)
            await clock.advance(60)
            await _until(lambda n=fire: sum(r.state.final for r in engine.recent_runs(5)) == n)
        runs = engine.recent_runs(5)
    finally:
        await engine.close()
        store.close()
    figures.inputs("redirects", 3)
    assert production.received == []
    assert [g.path for g in redirector.received] == ["/api/tick"] * 3
    assert [r.state for r in runs] == [RunState.REFUSED] * 3
    assert all("production target 'production'" in (r.reason or "") for r in runs)


def test_a_redirect_to_another_origin_is_not_followed_but_recorded(
    tmp_path: Path,
    production: ScriptedServer,
    redirector: ScriptedServer,
    elsewhere: ScriptedServer,
    figures: Figures,
) -> None:
    redirector.default = lambda _got: to(f"{elsewhere.url}/landed")
    extra = f'[targets.preview]\nkind = "preview"\nurl = "{redirector.url}"\n'
    root = site(tmp_path / "site", production, None, extra)
    r = cli("trigger", str(root), "/api/hello", "--target", "preview", "--json").assert_clean()
    figures.inputs("redirects")
    assert elsewhere.received == [] and production.received == []
    assert r.code == 1, r.stderr
    run = r.json()
    assert run["state"] == "failed" and run["http_status"] == 307
    assert run["reason"] == (
        f"{redirector.url}/api/hello answered 307 redirecting to {elsewhere.url}/landed, another "
        "origin: not followed (set follow_redirects = true on the target in console.toml to "
        "follow redirects to other origins)"
    )
    assert f"failed: {run['reason']}" in r.stderr
    [headers] = attempts(root, run["id"])
    assert headers["location"] == f"{elsewhere.url}/landed"
    shown = cli("history", str(root), "--json").assert_clean().json()
    assert shown["runs"][0]["reason"] == run["reason"]


def test_a_same_origin_redirect_is_followed(
    tmp_path: Path, production: ScriptedServer, redirector: ScriptedServer, figures: Figures
) -> None:
    redirector.reply("/api/hello", to("/api/hello/"))
    root = site(tmp_path / "site", production, redirector.url)
    r = cli("trigger", str(root), "/api/hello", "--no-dev", "--json").assert_clean()
    figures.inputs("redirects")
    assert r.code == 0, r.stderr
    assert r.json()["state"] == "succeeded"
    assert redirector.paths() == ["/api/hello", "/api/hello/"]
    assert f"<- 307 Temporary Redirect: following it to {redirector.url}/api/hello/" in r.stderr


def test_a_target_that_opts_in_follows_other_origins_but_never_to_production(
    tmp_path: Path,
    production: ScriptedServer,
    redirector: ScriptedServer,
    elsewhere: ScriptedServer,
    figures: Figures,
) -> None:
    """`follow_redirects = true`: another origin is followed (without the target's headers);
    a chain that ends at production is still refused at the hop that would reach it."""
    redirector.default = lambda _got: to(f"{elsewhere.url}/landed")
    elsewhere.reply("/landed", Reply(body=b'{"landed": true}'))
    elsewhere.reply("/onwards", to(f"{production_url(production)}/api/hello"))
    extra = (
        f'[targets.preview]\nkind = "preview"\nurl = "{redirector.url}"\n'
        'follow_redirects = true\nheaders = { Authorization = "Bearer ${TOKEN}" }\n'
    )
    root = site(tmp_path / "site", production, None, extra)
    args = ("trigger", str(root), "/api/hello", "--target", "preview", "--json")
    followed = cli(*args, env={"TOKEN": "tok-opt-in-3b2a"}).assert_clean()
    assert followed.code == 0, followed.stderr
    assert followed.json()["state"] == "succeeded"
    [landed] = elsewhere.received
    assert "authorization" not in landed.headers
    redirector.default = lambda _got: to(f"{elsewhere.url}/onwards")
    chained = cli(*args, env={"TOKEN": "tok-opt-in-3b2a"}).assert_clean()
    figures.inputs("redirects", 2)
    assert production.received == []
    assert [g.path for g in elsewhere.received] == ["/landed", "/onwards"]
    assert chained.code == 2
    run = chained.json()
    assert run["state"] == "refused"
    assert run["reason"].startswith(f"{elsewhere.url}/onwards answered 307 redirecting to ")


def received(server: ScriptedServer) -> list[Received]:
    with server.lock:
        return list(server.received)


def test_a_confirmed_production_run_follows_its_own_redirects_only(
    tmp_path: Path, production: ScriptedServer, figures: Figures
) -> None:
    """Confirmed production may redirect within itself; the rule is about unasked requests."""
    production.reply("/api/hello", to("/api/hello/"))
    root = site(tmp_path / "site", production, None)
    r = cli(
        "trigger", str(root), "/api/hello", "--target", "production", "--yes", "--json"
    ).assert_clean()
    figures.inputs("redirects")
    assert r.code == 0, r.stderr
    assert [g.path for g in received(production)] == ["/api/hello", "/api/hello/"]
    assert json.loads(r.stdout)["state"] == "succeeded"
