"""`console migrate`: show (or, with --write, make) the change that turns background and
scheduled Next API routes into Netlify functions."""

from __future__ import annotations

import argparse
import sys

from console.commands._common import load_project, print_json, print_text
from console.migrate import (
    SECRET_VAR,
    MigrationPlan,
    Pattern,
    RouteMigration,
    apply_changes,
    plan_migration,
    unified_diff,
)
from console.model import RouteKind


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project, "migrate")
    plan = plan_migration(project, tuple(args.route))
    diff = unified_diff(plan.changes)
    if args.write and not plan.empty:
        apply_changes(plan.root, plan.changes)
    code = 1 if args.route and any(s.route in args.route for s in plan.skipped) else 0
    if args.json:
        print_json(_json(plan, diff, written=bool(args.write and not plan.empty)))
        return code
    for line in _summary(plan, written=args.write):
        print_text(line, file=sys.stderr)
    if not args.write and diff:
        show_diff(diff)
    return code


def show_diff(diff: str) -> None:
    """The diff as is into a pipe (`console migrate | git apply` needs every byte); on a
    terminal without control sequences, since it quotes the project's own files."""
    if sys.stdout.isatty():
        print_text(diff.rstrip("\n"))
        return
    sys.stdout.write(diff)
    sys.stdout.flush()


def _json(plan: MigrationPlan, diff: str, *, written: bool) -> dict[str, object]:
    return {
        "project": str(plan.root),
        "language": plan.language,
        "functions_dir": plan.functions_dir,
        "routes": [m.to_json() for m in plan.migrations],
        "skipped": [s.to_json() for s in plan.skipped],
        "files": [
            {"path": c.path, "action": _action(c.before, c.after), "from": c.source}
            for c in plan.changes
        ],
        "package_json": {"devDependencies": dict(plan.package_additions)},
        "diff": diff,
        "written": written,
        "next_steps": next_steps(plan) if plan.migrations else [],
    }


def _action(before: bytes | None, after: bytes | None) -> str:
    if before is None:
        return "create"
    return "delete" if after is None else "modify"


def _summary(plan: MigrationPlan, *, written: bool) -> list[str]:
    lines: list[str] = []
    if not plan.migrations:
        lines.append(f"no background or scheduled Next API routes to migrate in {plan.root}")
    else:
        count = len(plan.migrations)
        verb = "moved" if written else "to move"
        lines.append(f"{count} route{'s' if count != 1 else ''} {verb} to Netlify functions:")
        lines.extend(f"  {_describe(m)}" for m in plan.migrations)
    for skipped in plan.skipped:
        lines.append(f"skipped {skipped.route} ({skipped.file}): {skipped.reason}")
    if plan.migrations:
        for name, spec in plan.package_additions:
            verb = "added" if written else "would add"
            lines.append(f'package.json: {verb} "{name}": "{spec}" to devDependencies')
        if written:
            lines.append("next:")
            lines.extend(f"  {step}" for step in next_steps(plan))
        else:
            lines.append("nothing written: `console migrate --write` applies this diff")
    return lines


def _describe(m: RouteMigration) -> str:
    kind = "background" if m.route.kind is RouteKind.BACKGROUND else f"scheduled {m.route.schedule}"
    text = f"{m.route.route} ({kind}) -> {m.function_file}; handler in {m.handler_file}"
    if m.pattern is Pattern.NEXT_ROUTE:
        text += (
            f"; it uses {', '.join(m.next_only)}, which only Next gives, so {m.route.file} stays a "
            f"Next route that answers 404 without {SECRET_VAR}, and the function calls it"
        )
        if m.route.kind is RouteKind.BACKGROUND:
            text += " (the work runs in that Next route, within the api time limit, not 15 min)"
    if m.route.params:
        names = ", ".join(p.name for p in m.route.params)
        text += f"; its dynamic segments ({names}) now come as query parameters"
    if m.rewritten_imports:
        text += "; imports adjusted: " + ", ".join(f"{a} -> {b}" for a, b in m.rewritten_imports)
    return text


def next_steps(plan: MigrationPlan) -> list[str]:
    steps: list[str] = []
    if plan.package_additions:
        steps.append("npm install (package.json gained @netlify/functions)")
    if not plan.runtime_v5:
        steps.append(
            "npm install -D @netlify/plugin-nextjs@5 (and upgrade next when you are ready)"
        )
    background = [m for m in plan.migrations if m.route.kind is RouteKind.BACKGROUND]
    for m in background:
        steps.append(f"callers of {m.route.route} now call /.netlify/functions/{m.function}")
    if any(m.pattern is Pattern.NEXT_ROUTE for m in plan.migrations):
        steps.append(
            f"set {SECRET_VAR} (a long random value) in the site's environment variables, "
            "for builds and functions"
        )
    steps.append(
        "console check . && console routes .   # no runtime-v5 error; the functions listed"
    )
    return steps
