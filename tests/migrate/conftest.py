"""Projects to migrate: copies of the example site and of the small projects in projects/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from console.project.facts_cache import clear

HERE = Path(__file__).resolve().parent
ACME = HERE.parents[1] / "examples" / "acme"
PROJECTS = HERE / "projects"
_NOT_COPIED = shutil.ignore_patterns("node_modules", ".next", ".console", ".netlify")

Copy = Callable[[str], Path]


def source_of(name: str) -> Path:
    return ACME if name == "acme" else PROJECTS / name


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under root (node_modules aside), relative with "/", with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "node_modules" not in p.relative_to(root).parts
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear()


@pytest.fixture
def copy_project(tmp_path: Path) -> Copy:
    """A copy of `acme` or of projects/<name> in tmp_path (without node_modules)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(source_of(name), target, ignore=_NOT_COPIED)
        return target

    return copy
