"""Which run a dev server log line belongs to, when that can be told."""

from __future__ import annotations

from collections.abc import Sequence

from console.model import Run, RunState, TargetKind


class LogAttributor:
    """Attributes a dev server line to a run that is being served locally.

    A line naming a running route's path goes to that route's newest running run; otherwise,
    when exactly one local run is in flight, every line goes to it (next dev prints the
    handler's console output without saying which request it came from).
    """

    def attribute(self, text: str, active: Sequence[Run]) -> str | None:
        running = [
            r for r in active if r.target_kind is TargetKind.LOCAL and r.state is RunState.RUNNING
        ]
        if not running:
            return None
        named = [r for r in running if _mentions(text, r.route)]
        if named:
            return max(named, key=lambda r: (r.started_at or r.created_at, r.id)).id
        if len(running) == 1:
            return running[0].id
        return None


def _mentions(text: str, route: str) -> bool:
    if "[" in route:
        route = route.split("[", 1)[0]
        return len(route) > 1 and route in text
    idx = text.find(route)
    if idx < 0:
        return False
    end = idx + len(route)
    # "/api/a" must not match "/api/ab".
    return end == len(text) or not (text[end].isalnum() or text[end] in "-_")
