"""`console timeline`: how often each scheduled route fires in each slice of a window, as rows of marks."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.commands._common import load_project, print_json, print_text
from console.commands.next import Plan, parse_from, scheduled_routes
from console.errors import UsageError
from console.model import Project, iso_utc
from console.schedule import timeline

MAX_BUCKETS = 10_000
MAX_HOURS = 87_600  # ten years of fires; the window must also end before the calendar does
LEGEND = "· none   1-9 fires   ▒ 10-99   █ 100 or more"


def run(args: argparse.Namespace) -> int:
    start = parse_from(args.from_)
    if not 0 < args.hours <= MAX_HOURS:  # also refuses nan and inf
        raise UsageError(
            f"--hours must be more than 0 and at most {MAX_HOURS:,}, not {args.hours:g}"
        )
    if not 1 <= args.buckets <= MAX_BUCKETS:
        raise UsageError(f"--buckets must be between 1 and {MAX_BUCKETS}, not {args.buckets}")
    try:
        end = start + timedelta(hours=args.hours)
    except OverflowError:
        raise UsageError(
            f"--from {iso_utc(start)} with --hours {args.hours:g} ends after "
            "9999-12-31T23:59:59Z, where the calendar ends"
        ) from None
    project = load_project(args.project, "timeline")
    plans = scheduled_routes(project)
    rows = timeline_rows(plans, start, end, args.buckets)
    if args.json:
        print_json(timeline_json(rows, start, end, args.buckets))
    else:
        print_text(timeline_text(rows, start, end, args.buckets, project))
    return 1 if any(p.error for p in plans) else 0


@dataclass(frozen=True)
class TimelineRow:
    plan: Plan
    counts: list[int] | None  # None when the schedule is invalid


def timeline_rows(
    plans: Sequence[Plan], start: datetime, end: datetime, buckets: int
) -> list[TimelineRow]:
    valid = [p.spec for p in plans if p.spec is not None]
    counts = iter(timeline(valid, start, end, buckets))
    return [TimelineRow(p, next(counts) if p.spec is not None else None) for p in plans]


def timeline_json(
    rows: Sequence[TimelineRow], start: datetime, end: datetime, buckets: int
) -> dict[str, object]:
    """The `timeline --json` shape; an invalid schedule has `counts: null` and its `error`."""
    return {
        "from": iso_utc(start),
        "to": iso_utc(end),
        "buckets": buckets,
        "routes": [
            {
                "route": r.plan.route.route,
                "schedule": r.plan.route.schedule,
                "counts": r.counts,
                "error": r.plan.error,
            }
            for r in rows
        ],
    }


def mark(count: int) -> str:
    if count == 0:
        return "·"
    if count < 10:
        return str(count)
    return "▒" if count < 100 else "█"


def _span(seconds: float) -> str:
    """1h, 30m, 2d, 25.7m, 1.5s."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"


def _header(start: datetime, end: datetime, buckets: int) -> str:
    """Labels over every third column: the UTC hour each slice starts at (the day, for long slices)."""
    width = (end - start) / buckets
    cells = [" "] * buckets
    for i in range(0, buckets, 3):
        at = start + width * i
        label = f"{at:%H}" if width < timedelta(days=1) else f"{at:%d}"
        if i + len(label) <= buckets:  # no cut-off labels at the right edge
            cells[i : i + len(label)] = label
    return "".join(cells)


def timeline_text(
    rows: Sequence[TimelineRow], start: datetime, end: datetime, buckets: int, project: Project
) -> str:
    if not rows:
        return f"no scheduled routes in {project.name}"
    width = (end - start).total_seconds() / buckets
    names = [r.plan.route.route for r in rows]
    schedules = [r.plan.route.schedule or "-" for r in rows]
    w1 = max(len(n) for n in [*names, "ROUTE"])
    w2 = max(len(s) for s in [*schedules, "SCHEDULE"])
    unit = "UTC hour" if width < 86400 else "UTC day"
    lines = [
        f"fires from {iso_utc(start)} to {iso_utc(end)}, {buckets} slices of {_span(width)}",
        f"{'ROUTE':<{w1}}  {'SCHEDULE':<{w2}}  {_header(start, end, buckets)}  ({unit})",
    ]
    for row, name, schedule in zip(rows, names, schedules, strict=True):
        if row.counts is None:
            body = f"invalid: {row.plan.error}"
        else:
            body = "".join(mark(c) for c in row.counts)
        lines.append(f"{name:<{w1}}  {schedule:<{w2}}  {body}")
    lines.append("")
    lines.append(LEGEND)
    return "\n".join(lines)
