"""What migration adds to package.json: `@netlify/functions` (the functions' types), when missing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from console.migrate.changes import Change

FUNCTIONS_PACKAGE = "@netlify/functions"
FUNCTIONS_RANGE = "^2.8.2"  # has the v2 `Config` and `Context` types the functions use


def package_json_change(root: Path) -> tuple[Change | None, tuple[tuple[str, str], ...]]:
    """The package.json change (None when nothing is missing or there is no readable one)."""
    path = root / "package.json"
    try:
        before = path.read_bytes()
        data: Any = json.loads(before.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, ()
    if not isinstance(data, dict):
        return None, ()
    for section in ("dependencies", "devDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict) and FUNCTIONS_PACKAGE in deps:
            return None, ()
    dev = data.get("devDependencies")
    if dev is not None and not isinstance(dev, dict):
        return None, ()
    dev = dict(dev or {})
    dev[FUNCTIONS_PACKAGE] = FUNCTIONS_RANGE
    data["devDependencies"] = dict(sorted(dev.items()))  # npm keeps them sorted
    text = before.decode("utf-8")
    indent = _indent(text)
    after = json.dumps(data, indent=indent, ensure_ascii=False) + (
        "\n" if text.endswith("\n") else ""
    )
    return Change("package.json", before, after.encode("utf-8")), (
        (FUNCTIONS_PACKAGE, FUNCTIONS_RANGE),
    )


def _indent(text: str) -> int | str:
    match = re.search(r"^([ \t]+)\"", text, re.MULTILINE)
    if match is None:
        return 2
    found = match.group(1)
    return len(found) if found.strip(" ") == "" else found
