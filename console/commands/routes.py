"""`console routes`: every route with its kind, schedule and function, as a table or JSON."""

from __future__ import annotations

import argparse

from console.commands._common import load_project, print_json, print_text
from console.model import Problem, Project, Severity


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    if args.json:
        print_json(routes_json(project))
    else:
        print_text(routes_table(project))
    return 0


def routes_json(project: Project) -> dict[str, object]:
    return {
        "project": str(project.root),
        "routes": [route.to_json() for route in project.routes],
        "problems": [problem.to_json() for problem in project.problems],
    }


_HEADER = ("ROUTE", "KIND", "SCHEDULE", "FUNCTION", "FILE")


def routes_table(project: Project) -> str:
    if not project.routes:
        lines = [f"no API routes and no Netlify functions in {project.root}"]
    else:
        rows = [
            (r.route, str(r.kind), r.schedule or "-", r.function, f"{r.file}:{r.line}")
            for r in project.routes
        ]
        widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER) - 1)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
            for row in [_HEADER, *rows]
        ]
    summary = problem_summary(project.problems)
    if summary:
        lines.append("")
        lines.append(f"{summary}: run `console check` for details")
    return "\n".join(lines)


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
