"""The local dev server supervisor: attach or start, wait until it answers, stream its lines, stop it.

The dev command never runs as the console's direct child: `process_guard.py` sits between them
(see its docstring). The guard holds the read end of a *lifeline* pipe whose write end only
this process has, so however the console ends (even SIGKILL) the guard sees end-of-file and
takes the dev server's whole process group down: SIGTERM, then SIGKILL after 5 s.

Output (stdout and stderr share one pipe, so their lines keep the order they were written in)
is read from a non-blocking descriptor in the event loop, split and sanitized by `LineReader`,
and handed to `on_lines` in batches, in order: each batch is a slice of one read (at most
`SLICE_LINES` lines while output floods in), and a wake-up hands over at most `WAKE_LINES` lines
(or `WAKE_S`) so that a flood cannot freeze the screen; the rest follows on the next loop
iteration. One call per batch rather than per line: a Python call per line was the floor of
the delivery cost. `drain()` reads whatever is in the pipe right now, so the engine can collect
a handler's last lines before it closes that run's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from console.devserver.command import (
    DevCommand,
    dev_url,
    host_port,
    missing_packages,
    resolve_dev_command,
)
from console.devserver.line_reader import LineReader
from console.devserver.lock import DevLocks
from console.devserver.ownership import Listener
from console.devserver.run_tags import node_options, strip_tag
from console.devserver.sanitize import strip_controls
from console.devserver.sharing import SharedDevServer, answers
from console.devserver.state import DevServerChanged, DevState, Publisher
from console.errors import DevServerError
from console.model import Project
from console.secrets import Redactor, secret_values
from console.settings import Settings
from console.sites import url_secrets

__all__ = ["DevServer"]

log = logging.getLogger(__name__)

GUARD = Path(__file__).with_name("process_guard.py")
GRACE_S = 5.0  # SIGTERM, then SIGKILL after this (the guard does it; we only back it up)
POLL_S = 0.2  # how often to knock on the URL while the server starts
CRASH_NOTICE_S = 2.0  # at most, for a guard whose server has died to exit before a stop
TAIL_LINES = 12  # last lines kept to explain a failed start or a crash
READ_SIZE = 1 << 18
PIPE_SIZE = 1 << 20
DRAIN_BUDGET = 64  # reads per drain(), so a server that never pauses cannot hold it forever
# Work per event-loop wake-up while output floods in: each line costs the engine ~5 us (and
# the screen more), so a 256 KiB read alone is ~10,000 lines, ~50 ms. Past either limit the
# rest waits for the next loop iteration, and the pipe holds the child back meanwhile.
WAKE_LINES = 1_000
WAKE_S = 0.005
SLICE_LINES = 250  # lines handed over between two looks at the clock
SETTLE_QUIET_S = 0.05  # see settle()
SETTLE_MOST_S = 0.5


class DevServer(SharedDevServer):
    """Supervises the project's dev server for the engine; state changes go out on the bus."""

    def __init__(
        self,
        project: Project,
        settings: Settings,
        bus: Publisher,
        *,
        on_lines: Callable[[Sequence[str]], None],
        max_chars: int = 4000,
        locks: DevLocks | None = None,
        name: str = "dev server",
    ) -> None:
        self.name = name  # in its sentences: "the dev server", or "the functions server"
        self.project = project
        self.settings = settings
        self.bus = bus
        # Called with each batch of sanitized lines, oldest first; never with an empty batch.
        # Every line of a batch came from the same read, so they arrived at the same moment.
        self.on_lines = on_lines
        self.max_chars = max_chars
        self.state = DevState.STOPPED
        self.detail = "not started"
        self.exit_code: int | None = None
        self.started_by_us = False
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._redactor = Redactor(secret_values(settings.targets))  # the tail goes into messages
        self._redactor.learn(url_secrets(settings.dev.url or ""))  # `user:pass@` in [dev] url
        self._proc: asyncio.subprocess.Process | None = None
        self._lifeline: int | None = None  # write end; closing it stops the guard
        self._out: int | None = None  # read end of the output pipe
        self._reader = LineReader(max_chars)
        self._eof: asyncio.Event | None = None
        # Lines read but not yet handed over (at most one read's worth), and the next one's index.
        self._pending: list[str] = []
        self._next = 0
        self._reading = False  # is our reader registered with the loop?
        self._resume_handle: asyncio.Handle | None = None
        self._exited: asyncio.Event | None = None
        self._stopping = False
        self._bytes_read = 0
        self._watcher: asyncio.Task[None] | None = None
        self._command: DevCommand | None = None
        self._lock = asyncio.Lock()
        self._locks = locks or DevLocks(project.root)
        # Who answers at the URL when we attached (None: nothing known, or not Linux), and a
        # sentence when it is not this project's server.
        self.listener: Listener | None = None
        self.warning: str | None = None
        self._attached_watch: asyncio.Task[None] | None = None

    # -- the public surface ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Where the dev server answers: `[dev] url`, else the local target's URL."""
        return dev_url(self.settings)

    @property
    def _root(self) -> Path:
        return self.project.root

    @property
    def pid(self) -> int | None:
        """The guard's pid while a server we started runs (the dev command is its child)."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def ensure(self) -> DevState:
        """Attach when something answers at the URL; otherwise start the command and wait for it."""
        async with self._lock:
            if self.running and self._command is not None:
                # Ours. A caller that gave up waiting (a cancelled worker) leaves it STARTING:
                # wait again rather than mistake our own server for someone else's.
                if self.state is DevState.STARTING:
                    await self._wait_until_ready(self._command)
                return self.state
            # Attached: look again, the server we did not start may have gone since.
            await self._attach_or_start()
            return self.state

    async def probe(self) -> DevState:
        """Attach when something answers at the URL, else say nothing does; never start one.

        For `console open --no-dev`: the header must still tell an attached server from none.
        """
        async with self._lock:
            if self.running:
                return self.state
            host, port = host_port(self.url)
            if await answers(host, port):
                if self.state is not DevState.ATTACHED:
                    self._attach(port, "attached to the server answering at")
            elif self.state is DevState.ATTACHED:
                self._gone()
            return self.state

    async def start(self) -> None:
        await self.ensure()

    async def stop(self, *, wait_for_users: bool = True) -> None:
        """Stop the server we started (the whole process group); detach from one we did not.

        Other console processes may be sending runs to a server we started: unless told not
        to (a restart the user asked for), wait up to `USERS_GRACE_S` for those runs first.
        """
        async with self._lock:
            await self._stop(wait_for_users=wait_for_users)

    async def restart(self) -> None:
        async with self._lock:
            if self.state is DevState.ATTACHED:
                raise DevServerError(
                    f"the {self.name} at {self.url} was not started by the console; "
                    "restart it where it runs"
                )
            await self._stop(wait_for_users=False)
            await self._attach_or_start()

    def drain(self) -> None:
        """Deliver every complete line already written to the pipe, now."""
        # Bounded in reads: a server that prints faster than we read must not hold it forever.
        self._pump(max_reads=DRAIN_BUDGET, max_lines=None, deadline=None)

    async def settle(self, quiet_s: float = SETTLE_QUIET_S, most_s: float = SETTLE_MOST_S) -> None:
        """Drain, then keep draining until the output has been quiet for `quiet_s` (at most `most_s`).

        A handler often logs right after it answered (`res.json(...); console.log("done")`);
        those lines reach the pipe a moment after the answer reaches the engine. Waiting for a
        short quiet spell lets them land in the run they belong to.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + most_s
        while self._out is not None:
            before = self._bytes_read
            self.drain()
            if loop.time() >= end:
                return
            await asyncio.sleep(min(quiet_s, max(0.0, end - loop.time())))
            self.drain()
            if self._bytes_read == before:
                return

    # -- starting ----------------------------------------------------------------------------

    async def _start_ours(self) -> None:
        # Only the package.json script needs node_modules; a [dev] command is the user's call.
        problem = None if self.settings.dev.command else missing_packages(self.project)
        if problem is not None:
            self._set(DevState.FAILED, problem)
            raise DevServerError(problem)
        try:
            command = resolve_dev_command(self.project, self.settings)
        except DevServerError as exc:
            self._set(DevState.FAILED, str(exc))
            raise
        await self._spawn(command)
        await self._wait_until_ready(command)

    async def _spawn(self, command: DevCommand) -> None:
        self.tail.clear()
        self._reader = LineReader(self.max_chars)
        self._pending, self._next = [], 0
        self.exit_code = None
        self._stopping = False
        out_r, out_w = os.pipe()
        life_r, life_w = os.pipe()
        env = {**os.environ, **command.env}
        # Node processes of the dev server (Next's workers too: they inherit it) load the preload
        # that marks each console request's lines with its run id (run_tags).
        env["NODE_OPTIONS"] = node_options(env)
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-I",
                "-S",
                str(GUARD),
                *command.argv,
                stdin=life_r,
                stdout=out_w,
                stderr=out_w,
                cwd=self.project.root,
                env=env,
                start_new_session=True,  # away from the terminal's Ctrl+C and job control
            )
        except OSError as exc:
            for fd in (out_r, life_w):
                os.close(fd)
            message = f"cannot start the {self.name} `{command.display}`: {exc.strerror}"
            self._set(DevState.FAILED, message)
            raise DevServerError(message) from exc
        finally:
            os.close(out_w)
            os.close(life_r)
        self._proc = proc
        self._command = command
        self._lifeline = life_w
        self._out = out_r
        self.started_by_us = True
        self._eof = asyncio.Event()
        self._exited = asyncio.Event()
        os.set_blocking(out_r, False)
        if sys.platform == "linux":
            import fcntl

            with contextlib.suppress(OSError):
                # A bigger pipe lets a chatty server run ahead instead of waiting on every 64 KiB.
                fcntl.fcntl(out_r, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        asyncio.get_running_loop().add_reader(out_r, self._on_readable)
        self._reading = True
        # Keep a reference: the loop holds tasks only weakly.
        self._watcher = asyncio.get_running_loop().create_task(
            self._watch(proc), name="dev-server-watch"
        )
        self._set(DevState.STARTING, f"starting `{command.display}`, waiting for {command.url}")

    async def _wait_until_ready(self, command: DevCommand) -> None:
        loop = asyncio.get_running_loop()
        timeout = self.settings.dev.start_timeout
        deadline = loop.time() + timeout
        assert self._exited is not None
        exited = self._exited
        while True:
            if exited.is_set():
                self._proc = None
                message = (
                    f"the {self.name} `{command.display}` exited with code {self.exit_code} "
                    f"before it answered at {command.url}"
                )
                if self.listener is not None:
                    message += f" ({self.listener.describe()} listens there)"
                self._set(DevState.FAILED, message, self.exit_code)
                raise DevServerError(message + self._tail_text())
            if await answers(command.host, command.port) and self._ours_answers(command.port):
                self._set(DevState.READY, f"`{command.display}` answers at {command.url}")
                return
            if loop.time() >= deadline:
                await self._terminate()
                message = f"the {self.name} did not answer at {command.url} within {timeout:g} s"
                self._set(DevState.FAILED, message, self.exit_code)
                raise DevServerError(message + self._tail_text())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(exited.wait(), min(POLL_S, max(0.0, deadline - loop.time())))

    def _tail_text(self) -> str:
        if not self.tail:
            return "; it printed nothing"
        return "; its last lines:\n" + "\n".join(f"  {line}" for line in self.tail)

    # -- watching ----------------------------------------------------------------------------

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        # The guard exits after the whole group is gone, so the pipe is at its end; read it out.
        if self._eof is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._eof.wait(), 1.0)
        if proc is not self._proc:
            return
        self.exit_code = code
        self._close_pipes()
        if self._exited is not None:
            self._exited.set()
        if not self._stopping and self.state is DevState.READY:
            last = f": {self.tail[-1]}" if self.tail else ""
            self._set(
                DevState.CRASHED, f"the {self.name} exited with code {code}{last}", exit_code=code
            )

    def _on_readable(self) -> None:
        self._pump(max_reads=None, max_lines=WAKE_LINES, deadline=time.perf_counter() + WAKE_S)

    def _resume(self) -> None:
        self._resume_handle = None
        self._on_readable()

    def _pump(self, max_reads: int | None, max_lines: int | None, deadline: float | None) -> None:
        """Hand over pending lines, then read and hand over more, within the given limits.

        Lines leave in the order they were read: what an earlier wake-up left pending goes
        before anything read now. When a limit stops us with lines still pending, the reader
        is taken off the loop (the pipe fills and holds the child back, so memory stays at one
        read's worth) and a `call_soon` continues after the loop has run everything else.
        """
        delivered = reads = 0
        while True:
            pending = self._pending
            if self._next < len(pending):
                n = len(pending) - self._next
                if max_lines is not None:
                    n = min(n, SLICE_LINES, max_lines - delivered)
                start, self._next = self._next, self._next + n
                self._deliver(pending[start : self._next])
                delivered += n
                if (max_lines is not None and delivered >= max_lines) or (
                    deadline is not None and time.perf_counter() >= deadline
                ):
                    break
                continue
            self._pending, self._next = [], 0
            fd = self._out
            if fd is None or (max_reads is not None and reads >= max_reads):
                break
            try:
                data = os.read(fd, READ_SIZE)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            reads += 1
            self._bytes_read += len(data)
            if data:
                self._pending = self._reader.feed(data)
            else:
                self._pending = self._reader.flush()
                self._close_fd()
            if not self._pending and deadline is not None and time.perf_counter() >= deadline:
                break  # reads without a newline (one giant line) count against the time too
        self._schedule()

    def _schedule(self) -> None:
        """Continue soon while lines are pending; otherwise wait for the pipe (or report its end)."""
        if self._next < len(self._pending):
            loop = asyncio.get_running_loop()
            if self._reading and self._out is not None:
                loop.remove_reader(self._out)
                self._reading = False
            if self._resume_handle is None:
                self._resume_handle = loop.call_soon(self._resume)
            return
        if self._out is None:
            if self._eof is not None:
                self._eof.set()
        elif not self._reading:
            asyncio.get_running_loop().add_reader(self._out, self._on_readable)
            self._reading = True

    def _deliver(self, lines: list[str]) -> None:
        if not lines:
            return
        # A stray RS/US may pass the reader's fast path (the engine strips it); the tail is
        # quoted in messages as it is, so it is cleaned here.
        self.tail.extend(
            self._redactor.text(strip_controls(strip_tag(line))) for line in lines[-TAIL_LINES:]
        )
        try:
            self.on_lines(lines)
        except Exception:
            log.exception("dev server line handler failed")

    # -- stopping ----------------------------------------------------------------------------

    async def _stop(self, *, wait_for_users: bool = False) -> None:
        if self.state is DevState.ATTACHED:
            self.listener = self.warning = None
            self._locks.release_all()
            watch, self._attached_watch = self._attached_watch, None
            if watch is not None and watch is not asyncio.current_task():
                watch.cancel()
            self._set(
                DevState.STOPPED,
                f"detached; the server at {self.url} was not started by the console and keeps running",
            )
            return
        if self._proc is None:
            if self.state is not DevState.STOPPED:
                self._set(DevState.STOPPED, "stopped", self.exit_code)
            return
        await self._stop_ours(wait_for_users)

    async def _terminate(self) -> None:
        """End the guard and with it the dev server's process group; wait for all of it."""
        proc = self._proc
        if proc is None:
            return
        if self.state is DevState.READY and self._exited is not None and await self._dying(proc):
            # It died on its own a moment ago (the request that just broke met the crash) and
            # the guard is on its way out: let it be told as the crash it is, not as a stop.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exited.wait(), CRASH_NOTICE_S)
        self._stopping = True
        if self._lifeline is not None:
            os.close(self._lifeline)  # the guard reads end-of-file: SIGTERM, 5 s, SIGKILL
            self._lifeline = None
        try:
            await asyncio.wait_for(proc.wait(), 2 * GRACE_S + 5)
        except TimeoutError:
            # A guard that does not finish its job in time is itself killed; the group
            # leader pid is the guard's child, which we cannot know here, so log it loudly.
            log.error("the dev server guard %s did not exit; killing it", proc.pid)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        if self._exited is not None:
            await self._exited.wait()
        self.exit_code = proc.returncode
        self._proc = None

    async def _dying(self, proc: asyncio.subprocess.Process) -> bool:
        """Has the server we started gone, or stopped listening (an exit closes its listening
        socket before the connections it held, so a broken request finds it closed)?"""
        if _server_gone(proc.pid):
            return True
        host, port = host_port(self.url)
        return not await answers(host, port, timeout=0.5)

    def _close_fd(self) -> None:
        if self._out is not None:
            fd, self._out = self._out, None
            if self._reading:
                self._reading = False
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_reader(fd)
            os.close(fd)

    def _close_pipes(self) -> None:
        self.drain()  # the process is gone: hand over everything, whatever the budget
        if self._next < len(self._pending):
            self._deliver(self._pending[self._next :])
        self._pending, self._next = [], 0
        if self._out is not None:
            self._close_fd()
        if self._eof is not None:
            self._eof.set()
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def _set(self, state: DevState, detail: str, exit_code: int | None = None) -> None:
        detail = self._redactor.text(detail)  # it names the URL, which may carry credentials
        self.state = state
        self.detail = detail
        warning = self.warning if state is DevState.ATTACHED else None
        self.bus.publish(DevServerChanged(state, detail, exit_code, warning))


def _server_gone(guard_pid: int) -> bool:
    """Linux: the guard has no live child leading its own process group (the server we
    started): it has exited, or is a zombie the guard is about to reap. Elsewhere: False."""
    try:
        with open(f"/proc/{guard_pid}/task/{guard_pid}/children") as f:
            children = [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return False
    for pid in children:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[-1].split()
        except OSError:
            continue  # gone since the listing
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pid and state != "Z":
            return False
    return True
