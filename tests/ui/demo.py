"""Finished runs for pictures of the screen: shared by the snapshot tests and scripts/screenshots.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

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


CRONS = ("*/5 * * * *", "0 * * * *", "30 3 * * *", "0 9 * * 1-5", "15 */6 * * *", "@daily")


def generated_project(root: Path, n: int = 32) -> Path:
    """A project of n routes under pages/api/gen: a third scheduled (varied crons), a third
    background, a third api. Used by the layout tests, bench/ui.py and the screenshots."""
    api = root / "pages" / "api" / "gen"
    api.mkdir(parents=True)
    (root / "package.json").write_text(
        '{"name": "gen", "scripts": {"dev": "next dev"}, "dependencies": {"next": "13.4.19"}}'
    )
    for i in range(n):
        if i % 3 == 0:
            config = (
                "export const config = { type: 'experimental-scheduled', "
                f"schedule: '{CRONS[i // 3 % len(CRONS)]}' }};\n"
            )
        elif i % 3 == 1:
            config = "export const config = { type: 'experimental-background' };\n"
        else:
            config = ""
        (api / f"route-{i:04d}.js").write_text(
            f"{config}export default function handler(req, res) {{ res.json({{ i: {i} }}) }}\n"
        )
    return root
