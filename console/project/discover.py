"""`discover(root)`: every route and function of a project, with every problem the platform has."""

from __future__ import annotations

from pathlib import Path

from console.errors import NotAProjectError
from console.model import Problem, Project, Route, RouteKind, RouteSource, Severity
from console.project.functions import netlify_functions
from console.project.netlify_toml import read_netlify_toml
from console.project.next_config import read_next_config
from console.project.next_routes import app_route_problems, next_api_routes
from console.project.package_json import MIGRATION_LINK, RUNTIME_PACKAGE, PackageInfo, read_package
from console.project.walk import Walk


def discover(root: Path, *, use_cache: bool = True) -> Project:
    """Find the project's routes and problems without running anything from it.

    Raises NotAProjectError for a missing folder, or one with no package.json, no API routes
    and no functions. Unchanged files are not read again when `use_cache` is on.
    """
    root = Path(root)
    if not root.exists():
        raise NotAProjectError(f"{root} does not exist.")
    if not root.is_dir():
        raise NotAProjectError(f"{root} is not a folder.")
    package = read_package(root)
    toml = read_netlify_toml(root)
    next_config = read_next_config(root)
    walk = Walk(root)
    files: list[str] = [name for name in ("package.json",) if package.present]
    files.extend(toml.files)
    if next_config.file:
        files.append(next_config.file)
    problems: list[Problem] = [*package.problems, *toml.problems, *next_config.problems]

    extensions = next_config.page_extensions
    next_routes, found = next_api_routes(root, extensions, walk, files, use_cache=use_cache)
    problems.extend(found)
    problems.extend(app_route_problems(root, extensions, walk, files, use_cache=use_cache))
    function_routes, found = netlify_functions(root, toml, files, use_cache=use_cache)
    problems.extend(found)
    problems.extend(walk.problems)

    if not package.present and not next_routes and not function_routes:
        raise NotAProjectError(
            f"{root} is not a project: it has no package.json, no API routes under pages/api "
            f"and no Netlify functions in {toml.functions_dir}."
        )
    routes = _unique_paths([*next_routes, *function_routes], problems)
    problems.extend(_runtime_v5(package, routes))
    return Project(
        root=root,
        routes=tuple(sorted(routes, key=lambda r: (r.route, r.file))),
        problems=tuple(sorted(set(problems), key=_problem_order)),
        package_manager=package.package_manager,
        dev_script=package.dev_script,
        files=tuple(sorted(set(files))),
    )


def _problem_order(p: Problem) -> tuple[str, int, int, str, str]:
    return (p.file, p.line, p.column, p.code, p.message)


def _unique_paths(routes: list[Route], problems: list[Problem]) -> list[Route]:
    """A function's `config.path` may take a path a Next route (or another function) has."""
    kept: dict[str, Route] = {}
    for route in routes:
        first = kept.get(route.route)
        if first is None:
            kept[route.route] = route
            continue
        problems.append(
            Problem(
                route.file,
                route.line,
                1,
                Severity.WARNING,
                "duplicate-route",
                f"{route.file} and {first.file} both answer {route.route}; "
                f"the console lists {first.file} only.",
            )
        )
    return list(kept.values())


def _runtime_v5(package: PackageInfo, routes: list[Route]) -> list[Problem]:
    if package.runtime_v5 is None:
        return []
    advanced = [
        r.route
        for r in routes
        if r.source is RouteSource.NEXT and r.kind in (RouteKind.BACKGROUND, RouteKind.SCHEDULED)
    ]
    if not advanced:
        return []
    line, column = package.runtime_v5
    return [
        Problem(
            "package.json",
            line,
            column,
            Severity.ERROR,
            "runtime-v5",
            f"{RUNTIME_PACKAGE}@5 does not support advanced API routes. The following API "
            "routes should be migrated to Netlify background or scheduled functions: "
            f"{', '.join(advanced)} (package.json asks for {RUNTIME_PACKAGE} "
            f'"{package.runtime_spec}"; see {MIGRATION_LINK}). '
            "`console migrate` shows the change that makes them functions; --write applies it",
        )
    ]
