"""`plan_migration(project)`: every file change that turns the project's background and scheduled
Next API routes into Netlify functions, decided without writing anything."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from console.errors import UsageError
from console.migrate.changes import Change
from console.migrate.handler_source import (
    api_config_text,
    is_relative,
    module_specifiers,
    moved_specifier,
    next_only_uses,
    rewrite_specifiers,
)
from console.migrate.package_additions import package_json_change
from console.migrate.templates import render
from console.model import Problem, Project, Route, RouteKind, RouteSource, Severity
from console.project.analysis import mentions_advanced
from console.project.netlify_toml import read_netlify_toml
from console.project.next_routes import pages_dir
from console.project.source import read_source

ADAPTER_FOLDER = "_lib"  # in the functions folder; no index file in it, so not a function
ADAPTER_MODULE = "next-api-adapter.mjs"
ADAPTER_TYPES = "next-api-adapter.d.mts"
MIGRATED_FOLDER = "lib/migrated"  # beside pages/, at the depth of pages/api: `../` keeps its sense
GUARD_MODULE = "_route-secret"
SECRET_VAR = "MIGRATED_ROUTE_SECRET"


class Pattern(StrEnum):
    ADAPTER = "adapter"  # the function imports the handler and runs it through the adapter
    NEXT_ROUTE = "next-route"  # the function calls the Next route, which checks the secret


@dataclass(frozen=True)
class RouteMigration:
    route: Route
    pattern: Pattern
    function: str
    function_file: str
    handler_file: str  # where the handler's code lives afterwards
    next_only: tuple[str, ...] = ()
    rewritten_imports: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "route": self.route.route,
            "kind": str(self.route.kind),
            "schedule": self.route.schedule,
            "file": self.route.file,
            "pattern": str(self.pattern),
            "function": self.function,
            "function_file": self.function_file,
            "handler_file": self.handler_file,
            "next_only": list(self.next_only),
            "rewritten_imports": [list(pair) for pair in self.rewritten_imports],
        }


@dataclass(frozen=True)
class Skipped:
    route: str
    file: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"route": self.route, "file": self.file, "reason": self.reason}


@dataclass(frozen=True)
class MigrationPlan:
    root: Path
    language: str  # "ts" or "js"
    functions_dir: str
    migrations: tuple[RouteMigration, ...]
    skipped: tuple[Skipped, ...]
    changes: tuple[Change, ...]
    package_additions: tuple[tuple[str, str], ...]  # (package, range) added to devDependencies
    runtime_v5: bool = False  # `check` says v5 will build the site (its runtime-v5 error)

    @property
    def empty(self) -> bool:
        return not self.changes


def plan_migration(project: Project, routes: tuple[str, ...] = ()) -> MigrationPlan:
    """The migration of every background and scheduled Next route (or of the ones named).

    Raises UsageError for a named route that does not exist or is a plain api route.
    """
    root = project.root
    toml = read_netlify_toml(root)
    functions_dir = toml.functions_dir
    language = "ts" if (root / "tsconfig.json").is_file() else "js"
    pages = pages_dir(root)
    candidates, skipped = _candidates(project, routes)
    taken = {r.function for r in project.routes if r.source is RouteSource.FUNCTION and r.function}
    migrated_dir = _migrated_dir(root, pages)

    chosen: list[tuple[Route, str, str, str]] = []  # route, function, function file, handler
    for route in candidates:
        function = function_name_for(route)
        function_file = f"{_join(functions_dir, function)}.{'mts' if language == 'ts' else 'mjs'}"
        handler_file = _join(migrated_dir, route.file.split("/api/", 1)[1])
        clash = _clash(root, route, function, function_file, handler_file, taken)
        if clash:
            skipped.append(Skipped(route.route, route.file, clash))
            continue
        taken.add(function)
        chosen.append((route, function, function_file, handler_file))

    moves: dict[str, str] = {}
    for route, _, _, handler_file in chosen:
        moves[route.file] = handler_file
        moves[posixpath.splitext(route.file)[0]] = posixpath.splitext(handler_file)[0]

    migrations: list[RouteMigration] = []
    changes: list[Change] = []
    for route, function, function_file, handler_file in chosen:
        source = read_source(root / route.file, route.file)
        if isinstance(source, Problem):
            skipped.append(Skipped(route.route, route.file, source.message))
            continue
        migration, route_changes = _migrate_one(
            route, source.data, function, function_file, handler_file, moves, functions_dir,
            migrated_dir, language,
        )  # fmt: skip
        migrations.append(migration)
        changes.extend(route_changes)

    if migrations:
        changes.extend(_shared_files(root, functions_dir, migrated_dir, language, migrations))
    package_change, additions = package_json_change(root) if migrations else (None, ())
    if package_change is not None:
        changes.append(package_change)
    return MigrationPlan(
        root=root,
        language=language,
        functions_dir=functions_dir,
        migrations=tuple(migrations),
        skipped=tuple(sorted(skipped, key=lambda s: (s.route, s.file))),
        changes=tuple(changes),
        package_additions=additions,
        runtime_v5=any(
            p.code == "runtime-v5" and p.severity is Severity.ERROR for p in project.problems
        ),
    )


def _candidates(project: Project, named: tuple[str, ...]) -> tuple[list[Route], list[Skipped]]:
    advanced = (RouteKind.BACKGROUND, RouteKind.SCHEDULED)
    next_routes = [r for r in project.routes if r.source is RouteSource.NEXT]
    broken: dict[str, Skipped] = {}
    for route in next_routes:
        errors = [p for p in project.problems_for(route.file) if p.severity is Severity.ERROR]
        if errors and (route.kind in advanced or _mentions_advanced(project.root, route.file)):
            reason = f"its config has errors (`console check`): {errors[0].message}"
            broken[route.route] = Skipped(route.route, route.file, reason)
    if named:
        by_path = {r.route: r for r in next_routes}
        for path in named:
            found = by_path.get(path)
            if found is None:
                raise UsageError(
                    f"{path} is not a Next API route of {project.root} (`console routes` lists them)."
                )
            if found.kind not in advanced and path not in broken:
                raise UsageError(
                    f"{path} is an api route; only background and scheduled routes are migrated."
                )
        wanted = set(named)
    else:
        wanted = {r.route for r in next_routes}
    routes = [
        r for r in next_routes if r.route in wanted and r.kind in advanced and r.route not in broken
    ]
    skipped = [s for s in broken.values() if s.route in wanted]
    return routes, skipped


def _mentions_advanced(root: Path, rel: str) -> bool:
    source = read_source(root / rel, rel)
    return not isinstance(source, Problem) and mentions_advanced(source.data)


def _migrated_dir(root: Path, pages: Path | None) -> str:
    """`lib/migrated` beside `pages/` (`src/lib/migrated` beside `src/pages/`)."""
    parent = "" if pages is None else pages.parent.relative_to(root).as_posix()
    return _join("" if parent == "." else parent, MIGRATED_FOLDER)


def _join(*parts: str) -> str:
    return posixpath.join(*[p for p in parts if p])


_SEGMENT = re.compile(r"^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$")


def function_name_for(route: Route) -> str:
    """`/api/send-emails-background` -> `send-emails-background`, `/api/jobs/[id]` -> `jobs-id`,
    `/api/cleanup` -> `cleanup`; a background route's name ends in `-background`."""
    segments = [
        (m.group(1) if (m := _SEGMENT.match(seg)) else seg)
        for seg in route.route.removeprefix("/api/").split("/")
    ]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(segments)).strip("-") or "api"
    if route.kind is RouteKind.BACKGROUND and not name.endswith("-background"):
        name += "-background"
    return name


def _clash(
    root: Path, route: Route, function: str, function_file: str, handler: str, taken: set[str]
) -> str:
    if route.kind is RouteKind.SCHEDULED and function.endswith("-background"):
        return (
            f"its function would be named {function}, and a name ending in -background makes a "
            "background function: rename the route first"
        )
    if function in taken:
        return f"a Netlify function named {function} exists already"
    if (root / function_file).exists():
        return f"{function_file} exists already"
    if (root / handler).exists():
        return f"{handler} exists already"
    return ""


def _migrate_one(
    route: Route,
    data: bytes,
    function: str,
    function_file: str,
    handler_file: str,
    moves: dict[str, str],
    functions_dir: str,
    migrated_dir: str,
    language: str,
) -> tuple[RouteMigration, list[Change]]:
    old_dir = posixpath.dirname(route.file)
    new_dir = posixpath.dirname(handler_file)
    replace: dict[str, str] = {}
    for spec in module_specifiers(data, route.file):
        if is_relative(spec.text):
            new = moved_specifier(spec.text, old_dir, new_dir, moves)
            if new != spec.text:
                replace[spec.text] = new
    moved = rewrite_specifiers(data, route.file, replace)
    next_only = next_only_uses(data, route.file)
    pattern = Pattern.NEXT_ROUTE if next_only else Pattern.ADAPTER
    handler_import = _module_import(functions_dir, handler_file)
    adapter_import = f"./{ADAPTER_FOLDER}/{ADAPTER_MODULE}"
    values = {
        "summary": _summary(route),
        "route_file": route.file,
        "route": route.route,
        "handler_file": handler_file,
        "adapter_import": adapter_import,
        "config": _config_literal(route),
    }
    ext = "mts" if language == "ts" else "mjs"
    changes = [Change(handler_file, None, moved, source=route.file)]
    if pattern is Pattern.ADAPTER:
        function_text = render(f"function.{ext}", handler_import=handler_import, **values)
        changes.insert(0, Change(route.file, data, None))
    else:
        function_text = render(f"proxy-function.{ext}", next_only=_phrase(next_only), **values)
        wrapper = render(
            "proxy-route",
            route=route.route,
            handler_file=handler_file,
            next_only=_phrase(next_only),
            function=function,
            handler_import=_module_import(old_dir, handler_file),
            guard_import=_module_import(old_dir, _guard_file(migrated_dir, language)),
            route_config=_kept_api_config(data, route.file),
        )
        changes.insert(0, Change(route.file, data, wrapper.encode("utf-8")))
    changes.append(Change(function_file, None, function_text.encode("utf-8")))
    migration = RouteMigration(
        route, pattern, function, function_file, handler_file, next_only,
        tuple(sorted(replace.items())),
    )  # fmt: skip
    return migration, changes


def _kept_api_config(data: bytes, name: str) -> str:
    api = api_config_text(data, name)
    if api is None:
        return ""
    return f"\n// The route's own api settings, which Next reads from here.\nexport const config = {{ api: {api} }}\n"


def _guard_file(migrated_dir: str, language: str) -> str:
    return f"{migrated_dir}/{GUARD_MODULE}.{'ts' if language == 'ts' else 'js'}"


def _module_import(from_dir: str, file: str) -> str:
    """An import specifier for `file` from `from_dir`, without the extension (as Next and
    esbuild resolve it; a `.ts` extension would fail Next's type check)."""
    stem = posixpath.splitext(file)[0]
    rel = posixpath.relpath(stem, from_dir or ".")
    return rel if rel.startswith("../") else "./" + rel


def _summary(route: Route) -> str:
    if route.kind is RouteKind.BACKGROUND:
        return (
            "Netlify background function (the name ends in -background): 202 at once, then it runs."
        )
    return (
        f"Netlify scheduled function: runs on {route.schedule} (UTC), on the published deploy only."
    )


def _config_literal(route: Route) -> str:
    if route.kind is RouteKind.SCHEDULED and route.schedule is not None:
        escaped = route.schedule.replace("\\", "\\\\").replace("'", "\\'")
        return "{\n  schedule: '" + escaped + "',\n}"
    return "{}"


def _phrase(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _shared_files(
    root: Path,
    functions_dir: str,
    migrated_dir: str,
    language: str,
    migrations: list[RouteMigration],
) -> list[Change]:
    """The adapter (and the guard, when a route stays in Next): written once per project."""
    wanted = [(_join(functions_dir, ADAPTER_FOLDER, ADAPTER_MODULE), "next-api-adapter.mjs")]
    if language == "ts":
        wanted.append(
            (_join(functions_dir, ADAPTER_FOLDER, ADAPTER_TYPES), "next-api-adapter.d.mts")
        )
    if any(m.pattern is Pattern.NEXT_ROUTE for m in migrations):
        guard = _guard_file(migrated_dir, language)
        wanted.append((guard, f"route-secret.{guard.rsplit('.', 1)[1]}"))
    return [
        Change(path, None, render(template).encode("utf-8"))
        for path, template in wanted
        if not (root / path).exists()
    ]
