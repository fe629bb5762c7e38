"""The runs panel: active and recent runs, each with its deadline as a bar and seconds left."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from console.engine import RunProgress
from console.model import Run, TargetKind
from console.ui.bindings import Scope, bindings
from console.ui.text import clean_line, shorten
from console.ui.view import (
    Level,
    bar,
    countdown,
    duration_label,
    elapsed,
    is_live,
    retry_words,
    span_label,
    unobservable,
)
from console.ui.widgets.routes import short_route, state_text

BAR_WIDTH = 10
LEFT_WIDTH = 7  # `14m 52s`: the widest time left (span_label) before an hour
LEVEL_STYLE = {Level.OK: "green", Level.WARNING: "bold yellow", Level.ERROR: "bold red"}
COLUMNS = (
    ("started", "started", 8),
    ("route", "route", 0),  # takes what is left
    ("target", "target", 10),
    ("state", "state", 12),  # `retry in 58s`
    ("http", "http", 4),
    ("try", "try", 3),
    ("elapsed", "elapsed", 8),
    ("deadline", "deadline", BAR_WIDTH + 1 + LEFT_WIDTH),
)


def deadline_text(run: Run, now: datetime, progress: RunProgress | None = None) -> Text:
    """The countdown: a bar of the time left and the seconds, warning at 20%, error at 0."""
    if progress is not None and progress.next_attempt_at is not None:
        # The state cell says "retry in 58s"; the next attempt's deadline starts with it.
        return Text(f"try {progress.attempt + 1} of {progress.max_attempts} next", style="dim")
    if unobservable(run) and not is_live(run, now):
        return Text("deadline passed", style="dim")
    left = countdown(run, now, progress.deadline_at if progress else None)
    if left is None:
        return Text("")
    style = LEVEL_STYLE[left.level]
    text = Text(bar(left.fraction_left, BAR_WIDTH), style=style)
    text.append(f" {span_label(left.seconds_left):>{LEFT_WIDTH}}", style=style)
    return text


def run_state_text(run: Run, now: datetime, progress: RunProgress | None = None) -> Text:
    """The state cell: the state in words, or `retry in 58s` while a failed attempt waits for
    the next (the run is still `accepted` then, which next to `HTTP 500` reads as a success)."""
    if progress is not None and progress.next_attempt_at is not None:
        return Text(retry_words(progress.next_attempt_at, now), style="bold yellow")
    return state_text(run.state)


def target_text(run: Run) -> Text:
    style = "bold white on red3" if run.target_kind is TargetKind.PRODUCTION else ""
    return Text(shorten(clean_line(run.target), 10), style=style)


class RunsTable(DataTable[Text | str]):
    """The table itself; `enter` opens the selected run's details."""

    BINDINGS = bindings(Scope.RUNS)


class RunsPanel(Vertical):
    """Shows runs (newest first) and keeps the selection on the same run across updates."""

    DEFAULT_CSS = """
    RunsPanel { border: round $primary-muted; }
    RunsPanel:focus-within { border: round $primary; }
    RunsPanel RunsTable { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    RunsPanel #runs-empty { display: none; color: $text-muted; padding: 0 1; }
    RunsPanel.-empty #runs-empty { display: block; }
    RunsPanel.-empty RunsTable { display: none; }
    """

    class Highlighted(Message):
        def __init__(self, run: Run | None) -> None:
            super().__init__()
            self.run = run

    def __init__(self, *, id: str | None = None) -> None:
        # Empty from the start: switching the class later restyles the whole panel.
        super().__init__(id=id, classes="-empty")
        self.runs: list[Run] = []
        self.progress: Mapping[str, RunProgress] = {}
        self.now = datetime(1970, 1, 1, tzinfo=UTC)
        self._route_width = 0
        self._table: RunsTable | None = None
        self.border_title = "runs"

    def compose(self) -> ComposeResult:
        yield Static("No runs yet: select a route and press t to trigger it.", id="runs-empty")

    @property
    def table(self) -> RunsTable:
        """The table, made on first use: a DataTable is a fifth of the screen's start-up (its
        CSS, mount and first layout) and a new project has no runs to show in it."""
        if self._table is None:
            self._table = RunsTable(
                id="runs-table",
                cursor_type="row",
                zebra_stripes=True,
                cursor_foreground_priority="renderable",
            )
            self.mount(self._table, before=0)
        return self._table

    @property
    def wanted_height(self) -> int:
        """Rows the panel needs: borders and one line when empty, else the header and a line a run."""
        return 2 + (1 + len(self.runs) if self.runs else 1)

    @property
    def selected(self) -> Run | None:
        if not self.runs or self._table is None:
            return None
        i = self._table.cursor_row
        if i < 0 or i >= len(self.runs):
            return None
        return self.runs[i]

    def on_resize(self) -> None:
        if self.runs and self._columns():
            self._fill()

    def _columns(self) -> bool:
        """Lay the columns out for the current width; True when they changed. Not done while
        there are no runs: the table is hidden then, and it cost 40 ms of the start-up."""
        fixed = sum(w for _, _, w in COLUMNS)
        width = max(12, self.content_size.width - fixed - 2 * len(COLUMNS) - 1)
        if width == self._route_width and self.table.columns:
            return False
        self._route_width = width
        table = self.table
        table.clear(columns=True)
        for key, label, w in COLUMNS:
            table.add_column(label, key=key, width=w or width)
        return True

    def show(
        self,
        runs: Sequence[Run],
        now: datetime,
        progress: Mapping[str, RunProgress],
        select: str | None = None,
    ) -> None:
        """Replace the runs; `select` moves the cursor to that run (a run just triggered)."""
        self.runs = list(runs)
        self.now = now
        self.progress = progress
        self._fill(select)

    def tick(self, now: datetime, progress: Mapping[str, RunProgress]) -> None:
        """Move the clocks of runs still going, without rebuilding the table."""
        self.now = now
        self.progress = progress
        table = self._table
        if table is None or not table.columns:
            return
        for run in self.runs:
            if run.state.final:
                continue
            table.update_cell(run.id, "state", run_state_text(run, now, progress.get(run.id)))
            table.update_cell(run.id, "elapsed", duration_label(elapsed(run, now)))
            table.update_cell(run.id, "deadline", deadline_text(run, now, progress.get(run.id)))
        self._subtitle()

    def _fill(self, select: str | None = None) -> None:
        self.set_class(not self.runs, "-empty")
        if not self.runs and self._table is None:
            return  # nothing to show: the table is not made yet
        table = self.table
        if not table.columns and (
            not self.runs or self.content_size.width <= 0 or not self._columns()
        ):
            return
        keep = select or (self.selected.id if self.selected else None)
        table.clear()
        for run in self.runs:
            table.add_row(*self._cells(run), key=run.id)
        if keep is not None:
            for i, run in enumerate(self.runs):
                if run.id == keep:
                    table.move_cursor(row=i, animate=False)
                    break
        self.set_class(not self.runs, "-empty")
        active = sum(1 for r in self.runs if not r.state.final)
        self.border_title = f"runs · {active} active" if active else "runs"
        self._subtitle()

    def _cells(self, run: Run) -> list[Text | str]:
        started = (run.started_at or run.created_at).astimezone(UTC)
        return [
            Text(f"{started:%H:%M:%S}", style="dim"),
            Text(shorten(short_route(clean_line(run.route)), self._route_width)),
            target_text(run),
            run_state_text(run, self.now, self.progress.get(run.id)),
            "" if run.http_status is None else str(run.http_status),
            str(run.attempts) if run.attempts else "",
            duration_label(elapsed(run, self.now)),
            deadline_text(run, self.now, self.progress.get(run.id)),
        ]

    def _subtitle(self) -> None:
        run = self.selected
        if run is None:
            self.border_subtitle = ""
        elif unobservable(run):
            self.border_subtitle = "accepted (202): its end is not observable from outside"
        elif run.reason:
            self.border_subtitle = Content(shorten(clean_line(run.reason), 100))  # not markup
        else:
            self.border_subtitle = ""

    @on(DataTable.RowHighlighted, "#runs-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._subtitle()
        self.post_message(self.Highlighted(self.selected))
