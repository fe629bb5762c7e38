"""tree-sitter parsing of JS/TS sources: which grammar for which extension, and where errors are."""

from __future__ import annotations

import threading
from functools import cache

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

# TSX is a superset of JavaScript (JSX included), so it reads .js/.jsx/.mjs/.cjs too. Plain
# TypeScript is kept for .ts/.mts/.cts because only it parses `<T>x` type assertions.
_TYPESCRIPT_EXTENSIONS = frozenset({".ts", ".mts", ".cts"})
SCRIPT_EXTENSIONS = frozenset({".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"})


@cache
def _language(typescript: bool) -> Language:
    if typescript:
        return Language(tree_sitter_typescript.language_typescript())
    return Language(tree_sitter_typescript.language_tsx())


_local = threading.local()  # a Parser is not safe to share between threads (the UI's workers)


def _parser(typescript: bool) -> Parser:
    parsers: dict[bool, Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(typescript)
    if parser is None:
        parser = parsers[typescript] = Parser(_language(typescript))
    return parser


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


def syntax_error(root: Node) -> tuple[tuple[int, int], str] | None:
    """Where the first syntax error is (0-based row, byte column) and a phrase for it.

    tree-sitter wraps what it could not place in an ERROR node; the token it gave up on is that
    node's last leaf. When the last child is a whole construct, the trouble is what follows.
    """
    node = first_error(root)
    if node is None:
        return None
    if node.is_missing:
        return (node.start_point.row, node.start_point.column), f"missing `{node.type}`"
    last = node.children[-1] if node.children else node
    if last.child_count == 0:
        return (last.start_point.row, last.start_point.column), f"unexpected {_quote(last)}"
    following = node.next_sibling
    if following is not None:
        return (following.start_point.row, following.start_point.column), (
            f"unexpected {_quote(following)}"
        )
    return (node.end_point.row, node.end_point.column), "unexpected end of file"


def _quote(node: Node) -> str:
    text = node_text(node).strip()
    first = text.splitlines()[0] if text else ""
    if not first:
        return "end of file"
    if len(first) > 30:
        first = first[:27] + "..."
    return f"`{first}`"


def node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
