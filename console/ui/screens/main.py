"""The main screen: lays out the panels and keeps them in step with the engine's state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, tzinfo

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget

from console.engine import DevState, FunctionsState, LogLine, RunProgress
from console.model import Project, Run, Severity, Target, TargetKind
from console.settings import Settings
from console.ui.bindings import Scope, bindings
from console.ui.inbox import Batch
from console.ui.ports import Clock, EnginePort
from console.ui.screens.main_actions import MainActions
from console.ui.view import (
    Zoom,
    last_runs_by_route,
    next_fire_map,
    order_runs,
    panel_heights,
    route_rows,
    short_name,
    timeline_window,
)
from console.ui.widgets.header import HeaderBar, HeaderState
from console.ui.widgets.keys_footer import KeysFooter
from console.ui.widgets.log_panel import LogPanel
from console.ui.widgets.routes import RoutesPanel
from console.ui.widgets.runs import RunsPanel

RECENT_RUNS = 50
PANELS = ("routes", "runs", "logs")  # what the number keys 1, 2, 3 focus, in screen order


class MainScreen(MainActions, Screen[None]):
    """Owns the view state (target, runs, zoom) and hands each panel what it shows."""

    BINDINGS = bindings(Scope.SCREEN)
    AUTO_FOCUS = "#routes-table"

    def __init__(self, engine: EnginePort, clock: Clock, tz: tzinfo, target: Target) -> None:
        super().__init__(id="main")
        self.engine = engine
        self.clock = clock
        self.tz = tz
        self.target = target
        self.zoom = Zoom.DAY
        self.runs: dict[str, Run] = {}
        self.dev_state: DevState | None = engine.dev.state if engine.dev else None
        self.dev_detail = ""
        self.dev_warning: str | None = None
        functions = engine.functions
        self.functions_state: FunctionsState | None = functions.state if functions else None
        self.functions_detail = functions.detail if functions else ""
        self.scheduler_on = engine.scheduler.enabled
        self.scheduler_holder: int | None = None
        self._next_fires: dict[str, datetime | None] = {}
        self._minute: tuple[int, int, int, int] | None = None
        self._window: tuple[datetime, datetime] | None = None
        self.zoomed: str | None = None  # the id of the panel shown alone (Z), or None
        self.discovering = False  # the project's routes are still being discovered

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield RoutesPanel(id="routes")
        yield RunsPanel(id="runs")
        yield LogPanel(self.engine.settings.ui.max_log_lines, id="logs")
        yield KeysFooter()

    # --- layout: each panel as tall as its content, the routes table takes what is left -----

    def on_resize(self, event: events.Resize) -> None:
        self.layout_panels()

    def layout_panels(self) -> None:
        """Give each panel its rows: the runs panel what its runs need, the routes table the
        rest up to its routes, the log what is left; or the zoomed panel all of them."""
        rows = self.size.height - 2  # header and footer
        if rows <= 0:
            return
        panels: dict[str, Widget] = {
            "routes": self.routes_panel,
            "runs": self.runs_panel,
            "logs": self.log_panel,
        }
        if self.zoomed is not None:
            for name, panel in panels.items():
                panel.display = name == self.zoomed
                panel.styles.height = rows
            return
        heights = panel_heights(
            rows, self.routes_panel.wanted_height, self.runs_panel.wanted_height
        )
        for panel in panels.values():
            panel.display = True
        self.routes_panel.styles.height = heights.routes
        self.runs_panel.styles.height = heights.runs
        self.log_panel.styles.height = heights.log

    def focused_panel(self) -> str | None:
        """The panel that holds the focus (its id), if any does."""
        node = self.focused
        while node is not None and node is not self:
            if node.id in PANELS:
                return node.id
            node = node.parent  # type: ignore[assignment]
        return None

    def on_mount(self) -> None:
        dev = self.engine.dev
        self.dev_state = dev.state if dev is not None else None
        self.scheduler_on = self.engine.scheduler.enabled
        self._refresh_header(self.now)  # the rest comes with load(), once the layout is known

    def load(self) -> None:
        """Show the runs history has (after the engine marked a dead process's runs)."""
        runs = list(self.engine.recent_runs(RECENT_RUNS)) + list(self.engine.active_runs())
        self.runs = {r.id: r for r in runs}
        self._refresh_all()

    def _refresh_all(self) -> None:
        now = self.now
        self._next_fires = next_fire_map(self.engine.project.routes, now)
        self._minute = (now.day, now.hour, now.minute, 0)
        self._refresh_header(now)
        self._refresh_timeline(now)
        self._refresh_routes(now)
        self._refresh_runs(now)

    def _refresh_header(self, now: datetime) -> None:
        problems = self.engine.project.problems
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        self.query_one(HeaderBar).state = HeaderState(
            project=self.engine.project.name,
            target=self.target,
            dev=self.dev_state,
            dev_detail=self.dev_detail,
            dev_warning=self.dev_warning,
            scheduler=self.scheduler_on,
            scheduler_holder=self.scheduler_holder,
            errors=errors,
            warnings=len(problems) - errors,
            now=now,
            tz=self.tz,
            functions=self.functions_state,
            functions_detail=self.functions_detail,
        )

    def _refresh_routes(self, now: datetime) -> None:
        rows = route_rows(
            self.engine.project,
            self.target,
            self._next_fires,
            last_runs_by_route(self.runs.values()),
            functions_served=self.engine.serves_functions(self.target),
        )
        panel = self.routes_panel
        panel.discovering = self.discovering
        panel.show(rows, now, self.tz)
        self.layout_panels()
        panel.border_subtitle = {
            TargetKind.PRODUCTION: "scheduled routes run on schedule only",
            TargetKind.PREVIEW: "scheduled routes do not run on previews",
        }.get(self.target.kind, "")

    def _refresh_runs(self, now: datetime, select: str | None = None) -> None:
        ordered = order_runs(self.runs.values(), RECENT_RUNS, now)
        self.runs = {r.id: r for r in ordered}
        self.log_view.run_names = {r.id: short_name(r.route) for r in ordered}
        self.runs_panel.show(ordered, now, self._progress(), select)
        self.layout_panels()

    def _progress(self) -> dict[str, RunProgress]:
        """The engine's deadlines and retry times of the runs it drives now."""
        out = {}
        for run in self.runs.values():
            if not run.state.final and (p := self.engine.progress(run.id)) is not None:
                out[run.id] = p
        return out

    def _refresh_timeline(self, now: datetime) -> None:
        """The span of the routes' timeline strips (24 hours or 7 days from about now)."""
        start, end = timeline_window(now, self.zoom)
        self._window = (start, end)
        self.routes_panel.set_window(start, end, now, str(self.zoom))

    # --- what the app feeds in --------------------------------------------------------------

    def tick(self) -> None:
        """Called a few times a second: clocks, countdowns, the now line, a new minute."""
        now = self.now
        self._refresh_header(now)
        self.runs_panel.tick(now, self._progress())
        self.routes_panel.tick(now)
        minute = (now.day, now.hour, now.minute, 0)
        if minute != self._minute:
            self._minute = minute
            self._next_fires = next_fire_map(self.engine.project.routes, now)
            self._refresh_routes(now)
            if self._window is None or timeline_window(now, self.zoom) != self._window:
                self._refresh_timeline(now)

    def apply_batch(self, batch: Batch) -> None:
        """Everything the engine said since the last frame, in one go."""
        now = self.now
        if batch.runs:  # first, so that the log can name the runs its lines belong to
            self._runs_changed(batch.runs, now)
        if batch.lines or batch.dropped:
            self.log_view.add(_log_rows(batch.lines), batch.dropped)
        if batch.skipped:
            self.log_view.add(
                (s.at, "console", None, f"scheduler skipped {s.route}: {s.reason}")
                for s in batch.skipped
            )
        header = False
        if batch.dev is not None:
            self.dev_state = batch.dev.state
            self.dev_detail = batch.dev.detail
            if batch.dev.warning and batch.dev.warning != self.dev_warning:
                self.notify(batch.dev.warning, severity="warning", timeout=10)
            self.dev_warning = batch.dev.warning
            header = True
        if batch.functions is not None:
            self.functions_state = batch.functions.state
            self.functions_detail = batch.functions.detail
            header = True
            self._refresh_routes(now)  # function rows say whether anything serves them
        if batch.scheduler is not None:
            self.scheduler_on = batch.scheduler
            self.scheduler_holder = batch.scheduler_holder
            header = True
        if header:
            self._refresh_header(now)

    def _runs_changed(self, runs: list[Run], now: datetime, select: str | None = None) -> None:
        before = last_runs_by_route(self.runs.values())
        for run in runs:
            self.runs[run.id] = run
        self._refresh_runs(now, select)
        after = last_runs_by_route(self.runs.values())
        changed = {
            route: run.state
            for route, run in after.items()
            if route not in before or before[route].state is not run.state
        }
        if changed:
            panel = self.routes_panel
            panel.show(
                [
                    replace(row, last_state=changed[row.route.route])
                    if row.route.route in changed
                    else row
                    for row in panel.rows
                ],
                now,
                self.tz,
            )

    def project_changed(self, project: Project) -> None:
        """Route files changed on disk, or the first discovery is done: the engine has the new
        project; redraw what depends on it."""
        first = self.discovering
        self.discovering = False
        self._refresh_all()
        if not first:
            self.notify(f"Routes reloaded: {len(project.routes)} routes.", timeout=3)
        # The screen opens before discovery (first look: no routes yet), so whether the project
        # has Netlify functions, and so needs the functions server beside the dev server, is
        # known only now; a first function file added later counts the same.
        functions = self.engine.functions
        if functions is not None and functions.needed and functions.state is FunctionsState.STOPPED:
            if getattr(self.app, "start_dev", False):
                self._functions(restart=False)
            elif getattr(self.app, "probe_dev", False):
                self._probe_dev()

    def settings_changed(self, settings: Settings) -> None:
        """console.toml changed: keep the current target by name (its URL or kind may have
        changed); back to local when it is gone. Says what it did in one line."""
        names = ", ".join(f"{t.name} ({t.kind})" for t in settings.targets) or "local only"
        same = next((t for t in settings.targets if t.name == self.target.name), None)
        if same is None and self.target.kind is TargetKind.LOCAL:
            same = settings.local  # the default local target, not named in the file
        if same is None:
            target = settings.local
            self.notify(
                f"console.toml reloaded: target {self.target.name} is gone, back to "
                f"{target.name}. Targets: {names}.",
                severity="warning",
            )
        else:
            target = same
            self.notify(f"console.toml reloaded. Targets: {names}.", timeout=4)
        self.set_target(target)

    def set_target(self, target: Target) -> None:
        self.target = target
        now = self.now
        self._refresh_header(now)
        self._refresh_routes(now)


def _log_rows(lines: Iterable[LogLine]) -> Iterable[tuple[datetime, str, str | None, str]]:
    return ((line.at, line.source, line.run_id, line.text) for line in lines)
