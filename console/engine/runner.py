"""One run on its way: its attempts, deadlines, retries and state changes, recorded as they happen."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from console.devserver.function_lines import CliEvent, CliLine
from console.devserver.run_tags import RUN_HEADER
from console.devserver.sanitize import clean_line
from console.engine.clock import Clock
from console.engine.emulation import Plan, judge
from console.engine.events import EventBus, LogLine, RunChanged
from console.engine.executor import Outcome, send_attempt
from console.engine.history import Attempt, RunStore
from console.engine.in_flight import InFlightGate
from console.engine.redirects import SendGuard
from console.engine.request import RunRequest
from console.errors import ConsoleError, UsageError
from console.model import Project, Route, RouteKind, Run, RunState, Target, TargetKind
from console.secrets import Redactor
from console.settings import Settings, expand_value
from console.sites import public_url

log = logging.getLogger(__name__)

MEMORY_LOG_LINES = 5_000  # per active run; history keeps every line


class RunHost(Protocol):
    """What a run needs from the engine that owns it."""

    clock: Clock
    store: RunStore
    bus: EventBus
    settings: Settings
    project: Project
    redactor: Redactor

    @property
    def dev(self) -> DevLines | None: ...

    def lines_for(self, via_functions: bool) -> DevLines | None:
        """The server whose output holds this run's lines (the functions server, the dev server)."""
        ...

    def observes(self, via_functions: bool) -> bool:
        """Does the console read that server's output (it started it), so a CLI marker can come?"""
        ...

    def client(self, insecure: bool, local: bool) -> httpx.AsyncClient: ...

    def gate(self, target: Target) -> InFlightGate: ...

    def run_ended(self, run_id: str) -> None: ...


class DevLines(Protocol):
    async def settle(self) -> None: ...


def _secs(s: float) -> str:
    return f"{s:g}"


@dataclass(eq=False)
class ActiveRun:
    """A run the engine is driving (or, accepted by a deployed target, counting down)."""

    host: RunHost
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
    # Why the engine cancels it, when it is not the user's cancel (the console stopping).
    cancel_reason: str | None = None
    _slot: InFlightGate | None = None  # held while a request of this run is in flight
    # Set by the engine when the functions server says this background function ended.
    cli_end: asyncio.Future[CliLine] | None = None
    unobserved: bool = False  # 202 from a functions server whose output we cannot read

    def snapshot(self) -> Run:
        return replace(self.run, logs=tuple(self.logs))

    @property
    def observed_elsewhere(self) -> bool:
        """A deployed background run after its 202: the platform runs it, we only count down."""
        return self.run.state is RunState.ACCEPTED and (self.target.deployed or self.unobserved)

    def cli_said(self, cli: CliLine) -> None:
        """The functions server printed that this run's background function returned or threw."""
        ending = self.cli_end
        if (
            cli.event in (CliEvent.DONE, CliEvent.ERROR)
            and ending is not None
            and not ending.done()
        ):
            ending.set_result(cli)

    # -- recording ---------------------------------------------------------------------------

    def keep(self, line: str) -> None:
        self.logs.append(line)
        if len(self.logs) > MEMORY_LOG_LINES:
            del self.logs[: len(self.logs) - MEMORY_LOG_LINES]

    def _log(self, text: str) -> None:
        self._change(log=text)

    def _change(self, *, log: str | None = None, **fields: Any) -> None:
        """Apply a change: one history transaction, then the events."""
        h = self.host
        now = h.clock.now()
        # Lines and reasons may quote a server, which may quote the request's headers.
        lines = [] if log is None else [(h.redactor.text(clean_line(log)), now)]
        if fields.get("reason"):
            fields["reason"] = h.redactor.text(fields["reason"])
        for line, _ in lines:
            self.keep(line)
        if fields:
            self.run = replace(self.run, **fields)
            h.store.update(self.run, lines)
        elif lines:
            h.store.append_log(self.run.id, lines[0][0], now)
        for line, at in lines:
            h.bus.publish(LogLine(line, at, "console", self.run.id))
        if fields:
            h.bus.publish(RunChanged(self.snapshot()))

    # -- driving ----------------------------------------------------------------------------

    async def drive(self) -> None:
        try:
            try:
                await self._take_slot()
                await self._attempts()
            finally:
                self._drop_slot()
            if self.observed_elsewhere:
                self.settled.set()
                # Counted down on screen until its deadline, then left to the platform.
                started = self.run.started_at or self.run.created_at
                left = (started - self.host.clock.now()).total_seconds() + self.plan.deadline
                await self.host.clock.sleep(left)
        except asyncio.CancelledError:
            if not self.observed_elsewhere and not self.run.state.final:
                self._safe_finish(RunState.CANCELLED, self._cancel_reason())
        except Exception as exc:
            log.exception("run %s failed inside the console", self.run.id)
            self._safe_finish(RunState.FAILED, f"the console failed while running it: {exc}")
        finally:
            self.settled.set()
            self.host.run_ended(self.run.id)

    def _cancel_reason(self) -> str:
        why = f" ({self.cancel_reason})" if self.cancel_reason else ""
        if self.run.state is RunState.QUEUED:
            return f"cancelled while queued, before it was sent{why}"
        if self.target.deployed or self.run.started_at is None:
            return f"cancelled before it finished{why}"
        # Aborting the request does not stop a Next.js handler: say so, and where its lines go.
        return (
            "cancelled: the request was aborted, but the handler may still be running in the "
            f"dev server (Next.js does not stop it); its later lines still land in this run{why}"
        )

    async def _take_slot(self) -> None:
        """Wait for the target's turn: at most `limits.max_in_flight` requests in flight."""
        gate = self.host.gate(self.target)
        if not gate.free():
            self._log(
                f"queued: {gate.in_flight} requests in flight to {self.target.name}, "
                f"{gate.waiting} waiting (limits.max_in_flight = {gate.limit})"
            )
        await gate.acquire()
        self._slot = gate

    def _drop_slot(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            slot.release()

    def _safe_finish(self, state: RunState, reason: str) -> None:
        try:
            self._finish(state, reason)
        except ConsoleError:
            log.exception("could not record the end of run %s", self.run.id)

    def _finish(self, state: RunState, reason: str | None, status: int | None = None) -> None:
        now = self.host.clock.now()
        started = self.run.started_at or now
        took = _secs(round((now - started).total_seconds(), 1))
        http = f" (HTTP {status})" if status is not None else ""
        line = {
            RunState.SUCCEEDED: f"succeeded in {took} s{http}",
            RunState.TIMED_OUT: f"timed out: {reason}",
            RunState.CANCELLED: "cancelled",
        }.get(state, f"{state}: {reason}")
        if state is RunState.SUCCEEDED and reason:
            line += f"; {reason}"
        if reason is not None:
            reason = clean_line(reason, 1000)  # may quote a server's words
        fields: dict[str, Any] = {"state": state, "reason": reason, "finished_at": now}
        if status is not None:
            fields["http_status"] = status
        self.deadline_at = self.next_attempt_at = None
        self._change(log=line, **fields)
        self.settled.set()

    async def _attempts(self) -> None:
        p, route, target = self.plan, self.route, self.target
        # The console plays the 202 for a background route on `next dev`; the functions
        # server answers its own.
        local_background = (
            route.kind is RouteKind.BACKGROUND and not target.deployed and not p.via_functions
        )
        self._log(f"-> {p.method} {self.run.url} ({route.kind}, deadline {_secs(p.deadline)} s)")
        if p.note:
            self._log(p.note)
        if local_background:
            self._change(log="<- 202 accepted (as the platform answers)", state=RunState.ACCEPTED)
        delays = list(p.retry_delays)
        n = 0
        while True:
            n += 1
            now = self.host.clock.now()
            self.deadline_at = now + timedelta(seconds=p.request_deadline)
            self.next_attempt_at = None
            fields: dict[str, Any] = {"attempts": n}
            if self.run.started_at is None:
                fields["started_at"] = now
            if not (route.kind is RouteKind.BACKGROUND and target.deployed):
                fields["state"] = RunState.RUNNING
            label = "running…" if n == 1 else f"attempt {n} of {n + len(delays)}: running…"
            self._change(log=label, **fields)
            try:
                headers = [(k, expand_value(v, k, target.name)) for k, v in p.headers]
                if not target.deployed:
                    # The dev server's preload marks this request's lines with it (run_tags).
                    headers.append((RUN_HEADER, self.run.id))
            except UsageError as exc:
                self._finish(RunState.FAILED, str(exc))
                return
            outcome = await self._race(headers)
            state, reason, retryable = self._verdict(outcome)
            hide = self.host.redactor
            self.host.store.save_attempt(
                Attempt(
                    self.run.id, n, now, self.host.clock.now(),
                    outcome.status if outcome else None,
                    _stored_headers(outcome.headers, hide) if outcome else (),
                    hide.data(outcome.body) if outcome else b"",
                    outcome.body_size if outcome else 0,
                    hide.text(reason) if reason and state is not RunState.SUCCEEDED else None,
                )
            )  # fmt: skip
            status = outcome.status if outcome else None
            if retryable and delays:
                delay = delays.pop(0)
                self.next_attempt_at = self.host.clock.now() + timedelta(seconds=delay)
                self.deadline_at = None
                note = f"attempt {n} failed ({reason}); retrying in {_secs(delay)} s"
                self._change(log=note, state=RunState.ACCEPTED, reason=note, http_status=status)
                self._drop_slot()  # nothing in flight while it waits for its retry
                await self.host.clock.sleep(delay)
                await self._take_slot()
                continue
            if state is RunState.ACCEPTED:
                self._change(
                    log="the platform runs it now; its end cannot be observed from here",
                    state=RunState.ACCEPTED, http_status=status,
                )  # fmt: skip
                self.deadline_at = (self.run.started_at or now) + timedelta(seconds=p.deadline)
                return
            self._finish(state, reason, status)
            return

    def _verdict(self, outcome: Outcome | None) -> tuple[RunState, str | None, bool]:
        retry_on_error = self.route.kind is RouteKind.BACKGROUND and not self.target.deployed
        if outcome is None:
            why = f"no answer within {_secs(self.plan.request_deadline)} s; the request was aborted"
            return RunState.TIMED_OUT, why, retry_on_error
        if outcome.error is not None:
            if outcome.unreachable:
                return RunState.UNREACHABLE, self._unreachable_reason(outcome.error), False
            return RunState.FAILED, outcome.error, retry_on_error
        assert outcome.status is not None
        if outcome.redirect is not None:
            # Not retried: the same request would be redirected the same way.
            state = RunState.REFUSED if outcome.redirect.refused else RunState.FAILED
            return state, outcome.redirect.reason, False
        if self.unobserved and outcome.status == 202:
            return RunState.ACCEPTED, None, False
        if self.plan.via_functions and outcome.status == 404:
            why = (
                f"HTTP 404: the functions server has no function {self.route.function} "
                "(is its file in the functions folder, and did it load?)"
            )
            return RunState.FAILED, why, False
        v = judge(self.route, self.target, outcome.status)
        return v.state, v.reason, v.retryable

    def _unreachable_reason(self, error: str) -> str:
        if self.target.kind is not TargetKind.LOCAL or "TLS" in error or "host name" in error:
            return error
        command = self.host.settings.dev.command or f"{self.host.project.package_manager} run dev"
        if not error.startswith("nothing is listening"):
            return error
        if self.plan.via_functions:
            return (
                f"the functions server is not running at {self.run.url}: let the console start "
                "it (console open, or trigger without --no-dev), or start `netlify "
                "functions:serve` yourself and set [functions] url in console.toml"
            )
        return (
            f"the dev server is not running at {public_url(self.target.url)}: start it with `{command}` in "
            f"{self.host.project.root}, or let the console start it (console open, or trigger "
            "without --no-dev)"
        )

    async def _race(self, headers: list[tuple[str, str]]) -> Outcome | None:
        """The request against the deadline on the engine's clock; None when the deadline won."""
        p = self.plan

        def on_response(status: int) -> None:
            phrase = httpx.codes.get_reason_phrase(status)
            self._log(f"<- {status} {phrase}".rstrip())

        def on_redirect(status: int, to: httpx.URL) -> None:
            phrase = httpx.codes.get_reason_phrase(status)
            self._log(f"<- {status} {phrase}: following it to {public_url(str(to))}")

        client = self.host.client(self.request.insecure, self.target.kind is TargetKind.LOCAL)
        if p.via_functions:
            self.cli_end = asyncio.get_running_loop().create_future()
        guard = SendGuard.for_run(self.target, self.host.settings.targets)
        attempt = send_attempt(
            client,
            p.method,
            p.url,
            headers,
            p.body,
            p.target_header_names,
            on_response,
            redirects=guard.redirect,
            on_redirect=on_redirect,
        )
        send = asyncio.ensure_future(attempt)
        timer = asyncio.ensure_future(self.host.clock.sleep(p.request_deadline))
        ending: asyncio.Future[CliLine] | None = None
        try:
            await asyncio.wait((send, timer), return_when=asyncio.FIRST_COMPLETED)
            if self._accepted_by_cli(send):
                # The CLI's 202 is not the end: the function runs on, and the CLI says when
                # it returned or threw. Only then (or at the deadline) is the run over.
                if self.host.observes(True):
                    ending = self.cli_end
                    assert ending is not None
                    self._log("the functions server runs it now; waiting for it to finish")
                    await asyncio.wait((ending, timer), return_when=asyncio.FIRST_COMPLETED)
                else:
                    self.unobserved = True
            lines = self.host.lines_for(p.via_functions) if not self.target.deployed else None
            if lines is not None:
                # The handler's lines are in the dev server's pipe before its answer is on
                # the socket (node writes to pipes synchronously), and what it logs just
                # after answering follows at once: take them while the run is still in
                # flight, so they are attributed to it.
                await lines.settle()
        finally:
            timer.cancel()
            if not send.done():
                send.cancel()
                await asyncio.gather(send, return_exceptions=True)
            self.cli_end = None
        if not send.done() or send.cancelled():
            return None
        outcome = send.result()
        if ending is not None:
            if not ending.done():
                return None  # the deadline came before the CLI said the function ended
            said = ending.result()
            if said.event is CliEvent.ERROR:
                return replace(outcome, error=f"the function threw: {said.message or 'an error'}")
        return outcome

    def _accepted_by_cli(self, send: asyncio.Future[Outcome]) -> bool:
        if not (self.plan.via_functions and self.route.kind is RouteKind.BACKGROUND):
            return False
        if not send.done() or send.cancelled():
            return False
        outcome = send.result()
        return outcome.error is None and outcome.status == 202


# Headers that carry a URL: a Location may hold someone's `user:pass@`.
_URL_HEADERS = frozenset({"location", "content-location", "refresh"})


def _stored_headers(
    headers: tuple[tuple[str, str], ...], hide: Redactor
) -> tuple[tuple[str, str], ...]:
    return tuple(
        (k, hide.text(public_url(v) if k.lower() in _URL_HEADERS else v)) for k, v in headers
    )
