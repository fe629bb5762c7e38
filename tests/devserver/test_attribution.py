"""Which run a dev server line belongs to: one in flight, several, lines that name a route."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console.devserver.attribution import Hint, LogAttributor, hint_of
from console.model import RouteKind, Run, RunState, TargetKind

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(
    run_id: str,
    route: str = "/api/send-emails-background",
    *,
    url_path: str | None = None,
    state: RunState = RunState.RUNNING,
    started: float = 0,
    target_kind: TargetKind = TargetKind.LOCAL,
) -> Run:
    return Run(
        id=run_id,
        route=route,
        kind=RouteKind.API,
        target="local",
        target_kind=target_kind,
        url=f"http://localhost:3000{url_path or route}?x=1",
        method="POST",
        state=state,
        deadline_s=10,
        created_at=at(started),
        started_at=at(started),
    )


def ended(r: Run, seconds: float) -> Run:
    return replace(r, state=RunState.SUCCEEDED, finished_at=at(seconds))


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("- wait compiling /api/cleanup (client and server)...", Hint(route="/api/cleanup")),
        (" ○ Compiling /api/users/[id] ...", Hint(route="/api/users/[id]")),
        ("- error pages/api/explode.js (4:8) @ handler", Hint(route="/api/explode")),
        (" ⨯ src/pages/api/users/[id].ts (3:1) @ handler", Hint(route="/api/users/[id]")),
        ("- error pages/api/reports/index.js (1:1) @ x", Hint(route="/api/reports")),
        ("POST /api/cleanup 200 in 12ms", Hint(path="/api/cleanup")),
        (" GET /api/users/42?full=1 500 in 1.2s", Hint(path="/api/users/42")),
        ("GET /api/a#top?not-a-query 200 in 1ms", Hint(path="/api/a")),
        ("GET //host/api/b?x 200 in 1ms", Hint(path="/api/b")),
        ("GET //[::1/api/c 200 in 1ms", Hint(path="//[::1/api/c")),  # malformed: kept, no crash
        ("cleanup: method=POST next_run=2026-01-01T13:00:00Z", None),
        ("- error Error: explode: the database is on fire", None),
        ("- event compiled successfully in 51 ms (52 modules)", None),
    ],
)
def test_what_a_line_names(line: str, hint: Hint | None) -> None:
    assert hint_of(line) == hint


def test_with_one_run_in_flight_every_line_is_its() -> None:
    a = LogAttributor()
    r = run("r1")
    assert a.attribute("send-emails-background: step 1/3", [r], at(1)) == "r1"
    assert a.attribute("- event compiled successfully in 51 ms", [r], at(1)) == "r1"


def test_with_nothing_in_flight_a_line_is_global() -> None:
    assert LogAttributor().attribute("hello", [], at(1)) is None


def test_deployed_and_waiting_runs_do_not_take_dev_lines() -> None:
    deployed = run("d", target_kind=TargetKind.PREVIEW)
    retrying = run("w", state=RunState.ACCEPTED)
    assert LogAttributor().attribute("hello", [deployed, retrying], at(1)) is None


def test_with_several_in_flight_an_anonymous_line_is_global() -> None:
    a = LogAttributor()
    runs = [run("r1", "/api/a"), run("r2", "/api/b", started=0.5)]
    assert a.attribute("step 2", runs, at(1)) is None


def test_with_several_in_flight_a_line_naming_a_route_goes_to_that_run() -> None:
    a = LogAttributor()
    runs = [run("r1", "/api/slow"), run("r2", "/api/cleanup", started=0.5)]
    assert a.attribute("- wait compiling /api/cleanup (client and server)...", runs, at(1)) == "r2"
    assert a.attribute("POST /api/slow 200 in 3012ms", runs, at(3)) == "r1"


def test_a_route_named_that_is_not_in_flight_keeps_the_line_out_of_the_run() -> None:
    a = LogAttributor()
    r = run("r1", "/api/slow")
    assert a.attribute("- wait compiling / (client and server)...", [r], at(1)) is None
    assert a.attribute("- wait compiling /api/slow (client and server)...", [r], at(1)) == "r1"


def test_a_concrete_path_matches_a_dynamic_route_run_by_its_url() -> None:
    r1 = run("r1", "/api/users/[id]", url_path="/api/users/1")
    r2 = run("r2", "/api/users/[id]", url_path="/api/users/2", started=0.1)
    a = LogAttributor()
    assert a.attribute("GET /api/users/2 200 in 5ms", [r1, r2], at(1)) == "r2"


def test_two_runs_of_one_route_the_first_sent_takes_the_named_line() -> None:
    r1 = run("r1", "/api/slow", started=0)
    r2 = run("r2", "/api/slow", started=1)
    assert LogAttributor().attribute("GET /api/slow 200 in 9ms", [r2, r1], at(2)) == "r1"


def test_a_stack_trace_stays_with_the_error_line_that_named_the_route() -> None:
    a = LogAttributor()
    runs = [run("r1", "/api/slow"), run("r2", "/api/explode", started=0.5)]
    lines = [
        "- error pages/api/explode.js (4:8) @ handler",
        "- error Error: explode: the database is on fire",
        "    at handler (webpack-internal:///(api)/./pages/api/explode.js:8:11)",
        "  digest: undefined",
        "}",
        "> 4 |   throw new Error('explode')",
        "    |        ^",
    ]
    assert [a.attribute(line, runs, at(1)) for line in lines] == ["r2"] * len(lines)
    # A plain line ends the block: with two in flight it is global again.
    assert a.attribute("slow: 3/15 s", runs, at(1.1)) is None


def test_a_stack_trace_long_after_its_error_line_is_not_glued_to_it() -> None:
    a = LogAttributor()
    runs = [run("r1", "/api/slow"), run("r2", "/api/explode")]
    assert a.attribute("- error pages/api/explode.js (4:8) @ handler", runs, at(1)) == "r2"
    assert a.attribute("    at somewhere", runs, at(10)) is None


def test_a_run_that_just_ended_takes_late_lines_that_name_it() -> None:
    a = LogAttributor(linger_s=1.0)
    a.finished(ended(run("r1", "/api/explode"), 2.0))
    assert a.attribute("- error pages/api/explode.js (4:8) @ handler", [], at(2.5)) == "r1"
    assert a.attribute("> 4 |   throw new Error('x')", [], at(2.6)) == "r1"
    assert a.attribute("explode: an anonymous late line", [], at(2.7)) is None
    assert a.attribute("- error pages/api/explode.js (4:8) @ handler", [], at(3.5)) is None


def test_a_line_while_a_new_run_is_in_flight_goes_to_the_new_run() -> None:
    a = LogAttributor(linger_s=1.0)
    a.finished(ended(run("old", "/api/a"), 2.0))
    new = run("new", "/api/b", started=2.1)
    assert a.attribute("b: start", [new], at(2.2)) == "new"
    # ...unless the line names the run that just ended.
    assert a.attribute("- error pages/api/a.js (1:1) @ handler", [new], at(2.3)) == "old"


def test_without_a_time_nothing_lingers() -> None:
    a = LogAttributor()
    a.finished(ended(run("r1", "/api/explode"), 2.0))
    assert a.attribute("- error pages/api/explode.js (4:8) @ handler", []) is None
