"""Just enough of semver for the runtime rules: versions, exact specs, and what a range allows."""

from __future__ import annotations

import re

Version = tuple[int, int, int]
UNBOUNDED = 10**6

_VERSION = re.compile(r"^\s*=?\s*v?(\d+)\.(\d+)\.(\d+)")
_EXACT = re.compile(r"^\s*=?\s*v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?\s*$")


def parse_version(text: str) -> Version | None:
    """`13.4.19`, `14.1.0-canary.3` -> (major, minor, patch); anything else None."""
    match = _VERSION.match(text)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def is_exact(spec: str) -> bool:
    """A package.json spec that names one version (`13.4.19`), as `semver.clean` accepts it."""
    return _EXACT.match(spec) is not None


def range_ceiling(spec: str) -> Version:
    """The highest version a fresh install of `spec` could get, roughly (a guess, by design).

    `^14.1.0` -> (14, inf, inf), `~13.4.0` -> (13, 4, inf), `13.x` -> (13, inf, inf),
    `>=12`, `*`, `latest` -> unbounded; alternatives (`||`) take the highest.
    """
    best: Version = (-1, -1, -1)
    for alternative in spec.split("||"):
        best = max(best, _ceiling(alternative.strip()))
    return best


def _ceiling(spec: str) -> Version:
    if spec in ("", "*", "x", "X", "latest", "next", "canary"):
        return (UNBOUNDED, UNBOUNDED, UNBOUNDED)
    upper = re.search(r"<(=?)\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", spec)
    if upper:
        top = [int(p) if p else 0 for p in upper.group(2, 3, 4)]
        if upper.group(1):
            return (top[0], top[1], top[2])
        if top[2]:
            return (top[0], top[1], top[2] - 1)
        if top[1]:
            return (top[0], top[1] - 1, UNBOUNDED)
        return (top[0] - 1, UNBOUNDED, UNBOUNDED)
    if re.match(r"^(>|>=)", spec):
        return (UNBOUNDED, UNBOUNDED, UNBOUNDED)
    match = re.match(r"^(\^|~)?\s*=?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?", spec)
    if not match:
        return (UNBOUNDED, UNBOUNDED, UNBOUNDED)
    op = match.group(1)
    raw = [match.group(2), match.group(3), match.group(4)]
    numbers = [int(p) if p and p.isdigit() else None for p in raw]
    major, minor, patch = numbers
    if major is None:
        return (UNBOUNDED, UNBOUNDED, UNBOUNDED)
    if op == "^":
        if major > 0 or minor is None:
            return (major, UNBOUNDED, UNBOUNDED)
        if minor > 0 or patch is None:
            return (0, minor, UNBOUNDED)
        return (0, 0, patch)
    if op == "~":
        return (major, minor, UNBOUNDED) if minor is not None else (major, UNBOUNDED, UNBOUNDED)
    if minor is None:
        return (major, UNBOUNDED, UNBOUNDED)
    if patch is None:
        return (major, minor, UNBOUNDED)
    return (major, minor, patch)


def range_floor(spec: str) -> Version | None:
    """The lowest version `spec` allows (`^5.15.0` -> (5, 15, 0)); None when it cannot say."""
    spec = spec.strip()
    if "||" in spec or " - " in spec:
        return None
    match = re.match(r"^(?:\^|~|>=|=)?\s*v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?", spec)
    if not match:
        return None
    parts = [int(p) if p and p.isdigit() else 0 for p in match.group(1, 2, 3)]
    return (parts[0], parts[1], parts[2])


def may_satisfy(version: str, spec: str) -> bool:
    """False only when `version` is surely outside `spec` (a lock left behind by an edit)."""
    parsed = parse_version(version)
    if parsed is None or spec.strip().startswith(("workspace:", "file:", "link:", "npm:", "git")):
        return True
    if re.search(r"[a-z]+:|/", spec):  # urls, aliases, tags with protocols
        return True
    floor = range_floor(spec)
    if floor is not None and parsed < floor:
        return False
    return parsed <= range_ceiling(spec)
