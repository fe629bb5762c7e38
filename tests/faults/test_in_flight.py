"""Work per tick: at most `[limits] max_in_flight` requests in flight per target; the rest wait
`queued`, in order, and quitting records them `cancelled` at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from console.engine import Engine, FakeClock, RunRequest, RunStore
from console.model import Route, RouteKind, RunState
from console.settings import Limits
from tests.engine.conftest import API, START, project, settings_for
from tests.engine.test_runs import _until
from tests.faults.figures import Figures


class CountingServer:
    """Counts requests in flight at once (and the most ever); holds each until released."""

    def __init__(self, hold: float = 0.02) -> None:
        self.hold = hold
        self.gate = threading.Event()  # set: answer after `hold`; clear: wait for it
        self.gate.set()
        self.now = 0
        self.most = 0
        self.arrivals: list[int] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                query = parse_qs(urlsplit(self.path).query)
                with outer._lock:
                    outer.now += 1
                    outer.most = max(outer.most, outer.now)
                    outer.arrivals.append(int(query.get("n", ["-1"])[0]))
                try:
                    outer.gate.wait(30)
                    time.sleep(outer.hold)
                    body = b"{}"
                    self.send_response(200)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with outer._lock:
                        outer.now -= 1

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that gave up (the console quitting) is expected here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def counting() -> Iterator[CountingServer]:
    s = CountingServer()
    yield s
    s.close()


def engine_for(
    tmp_path: Path, url: str, limit: int, routes: tuple[Route, ...] = (API,)
) -> tuple[Engine, RunStore, FakeClock]:
    store = RunStore(tmp_path / ".console" / "history.sqlite3")
    settings = replace(
        settings_for(url, tmp_path), limits=Limits(max_in_flight=limit, api=600, scheduled=600)
    )
    clock = FakeClock(START)
    return Engine(project(tmp_path, routes), settings, store, clock=clock), store, clock


async def test_requests_in_flight_are_bounded_and_sent_in_order(
    tmp_path: Path, counting: CountingServer, figures: Figures
) -> None:
    """Before: every submitted run was sent at once (4,763 in one minute)."""
    engine, store, _ = engine_for(tmp_path, counting.url, limit=4)
    try:
        local = engine.settings.local
        runs = [engine.submit(API, local, RunRequest(query=(("n", str(i)),))) for i in range(40)]
        await _until(lambda: all((engine.get(r.id) or r).state.final for r in runs), 60)
        states = {(engine.get(r.id) or r).state for r in runs}
        assert states == {RunState.SUCCEEDED}
        figures.inputs("in-flight runs", len(runs))
        assert counting.most == 4
        assert engine.gate(local).most == 4
        # In order: no request goes out ahead of an earlier one by more than the limit.
        for k, n in enumerate(counting.arrivals):
            assert n < k + 4, counting.arrivals
        queued_lines = [
            line for r in runs for line in (store.get(r.id) or r).logs if line.startswith("queued")
        ]
        assert len(queued_lines) == 36  # each run that waited says why
    finally:
        await engine.close()
        store.close()


async def test_a_minute_with_many_scheduled_routes_sends_at_most_the_limit(
    tmp_path: Path, counting: CountingServer, figures: Figures
) -> None:
    n = 300
    routes = tuple(
        Route(f"/api/tick{i}", RouteKind.SCHEDULED, "* * * * *", f"pages/api/tick{i}.js", 1, "t")
        for i in range(n)
    )
    engine, store, clock = engine_for(tmp_path, counting.url, limit=8, routes=routes)
    try:
        engine.scheduler.set_enabled(True)
        await clock.sleepers(1)
        await clock.advance(30)  # 10:01:00: every route fires
        await _until(lambda: len(counting.arrivals) == n, 120)
        await _until(lambda: not engine.active_runs(), 60)
        runs = engine.recent_runs(n)
        assert len(runs) == n and {r.state for r in runs} == {RunState.SUCCEEDED}
        print(f"FIGURE {n} scheduled routes in one minute: at most {counting.most} in flight")
        figures.inputs("in-flight runs", n)
        assert counting.most <= 8
    finally:
        await engine.close()
        store.close()


async def test_quitting_with_queued_runs_records_them_cancelled(
    tmp_path: Path, counting: CountingServer
) -> None:
    """Before: 3,065 runs were left `queued` and quitting took 26 s."""
    counting.gate.clear()  # the server holds every request
    engine, store, _ = engine_for(tmp_path, counting.url, limit=3)
    local = engine.settings.local
    runs = [engine.submit(API, local, RunRequest(query=(("n", str(i)),))) for i in range(30)]
    await _until(lambda: counting.now == 3)
    await engine.close("the console is quitting")
    try:
        stored = [store.get(r.id) for r in runs]
        assert all(s is not None and s.state is RunState.CANCELLED for s in stored)
        reasons = [s.reason or "" for s in stored if s is not None]
        queued = [r for r in reasons if r.startswith("cancelled while queued")]
        assert len(queued) == 27
        assert all("(the console is quitting)" in r for r in reasons)
        assert sorted(counting.arrivals) == [0, 1, 2]  # the queued ones were never sent
    finally:
        store.close()


@pytest.mark.parametrize("value", [0, -1, 1001, 2.5, True, "8"])
def test_a_max_in_flight_out_of_range_is_one_sentence(tmp_path: Path, value: object) -> None:
    from console.errors import SettingsError
    from console.settings import parse_settings

    with pytest.raises(SettingsError, match=r"`limits.max_in_flight` must be a whole number"):
        parse_settings({"limits": {"max_in_flight": value}}, tmp_path / "console.toml")
    ok = parse_settings({"limits": {"max_in_flight": 1}}, tmp_path / "console.toml")
    assert ok.limits.max_in_flight == 1


async def test_the_gate_serves_in_order_and_forgets_a_waiter_that_gave_up() -> None:
    import asyncio

    from console.engine.in_flight import InFlightGate

    gate = InFlightGate(1)
    await gate.acquire()
    order: list[int] = []

    async def take(i: int) -> None:
        await gate.acquire()
        order.append(i)

    tasks = [asyncio.create_task(take(i)) for i in range(4)]
    await asyncio.sleep(0)
    assert gate.waiting == 4
    tasks[1].cancel()  # gave up while waiting
    await asyncio.sleep(0)
    assert gate.waiting == 3
    for _ in range(3):
        gate.release()
        await asyncio.sleep(0)
    assert order == [0, 2, 3]
    assert gate.in_flight == 1 and gate.waiting == 0 and gate.most == 1
    await asyncio.gather(*tasks, return_exceptions=True)
