"""package.json and lock files: the package manager, the dev script, the Next runtime version."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.model import Problem, Severity
from console.project.source import Source, read_source

RUNTIME_PACKAGE = "@netlify/plugin-nextjs"
MIGRATION_LINK = "https://ntl.fyi/next-scheduled-bg-function-migration"

# The first lock file found tells the package manager. npm's lock file comes last: it is the
# one most often left behind by a stray `npm install` in a pnpm or yarn project.
_LOCK_FILES = (
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
)


@dataclass(frozen=True)
class PackageInfo:
    present: bool = False
    package_manager: str = "npm"
    dev_script: str | None = None
    problems: tuple[Problem, ...] = ()
    # dependencies, devDependencies and optionalDependencies, the first section naming one wins
    dependencies: tuple[tuple[str, str], ...] = ()
    locations: tuple[tuple[str, int, int], ...] = ()  # (name, line, column) of the runtime deps

    def spec(self, name: str) -> str | None:
        return dict(self.dependencies).get(name)

    def location(self, name: str) -> tuple[int, int] | None:
        for entry, line, column in self.locations:
            if entry == name:
                return line, column
        return None


def dependencies(data: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict):
            for name, spec in deps.items():
                if isinstance(spec, str):
                    found.setdefault(name, spec)
    return found


def read_package(root: Path) -> PackageInfo:
    manager = _package_manager(root)
    path = root / "package.json"
    if not path.is_file():
        return PackageInfo(package_manager=manager)
    source = read_source(path, "package.json")
    if isinstance(source, Problem):
        return PackageInfo(True, manager, problems=(source,))
    try:
        data: Any = json.loads(source.data.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        problem = Problem(
            "package.json",
            exc.lineno,
            exc.colno,
            Severity.ERROR,
            "syntax-error",
            f"package.json does not parse ({exc.msg}): npm and the build would fail on it",
        )
        return PackageInfo(True, manager, problems=(problem,))
    if not isinstance(data, dict):
        return PackageInfo(True, manager)
    manager = _declared_manager(data, manager, root)
    scripts = data.get("scripts")
    dev = scripts.get("dev") if isinstance(scripts, dict) else None
    deps = dependencies(data)
    locations = tuple(
        (name, *_locate(source, name)) for name in (RUNTIME_PACKAGE, "next") if name in deps
    )
    return PackageInfo(
        True, manager, dev if isinstance(dev, str) else None, (), tuple(deps.items()), locations
    )


def _package_manager(root: Path) -> str:
    for name, manager in _LOCK_FILES:
        if (root / name).is_file():
            return manager
    return "npm"


def _declared_manager(data: dict[str, Any], manager: str, root: Path) -> str:
    """`packageManager` ("pnpm@8.6.0") speaks only when no lock file does."""
    if any((root / name).is_file() for name, _ in _LOCK_FILES):
        return manager
    declared = data.get("packageManager")
    if isinstance(declared, str):
        name = declared.split("@", 1)[0]
        if name in ("npm", "pnpm", "yarn", "bun"):
            return name
    return manager


def asks_for_v5(spec: str) -> bool:
    """True when a version range lets npm install 5.x or later (`^5.0.0`, `>=4`, `latest`).

    Approximate on purpose: the highest major any comparator allows, where `<5` allows 4
    and an open `>`/`>=` with no upper bound allows anything.
    """
    spec = spec.strip()
    if spec in ("*", "latest", "x", "next"):
        return True
    if spec.startswith(("file:", "link:", "git", "http", "github:", "workspace:")):
        return False
    if spec.startswith("npm:"):
        spec = spec.rsplit("@", 1)[-1]
    for alternative in spec.split("||"):
        comparators = re.findall(
            r"(<=|>=|<|>|=|\^|~)?\s*v?(\d+|[xX*])((?:\.[\dxX*]+)*)", alternative
        )
        if not comparators:
            continue
        highest = -1
        bounded = any(op in ("<", "<=") for op, _, _ in comparators)
        for op, major_text, rest in comparators:
            if not major_text.isdigit():
                highest = max(highest, 10**6)
                continue
            major = int(major_text)
            if op == "<" and re.fullmatch(r"(\.0)*", rest):
                major -= 1
            if op in (">", ">=") and not bounded:
                major = 10**6
            highest = max(highest, major)
        if highest >= 5:
            return True
    return False


def _locate(source: Source, name: str) -> tuple[int, int]:
    offset = source.data.find(f'"{name}"'.encode())
    if offset < 0:
        return 1, 1
    return source.position_of_offset(offset)
