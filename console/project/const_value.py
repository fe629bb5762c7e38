"""Read `export const <name> = <literal>` exactly as Next.js's `extract-const-value` does.

The platform (Netlify's Next.js Runtime v4) reads a route's `config` with Next's own static
reader. It accepts literals only; anything else makes it give up on the whole value, log at most
"Unsupported config value", and deploy the route as a normal synchronous one. This module
returns the value when the platform would read it, and otherwise the node it would stumble on
with a phrase that says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from console.project.syntax import node_text


class Undefined:
    """JavaScript's `undefined` (distinct from `null`, which is None)."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = Undefined()


@dataclass(frozen=True)
class Regex:
    pattern: str
    flags: str


@dataclass(frozen=True)
class ConstValue:
    """A value the platform reads. `members` maps each top-level object key to its pair node."""

    value: Any
    node: Node
    members: dict[str, Node] = field(default_factory=dict)

    def member_value_node(self, key: str) -> Node:
        pair = self.members.get(key)
        if pair is None:
            return self.node
        return pair.child_by_field_name("value") or pair


@dataclass(frozen=True)
class Unread:
    """The platform does not read the value: `node` is what it stumbles on, `what` says why."""

    node: Node
    what: str
    hint: str = ""  # why, in brackets, after "is not read by the platform"


LITERALS_ONLY = " (only literal values are)"
CONST_ONLY = " (only `export const` is)"


class _Unsupported(Exception):
    def __init__(self, node: Node, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.node = node
        self.what = what
        self.hint = hint


def read_exported_const(root: Node, name: str) -> ConstValue | Unread | None:
    """The value of `export const <name>`, or why it is not read, or None when there is none."""
    for item in root.children:
        if item.type != "export_statement":
            continue
        declaration = item.child_by_field_name("declaration")
        if declaration is None or declaration.type != "lexical_declaration":
            continue
        if declaration.children[0].type != "const":
            continue
        for declarator in declaration.children:
            if declarator.type != "variable_declarator":
                continue
            ident = declarator.child_by_field_name("name")
            init = declarator.child_by_field_name("value")
            if ident is None or init is None or ident.type != "identifier":
                continue
            if node_text(ident) != name:
                continue
            try:
                value = _extract(init)
            except _Unsupported as exc:
                return Unread(exc.node, exc.what, exc.hint)
            except RecursionError:
                return Unread(init, "a value nested this deeply")
            return ConstValue(value, init, _members(init))
    return _other_export(root, name)


def _members(node: Node) -> dict[str, Node]:
    members: dict[str, Node] = {}
    if node.type != "object":
        return members
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key")
        if key is not None:
            # A later key wins, as it does in the object the platform builds.
            members[_key(key)] = pair
    return members


def _other_export(root: Node, name: str) -> Unread | None:
    """Forms that export `name` but that the platform's reader skips without a word."""
    for item in root.children:
        if item.type == "export_statement":
            found = _other_export_statement(item, name)
            if found is not None:
                return found
        elif item.type == "expression_statement":
            found = _commonjs_export(item, name)
            if found is not None:
                return found
    return None


def _other_export_statement(item: Node, name: str) -> Unread | None:
    declaration = item.child_by_field_name("declaration")
    if declaration is not None and declaration.type in (
        "lexical_declaration",
        "variable_declaration",
    ):
        keyword = declaration.children[0].type
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            ident = declarator.child_by_field_name("name")
            if ident is None:
                continue
            if ident.type == "identifier" and node_text(ident) == name and keyword != "const":
                return Unread(declaration, f"`export {keyword} {name}`", CONST_ONLY)
            if ident.type != "identifier" and re.search(rf"\b{name}\b", node_text(ident)):
                return Unread(
                    ident, f"a destructured `export const {node_text(ident)}`", CONST_ONLY
                )
        return None
    if declaration is not None and declaration.type == "function_declaration":
        ident = declaration.child_by_field_name("name")
        if ident is not None and node_text(ident) == name:
            return Unread(declaration, f"`export function {name}`", CONST_ONLY)
        return None
    for clause in item.named_children:
        if clause.type != "export_clause":
            continue
        for spec in clause.named_children:
            alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
            if alias is not None and node_text(alias) == name:
                source = " ... from" if item.child_by_field_name("source") is not None else ""
                return Unread(spec, f"`export {{ {node_text(spec)} }}{source}`", CONST_ONLY)
    return None


def _commonjs_export(item: Node, name: str) -> Unread | None:
    expr = item.named_children[0] if item.named_children else None
    if expr is None or expr.type != "assignment_expression":
        return None
    left = expr.child_by_field_name("left")
    if left is None:
        return None
    text = re.sub(r"\s+", "", node_text(left))
    if text in (f"module.exports.{name}", f"exports.{name}"):
        return Unread(left, f"`{text} = ...`", CONST_ONLY)
    return None


def _extract(node: Node) -> Any:
    kind = node.type
    if kind == "string":
        return decode_string(node)
    if kind == "number":
        return _number(node)
    if kind == "true":
        return True
    if kind == "false":
        return False
    if kind == "null":
        return None
    if kind == "undefined":
        return UNDEFINED
    if kind == "regex":
        pattern = node.child_by_field_name("pattern")
        flags = node.child_by_field_name("flags")
        return Regex(node_text(pattern) if pattern else "", node_text(flags) if flags else "")
    if kind == "template_string":
        return _template(node)
    if kind == "array":
        return [_extract(child) for child in node.named_children if child.type != "comment"]
    if kind == "object":
        return _object(node)
    if kind == "satisfies_expression":
        keyword = next((c for c in node.children if c.type == "satisfies"), node)
        raise _Unsupported(
            keyword, "`satisfies`", " with older Next.js versions, which it reads config with"
        )
    if kind == "identifier":
        return _identifier(node)
    if kind == "as_expression":
        # Point at `as`, the part the author has to delete, not at the start of the object.
        keyword = next((c for c in node.children if c.type == "as"), node)
        raise _Unsupported(keyword, *_describe(node))
    raise _Unsupported(node, *_describe(node))


def _identifier(node: Node) -> Any:
    text = node_text(node)
    if text == "undefined":
        return UNDEFINED
    raise _Unsupported(node, f"the identifier `{text}`", LITERALS_ONLY)


def _object(node: Node) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for child in node.named_children:
        if child.type == "comment":
            continue
        if child.type == "pair":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is None or value is None:
                raise _Unsupported(child, "an incomplete property")
            if key.type not in ("property_identifier", "string"):
                if key.type == "computed_property_name":
                    what = f"the computed key `{node_text(key)}`"
                else:
                    what = f"the {_key_kind(key)} key `{node_text(key)}`"
                raise _Unsupported(key, what)
            result[_key(key)] = _extract(value)
        elif child.type == "spread_element":
            raise _Unsupported(child, f"the spread `{_short(child)}`")
        elif child.type == "shorthand_property_identifier":
            text = node_text(child)
            raise _Unsupported(
                child, f"the shorthand property `{{ {text} }}` (write `{text}: ...`)"
            )
        elif child.type == "method_definition":
            raise _Unsupported(child, "a method")
        else:
            raise _Unsupported(child, *_describe(child))
    return result


def _key_kind(key: Node) -> str:
    return {"number": "numeric", "private_property_identifier": "private"}.get(key.type, key.type)


def _key(key: Node) -> str:
    if key.type == "string":
        return decode_string(key)
    return node_text(key)


def _template(node: Node) -> str:
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "template_substitution":
            raise _Unsupported(node, "a template literal with `${}`")
        if child.type == "escape_sequence":
            parts.append(_unescape(node_text(child)))
        elif child.type == "string_fragment":
            parts.append(node_text(child))
    return "".join(parts)


_NUMBER_PREFIX = re.compile(r"0[xXoObB]")


def _number(node: Node) -> int | float:
    text = node_text(node).replace("_", "")
    if text.endswith("n"):
        raise _Unsupported(node, f"the BigInt `{node_text(node)}`")
    try:
        if _NUMBER_PREFIX.match(text):
            return int(text, 0)
        if re.fullmatch(r"0[0-7]+", text):  # legacy octal
            return int(text, 8)
        value = float(text)
    except ValueError:
        raise _Unsupported(node, f"the number `{node_text(node)}`") from None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def decode_string(node: Node) -> str:
    """The value of a JS string literal node: fragments joined, escapes decoded."""
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(node_text(child))
        elif child.type == "escape_sequence":
            parts.append(_unescape(node_text(child)))
    return "".join(parts)


_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
}


def _unescape(text: str) -> str:
    body = text[1:]
    if not body:
        return ""
    head = body[0]
    if head in "\r\n\u2028\u2029":  # a line continuation
        return ""
    if head in _SIMPLE_ESCAPES and len(body) == 1:
        return _SIMPLE_ESCAPES[head]
    try:
        if head == "x":
            return chr(int(body[1:3], 16))
        if head == "u":
            digits = body[2:-1] if body.startswith("u{") else body[1:5]
            return chr(int(digits, 16))
        if head.isdigit():
            return chr(int(body, 8))
    except (ValueError, OverflowError):
        return body
    return body


def _short(node: Node) -> str:
    text = " ".join(node_text(node).split())
    return text if len(text) <= 40 else text[:37] + "..."


_DESCRIPTIONS = {
    "as_expression": "`as`",
    "type_assertion": "the type assertion `<T>x`",
    "non_null_expression": "the non-null assertion `!`",
    "parenthesized_expression": "parentheses",
    "unary_expression": "the expression",
    "binary_expression": "the expression",
    "member_expression": "the expression",
    "subscript_expression": "the expression",
    "call_expression": "the call",
    "new_expression": "the expression",
    "arrow_function": "a function",
    "function_expression": "a function",
    "class": "a class",
    "ternary_expression": "the expression",
    "await_expression": "the expression",
}


def _describe(node: Node) -> tuple[str, str]:
    """What a node is, for "<what> is not read by the platform<hint>", and the hint."""
    if node.type == "as_expression":
        target = node.children[-1]
        if target.type == "const":
            return "`as const`", ""
        return f"`as {_short(target)}`", ""
    label = _DESCRIPTIONS.get(node.type)
    if label in ("the expression", "the call"):
        return f"{label} `{_short(node)}`", LITERALS_ONLY
    if label is not None:
        return label, ""
    return f"`{_short(node)}`", LITERALS_ONLY
