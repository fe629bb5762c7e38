"""`console next` and `console timeline`: logic over a hand-made Project, then the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.commands.next import next_json, next_rows, next_text, parse_from, scheduled_routes
from console.commands.timeline import mark, timeline_json, timeline_rows, timeline_text
from console.errors import UsageError
from console.model import Project, Route, RouteKind

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 3, 29, 0, 0, tzinfo=UTC)  # Paris switches to summer time on the 31st


def _route(path: str, kind: RouteKind, schedule: str | None) -> Route:
    return Route(path, kind, schedule, f"pages{path}.js", 1, f"_{path}-handler")


PROJECT = Project(
    root=Path("/tmp/shop"),
    routes=(
        _route("/api/hello", RouteKind.API, None),
        _route("/api/report", RouteKind.SCHEDULED, "0 9 * * 1-5"),
        _route("/api/broken", RouteKind.SCHEDULED, "0 0 32 * *"),
        _route("/api/tick", RouteKind.SCHEDULED, "*/30 * * * * *"),
    ),
    problems=(),
)


def test_next_json_has_the_contract_shape() -> None:
    rows = next_rows(scheduled_routes(PROJECT), START, 2)
    data = next_json(rows, START)
    assert data["from"] == "2024-03-29T00:00:00Z"
    assert data["routes"] == [
        {
            "route": "/api/report",
            "schedule": "0 9 * * 1-5",
            "description": "At 09:00, Monday through Friday (UTC)",
            "fires": ["2024-03-29T09:00:00Z", "2024-04-01T09:00:00Z"],
            "error": None,
            "warnings": [],
        },
        {
            "route": "/api/broken",
            "schedule": "0 0 32 * *",
            "description": None,
            "fires": [],
            "error": 'day-of-month field "32": 32 is out of range 1-31',
            "warnings": [],
        },
        {
            "route": "/api/tick",
            "schedule": "*/30 * * * * *",
            "description": "Every 30 seconds",
            "fires": ["2024-03-29T00:00:30Z", "2024-03-29T00:01:00Z"],
            "error": None,
            "warnings": [
                "a 6th, leading seconds field is read by cron-parser but not documented by "
                "Netlify; production may reject it"
            ],
        },
    ]


def test_next_text_shows_utc_and_local_time_across_a_dst_change() -> None:
    rows = next_rows(scheduled_routes(PROJECT, ["/api/report", "/api/broken"]), START, 2)
    paris = ZoneInfo("Europe/Paris")
    text = next_text(rows, START, PROJECT, to_local=lambda t: t.astimezone(paris))
    assert text.splitlines() == [
        "next fires after 2024-03-29T00:00:00Z",
        "",
        "/api/report  0 9 * * 1-5  At 09:00, Monday through Friday (UTC)",
        "  UTC                           LOCAL",
        "  Fri 2024-03-29 09:00:00 UTC   Fri 2024-03-29 10:00:00 CET",
        "  Mon 2024-04-01 09:00:00 UTC   Mon 2024-04-01 11:00:00 CEST",
        "",
        "/api/broken  0 0 32 * *",
        '  invalid: day-of-month field "32": 32 is out of range 1-31',
    ]


def test_next_text_prints_one_labelled_column_when_local_time_is_utc() -> None:
    rows = next_rows(scheduled_routes(PROJECT, ["/api/report"]), START, 2)
    text = next_text(rows, START, PROJECT, to_local=lambda t: t.astimezone(UTC))
    assert text.splitlines()[3:] == [
        "  UTC (local time is the same)",
        "  Fri 2024-03-29 09:00:00 UTC",
        "  Mon 2024-04-01 09:00:00 UTC",
    ]


def test_route_filter_keeps_the_order_asked_and_rejects_unknown_or_unscheduled() -> None:
    plans = scheduled_routes(PROJECT, ["/api/tick", "/api/report"])
    assert [p.route.route for p in plans] == ["/api/tick", "/api/report"]
    with pytest.raises(UsageError, match=r"^/api/nope is not a route of shop$"):
        scheduled_routes(PROJECT, ["/api/nope"])
    with pytest.raises(
        UsageError, match=r"^/api/hello is not a scheduled route \(its kind is api\)$"
    ):
        scheduled_routes(PROJECT, ["/api/hello"])


def test_a_scheduled_route_without_schedule_is_listed_with_the_reason() -> None:
    project = Project(Path("/tmp/x"), (_route("/api/n", RouteKind.SCHEDULED, None),), ())
    (plan,) = scheduled_routes(project)
    assert plan.spec is None and plan.error == "it has no schedule"


def test_no_scheduled_routes() -> None:
    empty = Project(Path("/tmp/plain"), (_route("/api/hello", RouteKind.API, None),), ())
    assert next_text([], START, empty, to_local=lambda t: t) == "no scheduled routes in plain"
    assert timeline_text([], START, START, 1, empty) == "no scheduled routes in plain"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T13:00:00Z", datetime(2024, 5, 1, 13, tzinfo=UTC)),
        ("2024-05-01T15:00:00+02:00", datetime(2024, 5, 1, 13, tzinfo=UTC)),
        ("2024-05-01T13:00:00", datetime(2024, 5, 1, 13, tzinfo=UTC)),  # naive means UTC
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
    ],
)
def test_from_accepts_iso_8601(text: str, expected: datetime) -> None:
    got = parse_from(text)
    assert got == expected and got.tzinfo is UTC


def test_from_defaults_to_the_injected_clock_and_rejects_nonsense() -> None:
    assert parse_from(None, now=lambda: START + timedelta(microseconds=5)) == START
    with pytest.raises(UsageError, match=r'^--from "tomorrow" is not an ISO 8601 time'):
        parse_from("tomorrow")


def test_timeline_json_and_text() -> None:
    end = START + timedelta(hours=6)
    rows = timeline_rows(scheduled_routes(PROJECT), START, end, 6)
    data = timeline_json(rows, START, end, 6)
    assert data["from"] == "2024-03-29T00:00:00Z" and data["to"] == "2024-03-29T06:00:00Z"
    assert data["buckets"] == 6
    assert data["routes"] == [
        {"route": "/api/report", "schedule": "0 9 * * 1-5", "counts": [0] * 6, "error": None},
        {
            "route": "/api/broken",
            "schedule": "0 0 32 * *",
            "counts": None,
            "error": 'day-of-month field "32": 32 is out of range 1-31',
        },
        {"route": "/api/tick", "schedule": "*/30 * * * * *", "counts": [120] * 6, "error": None},
    ]
    text = timeline_text(rows, START, end, 6, PROJECT).splitlines()
    assert text[0] == "fires from 2024-03-29T00:00:00Z to 2024-03-29T06:00:00Z, 6 slices of 1h"
    assert text[1] == "ROUTE        SCHEDULE        00 03   (UTC hour)"
    assert text[2] == "/api/report  0 9 * * 1-5     ······"
    assert (
        text[3]
        == '/api/broken  0 0 32 * *      invalid: day-of-month field "32": 32 is out of range 1-31'
    )
    assert text[4] == "/api/tick    */30 * * * * *  ██████"


@pytest.mark.parametrize(
    ("count", "char"), [(0, "·"), (1, "1"), (9, "9"), (10, "▒"), (99, "▒"), (100, "█")]
)
def test_marks(count: int, char: str) -> None:
    assert mark(count) == char


# End to end: the real CLI on a real project folder (discovery included).


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text('{"name": "shop", "scripts": {"dev": "next dev"}}')
    api = tmp_path / "pages" / "api"
    api.mkdir(parents=True)
    config = "export const config = {{ type: 'experimental-scheduled', schedule: '{}' }}\n"
    handler = "export default function handler(req, res) { res.status(200).end() }\n"
    (api / "report.js").write_text(config.format("0 9 * * 1-5") + handler)
    (api / "heartbeat.js").write_text(config.format("* * * * *") + handler)
    (api / "hello.js").write_text(handler)
    return tmp_path


def _console(*args: str, tz: str = "UTC") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": tz}
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_cli_next_json(shop: Path) -> None:
    out = _console("next", str(shop), "--from", "2024-03-29T08:59:30Z", "-n", "2", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["from"] == "2024-03-29T08:59:30Z"
    fires = {r["route"]: r["fires"] for r in data["routes"]}
    assert fires == {
        "/api/heartbeat": ["2024-03-29T09:00:00Z", "2024-03-29T09:01:00Z"],
        "/api/report": ["2024-03-29T09:00:00Z", "2024-04-01T09:00:00Z"],
    }


def test_cli_next_text_uses_the_process_time_zone(shop: Path) -> None:
    out = _console(
        "next", str(shop), "--route", "/api/report", "--from", "2024-03-29T00:00:00Z", "-n", "2",
        tz="America/New_York",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "  Fri 2024-03-29 09:00:00 UTC   Fri 2024-03-29 05:00:00 EDT" in out.stdout.splitlines()


def test_cli_timeline_json(shop: Path) -> None:
    out = _console(
        "timeline", str(shop), "--from", "2024-03-29T08:00:00Z", "--hours", "2", "--buckets", "4",
        "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    counts = {r["route"]: r["counts"] for r in data["routes"]}
    assert counts == {"/api/heartbeat": [30, 30, 30, 30], "/api/report": [0, 0, 1, 0]}
    assert data["to"] == "2024-03-29T10:00:00Z"


def test_cli_invalid_schedule_exits_1_and_bad_usage_exits_2(shop: Path) -> None:
    (shop / "pages" / "api" / "broken.js").write_text(
        "export const config = { type: 'experimental-scheduled', schedule: '0 0 31 2 *' }\n"
    )
    out = _console("next", str(shop), "--from", "2024-01-01T00:00:00Z")
    assert out.returncode == 1
    assert (
        '  invalid: day-of-month field "31": February never has day 31, so the platform rejects it'
        in out.stdout.splitlines()
    )
    bad = _console("timeline", str(shop), "--from", "soon")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        'console: --from "soon" is not an ISO 8601 time (e.g. 2024-05-01T13:00:00Z)'
    )
    assert _console("timeline", str(shop), "--buckets", "0").returncode == 2
