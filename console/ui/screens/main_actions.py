"""What each key does on the main screen. Every request goes through `_send`, so none skips the
production confirm; I/O happens in workers that call one engine method each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo

from textual import work
from textual.screen import Screen

from console.engine import DevState, RunRequest
from console.errors import ConsoleError
from console.model import Route, RouteKind, Run, RunState, Target, TargetKind
from console.schedule import next_fires
from console.ui.ports import Clock, EnginePort
from console.ui.screens.dialogs import ConfirmDialog
from console.ui.screens.next_fires import NextFiresDialog
from console.ui.screens.problems import ProblemsScreen
from console.ui.screens.request_dialog import RequestDialog
from console.ui.screens.run_detail import LINES_EXACT, LINES_GUESSED, RunDetailScreen
from console.ui.screens.targets import TargetPicker, target_choices
from console.ui.view import (
    DEFAULT_METHOD,
    Zoom,
    function_note,
    next_target,
    request_url,
    route_note,
    schedule_description,
)
from console.ui.widgets.log_panel import LogPanel
from console.ui.widgets.log_view import LogView
from console.ui.widgets.routes import RoutesPanel
from console.ui.widgets.runs import RunsPanel

NEXT_FIRES = 10


class MainActions(Screen[None]):
    """The actions of the main screen; `MainScreen` adds the layout and the state feed."""

    engine: EnginePort
    clock: Clock
    tz: tzinfo
    target: Target
    zoom: Zoom
    runs: dict[str, Run]

    @property
    def routes_panel(self) -> RoutesPanel:
        return self.query_one(RoutesPanel)

    @property
    def runs_panel(self) -> RunsPanel:
        return self.query_one(RunsPanel)

    @property
    def log_panel(self) -> LogPanel:
        return self.query_one(LogPanel)

    @property
    def log_view(self) -> LogView:
        return self.query_one(LogView)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    # Defined by MainScreen, which owns the view state.
    def set_target(self, target: Target) -> None:
        raise NotImplementedError

    def _refresh_timeline(self, now: datetime) -> None:
        raise NotImplementedError

    def _runs_changed(self, runs: list[Run], now: datetime, select: str | None = None) -> None:
        raise NotImplementedError

    zoomed: str | None

    def layout_panels(self) -> None:
        raise NotImplementedError

    def focused_panel(self) -> str | None:
        raise NotImplementedError

    # --- routes -----------------------------------------------------------------------------

    def _selected_route(self) -> Route | None:
        row = self.routes_panel.selected
        if row is None:
            self.notify("No route selected.", severity="warning")
            return None
        return row.route

    def _selected_run(self) -> Run | None:
        run = self.runs_panel.selected
        if run is None:
            self.notify("No run selected.", severity="warning")
        return run

    def action_filter_routes(self) -> None:
        self.routes_panel.open_filter()

    def action_trigger(self) -> None:
        route = self._selected_route()
        if route is not None:
            self._trigger(route, self.target, ask=bool(route.params))

    def action_trigger_request(self) -> None:
        route = self._selected_route()
        if route is not None:
            self._trigger(route, self.target, ask=True)

    def _last_request(self, route: Route) -> RunRequest | None:
        """The request of the route's newest run in history (what the dialog starts from)."""
        try:
            return self.engine.last_request(route)
        except ConsoleError:
            return None  # an unreadable history: the dialog starts empty

    @work(group="send")
    async def _trigger(self, route: Route, target: Target, ask: bool) -> None:
        note = route_note(route, target)
        if note is not None:
            self.notify(f"{route.route} {note}: nothing sent.", severity="warning")
            return
        if (why := function_note(route, self.engine.serves_functions(target))) is not None:
            # Sent anyway (the answer is worth seeing), but nobody is surprised by the 404.
            self.notify(f"{route.route} {why}: {target.url} is next dev alone.", severity="warning")
        request = RunRequest()
        if ask:
            asked = await self.app.push_screen_wait(RequestDialog(route, self._last_request(route)))
            if asked is None:
                self.notify("Nothing sent.")
                return
            request = asked
        try:
            # What submit would refuse (a missing variable for a header) is said before asking.
            self.engine.check(route, target, request)
        except ConsoleError as exc:
            self.notify(str(exc), severity="error")
            return
        method = request.method or DEFAULT_METHOD[route.kind]
        if route.kind is RouteKind.SCHEDULED:
            method = "POST"  # the platform's, whatever was asked
        url = request_url(target, route, request.params, request.query)
        confirmed = await self._confirm(route.route, method, url, target)
        if confirmed is None:
            return
        send = replace(request, confirmed=confirmed)
        self._sent(lambda: self.engine.submit(route, target, send))

    async def _confirm(self, route: str, method: str, url: str, target: Target) -> bool | None:
        """False when no confirm is needed, True when confirmed, None when the user said no."""
        if target.kind is not TargetKind.PRODUCTION:
            return False
        dialog = ConfirmDialog(route, method, url, target.name)
        if await self.app.push_screen_wait(dialog):
            return True
        self.notify("Not sent to production.")
        return None

    def _sent(self, send: Callable[[], Run]) -> None:
        try:
            run = send()
        except ConsoleError as exc:
            self.notify(str(exc), severity="error")
            return
        if run.state is RunState.REFUSED:
            self.notify(f"Refused: {run.reason or 'the console will not send this'}.")
        self._runs_changed([run], self.now, run.id)

    def action_next_fires(self) -> None:
        route = self._selected_route()
        if route is None:
            return
        if not route.schedule:
            self.notify(f"{route.route} is not scheduled.", severity="warning")
            return
        now = self.now
        try:
            fires = next_fires(route.schedule, now, NEXT_FIRES)
        except (ConsoleError, ValueError) as exc:
            self.notify(f"{route.schedule}: {exc}", severity="error")
            return
        description = schedule_description(route.schedule)
        self.app.push_screen(
            NextFiresDialog(route.route, route.schedule, description, fires, now, self.tz)
        )

    # --- targets, scheduler, dev server -----------------------------------------------------

    def action_pick_target(self) -> None:
        settings = self.engine.settings  # read now: a `target add` a moment ago is in it
        choices = target_choices(settings.targets, settings.local)
        self.app.push_screen(TargetPicker(choices, self.target), self._go_to)

    def _go_to(self, target: Target | None) -> None:
        """Switch to `target` (None: stay). Production says once that every request asks."""
        if target is None or target == self.target:
            return
        if target.kind is TargetKind.PRODUCTION:
            self.notify("PRODUCTION: every request asks before it is sent.", severity="warning")
        self.set_target(target)

    def action_switch_target(self) -> None:
        target = next_target(self.engine.settings.targets, self.target)
        if target is None:
            want = "production" if self.target.kind is TargetKind.PREVIEW else "preview"
            self.notify(
                f"No {want} target: add one with `console target add NAME URL --kind {want}`.",
                severity="warning",
            )
            return
        self._go_to(target)

    def action_local_target(self) -> None:
        self.set_target(self.engine.settings.local)

    def action_toggle_scheduler(self) -> None:
        scheduler = self.engine.scheduler
        scheduler.set_enabled(not scheduler.enabled)
        message = f"Local scheduler {'on' if scheduler.enabled else 'off'}."
        if scheduler.holder is not None:
            message += (
                f" Console process {scheduler.holder} holds the scheduler of this project: "
                "each fire is sent once, by the process that claims it first."
            )
        self.notify(message, timeout=4)

    def action_dev_server(self) -> None:
        dev = self.engine.dev
        if dev is None:
            self.notify(
                "No dev server to run: set [dev] command in console.toml.", severity="warning"
            )
            return
        if dev.state is DevState.ATTACHED and not dev.started_by_us:
            self._dev_attached()
            return
        self._dev(restart=dev.started_by_us and dev.state in (DevState.READY, DevState.STARTING))

    @work(group="dev", exclusive=True)
    async def _dev_attached(self) -> None:
        """`d` on a server we did not start: look again; if it has gone, start ours."""
        dev = self.engine.dev
        if dev is None:
            return
        try:
            if await dev.probe() is DevState.ATTACHED:
                self.notify(
                    "The dev server was started outside the console; restart it where it runs.",
                    severity="warning",
                )
                return
            await dev.ensure()
        except ConsoleError as exc:
            self.notify(str(exc), severity="error")

    @work(group="dev", exclusive=True)
    async def _probe_dev(self) -> None:
        """`--no-dev`: show whether a server answers, start none."""
        dev = self.engine.dev
        if dev is not None and self.engine.needs_dev_server:
            await dev.probe()
        functions = self.engine.functions
        if functions is not None and functions.needed:
            await functions.probe()

    @work(group="dev", exclusive=True)
    async def _dev(self, restart: bool) -> None:
        self._functions(restart)  # beside the dev server, in a worker of its own
        dev = self.engine.dev
        if dev is None or not self.engine.needs_dev_server:
            return  # a site of Netlify functions only: the functions server is all it needs
        try:
            if restart:
                await dev.stop()
            await dev.ensure()
        except ConsoleError as exc:
            self.notify(str(exc), severity="error")

    @work(group="functions", exclusive=True)
    async def _functions(self, restart: bool) -> None:
        functions = self.engine.functions
        if functions is None or not functions.needed:
            return
        try:
            if restart and functions.started_by_us:
                await functions.stop()
            await functions.ensure()
        except ConsoleError as exc:
            self.notify(str(exc), severity="warning")

    # --- runs -------------------------------------------------------------------------------

    def action_cancel_run(self) -> None:
        run = self._selected_run()
        if run is None:
            return
        if run.state.final or not self.engine.cancel(run.id):
            self.notify(f"That run has already ended ({run.state.words}).", severity="warning")

    def action_rerun(self) -> None:
        run = self._selected_run()
        if run is not None:
            self._rerun(run)

    @work(group="send")
    async def _rerun(self, run: Run) -> None:
        target = Target(run.target, run.target_kind, run.url)
        confirmed = await self._confirm(run.route, run.method, run.url, target)
        if confirmed is None:
            return
        self._sent(lambda: self.engine.rerun(run.id, confirmed=confirmed))

    def action_run_detail(self) -> None:
        run = self._selected_run()
        if run is None:
            return
        full = self.engine.get(run.id) or run
        lines = None
        if full.target_kind is TargetKind.LOCAL:
            lines = LINES_EXACT if self.engine.exact_logs else LINES_GUESSED
        self.app.push_screen(
            RunDetailScreen(
                full,
                self.now,
                self.tz,
                lines=lines,
                response=self.engine.response(run.id),
                progress=self.engine.progress(run.id),
            )
        )

    # --- log --------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.log_view.follow = not self.log_view.follow

    def action_filter_log(self) -> None:
        self.log_panel.open_filter()

    def action_toggle_wrap(self) -> None:
        self.log_view.wrap = not self.log_view.wrap

    def action_log_run(self) -> None:
        log = self.log_view
        run = self.runs_panel.selected
        if run is None or log.run_filter == run.id:
            log.show_run(None)
            return
        full = self.engine.get(run.id) or run
        log.show_run(run.id, full.logs, full.started_at or full.created_at)

    def action_copy_log(self) -> None:
        text = self.get_selected_text()
        if not text:
            text = "\n".join(self.log_view.shown_text())
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {text.count(chr(10)) + 1 if text else 0} lines.", timeout=2)

    # --- timeline, problems -----------------------------------------------------------------

    def action_zoom_timeline(self) -> None:
        self.zoom = Zoom.WEEK if self.zoom is Zoom.DAY else Zoom.DAY
        self._refresh_timeline(self.now)

    # --- panels: focus one by number, zoom the focused one to the whole screen ---------------

    def action_focus_panel(self, name: str) -> None:
        if self.zoomed is not None and self.zoomed != name:
            self.zoomed = name  # a zoomed screen stays zoomed, on the panel asked for
            self.layout_panels()
        if name == "runs" and not self.runs_panel.runs:
            self.notify("No runs yet.", timeout=2)
            return
        if name == "routes":
            self.routes_panel.table.focus()
        elif name == "runs":
            self.runs_panel.table.focus()
        else:
            self.log_view.focus()

    def action_zoom_panel(self) -> None:
        if self.zoomed is not None:
            self.zoomed = None
        else:
            self.zoomed = self.focused_panel() or "routes"
        self.layout_panels()

    def action_problems(self) -> None:
        self.app.push_screen(ProblemsScreen(self.engine.project.problems))
