"""What one file says about its route: its `config`, read and judged as the platform would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from console.model import Problem, RouteKind, Severity
from console.project.const_value import ConstValue, Unread, read_exported_const
from console.project.cron_check import cron_problems
from console.project.js_values import js_string, js_type, truthy
from console.project.source import Source
from console.project.syntax import parse, syntax_error

SCHEDULED = "experimental-scheduled"
BACKGROUND = "experimental-background"
_ADVANCED = re.compile(rb"experimental-(background|scheduled)")
_EDGE = ("edge", "experimental-edge")
_SYNC = "this route will deploy as a normal synchronous route"


@dataclass(frozen=True)
class FileFacts:
    """The result of reading one route file; cached per (path, mtime, size)."""

    kind: RouteKind
    schedule: str | None
    line: int
    problems: tuple[Problem, ...]
    path: str | None = None  # a Netlify function's `config.path`
    edge: bool = False  # `runtime: 'edge'` on a plain route: an edge function, not a lambda
    has_handler: bool = True  # a Netlify function exports something the platform can invoke


def problem_at(source: Source, node: Node, severity: Severity, code: str, message: str) -> Problem:
    row, column = node.start_point
    return source.problem(row, column, severity, code, message)


def mentions_advanced(data: bytes) -> bool:
    return _ADVANCED.search(data) is not None


class Reading:
    """A parsed file: its syntax-error problem (if any) and its `config` export."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.tree = parse(source.data, source.rel)
        self.problems: list[Problem] = []
        error = syntax_error(self.tree.root_node)
        if error is not None:
            (row, column), phrase = error
            self.problems.append(
                source.problem(
                    row,
                    column,
                    Severity.ERROR,
                    "syntax-error",
                    f"{source.rel} does not parse ({phrase}): the build would fail on it",
                )
            )
        self.config = read_exported_const(self.tree.root_node, "config")

    def add(self, node: Node, severity: Severity, code: str, message: str) -> None:
        self.problems.append(problem_at(self.source, node, severity, code, message))

    @property
    def root(self) -> Node:
        return self.tree.root_node


def analyse_next_route(source: Source, *, index_route: bool) -> FileFacts:
    """A `pages/api` file: plain api unless a readable, valid `config` says otherwise."""
    # The platform itself skips files without "config" (NR-v4 `extractConfigFromFile`).
    if b"config" not in source.data:
        return FileFacts(RouteKind.API, None, 1, ())
    reading = Reading(source)
    config = reading.config
    advanced = mentions_advanced(source.data)
    if index_route:
        _index_route(reading, config, advanced)
        return _facts(reading, RouteKind.API, None, config)
    if isinstance(config, Unread):
        reading.add(
            config.node,
            Severity.ERROR if advanced else Severity.WARNING,
            "config-ignored",
            f"{config.what} is not read by the platform{config.hint}: config is ignored and {_SYNC}",
        )
        return _facts(reading, RouteKind.API, None, config)
    if config is None:
        _unexported_mention(reading)
        return _facts(reading, RouteKind.API, None, config)
    kind, schedule = _judge_next_config(reading, config)
    facts = _facts(reading, kind, schedule, config)
    value = config.value
    if isinstance(value, dict) and value.get("runtime") in _EDGE and not truthy(value.get("type")):
        return FileFacts(facts.kind, facts.schedule, facts.line, facts.problems, edge=True)
    return facts


def _facts(
    reading: Reading,
    kind: RouteKind,
    schedule: str | None,
    config: ConstValue | Unread | None,
) -> FileFacts:
    line = config.node.start_point[0] + 1 if config is not None else 1
    return FileFacts(kind, schedule, line, tuple(reading.problems))


def _unexported_mention(reading: Reading) -> None:
    """An advanced type spelled in code (not in a comment) with no config export to carry it."""
    for match in _ADVANCED.finditer(reading.source.data):
        node = reading.root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.type != "comment":
            break
    else:
        return
    line, column = reading.source.position_of_offset(match.start())
    reading.problems.append(
        Problem(
            reading.source.rel,
            line,
            column,
            Severity.ERROR,
            "config-ignored",
            f"`{match.group().decode()}` appears here but there is no `export const config = "
            f"{{...}}` for the platform to read: {_SYNC}",
        )
    )


def _index_route(reading: Reading, config: ConstValue | Unread | None, advanced: bool) -> None:
    node: Node | None = None
    if isinstance(config, ConstValue) and isinstance(config.value, dict):
        if truthy(config.value.get("type")):
            node = config.member_value_node("type")
    elif isinstance(config, Unread) and advanced:
        node = config.node
    if node is None:
        return
    reading.add(
        node,
        Severity.ERROR if advanced else Severity.WARNING,
        "index-route",
        f"{reading.source.rel} is the route /api, which the platform never examines "
        f"(it only looks at routes under /api/): type is ignored and {_SYNC}; "
        "move it to a named route such as pages/api/run.ts",
    )


def _judge_next_config(reading: Reading, config: ConstValue) -> tuple[RouteKind, str | None]:
    """NR-v4 `validateConfigValue`, with its messages, plus the cron check it leaves out."""
    value = config.value
    rel = reading.source.rel
    invalid = f"Invalid config value in {rel}:"
    if not isinstance(value, dict):
        if value is None or js_type(value) == "undefined":
            message = f"config is {js_type(value)}: the build fails when it looks for its type"
            severity = Severity.ERROR
        else:
            kind = js_type(value)
            article = "an" if kind[0] in "aeiou" else "a"
            message = (
                f"config is {article} {kind}, not an object: nothing in it is read and {_SYNC}"
            )
            severity = (
                Severity.ERROR if mentions_advanced(reading.source.data) else Severity.WARNING
            )
        reading.add(config.node, severity, "config-ignored", message)
        return RouteKind.API, None
    route_type: Any = value.get("type")
    schedule: Any = value.get("schedule")
    runtime: Any = value.get("runtime")
    if route_type == SCHEDULED:
        if not truthy(schedule):
            node = config.members.get("schedule") or config.member_value_node("type")
            reading.add(
                node,
                Severity.ERROR,
                "schedule-required",
                f'{invalid} schedule is required when type is "{SCHEDULED}"',
            )
            return RouteKind.API, None
        if runtime in _EDGE:
            reading.add(
                config.member_value_node("runtime"),
                Severity.ERROR,
                "edge-runtime",
                f"{invalid} edge runtime is not supported for scheduled functions",
            )
            return RouteKind.API, None
        return RouteKind.SCHEDULED, _schedule_string(reading, config, schedule)
    if not truthy(route_type) or route_type == BACKGROUND:
        if truthy(schedule):
            reading.add(
                config.members.get("schedule") or config.node,
                Severity.ERROR,
                "schedule-not-allowed",
                f'{invalid} schedule is not allowed unless type is "{SCHEDULED}"',
            )
            return RouteKind.API, None
        if truthy(route_type) and runtime in _EDGE:
            reading.add(
                config.member_value_node("runtime"),
                Severity.ERROR,
                "edge-runtime",
                f"{invalid} edge runtime is not supported for background functions",
            )
            return RouteKind.API, None
        return (RouteKind.BACKGROUND if truthy(route_type) else RouteKind.API), None
    reading.add(
        config.member_value_node("type"),
        Severity.ERROR,
        "unsupported-type",
        f"{invalid} type {js_string(route_type)} is not supported",
    )
    return RouteKind.API, None


def _schedule_string(reading: Reading, config: ConstValue, schedule: Any) -> str:
    node = config.member_value_node("schedule")
    if not isinstance(schedule, str):
        reading.add(
            node,
            Severity.ERROR,
            "invalid-cron",
            f"schedule must be a string, not a {js_type(schedule)}",
        )
        return js_string(schedule)
    line, column = reading.source.position(*node.start_point)
    reading.problems.extend(cron_problems(schedule, reading.source.rel, line, column))
    return schedule


def analyse_app_route(source: Source) -> tuple[Problem, ...]:
    """An App Router handler (`app/**/route.*`): a `type` in its config is silently ignored."""
    if b"config" not in source.data:
        return ()
    reading = Reading(source)
    config = reading.config
    node: Node | None = None
    if isinstance(config, ConstValue) and isinstance(config.value, dict):
        if truthy(config.value.get("type")):
            node = config.member_value_node("type")
    elif isinstance(config, Unread) and mentions_advanced(source.data):
        node = config.node
    if node is not None:
        reading.add(
            node,
            Severity.ERROR if mentions_advanced(source.data) else Severity.WARNING,
            "app-router",
            "App Router route handlers cannot be background or scheduled (the platform never "
            f"examines app/ routes): type is ignored and {_SYNC}; use pages/api or a Netlify "
            "function (see https://ntl.fyi/next-scheduled-bg-function-migration)",
        )
    return tuple(reading.problems)
