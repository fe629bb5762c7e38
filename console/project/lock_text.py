"""Bounded readers for the two text lock files: pnpm-lock.yaml and yarn.lock (v1 and berry).

Not YAML parsers: each reads exactly the lines its lock file writes for the entries discovery
needs (an importer's dependency versions; a descriptor's version and resolution), and stops
where those entries end, so a 50,000-line lock file costs one pass over its head at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_KEY_VALUE = re.compile(r"^( *)('(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^:'\"#][^:]*?):(?: +(.*))?$")
# pnpm writes these after its `importers:` (or top-level dependencies): nothing we need follows.
_PNPM_STOP = ("packages", "snapshots", "patchedDependencies")
PNPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _mapping_lines(text: str, stop: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path of keys, scalar value) for each `key: value` line of block mappings.

    The path is built from indentation, as YAML nests block mappings. Lines that are not a
    key (sequences, flow collections, comments) are skipped; the walk stops at a top-level key
    in `stop`.
    """
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_VALUE.match(line)
        if match is None:
            continue
        indent = len(match.group(1))
        key = _unquote(match.group(2))
        value = (match.group(3) or "").strip()
        if indent == 0 and key in stop:
            return
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        if value and not value.startswith(("{", "[", "&", "|", ">")):
            yield tuple(k for _, k in stack), _unquote(value)


def pnpm_versions(text: str, importer: str) -> dict[str, str]:
    """Package name -> the version string pnpm recorded for `importer` ("." or "apps/web").

    lockfileVersion 5.x writes `name: 13.4.19_peer-hash`; 6 and 9 write `name:` then
    `version: 14.1.0(react@18.2.0)`. A single-project lock (5.x, 6.x) puts the dependency
    sections at the top level instead of under `importers: {.: ...}`. Versions are returned as
    written (`link:../x` included); `clean_pnpm_version` takes the version out of them.
    """
    found: dict[str, str] = {}
    for path, value in _mapping_lines(text, _PNPM_STOP):
        if path[0] == "importers":
            if len(path) < 4 or path[1] != importer:
                continue
            rest = path[2:]
        elif importer == ".":
            rest = path
        else:
            continue
        if rest[0] not in PNPM_SECTIONS or len(rest) < 2:
            continue
        # 5.x writes `name: version`; 6 and 9 `name:` then `version: ...` one level down
        if len(rest) == 2 or (len(rest) == 3 and rest[2] == "version"):
            found.setdefault(rest[1], value)
    return found


def clean_pnpm_version(written: str) -> str:
    """`14.1.0(react@18.2.0)` and `13.4.19_react@18.2.0` -> the version; `/next/14.1.0` too."""
    version = written.split("(", 1)[0]
    if version.startswith("/"):  # an old-style dependency path: /name/version or /name@version
        version = re.split(r"[/@]", version.rstrip("/"))[-1]
    return version.split("_", 1)[0]


def yarn_entries(text: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(package name, range as written) -> (version, resolution), for yarn.lock v1 and berry.

    Both write one entry per resolved package: an unindented header listing the descriptors
    (`"next@^14.1.0", next@14.1.0:`, or berry's `"next@npm:^14.1.0, next@npm:14.1.0":`), then
    two-space fields: `version "14.1.0"` (v1) or `version: 14.1.0` and `resolution: ...` (berry).
    """
    entries: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    descriptors: list[tuple[str, str]] = []
    version: str | None = None
    resolution: str | None = None

    def flush() -> None:
        for descriptor in descriptors:
            entries.setdefault(descriptor, (version, resolution))

    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            flush()
            descriptors = _descriptors(line.rstrip().rstrip(":"))
            version = resolution = None
            continue
        if not line.startswith("  ") or line.startswith("   ") or not descriptors:
            continue
        field, _, value = line.strip().partition(" ")
        field = field.rstrip(":")
        if field == "version":
            version = _unquote(value)
        elif field == "resolution":
            resolution = _unquote(value)
    flush()
    return entries


def _descriptors(header: str) -> list[tuple[str, str]]:
    found = []
    for part in header.split(","):
        descriptor = part.strip().strip("\"'")  # berry quotes the whole header, v1 each part
        at = descriptor.find("@", 1)  # a scoped name starts with its own @
        if at > 0:
            found.append((descriptor[:at], descriptor[at + 1 :]))
    return found
