"""Writing a migration all at once or not at all: every new content goes to a temporary file
beside its place first; then each file is swapped in by rename, the old one kept aside; any
failure puts every file back as it was."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from console.errors import ConsoleError
from console.migrate.changes import Change


class MigrationWriteError(ConsoleError):
    """The migration could not be written; nothing was changed."""


@dataclass
class _Journal:
    """What has been done so far, to undo it in reverse."""

    token: str
    made_dirs: list[Path] = field(default_factory=list)
    temps: list[Path] = field(default_factory=list)  # every temporary file made
    staged: dict[str, Path] = field(default_factory=dict)  # change path -> its temporary file
    kept_aside: list[tuple[Path, Path]] = field(default_factory=list)  # (place, backup)
    placed: list[Path] = field(default_factory=list)


def apply_changes(root: Path, changes: tuple[Change, ...] | list[Change]) -> None:
    """Make every change or none. Raises MigrationWriteError (files as they were) on failure,
    including when a file changed since the plan was made."""
    _check_unchanged(root, changes)
    journal = _Journal(secrets.token_hex(4))
    try:
        for change in changes:
            if change.after is not None:
                journal.staged[change.path] = _stage(root / change.path, change.after, journal)
        for change in changes:
            place = root / change.path
            if change.before is not None:
                backup = _aside(place, journal.token)
                os.replace(place, backup)
                journal.kept_aside.append((place, backup))
            if change.after is not None:
                os.replace(journal.staged[change.path], place)
                journal.placed.append(place)
    except OSError as exc:
        _undo(journal)
        where = exc.filename or "a file"
        raise MigrationWriteError(
            f"could not write the migration ({exc.strerror or exc} at {where}); nothing was changed."
        ) from exc
    except BaseException:
        _undo(journal)
        raise
    for _, backup in journal.kept_aside:
        with contextlib.suppress(OSError):
            backup.unlink()
    _remove_emptied_dirs(root, changes)


def _check_unchanged(root: Path, changes: tuple[Change, ...] | list[Change]) -> None:
    for change in changes:
        place = root / change.path
        try:
            current: bytes | None = place.read_bytes()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise MigrationWriteError(
                f"could not read {change.path} ({exc.strerror}); nothing was changed."
            ) from exc
        if current != change.before:
            state = "appeared" if change.before is None else "changed"
            raise MigrationWriteError(
                f"{change.path} {state} since the migration was planned; nothing was changed "
                "(run `console migrate` again)."
            )


def _stage(place: Path, data: bytes, journal: _Journal) -> Path:
    _make_dirs(place.parent, journal)
    temp = _aside(place, journal.token, "new")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    journal.temps.append(temp)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return temp


def _aside(place: Path, token: str, what: str = "old") -> Path:
    return place.with_name(f".{place.name}.console-migrate-{what}-{token}")


def _make_dirs(folder: Path, journal: _Journal) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        journal.made_dirs.append(path)


def _undo(journal: _Journal) -> None:
    for place in reversed(journal.placed):
        with contextlib.suppress(OSError):
            place.unlink()
    for place, backup in reversed(journal.kept_aside):
        with contextlib.suppress(OSError):
            os.replace(backup, place)
    for temp in journal.temps:  # those not renamed into place yet
        with contextlib.suppress(OSError):
            temp.unlink()
    for folder in reversed(journal.made_dirs):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _remove_emptied_dirs(root: Path, changes: tuple[Change, ...] | list[Change]) -> None:
    """A folder under pages/api that the move left empty (`users/` of `users/[id].js`)."""
    for change in changes:
        if change.after is not None:
            continue
        folder = (root / change.path).parent
        while folder != root and folder.name != "api":
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
