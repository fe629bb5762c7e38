"""Frozen dataclasses and enums shared by every layer: routes, problems, targets, runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


class RouteKind(StrEnum):
    API = "api"
    BACKGROUND = "background"
    SCHEDULED = "scheduled"


class RouteSource(StrEnum):
    NEXT = "next"  # pages/api/**
    FUNCTION = "function"  # a Netlify function in the functions folder


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """A diagnostic. `file` is relative to the project with `/`; line and column are 1-based."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


_SEGMENT = re.compile(r"^\[(\[)?(\.\.\.)?([^\]]+)\]?\]$")


@dataclass(frozen=True)
class Param:
    """A dynamic segment of a route path: `[id]`, `[...slug]` (catch-all), `[[...slug]]` (optional)."""

    name: str
    catch_all: bool = False
    optional: bool = False


def route_params(path: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for seg in path.split("/"):
        m = _SEGMENT.match(seg)
        if m and seg.startswith("["):
            params.append(Param(m.group(3), catch_all=bool(m.group(2)), optional=bool(m.group(1))))
    return tuple(params)


class Placement(StrEnum):
    """Which deployed function serves a route (PLATFORM.md section 5)."""

    OWN = "own"  # a function of its own, named `function`
    SHARED = "shared"  # a function shared with other routes (`___netlify-handler`)
    BUILD = "build"  # packed into bins by the build: named at build time
    EDGE = "edge"  # an edge function: no lambda at all


@dataclass(frozen=True)
class Route:
    """One invocable thing: a Next.js API route or a Netlify function."""

    route: str  # "/api/users/[id]" or "/.netlify/functions/nightly" or a config.path
    kind: RouteKind
    schedule: str | None  # as written, or None
    file: str  # relative to the project, with "/"
    line: int  # 1-based line of the config (or 1)
    function: str | None  # the Netlify function that serves it; None: edge, or named at build
    source: RouteSource = RouteSource.NEXT
    placement: Placement = Placement.OWN
    alone_name: str | None = None  # with Placement.BUILD: its name when packed alone

    @property
    def params(self) -> tuple[Param, ...]:
        return route_params(self.route)

    def to_json(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "kind": str(self.kind),
            "schedule": self.schedule,
            "file": self.file,
            "line": self.line,
            "function": self.function,
            "source": str(self.source),
            "placement": str(self.placement),
            **({"function_if_alone": self.alone_name} if self.alone_name else {}),
        }


@dataclass(frozen=True)
class RuntimeChoice:
    """The Next.js runtime the build will use, and why the console thinks so."""

    package: str  # @netlify/plugin-nextjs
    version: str | None  # "4.41.3", "5.x", a range when guessed, None when unknown
    source: str  # where it was read or why: "package-lock.json", "not pinned: ..."
    guess: bool  # True when read from a range or assumed, not from what is installed
    major: int | None = None

    def line(self) -> str:
        """`runtime: @netlify/plugin-nextjs 4.41.3 (package-lock.json)`."""
        version = f" {self.version}" if self.version else ""
        return f"runtime: {self.package}{version} ({self.source})"

    def to_json(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "version": self.version,
            "source": self.source,
            "guess": self.guess,
        }


@dataclass(frozen=True)
class Project:
    """What discovery found in a project folder."""

    root: Path
    routes: tuple[Route, ...]
    problems: tuple[Problem, ...]
    package_manager: str = "npm"  # npm, pnpm, yarn or bun, told by the lock file
    dev_script: str | None = None  # package.json scripts.dev, if any
    files: tuple[str, ...] = ()  # every file discovery examined, relative with "/"
    runtime: RuntimeChoice | None = None  # None: not a Next.js site
    site_note: str | None = None  # how the site folder was found, when not as given

    @property
    def name(self) -> str:
        return self.root.resolve().name

    def route(self, path: str) -> Route | None:
        for r in self.routes:
            if r.route == path:
                return r
        return None

    def problems_for(self, file: str) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.file == file)


class TargetKind(StrEnum):
    LOCAL = "local"
    PREVIEW = "preview"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Target:
    """Where a run is sent. Header values may hold `${VAR}`, expanded only at send time."""

    name: str
    kind: TargetKind
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    # Follow redirects to other origins (never to a production site): console.toml opts in.
    follow_redirects: bool = False

    @property
    def deployed(self) -> bool:
        return self.kind is not TargetKind.LOCAL


class RunState(StrEnum):
    QUEUED = "queued"
    ACCEPTED = "accepted"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    INTERRUPTED = "interrupted"

    @property
    def final(self) -> bool:
        return self in _FINAL

    @property
    def words(self) -> str:
        """As a person reads it (`timed out`); the value (`timed_out`) is for JSON and history."""
        return self.value.replace("_", " ")


_FINAL = frozenset(
    {
        RunState.SUCCEEDED,
        RunState.FAILED,
        RunState.TIMED_OUT,
        RunState.CANCELLED,
        RunState.REFUSED,
        RunState.UNREACHABLE,
        RunState.INTERRUPTED,
    }
)


@dataclass(frozen=True)
class Run:
    """One invocation of a route on a target. Times are tz-aware UTC."""

    id: str
    route: str
    kind: RouteKind
    target: str
    target_kind: TargetKind
    url: str
    method: str
    state: RunState
    deadline_s: float
    created_at: datetime
    http_status: int | None = None
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    reason: str | None = None  # why refused / failed / unreachable, one sentence
    logs: tuple[str, ...] = field(default=())

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds() * 1000)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "route": self.route,
            "kind": str(self.kind),
            "target": self.target,
            "target_kind": str(self.target_kind),
            "url": self.url,
            "method": self.method,
            "state": str(self.state),
            "http_status": self.http_status,
            "attempts": self.attempts,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_ms": self.duration_ms,
            "deadline_s": self.deadline_s,
            "reason": self.reason,
            "logs": list(self.logs),
        }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else iso_utc(t)


def iso_utc(t: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, milliseconds only when non-zero; always a four-digit year
    (strftime's %Y writes the year 1 as `1`, which is not ISO 8601)."""
    from datetime import UTC

    t = t.astimezone(UTC)
    text = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    if t.microsecond:
        return f"{text}.{t.microsecond // 1000:03d}Z"
    return text + "Z"


def day_and_time(t: datetime) -> str:
    """`Mon 2024-05-01 13:00:00` with a four-digit year, in `t`'s own zone."""
    return f"{t:%a} {t.year:04d}-{t.month:02d}-{t.day:02d} {t:%H:%M:%S}"
