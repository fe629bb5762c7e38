"""What a Netlify function's main file says: `config.schedule`/`path`/`background`, `schedule()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from console.model import RouteKind, Severity
from console.project.analysis import FileFacts, Reading, mentions_advanced
from console.project.const_value import ConstValue, Unread, decode_string
from console.project.cron_check import cron_problems
from console.project.function_exports import exports_of
from console.project.js_values import js_type
from console.project.source import Source
from console.project.syntax import node_text

HELPER_MODULE = "@netlify/functions"


@dataclass(frozen=True)
class _HelperCall:
    schedule: str | None  # None when the cron is not a literal the platform can read
    node: Node  # the cron argument (or the call when it has none)


def analyse_function(source: Source, name: str, toml_schedule: str | None) -> FileFacts:
    """A function's kind and route. `toml_schedule` is netlify.toml's schedule for it, if any.

    zip-it-and-ship-it (`in_source_config/index.ts` parseSource) reads a file as v2 when it has
    a default export and no `handler` export: then `export const config` is read and the v1
    `schedule()` helper is not; otherwise as v1: the helper is read and `config` is not.
    """
    background_name = name.endswith("-background")
    # Every function file is parsed (a folder holds few): whether it exports a handler needs
    # the tree, a commented-out `exports.handler` being the usual way to lose one.
    reading = Reading(source)
    exports = exports_of(reading.root)
    broken = any(p.code == "syntax-error" for p in reading.problems)
    if exports.nothing and not broken:  # a broken file's exports are not all in the tree
        reading.add(
            reading.root,
            Severity.WARNING,
            "no-handler",
            f"{source.rel} exports no handler (no `export default` and no `handler` export): "
            "the platform deploys it but cannot invoke it",
        )
    v2 = exports.default and not exports.handler
    schedule: str | None = None
    background = background_name
    path: str | None = None
    line = 1
    config = reading.config
    config_schedule: Node | None = None
    if isinstance(config, Unread):
        _ignored(reading, config)
    elif isinstance(config, ConstValue):
        line = config.node.start_point[0] + 1
        if isinstance(config.value, dict):
            if "schedule" in config.value:
                config_schedule = config.member_value_node("schedule")
            if v2:
                schedule = _config_schedule(reading, config)
                path = _config_path(config.value.get("path"))
                background = background or config.value.get("background") is True
    helper = _helper_call(reading.root)
    if helper is not None and not v2:
        line = helper.node.start_point[0] + 1
        if helper.schedule is None:
            reading.add(
                helper.node,
                Severity.WARNING,
                "config-ignored",
                f"the cron passed to `schedule()` from {HELPER_MODULE} is not a string literal, "
                "so the platform cannot read it: this function will not be scheduled",
            )
        else:
            schedule = helper.schedule
            row, column = helper.node.start_point
            at_line, at_column = source.position(row, column)
            reading.problems.extend(cron_problems(schedule, source.rel, at_line, at_column))
    _two_versions(reading, v2, exports.handler, config, config_schedule, helper)
    if schedule is None and toml_schedule is not None:
        schedule = toml_schedule
    kind = _kind(schedule, background)
    return FileFacts(
        kind, schedule, line, tuple(reading.problems), path, has_handler=not exports.nothing
    )


def _two_versions(
    reading: Reading,
    v2: bool,
    v1_handler: bool,
    config: ConstValue | Unread | None,
    config_schedule: Node | None,
    helper: _HelperCall | None,
) -> None:
    """A file that says two things: the part the platform does not read, said loudly."""
    if v2 and helper is not None:
        used = f"line {config_schedule.start_point[0] + 1}" if config_schedule else "its config"
        reading.add(
            helper.node,
            Severity.WARNING,
            "config-ignored",
            "this file says two things: it is a v2 function (a default export and no `handler` "
            f"export), so the platform reads `export const config` ({used}) and ignores this "
            "`schedule()`",
        )
    elif not v2 and v1_handler and isinstance(config, ConstValue):
        what = "config.schedule" if config_schedule is not None else "`export const config`"
        used = (
            f"`schedule()` on line {helper.node.start_point[0] + 1}"
            if helper is not None
            else "only netlify.toml and the `schedule()` helper"
        )
        node = config_schedule if config_schedule is not None else config.node
        prefix = "this file says two things: " if helper is not None and config_schedule else ""
        reading.add(
            node,
            Severity.WARNING,
            "config-ignored",
            f"{prefix}it is a v1 function (it exports `handler`), so the platform ignores "
            f"{what} and uses {used}",
        )


def _kind(schedule: str | None, background: bool) -> RouteKind:
    if schedule is not None:
        return RouteKind.SCHEDULED
    return RouteKind.BACKGROUND if background else RouteKind.API


def _ignored(reading: Reading, config: Unread) -> None:
    data = reading.source.data
    consequence = "config is ignored"
    if b"schedule" in data:
        consequence += " and this function will not be scheduled"
    reading.add(
        config.node,
        Severity.ERROR if mentions_advanced(data) else Severity.WARNING,
        "config-ignored",
        f"{config.what} is not read by the platform{config.hint}: {consequence}",
    )


def _config_schedule(reading: Reading, config: ConstValue) -> str | None:
    assert isinstance(config.value, dict)
    if "schedule" not in config.value:
        return None
    value: Any = config.value["schedule"]
    node = config.member_value_node("schedule")
    if not isinstance(value, str):
        reading.add(
            node,
            Severity.ERROR,
            "invalid-cron",
            f"config.schedule must be a cron string, not a {js_type(value)}",
        )
        return None
    line, column = reading.source.position(*node.start_point)
    reading.problems.extend(cron_problems(value, reading.source.rel, line, column))
    return value


def _config_path(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and isinstance(value[0], str) and value[0]:
        return value[0]  # a function may answer on several paths; the first one names it
    return None


def _helper_call(root: Node) -> _HelperCall | None:
    """The v1 `schedule('<cron>', handler)` call, when `schedule` comes from @netlify/functions."""
    direct, namespaces = _helper_locals(root)
    if not direct and not namespaces:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "call_expression" and _calls_helper(node, direct, namespaces):
            return _helper_argument(root, node)
        stack.extend(reversed(node.children))
    return None


def _calls_helper(call: Node, direct: set[str], namespaces: set[str]) -> bool:
    callee = call.child_by_field_name("function")
    if callee is None:
        return False
    if callee.type == "identifier":
        return node_text(callee) in direct
    if callee.type == "member_expression":
        obj = callee.child_by_field_name("object")
        prop = callee.child_by_field_name("property")
        return (
            obj is not None
            and prop is not None
            and node_text(obj) in namespaces
            and node_text(prop) == "schedule"
        )
    return False


def _helper_argument(root: Node, call: Node) -> _HelperCall:
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None:
        return _HelperCall(None, call)
    literal = _string_literal(first)
    if literal is None and first.type == "identifier":
        bound = _top_level_const(root, node_text(first))
        literal = _string_literal(bound) if bound is not None else None
    return _HelperCall(literal, first)


def _string_literal(node: Node) -> str | None:
    if node.type == "string":
        return decode_string(node)
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(node_text(c) for c in node.named_children if c.type == "string_fragment")
    return None


def _top_level_const(root: Node, name: str) -> Node | None:
    for item in root.children:
        declaration = item
        if item.type == "export_statement":
            declaration = item.child_by_field_name("declaration") or item
        if declaration.type != "lexical_declaration" or declaration.children[0].type != "const":
            continue
        for declarator in declaration.named_children:
            ident = declarator.child_by_field_name("name")
            if ident is not None and node_text(ident) == name:
                return declarator.child_by_field_name("value")
    return None


def _helper_locals(root: Node) -> tuple[set[str], set[str]]:
    """Local names bound to `schedule` of @netlify/functions, and to the module itself."""
    direct: set[str] = set()
    namespaces: set[str] = set()
    for item in root.children:
        if item.type == "import_statement":
            source = item.child_by_field_name("source")
            if source is None or decode_string(source) != HELPER_MODULE:
                continue
            for clause in item.named_children:
                if clause.type == "import_clause":
                    _import_clause(clause, direct, namespaces)
        elif item.type in ("lexical_declaration", "variable_declaration"):
            for declarator in item.named_children:
                if declarator.type == "variable_declarator":
                    _require_declarator(declarator, direct, namespaces)
    return direct, namespaces


def _import_clause(clause: Node, direct: set[str], namespaces: set[str]) -> None:
    for part in clause.named_children:
        if part.type == "namespace_import":
            namespaces.update(node_text(c) for c in part.named_children if c.type == "identifier")
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier":
                    continue
                imported = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or imported
                if imported is not None and alias is not None and node_text(imported) == "schedule":
                    direct.add(node_text(alias))


def _require_declarator(declarator: Node, direct: set[str], namespaces: set[str]) -> None:
    value = declarator.child_by_field_name("value")
    target = declarator.child_by_field_name("name")
    if value is None or target is None:
        return
    if value.type == "member_expression":  # const schedule = require('@netlify/functions').schedule
        obj = value.child_by_field_name("object")
        prop = value.child_by_field_name("property")
        if (
            obj is not None
            and _is_require(obj)
            and prop is not None
            and node_text(prop) == "schedule"
            and target.type == "identifier"
        ):
            direct.add(node_text(target))
        return
    if not _is_require(value):
        return
    if target.type == "identifier":
        namespaces.add(node_text(target))
    elif target.type == "object_pattern":
        for part in target.named_children:
            if (
                part.type == "shorthand_property_identifier_pattern"
                and node_text(part) == "schedule"
            ):
                direct.add("schedule")
            elif part.type == "pair_pattern":
                key = part.child_by_field_name("key")
                alias = part.child_by_field_name("value")
                if key is not None and alias is not None and node_text(key) == "schedule":
                    direct.add(node_text(alias))


def _is_require(node: Node) -> bool:
    if node.type != "call_expression":
        return False
    callee = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if callee is None or args is None or node_text(callee) != "require":
        return False
    first = args.named_children[0] if args.named_children else None
    return first is not None and first.type == "string" and decode_string(first) == HELPER_MODULE
