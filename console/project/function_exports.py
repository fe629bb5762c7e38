"""What a Netlify function file exports, as zip-it-and-ship-it tells a v1 file from a v2 one."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from console.project.syntax import node_text


@dataclass(frozen=True)
class Exports:
    handler: bool  # a `handler` export: a v1 function
    default: bool  # a default export: a v2 function unless `handler` is exported too
    other: bool  # `module.exports = ...`, `export function handler`: the runtime may call it

    @property
    def nothing(self) -> bool:
        return not (self.handler or self.default or self.other)


def exports_of(root: Node) -> Exports:
    """Top-level exports (`traverseNodes` in zip-it-and-ship-it `parser/exports.ts`): ESM
    declarations and clauses, `exports.x =`, `module.exports.x =`, `module.exports =`."""
    handler = default = other = False
    for item in root.children:
        if item.type == "export_statement":
            if any(c.type == "default" for c in item.children):
                default = True
            declaration = item.child_by_field_name("declaration")
            if declaration is not None and "handler" in _declared_names(declaration):
                # zip-it-and-ship-it counts `export const handler` as a v1 handler, but not
                # `export function handler` (only variable declarations, `getNamedESMExport`);
                # the runtime can still call the latter.
                if declaration.type.endswith("function_declaration"):
                    other = True
                else:
                    handler = True
            for clause in item.named_children:
                if clause.type != "export_clause":
                    continue
                for spec in clause.named_children:
                    alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    exported = node_text(alias).strip("'\"") if alias is not None else ""
                    handler = handler or exported == "handler"
                    default = default or exported == "default"
        elif item.type == "expression_statement" and item.named_children:
            target = _assigned(item.named_children[0])
            if target in ("exports.handler", "module.exports.handler"):
                handler = True
            elif target in ("exports.default", "module.exports.default"):
                default = True
            elif target == "module.exports":
                other = True
    return Exports(handler, default, other)


def _declared_names(declaration: Node) -> set[str]:
    if declaration.type in ("function_declaration", "generator_function_declaration"):
        name = declaration.child_by_field_name("name")
        return {node_text(name)} if name is not None else set()
    names = set()
    for declarator in declaration.named_children:
        ident = declarator.child_by_field_name("name")
        if ident is not None:
            names.add(node_text(ident))
    return names


def _assigned(node: Node) -> str | None:
    if node.type != "assignment_expression":
        return None
    left = node.child_by_field_name("left")
    return node_text(left).replace(" ", "") if left is not None else None
