"""Exact per-run logs: the Node preload that marks a request's lines, and reading the mark.

The console sends `x-console-run: <run id>` with every local request. In a dev server the
console started, `node/run_tags.cjs` (loaded through NODE_OPTIONS) runs each such request in an
AsyncLocalStorage context and writes every line of that context as RS + run id + US + line.
`LineReader` keeps a valid mark through sanitizing; `split_tag` takes it off before the line is
stored or shown. Without the header nothing is marked, so the site prints what it always prints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

__all__ = [
    "RUN_HEADER",
    "TAG_END",
    "TAG_START",
    "node_options",
    "preload_path",
    "split_tag",
    "strip_tag",
]

RUN_HEADER = "x-console-run"
TAG_START = "\x1e"
TAG_END = "\x1f"
MAX_ID = 64
_VALID_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")


def preload_path() -> Path:
    """The preload as a file on disk (the package is installed as files, never zipped)."""
    return Path(str(resources.files("console.devserver") / "node" / "run_tags.cjs"))


def node_options(environ: Mapping[str, str] | None = None) -> str:
    """NODE_OPTIONS for the dev server: the user's own options, then our preload."""
    existing = (os.environ if environ is None else environ).get("NODE_OPTIONS", "").strip()
    path = str(preload_path())
    # NODE_OPTIONS splits on spaces but honours double quotes.
    arg = f'--require "{path}"' if " " in path else f"--require {path}"
    return f"{existing} {arg}".strip()


def split_tag(line: str) -> tuple[str | None, str]:
    """(run id, the line without its mark); (None, line) for a line without a valid mark."""
    if not line.startswith(TAG_START):
        return None, line
    end = line.find(TAG_END, 1, MAX_ID + 2)
    if end < 0:
        return None, line
    run_id = line[1:end]
    if not _VALID_ID.match(run_id):
        return None, line
    return run_id, line[end + 1 :]


def strip_tag(line: str) -> str:
    return split_tag(line)[1]
