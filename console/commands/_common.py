"""Helpers shared by the subcommands: loading the project, printing JSON."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import IO, Any

from console.model import Project


def load_project(path: str, command: str = "routes") -> Project:
    """Discover the project at `path`; raises NotAProjectError with one sentence.

    At a monorepo root the sentence names the sites below and how to run `command` on one.
    """
    from console.errors import NotASiteError
    from console.project import discover

    try:
        return discover(Path(path))
    except NotASiteError as exc:
        raise exc.for_command(command) from None


def runtime_lines(project: Project) -> list[str]:
    """How the site was found and which runtime was assumed, one line each (for text output)."""
    lines = [project.site_note] if project.site_note else []
    if project.runtime is not None:
        lines.append(project.runtime.line())
    return lines


def runtime_json(project: Project) -> dict[str, object]:
    return {
        "runtime": project.runtime.to_json() if project.runtime is not None else None,
        **({"site": project.site_note} if project.site_note else {}),
    }


# Control characters other than tab and newline, and lone surrogates (bytes of a file name
# that are not UTF-8): the cheap test before the real cleaning.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def terminal_text(text: str) -> str:
    """Text fit for the terminal, line by line: file names, route names, cron strings and
    server words come from the project or the network and may carry control sequences."""
    if not _CONTROL.search(text):
        return text
    from console.devserver.sanitize import strip_controls  # only when needed: it imports httpx

    return "\n".join(strip_controls(line) for line in text.split("\n"))


def print_text(text: str, file: IO[str] | None = None) -> None:
    print(terminal_text(text), file=file or sys.stdout, flush=True)


# json.dumps escapes C0 controls but not DEL and C1 (U+009B is a CSI to many terminals).
_JSON_UNESCAPED: dict[int, str] = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}
# A lone surrogate is not UTF-8 at all: written out it is a raw byte (or a crash). It stands for
# a byte of a file name that was not UTF-8; the JSON says so visibly, as the text `\x9b`.
_JSON_UNESCAPED.update({c: f"\\\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)})
_JSON_UNESCAPED.update(
    {c: f"\\\\u{c:04x}" for c in range(0xD800, 0xE000) if c not in _JSON_UNESCAPED}
)


def json_text(data: Any) -> str:
    """JSON (indented) that is always valid UTF-8 and holds no raw terminal control."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if _CONTROL.search(text):  # only inside strings: JSON's own syntax is plain ASCII
        text = text.translate(_JSON_UNESCAPED)
    return text


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data) + "\n")
