"""`console open`: build the project, settings, history and engine, then show the console screen."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from console.commands._common import load_project
from console.engine import Engine, RunStore, history_path
from console.errors import ConsoleError, NotASiteError, SettingsError
from console.model import Project
from console.settings import FILE_NAME, Settings, load_settings, settings_path

log = logging.getLogger(__name__)

# What discovery reads: a change to anything else (a page, a style, a build output) is not ours.
WATCHED_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts", ".toml", ".json")
IGNORED_DIRS = {"node_modules", ".next", ".netlify", ".console", ".git", ".turbo", "out"}


def run(args: argparse.Namespace) -> int:
    try:
        project = load_project(args.project, "open")
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
    return asyncio.run(_open(project, settings, args))


async def _open(project: Project, settings: Settings, args: argparse.Namespace) -> int:
    from console.ui.app import create_app

    store = RunStore(history_path(project.root), settings.history)
    engine = Engine(project, settings, store)  # with its dev server supervisor, inert until asked
    app = create_app(
        engine,
        target=args.target,
        start_dev=not args.no_dev,
        project_updates=watch_project(project.root, settings=True),
        freeze_gc=True,  # one app per process here: see ConsoleApp.on_ready
    )
    try:
        await app.run_async()
    finally:
        # Also on a crash of the screen: runs are cancelled and a dev server we started stops.
        await app.close_engine()
        store.close()
    return app.return_code or 0


def pick_site(error: NotASiteError) -> str | None:
    """At a monorepo root in a terminal: the site the user picks (None: they left)."""
    from console.ui.site_picker import SitePickerApp

    return SitePickerApp(error.folder, error.sites).run()


def _relevant(path: str) -> bool:
    parts = Path(path).parts
    return path.endswith(WATCHED_SUFFIXES) and not IGNORED_DIRS.intersection(parts)


async def watch_project(
    root: Path, *, settings: bool = False
) -> AsyncIterator[Project | Settings | SettingsError]:
    """The project again, each time a file discovery reads changes (debounced by watchfiles);
    with `settings`, also console.toml again when it changes (a `console target add` in another
    shell), or the SettingsError that says why the new one cannot be used."""
    from watchfiles import awatch

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
            yield await asyncio.to_thread(_discover, root)
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
