"""Nothing unbounded: the history's size, what `console open` reads at start, `history --json`,
the range of every argument, and a compressed body that inflates without end."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import threading
import tracemalloc
import zlib
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from console.engine import Engine, RunStore, history_path
from console.engine.executor import send_attempt
from console.engine.history import BODY_LIMIT
from console.engine.history_bounds import PRUNE_ROWS
from console.model import RouteKind, Run, RunState, TargetKind
from console.settings import HistorySettings, load_settings
from tests.devserver.conftest import free_port
from tests.faults.big_history import START, fill_history
from tests.faults.conftest import REPO, cli, make_project, scheduled
from tests.faults.figures import Figures
from tests.faults.hostile_servers import raw_server
from tests.faults.measured import parse_peak


def _run(i: int, state: RunState = RunState.QUEUED, days: float = 0) -> Run:
    return Run(
        id=f"run{i:05d}", route="/api/hello", kind=RouteKind.API, target="local",
        target_kind=TargetKind.LOCAL, url="http://127.0.0.1:1/api/hello", method="GET",
        state=state, deadline_s=10, created_at=START + timedelta(days=days, seconds=i),
    )  # fmt: skip


def _rows(path: Path, sql: str, *args: object) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(sql, args).fetchone()[0])
    finally:
        db.close()


# --- the history ----------------------------------------------------------------------------


def test_a_chatty_run_keeps_the_head_of_its_log_and_one_line_on_the_rest(
    tmp_path: Path, figures: Figures
) -> None:
    path = tmp_path / "history.sqlite3"
    store = RunStore(path, HistorySettings(max_log_lines_per_run=100))
    run = _run(1, RunState.RUNNING)
    store.insert(run)
    for n in range(100):  # 10,000 lines a dev server printed during the run, in batches
        store.append_logs([(run.id, f"chatter {n}.{k}") for k in range(100)], START)
    store.update(run.__class__(**{**run.__dict__, "state": RunState.SUCCEEDED}),
                 [("succeeded in 5 s (HTTP 200)", START)])  # fmt: skip
    figures.inputs("history", 10_000)
    stored = _rows(path, "SELECT count(*) FROM logs WHERE run_id = ?", run.id)
    assert stored == 102  # the head, the line of its end, the line about the rest
    logs = store.get(run.id).logs  # type: ignore[union-attr]
    assert logs[:2] == ("chatter 0.0", "chatter 0.1") and logs[99] == "chatter 0.99"
    assert logs[100] == "succeeded in 5 s (HTTP 200)"
    assert logs[101].startswith("[console] 9,900 more log lines (")
    assert "history.max_log_lines_per_run = 100" in logs[101]
    store.close()


def test_the_log_is_bounded_in_bytes_too(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = RunStore(path, HistorySettings(max_log_bytes_per_run=10_000))
    run = _run(1, RunState.RUNNING)
    store.insert(run)
    store.append_logs([(run.id, "y" * 3_000) for _ in range(20)], START)
    store.update(run.__class__(**{**run.__dict__, "state": RunState.FAILED}), [("failed", START)])
    size = _rows(path, "SELECT sum(length(line)) FROM logs WHERE run_id = ?", run.id)
    assert size < 10_000 + 400
    assert "history.max_log_bytes_per_run = 10000" in store.get(run.id).logs[-1]  # type: ignore[union-attr]
    store.close()


def test_old_runs_are_pruned_by_count_and_by_age(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = RunStore(path, HistorySettings(max_runs=10, max_age_days=30))
    for i in range(5):  # 100 days old when the later ones are written
        store.insert(_run(i, RunState.SUCCEEDED, days=-100))
    assert _rows(path, "SELECT count(*) FROM runs") == 5
    store.insert(_run(5, RunState.SUCCEEDED))
    assert _rows(path, "SELECT count(*) FROM runs") == 1  # the old five went, by age
    for i in range(6, 40):
        store.insert(_run(i, RunState.SUCCEEDED))
    assert _rows(path, "SELECT count(*) FROM runs") == 10  # the newest ten, by count
    assert [r.id for r in store.recent(1)] == ["run00039"]
    running = _run(40, RunState.RUNNING, days=-100)  # unfinished: never pruned from under a run
    store.insert(running)
    store.insert(_run(41, RunState.SUCCEEDED))
    assert store.get(running.id) is not None
    store.close()


def test_a_huge_old_run_is_pruned_a_slice_per_write(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill_history(path, runs=2, lines_per_run=3 * PRUNE_ROWS, line_bytes=50)
    store = RunStore(path, HistorySettings(max_runs=1))
    counts = []
    for i in range(5):
        store.insert(_run(i, RunState.SUCCEEDED, days=1))
        counts.append(_rows(path, "SELECT count(*) FROM logs"))
    # Each write deletes at most PRUNE_ROWS log rows: no write holds the lock for long.
    steps = [a - b for a, b in zip([6 * PRUNE_ROWS, *counts], counts, strict=False)]
    assert all(0 <= s <= PRUNE_ROWS for s in steps), steps
    assert counts[-1] < 6 * PRUNE_ROWS
    store.close()


def test_open_reads_no_log_at_start_and_a_run_shows_a_bounded_log(tmp_path: Path) -> None:
    """An older console stored 60,000 lines for one run: the screen's start reads none of them,
    and the run's detail shows the budget's worth and one line about the rest."""
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    fill_history(history_path(root), runs=3, lines_per_run=60_000, line_bytes=60)
    settings = load_settings(root)
    from console.project import discover

    store = RunStore(history_path(root), HistorySettings(max_log_lines_per_run=1000))
    engine = Engine(discover(root), settings, store)
    read: list[str] = []
    store._db.set_trace_callback(read.append)

    async def start() -> list[Run]:
        await engine.start()
        runs = engine.recent_runs(50)
        await engine.close()
        return runs

    runs = asyncio.run(start())
    assert len(runs) == 3 and all(r.logs == () for r in runs)
    assert not any("FROM logs" in sql for sql in read), read
    one = store.get(runs[0].id)
    assert one is not None and len(one.logs) == 1000 + 3 + 1
    assert one.logs[-1].startswith("[console] 58,997 more log lines of this run")
    store.close()


def test_history_json_is_written_one_run_at_a_time(tmp_path: Path, figures: Figures) -> None:
    """100 runs of 5,000 lines (about 100 MB of JSON): memory holds one run, not all."""
    root = make_project(tmp_path / "site")
    fill_history(history_path(root), runs=100, lines_per_run=5_000, line_bytes=200)

    def measured(n: int) -> tuple[int, int]:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.faults.measured", "history", str(root), "-n", str(n),
             "--json"],
            cwd=REPO, capture_output=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        data = json.loads(proc.stdout)
        assert len(data["runs"]) == n
        if n:
            assert data["runs"][0]["id"] == "big00000099" and len(data["runs"][0]["logs"]) == 5000
        return len(proc.stdout), parse_peak(proc.stderr.decode())

    _, base_kb = measured(0)
    size, peak_kb = measured(100)
    figures.inputs("history", 100)
    assert size > 100_000_000
    assert peak_kb - base_kb < 40_000, (base_kb, peak_kb)  # one run's log is about 1 MB


# --- arguments ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scheduled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    routes = {"tick": scheduled("* * * * *"), "yearly": scheduled("@yearly")}
    return make_project(tmp_path_factory.mktemp("args") / "site", routes=routes)


REFUSED_ARGUMENTS = [
    ("next", "-n", "1000000"),
    ("next", "-n", "0"),
    ("timeline", "--hours", "70000000"),
    ("timeline", "--hours", "inf"),
    ("timeline", "--hours", "nan"),
    ("timeline", "--hours", "-1"),
    ("timeline", "--buckets", "0"),
    ("timeline", "--from", "9999-12-31T00:00:00Z", "--hours", "48"),
    ("next", "--from", "0001-01-01T00:00:00+05:00"),
    ("history", "-n", "-1"),
    ("history", "-n", "99999999999"),
]


@pytest.mark.parametrize("argv", REFUSED_ARGUMENTS, ids=" ".join)
def test_an_argument_past_its_range_is_a_usage_error(
    scheduled_site: Path, argv: tuple[str, ...], figures: Figures
) -> None:
    r = cli(argv[0], str(scheduled_site), *argv[1:], timeout=60).assert_clean()
    figures.inputs("arguments")
    assert r.code == 2, (r.stdout[-500:], r.stderr)
    assert r.stderr.startswith("console: ") and r.stderr.count("\n") == 1, r.stderr


@pytest.mark.parametrize(
    ("command", "ranges"),
    [
        ("next", ["1 to 10,000", "0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"]),
        ("timeline", ["at most 87,600", "1 to 10,000", "9999-12-31T23:59:59Z"]),
        ("history", ["0 to 1,000,000"]),
    ],
)
def test_help_states_each_range(command: str, ranges: list[str]) -> None:
    text = " ".join(cli(command, "--help").stdout.split())
    assert all(r in text for r in ranges), text


def test_the_calendar_ends_without_a_traceback(scheduled_site: Path) -> None:
    r = cli("next", str(scheduled_site), "--from", "9999-12-31T23:59:00Z", "--json")
    assert r.assert_clean().code == 0, r.stderr
    fires = {x["route"]: x["fires"] for x in r.json()["routes"]}
    assert fires == {"/api/tick": [], "/api/yearly": []}  # nothing after the last minute
    r = cli("next", str(scheduled_site), "--from", "9999-12-31T23:55:00Z").assert_clean()
    assert r.code == 0 and "Fri 9999-12-31 23:59:00 UTC" in r.stdout, r.stdout


def test_every_timestamp_has_a_four_digit_year(scheduled_site: Path) -> None:
    r = cli("next", str(scheduled_site), "--from", "0001-01-01T00:00:00Z", "--json", "-n", "2")
    data = r.assert_clean().json()
    assert data["from"] == "0001-01-01T00:00:00Z"
    assert {x["route"]: x["fires"] for x in data["routes"]} == {
        "/api/tick": ["0001-01-01T00:01:00Z", "0001-01-01T00:02:00Z"],
        "/api/yearly": ["0002-01-01T00:00:00Z", "0003-01-01T00:00:00Z"],
    }
    text = cli("next", str(scheduled_site), "--from", "0001-01-01T00:00:00Z", "-n", "1")
    assert "Mon 0001-01-01 00:01:00 UTC" in text.assert_clean().stdout, text.stdout
    t = cli("timeline", str(scheduled_site), "--from", "0999-06-01T00:00:00Z", "--json")
    assert t.assert_clean().json()["to"] == "0999-06-02T00:00:00Z"


# --- a compressed body that inflates without end ----------------------------------------------


async def _send(client: httpx.AsyncClient, url: str) -> object:
    return await send_attempt(client, "GET", url, [], None, frozenset(), redirects=lambda *_: None)


def _bomb(compressed: int, *, stall: bool) -> tuple[object, list[int]]:
    """A gzip body of `compressed` bytes (1,000 times that inflated), then the end of the body,
    or (`stall`) silence: a body still being sent has not ended, whatever it holds so far."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * 2**20
    head = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)  # the same bytes each time
    sent = [0]

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\n")
        conn.sendall(head)
        while sent[0] < compressed and not stop.is_set():
            conn.sendall(block * 64)
            sent[0] += len(block) * 64
        if stall:
            stop.wait(60)
        else:
            conn.sendall(z.flush())

    return behaviour, sent


def test_a_gzip_bomb_is_inflated_no_further_than_the_kept_head(figures: Figures) -> None:
    """4 MB that inflate to 4 GB: the attempt keeps the first 64 KB and reads the rest raw to
    the body's end without inflating it, so memory and CPU stay low (httpx alone inflates every
    byte: 200 MB and 9.6 s)."""
    behaviour, sent = _bomb(4 * 2**20, stall=False)
    with raw_server(behaviour) as server:

        async def attempt() -> object:
            async with httpx.AsyncClient() as client:
                return await asyncio.wait_for(
                    _send(client, server.url + "/api/hello"),
                    timeout=30,
                )

        tracemalloc.start()
        try:
            outcome = asyncio.run(attempt())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    figures.inputs("hostile servers")
    assert outcome.status == 200 and outcome.error is None  # type: ignore[attr-defined]
    assert outcome.body == b"\0" * BODY_LIMIT  # type: ignore[attr-defined]
    assert outcome.body_size > BODY_LIMIT  # type: ignore[attr-defined]
    assert peak < 16 * 2**20, peak
    assert sent[0] >= 4 * 2**20  # read to the end: the server was not cut off


def test_a_gzip_bomb_that_never_ends_meets_the_deadline_not_an_early_success() -> None:
    """Stopping at the kept head would call a body still being sent a finished answer; the
    handler has not finished, so the attempt waits (here: until the caller's deadline)."""
    behaviour, _ = _bomb(4 * 2**20, stall=True)
    with raw_server(behaviour) as server:

        async def attempt() -> object:
            async with httpx.AsyncClient() as client:
                return await asyncio.wait_for(_send(client, server.url + "/api/hello"), 2)

        with pytest.raises(TimeoutError):
            asyncio.run(attempt())


def test_a_corrupt_gzip_body_is_a_failed_attempt_not_a_crash() -> None:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 12\r\n\r\nnot gzip at!"
        )

    with raw_server(behaviour) as server:

        async def attempt() -> object:
            async with httpx.AsyncClient() as client:
                return await _send(client, server.url)

        outcome = asyncio.run(attempt())
    assert outcome.error is not None and "decoded" in outcome.error  # type: ignore[attr-defined]


def test_deflate_and_plain_bodies_still_read_in_full() -> None:
    payload = b'{"ok": true, "pad": "' + b"p" * 5000 + b'"}'
    bodies = {
        "deflate": zlib.compress(payload),
        "raw-deflate": zlib.compress(payload)[2:-4],
        "gzip": __import__("gzip").compress(payload),
        "": payload,
    }
    for name, body in bodies.items():
        enc = b"deflate" if name == "raw-deflate" else name.encode()

        def behaviour(
            conn: socket.socket, stop: threading.Event, body: bytes = body, enc: bytes = enc
        ) -> None:
            head = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n" % len(body)
            if enc:
                head += b"content-encoding: " + enc + b"\r\n"
            conn.sendall(head + b"\r\n" + body)

        with raw_server(behaviour) as server:

            async def attempt() -> object:
                async with httpx.AsyncClient() as client:
                    return await _send(client, server.url)

            outcome = asyncio.run(attempt())
        assert outcome.body == payload, name  # type: ignore[attr-defined]
        assert outcome.body_size == len(payload)  # type: ignore[attr-defined]
