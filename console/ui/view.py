"""What the screen shows, computed without Textual: route rows, countdowns, times, targets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from urllib.parse import urlencode

from console.errors import ConsoleError
from console.model import (
    Problem,
    Project,
    Route,
    RouteKind,
    RouteSource,
    Run,
    RunState,
    Severity,
    Target,
    TargetKind,
)
from console.schedule import describe, next_fires
from console.sites import public_url


class Level(StrEnum):
    """How urgent a countdown looks."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


WARNING_FRACTION = 0.2  # the countdown turns warning when a fifth of the deadline is left


@dataclass(frozen=True)
class Countdown:
    seconds_left: float
    fraction_left: float  # 1.0 at the start, 0.0 at the deadline (never below)
    level: Level


@dataclass(frozen=True)
class RouteRow:
    """One line of the routes table."""

    route: Route
    next_fire: datetime | None
    last_state: RunState | None
    problem: Severity | None  # the worst problem in the route's file
    note: str | None  # why this route will not run here ("runs on schedule only", ...)


def route_note(route: Route, target: Target) -> str | None:
    """What a user must know before triggering `route` on `target`."""
    if route.kind is not RouteKind.SCHEDULED or not target.deployed:
        return None
    if target.kind is TargetKind.PREVIEW:
        return "does not run on previews"
    return "runs on schedule only"


NO_FUNCTIONS_SERVER = "needs the functions server"


def function_note(route: Route, served: bool) -> str | None:
    """A Netlify function on a local target that cannot answer it (next dev alone): said on the
    row before a trigger that would get 202 and then a 404."""
    if route.source is RouteSource.FUNCTION and not served:
        return NO_FUNCTIONS_SERVER
    return None


def next_fire(route: Route, after: datetime) -> datetime | None:
    """The first fire strictly after `after`, or None (not scheduled, or a schedule we reject)."""
    if route.schedule is None or route.kind is not RouteKind.SCHEDULED:
        return None
    try:
        fires = next_fires(route.schedule, after, 1)
    except (ConsoleError, ValueError):
        return None
    return fires[0] if fires else None


def schedule_description(schedule: str) -> str:
    """The cron string in words, or the reason the platform would reject it."""
    try:
        return describe(schedule)
    except (ConsoleError, ValueError) as exc:
        return f"invalid: {exc}"


def worst_problem(problems: Iterable[Problem]) -> Severity | None:
    worst: Severity | None = None
    for p in problems:
        if p.severity is Severity.ERROR:
            return Severity.ERROR
        worst = Severity.WARNING
    return worst


def next_fire_map(routes: Iterable[Route], now: datetime) -> dict[str, datetime | None]:
    """The next fire of every scheduled route (computed once a minute, not per redraw)."""
    return {r.route: next_fire(r, now) for r in routes if r.schedule}


def route_rows(
    project: Project,
    target: Target,
    next_fires_at: Mapping[str, datetime | None],
    last_runs: Mapping[str, Run],
    functions_served: bool = True,
) -> list[RouteRow]:
    """Every route, in the project's order, with what the table shows for it."""
    by_file: dict[str, list[Problem]] = {}
    for p in project.problems:
        by_file.setdefault(p.file, []).append(p)
    rows = []
    for r in project.routes:
        last = last_runs.get(r.route)
        rows.append(
            RouteRow(
                route=r,
                next_fire=next_fires_at.get(r.route),
                last_state=last.state if last else None,
                problem=worst_problem(by_file.get(r.file, ())),
                note=route_note(r, target) or function_note(r, functions_served),
            )
        )
    return rows


def last_runs_by_route(runs: Iterable[Run]) -> dict[str, Run]:
    """The newest run of each route."""
    out: dict[str, Run] = {}
    for run in runs:
        seen = out.get(run.route)
        if seen is None or run.created_at > seen.created_at:
            out[run.route] = run
    return out


class Zoom(StrEnum):
    DAY = "24h"
    WEEK = "7d"


def timeline_window(now: datetime, zoom: Zoom) -> tuple[datetime, datetime]:
    """The timeline's span: from the last hour (day) or today (week), so the now line moves."""
    now = now.astimezone(UTC)
    if zoom is Zoom.DAY:
        start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        return start, start + timedelta(hours=24)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=7)


def short_name(path: str) -> str:
    """The short name of a route (timeline rows, log tags): its last path segment, with the one
    before it when the last is dynamic (`users/[id]`, not a bare `[id]`)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return path
    if parts[-1].startswith("[") and len(parts) > 1:
        return "/".join(parts[-2:])
    return parts[-1]


def matches(row: RouteRow, text: str) -> bool:
    """The routes filter: every word must appear in the route, kind, schedule or file."""
    hay = " ".join(
        (row.route.route, str(row.route.kind), row.route.schedule or "", row.route.file)
    ).lower()
    return all(word in hay for word in text.lower().split())


def fire_label(at: datetime | None, now: datetime) -> str:
    """The next-fire column: `HH:MM` (UTC) within a day, `Tue 03:00` within a week, else a date."""
    if at is None:
        return ""
    at = at.astimezone(UTC)
    if at - now < timedelta(hours=24):
        return at.strftime("%H:%M")
    if at - now < timedelta(days=7):
        return at.strftime("%a %H:%M")
    return at.strftime("%Y-%m-%d")


def in_words(delta: timedelta) -> str:
    """`in 3h 05m`, `in 42s`: how far away a moment is, coarse on purpose."""
    s = int(delta.total_seconds())
    if s < 0:
        return "now"
    if s < 60:
        return f"in {s}s"
    if s < 3600:
        return f"in {s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"in {s // 3600}h {s % 3600 // 60:02d}m"
    return f"in {s // 86400}d {s % 86400 // 3600}h"


def local_label(at: datetime, tz: tzinfo) -> str:
    """A moment in the user's zone, with the zone's name: `2025-06-03 14:00 CEST`."""
    local = at.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def clock_label(at: datetime, tz: tzinfo, fmt: str = "%H:%M") -> str:
    """`02:52 UTC · 04:52 CEST`; the zone once when local time is UTC time (`02:52 UTC`)."""
    utc = at.astimezone(UTC)
    local = at.astimezone(tz)
    shown = f"{utc.strftime(fmt)} UTC"
    if local.utcoffset() == timedelta(0):
        return shown
    return f"{shown} · {local.strftime(fmt)} {local.tzname() or ''}".rstrip()


def state_word(state: RunState) -> str:
    """A run state as a person reads it: `timed out`, not the enum's `timed_out`."""
    return state.words


def retry_words(next_attempt_at: datetime, now: datetime) -> str:
    """A run waiting for its next attempt (a background run after a 5xx): `retry in 58s`."""
    wait = max(0.0, (next_attempt_at - now).total_seconds())
    return f"retry in {span_label(wait)}"


def run_start(run: Run) -> datetime:
    return run.started_at or run.created_at


def elapsed(run: Run, now: datetime) -> float:
    """Seconds the run has taken (so far, if it is still going)."""
    end = run.finished_at if run.state.final and run.finished_at else now
    return max(0.0, (end - run_start(run)).total_seconds())


def countdown(run: Run, now: datetime, deadline_at: datetime | None = None) -> Countdown | None:
    """Time left before the deadline of a run still going (None once it ended or before it starts).

    `deadline_at` is the engine's deadline for the current attempt when it knows one; otherwise
    the deadline counts from the run's start.
    """
    if run.state.final or run.state is RunState.QUEUED or run.deadline_s <= 0:
        return None
    if deadline_at is None:
        deadline_at = run_start(run) + timedelta(seconds=run.deadline_s)
    left = (deadline_at - now).total_seconds()
    fraction = max(0.0, min(1.0, left / run.deadline_s))
    if left <= 0:
        level = Level.ERROR
    elif fraction <= WARNING_FRACTION:
        level = Level.WARNING
    else:
        level = Level.OK
    return Countdown(seconds_left=max(0.0, left), fraction_left=fraction, level=level)


def is_live(run: Run, now: datetime) -> bool:
    """Still going as far as we can tell: not ended, and not an unobservable run past its deadline."""
    if run.state.final:
        return False
    if unobservable(run):
        return (now - run_start(run)).total_seconds() < run.deadline_s
    return True


def bar(fraction: float, width: int) -> str:
    """A bar of `width` cells, full at 1.0: the time left, as a k9s user would read it."""
    filled = math.ceil(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def duration_label(seconds: float) -> str:
    """`850ms`, `4.2s`, `3m 07s`, `1h 02m`."""
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    s = int(seconds)
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def span_label(seconds: float) -> str:
    """Whole seconds in one style wherever a limit or a time left is shown: `42s`, `14m 52s`,
    `1h 02m` (a column or a line never mixes `15m 00s` with `892s`)."""
    s = math.ceil(max(0.0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def unobservable(run: Run) -> bool:
    """A background run on a deployed target: its end cannot be seen from outside."""
    return (
        run.kind is RouteKind.BACKGROUND
        and run.target_kind is not TargetKind.LOCAL
        and run.state is RunState.ACCEPTED
    )


def next_target(targets: Sequence[Target], current: Target) -> Target | None:
    """`p`: from local or production to the first preview, from preview to the first production.

    Without a preview target, local goes to production (the only deployed one); switching sends
    nothing, and every request there still asks first.
    """
    first = {kind: next((t for t in targets if t.kind is kind), None) for kind in TargetKind}
    if current.kind is TargetKind.PREVIEW:
        return first[TargetKind.PRODUCTION]
    if first[TargetKind.PREVIEW] is not None:
        return first[TargetKind.PREVIEW]
    if current.kind is TargetKind.LOCAL:
        return first[TargetKind.PRODUCTION]
    return None


def order_runs(runs: Iterable[Run], keep: int, now: datetime) -> list[Run]:
    """Newest first; at most `keep` runs that ended, and never a live one dropped."""
    ordered = sorted(runs, key=lambda r: r.created_at, reverse=True)
    out: list[Run] = []
    ended = 0
    for r in ordered:
        if not is_live(r, now):
            if ended >= keep:
                continue
            ended += 1
        out.append(r)
    return out


def deadline_words(run: Run, now: datetime, deadline_at: datetime | None = None) -> str:
    """`30s, 12s left` or `15m 00s, 14m 52s left` while it runs; just the limit once it ended."""
    limit = span_label(run.deadline_s)
    left = countdown(run, now, deadline_at)
    if left is None:
        return limit
    return f"{limit}, {span_label(left.seconds_left)} left"


DEFAULT_METHOD = {RouteKind.API: "GET", RouteKind.BACKGROUND: "POST", RouteKind.SCHEDULED: "POST"}


def request_url(
    target: Target,
    route: Route,
    params: Mapping[str, str],
    query: Sequence[tuple[str, str]] = (),
) -> str:
    """The URL a trigger will hit, for the confirm dialog: dynamic segments and query filled in."""
    parts = []
    for seg in route.route.split("/"):
        param = next((p for p in route.params if seg.strip("[].") == p.name), None)
        if param is None:
            parts.append(seg)
        elif params.get(param.name):
            parts.append(params[param.name])
    url = public_url(target.url).rstrip("/") + "/".join(parts)
    return f"{url}?{urlencode(query)}" if query else url


@dataclass(frozen=True)
class PanelHeights:
    routes: int
    runs: int
    log: int


def panel_heights(rows: int, routes_wanted: int, runs_wanted: int) -> PanelHeights:
    """Share the rows between header and footer: each panel gets what its content needs.

    The runs panel takes its rows (at most a quarter of the screen, a scroll for the rest), the
    log keeps at least a quarter (never less than three lines), and the routes table takes what
    is left, up to what its routes need; whatever is still free goes to the log."""
    runs = min(runs_wanted, max(4, rows // 4))
    log_min = max(5, rows // 4)
    routes = max(5, min(routes_wanted, rows - runs - log_min))
    log = max(3, rows - runs - routes)
    return PanelHeights(routes=routes, runs=runs, log=log)
