"""Which folder is the site: `[build] base` in a root netlify.toml, or the sites below a monorepo.

Netlify builds the base folder when netlify.toml sets `[build] base`, and reads the base's own
netlify.toml first, then the repository root's (@netlify/config `path.ts` getConfigPath); paths
in the file are relative to the base.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from console.project.netlify_toml import NetlifyToml, read_netlify_toml
from console.project.source import read_json

MAX_DEPTH = 3  # apps/web, packages/sites/docs: deeper than this is not a site layout
MAX_FOLDERS = 2000  # folders looked at below a root, at most
SKIPPED = {"node_modules", "dist", "build", "out"}


def site_folder(root: Path) -> tuple[Path, NetlifyToml, str | None]:
    """(site folder, its netlify.toml, a note saying how it was found when not `root`)."""
    toml = read_netlify_toml(root)
    base = toml.base
    if base is None or base.strip("/") in ("", "."):
        return root, toml, None
    site = root / base.strip("/")
    if not site.is_dir() or site.resolve() == root.resolve():
        return root, toml, None
    note = f"site: {base.strip('/')} ([build] base in netlify.toml)"
    if (site / "netlify.toml").is_file():
        return site, read_netlify_toml(site), note
    label = os.path.relpath(root / "netlify.toml", site).replace(os.sep, "/")
    return site, read_netlify_toml(site, root / "netlify.toml", label), note


def depends_on_next(folder: Path) -> bool:
    data = read_json(folder / "package.json")
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(data.get(section), dict) and "next" in data[section]
        for section in ("dependencies", "devDependencies")
    )


def sites_below(root: Path) -> tuple[str, ...]:
    """Folders under `root` that are sites: a package.json depending on `next`, or a netlify.toml.

    Breadth first, at most MAX_DEPTH levels and MAX_FOLDERS folders; node_modules, build output
    and dot folders are skipped, and a site's own subfolders are not searched.
    """
    found: list[str] = []
    queue: deque[tuple[Path, int]] = deque([(root, 0)])
    visited = 0
    while queue and visited < MAX_FOLDERS:
        folder, depth = queue.popleft()
        visited += 1
        if depth > 0 and ((folder / "netlify.toml").is_file() or depends_on_next(folder)):
            found.append(folder.relative_to(root).as_posix())
            continue
        if depth >= MAX_DEPTH:
            continue
        try:
            with os.scandir(folder) as it:
                children = sorted(
                    e.name
                    for e in it
                    if e.is_dir(follow_symlinks=False)
                    and not e.name.startswith(".")
                    and e.name not in SKIPPED
                )
        except OSError:
            continue
        queue.extend((folder / name, depth + 1) for name in children)
    return tuple(sorted(found))
