"""The screen's arithmetic, without Textual: target switching, countdowns, run order, labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from console.model import RouteKind, Run, RunState, Target, TargetKind
from console.ui.text import clean_line
from console.ui.view import (
    Level,
    Zoom,
    bar,
    countdown,
    fire_label,
    next_target,
    order_runs,
    short_name,
    timeline_window,
)
from console.ui.widgets.timeline import axis_labels

LOCAL = Target("local", TargetKind.LOCAL, "http://localhost:3000")
PREVIEW = Target("preview", TargetKind.PREVIEW, "https://p.example")
PROD = Target("production", TargetKind.PRODUCTION, "https://example")
NOW = datetime(2025, 6, 3, 14, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("targets", "current", "expected"),
    [
        ((LOCAL, PREVIEW, PROD), LOCAL, PREVIEW),
        ((LOCAL, PREVIEW, PROD), PREVIEW, PROD),
        ((LOCAL, PREVIEW, PROD), PROD, PREVIEW),
        ((LOCAL, PROD), LOCAL, PROD),  # no preview: the only deployed target
        ((LOCAL, PROD), PROD, None),
        ((LOCAL, PREVIEW), PREVIEW, None),
        ((LOCAL,), LOCAL, None),
    ],
)
def test_p_cycles_deployed_targets(
    targets: tuple[Target, ...], current: Target, expected: Target | None
) -> None:
    assert next_target(targets, current) == expected


def run(state: RunState, started_ago: float, deadline: float = 10, n: int = 0) -> Run:
    start = NOW - timedelta(seconds=started_ago)
    return Run(
        id=f"r{n}",
        route="/api/x",
        kind=RouteKind.API,
        target="local",
        target_kind=TargetKind.LOCAL,
        url="http://localhost:3000/api/x",
        method="GET",
        state=state,
        deadline_s=deadline,
        created_at=start,
        started_at=start,
    )


@pytest.mark.parametrize(
    ("ago", "left", "level"),
    [(0, 10, Level.OK), (7.9, 2.1, Level.OK), (8, 2, Level.WARNING), (9.5, 0.5, Level.WARNING),
     (10, 0, Level.ERROR), (12, 0, Level.ERROR)],
)  # fmt: skip
def test_countdown_warns_at_a_fifth_and_errs_at_zero(ago: float, left: float, level: Level) -> None:
    c = countdown(run(RunState.RUNNING, ago), NOW)
    assert c is not None
    assert c.seconds_left == pytest.approx(left)
    assert c.level is level


def test_countdown_follows_the_engines_deadline_for_the_attempt() -> None:
    c = countdown(run(RunState.RUNNING, 100), NOW, deadline_at=NOW + timedelta(seconds=5))
    assert c is not None and c.seconds_left == pytest.approx(5)


def test_no_countdown_once_a_run_ended_or_before_it_starts() -> None:
    assert countdown(run(RunState.SUCCEEDED, 3), NOW) is None
    assert countdown(run(RunState.QUEUED, 0), NOW) is None


def test_bar_fills_with_the_time_left() -> None:
    assert bar(1.0, 10) == "█" * 10
    assert bar(0.0, 10) == "░" * 10
    assert bar(0.25, 8) == "██" + "░" * 6


def test_runs_newest_first_and_live_ones_never_dropped() -> None:
    old_live = run(RunState.RUNNING, 500, deadline=900, n=1)
    finished = [run(RunState.SUCCEEDED, i, n=10 + i) for i in range(5)]
    ordered = order_runs([old_live, *finished], keep=2, now=NOW)
    assert [r.id for r in ordered] == ["r10", "r11", "r1"]


def test_fire_label_is_utc_time_today_and_a_day_name_within_a_week() -> None:
    assert fire_label(NOW + timedelta(hours=2), NOW) == "16:07"
    assert fire_label(NOW + timedelta(days=2), NOW) == "Thu 14:07"
    assert fire_label(NOW + timedelta(days=30), NOW) == "2025-07-03"
    assert fire_label(None, NOW) == ""


def test_timeline_window_starts_in_the_past_so_the_now_line_moves() -> None:
    start, end = timeline_window(NOW, Zoom.DAY)
    assert start == datetime(2025, 6, 3, 13, tzinfo=UTC) and end - start == timedelta(hours=24)
    start, end = timeline_window(NOW, Zoom.WEEK)
    assert start == datetime(2025, 6, 3, tzinfo=UTC) and end - start == timedelta(days=7)


def test_axis_labels_do_not_overlap() -> None:
    start, end = timeline_window(NOW, Zoom.DAY)
    axis = axis_labels(start, end, 48)
    assert len(axis) == 48
    marks = [i for i, c in enumerate(axis) if c == "╵"]
    assert len(marks) >= 3
    assert all(b - a > len("╵13:00") for a, b in pairwise(marks))
    assert axis[marks[0] : marks[0] + 6] == "╵13:00"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("title \x1b]0;pwned\x07done", "title done"),
        ("tab\there", "tab here"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("[bold]markup stays text[/]", "[bold]markup stays text[/]"),
        ("c1 \x9b31m csi", "c1 31m csi"),
    ],
)
def test_clean_line_strips_control_sequences(raw: str, shown: str) -> None:
    assert clean_line(raw) == shown


def test_short_name_keeps_the_segment_before_a_dynamic_one() -> None:
    # Log tags read "[id]" for /api/users/[id]: which route was that?
    assert short_name("/api/users/[id]") == "users/[id]"
    assert short_name("/api/files/[...path]") == "files/[...path]"
    assert short_name("/api/cleanup") == "cleanup"
    assert short_name("/.netlify/functions/nightly-digest") == "nightly-digest"
