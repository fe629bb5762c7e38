"""`discover(root)`: every route and function of a project, with every problem the platform has."""

from __future__ import annotations

import os
from pathlib import Path

from console.errors import ConsoleError, NotAProjectError, NotASiteError
from console.model import Problem, Project, Route, RouteKind, RouteSource, Severity
from console.project.functions import functions_folder_problems, netlify_functions
from console.project.lockfiles import Installs, repository_root
from console.project.naming import split_api_routes
from console.project.netlify_toml import NetlifyToml
from console.project.next_config import read_next_config
from console.project.next_routes import app_route_problems, next_api_routes
from console.project.package_json import RUNTIME_PACKAGE, PackageInfo, dependencies, read_package
from console.project.runtime import RuntimeDecision, decide_runtime, runtime_problems
from console.project.site import depends_on_next, site_folder, sites_below
from console.project.source import read_json
from console.project.walk import Walk

SPLIT_VARIABLE = "NEXT_SPLIT_API_ROUTES"


def _check_root(root: Path) -> None:
    """A folder we can list, or one sentence on why not (a folder closed to this user, or one
    inside such a folder, is not a traceback)."""
    try:
        if not root.exists():
            raise NotAProjectError(f"{root} does not exist.")
        if not root.is_dir():
            raise NotAProjectError(f"{root} is not a folder.")
        with os.scandir(root):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise NotAProjectError(f"{root} cannot be read: {why.lower()}.") from None


def discover(root: Path, *, use_cache: bool = True) -> Project:
    """Find the project's routes and problems without running anything from it.

    Raises NotAProjectError for a missing folder, or one with no package.json, no API routes
    and no functions; NotASiteError for a monorepo root with sites below it. A root
    netlify.toml's `[build] base` is followed. Unchanged files are not read again when
    `use_cache` is on; the lock file is read once.
    """
    given = Path(root)
    _check_root(given)
    root, toml, site_note = site_folder(given)
    package = read_package(root)
    next_config = read_next_config(root)
    # Resolved: `console routes .` in apps/web must still see ../../package-lock.json.
    site = root.resolve()
    top = repository_root(site)
    installs = Installs(site, top, use_cache=use_cache)
    decision = decide_runtime(
        dict(package.dependencies), _root_dependencies(site, top), toml, installs
    )
    walk = Walk(root)
    files: list[str] = [name for name in ("package.json",) if package.present]
    files.extend(toml.files)
    if next_config.file:
        files.append(next_config.file)
    problems: list[Problem] = [*package.problems, *toml.problems, *next_config.problems]

    extensions = next_config.page_extensions
    next_routes, found = next_api_routes(
        root,
        extensions,
        walk,
        files,
        use_cache=use_cache,
        split=_split(toml, decision),
        v5=decision is not None and (decision.choice.major or 0) >= 5,
    )
    problems.extend(found)
    problems.extend(app_route_problems(root, extensions, walk, files, use_cache=use_cache))
    function_routes, found = netlify_functions(root, toml, files, use_cache=use_cache)
    problems.extend(found)
    problems.extend(functions_folder_problems(root, toml))
    problems.extend(walk.problems)
    files.extend(installs.files)

    if not next_routes and not function_routes and not depends_on_next(root):
        sites = sites_below(root)
        if sites:
            raise NotASiteError(str(given), sites)
        if not package.present:
            raise NotAProjectError(
                f"{root} is not a project: it has no package.json, no API routes under pages/api "
                f"and no Netlify functions in {toml.functions_dir}."
            )
    routes = _unique_paths([*next_routes, *function_routes], problems)
    problems.extend(_runtime_problems(decision, package, routes))
    return Project(
        root=root,
        routes=tuple(sorted(routes, key=lambda r: (r.route, r.file))),
        problems=tuple(sorted(set(problems), key=_problem_order)),
        package_manager=package.package_manager,
        dev_script=package.dev_script,
        files=tuple(sorted(set(files))),
        runtime=decision.choice if decision is not None else None,
        site_note=site_note,
    )


def first_look(root: Path) -> Project | None:
    """What opening the screen needs before the routes are known: the site folder, the package
    manager and the dev script, from package.json and netlify.toml alone (no walk, no parse).

    None when only `discover` can tell what the folder is (no package.json depending on Next:
    maybe not a project, or a monorepo root): the caller discovers at once then. Otherwise the
    routes come later, from `discover` off the screen's first frame (50,000 route files take
    seconds)."""
    given = Path(root)
    if not given.is_dir():
        return None
    try:
        site, _toml, site_note = site_folder(given)
    except ConsoleError:
        return None
    package = read_package(site)
    if not package.present or not depends_on_next(site):
        return None
    return Project(
        root=site,
        routes=(),
        problems=(),
        package_manager=package.package_manager,
        dev_script=package.dev_script,
        site_note=site_note,
    )


def _root_dependencies(site: Path, top: Path) -> dict[str, str]:
    """The repository root's package.json dependencies (Netlify merges them with the site's)."""
    if top == site:
        return {}
    data = read_json(top / "package.json")
    return dependencies(data) if isinstance(data, dict) else {}


def _split(toml: NetlifyToml, decision: RuntimeDecision | None) -> bool:
    """NEXT_SPLIT_API_ROUTES from netlify.toml; NR-v4 turns it off before Next 12."""
    if not split_api_routes(dict(toml.environment).get(SPLIT_VARIABLE)):
        return False
    next_version = decision.next.version if decision is not None else None
    return next_version is None or next_version >= (12, 0, 0)


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


def _runtime_problems(
    decision: RuntimeDecision | None, package: PackageInfo, routes: list[Route]
) -> list[Problem]:
    advanced = [
        r.route
        for r in routes
        if r.source is RouteSource.NEXT and r.kind in (RouteKind.BACKGROUND, RouteKind.SCHEDULED)
    ]
    at = package.location(RUNTIME_PACKAGE) or package.location("next") or (1, 1)
    return runtime_problems(decision, advanced, ("package.json", *at))
