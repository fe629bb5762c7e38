"""Sharing one dev server between console processes, and knowing who answers at its URL.

The part of the supervisor that looks beyond its own child: the per-project locks (lock.py)
that make starting exclusive and make the owner wait for other processes' runs before stopping,
attaching to a server someone else runs (named, and watched, so that one that went away reads
as gone), and the check that "ready" means our own child answers (ownership.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from console.devserver.command import host_port
from console.devserver.lock import DevLocks
from console.devserver.ownership import Listener, descends_from, listeners, same_project
from console.devserver.state import DevState
from console.errors import DevServerError
from console.settings import Settings

__all__ = ["ATTACHED_PROBE_S", "USERS_GRACE_S", "SharedDevServer", "answers"]

log = logging.getLogger(__name__)

POLL_S = 0.2  # how often to look again while another process starts the server
ATTACHED_PROBE_S = 2.0  # how often an attached server is knocked on, to notice it has gone
# Before stopping the server it started, how long the console waits for other console
# processes' runs on it (they hold the shared users lock; see lock.py).
USERS_GRACE_S = 30.0


class SharedDevServer:
    """Mixed into `DevServer`, which provides the attributes and methods declared here."""

    settings: Settings
    name: str  # "dev server" or "functions server", in its sentences
    state: DevState
    detail: str
    started_by_us: bool
    exit_code: int | None
    listener: Listener | None
    warning: str | None
    _locks: DevLocks
    _lock: asyncio.Lock
    _proc: asyncio.subprocess.Process | None
    _attached_watch: asyncio.Task[None] | None

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def _root(self) -> Path:
        raise NotImplementedError

    def _set(self, state: DevState, detail: str, exit_code: int | None = None) -> None:
        raise NotImplementedError

    async def _start_ours(self) -> None:
        raise NotImplementedError

    async def _terminate(self) -> None:
        raise NotImplementedError

    def use(self) -> None:
        """A local run starts: while it is in flight, the owner of an attached server waits."""
        if self.state is DevState.ATTACHED:
            self._locks.use()

    def done(self) -> None:
        self._locks.done()

    async def _attach_or_start(self) -> None:
        """Attach to what answers; else start ours, unless another console process is starting
        one (it holds the start lock), in which case wait for it and attach."""
        url = self.url
        host, port = host_port(url)
        loop = asyncio.get_running_loop()
        timeout = self.settings.dev.start_timeout
        deadline = loop.time() + timeout
        waiting = False
        while True:
            # A server whose owner is stopping it (users lock taken) is not attached to.
            if self._users_free() and await answers(host, port):
                self._attach(port, "attached to the server already answering at")
                return
            if self._locks.start.try_acquire():
                break
            if not waiting:
                waiting = True
                self._set(
                    DevState.STARTING,
                    f"another console process is starting the {self.name}; waiting for {url}",
                )
            if loop.time() >= deadline:
                message = (
                    f"another console process is starting the {self.name} and nothing "
                    f"answered at {url} within {timeout:g} s"
                )
                self._set(DevState.FAILED, message)
                raise DevServerError(message)
            await asyncio.sleep(POLL_S)
        try:
            # Under the start lock: the one who held it may have finished just now.
            if self._users_free() and await answers(host, port):
                self._attach(port, "attached to the server already answering at")
                return
            await self._start_ours()
        finally:
            self._locks.start.release()

    def _users_free(self) -> bool:
        """Is no one stopping the server (holding the users lock exclusively)?"""
        if self._locks.users.held:
            return True
        if not self._locks.users.try_acquire(shared=True):
            return False
        self._locks.users.release()
        return True

    def _attach(self, port: int, words: str) -> None:
        """Something we did not start answers: say who, where Linux can tell, and watch it."""
        self.started_by_us = False
        self.listener = self.warning = None
        found = listeners(port)
        detail = f"{words} {self.url}"
        if found:
            self.listener = found[0]
            detail += f": {self.listener.describe()}"
            cwd = self.listener.cwd
            if cwd is not None and not same_project(cwd, self._root):
                self.warning = (
                    f"the server at {self.url} is not this project's: {self.listener.describe()}"
                )
        self._set(DevState.ATTACHED, detail)
        if self.warning is not None:
            log.warning("%s", self.warning)
        if self._attached_watch is None or self._attached_watch.done():
            self._attached_watch = asyncio.get_running_loop().create_task(
                self._watch_attached(), name="dev-server-attached"
            )

    async def _watch_attached(self) -> None:
        """Knock now and then: an attached server that went away reads as gone."""
        host, port = host_port(self.url)
        while self.state is DevState.ATTACHED:
            await asyncio.sleep(ATTACHED_PROBE_S)
            if self.state is not DevState.ATTACHED:
                return
            if not await answers(host, port):
                if self.state is DevState.ATTACHED and not self._lock.locked():
                    self._gone()
                return

    def _gone(self) -> None:
        self.listener = self.warning = None
        self._locks.release_all()
        self._set(DevState.STOPPED, f"nothing answers at {self.url} any more")

    def _ours_answers(self, port: int) -> bool:
        """Is what answers at the port our child (or one of its children)?

        Another process's server answering the probe is not ours being ready: ours may be
        dying of EADDRINUSE. Where /proc cannot tell (not Linux, another user's socket), the
        answer is taken as ours, as before.
        """
        if self._proc is None or self._proc.returncode is not None:
            return False
        found = listeners(port)
        if not found:
            return True
        if any(descends_from(x.pid, self._proc.pid) for x in found):
            return True
        self.listener = found[0]
        return False

    async def _stop_ours(self, wait_for_users: bool) -> None:
        """Stop the server we started, holding both locks (see lock.py) while it goes down."""
        locks = self._locks
        # Hold both locks while the server goes down: no one attaches to it or starts another
        # on its port meanwhile. First wait for other processes' runs on it (lock.py).
        if not locks.users.try_acquire() and wait_for_users:
            log.warning(
                "waiting up to %g s for other console processes' runs on the dev server "
                "before stopping it",
                USERS_GRACE_S,
            )
            if not await locks.users.acquire(USERS_GRACE_S):
                log.warning("stopping the dev server under another console process's run")
        locks.start.try_acquire()
        try:
            await self._terminate()
            self._set(DevState.STOPPED, "stopped", self.exit_code)
        finally:
            locks.release_all()


async def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Does something accept connections at host:port?

    A TCP connect, not an HTTP request: `next dev` compiles a page on its first request, which
    can take longer than any sensible probe timeout, and must not be triggered just to look.
    """
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
