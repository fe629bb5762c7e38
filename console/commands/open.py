"""`console open`: build the project, settings, history and engine, then show the console screen."""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.commands._common import load_project
from console.engine import Engine, RunStore, history_path
from console.errors import ConsoleError, NotASiteError, SettingsError
from console.model import Project
from console.settings import FILE_NAME, Settings, load_settings, settings_path

if TYPE_CHECKING:  # the screen (textual) is imported only when it opens
    from console.ui.app import ConsoleApp

log = logging.getLogger(__name__)

# What discovery reads: a change to anything else (a page, a style, a build output) is not ours.
WATCHED_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts", ".toml", ".json")
LOCK_NAMES = ("pnpm-lock.yaml", "yarn.lock")  # the runtime is read from them too
IGNORED_DIRS = {"node_modules", ".next", ".netlify", ".console", ".git", ".turbo", "out"}


def run(args: argparse.Namespace) -> int:
    # A Next site opens before its routes are known: they come from discovery in a process of
    # its own once the screen is up (50,000 route files took 13 s before the first frame). Only
    # a folder that might not be a site at all is discovered first, to get its one sentence.
    from console.project import first_look

    first = first_look(Path(args.project))
    try:
        project = first if first is not None else load_project(args.project, "open")
    except NotASiteError as exc:
        chosen = pick_site(exc) if sys.stdin.isatty() and sys.stdout.isatty() else None
        if chosen is None:
            raise
        project = load_project(str(Path(args.project) / chosen), "open")
    settings = load_settings(project.root)
    if args.target:
        settings.target(args.target)  # an unknown name is a usage error before the screen opens
    if args.reset_history:
        from console.commands.history import report_reset

        report_reset(history_path(project.root))
    return asyncio.run(_open(project, settings, args, discovered=first is None))


async def _open(
    project: Project, settings: Settings, args: argparse.Namespace, *, discovered: bool = True
) -> int:
    from console.ui.app import create_app

    store = RunStore(history_path(project.root), settings.history)
    engine = Engine(project, settings, store)  # with its dev server supervisor, inert until asked
    process = DiscoveryProcess()
    app = create_app(
        engine,
        target=args.target,
        start_dev=not args.no_dev,
        project_updates=watch_project(
            project.root, settings=True, discover_first=not discovered, process=process
        ),
        discovering=not discovered,
        freeze_gc=True,  # one app per process here: see ConsoleApp.on_ready
    )
    app.close_after_exit = True  # below, once the terminal is restored
    with exit_on_signals(app):
        try:
            try:
                await app.run_async()
            except OSError:
                # Restoring a terminal that hung up fails (EIO): nothing left to restore.
                if app.signalled is None:
                    raise
        finally:
            # Also on a crash of the screen or a signal: runs are cancelled (with the reason)
            # and a dev server we started stops; on a signal without waiting for other
            # processes' runs on it.
            sig = app.signalled
            reason = None if sig is None else SIGNAL_REASONS.get(sig, f"signal {sig}")
            await app.close_engine(reason, promptly=sig is not None)
            process.close()
            store.close()
    if app.signalled is not None:
        return 128 + app.signalled  # 143 for SIGTERM, 129 for SIGHUP (a closed terminal)
    return app.return_code or 0


def pick_site(error: NotASiteError) -> str | None:
    """At a monorepo root in a terminal: the site the user picks (None: they left)."""
    from console.ui.site_picker import SitePickerApp

    return SitePickerApp(error.folder, error.sites).run()


SIGNAL_REASONS: dict[int, str] = {
    signal.SIGTERM.value: "the console received SIGTERM",
    signal.SIGHUP.value: "the console received SIGHUP (its terminal closed)",
}
HANGUP_POLL_S = 0.5


@contextmanager
def exit_on_signals(app: ConsoleApp) -> Iterator[None]:
    """SIGTERM and SIGHUP leave the screen as `q` does instead of killing the process where it
    stands (the terminal was left in the alternate screen with mouse reporting on, runs
    `running`). A closed terminal sends SIGHUP, through the shell; when nothing forwards it
    (a shell that ignores it), the terminal is seen gone (EIO) and treated the same."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            loop.add_signal_handler(sig, app.exit_on_signal, int(sig))
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not on this platform, or not the main thread
        installed.append(sig)
    watchdog = loop.create_task(_watch_terminal(app), name="terminal-hangup")
    try:
        yield
    finally:
        watchdog.cancel()
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _watch_terminal(app: ConsoleApp) -> None:
    """A hung-up terminal reads as end-of-file for ever (Textual's input thread then spins) and
    answers EIO to any ioctl: look now and then, and leave as on SIGHUP."""
    import sys
    import termios

    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
    except (OSError, ValueError):
        return
    if fd < 0 or not os.isatty(fd):
        return
    while app.signalled is None:
        await asyncio.sleep(HANGUP_POLL_S)
        try:
            termios.tcgetattr(fd)
        except termios.error:
            app.exit_on_signal(int(signal.SIGHUP))
            return


def _relevant(path: str) -> bool:
    parts = Path(path).parts
    watched = path.endswith(WATCHED_SUFFIXES) or Path(path).name in LOCK_NAMES
    return watched and not IGNORED_DIRS.intersection(parts)


class DiscoveryProcess:
    """Discovery in a child process of its own, kept for the session.

    In a thread of the screen's process, 50,000 route files held the GIL for seconds: the event
    loop, which gives the GIL up at every select, waited up to 5 ms to get it back each time,
    and the first frame came after discovery all the same. A process shares no GIL and keeps
    the per-file cache warm between reloads (it lives in that process); its memory peak stays
    there too. Spawned, not forked: the screen's process has threads."""

    def __init__(self) -> None:
        # Started here, before the screen: Textual replaces sys.stderr with an object whose
        # fileno() is -1, and multiprocessing hands stderr's descriptor to its helper process.
        self._pool: multiprocessing.pool.Pool | None = multiprocessing.get_context("spawn").Pool(1)

    async def discover(self, root: Path) -> Project:
        from console.project import discover

        if self._pool is None:
            raise ConsoleError("route discovery has stopped")
        # The pool's result thread hands the answer to the loop: no thread of ours waits on it
        # (one waiting on a discovery the quit cut short kept the process from exiting).
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Project] = loop.create_future()

        def settle(ok: bool, value: Any) -> None:  # on the loop
            if answer.done():
                return
            if ok:
                answer.set_result(value)
            else:
                answer.set_exception(value)

        def hand_over(ok: bool, value: Any) -> None:  # on the pool's result thread
            with suppress(RuntimeError):  # the loop has closed: nobody waits
                loop.call_soon_threadsafe(settle, ok, value)

        self._pool.apply_async(
            discover,
            (root,),
            callback=lambda project: hand_over(True, project),
            error_callback=lambda exc: hand_over(False, exc),
        )
        return await answer

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()  # a discovery still going is of no use any more
            self._pool = None


async def watch_project(
    root: Path,
    *,
    settings: bool = False,
    discover_first: bool = False,
    process: DiscoveryProcess | None = None,
) -> AsyncIterator[Project | Settings | SettingsError]:
    """The project again, each time a file discovery reads changes (debounced by watchfiles);
    with `settings`, also console.toml again when it changes (a `console target add` in another
    shell), or the SettingsError that says why the new one cannot be used. With
    `discover_first`, the project as discovery finds it now, before any change; with a
    `process`, discovery runs there instead of in a thread."""
    from watchfiles import awatch

    async def rediscover() -> Project:
        if process is not None:
            return await process.discover(root)
        return await asyncio.to_thread(_discover, root)

    if discover_first:
        # A ConsoleError goes up to the screen, which says it in one sentence.
        yield await rediscover()
    toml = settings_path(root).resolve()

    def wanted(_change: object, path: str) -> bool:
        return _relevant(path) or (settings and Path(path).name == FILE_NAME)

    async for changes in awatch(root, watch_filter=wanted):
        paths = {Path(path) for _, path in changes}
        if settings and any(_same(p, toml) for p in paths):
            try:
                yield await asyncio.to_thread(load_settings, root)
            except SettingsError as exc:
                yield exc  # the screen keeps the last good settings and says why
        if not any(_relevant(str(p)) and not _same(p, toml) for p in paths):
            continue
        try:
            # Discovery parses files with tree-sitter: off the event loop, so keys stay quick.
            yield await rediscover()
        except ConsoleError as exc:
            log.info("routes not reloaded: %s", exc)
        except Exception:  # a bug in discovery must not take the screen down with it
            log.exception("routes not reloaded")


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other
    except OSError:
        return False


def _discover(root: Path) -> Project:
    from console.project import discover

    return discover(root)
