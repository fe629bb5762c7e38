"""Who answers at a port: on Linux, the listening socket's process, its command and folder.

`/proc/net/tcp` and `/proc/net/tcp6` list listening sockets with their inode; each process's
`/proc/PID/fd/*` links to `socket:[INODE]` for the sockets it holds; `/proc/PID/cwd` is its
working folder. Processes of other users cannot be looked into (the answer is then "unknown").
Elsewhere, and when /proc says nothing, every answer is None: the console cannot tell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from console.devserver.sanitize import clean_line

__all__ = ["Listener", "descends_from", "listeners", "same_project"]

_LISTEN = "0A"
_PROC = Path("/proc")


@dataclass(frozen=True)
class Listener:
    """A process that listens at the port; `cwd` None when its folder cannot be read."""

    pid: int
    command: str
    cwd: Path | None

    def describe(self) -> str:
        where = f" in {self.cwd}" if self.cwd is not None else ""
        return f"pid {self.pid} `{self.command}`{where}"


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes: set[str] = set()
    for name in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / name).read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in lines.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10 or fields[3] != _LISTEN:
                continue
            _, _, hex_port = fields[1].rpartition(":")
            try:
                if int(hex_port, 16) == port and fields[9] != "0":
                    inodes.add(fields[9])
            except ValueError:
                continue
    return inodes


def _command(pid: int, proc: Path) -> str:
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    words = raw.rstrip(b"\0").split(b"\0")
    # A process's arguments are its own business: shown cleaned and cut, never as markup.
    return clean_line(" ".join(w.decode("utf-8", "replace") for w in words), 120) or "?"


def _cwd(pid: int, proc: Path) -> Path | None:
    try:
        return Path(os.readlink(proc / str(pid) / "cwd"))
    except OSError:
        return None


def listeners(port: int, proc: Path = _PROC) -> list[Listener] | None:
    """The processes listening on TCP `port` (any address), or None when /proc cannot tell."""
    if not (proc / "net" / "tcp").exists():
        return None
    inodes = _listening_inodes(port, proc)
    if not inodes:
        return []
    wanted = {f"socket:[{i}]" for i in inodes}
    found: list[Listener] = []
    try:
        entries = list(proc.iterdir())
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fds = os.listdir(entry / "fd")
        except OSError:
            continue  # gone, or another user's
        for fd in fds:
            try:
                link = os.readlink(entry / "fd" / fd)
            except OSError:
                continue
            if link in wanted:
                pid = int(entry.name)
                found.append(Listener(pid, _command(pid, proc), _cwd(pid, proc)))
                break
    return found


def _stat_field(pid: int, index: int, proc: Path) -> int | None:
    # Fields after the command name: [1] parent pid (field 4), [3] session id (field 6).
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[index])
    except (IndexError, ValueError):
        return None


def descends_from(pid: int, ancestor: int, proc: Path = _PROC) -> bool:
    """Is `pid` `ancestor`, one of its descendants, or in the session it leads?

    The guard starts the dev command in a session of its own, so a server that daemonized
    (re-parented to init) but stayed in that session still counts as ours.
    """
    if _stat_field(pid, 3, proc) == ancestor:
        return True
    seen = 0
    current: int | None = pid
    while current is not None and current > 1 and seen < 64:
        if current == ancestor:
            return True
        current = _stat_field(current, 1, proc)
        seen += 1
    return False


def same_project(cwd: Path, root: Path) -> bool:
    """Is a server running in `cwd` this project's? Its folder, a folder inside it, or a
    package folder that holds it (a monorepo's root running the site's dev script)."""
    try:
        a, b = cwd.resolve(), root.resolve()
    except OSError:
        return False
    if a == b or b in a.parents:
        return True
    return a in b.parents and (a / "package.json").is_file()
