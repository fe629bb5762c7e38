"""Listing a folder tree: symlinks followed, loops cut, unreadable folders reported, not fatal."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from console.model import Problem, Severity


@dataclass
class Walk:
    """Files under a folder, as paths relative to the project root (with `/`)."""

    root: Path
    problems: list[Problem] = field(default_factory=list)

    def files(self, start: Path) -> Iterator[tuple[str, str]]:
        """(path, relative) for every file under `start`, sorted per folder, loops cut."""
        seen: set[tuple[int, int]] = set()
        yield from self._folder(str(start), self._rel(start), seen)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _folder(
        self, folder: str, rel: str, seen: set[tuple[int, int]]
    ) -> Iterator[tuple[str, str]]:
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in seen:  # a symlink back up the tree: visited already, stop here
                return
            seen.add(key)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(
                Problem(
                    rel,
                    1,
                    1,
                    Severity.WARNING,
                    "not-read",
                    f"the folder {rel} could not be read: {exc.strerror or type(exc).__name__}",
                )
            )
            return
        for entry in entries:
            child_rel = f"{rel}/{entry.name}"
            try:
                is_dir = entry.is_dir()  # follows symlinks
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                yield from self._folder(entry.path, child_rel, seen)
            elif is_file:
                yield entry.path, child_rel
