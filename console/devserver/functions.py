"""The local functions server: `netlify functions:serve` beside `next dev`, under the same guard.

Netlify functions are not served by `next dev`; the Netlify CLI serves them. `netlify dev` would
serve both at one URL, but offline it dies setting up Edge Functions (it downloads Deno), so the
console runs `netlify functions:serve --offline --port N` itself when the project has functions
and the CLI can be found (the project's node_modules/.bin, then PATH). When `[dev] command` (or
the package.json `dev` script) is `netlify dev`, that one server serves the functions too and no
second one starts.

The process side is the dev server supervisor's, reused whole: a `DevServer` given the functions
command as its `[dev] command` and the functions URL as its `[dev] url`, so the guard, the
lifeline, the death guarantees, the bounded line reading and attach/stop/crash semantics are the
same code, tested once. Its state changes are translated into `FunctionsServerChanged`, a
separate event, so that every watcher of `DevServerChanged` keeps meaning the dev server.
"""

from __future__ import annotations

import re
import shlex
import shutil
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from console.devserver.command import host_port
from console.devserver.lock import DevLocks
from console.devserver.sharing import answers
from console.devserver.state import DevServerChanged, DevState
from console.devserver.supervisor import DevServer
from console.errors import DevServerError
from console.model import Project, RouteSource
from console.settings import DevSettings, Settings

__all__ = [
    "DEFAULT_COMMAND",
    "FunctionsServer",
    "FunctionsServerChanged",
    "FunctionsServerError",
    "FunctionsState",
    "find_netlify_cli",
    "install_hint",
    "netlify_dev_serves_functions",
]

DEFAULT_COMMAND = "netlify functions:serve --offline --port {port}"
INSTALL = {
    "npm": "npm i -D netlify-cli",
    "pnpm": "pnpm add -D netlify-cli",
    "yarn": "yarn add -D netlify-cli",
    "bun": "bun add -d netlify-cli",
}
# `netlify dev`, `npx netlify dev --offline`, `ntl dev`, `netlify-cli dev`: one server for both.
_NETLIFY_DEV = re.compile(r"(?:^|[\s/;&|(])(?:netlify|ntl|netlify-cli)\s+dev(?:\s|$)")


class FunctionsState(StrEnum):
    NONE = "none"  # the project has no Netlify functions: nothing to run
    SHARED = "with dev"  # `netlify dev` serves them at the dev URL
    NOT_INSTALLED = "not installed"  # no Netlify CLI in node_modules/.bin or on PATH
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    ATTACHED = "attached"  # something already answers at `[functions] url`
    CRASHED = "crashed"
    FAILED = "failed"


@dataclass(frozen=True)
class FunctionsServerChanged:
    """The functions server's state changed; `url` is where it answers (None: nowhere yet)."""

    state: FunctionsState
    detail: str
    url: str | None
    exit_code: int | None = None


class FunctionsServerError(DevServerError):
    """The functions server could not be started (the CLI missing, a start that failed)."""


class Publisher(Protocol):
    def publish(self, event: FunctionsServerChanged) -> None: ...


def install_hint(project: Project) -> str:
    """What to run so the project has the Netlify CLI, in its package manager's words."""
    return INSTALL.get(project.package_manager, INSTALL["npm"])


def has_functions(project: Project) -> bool:
    return any(r.source is RouteSource.FUNCTION for r in project.routes)


def netlify_dev_serves_functions(project: Project, settings: Settings) -> bool:
    """Is the dev command `netlify dev` (which serves the functions at the dev URL itself)?"""
    command = settings.dev.command or project.dev_script or ""
    return bool(_NETLIFY_DEV.search(command))


def find_netlify_cli(root: Path, which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The project's own CLI first (the version it pins), then one on PATH."""
    local = root / "node_modules" / ".bin" / "netlify"
    if local.is_file():
        return str(local.absolute())
    return which("netlify")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_DEV_STATES = {
    DevState.STOPPED: FunctionsState.STOPPED,
    DevState.STARTING: FunctionsState.STARTING,
    DevState.READY: FunctionsState.READY,
    DevState.ATTACHED: FunctionsState.ATTACHED,
    DevState.CRASHED: FunctionsState.CRASHED,
    DevState.FAILED: FunctionsState.FAILED,
}


class FunctionsServer:
    """Supervises the Netlify CLI's functions server for the engine; news goes out on the bus."""

    def __init__(
        self,
        project: Project,
        settings: Settings,
        bus: Publisher,
        *,
        on_lines: Callable[[Sequence[str]], None],
        which: Callable[[str], str | None] = shutil.which,
        pick_port: Callable[[], int] = free_port,
    ) -> None:
        self.project = project
        self.settings = settings
        self.bus = bus
        self._which = which
        self._pick_port = pick_port
        self._server = DevServer(
            project,
            settings,
            _Translator(self),
            on_lines=on_lines,
            locks=DevLocks(project.root, server="functions"),
            name="functions server",
        )
        self._url: str | None = settings.functions.url
        self.state = FunctionsState.STOPPED
        self.detail = "not started"
        self._classify(publish=False)  # nobody listens yet; watchers read `state` first

    # -- what the engine reads ---------------------------------------------------------------

    @property
    def needed(self) -> bool:
        """Does the project have functions that this server (not `netlify dev`) must serve?"""
        return has_functions(self.project) and not netlify_dev_serves_functions(
            self.project, self.settings
        )

    @property
    def url(self) -> str | None:
        """Where functions are sent: the running server, `[functions] url`, else nowhere yet."""
        if self.state is FunctionsState.SHARED:
            return self.settings.dev.url or self.settings.local.url
        return self._url

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def started_by_us(self) -> bool:
        return self._server.started_by_us

    @property
    def pid(self) -> int | None:
        return self._server.pid

    @property
    def tail(self) -> Sequence[str]:
        return tuple(self._server.tail)

    # -- driving -----------------------------------------------------------------------------

    async def ensure(self) -> FunctionsState:
        """Attach to `[functions] url` when it answers; otherwise start the CLI and wait for it."""
        self._classify()
        if self.state in (FunctionsState.NONE, FunctionsState.SHARED):
            return self.state
        if not self._server.running:
            configured = self.settings.functions.url
            if configured is not None and await answers(*host_port(configured)):
                self._point_at(configured, command=None)  # someone else's: attach, need no CLI
            else:
                self._prepare()  # raises (state NOT_INSTALLED) when there is no CLI
        try:
            await self._server.ensure()
        except DevServerError as exc:
            raise FunctionsServerError(str(exc)) from None
        return self.state

    async def probe(self) -> FunctionsState:
        """Attach when something answers at `[functions] url`; never start one."""
        self._classify()
        if self.state in (FunctionsState.NONE, FunctionsState.SHARED) or self._url is None:
            return self.state
        if not self._server.running:
            self._point_at(self._url, command=None)
        await self._server.probe()
        return self.state

    async def stop(self) -> None:
        await self._server.stop()

    def use(self) -> None:
        self._server.use()

    def done(self) -> None:
        self._server.done()

    async def restart(self) -> None:
        if not self._server.running:
            await self.ensure()
            return
        try:
            await self._server.restart()
        except DevServerError as exc:
            raise FunctionsServerError(str(exc)) from None

    def drain(self) -> None:
        self._server.drain()

    async def settle(self) -> None:
        # The CLI runs a function in a worker thread whose output reaches the main thread's
        # stdout asynchronously: a function's last line can follow the CLI's own `Done
        # executing` marker or its response line by a few milliseconds (seen with 27.10.2).
        await self._server.settle(quiet_s=0.1, most_s=1.0)

    def reload(self, project: Project) -> None:
        self.project = project
        self._server.project = project
        if not self._server.running:
            self._classify()

    # -- inside ------------------------------------------------------------------------------

    def _classify(self, publish: bool = True) -> None:
        """NONE and SHARED are decided by the project, not by a process."""
        if not has_functions(self.project):
            news = (FunctionsState.NONE, "the project has no Netlify functions")
        elif netlify_dev_serves_functions(self.project, self.settings):
            news = (FunctionsState.SHARED, "`netlify dev` serves the functions at the dev URL")
        elif self.state in (FunctionsState.NONE, FunctionsState.SHARED):
            news = (FunctionsState.STOPPED, "not started")
        else:
            return
        if publish:
            self._set(*news)
        else:
            self.state, self.detail = news

    def _prepare(self) -> None:
        """Resolve the command and its port; hand both to the supervisor as its dev command."""
        configured = self.settings.functions
        if configured.url is not None:
            port = host_port(configured.url)[1]
            url = configured.url
        else:
            port = self._pick_port()
            url = f"http://127.0.0.1:{port}"
        if configured.command is not None:
            command = configured.command.replace("{port}", str(port))
        else:
            cli = find_netlify_cli(self.project.root, self._which)
            if cli is None:
                message = (
                    f"the Netlify CLI is not installed in {self.project.root}: run "
                    f"`{install_hint(self.project)}` there to run its Netlify functions locally"
                )
                self._set(
                    FunctionsState.NOT_INSTALLED, f"not installed: {install_hint(self.project)}"
                )
                raise FunctionsServerError(message)
            # exec: the CLI itself is the guard's child, no shell left in between.
            command = "exec " + DEFAULT_COMMAND.replace("netlify", shlex.quote(cli), 1).replace(
                "{port}", str(port)
            )
        self._point_at(url, command)

    def _point_at(self, url: str, command: str | None) -> None:
        self._url = url
        dev = DevSettings(command=command, url=url, start_timeout=self.settings.dev.start_timeout)
        self._server.settings = replace(self.settings, dev=dev)

    def _from_dev(self, event: DevServerChanged) -> None:
        self._set(_DEV_STATES[event.state], event.detail, event.exit_code)

    def _set(self, state: FunctionsState, detail: str, exit_code: int | None = None) -> None:
        if (state, detail) == (self.state, self.detail):
            return
        self.state = state
        self.detail = detail
        self.bus.publish(FunctionsServerChanged(state, detail, self.url, exit_code))


class _Translator:
    """The bus the inner supervisor publishes to: its news becomes the functions server's."""

    def __init__(self, owner: FunctionsServer) -> None:
        self._owner = owner

    def publish(self, event: DevServerChanged) -> None:
        self._owner._from_dev(event)
