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

from console.engine import Response, RunProgress
from console.model import Run, iso_utc
from console.ui.text import clean_line
from console.ui.view import (
    deadline_words,
    duration_label,
    elapsed,
    local_label,
    retry_words,
    unobservable,
)
from console.ui.widgets.routes import state_text

LINES_EXACT = "exact: the dev server marked each line of this run's handler"
LINES_GUESSED = "guessed: this dev server does not mark lines (not started here, or not Node)"
RESPONSE_LINES = 500  # of the body kept in history (64 KiB): enough to read, cheap to draw


def run_fields(
    run: Run,
    now: datetime,
    tz: tzinfo,
    lines: str | None = None,
    progress: RunProgress | None = None,
) -> Table:
    table = Table(box=None, padding=(0, 1), show_header=False, show_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()

    def when(t: datetime | None) -> str:
        return "" if t is None else f"{iso_utc(t)}  ({local_label(t, tz)})"

    table.add_row("route", Text(clean_line(run.route), style="bold"))
    table.add_row("request", Text(f"{run.method} {clean_line(run.url)}"))
    kind = "" if run.target == str(run.target_kind) else f" ({run.target_kind})"
    table.add_row("target", Text(clean_line(run.target) + kind))
    waiting = progress is not None and progress.next_attempt_at is not None
    if progress is not None and progress.next_attempt_at is not None:
        state = Text(retry_words(progress.next_attempt_at, now), style="bold yellow")
        state.append(f" (try {progress.attempt + 1} of {progress.max_attempts})", style="dim")
    else:
        state = state_text(run.state)
    if run.http_status is not None:
        state.append(f"  {'last attempt ' if waiting else ''}HTTP {run.http_status}", style="bold")
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
    deadline_at = progress.deadline_at if progress is not None else None
    table.add_row("deadline", deadline_words(run, now, deadline_at))
    table.add_row("id", Text(run.id, style="dim"))
    if lines is not None:
        table.add_row("lines", Text(lines, style="dim"))
    return table


class RunDetailScreen(ModalScreen[None]):
    """Shows one run; escape, `v` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,v,q", "close", "close")]

    DEFAULT_CSS = """
    RunDetailScreen #run-log { height: 1fr; min-height: 4; }
    RunDetailScreen #run-response { height: 1fr; min-height: 4; max-height: 14; }
    """

    def __init__(
        self,
        run: Run,
        now: datetime,
        tz: tzinfo | None = None,
        *,
        lines: str | None = None,
        response: Response | None = None,
        progress: RunProgress | None = None,
    ) -> None:
        super().__init__(classes="dialog -wide")
        self.run = run
        self.lines = lines
        self.now = now
        self.tz = tz or UTC
        self.response = response
        self.progress = progress

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Run {self.run.id}", style="bold"), id="dialog-title")
            fields = run_fields(self.run, self.now, self.tz, self.lines, self.progress)
            yield Static(fields, id="run-fields")
            if self.response is not None:
                body = Log(id="run-response", max_lines=None, auto_scroll=False)
                body.border_title = f"response · {self.response.summary()}"
                yield body
            log = Log(id="run-log", max_lines=None, auto_scroll=False)
            log.border_title = f"log · {len(self.run.logs)} lines"
            yield log
            yield Static(Text("esc closes", style="dim"))

    def on_mount(self) -> None:
        if self.response is not None:
            body = self.query_one("#run-response", Log)
            lines = self.response.lines(RESPONSE_LINES)
            if len(lines) == RESPONSE_LINES:
                lines.append(f"… (first {RESPONSE_LINES} lines shown)")
            body.write_lines(lines or ["(empty body)"])
            body.scroll_home(animate=False)
        log = self.query_one("#run-log", Log)
        log.write_lines([clean_line(line) for line in self.run.logs] or ["(no log lines)"])
        log.scroll_home(animate=False)
        log.focus()

    def action_close(self) -> None:
        self.dismiss(None)
