"""`console next`: the next fires of each scheduled route, in UTC and local time, with descriptions."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.commands._common import load_project, print_json, print_text
from console.errors import CronError, UsageError
from console.model import Project, Route, RouteKind, day_and_time, iso_utc
from console.schedule import CronSpec, describe, next_fires, parse_cron

ToLocal = Callable[[datetime], datetime]

MAX_FIRES = 10_000  # fires per route: more is a typo, and once cost 29 s and 813 MB


def run(args: argparse.Namespace) -> int:
    start = parse_from(args.from_)
    if not 1 <= args.n <= MAX_FIRES:
        raise UsageError(f"-n must be from 1 to {MAX_FIRES:,}, not {args.n}")
    project = load_project(args.project, "next")
    plans = scheduled_routes(project, args.route)
    rows = next_rows(plans, start, args.n)
    if args.json:
        print_json(next_json(rows, start))
    else:
        print_text(next_text(rows, start, project, to_local=_system_local))
    return 1 if any(p.error for p in plans) else 0


def parse_from(
    text: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> datetime:
    """`--from`: ISO 8601 with `Z` or an offset (naive means UTC); default now. A UTC datetime."""
    if text is None:
        return now().replace(microsecond=0)
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f'--from "{text}" is not an ISO 8601 time (e.g. 2024-05-01T13:00:00Z)'
        ) from None
    try:
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the calendar begins
        raise UsageError(
            f'--from "{text}" is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z'
        ) from None


@dataclass(frozen=True)
class Plan:
    """A scheduled route with its parsed schedule, or the reason it has none."""

    route: Route
    spec: CronSpec | None
    error: str | None


def scheduled_routes(project: Project, only: Sequence[str] = ()) -> list[Plan]:
    """The project's scheduled routes (or just `only`, in that order), each parsed."""
    if only:
        chosen = []
        for path in only:
            route = project.route(path)
            if route is None:
                raise UsageError(f"{path} is not a route of {project.name}")
            if route.kind is not RouteKind.SCHEDULED:
                raise UsageError(f"{path} is not a scheduled route (its kind is {route.kind})")
            chosen.append(route)
    else:
        chosen = [r for r in project.routes if r.kind is RouteKind.SCHEDULED]
    plans = []
    for route in chosen:
        if not route.schedule:
            plans.append(Plan(route, None, "it has no schedule"))
            continue
        try:
            plans.append(Plan(route, parse_cron(route.schedule), None))
        except CronError as exc:
            plans.append(Plan(route, None, str(exc)))
    return plans


@dataclass(frozen=True)
class NextRow:
    plan: Plan
    description: str | None
    fires: list[datetime]


def next_rows(plans: Sequence[Plan], start: datetime, n: int) -> list[NextRow]:
    """Each plan's first `n` fires strictly after `start` (none when its schedule is invalid)."""
    return [
        NextRow(p, describe(p.spec), next_fires(p.spec, start, n))
        if p.spec
        else NextRow(p, None, [])
        for p in plans
    ]


def next_json(rows: Sequence[NextRow], start: datetime) -> dict[str, object]:
    """The `next --json` shape."""
    return {
        "from": iso_utc(start),
        "routes": [
            {
                "route": r.plan.route.route,
                "schedule": r.plan.route.schedule,
                "description": r.description,
                "fires": [iso_utc(t) for t in r.fires],
                "error": r.plan.error,
                "warnings": [w.message for w in r.plan.spec.warnings] if r.plan.spec else [],
            }
            for r in rows
        ],
    }


def _system_local(t: datetime) -> datetime:
    try:
        return t.astimezone()  # the process's zone (TZ), with its daylight-saving rules
    except (OverflowError, ValueError, OSError):  # the calendar's first or last hours
        return t


def next_text(rows: Sequence[NextRow], start: datetime, project: Project, to_local: ToLocal) -> str:
    if not rows:
        return f"no scheduled routes in {project.name}"
    lines = [f"next fires after {iso_utc(start)}"]
    for r in rows:
        lines.append("")
        title = f"{r.plan.route.route}  {r.plan.route.schedule or '-'}  {r.description or ''}"
        lines.append(title.rstrip())
        if r.plan.error:
            lines.append(f"  invalid: {r.plan.error}")
            continue
        assert r.plan.spec is not None
        lines.extend(f"  warning: {w.message}" for w in r.plan.spec.warnings)
        lines.extend(_fire_lines(r.fires, to_local))
    return "\n".join(lines)


_WIDTH = len("Mon 2024-01-01 00:00:00 UTC")


def _fire_lines(fires: Sequence[datetime], to_local: ToLocal) -> list[str]:
    """A labelled UTC column and a local one; only UTC when local time is UTC for every fire."""
    if not fires:
        return []
    local = [to_local(t) for t in fires]
    if all(t.utcoffset() == timedelta(0) for t in local):
        return ["  UTC (local time is the same)"] + [f"  {day_and_time(t)} UTC" for t in fires]
    lines = [f"  {'UTC':<{_WIDTH}}   LOCAL"]
    for t, here in zip(fires, local, strict=True):
        lines.append(f"  {day_and_time(t)} UTC   {day_and_time(here)} {here:%Z}".rstrip())
    return lines
