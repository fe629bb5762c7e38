"""Bad networks and bad servers: each a run state with one clear sentence, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from console.engine import Engine, FakeClock, RunRequest, RunStore
from console.engine.history import BODY_LIMIT
from console.model import RunState, Target, TargetKind
from tests.engine.conftest import API, BACKGROUND, EngineFactory, project, settings_for
from tests.engine.server import Reply, ScriptedServer, closed_port, serving


async def test_connection_refused_on_local_says_the_dev_server_is_not_running(
    make_engine: EngineFactory, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    engine = make_engine(settings_for(url, tmp_path))
    run = await engine.run(API, engine.settings.local)
    assert run.state is RunState.UNREACHABLE
    assert run.reason is not None
    assert run.reason.startswith(f"the dev server is not running at {url}: start it with ")
    assert "`npm run dev`" in run.reason


async def test_connection_refused_on_a_background_run_is_not_retried(
    make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine(settings_for(f"http://127.0.0.1:{closed_port()}", tmp_path))
    run = await engine.run(BACKGROUND, engine.settings.local)
    assert run.state is RunState.UNREACHABLE
    assert run.attempts == 1


async def _with_transport(
    tmp_path: Path, store: RunStore, handler: httpx.MockTransport, url: str
) -> Engine:
    preview = Target("preview", TargetKind.PREVIEW, url)
    return Engine(
        project(tmp_path),
        settings_for("http://127.0.0.1:1", tmp_path, preview),
        store,
        clock=FakeClock(),
        transport=handler,
    )


async def test_dns_failure_names_the_host(tmp_path: Path, store: RunStore) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        # What httpcore raises when getaddrinfo fails (a real lookup would leave 127.0.0.1).
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    engine = await _with_transport(
        tmp_path, store, httpx.MockTransport(fail), "https://no-such-site.example"
    )
    try:
        run = await engine.run(API, engine.settings.target("preview"))
    finally:
        await engine.close()
    assert run.state is RunState.UNREACHABLE
    assert run.reason == "the host name no-such-site.example could not be resolved"


async def test_tls_verification_is_on_by_default_and_insecure_turns_it_off(
    make_engine: EngineFactory, tmp_path: Path
) -> None:
    with serving(tls=True) as tls:
        preview = Target("preview", TargetKind.PREVIEW, tls.url)
        engine = make_engine(settings_for("http://127.0.0.1:1", tmp_path, preview))
        refused = await engine.run(API, preview)
        assert refused.state is RunState.UNREACHABLE
        assert refused.reason == (
            f"the TLS certificate of {tls.url} could not be verified (use --insecure to skip the check)"
        )
        assert tls.received == []
        ok = await engine.run(API, preview, RunRequest(insecure=True))
        assert ok.state is RunState.SUCCEEDED
        assert len(tls.received) == 1


async def test_reset_mid_body_fails_and_keeps_the_status(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    server.reply("/api/hello", Reply(body=b"x" * 100_000, reset_after=1000, chunk=500))
    engine = make_engine()
    run = await engine.run(API, engine.settings.local)
    assert run.state is RunState.FAILED
    assert run.reason == f"the connection to {server.url} broke before the response was complete"
    assert run.http_status == 200
    [attempt] = engine.store.attempts(run.id)
    assert attempt.http_status == 200 and attempt.error == run.reason


async def test_a_big_response_is_stored_truncated(
    make_engine: EngineFactory, server: ScriptedServer
) -> None:
    body = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    server.reply("/api/hello", Reply(body=body))
    engine = make_engine()
    run = await engine.run(API, engine.settings.local)
    assert run.state is RunState.SUCCEEDED
    [attempt] = engine.store.attempts(run.id)
    assert attempt.body == body[:BODY_LIMIT]
    assert attempt.body_size == len(body) == 10 * 1024 * 1024
    assert attempt.truncated


async def test_a_redirect_to_another_host_drops_the_targets_headers(
    make_engine: EngineFactory,
    server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_KEY", "k-123")
    with serving() as other:
        other_url = other.url.replace("127.0.0.1", "localhost")
        server.reply("/api/hello", Reply(status=307, headers={"location": f"{other_url}/landed"}))
        server.reply("/api/users/1", Reply(status=307, headers={"location": "/api/users/2"}))
        preview = Target(
            "preview",
            TargetKind.PREVIEW,
            server.url,
            (("Authorization", "Bearer ${API_KEY}"), ("X-Api-Key", "${API_KEY}")),
            follow_redirects=True,  # another origin: followed only when the target opts in
        )
        engine = make_engine(settings_for(server.url, tmp_path, preview))
        run = await engine.run(API, preview)
        assert run.state is RunState.SUCCEEDED
        [landed] = other.received
        assert landed.path == "/landed"
        assert "authorization" not in landed.headers
        assert "x-api-key" not in landed.headers
        assert server.received[0].headers["x-api-key"] == "k-123"

        from tests.engine.conftest import USER

        same = await engine.run(USER, preview, RunRequest(params={"id": "1"}))
        assert same.state is RunState.SUCCEEDED
        followed = server.received[-1]
        assert followed.path == "/api/users/2"
        assert followed.headers["x-api-key"] == "k-123"  # same origin: kept


async def test_a_server_that_closes_without_answering_fails(
    tmp_path: Path, store: RunStore
) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    engine = await _with_transport(tmp_path, store, httpx.MockTransport(drop), "https://x.example")
    try:
        run = await engine.run(API, engine.settings.target("preview"))
    finally:
        await engine.close()
    assert run.state is RunState.FAILED
    assert run.http_status is None
    assert "broke before the response was complete" in (run.reason or "")


async def test_too_many_redirects_fail(make_engine: EngineFactory, server: ScriptedServer) -> None:
    server.reply("/api/hello", Reply(status=302, headers={"location": "/api/hello"}))
    engine = make_engine()
    run = await engine.run(API, engine.settings.local)
    assert run.state is RunState.FAILED
    assert run.reason == "more than 10 redirects"
