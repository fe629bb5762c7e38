"""Which run a dev server log line belongs to, when that can be told.

`next dev` (13.4) prints a handler's console output with nothing that says which request it
came from, and no per-request line either. What it does print, and what newer versions add:

- `- wait compiling /api/x (client and server)...` (13.4) or `○ Compiling /api/x ...` (14+):
  the route pattern, the first time a route is requested;
- `- error pages/api/x.js (3:8) @ handler` (13.4) or `⨯ pages/api/x.js ...` (14+), then the
  stack and a code frame, indented: a handler that threw;
- `POST /api/x 200 in 12ms` (some versions and servers): one line per request, after it ends.

So, in order: a line that names a route or path goes to the in-flight run it names (none named
in flight: global only); the stack or code frame that follows such a line stays with it; with
exactly one local run in flight every other line belongs to that run; with several, a line
that names nothing stays in the global log.

What a handler logs just after it answered is caught by the engine, which lets the dev output
settle before it closes a local run (`DevServer.settle`). Later than that, only a line that
names a run which ended less than `linger_s` ago (Next prints an error's code frame after a
source-map lookup) and the block that follows it still go to that run.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from console.model import Run, RunState, TargetKind

__all__ = ["Hint", "LogAttributor", "hint_of"]

_REQUEST = re.compile(
    r"^\s*(?:[-⨯✓○]\s+)?(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(/\S*)\s+\d{3}\s+in\s+\d"
)
_COMPILING = re.compile(r"^\s*(?:-\s+wait\s+|○\s+)compiling\s+(/\S*)", re.IGNORECASE)
_ERROR_FILE = re.compile(
    r"^\s*(?:-\s+error\s+|⨯\s+)(?:\./)?((?:src/)?pages/\S+?)\.(?:[cm]?[jt]sx?)\b", re.IGNORECASE
)
# What follows an error line and belongs to the same error: indented stack and object lines,
# the code frame (`>  3 | throw ...`, `    |   ^`), closing braces, the message line.
_CONTINUATION = re.compile(r"^(?:\s|>\s*\d*\s*\||\d+\s*\||}|-\s+error\s|⨯\s)")

_STICKY = timedelta(seconds=2)


@dataclass(frozen=True)
class Hint:
    """What a line says about the request it belongs to."""

    path: str | None = None  # a concrete URL path, from a request line
    route: str | None = None  # a route pattern, from a compile or error line


def hint_of(text: str) -> Hint | None:
    """The route or path a dev server line names, if it names one."""
    if m := _REQUEST.match(text):
        return Hint(path=_path_of(m.group(1)))
    if m := _COMPILING.match(text):
        return Hint(route=m.group(1))
    if m := _ERROR_FILE.match(text):
        route = m.group(1).split("pages", 1)[1]
        if route.endswith("/index"):
            route = route[: -len("/index")] or "/"
        return Hint(route=route)
    return None


def _path_of(target: str) -> str:
    """`urlsplit(target).path` for a request target starting with `/`, without its cost (~2 us a
    line): the path ends at the query or the fragment. `//host/...` has a netloc: the real thing,
    unless it is malformed (`//[`), which must not cost the line."""
    path = target.partition("#")[0].partition("?")[0]
    if target.startswith("//"):
        with contextlib.suppress(ValueError):
            return urlsplit(target).path
    return path


def _names(hint: Hint, run: Run) -> bool:
    if hint.route is not None:
        return hint.route == run.route
    return hint.path == urlsplit(run.url).path


class LogAttributor:
    """Attributes dev server lines to local runs; remembers runs that just ended, briefly, for
    lines that name them."""

    def __init__(self, linger_s: float = 1.0) -> None:
        self.linger = timedelta(seconds=linger_s)
        self._ended: dict[str, Run] = {}
        self._sticky: tuple[str | None, datetime | None] | None = None

    def finished(self, run: Run) -> None:
        """A run ended: it may still take late lines for `linger_s` after `run.finished_at`."""
        if run.target_kind is TargetKind.LOCAL and run.finished_at is not None:
            self._ended[run.id] = run

    def attribute(self, text: str, active: Sequence[Run], at: datetime | None = None) -> str | None:
        running = sorted(
            (
                r
                for r in active
                if r.target_kind is TargetKind.LOCAL and r.state is RunState.RUNNING
            ),
            key=lambda r: (r.started_at or r.created_at, r.id),
        )
        ended = self._lingering(at, {r.id for r in active})
        hint = hint_of(text)
        if hint is not None:
            named = [r for r in running if _names(hint, r)] or [
                r for r in reversed(ended) if _names(hint, r)
            ]
            # Two runs of the same route: the one sent first is answered first, as a rule.
            run_id = named[0].id if named else None
            self._sticky = (run_id, at)
            return run_id
        if self._sticky is not None and _CONTINUATION.match(text):
            run_id, since = self._sticky
            alive = run_id is None or any(r.id == run_id for r in (*running, *ended))
            recent = since is None or at is None or at - since <= _STICKY
            if alive and recent:
                self._sticky = (run_id, at)
                return run_id
        self._sticky = None
        if len(running) == 1:
            return running[0].id
        return None

    def _lingering(self, at: datetime | None, active_ids: set[str]) -> list[Run]:
        """Runs that ended within `linger` of `at`, oldest end first; forgets older ones."""
        if at is None:
            self._ended.clear()
            return []
        if not self._ended:
            return []  # the usual case, per line: no dict to rebuild
        keep = {
            run_id: r
            for run_id, r in self._ended.items()
            if r.finished_at is not None and at - r.finished_at <= self.linger
        }
        self._ended = keep
        ended = [r for r in keep.values() if r.id not in active_ids]
        return sorted(ended, key=lambda r: r.finished_at or r.created_at)
