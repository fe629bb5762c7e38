"""The engine: submits runs, drives each through its states, records them, tells watchers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import httpx

from console.devserver.attribution import LogAttributor
from console.devserver.command import dev_url, host_port
from console.devserver.function_lines import FunctionLogAttributor, parse_cli_line
from console.devserver.functions import FunctionsServer, FunctionsState
from console.devserver.run_tags import split_tag
from console.devserver.sanitize import clean_line, sanitize_line
from console.devserver.supervisor import DevServer
from console.engine.clock import Clock, SystemClock
from console.engine.emulation import NextFire, plan_request, refusal
from console.engine.events import DevState, EventBus, LogLine, RunChanged
from console.engine.fire_claims import FireClaims
from console.engine.function_runs import FunctionRouting
from console.engine.history import RunStore
from console.engine.ids import new_run_id
from console.engine.in_flight import InFlightGate
from console.engine.peers import PeerRuns
from console.engine.redirects import SendGuard
from console.engine.request import RunRequest
from console.engine.response import Response, last_response
from console.engine.routing import find_route
from console.engine.runner import ActiveRun
from console.engine.scheduler import LocalScheduler
from console.errors import HistoryError, UsageError
from console.model import Project, Route, RouteSource, Run, RunState, Target, TargetKind
from console.secrets import Redactor, secret_values
from console.settings import Settings, expand_value
from console.sites import public_url, url_secrets

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
HISTORY_RETRY = 2.0  # seconds between tries to write what the history refused
HISTORY_LAST_TRY = 2.0  # seconds `close` waits for the history's write lock


class DevSupervisor(Protocol):
    """What the engine needs of the dev server supervisor (console/devserver/supervisor.py)."""

    @property
    def state(self) -> DevState: ...

    @property
    def started_by_us(self) -> bool: ...

    async def ensure(self) -> DevState: ...

    async def probe(self) -> DevState: ...

    async def stop(self, *, wait_for_users: bool = True) -> None: ...

    def use(self) -> None: ...

    def done(self) -> None: ...

    def drain(self) -> None: ...

    async def settle(self) -> None: ...


@dataclass(frozen=True)
class RunProgress:
    """Where an active run is, for countdowns: the current attempt's deadline, the next retry."""

    run_id: str
    attempt: int
    max_attempts: int
    deadline_at: datetime | None
    next_attempt_at: datetime | None


def _default_next_fire(schedule: str, after: datetime) -> datetime | None:
    from console.schedule import next_fires

    fires = next_fires(schedule, after, 1)
    return fires[0] if fires else None


def _no_fire(schedule: str, after: datetime) -> datetime | None:
    return None


class Engine:
    """Runs routes on targets as the platform would; the one thing the screen and CLI drive.

    Every run is recorded before its request is sent and at every change; watchers subscribe to
    `bus`. Clock and HTTP transport are injected so tests need neither sleeping nor a network.
    """

    def __init__(
        self,
        project: Project,
        settings: Settings,
        store: RunStore,
        *,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        bus: EventBus | None = None,
        next_fire: NextFire | None = None,
    ) -> None:
        self.project = project
        self.settings = settings
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.next_fire: NextFire = next_fire or _default_next_fire
        # What the targets' headers would send: never recorded or shown, whoever echoes it.
        self.redactor = Redactor(secret_values(settings.targets))
        # Inert until someone calls ensure(): `trigger` and `open` do, unless --no-dev.
        self.dev: DevSupervisor | None = DevServer(
            project, settings, self.bus, on_lines=self.on_dev_lines
        )
        # The Netlify CLI's functions server, for the project's Netlify functions (inert too).
        self.functions: FunctionsServer | None = FunctionsServer(
            project, settings, self.bus, on_lines=self.on_function_lines
        )
        self.scheduler = LocalScheduler(self, FireClaims(store.path))
        self._transport = transport
        self._clients: dict[tuple[bool, bool], httpx.AsyncClient] = {}
        self._active: dict[str, ActiveRun] = {}
        self._gates: dict[str, InFlightGate] = {}
        self._on_attached: set[str] = set()  # local runs sent to a server another process runs
        self._on_attached_functions: set[str] = set()  # the same, for the functions server
        self._attributor = LogAttributor()
        # run id -> recorded by another process? (for lines the preload marked)
        self._peer_run: dict[str, bool | None] = {}
        # Set once a marked line arrives: run logs are exact, not guessed (see run_tags).
        self.exact_logs = False
        self.peers = PeerRuns(store, self.bus, self.clock)
        self._fn = FunctionRouting(self, FunctionLogAttributor(), lambda: self._active.values())
        self._closed = False
        self._history_retry: asyncio.Task[None] | None = None
        store.on_trouble = self._history_trouble

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Mark the runs a dead console process left unfinished as interrupted."""
        if self.store.mark_interrupted(self.clock.now()):
            log.info("marked runs of a stopped console process as interrupted")

    async def close(self, reason: str | None = None, *, promptly: bool = False) -> None:
        """Cancel active runs (state cancelled), close the clients, stop a dev server we started.

        `reason` says why in each cancelled run ("the console received SIGTERM"); queued runs
        are cancelled too, with "cancelled while queued, before it was sent". `promptly` (a
        signal) stops our dev server without waiting for other processes' runs on it.
        """
        self._closed = True
        await self.scheduler.stop()
        await self.peers.stop()
        for a in self._active.values():
            a.cancel_reason = reason
        tasks = [a.task for a in self._active.values() if a.task is not None]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._history_retry is not None:
            self._history_retry.cancel()
            await asyncio.gather(self._history_retry, return_exceptions=True)
        if self.store.pending:  # a last try, off the event loop: the lock may be free by now
            self.store.on_trouble = None  # nobody is left to tell, and not from that thread
            await asyncio.to_thread(self.store.flush, HISTORY_LAST_TRY)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        if self.functions is not None and self.functions.started_by_us:
            await self.functions.stop()
        if self.dev is not None and self.dev.started_by_us:
            await self.dev.stop(wait_for_users=not promptly)
        elif self.dev is not None and self.dev.state is DevState.ATTACHED:
            await self.dev.stop()  # detach: stop watching it, let go of the shared lock

    def client(self, insecure: bool, local: bool) -> httpx.AsyncClient:
        """The shared client for this kind of target (one pool per TLS setting and locality)."""
        key = (insecure, local)
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                transport=self._transport,
                verify=not insecure,
                # Proxies from the environment are for the outside world, not the dev server.
                trust_env=not local,
                # Deadlines are the engine's (on its clock); only connecting has its own limit.
                timeout=httpx.Timeout(None, connect=CONNECT_TIMEOUT),
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
            )
            self._clients[key] = client
        return client

    def gate(self, target: Target) -> InFlightGate:
        """The in-flight limit of this target (by name; `--url` targets are one each)."""
        gate = self._gates.get(target.name)
        if gate is None:
            gate = self._gates[target.name] = InFlightGate(self.settings.limits.max_in_flight)
        return gate

    # -- submitting ------------------------------------------------------------------------------

    def route_for(self, path: str) -> Route:
        return find_route(self.project.routes, path)[0]

    def resolve(self, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a path, with the parameters a concrete path (`/api/users/42`) carries."""
        return find_route(self.project.routes, path)

    def check(self, route: Route, target: Target, request: RunRequest | None = None) -> None:
        """Raise the UsageError `submit` would (a missing parameter or variable), sending nothing."""
        request = request or RunRequest()
        via, where = self._fn.where(route, target)
        plan_request(
            route, where or target, request, self.settings.limits, self.clock.now(), _no_fire,
            via_functions=via,
        )  # fmt: skip
        if refusal(route, target, request) is None:
            self._check_env(target)

    def submit(self, route: Route, target: Target, request: RunRequest | None = None) -> Run:
        """Record the run (before anything is sent), start it, and return it at once."""
        request = request or RunRequest()
        loop = asyncio.get_running_loop()  # before anything is recorded: the run needs a task
        if self._closed:
            raise UsageError("the engine is closed")
        now = self.clock.now()
        via, where = self._fn.where(route, target)
        plan = plan_request(
            route, where or target, request, self.settings.limits, now, self.next_fire,
            via_functions=via,
        )  # fmt: skip
        # A `--url` address may carry credentials the targets' headers did not name.
        self.redactor.learn(url_secrets(plan.url))
        why_not = refusal(route, target, request) or self._production_elsewhere(target, plan.url)
        if why_not is None:
            self._check_env(target)
        run = Run(
            id=new_run_id(now),
            route=route.route,
            kind=route.kind,
            target=target.name,
            target_kind=target.kind,
            url=public_url(plan.url),
            method=plan.method,
            state=RunState.QUEUED,
            deadline_s=plan.deadline,
            created_at=now,
        )
        nowhere = self._fn.nowhere(route) if via and where is None and why_not is None else None
        if why_not is not None or nowhere is not None:
            # Ended before anything is sent: recorded and shown all the same.
            state, reason = (
                (RunState.REFUSED, why_not) if why_not is not None
                else (RunState.UNREACHABLE, nowhere or "")
            )  # fmt: skip
            run = replace(
                run, state=state, reason=reason, finished_at=now, logs=(f"{state}: {reason}",)
            )
            self.store.insert(run, request)
            self.bus.publish(RunChanged(run))
            return run
        active = ActiveRun(self, run, route, target, request, plan)
        self.store.insert(run, request)
        self._active[run.id] = active
        dev = self.dev
        functions = self.functions
        if plan.via_functions and not self._fn.shared:
            dev = None  # not the dev server's run
            if functions is not None and functions.state is FunctionsState.ATTACHED:
                functions.use()
                self._on_attached_functions.add(run.id)
        if target.kind is TargetKind.LOCAL and dev is not None and dev.state is DevState.ATTACHED:
            # The process that started that server waits for this run before stopping it.
            dev.use()
            self._on_attached.add(run.id)
        self.bus.publish(RunChanged(active.snapshot()))
        active.task = loop.create_task(active.drive(), name=f"run {run.id}")
        return run

    async def run(self, route: Route, target: Target, request: RunRequest | None = None) -> Run:
        """Submit and wait for the end (a deployed background run: until it is accepted)."""
        run = self.submit(route, target, request)
        active = self._active.get(run.id)
        if active is None:
            return run
        await active.settled.wait()
        return active.snapshot()

    def rerun(self, run_id: str, *, confirmed: bool = False) -> Run:
        """Send a past run again: same route, target and request."""
        old = self.get(run_id)
        if old is None:
            raise UsageError(f"no run {run_id} in the history")
        route = self.project.route(old.route)
        if route is None:
            raise UsageError(f"the route {old.route} of run {run_id} is no longer in the project")
        target = self.settings.target(old.target)
        request = self.store.request(run_id) or RunRequest()
        return self.submit(route, target, replace(request, confirmed=confirmed))

    def cancel(self, run_id: str) -> bool:
        active = self._active.get(run_id)
        if active is None or active.task is None or active.settled.is_set():
            return False
        active.task.cancel()
        return True

    def get(self, run_id: str) -> Run | None:
        active = self._active.get(run_id)
        return active.snapshot() if active is not None else self.store.get(run_id)

    def response(self, run_id: str) -> Response | None:
        """What the route answered to the run's last attempt that got an answer (from history)."""
        return last_response(self.store.attempts(run_id))

    def last_request(self, route: Route) -> RunRequest | None:
        """The request of the route's newest run in history, whoever sent it (this screen, a
        `trigger` in another shell, a console open before)."""
        return self.store.last_request_of(route.route)

    def serves_functions(self, target: Target) -> bool:
        """Can `target` answer a Netlify function's path? The screen says so on the row before
        anyone triggers (`next dev` answers 404 for /.netlify/functions/*).

        Deployed targets do. A local target at the dev server's address does only when the dev
        command is the Netlify CLI's (`netlify dev`); another local address (a `netlify dev` on
        8888, say) is trusted to. The local functions server, once the supervisor runs one,
        answers here instead: function runs on the local target go to it.
        """
        if target.kind is not TargetKind.LOCAL:
            return True
        if host_port(target.url) != host_port(dev_url(self.settings)):
            return True
        functions = self.functions
        if functions is not None and functions.state in (
            FunctionsState.SHARED, FunctionsState.READY, FunctionsState.ATTACHED,
            FunctionsState.STARTING,
        ):  # fmt: skip
            return True
        command = self.settings.dev.command or self.project.dev_script or ""
        return any(cli in command for cli in ("netlify dev", "ntl dev"))

    def active_runs(self) -> list[Run]:
        return [a.snapshot() for a in self._active.values()]

    def progress(self, run_id: str) -> RunProgress | None:
        a = self._active.get(run_id)
        if a is None:
            return None
        return RunProgress(
            run_id, a.run.attempts, 1 + len(a.plan.retry_delays), a.deadline_at, a.next_attempt_at
        )

    def recent_runs(self, n: int = 50) -> list[Run]:
        """The newest runs without their logs (`get` has a run's log): cheap at any size."""
        return self.store.recent(n, logs=False)

    # -- history trouble -------------------------------------------------------------------------

    def _history_trouble(self, sentence: str) -> None:
        """The history refused a write (or takes them again): say so, and keep trying."""
        self.console_line(sentence)
        if self.store.pending and self._history_retry is None:
            with contextlib.suppress(RuntimeError):  # no event loop: the next write retries
                loop = asyncio.get_running_loop()
                self._history_retry = loop.create_task(self._retry_history(), name="history")

    async def _retry_history(self) -> None:
        try:
            while self.store.pending:
                await asyncio.sleep(HISTORY_RETRY)
                self.store.flush()  # on the loop: in trouble, a try waits 0.2 s at most
        finally:
            self._history_retry = None

    def run_ended(self, run_id: str) -> None:
        active = self._active.pop(run_id, None)
        if run_id in self._on_attached:
            self._on_attached.discard(run_id)
            if self.dev is not None:
                self.dev.done()
        if run_id in self._on_attached_functions:
            self._on_attached_functions.discard(run_id)
            if self.functions is not None:
                self.functions.done()
        if active is not None:
            self._attributor.finished(active.run)

    def reload_project(self, project: Project) -> None:
        self.project = project
        if isinstance(self.dev, DevServer):
            self.dev.project = project
        if self.functions is not None:
            self.functions.reload(project)
        self.scheduler.reload()

    def _production_elsewhere(self, target: Target, url: str) -> str | None:
        """The last gate: a run that is not for production never goes to a production site,
        whoever built its target (the command line, the screen, a rerun)."""
        return SendGuard.for_run(target, self.settings.targets).refusal(url)

    def reload_settings(self, settings: Settings) -> None:
        """console.toml changed while open: the next runs use its targets and limits.

        Runs under way keep what they started with; the dev server keeps its command until the
        console starts again. The old targets' secrets stay hidden in what is shown and stored.
        """
        self.redactor = Redactor(secret_values(self.settings.targets + settings.targets))
        self.settings = settings

    @property
    def needs_dev_server(self) -> bool:
        """Is there a dev server to run: Next.js routes, a `dev` script or a [dev] command?

        A site of Netlify functions only, with no dev script, has none: the functions server
        alone serves it.
        """
        return (
            self.settings.dev.command is not None
            or self.project.dev_script is not None
            or any(r.source is RouteSource.NEXT for r in self.project.routes)
        )

    async def ensure_for(self, route: Route) -> None:
        """Start (or attach to) what serves this route locally: the functions server or next dev."""
        if self._fn.served_by_functions_server(route):
            assert self.functions is not None
            await self.functions.ensure()
        elif self.dev is not None:
            await self.dev.ensure()

    def lines_for(self, via_functions: bool) -> DevSupervisor | FunctionsServer | None:
        if (
            via_functions
            and self.functions is not None
            and self.functions.state not in (FunctionsState.SHARED, FunctionsState.NONE)
        ):
            return self.functions
        return self.dev

    def observes(self, via_functions: bool) -> bool:
        server = self.lines_for(via_functions)
        return server is not None and server.started_by_us

    def _check_env(self, target: Target) -> None:
        for name, value in target.headers:
            expand_value(value, name, target.name)

    # -- logs ------------------------------------------------------------------------------------

    def on_dev_line(self, text: str) -> None:
        """One dev server line (tests, callers with a single line): see `on_dev_lines`."""
        self.on_dev_lines((text,))

    def on_dev_lines(self, texts: Sequence[str]) -> None:
        """Dev server lines, oldest first: sanitize, attribute to runs, store with them, publish.

        The supervisor hands over one batch per slice of a read, so the batch shares one
        timestamp (its lines arrived together) and one history transaction. Each line is still
        attributed on its own and in order (a line can start or end a sticky error block), and
        every line is published as its own `LogLine`, after the batch's lines are stored.
        """
        if not texts:
            return
        redact = self.redactor.text
        attribute = self._attributor.attribute
        active = self._active
        now = self.clock.now()
        placed: list[tuple[str, str | None]] = []
        shared = self._fn.shared
        for text in texts:
            tag, text = split_tag(text)
            # sanitize: a no-op for the supervisor's lines, which are clean already
            line = redact(sanitize_line(text))
            if tag is not None:
                # Marked by the preload: exact, whatever else runs; a run that ended (cancelled,
                # or another console's) still gets its handler's late lines.
                self.exact_logs = True
                run_id = tag if tag in active or self._recorded(tag) else None
            elif shared and parse_cli_line(line) is not None:
                # `netlify dev` prints the CLI's function lines among next's: theirs to place.
                run_id = self._fn.attribute(line)
            else:
                candidates = [
                    a.run
                    for a in active.values()
                    if not a.settled.is_set() and not (a.plan.via_functions and not shared)
                ]
                run_id = attribute(line, candidates, now)
            placed.append((line, run_id))
        self._file_lines(placed, now, "dev")

    def _file_lines(
        self, placed: Sequence[tuple[str, str | None]], now: datetime, source: str
    ) -> None:
        """Lines already attributed (line, run id or None), oldest first: each kept with its
        run (ours in flight, or another console's, for its poller not to show it twice), the
        batch recorded in one transaction, then every line published as its own `LogLine`."""
        stored: list[tuple[str, str]] = []
        out: list[LogLine] = []
        for line, run_id in placed:
            if run_id is not None:
                active = self._active.get(run_id)
                if active is not None:
                    active.keep(line)
                elif self._peer_run.get(run_id):
                    self.peers.recorded_for_peer(run_id, line)
                stored.append((run_id, line))
            out.append(LogLine(line, now, source, run_id))
        if stored:
            try:
                self.store.append_logs(stored, now)
            except HistoryError as exc:
                # The lines are still shown; one clear sentence in the console's log.
                log.error("%d %s server lines were not recorded: %s", len(stored), source, exc)
        publish = self.bus.publish
        for event in out:
            publish(event)

    def _recorded(self, run_id: str) -> bool:
        """Is there such a run in the history (ours that ended, or another console's)?"""
        if run_id not in self._peer_run:
            try:
                ours = self.store.is_ours(run_id)
            except HistoryError:
                return False
            if len(self._peer_run) > 4096:
                self._peer_run.clear()
            # None: no such run. A run is recorded before its request is sent, so a mark
            # naming no run now never will: remembered, so a flood costs one look, not one each.
            self._peer_run[run_id] = None if ours is None else not ours
        return self._peer_run[run_id] is not None

    def watch_peers(self) -> None:
        """Show runs that other console processes record in this history (the screen does)."""
        self.peers.start()

    def on_function_lines(self, texts: Sequence[str]) -> None:
        """Functions server lines, oldest first: as `on_dev_lines`, with the CLI's markers read."""
        if not texts:
            return
        now = self.clock.now()
        placed: list[tuple[str, str | None]] = []
        for text in texts:
            tag, text = split_tag(text)
            line = self.redactor.text(sanitize_line(text))
            if tag is not None:
                # The preload runs in the CLI too: a console request's lines (the CLI's own and,
                # through the worker's output, the function's) carry its run id.
                self.exact_logs = True
                self._fn.marked(line, tag)
                run_id = tag if tag in self._active or self._recorded(tag) else None
            else:
                run_id = self._fn.attribute(line)
            placed.append((line, run_id))
        self._file_lines(placed, now, "functions")

    def console_line(self, text: str, run_id: str | None = None) -> None:
        """A line the console itself says, not tied to a run's state (the scheduler uses it)."""
        line = self.redactor.text(clean_line(text))
        self.bus.publish(LogLine(line, self.clock.now(), "console", run_id))
