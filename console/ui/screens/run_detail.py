"""A run's details: what was sent, what came back, and its full log from history."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from console.model import Run, iso_utc
from console.ui.text import clean_line
from console.ui.view import deadline_words, duration_label, elapsed, local_label, unobservable
from console.ui.widgets.routes import state_text

LINES_EXACT = "exact: the dev server marked each line of this run's handler"
LINES_GUESSED = "guessed: this dev server does not mark lines (not started here, or not Node)"


def run_fields(run: Run, now: datetime, tz: tzinfo, lines: str | None = None) -> Table:
    table = Table(box=None, padding=(0, 1), show_header=False, show_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()

    def when(t: datetime | None) -> str:
        return "" if t is None else f"{iso_utc(t)}  ({local_label(t, tz)})"

    table.add_row("route", Text(clean_line(run.route), style="bold"))
    table.add_row("request", Text(f"{run.method} {clean_line(run.url)}"))
    kind = "" if run.target == str(run.target_kind) else f" ({run.target_kind})"
    table.add_row("target", Text(clean_line(run.target) + kind))
    state = state_text(run.state)
    if run.http_status is not None:
        state.append(f"  HTTP {run.http_status}", style="bold")
    table.add_row("state", state)
    if run.reason:
        table.add_row("reason", Text(clean_line(run.reason), style="yellow"))
    if unobservable(run):
        table.add_row("", Text("accepted (202): its end is not observable from outside"))
    table.add_row("attempts", str(run.attempts))
    table.add_row("created", when(run.created_at))
    table.add_row("started", when(run.started_at))
    table.add_row("finished", when(run.finished_at))
    table.add_row("took", duration_label(elapsed(run, now)))
    table.add_row("deadline", deadline_words(run, now))
    table.add_row("id", Text(run.id, style="dim"))
    if lines is not None:
        table.add_row("lines", Text(lines, style="dim"))
    return table


class RunDetailScreen(ModalScreen[None]):
    """Shows one run; escape, `v` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,v,q", "close", "close")]

    def __init__(
        self, run: Run, now: datetime, tz: tzinfo | None = None, *, lines: str | None = None
    ) -> None:
        super().__init__(classes="dialog -wide")
        self.run = run
        self.lines = lines
        self.now = now
        self.tz = tz or UTC

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Run {self.run.id}", style="bold"), id="dialog-title")
            yield Static(run_fields(self.run, self.now, self.tz, self.lines), id="run-fields")
            log = Log(id="run-log", max_lines=None, auto_scroll=False)
            log.border_title = f"log · {len(self.run.logs)} lines"
            yield log
            yield Static(Text("esc closes", style="dim"))

    def on_mount(self) -> None:
        log = self.query_one("#run-log", Log)
        log.write_lines([clean_line(line) for line in self.run.logs] or ["(no log lines)"])
        log.scroll_home(animate=False)
        log.focus()

    def action_close(self) -> None:
        self.dismiss(None)
