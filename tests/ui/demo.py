"""Finished runs for pictures of the screen: shared by the snapshot tests and scripts/screenshots.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.model import RouteKind, Run, RunState, TargetKind

DEADLINES = {RouteKind.API: 10, RouteKind.BACKGROUND: 900, RouteKind.SCHEDULED: 30}


def finished_run(now: datetime, run_id: str, route: str, kind: RouteKind, state: RunState,
                 ago: float, took: float, status: int | None, logs: tuple[str, ...],
                 reason: str | None = None) -> Run:  # fmt: skip
    """A local run that started `ago` seconds before `now` and took `took` seconds."""
    start = now - timedelta(seconds=ago)
    return Run(
        id=run_id,
        route=route,
        kind=kind,
        target="local",
        target_kind=TargetKind.LOCAL,
        url="http://localhost:3000" + route,
        method="GET" if kind is RouteKind.API else "POST",
        state=state,
        deadline_s=DEADLINES[kind],
        created_at=start,
        http_status=status,
        attempts=1,
        started_at=start,
        finished_at=start + timedelta(seconds=took),
        reason=reason,
        logs=logs,
    )
