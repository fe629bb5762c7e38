"""Next.js API routes (`pages/api/**`) and App Router handlers, found as Next.js finds them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from console.model import Problem, Route, RouteKind, RouteSource, Severity
from console.project.analysis import FileFacts, analyse_app_route, analyse_next_route
from console.project.facts_cache import analysed
from console.project.naming import page_route, served_by
from console.project.walk import Walk


@dataclass(frozen=True)
class _PageFile:
    path: str
    rel: str  # relative to the project
    route: str
    extension_rank: int  # position of its extension in pageExtensions
    is_index: bool


def pages_dir(root: Path) -> Path | None:
    """`pages/`, or `src/pages/` when there is no root `pages/` (Next ignores src then)."""
    for candidate in (root / "pages", root / "src" / "pages"):
        if candidate.is_dir():
            return candidate
    return None


def app_dir(root: Path) -> Path | None:
    for candidate in (root / "app", root / "src" / "app"):
        if candidate.is_dir():
            return candidate
    return None


def next_api_routes(
    root: Path,
    extensions: tuple[str, ...],
    walk: Walk,
    files: list[str],
    *,
    use_cache: bool,
    split: bool = False,
    v5: bool = False,
) -> tuple[list[Route], list[Problem]]:
    """The API routes, each with the function that serves it (`split`: NEXT_SPLIT_API_ROUTES)."""
    pages = pages_dir(root)
    if pages is None:
        return [], []
    by_route: dict[str, list[_PageFile]] = {}
    for page in _page_files(root, pages, extensions, walk):
        by_route.setdefault(page.route, []).append(page)
    routes: list[Route] = []
    problems: list[Problem] = []
    for route_path, candidates in by_route.items():
        # NR-v4 `getSourceFileForPage` reads the config from the first of, for each extension
        # in order, `<page>.<ext>` then `<page>/index.<ext>`.
        candidates.sort(key=lambda p: (p.extension_rank, p.is_index, p.rel))
        chosen = candidates[0]
        for other in candidates[1:]:
            problems.append(
                Problem(
                    other.rel,
                    1,
                    1,
                    Severity.WARNING,
                    "duplicate-route",
                    f"Duplicate page detected. {chosen.rel} and {other.rel} both resolve to "
                    f"{route_path}. The platform reads the config of {chosen.rel} only.",
                )
            )
        files.extend(p.rel for p in candidates)
        result = analysed(
            chosen.path,
            chosen.rel,
            ("next", route_path == "/api"),
            partial(analyse_next_route, index_route=route_path == "/api"),
            use_cache=use_cache,
        )
        if isinstance(result, Problem):
            problems.append(result)
            result = FileFacts(RouteKind.API, None, 1, ())
        problems.extend(result.problems)
        function, placement, alone = served_by(
            route_path, result.kind, edge=result.edge, split=split, v5=v5
        )
        routes.append(
            Route(
                route_path,
                result.kind,
                result.schedule,
                chosen.rel,
                result.line,
                function,
                RouteSource.NEXT,
                placement,
                alone,
            )
        )
    return routes, problems


def _page_files(
    root: Path, pages: Path, extensions: tuple[str, ...], walk: Walk
) -> list[_PageFile]:
    found: list[tuple[str, str]] = []
    api = pages / "api"
    if api.is_dir():
        found.extend(walk.files(api))
    for ext in extensions:  # `pages/api.ts` is the route /api too
        single = pages / f"api.{ext}"
        if single.is_file():
            found.append((str(single), single.relative_to(root).as_posix()))
    pages_rel = pages.relative_to(root).as_posix()
    result: list[_PageFile] = []
    for path, rel in found:
        in_pages = rel[len(pages_rel) + 1 :]
        route = page_route(in_pages, extensions)
        if route is None or not (route == "/api" or route.startswith("/api/")):
            continue
        rank = _extension_rank(in_pages, extensions)
        stem_is_index = in_pages.rsplit("/", 1)[-1].startswith("index.")
        result.append(_PageFile(path, rel, route, rank, stem_is_index))
    return result


def _extension_rank(name: str, extensions: tuple[str, ...]) -> int:
    matching = [ext for ext in extensions if name.endswith("." + ext)]
    longest = max(matching, key=len)
    return extensions.index(longest)


def app_route_problems(
    root: Path, extensions: tuple[str, ...], walk: Walk, files: list[str], *, use_cache: bool
) -> list[Problem]:
    """App Router handlers (`app/**/route.*`) that ask to be background or scheduled."""
    app = app_dir(root)
    if app is None:
        return []
    names = {f"route.{ext}" for ext in extensions}
    problems: list[Problem] = []
    for path, rel in walk.files(app):
        if rel.rsplit("/", 1)[-1] not in names:
            continue
        files.append(rel)
        result = analysed(path, rel, ("app",), analyse_app_route, use_cache=use_cache)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            problems.extend(result)
    return problems
