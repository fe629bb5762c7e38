"""The platform's part: what request a run sends, its deadline, and what a response means."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.engine.request import RunRequest
from console.engine.routing import build_url, fill_path
from console.errors import UsageError
from console.model import Route, RouteKind, RouteSource, RunState, Target, TargetKind
from console.settings import Limits

CLOCKWORK_HEADERS = (("user-agent", "Netlify Clockwork"), ("x-nf-event", "schedule"))
BACKGROUND_BODY_LIMIT = 256 * 1024  # the platform's limit on a background request's payload
DEFAULT_METHOD = {RouteKind.API: "GET", RouteKind.BACKGROUND: "POST", RouteKind.SCHEDULED: "POST"}
# The next fire of a cron string after an instant; None (or an exception) when it cannot tell.
NextFire = Callable[[str, datetime], "datetime | None"]


@dataclass(frozen=True)
class Plan:
    """Everything needed to send a run's request, with header values still unexpanded."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    target_header_names: frozenset[str]  # dropped when a redirect leaves the target's origin
    body: bytes | None
    deadline: float  # what the run shows: the platform's limit for the kind
    request_deadline: float  # how long one attempt may take before it is aborted
    retry_delays: tuple[float, ...]
    note: str | None = None  # something the run's log should say about the plan
    # A Netlify function sent to the local functions server (netlify-cli): the CLI answers a
    # background function's 202 and builds the scheduled invocation itself.
    via_functions: bool = False


def deadline_for(kind: RouteKind, limits: Limits) -> float:
    return {
        RouteKind.API: limits.api,
        RouteKind.BACKGROUND: limits.background,
        RouteKind.SCHEDULED: limits.scheduled,
    }[kind]


def refusal(route: Route, target: Target, request: RunRequest) -> str | None:
    """Why the console will not send this request, or None."""
    if target.kind is TargetKind.PRODUCTION and not request.confirmed:
        return (
            f"target {target.name!r} is production: a request there needs confirmation "
            "(--yes on the command line, the confirm dialog on the screen)"
        )
    if route.kind is RouteKind.SCHEDULED and target.deployed and not request.force:
        return (
            f"{route.route} is scheduled: on a deployed target it answers 404 and only the "
            "platform's scheduler runs it (use --force to send it anyway)"
        )
    return None


def plan_request(
    route: Route,
    target: Target,
    request: RunRequest,
    limits: Limits,
    now: datetime,
    next_fire: NextFire,
    *,
    via_functions: bool = False,
) -> Plan:
    """The request the platform (or its caller) would send; raises UsageError on bad params.

    `via_functions`: the run goes to the Netlify CLI's functions server, which plays the
    platform's part itself (its 202, its `next_run`): the console adds nothing on top.
    """
    body = request.body
    if (
        route.kind is RouteKind.BACKGROUND
        and body is not None
        and len(body) > BACKGROUND_BODY_LIMIT
    ):
        raise UsageError(
            f"the body is {len(body):,} bytes; the platform takes at most "
            f"{BACKGROUND_BODY_LIMIT:,} (256 KB) for a background route"
        )
    path = fill_path(route, request.params)
    url = build_url(target.url, path, request.query)
    method = (request.method or DEFAULT_METHOD[route.kind]).upper()
    headers = list(target.headers)
    note = None
    if body is not None:
        headers.append(("content-type", request.content_type or "application/json"))
    if route.kind is RouteKind.SCHEDULED and via_functions:
        # The CLI turns any request to a scheduled function into the platform's POST with its
        # own `next_run`; the Clockwork user agent tells it the request is an invocation, not
        # a person testing the URL (it then answers without its help text).
        method = "POST"
        body = None
        headers = [h for h in headers if h[0].lower() not in ("user-agent", "content-type")]
        headers += CLOCKWORK_HEADERS
        note = "next_run is computed by the functions server (netlify-cli), as its scheduler would"
    elif route.kind is RouteKind.SCHEDULED:
        method = "POST"
        next_run, note = _next_run(route, now, next_fire)
        body = json.dumps({"next_run": next_run}).encode()
        headers = [h for h in headers if h[0].lower() not in ("user-agent", "content-type")]
        headers += [*CLOCKWORK_HEADERS, ("content-type", "application/json")]
    deadline = deadline_for(route.kind, limits)
    request_deadline = deadline
    retries: tuple[float, ...] = ()
    if route.kind is RouteKind.BACKGROUND:
        if target.deployed:
            # The platform answers 202 at once; waiting for it is a normal API call.
            request_deadline = min(deadline, limits.api)
        elif request.retries:
            retries = limits.retry_delays
    return Plan(
        method=method,
        url=url,
        headers=tuple(headers),
        target_header_names=frozenset(h.lower() for h, _ in target.headers),
        body=body,
        deadline=deadline,
        request_deadline=request_deadline,
        retry_delays=retries,
        note=note,
        via_functions=via_functions,
    )


def _next_run(route: Route, now: datetime, next_fire: NextFire) -> tuple[str, str | None]:
    from console.model import iso_utc

    fire: datetime | None = None
    error = "no schedule"
    if route.schedule:
        try:
            fire = next_fire(route.schedule, now)
            error = "it has no next fire"
        except Exception as exc:  # a bad cron string must not stop a manual trigger
            error = str(exc) or type(exc).__name__
    if fire is not None:
        return iso_utc(fire), None
    fallback = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    note = (
        f"cannot compute the next fire of {route.schedule!r} ({error}); "
        f"sending next_run one minute ahead: {iso_utc(fallback)}"
    )
    return iso_utc(fallback), note


@dataclass(frozen=True)
class Verdict:
    state: RunState
    reason: str | None
    retryable: bool = False


def judge(route: Route, target: Target, status: int) -> Verdict:
    """What an HTTP status means for this kind of route on this kind of target."""
    if route.kind is RouteKind.BACKGROUND and target.deployed:
        if status == 202:
            return Verdict(RunState.ACCEPTED, None)
        return Verdict(
            RunState.FAILED, f"a deployed background route answers 202, this one answered {status}"
        )
    if route.kind is RouteKind.SCHEDULED and target.deployed and status == 404:
        return Verdict(
            RunState.SUCCEEDED,
            "HTTP 404, as expected: deployed scheduled functions only run on the platform's "
            "scheduler",
        )
    if status < 400:
        return Verdict(RunState.SUCCEEDED, None)
    retryable = route.kind is RouteKind.BACKGROUND and status >= 500
    if status == 404 and route.source is RouteSource.FUNCTION and not target.deployed:
        # `next dev` serves pages/api only; Netlify functions need `netlify dev`.
        return Verdict(
            RunState.FAILED,
            "HTTP 404: Netlify functions are served by `netlify dev`, not `next dev`; "
            'set [dev] command = "netlify dev" (and its URL) in console.toml',
            retryable,
        )
    return Verdict(RunState.FAILED, f"HTTP {status}", retryable)
