"""netlify.toml: the functions folder and the schedules set there, with their positions."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from console.model import Problem, Severity
from console.project.source import Source, read_source

DEFAULT_FUNCTIONS_DIR = "netlify/functions"


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


def read_netlify_toml(root: Path) -> NetlifyToml:
    path = root / "netlify.toml"
    if not path.is_file():
        return NetlifyToml()
    source = read_source(path, "netlify.toml")
    if isinstance(source, Problem):
        return NetlifyToml(problems=(source,), present=True, files=("netlify.toml",))
    try:
        data = tomllib.loads(source.data.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError as exc:
        return NetlifyToml(problems=(_toml_error(exc),), present=True, files=("netlify.toml",))
    except RecursionError:  # tomllib recurses per nested array or table: `a = [[[[...`
        problem = Problem(
            "netlify.toml", 1, 1, Severity.ERROR, "syntax-error",
            "netlify.toml nests arrays or tables too deeply to be read",
        )  # fmt: skip
        return NetlifyToml(problems=(problem,), present=True, files=("netlify.toml",))
    functions = data.get("functions")
    functions = functions if isinstance(functions, dict) else {}
    build = data.get("build")
    build = build if isinstance(build, dict) else {}
    directory = functions.get("directory") or build.get("functions") or DEFAULT_FUNCTIONS_DIR
    if not isinstance(directory, str):
        directory = DEFAULT_FUNCTIONS_DIR
    schedules: list[TomlSchedule] = []
    for pattern, settings in functions.items():
        if not isinstance(settings, dict) or "schedule" not in settings:
            continue
        value = settings["schedule"]
        text = value if isinstance(value, str) else str(value)
        line, column = _locate_schedule(source, pattern, text)
        schedules.append(TomlSchedule(pattern, text, line, column))
    return NetlifyToml(directory.strip("/") or ".", tuple(schedules), (), True, ("netlify.toml",))


def _toml_error(exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "invalid TOML"
    return Problem(
        "netlify.toml",
        line,
        column,
        Severity.ERROR,
        "syntax-error",
        f"netlify.toml does not parse ({reason}): the build would fail on it",
    )


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_SCHEDULE_KEY = re.compile(r"^\s*schedule\s*=\s*")


def _header_path(text: str) -> list[str]:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s]+)', text)
    return [a or b or c for a, b, c in parts]


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
