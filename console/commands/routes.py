"""`console routes`: every route with its kind, schedule and function, as a table or JSON."""

from __future__ import annotations

import argparse

from console.commands._common import (
    load_project,
    print_json,
    print_text,
    runtime_json,
    runtime_lines,
)
from console.model import Placement, Problem, Project, Route, Severity
from console.project.naming import API_HANDLER


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project, "routes")
    if args.json:
        print_json(routes_json(project))
    else:
        print_text(routes_table(project))
    return 0


def routes_json(project: Project) -> dict[str, object]:
    return {
        "project": str(project.root),
        **runtime_json(project),
        "routes": [route.to_json() for route in project.routes],
        "problems": [problem.to_json() for problem in project.problems],
    }


_HEADER = ("ROUTE", "KIND", "SCHEDULE", "FUNCTION", "FILE")


def routes_table(project: Project) -> str:
    if not project.routes:
        lines = [f"no API routes and no Netlify functions in {project.root}"]
    else:
        rows = [
            (r.route, str(r.kind), r.schedule or "-", function_cell(r), f"{r.file}:{r.line}")
            for r in project.routes
        ]
        widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER) - 1)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
            for row in [_HEADER, *rows]
        ]
    lines.extend(_notes(project))
    head = runtime_lines(project)
    if head:
        lines = [*head, "", *lines]
    summary = problem_summary(project.problems)
    if summary:
        lines.append("")
        lines.append(f"{summary}: run `console check` for details")
    return "\n".join(lines)


EDGE_CELL = "(edge function)"
BUILD_CELL = "(named at build)"


def function_cell(route: Route) -> str:
    if route.placement is Placement.EDGE:
        return EDGE_CELL
    if route.placement is Placement.BUILD or route.function is None:
        return BUILD_CELL
    return route.function


def _notes(project: Project) -> list[str]:
    """What the marks in the function column mean, when they appear."""
    placements = {r.placement for r in project.routes}
    notes = []
    if Placement.BUILD in placements:
        notes.append(
            f"{BUILD_CELL}: NEXT_SPLIT_API_ROUTES is on, so the build packs these routes into "
            f"~50 MB functions: a route packed alone keeps its own name (_api_<route>-handler), "
            f"the others share {API_HANDLER} or {API_HANDLER}-N"
        )
    if Placement.EDGE in placements:
        notes.append(f"{EDGE_CELL}: runtime 'edge' routes deploy as edge functions, not lambdas")
    return ["", *notes] if notes else []


def problem_summary(problems: tuple[Problem, ...]) -> str:
    """ "2 errors, 1 warning" (empty when there are none)."""
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)
