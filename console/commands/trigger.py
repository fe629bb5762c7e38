"""`console trigger`: run one route once, as the platform would, and follow it to its end."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from console.commands._common import load_project, print_json, print_text
from console.devserver.command import dev_url, host_port
from console.engine import (
    DevServerChanged,
    DevState,
    Engine,
    Event,
    FunctionsServerChanged,
    FunctionsState,
    LogLine,
    Response,
    RunRequest,
    RunStore,
    history_path,
)
from console.errors import UsageError
from console.model import Project, Route, Run, RunState, Target, TargetKind
from console.settings import Settings, check_url, load_settings
from console.sites import Site, has_userinfo, is_loopback, site_of, without_userinfo

BODY_LINES = 20  # of the response printed in text mode; --json has all that history keeps
EXIT_CODES = {
    RunState.SUCCEEDED: 0,
    RunState.ACCEPTED: 0,  # a background run on a deployed target: all we can see
    RunState.FAILED: 1,
    RunState.TIMED_OUT: 1,
    RunState.UNREACHABLE: 1,
    RunState.INTERRUPTED: 1,
    RunState.CANCELLED: 130,
    RunState.REFUSED: 2,
}


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project, "trigger")
    settings = load_settings(project.root)
    target = resolve_target(settings, args.target, args.url)
    request = build_request(args)
    final, response, unrecorded = asyncio.run(
        _trigger(project, settings, target, args.route, request, args)
    )
    if args.json:
        print_json({**final.to_json(), **body_json(response), "recorded": unrecorded is None})
    elif response is not None:
        print_body(response)
    if final.state is RunState.REFUSED:
        print_text(f"console: refused: {final.reason}", file=sys.stderr)
    if unrecorded is not None:
        print_text(f"console: {unrecorded}", file=sys.stderr)
    return EXIT_CODES.get(final.state, 1)


def _unrecorded(store: RunStore, run: Run) -> str | None:
    """The sentence for a run whose record the history would not take, or None."""
    if not store.pending:
        return None
    why = store.problem or f"the run history {store.path} cannot be written"
    return f"run {run.id} ended {run.state} but is not recorded in the history: {why}"


async def prepare_target(
    engine: Engine, target: Target, args: argparse.Namespace, route: Route | None = None
) -> None:
    """Start what serves the run when it goes to the local target and nothing answers there.

    That is the dev server for a Next.js route, the Netlify CLI's functions server for a Netlify
    function (unless `netlify dev` is the dev server), unless --no-dev. `engine.close()` stops a
    server started here. With --no-dev, a local target that does not answer makes the run
    `unreachable`, with a reason that says how to start the server.
    """
    if args.no_dev or target.kind is not TargetKind.LOCAL:
        return
    if host_port(target.url) != host_port(dev_url(engine.settings)):
        return
    if route is not None:
        await engine.ensure_for(route)
    elif engine.dev is not None:
        await engine.dev.ensure()


async def _trigger(
    project: Project,
    settings: Settings,
    target: Target,
    path: str,
    request: RunRequest,
    args: argparse.Namespace,
) -> tuple[Run, Response | None, str | None]:
    """The run at its end, what the route answered (its last answer), and a sentence when the
    history could not record it."""
    store = RunStore(history_path(project.root), settings.history)
    engine = Engine(project, settings, store)
    unsubscribe = engine.bus.subscribe(_print_progress)
    try:
        await engine.start()
        route, from_path = engine.resolve(path)
        request = replace(request, params={**from_path, **request.params})
        engine.check(route, target, request)  # a usage error starts nothing
        if target.kind is not TargetKind.PRODUCTION or request.confirmed:
            await prepare_target(engine, target, args, route)
        final = await engine.run(route, target, request)
        response = engine.response(final.id)
    finally:
        await engine.close()  # on Ctrl+C this records the run as cancelled, and says so
        unsubscribe()
        store.close()
    return final, response, _unrecorded(store, final)


def print_body(response: Response) -> None:
    """The first lines of what the route answered, on stdout (progress went to stderr)."""
    lines = response.lines(BODY_LINES + 1)
    for line in lines[:BODY_LINES]:
        print_text(line)
    if len(lines) > BODY_LINES or response.truncated:
        kept = "all of it" if not response.truncated else f"its first {len(response.body):,}"
        print_text(
            f"console: … the body goes on ({response.size:,} bytes); --json shows {kept}",
            file=sys.stderr,
        )


def body_json(response: Response | None) -> dict[str, object]:
    """The body as the history keeps it (its first 64 KiB), decoded, for `--json`."""
    if response is None:
        return {"body": None, "body_size": None, "body_truncated": False}
    return {
        "body": response.text,
        "body_size": response.size,
        "body_truncated": response.truncated,
    }


def _print_progress(event: Event) -> None:
    if isinstance(event, FunctionsServerChanged):
        if event.state in (FunctionsState.STARTING, FunctionsState.READY, FunctionsState.CRASHED):
            print_text(f"functions server {event.state}: {event.detail}", file=sys.stderr)
        return
    if isinstance(event, DevServerChanged):
        # Starting is news; attaching is not, and a failure is raised as the error.
        if event.state in (DevState.STARTING, DevState.READY, DevState.CRASHED):
            print_text(f"dev server {event.state}: {event.detail}", file=sys.stderr)
        return
    if not isinstance(event, LogLine) or event.run_id is None:
        return
    prefix = "" if event.source == "console" else "  | "
    print(f"{prefix}{event.text}", file=sys.stderr, flush=True)


def resolve_target(settings: Settings, name: str | None, url: str | None) -> Target:
    """--target NAME, or --url URL (a configured target when the URL is one), or local.

    Production is decided by site, not by string (console/sites.py): any spelling of a
    production target's host is production. A URL that carries its own credentials keeps
    them: it never takes a configured target's headers or userinfo, only its kind.
    """
    if url is None:
        return settings.target(name) if name else settings.local
    base = check_url(url)
    own_credentials = has_userinfo(base)
    for t in settings.targets:
        if _base(t.url) == _base(base):
            return Target("url", t.kind, base) if own_credentials else t
    given = site_of(base)
    for t in settings.targets:
        if t.kind is TargetKind.PRODUCTION and site_of(t.url) == given:
            return Target("url", TargetKind.PRODUCTION, base)
    host = urlsplit(base).hostname or ""
    return Target("url", TargetKind.LOCAL if is_loopback(host) else TargetKind.PREVIEW, base)


def _base(url: str) -> tuple[Site, str, int, str]:
    """Site, scheme, port and path of a base URL, however it is spelled (credentials aside)."""
    parts = urlsplit(without_userinfo(url))
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return site_of(url), scheme, port, parts.path.rstrip("/")


def build_request(args: argparse.Namespace) -> RunRequest:
    body = _read_data(args.data) if args.data is not None else None
    method = args.method.upper() if args.method else None
    if method is not None and not method.isalpha():
        raise UsageError(f"--method {args.method!r} is not an HTTP method")
    return RunRequest(
        method=method,
        body=body,
        content_type="application/json" if body is not None else None,
        params=dict(_pairs(args.param, "--param")),
        query=tuple(_pairs(args.query, "--query")),
        confirmed=bool(args.yes),
        force=bool(args.force),
        retries=not args.no_retries,
        insecure=bool(args.insecure),
    )


def _read_data(data: str) -> bytes:
    if data.startswith("@"):
        path = Path(data[1:])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"--data {data}: cannot read {path}: {exc.strerror}") from None
        where = str(path)
    else:
        raw = data.encode()
        where = "--data"
    try:
        json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{where} is not valid JSON: {exc}") from None
    return raw


def _pairs(values: list[str], flag: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise UsageError(f"{flag} {v!r} must look like NAME=VALUE")
        out.append((name, value))
    return out
