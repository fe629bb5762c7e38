"""Which run a functions server line belongs to, and what the Netlify CLI's own lines say.

`netlify functions:serve` (27.10.2, `dist/lib/functions/server.js`, `background.js`,
`synchronous.js`) prints, colours stripped:

- `Request from ::ffff:127.0.0.1: POST /.netlify/functions/NAME?x=1` when a request arrives;
- `⬥ Queueing background function NAME for execution` before a background function's 202;
- `⬥ Done executing background function NAME` when it returned, or
  `⬥ Error during background function NAME execution: Error: message` when it threw;
- `⬥ Function NAME has returned an error: message`, then the stack, indented, for a
  synchronous function that threw (with blank lines around: `logPadded`);
- `Response with status 200 in 147 ms.` when a response has been sent.

A function's own output carries nothing that names it. So: a line that names a function or a
path goes to the run in flight it names (the first sent of two of the same function); an error's
stack stays with the error's run; a response line goes to the run whose request it answers when
that can be told (the run named just before it, else the only one waiting for its answer); with
exactly one run in flight every other line is its; with several, the line is global.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["CliEvent", "CliLine", "FunctionLogAttributor", "FunctionRun", "parse_cli_line"]

_MARK = r"^\s*(?:⬥\s*)?"
_REQUEST = re.compile(r"^Request from \S+: ([A-Z]+) (/\S*)")
_QUEUED = re.compile(_MARK + r"Queueing background function (\S+) for execution")
_DONE = re.compile(_MARK + r"Done executing background function (\S+)")
_ERROR = re.compile(_MARK + r"Error during background function (\S+) execution:\s*(.*)$")
_SYNC_ERROR = re.compile(_MARK + r"Function (\S+) has returned an error:\s*(.*)$")
_RESPONSE = re.compile(r"^Response with status (\d{3}) in \d+ ms\.?")
# The CLI's news about itself, printed whenever it likes (functions load after it listens, and
# again on every change): never a run's, even with one run in flight.
_NOTICE = re.compile(
    _MARK + r"(?:(?:Loaded|Reloaded|Removed) function \S+|Ignored general context env var\b)"
)
# What follows an error line and belongs to it: the indented stack, and logPadded's blank lines.
_CONTINUATION = re.compile(r"^(?:\s|$)")


class CliEvent(StrEnum):
    REQUEST = "request"
    QUEUED = "queued"
    DONE = "done"  # a background function returned
    ERROR = "error"  # a background function threw
    SYNC_ERROR = "sync-error"  # a synchronous (or scheduled) function threw
    RESPONSE = "response"
    NOTICE = "notice"  # the CLI about itself: a function loaded, an env var ignored


@dataclass(frozen=True)
class CliLine:
    """What one of the CLI's own lines says."""

    event: CliEvent
    function: str | None = None
    path: str | None = None
    status: int | None = None
    message: str | None = None


def parse_cli_line(text: str) -> CliLine | None:
    """The CLI's meaning of a line, or None for anything else (a function's own output)."""
    if text.startswith("Request from "):
        if m := _REQUEST.match(text):
            return CliLine(CliEvent.REQUEST, path=m.group(2).partition("?")[0])
        return None
    if text.startswith("Response with status "):
        if m := _RESPONSE.match(text):
            return CliLine(CliEvent.RESPONSE, status=int(m.group(1)))
        return None
    if "background function" in text:
        if m := _QUEUED.match(text):
            return CliLine(CliEvent.QUEUED, function=m.group(1))
        if m := _DONE.match(text):
            return CliLine(CliEvent.DONE, function=m.group(1))
        if m := _ERROR.match(text):
            return CliLine(CliEvent.ERROR, function=m.group(1), message=m.group(2) or None)
    if "⬥" in text and _NOTICE.match(text):
        return CliLine(CliEvent.NOTICE)
    if "has returned an error" in text and (m := _SYNC_ERROR.match(text)):
        return CliLine(CliEvent.SYNC_ERROR, function=m.group(1), message=m.group(2) or None)
    return None


@dataclass(frozen=True)
class FunctionRun:
    """A run in flight on the functions server, as the attributor needs to know it."""

    run_id: str
    function: str  # the Netlify function's name
    path: str  # the URL path it was sent to
    since: datetime  # when it was sent: the first sent is answered first, as a rule
    attempt: int = 1  # a retry is a new request: the CLI prints all its lines again

    @property
    def key(self) -> tuple[str, int]:
        return self.run_id, self.attempt


class FunctionLogAttributor:
    """Gives functions server lines to runs; remembers which runs have had which CLI line."""

    def __init__(self) -> None:
        # By (run, attempt): the attempts whose `Request from` line was seen, whose `Response
        # with status` line, whose Done/Error marker (background functions).
        self._requested: set[tuple[str, int]] = set()
        self._answered: set[tuple[str, int]] = set()
        self._ended: set[tuple[str, int]] = set()
        self._sticky: str | None = None  # the run an error's stack belongs to
        self._last_named: str | None = None  # the run the previous CLI line named

    def attribute(
        self, text: str, runs: Sequence[FunctionRun]
    ) -> tuple[str | None, CliLine | None]:
        """The run this line belongs to (None: global), and what the CLI said in it."""
        self._forget({r.run_id for r in runs}, {r.key for r in runs})
        order = sorted(runs, key=lambda r: (r.since, r.run_id))
        cli = parse_cli_line(text)
        if cli is None:
            if self._sticky is not None and _CONTINUATION.match(text):
                return self._sticky, None
            self._sticky = None
            return (order[0].run_id if len(order) == 1 else None), None
        self._sticky = None
        if cli.event is CliEvent.NOTICE:
            return None, cli
        run_id = self._named(cli, order)
        if cli.event is CliEvent.SYNC_ERROR or cli.event is CliEvent.ERROR:
            self._sticky = run_id
        if cli.event is not CliEvent.RESPONSE:
            self._last_named = run_id
        return run_id, cli

    def _named(self, cli: CliLine, order: list[FunctionRun]) -> str | None:
        if cli.event is CliEvent.REQUEST:
            paths = [r for r in order if r.path == cli.path]
            found = _first(r for r in paths if r.key not in self._requested) or _first(paths)
            if found is not None:
                self._requested.add(found.key)
            return _id(found)
        if cli.event is CliEvent.RESPONSE:
            waiting = [r for r in order if r.key in self._requested and r.key not in self._answered]
            found = _first(r for r in waiting if r.run_id == self._last_named)
            if found is None and len(waiting) == 1:
                found = waiting[0]
            if found is None and len(order) == 1 and order[0].key not in self._answered:
                found = order[0]
            if found is not None:
                self._answered.add(found.key)
            self._last_named = None
            return _id(found)
        same = [r for r in order if r.function == cli.function]
        if cli.event in (CliEvent.DONE, CliEvent.ERROR):
            found = _first(r for r in same if r.key not in self._ended)
            if found is not None:
                self._ended.add(found.key)
            return _id(found)
        return same[0].run_id if same else None

    def _forget(self, live: set[str], live_keys: set[tuple[str, int]]) -> None:
        for kept in (self._requested, self._answered, self._ended):
            kept.intersection_update(live_keys)
        if self._sticky not in live:
            self._sticky = None
        if self._last_named not in live:
            self._last_named = None


def _first(runs: Iterable[FunctionRun]) -> FunctionRun | None:
    return next(iter(runs), None)


def _id(run: FunctionRun | None) -> str | None:
    return run.run_id if run is not None else None
