"""tree-sitter parsing of JS/TS sources: which grammar for which extension, and where errors are."""

from __future__ import annotations

from functools import cache

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

# TSX is a superset of JavaScript (JSX included), so it reads .js/.jsx/.mjs/.cjs too. Plain
# TypeScript is kept for .ts/.mts/.cts because only it parses `<T>x` type assertions.
_TYPESCRIPT_EXTENSIONS = frozenset({".ts", ".mts", ".cts"})
SCRIPT_EXTENSIONS = frozenset({".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"})


@cache
def _parser(typescript: bool) -> Parser:
    grammar = (
        tree_sitter_typescript.language_typescript()
        if typescript
        else tree_sitter_typescript.language_tsx()
    )
    return Parser(Language(grammar))


def grammar_for(name: str) -> bool:
    """True when the file name takes the plain TypeScript grammar, False for TSX (and JS)."""
    lowered = name.lower()
    return any(lowered.endswith(ext) for ext in _TYPESCRIPT_EXTENSIONS)


def parse(data: bytes, name: str) -> Tree:
    """Parse a source file; tree-sitter never fails, it marks ERROR and MISSING nodes instead."""
    return _parser(grammar_for(name)).parse(data)


def first_error(root: Node) -> Node | None:
    """The first ERROR or MISSING node in source order, or None when the tree is clean."""
    if not root.has_error:
        return None
    node = root
    while True:
        if node.is_error or node.is_missing:
            return node
        for child in node.children:
            if child.has_error or child.is_missing:
                node = child
                break
        else:
            return node


def describe_error(node: Node) -> str:
    """A short phrase for a syntax error node: what is missing or what was not expected."""
    if node.is_missing:
        return f"missing `{node.type}`"
    text = (node.text or b"").decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else ""
    if not first:
        return "unexpected end of input"
    if len(first) > 30:
        first = first[:27] + "..."
    return f"unexpected `{first}`"


def node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
