"""`pageExtensions` read statically from next.config.{js,mjs,cjs,ts}: never executed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from console.model import Problem, Severity
from console.project.const_value import decode_string
from console.project.source import Source, read_source
from console.project.syntax import node_text, parse

DEFAULT_PAGE_EXTENSIONS = ("tsx", "ts", "jsx", "js")
CONFIG_NAMES = ("next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts")
_KEY = "pageExtensions"
_KEY_NODES = ("pair", "assignment_expression", "shorthand_property_identifier")


@dataclass(frozen=True)
class NextConfig:
    page_extensions: tuple[str, ...] = DEFAULT_PAGE_EXTENSIONS
    file: str | None = None
    problems: tuple[Problem, ...] = ()


def read_next_config(root: Path) -> NextConfig:
    """The project's `pageExtensions`, or the default with a warning when it is not a literal."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            break
    else:
        return NextConfig()
    source = read_source(path, name)
    if isinstance(source, Problem):
        return NextConfig(file=name, problems=(source,))
    if _KEY.encode() not in source.data:
        return NextConfig(file=name)
    return _page_extensions(source)


def _page_extensions(source: Source) -> NextConfig:
    tree = parse(source.data, source.rel)
    found: list[Node] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in _KEY_NODES and _names_key(node):
            found.append(node)
            continue
        stack.extend(reversed(node.children))
    if not found:
        return NextConfig(file=source.rel)
    values = [_literal_list(node) for node in found]
    literal = [v for v in values if v is not None]
    if len(found) == 1 and literal and literal[0]:
        return NextConfig(tuple(literal[0]), source.rel)
    node = found[0]
    row, column = node.start_point
    default = ", ".join(f"'{ext}'" for ext in reversed(DEFAULT_PAGE_EXTENSIONS))
    why = "is computed" if len(found) == 1 else f"is set {len(found)} times"
    problem = source.problem(
        row,
        column,
        Severity.WARNING,
        "not-read",
        f"{_KEY} in {source.rel} {why}, so the console cannot read it without running the "
        f"file; it assumes the default [{default}] (write a literal array of strings to fix)",
    )
    return NextConfig(file=source.rel, problems=(problem,))


def _names_key(node: Node) -> bool:
    if node.type == "shorthand_property_identifier":
        return node_text(node) == _KEY
    if node.type == "pair":
        key = node.child_by_field_name("key")
        if key is None:
            return False
        text = decode_string(key) if key.type == "string" else node_text(key)
        return text == _KEY
    left = node.child_by_field_name("left")  # nextConfig.pageExtensions = [...]
    if left is None or left.type != "member_expression":
        return False
    prop = left.child_by_field_name("property")
    return prop is not None and node_text(prop) == _KEY


def _literal_list(node: Node) -> list[str] | None:
    value = node.child_by_field_name("value") or node.child_by_field_name("right")
    if value is None or value.type != "array":
        return None
    result: list[str] = []
    for item in value.named_children:
        if item.type == "comment":
            continue
        if item.type != "string":
            return None
        result.append(decode_string(item))
    return result
