"""Which version of a package a site has installed: its lock file, then node_modules.

The nearest lock file between the site folder and the repository root is the one the package
manager (and so Netlify's build) installs from: `package-lock.json` (v1, v2, v3, workspace
`link` entries included), `pnpm-lock.yaml` (an importer per workspace), or `yarn.lock` (v1 and
berry). It is read once per discovery and kept while its size and mtime stay the same.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from console.project.lock_text import clean_pnpm_version, pnpm_versions, yarn_entries
from console.project.source import read_bytes, read_json

# In one folder, the same precedence as the package manager choice (a stray npm lock last).
LOCK_NAMES = ("pnpm-lock.yaml", "yarn.lock", "npm-shrinkwrap.json", "package-lock.json")
MAX_LOCK_BYTES = 64 * 1024 * 1024  # larger lock files are not read (the answer is then a guess)
MAX_LEVELS = 8  # folders looked at above the site for the repository root

_parsed: dict[tuple[str, int, int], Any] = {}


@dataclass(frozen=True)
class Installed:
    """A package version and where it was read, relative to the site (`../../pnpm-lock.yaml`)."""

    version: str
    source: str


def repository_root(site: Path) -> Path:
    """The folder holding `.git` above (or at) the site; without one, the highest workspace root.

    Bounds every upward look: a lock file above the repository belongs to something else.
    """
    chain = [site, *site.parents][: MAX_LEVELS + 1]
    for folder in chain:
        if (folder / ".git").exists():
            return folder
    top = site
    for folder in chain[1:]:
        if (folder / "pnpm-workspace.yaml").is_file() or _declares_workspaces(folder):
            top = folder
    return top


def _declares_workspaces(folder: Path) -> bool:
    data = read_json(folder / "package.json")
    return isinstance(data, dict) and "workspaces" in data


def _relative(site: Path, path: Path) -> str:
    return os.path.relpath(path, site).replace(os.sep, "/")


@dataclass
class Installs:
    """Installed versions for one site; the lock file is parsed on the first question only."""

    site: Path
    top: Path
    files: list[str] = field(default_factory=list)  # what was read, relative to the site
    use_cache: bool = True  # False: parse the lock file even when it is unchanged
    _lock: tuple[Path, Any] | None = None
    _looked: bool = False

    def lock_path(self) -> Path | None:
        lock = self._load()
        return lock[0] if lock else None

    def version(self, name: str, spec: str | None) -> Installed | None:
        """The installed version of `name` (asked for as `spec` in package.json), if known."""
        lock = self._load()
        if lock is not None:
            path, data = lock
            found = _from_lock(path, data, self.site, name, spec)
            if found:
                return Installed(found, _relative(self.site, path))
        return self._from_node_modules(name)

    def _folders(self) -> list[Path]:
        chain = [self.site, *self.site.parents]
        try:
            return chain[: chain.index(self.top) + 1]
        except ValueError:
            return [self.site]

    def _load(self) -> tuple[Path, Any] | None:
        if self._looked:
            return self._lock
        self._looked = True
        for folder in self._folders():
            for name in LOCK_NAMES:
                path = folder / name
                if path.is_file():
                    data = _parse(path, use_cache=self.use_cache)
                    self.files.append(_relative(self.site, path))
                    self._lock = (path, data) if data is not None else None
                    return self._lock
        return None

    def _from_node_modules(self, name: str) -> Installed | None:
        for folder in self._folders():
            manifest = folder / "node_modules" / name / "package.json"
            version = _manifest_version(manifest)
            if version:
                rel = _relative(self.site, manifest)
                self.files.append(rel)
                return Installed(version, rel)
        return None


def _manifest_version(path: Path) -> str | None:
    data = read_json(path)
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) and version else None


def _parse(path: Path, *, use_cache: bool = True) -> Any:
    """The lock file's content (JSON for npm, text for pnpm and yarn), cached by size and mtime."""
    try:
        info = path.stat()
        if info.st_size > MAX_LOCK_BYTES:
            return None
        key = (str(path), info.st_mtime_ns, info.st_size)
        if use_cache and key in _parsed:
            return _parsed[key]
    except OSError:
        return None
    raw = read_bytes(path, MAX_LOCK_BYTES)  # a FIFO or a device named like a lock: not read
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    data: Any = text
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    if len(_parsed) >= 8:
        _parsed.clear()
    _parsed[key] = data
    return data


def _from_lock(path: Path, data: Any, site: Path, name: str, spec: str | None) -> str | None:
    importer = PurePosixPath(_relative(path.parent, site)).as_posix()
    if path.name.endswith(".json"):
        return _npm_version(data, path.parent, importer, name)
    if path.name == "pnpm-lock.yaml" and isinstance(data, str):
        return _pnpm_version(data, path.parent, importer, name)
    if path.name == "yarn.lock" and isinstance(data, str):
        return _yarn_version(data, path.parent, name, spec)
    return None


def _npm_version(data: Any, lock_dir: Path, importer: str, name: str) -> str | None:
    """npm resolves `name` from the importer's node_modules, then each parent's (Node's rule)."""
    if not isinstance(data, dict):
        return None
    packages = data.get("packages")
    if isinstance(packages, dict):
        prefix = "" if importer == "." else importer
        while True:
            key = f"{prefix}/node_modules/{name}" if prefix else f"node_modules/{name}"
            entry = packages.get(key)
            if isinstance(entry, dict):
                return _npm_entry_version(packages, lock_dir, entry)
            if not prefix:
                break
            prefix = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        return None
    dependencies = data.get("dependencies")  # lockfileVersion 1: the root's tree only
    entry = dependencies.get(name) if isinstance(dependencies, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    return version if isinstance(version, str) else None


def _npm_entry_version(
    packages: dict[str, Any], lock_dir: Path, entry: dict[str, Any]
) -> str | None:
    if entry.get("link"):  # a workspace: the entry points at the folder that holds it
        target = entry.get("resolved")
        if not isinstance(target, str):
            return None
        linked = packages.get(target)
        version = linked.get("version") if isinstance(linked, dict) else None
        if isinstance(version, str) and version:
            return version
        return _manifest_version(lock_dir / target / "package.json")
    version = entry.get("version")
    return version if isinstance(version, str) and version else None


def _pnpm_version(text: str, lock_dir: Path, importer: str, name: str) -> str | None:
    written = pnpm_versions(text, importer).get(name)
    if written is None:
        return None
    if written.startswith("link:"):  # a workspace package, relative to the importer
        return _manifest_version(lock_dir / importer / written[5:] / "package.json")
    return clean_pnpm_version(written) or None


def _yarn_version(text: str, lock_dir: Path, name: str, spec: str | None) -> str | None:
    entries = yarn_entries(text)
    ranges = [spec, f"npm:{spec}"] if spec else []
    for wanted in ranges:
        if (name, wanted) in entries:
            return _yarn_entry_version(lock_dir, *entries[(name, wanted)])
    versions = {value for (entry_name, _), value in entries.items() if entry_name == name}
    if len(versions) == 1:  # one resolution for the name: whatever range asked, it is this one
        return _yarn_entry_version(lock_dir, *versions.pop())
    return None


def _yarn_entry_version(lock_dir: Path, version: str | None, resolution: str | None) -> str | None:
    if resolution and "@workspace:" in resolution:  # berry writes 0.0.0-use.local for these
        folder = resolution.split("@workspace:", 1)[1]
        return _manifest_version(lock_dir / folder / "package.json") or version
    return version
