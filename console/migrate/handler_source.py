"""What a route handler's source holds that migration must know: its relative imports (to keep
them resolving from the new place) and the Next-only APIs that no adapter can give it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from tree_sitter import Node

from console.project.const_value import ConstValue, read_exported_const
from console.project.syntax import node_text, parse


@dataclass(frozen=True)
class Specifier:
    """A module specifier string in the source: its text and the byte range of its contents."""

    text: str
    start: int  # first byte inside the quotes
    end: int


def module_specifiers(data: bytes, name: str) -> list[Specifier]:
    """`import ... from 'x'`, `export ... from 'x'`, `import('x')` and `require('x')`."""
    found: list[Specifier] = []
    stack = [parse(data, name).root_node]
    while stack:
        node = stack.pop()
        if node.type in ("import_statement", "export_statement"):
            source = node.child_by_field_name("source")
            if source is not None:
                _add(found, source)
        elif node.type == "call_expression":
            callee = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if (
                callee is not None
                and arguments is not None
                and node_text(callee) in ("require", "import")
            ):
                strings = [c for c in arguments.named_children if c.type == "string"]
                if len(arguments.named_children) == 1 and strings:
                    _add(found, strings[0])
        stack.extend(reversed(node.children))
    return sorted(found, key=lambda s: s.start)


def _add(found: list[Specifier], string: Node) -> None:
    # One fragment: a plain string ('' has none; escapes split it: left alone, rare in paths).
    fragments = [c for c in string.named_children if c.type == "string_fragment"]
    if len(fragments) == 1 and len(string.named_children) == 1:
        fragment = fragments[0]
        found.append(Specifier(node_text(fragment), fragment.start_byte, fragment.end_byte))


def is_relative(specifier: str) -> bool:
    return specifier in (".", "..") or specifier.startswith(("./", "../"))


def moved_specifier(specifier: str, old_dir: str, new_dir: str, moves: dict[str, str]) -> str:
    """The specifier that names, from `new_dir`, what `specifier` named from `old_dir`.

    `moves` maps a moved file (relative to the project, with and without its extension) to
    its new place, so a route importing another route that moves too follows it.
    """
    target = posixpath.normpath(posixpath.join(old_dir, specifier))
    target = moves.get(target, target)
    if posixpath.normpath(posixpath.join(new_dir, specifier)) == target:
        return specifier
    new = posixpath.relpath(target, new_dir)
    return new if new.startswith("../") or new == ".." else "./" + new


def rewrite_specifiers(data: bytes, name: str, replace: dict[str, str]) -> bytes:
    """The source with the given specifiers replaced (only inside their quotes)."""
    out = bytearray()
    last = 0
    for spec in module_specifiers(data, name):
        new = replace.get(spec.text)
        if new is None or new == spec.text:
            continue
        out += data[last : spec.start] + new.encode("utf-8")
        last = spec.end
    out += data[last:]
    return bytes(out)


# Next-only APIs: what a route may use that exists only inside Next's server. Each is matched in
# the code with comments blanked out.
_NEXT_ONLY: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"\.(unstable_)?revalidate\s*\("), "res.revalidate"),
    (re.compile(rb"\b(setPreviewData|clearPreviewData|previewData)\b"), "preview data"),
    (re.compile(rb"\b(setDraftMode|draftMode)\b"), "draft mode"),
    (re.compile(rb"\bgetServerSession\b"), "getServerSession (next-auth)"),
    (re.compile(rb"""['"]next-auth(/[^'"]*)?['"]"""), "next-auth"),
    (re.compile(rb"""['"]next/(cache|headers)['"]"""), "next/cache or next/headers"),
    (re.compile(rb"\bbodyParser\s*:\s*false\b"), "the raw request stream (bodyParser: false)"),
    (re.compile(rb"\breq\.(pipe|on|read)\s*\("), "the request as a stream"),
)


def next_only_uses(data: bytes, name: str) -> tuple[str, ...]:
    """Which Next-only APIs the source uses, in a fixed order, each named once."""
    code = _without_comments(data, name)
    found: list[str] = []
    for pattern, what in _NEXT_ONLY:
        if pattern.search(code) and what not in found:
            found.append(what)
    return tuple(found)


def _without_comments(data: bytes, name: str) -> bytes:
    out = bytearray(data)
    stack = [parse(data, name).root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            out[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
            continue
        stack.extend(node.children)
    return bytes(out)


def api_config_text(data: bytes, name: str) -> str | None:
    """The source of the route's `config.api` value (`{ bodyParser: false }`), if it has one: a
    route kept in Next must keep it, or Next parses the body its handler reads as a stream."""
    config = read_exported_const(parse(data, name).root_node, "config")
    if not isinstance(config, ConstValue) or "api" not in config.members:
        return None
    return node_text(config.member_value_node("api"))
