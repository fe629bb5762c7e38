"""Where a Netlify function's local run goes (the functions server), and its lines come back.

On the local target a Netlify function is not `next dev`'s: it is sent to the Netlify CLI's
functions server (or to `netlify dev`, which serves both at the dev URL), with the CLI's
semantics, and the CLI's lines are given to the runs they name. The CLI's end-of-background
markers are handed to the run they name, which ends on them (see `runner.ActiveRun.cli_said`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol
from urllib.parse import urlsplit

from console.devserver.command import dev_url, host_port
from console.devserver.function_lines import FunctionLogAttributor, FunctionRun, parse_cli_line
from console.devserver.functions import FunctionsServer, FunctionsState, install_hint
from console.engine.runner import ActiveRun
from console.model import Project, Route, RouteSource, RunState, Target, TargetKind
from console.settings import Settings

__all__ = ["FunctionRouting"]


class FunctionsHost(Protocol):
    project: Project
    settings: Settings

    @property
    def functions(self) -> FunctionsServer | None: ...


class FunctionRouting:
    """The engine's function side: routing a run, placing the functions server's lines."""

    def __init__(
        self,
        host: FunctionsHost,
        attributor: FunctionLogAttributor,
        active: Callable[[], Iterable[ActiveRun]],
    ) -> None:
        self._host = host
        self._attributor = attributor
        self._active = active

    @property
    def shared(self) -> bool:
        """Does `netlify dev` (the dev server) serve the functions too?"""
        f = self._host.functions
        return f is not None and f.state is FunctionsState.SHARED

    def served_by_functions_server(self, route: Route) -> bool:
        f = self._host.functions
        return route.source is RouteSource.FUNCTION and f is not None and f.needed

    def where(self, route: Route, target: Target) -> tuple[bool, Target | None]:
        """Does the run go with the CLI's semantics, and to which base URL (None: nowhere yet)?

        Only a function on the local target (the dev URL) does; any other URL is the user's
        choice and gets the console's emulation, as before.
        """
        if route.source is not RouteSource.FUNCTION or target.kind is not TargetKind.LOCAL:
            return False, target
        if host_port(target.url) != host_port(dev_url(self._host.settings)):
            return False, target
        f = self._host.functions
        if f is None or f.state is FunctionsState.NONE:
            return False, target  # not a function of this project (as far as it knows)
        if f.state is FunctionsState.SHARED:
            return True, target
        url = f.url
        return True, (replace(target, url=url) if url is not None else None)

    def nowhere(self, route: Route) -> str:
        """Why a function run cannot be sent: no functions server, and no URL for one."""
        f = self._host.functions
        if f is not None and f.state is FunctionsState.NOT_INSTALLED:
            return (
                f"{route.route} needs the Netlify CLI's functions server, and the CLI is not "
                f"installed: run `{install_hint(self._host.project)}` in {self._host.project.root}"
            )
        detail = f" ({f.state}: {f.detail})" if f is not None else ""
        return (
            f"{route.route} needs the functions server, which is not running{detail}; "
            "start it with `d` on the screen, or trigger without --no-dev"
        )

    def marked(self, line: str, run_id: str) -> None:
        """A line the preload marked as this run's: pass on what the CLI says in it."""
        cli = parse_cli_line(line)
        if cli is None:
            return
        for a in self._active():
            if a.run.id == run_id and a.plan.via_functions:
                a.cli_said(cli)
                return

    def attribute(self, line: str) -> str | None:
        """The run a functions server line belongs to; passes the CLI's end markers on."""
        runs: list[FunctionRun] = []
        by_id: dict[str, ActiveRun] = {}
        for a in self._active():
            if not a.plan.via_functions or a.settled.is_set():
                continue
            if a.run.state is not RunState.RUNNING:
                continue
            by_id[a.run.id] = a
            since = a.run.started_at or a.run.created_at
            path = urlsplit(a.plan.url).path
            runs.append(FunctionRun(a.run.id, a.route.function or "", path, since, a.run.attempts))
        run_id, cli = self._attributor.attribute(line, runs)
        if run_id is not None and cli is not None:
            by_id[run_id].cli_said(cli)
        return run_id
