"""The console app and its one factory, used by `console open`, the tests, snapshots and screenshots."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterable
from datetime import tzinfo
from functools import partial

from textual import work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender

from console.engine import SystemClock
from console.errors import ConsoleError, SettingsError
from console.model import RunState, Target, TargetKind
from console.settings import Settings
from console.ui.bindings import Scope, bindings, keys_for, palette_keys, unknown_ids
from console.ui.inbox import EventInbox
from console.ui.no_color import use_readable_monochrome
from console.ui.ports import Clock, EnginePort, Update
from console.ui.screens.help import HelpScreen
from console.ui.screens.main import MainScreen
from console.ui.screens.quit_dialog import QuitDialog

FLUSH_SECONDS = 0.05  # how often engine events reach the widgets (20 frames a second at most)
TICK_SECONDS = 0.25  # how often clocks and countdowns move


class WholeCellScrollBar(ScrollBarRender):
    """A scrollbar whose thumb starts and ends on whole cells (no partial-block glyphs)."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


class ConsoleApp(App[int]):
    """Shows the engine's state and turns keys into engine calls. Owns the engine's lifecycle."""

    CSS_PATH = "app.tcss"
    TITLE = "console"
    BINDINGS = bindings(Scope.APP)

    def __init__(
        self,
        engine: EnginePort,
        *,
        clock: Clock,
        tz: tzinfo,
        target: Target,
        start_dev: bool,
        project_updates: AsyncIterator[Update] | None,
        probe_dev: bool = True,
        flush_seconds: float = FLUSH_SECONDS,
        tick_seconds: float = TICK_SECONDS,
        freeze_gc: bool = False,
        discovering: bool = False,
    ) -> None:
        super().__init__()
        use_readable_monochrome(self)  # NO_COLOR: greys that can still be read
        # Textual draws a scrollbar thumb's ends with eighth-cell glyphs (▌ ▋ ▂): inside the
        # log and the tables they read as stray characters. Whole cells only.
        ScrollBar.renderer = WholeCellScrollBar
        self.freeze_gc = freeze_gc
        self.engine = engine
        self.clock = clock
        self.tz = tz
        self.initial_target = target
        self.start_dev = start_dev
        self.probe_dev = probe_dev
        self.project_updates = project_updates
        self.flush_seconds = flush_seconds
        self.tick_seconds = tick_seconds
        self.inbox = EventInbox(engine.settings.ui.max_log_lines)
        self._unsubscribe = engine.bus.subscribe(self.inbox)
        self._engine_open = False
        self.main = MainScreen(engine, clock, tz, target)
        # `console open` closes the engine itself once the terminal is back to normal, so
        # that quitting does not wait on the screen for runs to be cancelled.
        self.close_after_exit = False
        self.signalled: int | None = None
        self.main.discovering = discovering  # the routes come with the first project update

    def get_default_screen(self) -> Screen[None]:
        return self.main

    async def on_mount(self) -> None:
        self._apply_keys()
        await self.engine.start()
        self._engine_open = True

    def on_ready(self) -> None:
        """The screen is up: load the runs, start the clocks, the dev server and the watcher."""
        self.main.load()
        # Runs that `console trigger` in another shell records show here too, with their lines.
        self.engine.watch_peers()
        if self.freeze_gc:
            # The widgets built so far live as long as the app: keep them out of the collector's
            # full passes, which otherwise pause a log burst by 50 ms at a time (bench/ui.py).
            gc.freeze()
        # On the screen, not the app: the timers stop with the widgets they feed at shutdown.
        self.main.set_interval(self.flush_seconds, self.flush)
        self.main.set_interval(self.tick_seconds, self.main.tick)
        self.engine.scheduler.watch()  # who holds the scheduler, for the header
        if self.engine.dev is not None:
            if self.start_dev:
                self.main._dev(restart=False)
            elif self.probe_dev:
                self.main._probe_dev()
        if self.project_updates is not None:
            self._watch(self.project_updates)

    def flush(self) -> None:
        """Hand the engine's events gathered since the last frame to the screen."""
        batch = self.inbox.drain()
        if batch is not None:
            self.main.apply_batch(batch)

    def _apply_keys(self) -> None:
        keys = dict(self.engine.settings.keys)
        self.set_keymap(keys)
        if bad := unknown_ids(keys):
            self.notify(
                f"console.toml [keys]: unknown id {', '.join(bad)}; see ? for the ids.",
                severity="warning",
            )

    @work(group="watch")
    async def _watch(self, updates: AsyncIterator[Update]) -> None:
        try:
            async for update in updates:
                if isinstance(update, SettingsError):
                    # One line; what was good stays in use (a half-typed file is common).
                    self.notify(
                        f"{update}; the last good settings stay in use.", severity="warning"
                    )
                elif isinstance(update, Settings):
                    self.settings_changed(update)
                else:
                    self.engine.reload_project(update)
                    self.main.project_changed(update)
        except ConsoleError as exc:
            self.notify(f"Route files are no longer watched: {exc}", severity="warning")

    def settings_changed(self, settings: Settings) -> None:
        """console.toml changed: new targets and keys at once, no restart."""
        if settings == self.engine.settings:
            return  # saved again unchanged, or the watcher saw one write twice
        keys_changed = dict(settings.keys) != dict(self.engine.settings.keys)
        self.engine.reload_settings(settings)
        if keys_changed:
            self._apply_keys()
        self.main.settings_changed(settings)

    async def close_engine(self, reason: str | None = None, *, promptly: bool = False) -> None:
        """Stop runs and the dev server we started; safe to call more than once."""
        self._unsubscribe()
        if self._engine_open:
            self._engine_open = False
            await self.engine.close(reason, promptly=promptly)

    async def action_quit(self) -> None:
        """Quit now, whatever is going on (a dev server still starting included); with runs in
        flight, ask once first. The engine closes after the screen has gone (on_unmount, or
        `console open` once the terminal is restored)."""
        if isinstance(self.screen, QuitDialog):
            self.screen.dismiss(True)  # q again: yes
            return
        active = [
            r
            for r in self.engine.active_runs()
            if not r.state.final
            and not (r.state is RunState.ACCEPTED and r.target_kind is not TargetKind.LOCAL)
        ]
        if not active:
            self.exit(0)
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit(0)

        self.push_screen(QuitDialog(len(active)), answered)

    def exit_on_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP: leave the screen (the terminal is restored), exit 128 + signum."""
        self.signalled = signum
        self.exit(128 + signum)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notifications quote routes, schedules and errors: text, never markup
        (`/api/users/[id]` would lose its `[id]`, and a stray `[/]` would crash the app)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c (Textual's reflex guard): say in plain words which key quits, after [keys].

        Textual's own notice is markup (`Press [b]ctrl+q[/b]`), which `notify` shows as text, and
        names ctrl+q, which this app does not bind."""
        keys = keys_for("quit", self.engine.settings.keys)
        shown = " or ".join(keys) if keys else "ctrl+q"
        self.notify(f"Press {shown} to quit the console.", title="Do you want to quit?")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.engine.settings.keys))

    async def on_unmount(self) -> None:
        if not self.close_after_exit:
            await self.close_engine()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the bindings table, with the same description, then Textual's own."""
        keymap = self.engine.settings.keys
        for key in palette_keys():
            node = self if key.scope is Scope.APP else self.main
            shown = " ".join(keys_for(key.id, keymap))
            yield SystemCommand(
                key.description, f"key: {shown}", partial(self.run_action, key.action, node)
            )
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command


def create_app(
    engine: EnginePort,
    *,
    clock: Clock | None = None,
    tz: tzinfo | None = None,
    target: str | None = None,
    start_dev: bool = True,
    probe_dev: bool = True,
    project_updates: AsyncIterator[Update] | None = None,
    flush_seconds: float = FLUSH_SECONDS,
    tick_seconds: float = TICK_SECONDS,
    freeze_gc: bool = False,
    discovering: bool = False,
) -> ConsoleApp:
    """The app over `engine`: `target` names where triggers go first (default: local).

    `start_dev` starts (or attaches to) the dev server; without it, `probe_dev` still looks
    whether one answers, so the header can say "attached" (off in snapshots: no network).
    """
    settings = engine.settings
    start = settings.target(target) if target else settings.local
    return ConsoleApp(
        engine,
        clock=clock or SystemClock(),
        tz=tz or _local_zone(),
        target=start,
        start_dev=start_dev,
        probe_dev=probe_dev,
        project_updates=project_updates,
        flush_seconds=flush_seconds,
        tick_seconds=tick_seconds,
        freeze_gc=freeze_gc,
        discovering=discovering,
    )


def _local_zone() -> tzinfo:
    from datetime import datetime

    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone
