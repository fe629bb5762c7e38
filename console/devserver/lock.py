"""Per-project locks in `.console/` that let several console processes share one dev server.

Two lock files, both `fcntl.flock` (released by the kernel however the holder ends):

- `dev-start.lock`, exclusive, held by the one process that starts the dev server, from the
  spawn until the server answers (or fails). A second process that finds it taken waits, and
  attaches when the server answers: ten parallel `console trigger` start one server, not ten.
- `dev-users.lock`, shared, held by a process that sends runs to a server *another* process
  started, while such a run is in flight. The process that started the server takes it
  exclusively before stopping it, so it does not stop a server under another process's run
  (it waits a bounded time: `USERS_GRACE_S`), and holds it until the server is gone, so that no
  one attaches to a server on its way down.

Not on Linux/macOS (no fcntl): every lock is granted at once, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_DIR", "DevLocks", "FileLock"]

LOCK_DIR = ".console"
START_LOCK = "dev-start.lock"
USERS_LOCK = "dev-users.lock"


class FileLock:
    """One flock on one file, taken without blocking the event loop (polled)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._shared = False

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self, *, shared: bool = False) -> bool:
        """Take the lock if no one holds it in a conflicting way; never waits."""
        if self._fd is not None:
            return True
        if fcntl is None:
            self._fd = -1
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            # A read-only project: no lock to take, and no one else can take one either.
            self._fd = -1
            return True
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        self._shared = shared
        return True

    async def acquire(self, timeout: float, *, shared: bool = False, poll: float = 0.05) -> bool:
        """Take the lock, waiting at most `timeout` seconds; False when it stayed taken."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not self.try_acquire(shared=shared):
            if loop.time() >= end:
                return False
            await asyncio.sleep(poll)
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None and fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor drops the flock


class DevLocks:
    """The two locks of one project's dev server (see the module's docstring)."""

    def __init__(self, project_root: Path, server: str = "dev") -> None:
        # `server`: whose locks; the functions server has its own (`functions-start.lock`, ...)
        # so that it never waits for next dev's start, nor next dev for it.
        folder = project_root / LOCK_DIR
        self.start = FileLock(folder / START_LOCK.replace("dev", server, 1))
        self.users = FileLock(folder / USERS_LOCK.replace("dev", server, 1))
        self._using = 0

    def use(self) -> None:
        """A run to a server another process started begins: hold the shared users lock."""
        self._using += 1
        if self._using == 1:
            # Taken by the owner while it stops the server: the run goes ahead anyway (it
            # will find the server gone and say so); waiting here would stall a submit.
            self.users.try_acquire(shared=True)

    def done(self) -> None:
        """That run ended."""
        if self._using > 0:
            self._using -= 1
            if self._using == 0:
                self.users.release()

    def release_all(self) -> None:
        self._using = 0
        self.start.release()
        self.users.release()
