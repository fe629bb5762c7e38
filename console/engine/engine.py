"""The engine: submits runs, drives each through its states, records them, tells watchers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from console.engine.attribution import LogAttributor
from console.engine.clock import Clock, SystemClock
from console.engine.emulation import NextFire, Plan, judge, plan_request, refusal
from console.engine.events import DevState, EventBus, LogLine, RunChanged
from console.engine.executor import Outcome, send_attempt
from console.engine.history import Attempt, RunStore
from console.engine.ids import new_run_id
from console.engine.request import RunRequest
from console.engine.routing import find_route, public_url
from console.engine.sanitize import clean_line
from console.engine.scheduler import LocalScheduler
from console.errors import ConsoleError, UsageError
from console.model import Project, Route, RouteKind, Run, RunState, Target, TargetKind
from console.settings import Settings, expand_value

log = logging.getLogger(__name__)

MEMORY_LOG_LINES = 5_000  # per active run; history keeps every line
CONNECT_TIMEOUT = 10.0


class DevSupervisor(Protocol):
    """What the engine needs of the dev server supervisor (console/engine/devserver.py)."""

    state: DevState
    started_by_us: bool

    async def ensure(self) -> DevState: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class RunProgress:
    """Where an active run is, for countdowns: the current attempt's deadline, the next retry."""

    run_id: str
    attempt: int
    max_attempts: int
    deadline_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(eq=False)
class _Active:
    run: Run  # without logs; they live in `logs`
    route: Route
    target: Target
    request: RunRequest
    plan: Plan
    logs: list[str] = field(default_factory=list)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    deadline_at: datetime | None = None
    next_attempt_at: datetime | None = None

    def snapshot(self) -> Run:
        return replace(self.run, logs=tuple(self.logs))

    @property
    def observed_elsewhere(self) -> bool:
        """A deployed background run after its 202: the platform runs it, we only count down."""
        return self.run.state is RunState.ACCEPTED and self.target.deployed


def _default_next_fire(schedule: str, after: datetime) -> datetime | None:
    from console.schedule import next_fires

    fires = next_fires(schedule, after, 1)
    return fires[0] if fires else None


def _secs(s: float) -> str:
    return f"{s:g}"


class Engine:
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
        self.dev: DevSupervisor | None = None
        self.scheduler = LocalScheduler(self)
        self._transport = transport
        self._clients: dict[tuple[bool, bool], httpx.AsyncClient] = {}
        self._active: dict[str, _Active] = {}
        self._attributor = LogAttributor()
        self._closed = False

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Mark the runs a dead console process left unfinished as interrupted."""
        if self.store.mark_interrupted(self.clock.now()):
            log.info("marked runs of a stopped console process as interrupted")

    async def close(self) -> None:
        """Cancel active runs (state cancelled), close the clients, stop a dev server we started."""
        self._closed = True
        await self.scheduler.stop()
        tasks = [a.task for a in self._active.values() if a.task is not None]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        if self.dev is not None and self.dev.started_by_us:
            await self.dev.stop()

    def _client(self, insecure: bool, local: bool) -> httpx.AsyncClient:
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

    # -- submitting ------------------------------------------------------------------------------

    def route_for(self, path: str) -> Route:
        return find_route(self.project.routes, path)[0]

    def resolve(self, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a path, with the parameters a concrete path (`/api/users/42`) carries."""
        return find_route(self.project.routes, path)

    def submit(self, route: Route, target: Target, request: RunRequest | None = None) -> Run:
        """Record the run (before anything is sent), start it, and return it at once."""
        request = request or RunRequest()
        if self._closed:
            raise UsageError("the engine is closed")
        now = self.clock.now()
        plan = plan_request(route, target, request, self.settings.limits, now, self.next_fire)
        why_not = refusal(route, target, request)
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
        if why_not is not None:
            run = replace(
                run, state=RunState.REFUSED, reason=why_not, finished_at=now,
                logs=(f"refused: {why_not}",),
            )  # fmt: skip
            self.store.insert(run, request)
            self.bus.publish(RunChanged(run))
            return run
        active = _Active(run, route, target, request, plan)
        self.store.insert(run, request)
        self._active[run.id] = active
        self.bus.publish(RunChanged(active.snapshot()))
        active.task = asyncio.get_running_loop().create_task(
            self._drive(active), name=f"run {run.id}"
        )
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
        return self.store.recent(n)

    def reload_project(self, project: Project) -> None:
        self.project = project
        self.scheduler.reload()

    def _check_env(self, target: Target) -> None:
        for name, value in target.headers:
            expand_value(value, name, target.name)

    # -- logs ------------------------------------------------------------------------------------

    def on_dev_line(self, text: str) -> None:
        """A dev server line: sanitize, attribute to a run, store with it, publish."""
        line = clean_line(text)
        now = self.clock.now()
        candidates = [a.run for a in self._active.values() if not a.settled.is_set()]
        run_id = self._attributor.attribute(line, candidates)
        if run_id is not None:
            self._keep(self._active[run_id], line)
            self.store.append_log(run_id, line, now)
        self.bus.publish(LogLine(line, now, "dev", run_id))

    def console_line(self, text: str, run_id: str | None = None) -> None:
        """A line the console itself says, not tied to a run's state (the scheduler uses it)."""
        self.bus.publish(LogLine(clean_line(text), self.clock.now(), "console", run_id))

    @staticmethod
    def _keep(a: _Active, line: str) -> None:
        a.logs.append(line)
        if len(a.logs) > MEMORY_LOG_LINES:
            del a.logs[: len(a.logs) - MEMORY_LOG_LINES]

    def _log(self, a: _Active, text: str) -> None:
        self._change(a, log=text)

    def _change(self, a: _Active, *, log: str | None = None, **fields: Any) -> None:
        """Apply a change to a run: one history transaction, then the events."""
        now = self.clock.now()
        lines = [] if log is None else [(clean_line(log), now)]
        for line, _ in lines:
            self._keep(a, line)
        if fields:
            a.run = replace(a.run, **fields)
            self.store.update(a.run, lines)
        elif lines:
            self.store.append_log(a.run.id, lines[0][0], now)
        for line, at in lines:
            self.bus.publish(LogLine(line, at, "console", a.run.id))
        if fields:
            self.bus.publish(RunChanged(a.snapshot()))

    # -- driving a run -----------------------------------------------------------------------------

    async def _drive(self, a: _Active) -> None:
        try:
            await self._attempts(a)
            if a.observed_elsewhere:
                a.settled.set()
                # Counted down on screen until its deadline, then left to the platform.
                started = a.run.started_at or a.run.created_at
                left = (started - self.clock.now()).total_seconds() + a.plan.deadline
                await self.clock.sleep(left)
        except asyncio.CancelledError:
            if not a.observed_elsewhere and not a.run.state.final:
                self._safe_finish(a, RunState.CANCELLED, "cancelled before it finished")
        except Exception as exc:
            log.exception("run %s failed inside the console", a.run.id)
            self._safe_finish(a, RunState.FAILED, f"the console failed while running it: {exc}")
        finally:
            a.settled.set()
            self._active.pop(a.run.id, None)

    def _safe_finish(self, a: _Active, state: RunState, reason: str) -> None:
        try:
            self._finish(a, state, reason)
        except ConsoleError:
            log.exception("could not record the end of run %s", a.run.id)

    def _finish(
        self, a: _Active, state: RunState, reason: str | None, status: int | None = None
    ) -> None:
        now = self.clock.now()
        started = a.run.started_at or now
        took = _secs(round((now - started).total_seconds(), 1))
        http = f" (HTTP {status})" if status is not None else ""
        line = {
            RunState.SUCCEEDED: f"succeeded in {took} s{http}",
            RunState.TIMED_OUT: f"timed out: {reason}",
            RunState.CANCELLED: "cancelled",
        }.get(state, f"{state}: {reason}")
        if state is RunState.SUCCEEDED and reason:
            line += f"; {reason}"
        fields: dict[str, Any] = {"state": state, "reason": reason, "finished_at": now}
        if status is not None:
            fields["http_status"] = status
        a.deadline_at = a.next_attempt_at = None
        self._change(a, log=line, **fields)
        a.settled.set()

    async def _attempts(self, a: _Active) -> None:
        p, route, target = a.plan, a.route, a.target
        local_background = route.kind is RouteKind.BACKGROUND and not target.deployed
        self._log(a, f"-> {p.method} {a.run.url} ({route.kind}, deadline {_secs(p.deadline)} s)")
        if p.note:
            self._log(a, p.note)
        if local_background:
            self._change(
                a, log="<- 202 accepted (as the platform answers)", state=RunState.ACCEPTED
            )
        delays = list(p.retry_delays)
        n = 0
        while True:
            n += 1
            now = self.clock.now()
            a.deadline_at = now + timedelta(seconds=p.request_deadline)
            a.next_attempt_at = None
            fields: dict[str, Any] = {"attempts": n}
            if a.run.started_at is None:
                fields["started_at"] = now
            if not (route.kind is RouteKind.BACKGROUND and target.deployed):
                fields["state"] = RunState.RUNNING
            label = "running…" if n == 1 else f"attempt {n} of {n + len(delays)}: running…"
            self._change(a, log=label, **fields)
            try:
                headers = [(k, expand_value(v, k, target.name)) for k, v in p.headers]
            except UsageError as exc:
                self._finish(a, RunState.FAILED, str(exc))
                return
            outcome = await self._race(a, headers)
            state, reason, retryable = self._verdict(a, outcome)
            self.store.save_attempt(
                Attempt(
                    a.run.id, n, now, self.clock.now(),
                    outcome.status if outcome else None,
                    outcome.headers if outcome else (),
                    outcome.body if outcome else b"",
                    outcome.body_size if outcome else 0,
                    reason if state is not RunState.SUCCEEDED else None,
                )
            )  # fmt: skip
            status = outcome.status if outcome else None
            if retryable and delays:
                delay = delays.pop(0)
                a.next_attempt_at = self.clock.now() + timedelta(seconds=delay)
                a.deadline_at = None
                note = f"attempt {n} failed ({reason}); retrying in {_secs(delay)} s"
                self._change(a, log=note, state=RunState.ACCEPTED, reason=note, http_status=status)
                await self.clock.sleep(delay)
                continue
            if state is RunState.ACCEPTED:
                self._change(
                    a, log="the platform runs it now; its end cannot be observed from here",
                    state=RunState.ACCEPTED, http_status=status,
                )  # fmt: skip
                a.deadline_at = (a.run.started_at or now) + timedelta(seconds=p.deadline)
                return
            self._finish(a, state, reason, status)
            return

    def _verdict(self, a: _Active, outcome: Outcome | None) -> tuple[RunState, str | None, bool]:
        retry_on_error = a.route.kind is RouteKind.BACKGROUND and not a.target.deployed
        if outcome is None:
            why = f"no answer within {_secs(a.plan.request_deadline)} s; the request was aborted"
            return RunState.TIMED_OUT, why, retry_on_error
        if outcome.error is not None:
            if outcome.unreachable:
                return RunState.UNREACHABLE, self._unreachable_reason(a, outcome.error), False
            return RunState.FAILED, outcome.error, retry_on_error
        assert outcome.status is not None
        v = judge(a.route, a.target, outcome.status)
        return v.state, v.reason, v.retryable

    def _unreachable_reason(self, a: _Active, error: str) -> str:
        if a.target.kind is not TargetKind.LOCAL or "TLS" in error or "host name" in error:
            return error
        command = self.settings.dev.command or f"{self.project.package_manager} run dev"
        if not error.startswith("nothing is listening"):
            return error
        return (
            f"the dev server is not running at {a.target.url}: start it with `{command}` in "
            f"{self.project.root}, or let the console start it (console open, or trigger "
            "without --no-dev)"
        )

    async def _race(self, a: _Active, headers: list[tuple[str, str]]) -> Outcome | None:
        """The request against the deadline on the engine's clock; None when the deadline won."""
        p = a.plan

        def on_response(status: int) -> None:
            phrase = httpx.codes.get_reason_phrase(status)
            self._log(a, f"<- {status} {phrase}".rstrip())

        client = self._client(a.request.insecure, a.target.kind is TargetKind.LOCAL)
        send = asyncio.ensure_future(
            send_attempt(
                client, p.method, p.url, headers, p.body, p.target_header_names, on_response
            )
        )
        timer = asyncio.ensure_future(self.clock.sleep(p.request_deadline))
        try:
            await asyncio.wait((send, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not send.done():
                send.cancel()
                await asyncio.gather(send, return_exceptions=True)
        if send.done() and not send.cancelled():
            return send.result()
        return None
