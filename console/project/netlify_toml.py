"""netlify.toml: the functions folder and the schedules set there, with their positions."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from console.model import Problem, Severity
from console.project.source import Source, read_source

DEFAULT_FUNCTIONS_DIR = "netlify/functions"

# The keys of a `[functions."name"]` table @netlify/config knows (`functions_config.js`
# FUNCTION_CONFIG_PROPERTIES). Others are neither validated nor passed on to the bundler
# (`plugins_core/functions/zisi.ts` normalizeFunctionConfig): silently ignored.
FUNCTION_KEYS = frozenset(
    {
        "deno_import_map",
        "directory",
        "external_node_modules",
        "ignored_node_modules",
        "included_files",
        "memory",
        "node_bundler",
        "region",
        "schedule",
        "vcpu",
    }
)


@dataclass(frozen=True)
class TomlPlugin:
    """A `[[plugins]]` entry: the package and the `pinned_version` it may carry."""

    package: str
    pinned_version: str | None = None


@dataclass(frozen=True)
class TomlSchedule:
    """`[functions."<pattern>"] schedule = "<cron>"`, with the 1-based position of the value."""

    pattern: str
    schedule: str
    line: int
    column: int


@dataclass(frozen=True)
class NetlifyToml:
    functions_dir: str = DEFAULT_FUNCTIONS_DIR
    schedules: tuple[TomlSchedule, ...] = ()
    problems: tuple[Problem, ...] = ()
    present: bool = False
    files: tuple[str, ...] = field(default=())
    label: str = "netlify.toml"  # the file, relative to the site (`../../netlify.toml`)
    plugins: tuple[TomlPlugin, ...] = ()
    base: str | None = None  # `[build] base`
    environment: tuple[tuple[str, str], ...] = ()  # [build.environment], production context on top
    functions_dir_at: tuple[int, int] | None = None  # where the folder is set, when it is


def read_netlify_toml(
    root: Path, path: Path | None = None, label: str = "netlify.toml"
) -> NetlifyToml:
    """The site's netlify.toml (or `path`, a monorepo root's, named `label` in problems)."""
    path = path or root / "netlify.toml"
    if not path.is_file():
        return NetlifyToml()
    files = (label,)
    source = read_source(path, label)
    if isinstance(source, Problem):
        return NetlifyToml(problems=(source,), present=True, files=files, label=label)
    try:
        data = tomllib.loads(source.data.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError as exc:
        problem = _toml_error(exc, label)
        return NetlifyToml(problems=(problem,), present=True, files=files, label=label)
    except RecursionError:  # tomllib recurses per nested array or table: `a = [[[[...`
        problem = Problem(
            label, 1, 1, Severity.ERROR, "syntax-error",
            f"{label} nests arrays or tables too deeply to be read",
        )  # fmt: skip
        return NetlifyToml(problems=(problem,), present=True, files=files, label=label)
    functions = data.get("functions")
    functions = functions if isinstance(functions, dict) else {}
    build = data.get("build")
    build = build if isinstance(build, dict) else {}
    set_dir = functions.get("directory") or build.get("functions")
    directory = (
        set_dir if isinstance(set_dir, str) and set_dir.strip("/") else DEFAULT_FUNCTIONS_DIR
    )
    directory_at = None
    if directory is set_dir:
        directory_at = _locate_key(source, ("functions",), "directory") or _locate_key(
            source, ("build",), "functions"
        )
    schedules: list[TomlSchedule] = []
    problems: list[Problem] = []
    for pattern, settings in functions.items():
        if not isinstance(settings, dict):
            if pattern not in FUNCTION_KEYS:
                problems.append(_not_a_table(source, pattern))
            continue
        problems.extend(_unknown_keys(source, pattern, settings))
        if "schedule" not in settings:
            continue
        value = settings["schedule"]
        text = value if isinstance(value, str) else str(value)
        line, column = _locate_schedule(source, pattern, text)
        schedules.append(TomlSchedule(pattern, text, line, column))
    base = build.get("base")
    return NetlifyToml(
        directory.strip("/") or ".",
        tuple(schedules),
        tuple(problems),
        True,
        files,
        label,
        _plugins(data.get("plugins")),
        base.strip() if isinstance(base, str) and base.strip() else None,
        _environment(data),
        directory_at or (1, 1) if directory is set_dir else None,
    )


def _plugins(value: object) -> tuple[TomlPlugin, ...]:
    if not isinstance(value, list):
        return ()
    found = []
    for entry in value:
        if isinstance(entry, dict) and isinstance(entry.get("package"), str):
            pinned = entry.get("pinned_version")
            found.append(TomlPlugin(entry["package"], pinned if isinstance(pinned, str) else None))
    return tuple(found)


def _environment(data: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """`[build.environment]`, then `[context.production.environment]` over it (production)."""
    merged: dict[str, str] = {}
    build = data.get("build")
    context = data.get("context")
    production = context.get("production") if isinstance(context, dict) else None
    for table in (build, production):
        env = table.get("environment") if isinstance(table, dict) else None
        if isinstance(env, dict):
            merged.update({str(k): str(v) for k, v in env.items()})
    return tuple(sorted(merged.items()))


def _not_a_table(source: Source, key: str) -> Problem:
    """`[functions] timeout = 26`: @netlify/config takes an unknown key there for a function's
    name (`functions_config.js` normalizeFunctionsProp), and `functions.*` must be an object."""
    line, column = _locate_key(source, ("functions",), key) or (1, 1)
    return Problem(
        source.rel,
        line,
        column,
        Severity.ERROR,
        "invalid-config",
        f"Configuration property functions.{key} must be an object: `{key}` is not a function "
        "setting, so netlify/build reads it as the name of a function, and the build fails",
    )


def _unknown_keys(source: Source, pattern: str, settings: dict[str, object]) -> list[Problem]:
    problems = []
    for key, value in settings.items():
        if key in FUNCTION_KEYS:
            wrong = _wrong_value(key, value)
            if wrong:
                line, column = _locate_key(source, ("functions", pattern), key) or (1, 1)
                problems.append(
                    Problem(
                        source.rel,
                        line,
                        column,
                        Severity.ERROR,
                        "invalid-config",
                        f'Configuration property functions."{pattern}".{key} {wrong}: '
                        "the build fails on it",
                    )
                )
            continue
        line, column = _locate_key(source, ("functions", pattern), key) or (1, 1)
        problems.append(
            Problem(
                source.rel,
                line,
                column,
                Severity.WARNING,
                "config-ignored",
                f'functions."{pattern}".{key} is not a function setting netlify/build knows: '
                "it is not rejected, it is silently ignored"
                + (
                    " (the time limit is not set here: it follows the function's kind)"
                    if key == "timeout"
                    else ""
                ),
            )
        )
    return problems


BUNDLERS = ("esbuild", "nft", "zisi", "none")


def _wrong_value(key: str, value: object) -> str | None:
    """@netlify/config's own check of a function setting (`validate/validations.js`), failed."""
    if key in ("external_node_modules", "ignored_node_modules", "included_files"):
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return "must be an array of strings."
    elif key == "node_bundler" and value not in BUNDLERS:
        return f"must be one of: {', '.join(BUNDLERS)}"
    elif key == "memory" and (isinstance(value, bool) or not isinstance(value, int | float | str)):
        return 'must be a number (in MB) or a string with a unit (e.g. "2gb").'
    elif key == "region" and not isinstance(value, str):
        return "must be a string."
    elif key == "vcpu" and (
        isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 2
    ):
        return "must be a number between 0.5 and 2."
    return None


def _toml_error(exc: tomllib.TOMLDecodeError, label: str) -> Problem:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "invalid TOML"
    return Problem(
        label,
        line,
        column,
        Severity.ERROR,
        "syntax-error",
        f"{label} does not parse ({reason}): the build would fail on it",
    )


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_SCHEDULE_KEY = re.compile(r"^\s*schedule\s*=\s*")


def _header_path(text: str) -> list[str]:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s]+)', text)
    return [a or b or c for a, b, c in parts]


def _locate_key(source: Source, table: tuple[str, ...], key: str) -> tuple[int, int] | None:
    """Where `key = ...` is written inside the `[table]` header's table, 1-based."""
    lines = source.data.decode("utf-8", "replace").splitlines()
    in_table = False
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("["):
            header = _HEADER.match(line)
            in_table = header is not None and tuple(_header_path(header.group(1))) == table
            continue
        if in_table and pattern.match(line):
            return number, len(line) - len(line.lstrip()) + 1
    return None


def _locate_schedule(source: Source, pattern: str, schedule: str) -> tuple[int, int]:
    """Where the schedule of `pattern` is written: its table's `schedule =` line, or the value."""
    lines = source.data.decode("utf-8", "replace").splitlines()
    in_table = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("["):
            header = _HEADER.match(line)
            in_table = header is not None and _header_path(header.group(1)) == [
                "functions",
                pattern,
            ]
            continue
        key = _SCHEDULE_KEY.match(line)
        if in_table and key:
            return number, key.end() + 1
    # Dotted keys or inline tables: the first mention of the value after the name.
    started = False
    for number, line in enumerate(lines, start=1):
        started = started or pattern in line
        if started and schedule in line:
            return number, line.index(schedule) + 1
    return 1, 1
