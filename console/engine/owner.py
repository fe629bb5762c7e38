"""Who owns a run: this process's pid and a start token, and whether an owner is still alive."""

from __future__ import annotations

import os
from functools import cache


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _stat(pid: int) -> list[str] | None:
    # /proc/PID/stat after the command name (field 2, which may hold spaces and parentheses):
    # [0] is the state (field 3), [19] the start time in clock ticks since boot (field 22).
    stat = _read(f"/proc/{pid}/stat")
    if stat is None or ")" not in stat:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields if len(fields) > 19 else None


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return None if fields is None else fields[19]


@cache
def _boot_id() -> str:
    return (_read("/proc/sys/kernel/random/boot_id") or "").strip()


def token_for(pid: int) -> str:
    """Boot id + start time: a pid reused after a crash or a reboot gets a different token."""
    start = _start_time(pid)
    return "" if start is None else f"{_boot_id()}:{start}"


@cache
def own_token() -> str:
    return token_for(os.getpid())


def is_alive(pid: int, token: str) -> bool:
    """Is the process that wrote `token` under `pid` still running?"""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return token == own_token()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but alive
    except OSError:
        return False
    fields = _stat(pid)
    if fields is not None and fields[0] in ("Z", "X"):
        return False  # exited, not yet reaped by its parent
    if not token:
        return True  # no /proc where the run was written: the pid is all we know
    current = token_for(pid)
    # No /proc here (or not readable): trust the pid rather than kill a live run's record.
    return current == "" or current == token
