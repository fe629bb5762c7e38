"""Netlify functions in the functions folder, found as zip-it-and-ship-it finds them."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from console.model import Problem, Route, RouteKind, RouteSource, Severity
from console.project.analysis import FileFacts
from console.project.cron_check import cron_problems
from console.project.facts_cache import analysed
from console.project.function_file import analyse_function
from console.project.netlify_toml import NetlifyToml, TomlSchedule

# zip-it-and-ship-it's Node.js runtime: extensions in order of precedence for one name, and the
# main files it looks for in a function's own folder, in order.
EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
_MAIN_FILES = (".js", ".ts", ".mjs", ".cjs", ".tsx", ".mts", ".cts")


@dataclass(frozen=True)
class _FunctionFile:
    name: str
    path: Path
    rel: str
    is_folder: bool
    rank: int


def functions_dir(root: Path, toml: NetlifyToml) -> Path:
    return root / toml.functions_dir


def netlify_functions(
    root: Path, toml: NetlifyToml, files: list[str], *, use_cache: bool
) -> tuple[list[Route], list[Problem]]:
    folder = functions_dir(root, toml)
    problems: list[Problem] = []
    for entry in toml.schedules:
        problems.extend(
            cron_problems(
                entry.schedule,
                toml.label,
                entry.line,
                entry.column,
                toml_key=f'functions."{entry.pattern}".schedule',
            )
        )
    candidates: dict[str, list[_FunctionFile]] = {}
    for found in _function_files(root, folder, problems):
        candidates.setdefault(found.name, []).append(found)
    routes: list[Route] = []
    used_patterns: set[str] = set()
    for name, options in sorted(candidates.items()):
        # A function's own folder wins over a file of the same name, then extension order.
        options.sort(key=lambda f: (not f.is_folder, f.rank))
        chosen = options[0]
        for other in options[1:]:
            problems.append(
                Problem(
                    other.rel,
                    1,
                    1,
                    Severity.WARNING,
                    "duplicate-route",
                    f"Two functions are named {name}: {chosen.rel} and {other.rel}. "
                    f"The platform deploys {chosen.rel} only.",
                )
            )
        files.extend(f.rel for f in options)
        toml_entry = _toml_schedule(name, toml.schedules)
        toml_schedule = toml_entry.schedule if toml_entry else None
        if toml_entry is not None:
            used_patterns.add(toml_entry.pattern)
        result = analysed(
            chosen.path,
            chosen.rel,
            ("function", name, toml_schedule),
            partial(analyse_function, name=name, toml_schedule=toml_schedule),
            use_cache=use_cache,
        )
        if isinstance(result, Problem):
            problems.append(result)
            kind = RouteKind.SCHEDULED if toml_schedule else _name_kind(name)
            result = FileFacts(kind, toml_schedule, 1, ())
        problems.extend(result.problems)
        routes.append(
            Route(
                result.path or f"/.netlify/functions/{name}",
                result.kind,
                result.schedule,
                chosen.rel,
                result.line,
                name,
                RouteSource.FUNCTION,
            )
        )
    for entry in toml.schedules:
        if entry.pattern not in used_patterns:
            problems.append(
                Problem(
                    toml.label,
                    entry.line,
                    entry.column,
                    Severity.WARNING,
                    "config-ignored",
                    f'{toml.label} schedules functions."{entry.pattern}", but no function in '
                    f"{toml.functions_dir} has that name: nothing will be scheduled",
                )
            )
    return routes, problems


def _name_kind(name: str) -> RouteKind:
    return RouteKind.BACKGROUND if name.endswith("-background") else RouteKind.API


def _toml_schedule(name: str, schedules: tuple[TomlSchedule, ...]) -> TomlSchedule | None:
    """netlify.toml's schedule for a function: its own table first, then the first glob."""
    for entry in schedules:
        if entry.pattern == name:
            return entry
    for entry in schedules:
        if any(c in entry.pattern for c in "*?[") and fnmatch.fnmatchcase(name, entry.pattern):
            return entry
    return None


def _function_files(root: Path, folder: Path, problems: list[Problem]) -> list[_FunctionFile]:
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        rel = folder.relative_to(root).as_posix()
        problems.append(
            Problem(
                rel,
                1,
                1,
                Severity.WARNING,
                "not-read",
                f"the functions folder {rel} could not be read: {exc.strerror or 'error'}",
            )
        )
        return []
    found: list[_FunctionFile] = []
    for entry in entries:
        if entry.name == "node_modules":
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            main = _main_file(path)
            if main is not None:
                rel = main.relative_to(root).as_posix()
                found.append(_FunctionFile(entry.name, main, rel, True, 0))
            continue
        stem, ext = os.path.splitext(entry.name)
        if ext not in EXTENSIONS or entry.name.endswith(".d.ts"):
            continue
        rel = path.relative_to(root).as_posix()
        found.append(_FunctionFile(stem, path, rel, False, EXTENSIONS.index(ext)))
    return found


def _main_file(folder: Path) -> Path | None:
    """`<name>/<name>.<ext>` or `<name>/index.<ext>`, in zip-it-and-ship-it's order."""
    for ext in _MAIN_FILES:
        for stem in (folder.name, "index"):
            candidate = folder / f"{stem}{ext}"
            if candidate.is_file():
                return candidate
    return None


# Folders people put functions in by mistake: Netlify deploys only the configured one
# (`[functions] directory`, else netlify/functions).
LIKELY_FOLDERS = ("netlify/functions", "src/netlify/functions")


def functions_folder_problems(root: Path, toml: NetlifyToml) -> list[Problem]:
    """A configured functions folder that is missing, and functions in a folder not deployed."""
    problems: list[Problem] = []
    configured = toml.functions_dir
    if toml.functions_dir_at is not None and not (root / configured).is_dir():
        line, column = toml.functions_dir_at
        problems.append(
            Problem(
                toml.label,
                line,
                column,
                Severity.WARNING,
                "functions-folder",
                f"{toml.label} sets the functions folder to {configured}, which is not in the "
                "source (made by the build?): its functions cannot be seen before the build",
            )
        )
    for folder in LIKELY_FOLDERS:
        if folder == configured or not (root / folder).is_dir():
            continue
        names = _function_names(root / folder)
        if not names:
            continue
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        where = (
            f"{toml.label} sets the functions folder to {configured}"
            if toml.functions_dir_at is not None
            else f"Netlify deploys {configured} unless netlify.toml says `[functions] directory`"
        )
        problems.append(
            Problem(
                f"{folder}/{names[0]}",
                1,
                1,
                Severity.WARNING,
                "functions-folder",
                f"{folder} holds functions ({shown}) that Netlify will not deploy: {where}",
            )
        )
    return problems


def _function_names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as it:
            return sorted(
                e.name
                for e in it
                if os.path.splitext(e.name)[1] in EXTENSIONS and not e.name.endswith(".d.ts")
            )
    except OSError:
        return []
