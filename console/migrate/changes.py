"""A file change that migration makes, and the unified diff of a set of them (git's format, so
`console migrate | git apply` works: renames and copies are shown as git shows them)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One file's change. `before`/`after` None: the file does not exist before/after.
    `source` names the file this one's content came from (a move, or a copy when the source
    file stays with other content)."""

    path: str  # relative to the project, with "/"
    before: bytes | None
    after: bytes | None
    source: str | None = None


def unified_diff(changes: tuple[Change, ...] | list[Change]) -> str:
    by_path = {c.path: c for c in changes}
    moved_away = {c.source for c in changes if c.source and by_path.get(c.source, c).after is None}
    out: list[str] = []
    copies = [c for c in changes if c.source and c.source not in moved_away]
    # git applies a copy from the preimage, so copies come before the change of their source.
    for change in [*copies, *(c for c in changes if c not in copies)]:
        if change.path in moved_away:
            continue
        out.extend(_file_diff(change, by_path))
    return "".join(out)


def _file_diff(change: Change, by_path: dict[str, Change]) -> list[str]:
    source = by_path.get(change.source) if change.source else None
    if source is not None and source.before is not None:
        verb = "rename" if source.after is None else "copy"
        before = source.before
        lines = [
            f"diff --git a/{source.path} b/{change.path}\n",
            f"similarity index {_similarity(before, change.after or b'')}%\n",
            f"{verb} from {source.path}\n",
            f"{verb} to {change.path}\n",
        ]
        return lines + _hunks(before, change.after or b"", source.path, change.path)
    lines = [f"diff --git a/{change.path} b/{change.path}\n"]
    if change.before is None:
        lines.append("new file mode 100644\n")
    elif change.after is None:
        lines.append("deleted file mode 100644\n")
    old = None if change.before is None else change.path
    new = None if change.after is None else change.path
    return lines + _hunks(change.before or b"", change.after or b"", old, new)


def _similarity(a: bytes, b: bytes) -> int:
    if a == b:
        return 100
    return int(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() * 100)


def _hunks(a: bytes, b: bytes, old: str | None, new: str | None) -> list[str]:
    if a == b:
        return []
    a_lines = a.decode("utf-8", "replace").splitlines(keepends=True)
    b_lines = b.decode("utf-8", "replace").splitlines(keepends=True)
    diff = difflib.unified_diff(
        a_lines,
        b_lines,
        fromfile=f"a/{old}" if old else "/dev/null",
        tofile=f"b/{new}" if new else "/dev/null",
        n=3,
    )
    out: list[str] = []
    for line in diff:
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n").rstrip() + "\n")
            continue
        if line.endswith("\n"):
            out.append(line)
        else:  # the file's last line has no newline
            out.append(line + "\n\\ No newline at end of file\n")
    return out
