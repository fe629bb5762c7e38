"""Helpers for discovery tests: build small projects on disk from a dict of files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.project.facts_cache import clear

Files = dict[str, str | bytes]


def write_files(root: Path, files: Files) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[Files], Path]:
    """A project with a package.json plus the given files; returns its root."""

    def make(files: Files) -> Path:
        return write_files(tmp_path, {"package.json": '{"name": "t"}', **files})

    return make
